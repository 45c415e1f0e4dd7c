"""Geometry of the dashboard's small SVG charts, computed here and drawn by the templates
(``_charts.html.j2``): sparklines and stacked bars. Pure functions on numbers, so every chart is
server-rendered, works without JavaScript and is tested without a browser."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


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
