"""Consent statistics of a site (from the ledger): page and CSV export. Counts only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, Response, abort, render_template, request
from sqlalchemy import select

from consent_api.sites import SITES, get_site
from dashboard import consent_stats
from dashboard.accounts import Role
from dashboard.charts import stacked_columns
from dashboard.consent_stats import ACTIONS, Period, Split
from dashboard.errors import InvalidInput
from dashboard.web.auth import requires
from dashboard.web.i18n import translate
from dashboard.web.security import known_args
from dashboard.web.state import reading, writing

bp = Blueprint("consent", __name__, url_prefix="/consent")

#: colours of the actions in the chart (each passes 3:1 against white as a graphic object)
ACTION_COLOURS = {
    "accept_all": "#2f6f3e",
    "reject_all": "#b3261e",
    "custom": "#935800",
    "gpc": "#3b6a99",
    "withdraw": "#6b6b6b",
}
MAX_DAYS = 731


def _range() -> tuple[date, date, Period]:
    today = datetime.now(UTC).date()
    try:
        end = date.fromisoformat(request.args.get("to") or today.isoformat())
        start = date.fromisoformat(
            request.args.get("from") or (end - timedelta(days=29)).isoformat()
        )
    except ValueError:
        raise InvalidInput("from/to", "dates look like 2026-12-31") from None
    if start > end:
        raise InvalidInput("from/to", "the first day comes after the last one")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput("from/to", f"at most {MAX_DAYS} days at once")
    try:
        period = Period(request.args.get("period") or "day")
    except ValueError:
        raise InvalidInput("period", "day or week") from None
    return start, end, period


def _stats(site_key: str) -> consent_stats.ConsentStats:
    start, end, period = _range()
    with writing() as conn:
        row = conn.execute(select(SITES.c.id).where(SITES.c.site_key == site_key)).first()
        if row is None:
            abort(404)
        consent_stats.refresh(conn, row.id)
    with reading() as conn:
        return consent_stats.site_stats(conn, site_key, start, end, period)


@bp.get("/<site_key>")
@requires(Role.VIEWER)
def stats(site_key: str) -> str:
    result = _stats(site_key)
    with reading() as conn:
        site = get_site(conn, site_key)
    chart = stacked_columns([(k, c.actions) for k, c in result.periods], ACTIONS)
    return render_template(
        "consent.html.j2",
        site=site,
        stats=result,
        chart=chart,
        actions=ACTIONS,
        action_colours=ACTION_COLOURS,
        splits=list(Split),
        action_name={key: translate("action." + key) for key in ACTIONS},
        range_args=known_args("from", "to", "period"),
        active="overview",
    )


@bp.get("/<site_key>/stats.csv")
@requires(Role.VIEWER)
def stats_csv(site_key: str) -> Response:
    result = _stats(site_key)
    split_arg = request.args.get("split")
    try:
        split = Split(split_arg) if split_arg else None
    except ValueError:
        raise InvalidInput("split", "banner_revision, policy_version or language") from None
    kind = split.value if split else result.period.value
    name = f"consent-{site_key}-{result.start}-{result.end}-{kind}.csv"
    return Response(
        consent_stats.stats_csv(result, split),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
