"""`cookie-audit report`: render a saved scan (or the difference between two) to a file.

Never re-runs the browser, except to print PDF: this is where `scanner.browser.html_to_pdf`
becomes the `pdf_printer` callable, because `reports/` must not import Playwright.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from pydantic import ValidationError

from scanner.errors import UsageError
from scanner.model import Scan

FORMATS = ("html", "json", "csv", "pdf")
LANGS = ("en", "fr")


def load_scan(path: Path) -> Scan:
    """Read a scan.json, or say in one line why it is not one (exit code 2)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the scan file ({exc})") from None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise UsageError(f"{path}: not JSON (nested too deeply)") from None
    try:
        return Scan.model_validate_json(text)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        where = ".".join(str(part) for part in first["loc"]) or "(document)"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise UsageError(f"{path}: not a valid scan: {where}: {first['msg']}{more}") from None


def chromium_pdf_printer(html: str) -> bytes:
    """Print HTML with the scanner's own Chromium (the `pdf_printer` given to reports)."""
    from playwright.async_api import async_playwright

    from scanner.browser import BrowserOptions, html_to_pdf

    options = BrowserOptions(executable=os.environ.get("COOKIE_AUDIT_CHROMIUM") or None)

    async def run() -> bytes:
        async with async_playwright() as playwright:
            return await html_to_pdf(playwright, html, options)

    return asyncio.run(run())


def pdf_printer_for(fmt: str, out: str) -> Callable[[str], bytes] | None:
    """The PDF printer a report in `fmt` needs (None but for PDF); PDF never to a terminal."""
    if fmt != "pdf":
        return None
    if out == "-" and sys.stdout.isatty():
        raise UsageError("PDF output needs --out FILE")
    return chromium_pdf_printer


def write_output(data: bytes, out: str) -> None:
    """Write to standard output (`-`) or to the file `out` (via a temporary file), then say so."""
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(out)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write ({exc.strerror or exc})") from None
    click.echo(f"wrote {out}", err=True)


@click.command("report")
@click.argument("scan_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--compare",
    "compare_files",
    nargs=2,
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="OLD.json NEW.json",
    help="Report what changed between two scans instead of one scan.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS, case_sensitive=False),
    default="html",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--out",
    "out",
    default="-",
    show_default=True,
    help="File to write ('-' for standard output).",
)
@click.option(
    "--lang",
    type=click.Choice(LANGS, case_sensitive=False),
    default="en",
    show_default=True,
    help="Language of the HTML/PDF report.",
)
def report(
    scan_file: Path | None,
    compare_files: tuple[Path, Path] | None,
    fmt: str,
    out: str,
    lang: str,
) -> None:
    """Render SCAN_FILE (a scan.json) as HTML, JSON, CSV or PDF, or compare two scans."""
    import reports

    if compare_files and scan_file is not None:
        raise UsageError("give either SCAN_FILE or --compare OLD.json NEW.json, not both")
    if not compare_files and scan_file is None:
        raise UsageError("missing SCAN_FILE (or --compare OLD.json NEW.json)")
    printer = pdf_printer_for(fmt, out)
    try:
        if compare_files:
            old, new = (load_scan(p) for p in compare_files)
            diff = reports.compare(old, new)
            data = reports.render_diff(diff, fmt, lang=lang, pdf_printer=printer)
        else:
            assert scan_file is not None
            data = reports.render(load_scan(scan_file), fmt, lang=lang, pdf_printer=printer)
    except reports.ReportError as exc:
        raise UsageError(str(exc)) from None
    write_output(data, out)
