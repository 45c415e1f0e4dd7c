"""Consent statistics: aggregate SQL over the ledger, no Flask, no visitor's data.

Three queries, each one ``GROUP BY`` the database runs, each returning plain rows that a page,
an export or another package can fold as it likes:

- :func:`action_counts`: records per UTC day, action and (optionally) split value;
- :func:`category_counts`: per UTC day (and split value), how many records granted each
  category and how many answered for it at all (a category added later is absent from older
  records: not asked, not refused);
- :func:`impression_counts`: banner shown, per day (impressions have no split).

Splits are :class:`Split`: banner revision, policy version, language. :func:`summary` folds the
three into days or ISO weeks (Monday first) for the admin endpoint. Choices are stored as
canonical JSON (sorted keys, no spaces, ids matching ``[a-z][a-z0-9_]*``), so "granted" is the
substring ``"id":true``, which both SQLite and PostgreSQL count with an escaped ``LIKE``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Engine, Table, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from consent_api.models import Action, ConsentRecord, Impression
from consent_api.sites import SiteView
from database import is_sqlite, write_transaction

RECORDS = cast(Table, ConsentRecord.__table__)
IMPRESSIONS = cast(Table, Impression.__table__)
ACTIONS: tuple[str, ...] = tuple(a.value for a in Action)


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"


class Split(StrEnum):
    BANNER_REVISION = "banner_revision"
    POLICY_VERSION = "policy_version"
    LANGUAGE = "language"


SplitValue = str | int | None


@dataclass(frozen=True, slots=True)
class ActionCount:
    day: date
    split: SplitValue
    action: str
    records: int


@dataclass(frozen=True, slots=True)
class CategoryCount:
    day: date
    split: SplitValue
    category: str
    granted: int
    answered: int  # records that carry this category at all


def _day() -> ColumnElement[str]:
    return func.substr(RECORDS.c.recorded_at, 1, 10)


def _window(start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if start is not None:
        conds.append(RECORDS.c.recorded_at >= start.isoformat())
    if end is not None:
        conds.append(RECORDS.c.recorded_at < (end + timedelta(days=1)).isoformat())
    return conds


def _split_column(split: Split | None) -> ColumnElement[Any] | None:
    return None if split is None else RECORDS.c[split.value]


def action_counts(
    conn: Connection,
    site: SiteView,
    start: date | None = None,
    end: date | None = None,
    split: Split | None = None,
) -> list[ActionCount]:
    day = _day()
    column = _split_column(split)
    keys = [day, *([column] if column is not None else []), RECORDS.c.action]
    rows = conn.execute(
        select(*keys, func.count())
        .where(RECORDS.c.site_id == site.id, *_window(start, end))
        .group_by(*keys)
    )
    out: list[ActionCount] = []
    for row in rows:
        value = row[1] if column is not None else None
        out.append(ActionCount(date.fromisoformat(row[0]), value, row[-2], int(row[-1])))
    return out


def category_counts(
    conn: Connection,
    site: SiteView,
    start: date | None = None,
    end: date | None = None,
    split: Split | None = None,
) -> list[CategoryCount]:
    day = _day()
    column = _split_column(split)
    keys = [day, *([column] if column is not None else [])]
    sums: list[ColumnElement[Any]] = []
    for cid in site.category_ids:
        sums.append(
            func.sum(
                case((RECORDS.c.choices.contains(f'"{cid}":true', autoescape=True), 1), else_=0)
            )
        )
        sums.append(
            func.sum(case((RECORDS.c.choices.contains(f'"{cid}":', autoescape=True), 1), else_=0))
        )
    rows = conn.execute(
        select(*keys, *sums)
        .where(RECORDS.c.site_id == site.id, *_window(start, end))
        .group_by(*keys)
    )
    out: list[CategoryCount] = []
    width = len(keys)
    for row in rows:
        value = row[1] if column is not None else None
        for index, cid in enumerate(site.category_ids):
            granted, answered = row[width + 2 * index], row[width + 2 * index + 1]
            out.append(
                CategoryCount(
                    date.fromisoformat(row[0]), value, cid, int(granted or 0), int(answered or 0)
                )
            )
    return out


def impression_counts(
    conn: Connection, site: SiteView, start: date | None = None, end: date | None = None
) -> list[tuple[date, int]]:
    query = select(IMPRESSIONS.c.day, IMPRESSIONS.c.count).where(IMPRESSIONS.c.site_id == site.id)
    if start is not None:
        query = query.where(IMPRESSIONS.c.day >= start)
    if end is not None:
        query = query.where(IMPRESSIONS.c.day <= end)
    return [(row[0], int(row[1])) for row in conn.execute(query)]


def period_start(day: date, period: Period) -> date:
    return day if period is Period.DAY else day - timedelta(days=day.weekday())


def _bucket() -> dict[str, Any]:
    return {"records": 0, "actions": dict.fromkeys(ACTIONS, 0), "categories": {}}


def _add_categories(bucket: dict[str, Any], count: CategoryCount) -> None:
    entry = bucket["categories"].setdefault(
        count.category, {"granted": 0, "refused": 0, "opt_in_rate": None}
    )
    entry["granted"] += count.granted
    entry["refused"] += count.answered - count.granted


def _rates(bucket: dict[str, Any]) -> None:
    for entry in bucket["categories"].values():
        total = entry["granted"] + entry["refused"]
        entry["opt_in_rate"] = round(entry["granted"] / total, 4) if total else None


def summary(
    conn: Connection,
    site: SiteView,
    start: date | None = None,
    end: date | None = None,
    period: Period = Period.DAY,
    split: Split | None = None,
) -> dict[str, Any]:
    """Per day or week: impressions, records per action, opt-in per category; with ``split``,
    the same per banner revision, policy version or language under ``by``."""
    periods: dict[date, dict[str, Any]] = {}

    def entry(day: date) -> dict[str, Any]:
        key = period_start(day, period)
        if key not in periods:
            periods[key] = {"start": key.isoformat(), "impressions": 0, **_bucket()}
            if split is not None:
                periods[key]["by"] = {}
        return periods[key]

    def sub(target: dict[str, Any], value: SplitValue) -> dict[str, Any]:
        if split is None:
            return target
        name = "" if value is None else str(value)
        by: dict[str, dict[str, Any]] = target["by"]
        return by.setdefault(name, _bucket())

    for day, count in impression_counts(conn, site, start, end):
        entry(day)["impressions"] += count
    for action in action_counts(conn, site, start, end, split):
        for bucket in _targets(entry(action.day), sub, action.split, split):
            bucket["records"] += action.records
            bucket["actions"][action.action] = (
                bucket["actions"].get(action.action, 0) + action.records
            )
    for category in category_counts(conn, site, start, end, split):
        for bucket in _targets(entry(category.day), sub, category.split, split):
            _add_categories(bucket, category)
    for value in periods.values():
        _rates(value)
        for nested in value.get("by", {}).values():
            _rates(nested)
    return {
        "site_key": site.site_key,
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "period": period.value,
        "split": split.value if split else None,
        "periods": [periods[k] for k in sorted(periods)],
    }


def _targets(
    top: dict[str, Any], sub: Any, value: SplitValue, split: Split | None
) -> Iterable[dict[str, Any]]:
    return (top,) if split is None else (top, sub(top, value))


def count_impression(engine: Engine, site: SiteView, today: date | None = None) -> None:
    """The banner was shown once (a counter per site and day: no visitor's data)."""
    day = today or datetime.now(UTC).date()
    with write_transaction(engine) as conn:
        maker = sqlite_insert if is_sqlite(conn) else pg_insert
        stmt = maker(IMPRESSIONS).values(site_id=site.id, day=day, count=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["site_id", "day"], set_={"count": IMPRESSIONS.c.count + 1}
        )
        conn.execute(stmt)
