"""Every hostile page ends as a recorded skip or a partial result, in bounded time."""

from __future__ import annotations

import time

import pytest

from scanner.demo.server import LocalWeb
from scanner.model import Phase, SkipReason
from tests.scanner.conftest import crawl, settings_for

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HOSTILE = "https://www.hostile.test/"


def test_hostile_pages_are_recorded_not_fatal(local_web: LocalWeb) -> None:
    t0 = time.monotonic()
    result = crawl(
        settings_for(
            local_web, HOSTILE, phases=(Phase.NONE,), page_timeout=10.0, max_depth=1,
            max_body_bytes=10_000_000, sitemap=False, concurrency=2,
        )
    )  # fmt: skip
    elapsed = time.monotonic() - t0
    phase = result.scan.phases[0]
    visited = {p.url.removeprefix(HOSTILE): p.status for p in phase.pages}
    skipped = {(s.url.removeprefix(HOSTILE), s.reason) for s in phase.skipped}
    assert skipped == {
        ("endless", SkipReason.TIMEOUT),  # load never fires: partial result
        ("huge", SkipReason.TOO_LARGE),
        ("download", SkipReason.DOWNLOAD),
        ("loop", SkipReason.REDIRECT_LOOP),
        ("error500", SkipReason.HTTP_ERROR),
        ("missing", SkipReason.HTTP_ERROR),
        ("data.json", SkipReason.NOT_HTML),
    }
    assert visited == {
        "": 200, "cookies2000": 200, "payload": 200, "error500": 500, "endless": 200,
        "alerts": 200, "badutf8": 200, "missing": 404, "popups": 200, "data.json": 200,
    }  # fmt: skip
    # 2,000 cookies: Chrome keeps 180 per domain; the scan records what it stores.
    assert 150 <= len(phase.cookies) <= 180
    assert any("dialog" in n for n in result.scan.notes)
    assert any("popup" in n for n in result.scan.notes)
    # Bounded: the endless page is cut at its timeout (a hang would never end).
    assert elapsed < 240


def test_payload_cookie_name_is_kept_verbatim(local_web: LocalWeb) -> None:
    result = crawl(settings_for(local_web, HOSTILE + "payload", phases=(Phase.NONE,), max_depth=0))
    names = {c.name for c in result.scan.phases[0].cookies}
    assert "<script>alert(1)</script>" in names
    assert "<script>alert(1)</script>" in result.scan.to_json()  # JSON-escaped by the renderer
