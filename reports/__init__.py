"""Renderers of saved scans: HTML, JSON, CSV and PDF, and what changed between two scans.

Never imports Playwright or Flask: PDF printing comes in as a callable (`pdf_printer`).
"""

from __future__ import annotations

from reports.assets import asset
from reports.diff import CookieChange, CookieRef, FieldChange, ScanDiff, compare
from reports.errors import ReportError
from reports.facts import finding_subject
from reports.formats import PdfPrinter, Renderer, ReportFormat
from reports.html import SCAN_SECTIONS
from reports.i18n import Lang
from reports.render import render, render_diff, render_diff_fragment, render_fragment
from reports.tabular import DIFF_COLUMNS, SCAN_COLUMNS, write_csv

__all__ = [
    "DIFF_COLUMNS",
    "SCAN_COLUMNS",
    "SCAN_SECTIONS",
    "CookieChange",
    "CookieRef",
    "FieldChange",
    "Lang",
    "PdfPrinter",
    "Renderer",
    "ReportError",
    "ReportFormat",
    "ScanDiff",
    "asset",
    "compare",
    "finding_subject",
    "render",
    "render_diff",
    "render_diff_fragment",
    "render_fragment",
    "write_csv",
]
