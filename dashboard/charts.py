"""Geometry of the dashboard's small SVG charts, computed here and drawn by the templates
(``_charts.html.j2``): sparklines and stacked bars. Pure functions on numbers, so every chart is
server-rendered, works without JavaScript and is tested without a browser."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Spark:
    width: int
    height: int
    points: str  # SVG polyline points
    last: tuple[float, float] | None
    values: tuple[int, ...]

    @property
    def summary(self) -> str:
        """The values as text, for screen readers and the tooltip."""
        return " → ".join(str(v) for v in self.values)


def sparkline(values: Sequence[int], width: int = 96, height: int = 24) -> Spark:
    values = tuple(values)
    if not values:
        return Spark(width, height, "", None, values)
    top = max(max(values), 1)
    pad = 2
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    coords = [
        (round(pad + i * step, 1), round(height - pad - (v / top) * (height - 2 * pad), 1))
        for i, v in enumerate(values)
    ]
    points = " ".join(f"{x},{y}" for x, y in coords)
    return Spark(width, height, points, coords[-1], values)


@dataclass(frozen=True)
class Segment:
    key: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Column:
    label: str
    x: float
    total: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Bars:
    width: int
    height: int
    plot_height: float
    columns: tuple[Column, ...]
    keys: tuple[str, ...]
    scale: int


def stacked_columns(
    series: Sequence[tuple[str, Mapping[str, int]]],
    keys: Sequence[str],
    width: int = 720,
    height: int = 180,
) -> Bars:
    """One column per entry of ``series`` (oldest first), stacked in the order of ``keys``."""
    plot = height - 22  # room for the labels under the columns
    top = 18  # room for the scale above them
    margin = 24  # the first and last labels stay inside the picture
    scale = max([sum(v.get(k, 0) for k in keys) for _, v in series] + [1])
    slot = (width - 2 * margin) / max(len(series), 1)
    bar = max(min(slot * 0.7, 40), 1)
    columns = []
    for i, (name, values) in enumerate(series):
        x = round(margin + i * slot + (slot - bar) / 2, 1)
        y = float(plot)
        segments = []
        for key in keys:
            n = values.get(key, 0)
            if not n:
                continue
            h = n / scale * (plot - top)
            y -= h
            segments.append(Segment(key, n, x, round(y, 1), round(bar, 1), round(h, 1)))
        columns.append(
            Column(name, x + bar / 2, sum(values.get(k, 0) for k in keys), tuple(segments))
        )
    return Bars(width, height, plot, tuple(columns), tuple(keys), scale)


def columns_svg(
    bars: Bars,
    colours: Mapping[str, str],
    names: Mapping[str, str],
    title: tuple[str, str],
    desc: tuple[str, str],
) -> Markup:
    """The stacked columns as one SVG (with a legend list). Built here rather than by a Jinja
    macro: a site with 365 runs draws ~2,000 rectangles, and the macro took a second.
    ``title``/``desc`` are (id, text); every text is escaped."""
    out = [
        f'<svg class="columns" role="img" viewBox="0 0 {bars.width} {bars.height}" width="100%"'
        f' preserveAspectRatio="xMinYMin meet" aria-labelledby="{escape(title[0])} '
        f'{escape(desc[0])}"><title id="{escape(title[0])}">{escape(title[1])}</title>'
        f'<desc id="{escape(desc[0])}">{escape(desc[1])}</desc>'
        f'<line x1="0" y1="{bars.plot_height}" x2="{bars.width}" y2="{bars.plot_height}"'
        ' stroke="#767676" stroke-width="1"/>'
    ]
    every = max(1, -(-len(bars.columns) // 12))
    for i, column in enumerate(bars.columns):
        label = escape(column.label)
        for seg in column.segments:
            out.append(
                f'<rect x="{seg.x}" y="{seg.y}" width="{seg.width}" height="{seg.height}"'
                f' fill="{escape(colours[seg.key])}"><title>{label} · '
                f"{escape(names[seg.key])}: {seg.value}</title></rect>"
            )
        if i % every == 0:
            short = column.label[5:] if len(column.label) == 10 else column.label
            out.append(
                f'<text x="{column.x}" y="{bars.height - 6}" text-anchor="middle" class="axis">'
                f"{escape(short)}</text>"
            )
    out.append(f'<text x="0" y="12" class="axis">max {bars.scale}</text></svg>')
    out.append('<ul class="legend">')
    for key in bars.keys:
        out.append(
            f'<li><span class="swatch swatch-{escape(key)}"></span>{escape(names[key])}</li>'
        )
    out.append("</ul>")
    return Markup("".join(out))  # noqa: S704 - every value above is escaped
