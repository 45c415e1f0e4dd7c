"""The output formats and the one small interface every format implements.

A format is a `Renderer` registered under a `ReportFormat`; `render` and `render_diff` only
look the renderer up, so adding a format is one class and one registry line.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

from reports.diff import ScanDiff
from reports.errors import ReportError
from reports.i18n import Lang
from scanner.model import Scan

#: Prints an HTML document to PDF bytes (the CLI builds it from `scanner.browser.html_to_pdf`).
PdfPrinter = Callable[[str], bytes]


class ReportFormat(StrEnum):
    HTML = "html"
    JSON = "json"
    CSV = "csv"
    PDF = "pdf"


class Renderer(Protocol):
    """Turns a saved scan, or the difference between two, into the bytes of one file."""

    def scan(self, scan: Scan, lang: Lang, pdf_printer: PdfPrinter | None) -> bytes: ...

    def diff(self, diff: ScanDiff, lang: Lang, pdf_printer: PdfPrinter | None) -> bytes: ...


def parse_format(fmt: str | ReportFormat) -> ReportFormat:
    try:
        return ReportFormat(str(fmt).lower())
    except ValueError:
        choices = ", ".join(f.value for f in ReportFormat)
        raise ReportError(f"unknown report format {fmt!r} (choose one of: {choices})") from None
