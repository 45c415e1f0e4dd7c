"""Forms (Flask-WTF): every one carries a CSRF token, every POST is checked."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from dashboard.accounts import MAX_PASSWORD, MIN_PASSWORD


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
