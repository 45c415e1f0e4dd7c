"""Browser errors become skip reasons in one place: plain exceptions, no browser."""

from __future__ import annotations

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from scanner.errors import NavigationError
from scanner.model import SkipReason
from scanner.skips import skip_reason


@pytest.mark.parametrize(
    ("exc", "reason", "detail"),
    [
        (
            PlaywrightError("Page.goto: net::ERR_NAME_NOT_RESOLVED at https://x.invalid/\nlog"),
            SkipReason.DNS,
            "Page.goto: net::ERR_NAME_NOT_RESOLVED at https://x.invalid/",
        ),
        (PlaywrightError("net::ERR_CERT_AUTHORITY_INVALID"), SkipReason.TLS, None),
        (PlaywrightError("net::ERR_TOO_MANY_REDIRECTS"), SkipReason.REDIRECT_LOOP, None),
        (PlaywrightError("net::ERR_CONNECTION_REFUSED"), SkipReason.CONNECTION, None),
        (PlaywrightError("Download is starting"), SkipReason.DOWNLOAD, None),
        (PlaywrightError("Target page has been closed"), SkipReason.CRASH, None),
        (PlaywrightError("Page crashed"), SkipReason.CRASH, None),
        (PlaywrightError("net::ERR_FILE_TOO_BIG"), SkipReason.TOO_LARGE, None),
        (PlaywrightError("something new " + "x" * 400), SkipReason.OTHER, None),
        (PlaywrightTimeoutError("Timeout 8000ms exceeded"), SkipReason.TIMEOUT, None),
        (TimeoutError(), SkipReason.TIMEOUT, "page did not load in time"),
        (NavigationError("https://a.test/", "too_large", "body too large"), SkipReason.TOO_LARGE,
         "body too large"),
    ],
)  # fmt: skip
def test_skip_reason(exc: BaseException, reason: SkipReason, detail: str | None) -> None:
    got_reason, got_detail = skip_reason(exc)
    assert got_reason is reason
    assert len(got_detail) <= 300 and "\n" not in got_detail
    if detail is not None:
        assert got_detail == detail
