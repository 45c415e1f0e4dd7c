"""The pages people read: the overview of every audited site, a site with its history, what
changed between two runs, and a run's full reports."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Flask, Response, abort, render_template, request, url_for
from sqlalchemy import select

import reports
from audits import AuditNotFoundError, RunInfo, RunState
from consent_api.sites import SITES
from dashboard import consent_stats
from dashboard import overview as rows_of
from dashboard.accounts import Role
from dashboard.charts import columns_svg, stacked_columns
from dashboard.errors import InvalidInput, NotFound, Unavailable
from dashboard.web.auth import requires, viewer
from dashboard.web.i18n import translate, translator
from dashboard.web.security import document_csp, known_args
from dashboard.web.state import audit_store, history, reading, writing

log = logging.getLogger("dashboard")

bp = Blueprint("pages", __name__)

SEVERITIES = ("critical", "high", "medium", "low", "info")
CATEGORIES = ("technical", "session", "analytics", "google_analytics", "tracking", "unknown")
SEVERITY_COLOURS = {
    "critical": "#7d1a15",
    "high": "#b3261e",
    "medium": "#b06a00",
    "low": "#4a7fb5",
    "info": "#6b6b6b",
}
RUNS_SHOWN = 50
TIMELINE_RUNS = 365


def init_pages(app: Flask) -> None:
    @app.context_processor
    def common() -> dict[str, Any]:
        t = translator()
        user = viewer()  # overrides Flask-Login's current_user (registered before this one)
        return {
            "current_user": user,
            "t": t,
            "lang": t.lang.value,
            "can_edit": user.is_authenticated and user.can(Role.EDITOR),
            "active": None,
            "when": _when,
        }

    app.jinja_env.globals["columns_svg"] = columns_svg  # used inside imported macros
    app.register_blueprint(bp)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "–"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _acceptance(site_keys: set[str]) -> dict[str, consent_stats.Counts]:
    """30-day counts of the consent sites linked to audits; only the rollups of sites with new
    records are brought up to date (one query finds them)."""
    if not site_keys:
        return {}
    with reading() as conn:
        ids = dict(
            conn.execute(
                select(SITES.c.site_key, SITES.c.id).where(SITES.c.site_key.in_(site_keys))
            ).all()
        )
        behind = consent_stats.sites_behind(conn, ids.values())
    if behind:
        with writing() as conn:
            for site_id in behind:
                consent_stats.refresh(conn, site_id)
    today = datetime.now(UTC).date()
    with reading() as conn:
        counts = consent_stats.acceptance_by_site(
            conn, ids.values(), today - timedelta(days=29), today
        )
    return {key: counts[site_id] for key, site_id in ids.items()}


@bp.get("/")
@requires(Role.VIEWER)
def overview() -> str:
    h = history()
    audits = h.overview()
    links = {a.spec.consent_site for a, _, _ in audits if a.spec.consent_site}
    rows = rows_of.build_rows(audits, _acceptance(links))
    sort = request.args.get("sort", "verdict")
    if sort not in rows_of.SORTS:
        sort = "verdict"
    verdicts = [v for v in request.args.getlist("verdict") if v in rows_of.VERDICT_ORDER]
    shown = rows_of.select_rows(
        rows,
        query=request.args.get("q", "")[:200],
        verdicts=verdicts,
        changed_only=request.args.get("changed") == "1",
        sort=sort,
    )
    number = request.args.get("page", "1")
    page, number_shown, pages = rows_of.page_of(shown, int(number) if number.isdigit() else 1)
    args = known_args("q", "sort", "verdict", "changed")
    return render_template(
        "overview.html.j2",
        rows=page,
        matching=len(shown),
        page=number_shown,
        pages=pages,
        page_url=lambda n: url_for("pages.overview", page=n, **args),
        total=len(rows),
        sort=sort,
        sorts=rows_of.SORTS,
        verdicts=verdicts,
        severities=SEVERITIES,
        site_url=_prefix_url("pages.site", name="__x__"),
        stats_url=_prefix_url("consent.stats", site_key="__x__"),
        active="overview",
    )


def _prefix_url(endpoint: str, **placeholder: Any) -> Any:
    """A URL builder for hundreds of rows: ``url_for`` once, then a string replace (quoted)."""
    from urllib.parse import quote

    base = url_for(endpoint, **placeholder)
    return lambda value: base.replace("__x__", quote(value, safe=""))


def _runs_by_number(name: str, numbers: list[int]) -> list[RunInfo]:
    h = history()
    try:
        return [h.run(name, n) for n in numbers]
    except AuditNotFoundError as exc:
        raise NotFound(str(exc)) from None


@bp.get("/sites/<name>")
@requires(Role.VIEWER)
def site(name: str) -> str:
    h = history()
    try:
        audit = audit_store().find(name)
    except AuditNotFoundError:
        abort(404)
    runs = h.runs(name, limit=RUNS_SHOWN)
    points = h.trend(name, limit=TIMELINE_RUNS)
    phase = request.args.get("phase", "none")
    if phase not in {"none", "reject", "accept"}:
        raise InvalidInput("phase", "none, reject or accept")
    cookies_chart = stacked_columns(
        [(f"#{p.number}", p.cookies_by_category.get(phase, {})) for p in points], CATEGORIES
    )
    findings_chart = stacked_columns(
        [(f"#{p.number}", p.findings_by_severity) for p in points], SEVERITIES
    )
    latest = next((r for r in runs if r.state == RunState.SUCCEEDED), None)
    fragment = None
    if latest is not None:
        scan = h.scan(latest.id)
        fragment = reports.render_fragment(
            scan, lang=translator().lang.value, sections=("verdict", "findings", "cookies")
        )
    succeeded = [r for r in runs if r.state == RunState.SUCCEEDED]
    return render_template(
        "site.html.j2",
        audit=audit,
        runs=runs,
        succeeded=succeeded,
        latest=latest,
        points=points,
        phase=phase,
        cookies_chart=cookies_chart,
        findings_chart=findings_chart,
        fragment=fragment,
        category_colours=reports_colours(),
        severity_colours=SEVERITY_COLOURS,
        category_name={key: translate("category." + key) for key in CATEGORIES},
        severity_name={key: translate("severity." + key) for key in SEVERITIES},
        verdict=rows_of.verdict(next((r for r in runs if r.finished_at), None)),
        severities_all=SEVERITIES,
        active="overview",
    )


def reports_colours() -> dict[str, str]:
    from reports.present import CATEGORY_COLOURS

    return CATEGORY_COLOURS


def _number(arg: str) -> int:
    value = request.args.get(arg, "")
    if not value.isdigit():
        raise InvalidInput(arg, "a run number")
    return int(value)


@bp.get("/sites/<name>/compare")
@requires(Role.VIEWER)
def compare(name: str) -> str:
    old, new = _runs_by_number(name, [_number("from"), _number("to")])
    for run in (old, new):
        if run.state != RunState.SUCCEEDED:
            raise InvalidInput("run", f"run #{run.number} did not succeed: nothing to compare")
    h = history()
    diff = reports.compare(h.scan(old.id), h.scan(new.id))
    succeeded = h.runs(name, limit=RUNS_SHOWN, state=RunState.SUCCEEDED)
    return render_template(
        "compare.html.j2",
        name=name,
        old=old,
        new=new,
        succeeded=succeeded,
        fragment=reports.render_diff_fragment(diff, lang=translator().lang.value),
        active="overview",
    )


FORMATS = {
    "html": "text/html",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "json": "application/json",
}


def _pdf(scan: Any, lang: str) -> bytes:
    """The report printed by the server's Chromium; without one (or when it fails) a 503 that
    says so, never a 500: the HTML, CSV and JSON formats do not need it."""
    from playwright.async_api import Error as PlaywrightError

    from scanner.cli_report import chromium_pdf_printer
    from scanner.errors import CookieAuditError

    try:
        return reports.render(scan, "pdf", lang=lang, pdf_printer=chromium_pdf_printer)
    except (CookieAuditError, PlaywrightError, reports.ReportError) as exc:
        log.warning("PDF report not printed: %s", str(exc).splitlines()[0] if str(exc) else exc)
        raise Unavailable(
            "PDF printing is not available on this server (no working Chromium); the HTML "
            "report prints to PDF from the browser"
        ) from None


@bp.get("/sites/<name>/runs/<int:number>/report.<fmt>")
@requires(Role.VIEWER)
def run_report(name: str, number: int, fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    (run,) = _runs_by_number(name, [number])
    if run.state not in (RunState.SUCCEEDED, RunState.FAILED):
        abort(404)
    try:
        scan = history().scan(run.id)
    except AuditNotFoundError:
        abort(404)
    lang = translator().lang.value
    body = _pdf(scan, lang) if fmt == "pdf" else reports.render(scan, fmt, lang=lang)
    response = Response(body, mimetype=FORMATS[fmt])
    filename = f"{name}-run{number}.{fmt}"
    if fmt == "html":
        # our own self-contained report: its inline style and script allowed by hash only
        response.headers["Content-Security-Policy"] = document_csp(body.decode("utf-8"))
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    else:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
