"""Errors of the alerts package; none of their messages ever carries a secret.

A webhook URL is a secret in itself (Slack's and Teams' URLs hold the token), so messages name
a target by its redacted form (`targets.redact_url`), never by the URL.
"""

from __future__ import annotations

from scanner.errors import CookieAuditError, UsageError


class AlertError(CookieAuditError):
    """Base of every error the alerts package raises on purpose."""


class AlertTargetError(UsageError):
    """A malformed alert target (`--alert`, `alerts:` in audits.yaml): exit code 2."""


class AlertSettingsError(UsageError):
    """A bad `COOKIE_AUDIT_*` alert setting, named with what it accepts: exit code 2."""


class DeliveryError(AlertError):
    """One delivery attempt failed. `retryable` says whether trying again may help (5xx,
    timeouts, 429, a refused connection) or not (4xx, a refused address, a missing secret)."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
