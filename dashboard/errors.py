"""Errors of the dashboard. Domain code raises these (never HTTP codes); the web layer maps
them to responses in one place (:mod:`dashboard.web.errors`) and the CLI to exit codes."""

from __future__ import annotations


class DashboardError(Exception):
    """Base of every error the dashboard raises on purpose."""


class ConfigError(DashboardError):
    """A setting has a value the dashboard cannot start with (the message names the field)."""


class InvalidInput(DashboardError):
    """Bad input from a person: a malformed user name, a weak password, an unknown role."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(DashboardError):
    """The thing named does not exist (a user, a site, a run)."""


class Unavailable(DashboardError):
    """Something this request needs is missing or failing on the server right now (no
    Chromium to print a PDF): 503, and the other formats still work."""


class Conflict(DashboardError):
    """The change would contradict what is stored (a user name taken, the last admin removed)."""
