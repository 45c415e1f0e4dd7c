"""Forms (Flask-WTF): every one carries a CSRF token, every POST is checked."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, ValidationError

from audits import consent_api_key_reference
from dashboard.accounts import MAX_PASSWORD, MIN_PASSWORD


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    """Several checkboxes, one per choice (WTForms' documented recipe)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PostForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types
    """A button that changes something: only the CSRF token."""


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField("username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])


class PasswordForm(FlaskForm):  # type: ignore[misc]
    current = PasswordField("current", validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    new = PasswordField(
        "new", validators=[DataRequired(), Length(min=MIN_PASSWORD, max=MAX_PASSWORD)]
    )
    confirm = PasswordField("confirm", validators=[DataRequired(), EqualTo("new")])


def key_reference(form: Any, field: Any) -> None:
    """The audits' own check of ``consent_api_key``, run on the field so that a refused value
    (perhaps the key itself) is never sent back in the page: the field comes back empty."""
    value = (field.data or "").strip()
    if not value:
        return
    try:
        consent_api_key_reference(value)
    except ValueError as exc:
        field.data = ""
        raise ValidationError("!" + str(exc)) from None


class AuditForm(FlaskForm):  # type: ignore[misc]
    """What an editor sets on an audit; ``audits.build_spec`` validates the values themselves."""

    name = StringField("name", validators=[DataRequired(), Length(max=64)])
    url = StringField("url", validators=[DataRequired(), Length(max=2048)])
    every = StringField("every", validators=[Length(max=100)])
    max_pages = IntegerField("max_pages", default=20, validators=[NumberRange(1, 1000)])
    phases = MultiCheckboxField(
        "phases",
        choices=["none", "reject", "accept"],
        default=["none", "reject", "accept"],
    )
    lang = SelectField("lang", choices=["en", "fr"], default="en")
    min_severity = SelectField(
        "min_severity",
        choices=["critical", "high", "medium", "low", "info"],
        default="medium",
    )
    consent_site = StringField("consent_site", validators=[Length(max=64)])
    consent_api = StringField("consent_api", validators=[Length(max=2048)])
    consent_api_key = StringField("consent_api_key", validators=[key_reference])
    alerts = TextAreaField("alerts", validators=[Length(max=8000)])
