from __future__ import annotations

from datetime import UTC, datetime

import pytest

from audits import AuditInputError, parse_schedule

NOW = datetime(2026, 3, 4, 10, 30, 20, tzinfo=UTC)  # a Wednesday


def test_named_schedules_are_spread_by_name_and_stable() -> None:
    crons = {parse_schedule("daily", f"site-{i}").cron for i in range(50)}
    assert len(crons) > 40  # not everyone at midnight
    assert parse_schedule("weekly", "shop").cron == parse_schedule("weekly", "shop").cron
    weekly = parse_schedule("weekly", "shop")
    _minute, hour, dom, month, dow = weekly.cron.split()
    assert (dom, month) == ("*", "*") and 0 <= int(dow) <= 6 and 0 <= int(hour) < 24
    monthly = parse_schedule("Monthly", "shop")
    assert monthly.every == "monthly" and 1 <= int(monthly.cron.split()[2]) <= 28


def test_slots_at_or_before_and_strictly_after() -> None:
    every15 = parse_schedule("*/15 * * * *", "x")
    assert every15.previous_slot(NOW) == datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
    exact = datetime(2026, 3, 4, 10, 45, tzinfo=UTC)
    assert every15.previous_slot(exact) == exact
    assert every15.next_slot(exact) == datetime(2026, 3, 4, 11, 0, tzinfo=UTC)
    assert every15.next_slot(NOW) == exact


def test_describe_says_when() -> None:
    assert parse_schedule("0 3 * * 1", "x").describe() == "cron 0 3 * * 1 (UTC)"
    text = parse_schedule("weekly", "shop").describe()
    assert text.startswith("weekly on ") and text.endswith(" UTC")


@pytest.mark.parametrize(
    ("every", "message"),
    [
        ("every day", "5-field cron"),
        ("61 * * * *", "not a valid cron expression"),
        ("0 0 31 2 *", "never fires"),
        ("", "5-field cron"),
        ("* * * * * *", "5-field cron"),
    ],
)
def test_bad_schedules_are_named(every: str, message: str) -> None:
    with pytest.raises(AuditInputError, match=message):
        parse_schedule(every, "x")
