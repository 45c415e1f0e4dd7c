"""How lifetimes and name lists read, in both languages."""

from __future__ import annotations

import pytest

from reports.html import _name_list
from reports.i18n import Lang, Translator
from reports.present import format_days

EN, FR = Translator(Lang.EN), Translator(Lang.FR)


@pytest.mark.parametrize(
    ("days", "en", "fr"),
    [
        (None, "session", "session"),
        (30 / 1440, "30 min", "30 min"),
        (0.5, "12 h", "12 h"),
        (1, "1 day", "1 jour"),
        (14, "14 days", "14 jours"),
        (90, "3 months", "3 mois"),
        (395, "13 months", "13 mois"),
        (400, "13 months", "13 mois"),
        (730, "2 years", "2 ans"),
        (1000, "2.7 years", "2,7 ans"),
    ],
)
def test_lifetimes_read_like_a_person_says_them(days: float | None, en: str, fr: str) -> None:
    assert format_days(days, EN) == en
    assert format_days(days, FR) == fr


def test_long_name_lists_are_cut() -> None:
    names = [f"c{i}" for i in range(9)]
    assert _name_list(names[:6], EN) == "c0, c1, c2, c3, c4, c5"
    assert _name_list(names, EN) == "c0, c1, c2, c3, c4, c5 and 3 more"
    assert _name_list(names, FR) == "c0, c1, c2, c3, c4, c5 et 3 autres"


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_category_colours_pass_wcag_aa_against_white() -> None:
    from reports.present import CATEGORY_COLOURS

    assert set(CATEGORY_COLOURS) == {c.value for c in __import__("scanner.model").model.Category}
    for category, colour in CATEGORY_COLOURS.items():
        assert contrast(colour, "#ffffff") >= 4.5, category


def test_report_text_colours_pass_wcag_aa() -> None:
    import re
    from importlib import resources

    css = resources.files("reports").joinpath("templates", "report.css").read_text()
    # every `background: X; color: Y` pair (badges, verdict words) and muted text on tints
    pairs = re.findall(r"background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6})", css)
    assert len(pairs) == 11
    for background, colour in pairs:
        assert contrast(colour, background) >= 4.5, (colour, background)
    for tint in ("#fdeceb", "#fff4e0", "#e9f5ec", "#f4f5f7"):
        assert contrast("#555555", tint) >= 4.5
