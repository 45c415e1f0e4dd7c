"""Words and charts on plain data: every English word has its French one; charts escape."""

from __future__ import annotations

from dashboard.charts import columns_svg, sparkline, stacked_columns
from dashboard.web.i18n import EN, FR


def test_every_word_is_translated() -> None:
    missing = sorted(set(EN) - set(FR) - {"app.name"})
    assert not missing, missing
    for key, text in FR.items():
        assert text.count("{") == EN[key].count("{"), key


def test_sparkline_scales_into_its_box() -> None:
    spark = sparkline([0, 5, 10], width=100, height=20)
    xs = [float(p.split(",")[0]) for p in spark.points.split()]
    ys = [float(p.split(",")[1]) for p in spark.points.split()]
    assert xs == sorted(xs) and min(xs) >= 0 and max(xs) <= 100
    assert ys[0] > ys[1] > ys[2] and min(ys) >= 0 and max(ys) <= 20
    assert spark.summary == "0 → 5 → 10"
    assert sparkline([]).points == ""


def test_stacked_columns_and_their_svg_escape_labels() -> None:
    bars = stacked_columns([("<b>#1</b>", {"a": 2, "b": 1}), ("#2", {"a": 3})], ("a", "b"))
    assert [c.total for c in bars.columns] == [3, 3] and bars.scale == 3
    svg = str(
        columns_svg(
            bars, {"a": "#000", "b": "#111"}, {"a": "<i>A</i>", "b": "B"}, ("t", "T"), ("d", "D")
        )
    )
    assert "<b>" not in svg and "&lt;b&gt;#1&lt;/b&gt;" in svg and "&lt;i&gt;A&lt;/i&gt;" in svg
    assert svg.count("<rect") == 3
