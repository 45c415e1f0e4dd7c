"""Consent statistics of a site, from the ledger: counts only, never a visitor's data.

A rollup kept up to date, not an aggregate over the raw ledger on every page view: the ledger
is append-only and numbered per site (``seq``), so :func:`refresh` adds the records past the
last one it counted (one indexed range scan of the new records, grouped) and a page then reads
a few hundred rollup rows however large the ledger is. Over 1,000,000 records a direct
``GROUP BY`` read every record on every view (see BENCHMARKS.md); the rollup reads only what
arrived since the last view. A purge (records deleted past retention) moves the chain's first
record: the site's rollup is then rebuilt from what is left, so the counts always equal counts
made on the ledger. Days are UTC days of ``recorded_at`` (the server's time).

Impressions (banner shown) come from the ledger's own daily counter; they have no revision,
policy or language, so splits show records only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from consent_api.models import ConsentRecord, Impression, Site
from dashboard.tables import CONSENT_ROLLUP, CONSENT_ROLLUP_STATE
from database import is_sqlite
from reports import write_csv

RECORDS = cast(Table, ConsentRecord.__table__)
IMPRESSIONS = cast(Table, Impression.__table__)
SITES = cast(Table, Site.__table__)

#: the ledger's actions, in the order pages show them
ACTIONS: tuple[str, ...] = ("accept_all", "reject_all", "custom", "gpc", "withdraw")
DIMENSIONS = ("banner_revision", "policy_version", "language")


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"


class Split(StrEnum):
    REVISION = "banner_revision"
    POLICY = "policy_version"
    LANGUAGE = "language"


# --- keeping the rollup up to date ---------------------------------------------------------------


def refresh(conn: Connection, site_id: int) -> int:
    """Count the site's records the rollup has not counted yet; returns how many.

    Call inside a write transaction: on SQLite it is serialised with every writer, on
    PostgreSQL the site's state row is locked, so two refreshes never count a record twice.
    """
    state = _lock_state(conn, site_id)
    bounds = conn.execute(
        select(func.min(RECORDS.c.seq), func.max(RECORDS.c.seq)).where(RECORDS.c.site_id == site_id)
    ).one()
    first, last = bounds[0] or 0, bounds[1] or 0
    upto, counted_first = state
    if first != counted_first and upto > 0:
        # a purge removed the oldest records: count what is left from scratch
        conn.execute(delete(CONSENT_ROLLUP).where(CONSENT_ROLLUP.c.site_id == site_id))
        upto = 0
    if last <= upto:
        if first != counted_first:
            _save_state(conn, site_id, upto, first)
        return 0
    day = func.substr(RECORDS.c.recorded_at, 1, 10)
    language = func.coalesce(RECORDS.c.language, "")
    query = (
        select(
            day,
            RECORDS.c.action,
            RECORDS.c.choices,
            RECORDS.c.banner_revision,
            RECORDS.c.policy_version,
            language,
            func.count(),
        )
        .where(RECORDS.c.site_id == site_id, RECORDS.c.seq > upto, RECORDS.c.seq <= last)
        .group_by(
            day,
            RECORDS.c.action,
            RECORDS.c.choices,
            RECORDS.c.banner_revision,
            RECORDS.c.policy_version,
            language,
        )
    )
    rows = [
        {
            "site_id": site_id,
            "day": d,
            "action": action,
            "choices": choices,
            "banner_revision": revision,
            "policy_version": policy,
            "language": lang,
            "records": n,
        }
        for d, action, choices, revision, policy, lang, n in conn.execute(query)
    ]
    _add(conn, rows)
    _save_state(conn, site_id, last, first)
    return sum(r["records"] for r in rows)


def sites_behind(conn: Connection, site_ids: Iterable[int]) -> list[int]:
    """The sites whose ledger has records the rollup has not counted (by the chain's head)."""
    ids = list(site_ids)
    if not ids:
        return []
    state = CONSENT_ROLLUP_STATE
    query = (
        select(SITES.c.id)
        .select_from(SITES.outerjoin(state, state.c.site_id == SITES.c.id))
        .where(
            SITES.c.id.in_(ids),
            SITES.c.head_seq > func.coalesce(state.c.upto_seq, 0),
        )
    )
    return [int(i) for i in conn.execute(query).scalars()]


def _lock_state(conn: Connection, site_id: int) -> tuple[int, int]:
    where = CONSENT_ROLLUP_STATE.c.site_id == site_id
    if not is_sqlite(conn):
        conn.execute(
            pg_insert(CONSENT_ROLLUP_STATE)
            .values(site_id=site_id, upto_seq=0, first_seq=0)
            .on_conflict_do_nothing()
        )
        row = conn.execute(select(CONSENT_ROLLUP_STATE).where(where).with_for_update()).one()
        return int(row.upto_seq), int(row.first_seq)
    found = conn.execute(select(CONSENT_ROLLUP_STATE).where(where)).first()
    if found is None:
        conn.execute(insert(CONSENT_ROLLUP_STATE).values(site_id=site_id, upto_seq=0, first_seq=0))
        return 0, 0
    return int(found.upto_seq), int(found.first_seq)


def _save_state(conn: Connection, site_id: int, upto: int, first: int) -> None:
    conn.execute(
        update(CONSENT_ROLLUP_STATE)
        .where(CONSENT_ROLLUP_STATE.c.site_id == site_id)
        .values(upto_seq=upto, first_seq=first)
    )


def _add(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    key = ["site_id", "day", "action", "choices", *DIMENSIONS]
    if is_sqlite(conn):
        lite = sqlite_insert(CONSENT_ROLLUP)
        upsert: Any = lite.on_conflict_do_update(
            index_elements=key, set_={"records": CONSENT_ROLLUP.c.records + lite.excluded.records}
        )
    else:
        pg = pg_insert(CONSENT_ROLLUP)
        upsert = pg.on_conflict_do_update(
            index_elements=key, set_={"records": CONSENT_ROLLUP.c.records + pg.excluded.records}
        )
    conn.execute(upsert, rows)


# --- reading ----------------------------------------------------------------------------------


@dataclass
class Counts:
    """Records by action and, per category, how many choices granted or denied it."""

    impressions: int = 0
    actions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    granted: dict[str, int] = field(default_factory=dict)
    denied: dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(self.actions.values())

    @property
    def decisions(self) -> int:
        """Choices a visitor made on the banner (withdrawals are changes of mind, not choices)."""
        return self.records - self.actions["withdraw"]

    @property
    def acceptance(self) -> float | None:
        """Share of choices that accepted everything."""
        return self.actions["accept_all"] / self.decisions if self.decisions else None

    def opt_in(self, category: str) -> float | None:
        total = self.granted.get(category, 0) + self.denied.get(category, 0)
        return self.granted.get(category, 0) / total if total else None

    def add(self, action: str, choices: Mapping[str, Any], n: int) -> None:
        self.actions[action] = self.actions.get(action, 0) + n
        for category, value in choices.items():
            bucket = self.granted if value else self.denied
            bucket[category] = bucket.get(category, 0) + n


@dataclass
class ConsentStats:
    site_key: str
    start: date
    end: date
    period: Period
    categories: list[str]
    total: Counts
    periods: list[tuple[str, Counts]]  # (period label, counts), oldest first
    splits: dict[Split, list[tuple[str, Counts]]]  # by value, most records first


def _parse_choices(text: str, cache: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if text not in cache:
        value = json.loads(text)
        cache[text] = value if isinstance(value, dict) else {}
    return cache[text]


def week_of(day: date) -> str:
    """ISO week label: 2026-W49 (weeks start on Monday)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def label(day: date, period: Period) -> str:
    return day.isoformat() if period == Period.DAY else week_of(day)


def site_stats(
    conn: Connection, site_key: str, start: date, end: date, period: Period = Period.DAY
) -> ConsentStats:
    """The statistics of ``site_key`` from ``start`` to ``end`` (UTC days, both included).

    Reads the rollup: call :func:`refresh` first (the web views do).
    """
    site = conn.execute(
        select(SITES.c.id, SITES.c.categories).where(SITES.c.site_key == site_key)
    ).one()
    categories = [c["id"] for c in json.loads(site.categories) if not c.get("required")]
    total = Counts()
    by_period: dict[str, Counts] = {}
    day = start
    while day <= end:  # every period shows, even an empty one
        by_period.setdefault(label(day, period), Counts())
        day += timedelta(days=1)
    splits: dict[Split, dict[str, Counts]] = {s: {} for s in Split}
    cache: dict[str, dict[str, Any]] = {}
    r = CONSENT_ROLLUP
    in_range = (
        r.c.site_id == site.id,
        r.c.day >= start.isoformat(),
        r.c.day <= end.isoformat(),
    )
    total_n = func.sum(r.c.records)
    # the database sums the rollup once per view: by day, then by each split (a few
    # thousand rows for a year, whatever the number of records)
    labels: dict[str, str] = {}
    for d, action, choices_text, n in conn.execute(
        select(r.c.day, r.c.action, r.c.choices, total_n)
        .where(*in_range)
        .group_by(r.c.day, r.c.action, r.c.choices)
    ):
        choices = _parse_choices(choices_text, cache)
        total.add(action, choices, int(n))
        if d not in labels:
            labels[d] = label(date.fromisoformat(d), period)
        by_period[labels[d]].add(action, choices, int(n))
    for split, column in (
        (Split.REVISION, r.c.banner_revision),
        (Split.POLICY, r.c.policy_version),
        (Split.LANGUAGE, r.c.language),
    ):
        for value, action, choices_text, n in conn.execute(
            select(column, r.c.action, r.c.choices, total_n)
            .where(*in_range)
            .group_by(column, r.c.action, r.c.choices)
        ):
            choices = _parse_choices(choices_text, cache)
            splits[split].setdefault(str(value), Counts()).add(action, choices, int(n))
    impressions = conn.execute(
        select(IMPRESSIONS.c.day, IMPRESSIONS.c.count).where(
            IMPRESSIONS.c.site_id == site.id, IMPRESSIONS.c.day >= start, IMPRESSIONS.c.day <= end
        )
    )
    for d, n in impressions:
        total.impressions += n
        by_period[label(d, period)].impressions += n
    seen = {
        c for counts in splits[Split.REVISION].values() for c in (*counts.granted, *counts.denied)
    }
    categories += sorted(seen - set(categories) - _required(site.categories))
    return ConsentStats(
        site_key=site_key,
        start=start,
        end=end,
        period=period,
        categories=categories,
        total=total,
        periods=sorted(by_period.items()),
        splits={
            s: sorted(values.items(), key=lambda kv: (-kv[1].records, kv[0]))
            for s, values in splits.items()
        },
    )


def _required(categories_json: str) -> set[str]:
    return {c["id"] for c in json.loads(categories_json) if c.get("required")}


def acceptance_by_site(
    conn: Connection, site_ids: Iterable[int], start: date, end: date
) -> dict[int, Counts]:
    """Counts per site over a range in one query (the overview's 30-day acceptance)."""
    ids = list(site_ids)
    out: dict[int, Counts] = {i: Counts() for i in ids}
    if not ids:
        return out
    rows = conn.execute(
        select(
            CONSENT_ROLLUP.c.site_id, CONSENT_ROLLUP.c.action, func.sum(CONSENT_ROLLUP.c.records)
        )
        .where(
            CONSENT_ROLLUP.c.site_id.in_(ids),
            and_(
                CONSENT_ROLLUP.c.day >= start.isoformat(), CONSENT_ROLLUP.c.day <= end.isoformat()
            ),
        )
        .group_by(CONSENT_ROLLUP.c.site_id, CONSENT_ROLLUP.c.action)
    )
    for site_id, action, n in rows:
        out[site_id].add(action, {}, int(n))
    return out


# --- CSV ---------------------------------------------------------------------------------------


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def stats_csv(stats: ConsentStats, split: Split | None = None) -> bytes:
    """One row per period (or per value of ``split``): counts and opt-in rates; UTF-8 with a
    BOM and ``\\r\\n`` by the reports' writer, whose formula rule covers the split values (a
    policy version is any text the site's admin key sets). Counts only: no visitor appears."""
    first = split.value if split else stats.period.value
    head = [first, "impressions", "records", *ACTIONS, "acceptance_rate"]
    for c in stats.categories:
        head += [f"{c}_granted", f"{c}_denied", f"{c}_opt_in_rate"]
    lines: list[list[object]] = []
    rows = stats.splits[split] if split else stats.periods
    for key, counts in rows:
        line: list[object] = [
            key,
            "" if split else counts.impressions,
            counts.records,
            *(counts.actions[a] for a in ACTIONS),
            _rate(counts.acceptance),
        ]
        for c in stats.categories:
            line += [counts.granted.get(c, 0), counts.denied.get(c, 0), _rate(counts.opt_in(c))]
        lines.append(line)
    return write_csv(head, lines)
