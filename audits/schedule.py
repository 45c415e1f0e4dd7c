"""Schedules: `hourly`, `daily`, `weekly`, `monthly` or a 5-field cron expression, in UTC.

A named schedule is spread over the period by a hash of the audit's name (like Jenkins' `H`):
a thousand `weekly` audits do not all start on Monday at midnight. The spread is stable, so
`audit show` can say when an audit runs and the slot of a run is known in advance.

A *slot* is the time a run was due. Slots are what makes a scheduled run happen once: the
history store has a unique (audit, slot) constraint. Missed slots (everything stopped for a
week) coalesce into the latest one: one run on restart, not a backlog.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from croniter import CroniterError, croniter

from audits.errors import AuditInputError

NAMED = ("hourly", "daily", "weekly", "monthly")
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


@dataclass(frozen=True)
class Schedule:
    every: str  # as the user wrote it: a name or a cron expression
    cron: str  # the cron expression it resolves to

    def previous_slot(self, now: datetime) -> datetime:
        """The latest slot at or before `now` (UTC)."""
        return _prev(self.cron, _utc(now))

    def next_slot(self, after: datetime) -> datetime:
        """The first slot strictly after `after` (UTC)."""
        return _next(self.cron, _utc(after))

    def describe(self) -> str:
        minute, hour, dom, _month, dow = self.cron.split()
        at = f"{int(hour):02d}:{int(minute):02d} UTC" if hour.isdigit() and minute.isdigit() else ""
        if self.every == "hourly":
            return f"hourly (at minute {int(minute)})"
        if self.every == "daily":
            return f"daily at {at}"
        if self.every == "weekly":
            return f"weekly on {_DAYS[int(dow)]} at {at}"
        if self.every == "monthly":
            return f"monthly on day {int(dom)} at {at}"
        return f"cron {self.cron} (UTC)"


def parse_schedule(every: str, seed: str) -> Schedule:
    """`every` as given to `--every`; `seed` (the audit's name) spreads named schedules."""
    text = " ".join(str(every).split())
    lowered = text.lower()
    if lowered in NAMED:
        digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
        minute, hour = digest % 60, (digest // 60) % 24
        dow, dom = (digest // 1440) % 7, (digest // 10080) % 28 + 1
        cron = {
            "hourly": f"{minute} * * * *",
            "daily": f"{minute} {hour} * * *",
            "weekly": f"{minute} {hour} * * {dow}",
            "monthly": f"{minute} {hour} {dom} * *",
        }[lowered]
        return Schedule(every=lowered, cron=cron)
    fields = text.split()
    if len(fields) != 5:
        raise AuditInputError(
            f"every: expected hourly, daily, weekly, monthly or a 5-field cron expression "
            f"(minute hour day-of-month month day-of-week), got {every!r}"
        )
    if not croniter.is_valid(text):
        raise AuditInputError(f"every: not a valid cron expression: {every!r}")
    try:
        _next(text, datetime(2000, 1, 1, tzinfo=UTC))
    except CroniterError as exc:  # an impossible date such as 31 February
        raise AuditInputError(f"every: cron expression {every!r} never fires: {exc}") from None
    return Schedule(every=text, cron=text)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_LOCAL = threading.local()


def _iterator(cron: str, start: datetime) -> croniter:
    """A parsed expression per thread, moved to `start` (parsing is most of croniter's cost)."""
    cache: dict[str, croniter] = _LOCAL.__dict__.setdefault("iterators", {})
    it = cache.get(cron)
    if it is None:
        it = cache[cron] = croniter(cron, start)
    else:
        it.set_current(start, force=True)
    return it


@lru_cache(maxsize=65536)
def _prev(cron: str, now: datetime) -> datetime:
    # croniter's get_prev is strict (< now): check whether `now` itself is a slot.
    base = now.replace(microsecond=0)
    result: datetime = _iterator(cron, base).get_prev(datetime)
    candidate: datetime = _iterator(cron, result).get_next(datetime)
    return candidate if candidate <= now else result


@lru_cache(maxsize=65536)
def _next(cron: str, after: datetime) -> datetime:
    result: datetime = _iterator(cron, after).get_next(datetime)
    return result
