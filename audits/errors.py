"""One exception base for audits; database and broker errors are translated where they occur.

`AuditInputError` is a `scanner.errors.UsageError`, so the CLI prints its one line and exits 2;
every other `AuditError` exits 1.
"""

from __future__ import annotations

from scanner.errors import CookieAuditError, UsageError


class AuditError(CookieAuditError):
    """Base of every error the audits package raises on purpose."""


class AuditInputError(UsageError, AuditError):
    """Bad input: a malformed URL, schedule, YAML file, alert target or option (exit 2)."""


class AuditNotFoundError(AuditInputError):
    """No audit (or run) by that name or number."""


class StoreUnavailableError(AuditError):
    """The database stayed unreachable or locked after the retries."""
