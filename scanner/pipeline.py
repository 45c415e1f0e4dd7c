"""crawl -> (consent records read back) -> classify -> policy -> summary -> scan.json ->
report.html, for one site.

Each stage is a plain call on the immutable Scan, so any stage can be re-run from a saved scan
(re-classify with a newer knowledge base, re-check against a new policy, re-render).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Playwright

import reports
from scanner.classify import classify_scan
from scanner.config import ScanSettings
from scanner.consent_readback import read_back
from scanner.crawl import Crawler, CrawlResult, ProgressFn
from scanner.model import Scan
from scanner.policy import DeclarationError, check, extract_policy, load_declaration, merge_policies
from scanner.summary import summarize


@dataclass(frozen=True)
class ScanOutput:
    scan: Scan
    scan_json: Path
    report_html: Path | None


def read_back_records(result: CrawlResult, settings: ScanSettings) -> CrawlResult:
    """The consent records of the banner's clicks read back from ``settings.consent_api``
    with its admin key; the result as it is without a key."""
    if not (settings.consent_api and settings.consent_api_key):
        return result
    scan = read_back(
        result.scan,
        settings.consent_api,
        settings.consent_api_key,
        resolve=settings.resolve,
        ignore_https_errors=settings.ignore_https_errors,
    )
    return CrawlResult(scan=scan, policy_html=result.policy_html)


def analyse(result: CrawlResult, settings: ScanSettings) -> Scan:
    """Classify, read and check the policy, summarise: everything after the browser."""
    scan = classify_scan(result.scan)
    policies = [extract_policy(html, url) for url, html in sorted(result.policy_html.items())]
    notes = list(scan.notes)
    if settings.policy_file is not None:
        try:
            policies.append(load_declaration(settings.policy_file))
        except DeclarationError as exc:  # malformed YAML: said plainly, the scan still lands
            notes.append(f"policy declaration ignored: {exc}")
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
    report = out_dir / "report.html"
    tmp = report.with_suffix(".html.tmp")
    tmp.write_bytes(reports.render(scan, "html", lang=lang))
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
    result = await asyncio.to_thread(read_back_records, result, settings)
    scan = await asyncio.to_thread(analyse, result, settings)
    return await asyncio.to_thread(save, scan, out_dir, settings.lang)
