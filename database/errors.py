"""Errors of the database layer."""

from __future__ import annotations


class DatabaseError(Exception):
    """Base of every error raised by the database package."""


class DatabaseConfigError(DatabaseError):
    """A database setting cannot be used (the message names the setting and what it accepts)."""
