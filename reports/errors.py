"""One exception base for the report package (the CLI turns it into a one-line error)."""

from __future__ import annotations


class ReportError(Exception):
    """A report could not be rendered: unknown format or language, or no PDF printer given."""
