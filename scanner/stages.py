"""Where a crawl's time goes: seconds summed per stage (launch, load, quiet wait, snapshot...).

Off unless `measuring()`: the benchmark and profiling turn it on around what they measure.
Stages of concurrent pages overlap, so the sums may exceed the wall time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class StageClock:
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    enabled: bool = False

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - t0)

    def add(self, name: str, seconds: float) -> None:
        if self.enabled:
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds
            self.counts[name] = self.counts.get(name, 0) + 1

    @contextmanager
    def measuring(self) -> Iterator[None]:
        self.enabled = True
        try:
            yield
        finally:
            self.enabled = False

    def reset(self) -> None:
        self.seconds.clear()
        self.counts.clear()

    def totals(self) -> str:
        """`load 3.20 (60), quiet 1.10 (60)`: seconds (times entered), largest first."""
        items = sorted(self.seconds.items(), key=lambda kv: -kv[1])
        return ", ".join(f"{k} {v:.2f} ({self.counts[k]})" for k, v in items)

    def per_page(self, pages: int) -> str:
        """`load 160 ms, quiet 105 ms`: milliseconds per page, largest first."""
        items = sorted(self.seconds.items(), key=lambda kv: -kv[1])
        return ", ".join(f"{k} {v / max(pages, 1) * 1000:.0f} ms" for k, v in items)
