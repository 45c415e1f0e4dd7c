"""crawl -> classify -> policy -> summary -> scan.json -> report.html, for one site.

Each stage is a plain call on the immutable Scan. A stage whose package is missing (another
team's work not installed) is recorded in `scan.notes` and skipped rather than faked, so the
scan still lands on disk; the crawl itself is never skipped.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Playwright

from scanner.config import ScanSettings
from scanner.crawl import Crawler, CrawlResult, ProgressFn
from scanner.model import Finding, Scan
from scanner.summary import summarize


@dataclass(frozen=True)
class ScanOutput:
    scan: Scan
    scan_json: Path
    report_html: Path | None


def analyse(result: CrawlResult, settings: ScanSettings) -> Scan:
    """Classify, read and check the policy, summarise: everything after the browser."""
    scan = result.scan
    notes = list(scan.notes)
    classify_scan: Callable[[Scan], Scan] | None = getattr(
        importlib.import_module("scanner.classify"), "classify_scan", None
    )
    if classify_scan is None:
        notes.append("classification unavailable (scanner.classify.classify_scan missing)")
    else:
        scan = classify_scan(scan)
    declared: dict[str, object] | None = None
    findings: list[Finding] = []
    try:
        from scanner.policy import check, extract_policy, load_declaration, merge_policies
    except ImportError as exc:
        notes.append(f"policy check unavailable ({exc})")
    else:
        policies = [extract_policy(html, url) for url, html in sorted(result.policy_html.items())]
        if settings.policy_file is not None:
            policies.append(load_declaration(settings.policy_file))
        policy = merge_policies(policies)
        findings = check(scan, policy, policy_pages_found=bool(result.policy_html))
        declared = policy.model_dump(mode="json") if policy is not None else None
    scan = scan.model_copy(
        update={"declared_policy": declared, "findings": findings, "notes": notes}
    )
    return scan.model_copy(update={"summary": summarize(scan)})


def save(scan: Scan, out_dir: Path, lang: str) -> ScanOutput:
    """scan.json atomically, then report.html (a report failure never loses the scan)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    scan_json = out_dir / "scan.json"
    scan.save(scan_json)
    report: Path | None = out_dir / "report.html"
    try:
        import reports

        data = reports.render(scan, "html", lang=lang)
    except ImportError:
        report = None
    else:
        assert report is not None
        tmp = report.with_suffix(".html.tmp")
        tmp.write_bytes(data)
        tmp.replace(report)
    return ScanOutput(scan=scan, scan_json=scan_json, report_html=report)


async def scan_site(
    playwright: Playwright,
    settings: ScanSettings,
    url: str,
    out_dir: Path,
    *,
    progress: ProgressFn | None = None,
) -> ScanOutput:
    """One site, end to end. Ctrl-C during the crawl still saves the partial scan."""
    result = await Crawler(playwright, settings, progress=progress).crawl(url)
    scan = await asyncio.to_thread(analyse, result, settings)
    return await asyncio.to_thread(save, scan, out_dir, settings.lang)
