"""Plain-language presentation helpers shared by the HTML templates (scan and diff)."""

from __future__ import annotations

from datetime import UTC, datetime

from reports.i18n import Translator
from scanner.model import ClassifiedCookie

#: colours of the categories in the chart and badges: the white count printed on each bar
#: segment, and each colour against the white page, pass WCAG AA (4.5:1; tested); badge text
#: is dark on a light tint, well above that.
CATEGORY_COLOURS: dict[str, str] = {
    "technical": "#2f6f3e",
    "session": "#3b6a99",
    "analytics": "#935800",
    "google_analytics": "#7b3fb0",
    "tracking": "#b3261e",
    "unknown": "#6b6b6b",
}


def format_date(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M UTC")


def format_days(days: float | None, t: Translator) -> str:
    """A lifetime as a person says it: session, 30 min, 14 days, 13 months, 2 years."""
    if days is None:
        return t("session_cookie")
    if days < 1 / 24:
        return t("lifetime.minutes", n=max(1, round(days * 24 * 60)))
    if days < 1:
        return t("lifetime.hours", n=round(days * 24))
    if days < 1.5:
        return t("lifetime.day")
    if days < 90:
        return t("lifetime.days", n=round(days))
    if days < 720:
        return t("lifetime.months", n=round(days / 30.44))
    years = days / 365.25
    if abs(years - round(years)) < 0.1:
        return t("lifetime.years", n=round(years))
    return t("lifetime.years", n=t.decimal(round(years, 1)))


def cookie_lifetime(cookie: ClassifiedCookie, t: Translator) -> str:
    """Stored lifetime, plus what the site asked for when Chrome capped it."""
    text = format_days(cookie.lifetime_days, t)
    asked = cookie.requested_lifetime_days
    if asked is not None and cookie.lifetime_days is not None:
        asked_text = format_days(asked, t)
        if asked_text != text:
            text = f"{text} {t('lifetime.capped', asked=asked_text)}"
    return text


def sort_days(days: float | None) -> str:
    """Sort key of a lifetime: a session cookie sorts before any persistent one."""
    return "-1" if days is None else f"{days:.4f}"
