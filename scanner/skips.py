"""Why a page could not be visited: the one place where browser errors become a SkipReason."""

from __future__ import annotations

from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from scanner.errors import NavigationError
from scanner.model import SkipReason

#: Substrings of Chromium's net errors and Playwright's messages, checked in this order.
_CHECKS: tuple[tuple[str, SkipReason], ...] = (
    ("ERR_NAME_NOT_RESOLVED", SkipReason.DNS),
    ("ERR_NAME_RESOLUTION_FAILED", SkipReason.DNS),
    ("ERR_CERT", SkipReason.TLS),
    ("ERR_SSL", SkipReason.TLS),
    ("ERR_BAD_SSL", SkipReason.TLS),
    ("ERR_TOO_MANY_REDIRECTS", SkipReason.REDIRECT_LOOP),
    ("ERR_CONNECTION", SkipReason.CONNECTION),
    ("ERR_ADDRESS_UNREACHABLE", SkipReason.CONNECTION),
    ("ERR_EMPTY_RESPONSE", SkipReason.CONNECTION),
    ("ERR_TIMED_OUT", SkipReason.TIMEOUT),
    ("Download is starting", SkipReason.DOWNLOAD),
    ("crashed", SkipReason.CRASH),
    ("Target closed", SkipReason.CRASH),
    ("has been closed", SkipReason.CRASH),
    ("ERR_FILE_TOO_BIG", SkipReason.TOO_LARGE),
)


def skip_reason(exc: BaseException) -> tuple[SkipReason, str]:
    """(reason, one-line detail of at most 300 characters) for an error of a page visit."""
    if isinstance(exc, NavigationError):
        return SkipReason(exc.reason), exc.detail
    if isinstance(exc, PlaywrightTimeoutError | TimeoutError):
        return SkipReason.TIMEOUT, "page did not load in time"
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    for needle, reason in _CHECKS:
        if needle in message:
            return reason, message[:300]
    return SkipReason.OTHER, message[:300]
