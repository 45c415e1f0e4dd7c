"""Which URL answered which response of a request (redirect chains): plain data, no browser."""

from __future__ import annotations

from scanner.hops import HopLog

A, B, C = "https://px.a.test/px", "https://sync.b.test/s", "https://c.test/final"


def test_in_order_chain() -> None:
    log: HopLog[str] = HopLog()
    assert log.sent("1", A) == []
    assert log.answered("1", "302 from a") == [(A, "302 from a")]
    assert log.sent("1", B) == []
    assert log.answered("1", "200 from b") == [(B, "200 from b")]


def test_response_overtaking_its_hop_waits_for_it() -> None:
    log: HopLog[str] = HopLog()
    assert log.answered("1", "302 from a") == []  # before the request's own event
    assert log.sent("1", A) == [(A, "302 from a")]
    log.sent("1", B)  # the next hop is announced before the first answer: still hop by hop
    log.sent("2", C)
    assert log.answered("1", "200 from b") == [(B, "200 from b")]
    assert log.answered("2", "200 from c") == [(C, "200 from c")]


def test_next_hop_announced_before_the_redirect_answer() -> None:
    log: HopLog[str] = HopLog()
    log.sent("1", A)
    log.sent("1", B)
    assert log.answered("1", "302 from a") == [(A, "302 from a")]
    assert log.answered("1", "200 from b") == [(B, "200 from b")]
    assert log.answered("1", "stray") == []  # no third hop: kept, never misattributed


def test_a_hop_from_the_cache_has_no_answer_of_its_own() -> None:
    log: HopLog[str] = HopLog()
    log.sent("1", A)
    log.sent("1", B, cached_redirect=True)  # A's redirect came from the disk cache
    assert log.answered("1", "200 from b") == [(B, "200 from b")]
