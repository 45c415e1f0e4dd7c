"""`render` and `render_diff`: look the format's renderer up and run it."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from reports.diff import ScanDiff
from reports.errors import ReportError
from reports.formats import PdfPrinter, Renderer, ReportFormat, parse_format
from reports.html import SCAN_SECTIONS, render_diff_html, render_scan_fragment, render_scan_html
from reports.html import render_diff_fragment as _render_diff_fragment
from reports.i18n import Lang, parse_lang
from reports.tabular import diff_csv, scan_csv
from scanner.model import Scan


class HtmlRenderer:
    def scan(self, scan: Scan, lang: Lang, pdf_printer: PdfPrinter | None) -> bytes:
        return render_scan_html(scan, lang).encode("utf-8")

    def diff(self, diff: ScanDiff, lang: Lang, pdf_printer: PdfPrinter | None) -> bytes:
        return render_diff_html(diff, lang).encode("utf-8")


class JsonRenderer:
    """The scan document itself (what `scan.json` holds), or the diff as a document."""

    def scan(self, scan: Scan, lang: Lang, pdf_printer: PdfPrinter | None) -> bytes:
        return (scan.to_json() + "\n").encode("utf-8")

    def diff(self, diff: ScanDiff, lang: Lang, pdf_printer: PdfPrinter | None) -> bytes:
        return (diff.model_dump_json(indent=2) + "\n").encode("utf-8")


class CsvRenderer:
    def scan(self, scan: Scan, lang: Lang, pdf_printer: PdfPrinter | None) -> bytes:
        return scan_csv(scan)

    def diff(self, diff: ScanDiff, lang: Lang, pdf_printer: PdfPrinter | None) -> bytes:
        return diff_csv(diff)


class PdfRenderer:
    """The HTML report printed by the scanner's own Chromium (passed in; no second PDF stack)."""

    def _print(self, html: str, pdf_printer: PdfPrinter | None) -> bytes:
        if pdf_printer is None:
            raise ReportError("PDF needs a pdf_printer (the report CLI passes Chromium's)")
        pdf = pdf_printer(html)
        if not pdf.startswith(b"%PDF"):
            raise ReportError("the PDF printer did not return a PDF document")
        return pdf

    def scan(self, scan: Scan, lang: Lang, pdf_printer: PdfPrinter | None) -> bytes:
        return self._print(render_scan_html(scan, lang), pdf_printer)

    def diff(self, diff: ScanDiff, lang: Lang, pdf_printer: PdfPrinter | None) -> bytes:
        return self._print(render_diff_html(diff, lang), pdf_printer)


RENDERERS: dict[ReportFormat, Renderer] = {
    ReportFormat.HTML: HtmlRenderer(),
    ReportFormat.JSON: JsonRenderer(),
    ReportFormat.CSV: CsvRenderer(),
    ReportFormat.PDF: PdfRenderer(),
}


def render(
    scan: Scan, fmt: str | ReportFormat, *, lang: str = "en", pdf_printer: PdfPrinter | None = None
) -> bytes:
    """The bytes of one report file of a saved scan (never re-runs the browser)."""
    return RENDERERS[parse_format(fmt)].scan(scan, parse_lang(lang), pdf_printer)


def render_diff(
    diff: ScanDiff,
    fmt: str | ReportFormat,
    *,
    lang: str = "en",
    pdf_printer: PdfPrinter | None = None,
) -> bytes:
    """The bytes of one "what changed" file (see `reports.compare`)."""
    return RENDERERS[parse_format(fmt)].diff(diff, parse_lang(lang), pdf_printer)


def render_fragment(
    scan: Scan, *, lang: str = "en", sections: Iterable[str] = SCAN_SECTIONS
) -> Markup:
    """Sections of the HTML report (``SCAN_SECTIONS``) to embed in a page of one's own; the page
    serves ``report.css`` and ``report.js`` itself (see ``reports.assets``)."""
    return render_scan_fragment(scan, parse_lang(lang), sections)


def render_diff_fragment(diff: ScanDiff, *, lang: str = "en") -> Markup:
    """The "what changed" sections, to embed in a page of one's own."""
    return _render_diff_fragment(diff, parse_lang(lang))
