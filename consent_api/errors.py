"""Errors of the consent API.

Every failure a client can cause is an :class:`ApiError` carrying the HTTP status and a stable
snake_case code; the app's error handlers turn it (and Werkzeug's own HTTP errors) into the one
JSON shape ``{"error": {"code", "message", "status"}}``.
"""

from __future__ import annotations

from typing import Any


class ConsentApiError(Exception):
    """Base of every error raised by the consent_api package."""


class ConfigError(ConsentApiError):
    """A setting has a value the app cannot start with (the message names the field)."""


class ApiError(ConsentApiError):
    """A request the API refuses: answered with ``status`` and the JSON error shape."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.code, self.message, **self.extra)


def error_body(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The one error shape of the API."""
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    error.update(extra)
    return {"error": error}
