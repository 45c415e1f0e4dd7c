"""Audit management for editors: add, edit, pause, resume, run now, remove, alert settings.

Every view needs the editor role (a viewer gets 403 on each, GET and POST alike); every change
is a POST with a CSRF token; the audits' own validation (``audits.build_spec``) decides what
is valid and its one-line message is shown next to the form.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from audits import (
    AuditInputError,
    AuditNotFoundError,
    AuditStore,
    Trigger,
    build_spec,
)
from dashboard.accounts import Role
from dashboard.web.auth import requires
from dashboard.web.forms import AuditForm, PostForm
from dashboard.web.i18n import translate as t
from dashboard.web.state import audit_store

bp = Blueprint("manage", __name__, url_prefix="/manage")


def store() -> AuditStore:
    return audit_store()  # a short retry of a lost database, then 503


def _find(name: str) -> Any:
    try:
        return store().find(name)
    except AuditNotFoundError:
        abort(404)


@bp.get("/")
@requires(Role.EDITOR)
def audits() -> str:
    return render_template(
        "manage.html.j2", audits=store().list_audits(), form=PostForm(), active="manage"
    )


def _changes(form: AuditForm, current: Any | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": (form.name.data or "").strip(),
        "url": (form.url.data or "").strip(),
        "every": (form.every.data or "").strip() or "weekly",
        "max_pages": form.max_pages.data,
        "phases": form.phases.data or [],
        "lang": form.lang.data,
        "min_severity": form.min_severity.data,
        "consent_site": (form.consent_site.data or "").strip() or None,
        "consent_api": (form.consent_api.data or "").strip() or None,
        "consent_api_key": (form.consent_api_key.data or "").strip() or None,
    }
    alerts = [line.strip() for line in (form.alerts.data or "").splitlines() if line.strip()]
    if current is not None and alerts == current.spec.redacted_alerts():
        alerts = list(current.spec.alerts)  # shown redacted, left unchanged: keep the secrets
    data["alerts"] = alerts
    return data


def _form_page(form: AuditForm, audit: Any | None, error: str | None, status: int) -> Any:
    return (
        render_template("audit_form.html.j2", form=form, audit=audit, error=error, active="manage"),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Role.EDITOR)
def new() -> Any:
    form = AuditForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _form_page(form, None, t("error.422"), 422)
        try:
            audit = store().add(build_spec(_changes(form, None)))
        except AuditInputError as exc:  # an unavailable store is a 503 page
            return _form_page(form, None, str(exc), 422)
        flash(t("manage.added", name=audit.name))
        return redirect(url_for("pages.site", name=audit.name), code=303)
    return _form_page(form, None, None, 200)


@bp.route("/<name>/edit", methods=["GET", "POST"])
@requires(Role.EDITOR)
def edit(name: str) -> Any:
    current = _find(name)
    form = AuditForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _form_page(form, current, t("error.422"), 422)
        try:
            audit = store().edit(name, _changes(form, current))
        except AuditInputError as exc:  # an unavailable store is a 503 page
            return _form_page(form, current, str(exc), 422)
        flash(t("manage.saved", name=audit.name))
        return redirect(url_for("pages.site", name=audit.name), code=303)
    spec = current.spec
    form.name.data = spec.name
    form.url.data = spec.url
    form.every.data = spec.every
    form.max_pages.data = spec.max_pages
    form.phases.data = [p.value for p in spec.phases]
    form.lang.data = spec.lang
    form.min_severity.data = spec.min_severity.value
    form.consent_site.data = spec.consent_site or ""
    form.consent_api.data = spec.consent_api or ""
    form.consent_api_key.data = spec.consent_api_key or ""  # a reference, never the key
    form.alerts.data = "\n".join(spec.redacted_alerts())
    return _form_page(form, current, None, 200)


def _action(name: str, work: Any, message: str) -> Response:
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    _find(name)
    try:
        work()
    except AuditInputError as exc:
        flash(str(exc))
    else:
        flash(t(message, name=name))
    target = request.form.get("back") == "site"
    return redirect(url_for("pages.site", name=name) if target else url_for("manage.audits"), 303)


@bp.post("/<name>/pause")
@requires(Role.EDITOR)
def pause(name: str) -> Response:
    return _action(name, lambda: store().set_paused(name, True), "manage.paused")


@bp.post("/<name>/resume")
@requires(Role.EDITOR)
def resume(name: str) -> Response:
    return _action(name, lambda: store().set_paused(name, False), "manage.resumed")


@bp.post("/<name>/run")
@requires(Role.EDITOR)
def run_now(name: str) -> Response:
    """Queue a run now, whatever the schedule: the daemon or a worker runs it next."""
    return _action(name, lambda: store().create_run(name, trigger=Trigger.MANUAL), "manage.queued")


@bp.post("/<name>/remove")
@requires(Role.EDITOR)
def remove(name: str) -> Response:
    """Remove the audit; its history stays (``audit remove --purge`` deletes it)."""
    return _action(name, lambda: store().remove(name), "manage.removed")
