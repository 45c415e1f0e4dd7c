"""The CSS and JavaScript inlined into every HTML report (a report is one offline file)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from markupsafe import Markup


@cache
def asset(name: str) -> Markup:
    """Our own static file, trusted as-is (it never contains site data)."""
    text = resources.files("reports").joinpath("templates", name).read_text(encoding="utf-8")
    return Markup(text)  # noqa: S704 - packaged file, not site data
