"""Errors of the consent API.

The ledger, the sites and the validation raise *domain* errors: what went wrong (a stable
snake_case ``code``, a message, maybe the ``field``), never an HTTP status. The app maps each
class to its status in one place (:data:`consent_api.app.HTTP_STATUS`) and answers with the one
JSON shape ``{"error": {"code", "message", "status"}}``; the CLI maps them to exit codes.
"""

from __future__ import annotations

from typing import Any


class ConsentApiError(Exception):
    """Base of every error raised by the consent_api package."""


class ConfigError(ConsentApiError):
    """A setting has a value the app cannot start with (the message names the field)."""


class RequestRefused(ConsentApiError):
    """Something a client asked for that the API refuses; ``extra`` adds fields to the answer
    (``field`` for field errors, ``problems`` for a broken chain)."""

    default_code = "refused"

    def __init__(self, message: str, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.code = code or self.default_code
        self.message = message
        self.extra = extra


class MalformedRequest(RequestRefused):
    """The request cannot be read at all (not JSON, not an object)."""

    default_code = "invalid_json"


class UnsupportedMediaType(RequestRefused):
    default_code = "unsupported_media_type"


class InvalidInput(RequestRefused):
    """Readable but wrong: a field out of range, a choice that contradicts its action."""

    default_code = "invalid_field"


class NotFound(RequestRefused):
    default_code = "not_found"


class Conflict(RequestRefused):
    """Valid on its own but not with what is stored (out of order, unknown version...)."""

    default_code = "conflict"


class ChainBroken(Conflict):
    """The chain does not verify: nothing is purged or signed over it."""

    default_code = "chain_broken"


class Unauthenticated(RequestRefused):
    default_code = "missing_admin_key"


class Forbidden(RequestRefused):
    default_code = "forbidden"


class TooLarge(RequestRefused):
    default_code = "payload_too_large"


def error_body(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The one error shape of the API."""
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    error.update(extra)
    return {"error": error}
