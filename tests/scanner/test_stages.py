"""The stage clock the crawl benchmark reads: plain data, no browser."""

from __future__ import annotations

from scanner.stages import StageClock


def test_stage_clock_counts_only_while_measuring() -> None:
    clock = StageClock()
    with clock.stage("load"):
        pass
    assert clock.seconds == {}
    with clock.measuring():
        for _ in range(2):
            with clock.stage("load"):
                pass
        with clock.stage("quiet"):
            pass
    with clock.stage("quiet"):
        pass
    assert clock.counts == {"load": 2, "quiet": 1}
    assert all(v >= 0 for v in clock.seconds.values())
    assert clock.totals().count("(") == 2 and "load" in clock.per_page(2)
    clock.reset()
    assert clock.seconds == {} and clock.totals() == ""
