"""One exception base for the scanner; third-party errors are translated at their boundary."""

from __future__ import annotations


class CookieAuditError(Exception):
    """Base of every error the scanner raises on purpose (the CLI prints it on one line)."""


class UsageError(CookieAuditError):
    """Bad input from the user: a malformed URL, option or file (exit code 2)."""


class BrowserNotFoundError(CookieAuditError):
    """No Chromium to launch."""


class NavigationError(CookieAuditError):
    """A page could not be visited; carries the URL and a short reason."""

    def __init__(self, url: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{url}: {reason}{': ' + detail if detail else ''}")
        self.url = url
        self.reason = reason
        self.detail = detail


class ScanFailedError(CookieAuditError):
    """The scan itself failed (unreachable start URL, browser crash at launch): exit code 1."""
