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
