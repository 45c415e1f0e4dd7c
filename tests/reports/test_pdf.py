"""PDF printed by the scanner's own Chromium (the real `html_to_pdf`, through the CLI's printer)."""

from __future__ import annotations

import re

import pytest

import reports
from scanner.cli_report import chromium_pdf_printer
from tests.reports.sample_scans import before_after, shop_scan

pytestmark = pytest.mark.browser


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_scan_and_diff_print_to_pdf() -> None:
    pdf = reports.render(shop_scan(), "pdf", lang="fr", pdf_printer=chromium_pdf_printer)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert 2 <= page_count(pdf) <= 12, page_count(pdf)
    old, new = before_after()
    diff_pdf = reports.render_diff(
        reports.compare(old, new), "pdf", pdf_printer=chromium_pdf_printer
    )
    assert diff_pdf.startswith(b"%PDF-") and page_count(diff_pdf) >= 1
