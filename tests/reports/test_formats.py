"""JSON and CSV outputs compared whole against golden files; format/lang errors."""

from __future__ import annotations

import csv
import io

import pytest

import reports
from reports import SCAN_COLUMNS, ReportError, ReportFormat
from scanner.model import Scan
from tests.reports.golden import check_golden
from tests.reports.sample_scans import HOSTILE, before_after, hostile_scan, shop_scan


def test_json_is_the_scan_document() -> None:
    scan = shop_scan()
    data = reports.render(scan, "json")
    assert Scan.model_validate_json(data) == scan
    check_golden("shop.json", data)


def test_csv_golden() -> None:
    check_golden("shop.csv", reports.render(shop_scan(), ReportFormat.CSV))


def test_csv_is_one_row_per_cookie_and_phase_with_bom_and_stable_header() -> None:
    scan = shop_scan()
    data = reports.render(scan, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == SCAN_COLUMNS
    assert SCAN_COLUMNS[:6] == ("site", "phase", "name", "domain", "path", "party")
    assert len(rows) - 1 == sum(len(p.cookies) for p in scan.phases) == 5 + 6 + 8
    by_phase = {(r[1], r[2]) for r in rows[1:]}
    assert ("none", "_ga") in by_phase and ("reject", "klaro") in by_phase
    assert ("none", "klaro") not in by_phase
    ga = next(r for r in rows[1:] if r[1] == "none" and r[2] == "_ga")
    row = dict(zip(SCAN_COLUMNS, ga, strict=True))
    assert row["category"] == "google_analytics"
    assert row["lifetime_days"] == "400.00"
    assert row["requested_lifetime_days"] == "730.00"
    assert row["exempt"] == "false"


def test_csv_neutralises_spreadsheet_formulas_and_keeps_markup_as_text() -> None:
    data = reports.render(hostile_scan(), "csv").decode("utf-8-sig")
    names = [r[2] for r in list(csv.reader(io.StringIO(data)))[1:]]
    assert '\'=HYPERLINK("https://evil.example")' in names
    assert HOSTILE in names


def test_diff_json_and_csv_golden() -> None:
    old, new = before_after()
    diff = reports.compare(old, new)
    check_golden("diff.json", reports.render_diff(diff, "json"))
    check_golden("diff.csv", reports.render_diff(diff, "csv"))


def test_unknown_format_language_and_missing_printer_are_clear_errors() -> None:
    scan = shop_scan()
    with pytest.raises(ReportError, match="unknown report format 'docx'"):
        reports.render(scan, "docx")
    with pytest.raises(ReportError, match="unknown report language 'de'"):
        reports.render(scan, "html", lang="de")
    with pytest.raises(ReportError, match="pdf_printer"):
        reports.render(scan, "pdf")


def test_pdf_printer_output_must_be_a_pdf() -> None:
    seen: list[str] = []

    def printer(html: str) -> bytes:
        seen.append(html)
        return b"%PDF-1.7 fake but well-formed enough for the check"

    assert reports.render(shop_scan(), "pdf", pdf_printer=printer).startswith(b"%PDF")
    assert seen and seen[0].startswith("<!DOCTYPE html>")
    with pytest.raises(ReportError, match="did not return a PDF"):
        reports.render(shop_scan(), "pdf", pdf_printer=lambda html: b"<html>")


def test_reports_never_imports_playwright_or_flask() -> None:
    import subprocess
    import sys

    code = (
        "import sys, reports\n"
        "from tests.reports.sample_scans import shop_scan\n"
        "for fmt in ('html', 'json', 'csv'):\n"
        "    reports.render(shop_scan(), fmt)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'playwright', 'flask'})\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
