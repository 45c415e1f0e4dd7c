"""Findings precision and recall on the fixture web: every site scanned for real, its findings
compared with what a DPO expects (tests/fixtureweb/expected_findings.yaml).

`python -m benchmarks findings [--recrawl] [--show tune|held_out|all] [--site HOST]`

Each site is crawled once in real Chromium against the local web (3 consent phases) and the
crawl is cached in `.cache/findings-crawls/` (the crawl does not depend on the judgement being
measured); the analysis (classification, policy extraction, rules) runs fresh every time.
`--recrawl` crawls again. A finding is identified by (rule id, subject): the cookie name, or the
company / category it is about. Precision counts every reported finding that is not expected
(tolerated ones aside) as a false alarm; recall counts every expected finding not reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXPECTATIONS = ROOT / "tests" / "fixtureweb" / "expected_findings.yaml"
CACHE = ROOT / ".cache" / "findings-crawls"


@dataclass(frozen=True)
class SiteExpectation:
    host: str
    url: str
    split: str
    honest: bool
    expected: frozenset[tuple[str, str]]
    tolerated: frozenset[tuple[str, str]]
    must_not_report: frozenset[str]
    max_pages: int


@dataclass
class SiteResult:
    site: SiteExpectation
    reported: list[tuple[str, str]]
    correct: list[tuple[str, str]] = field(default_factory=list)
    false_alarms: list[tuple[str, str]] = field(default_factory=list)
    missed: list[tuple[str, str]] = field(default_factory=list)


def _pair(entry: str | list[object]) -> tuple[str, str]:
    """One expected finding as the YAML file writes it: a rule alone, or [rule, subject]."""
    if isinstance(entry, str):
        return (entry, "")
    rule, subject = entry
    return (str(rule), str(subject))


def load_expectations(path: Path = EXPECTATIONS) -> list[SiteExpectation]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for host, entry in raw.items():
        out.append(
            SiteExpectation(
                host=host,
                url=entry.get("url", f"https://{host}/"),
                split=entry["split"],
                honest=bool(entry.get("honest", False)),
                expected=frozenset(_pair(e) for e in entry.get("expected") or []),
                tolerated=frozenset(_pair(e) for e in entry.get("tolerated") or []),
                must_not_report=frozenset(entry.get("must_not_report") or []),
                max_pages=int(entry.get("max_pages", 4)),
            )
        )
    return out


_SITE_LEVEL = {"banner-no-reject-first-layer", "policy-page-missing", "policy-no-cookie-section"}
_GA = {"ga-not-declared", "ga-contradicts-policy"}
_BY_TITLE = {
    "category-not-declared",
    "tracker-request-before-consent",
    "tracker-request-after-reject",
    "transfer-outside-eu-undeclared",
}


def finding_key(finding: object) -> tuple[str, str]:
    """(rule id, subject): the cookie name, the company or category; "" for the whole site.

    Reads `Finding.subject` when the scan has it, and otherwise derives the same subject from
    the evidence and title (so scans and code from before subjects compare the same way)."""
    from scanner.model import Finding

    assert isinstance(finding, Finding)
    rule = finding.rule_id
    if rule in _SITE_LEVEL:
        return (rule, "")
    if rule in _GA:
        return (rule, "Google Analytics")
    subject = getattr(finding, "subject", None)
    if subject:
        return (rule, str(subject).split("@", 1)[0])
    if rule in _BY_TITLE:
        title = finding.title
        return (rule, title.rsplit(": ", 1)[1] if ": " in title else "")
    if rule == "declared-cookie-not-seen" and finding.evidence:
        return (rule, (finding.evidence[0].detail or "").split("@", 1)[0])
    cookie = next((e.cookie for e in finding.evidence if e.cookie), "") or ""
    return (rule, cookie.split("@", 1)[0])


def _settings(site: SiteExpectation, resolve: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from scanner.config import ScanSettings

    return ScanSettings(
        urls=(site.url,),
        max_pages=site.max_pages,
        max_depth=2,
        resolve=resolve,
        ignore_https_errors=True,
        sitemap=False,
    )


def _cache_file(site: SiteExpectation) -> Path:
    return CACHE / f"{site.host}.json"


def crawl_all(sites: list[SiteExpectation], recrawl: bool) -> None:
    """Crawl the sites that have no cached crawl (all of them with `recrawl`)."""
    todo = [s for s in sites if recrawl or not _cache_file(s).is_file()]
    if not todo:
        return
    from playwright.async_api import async_playwright

    from scanner.crawl import Crawler
    from scanner.demo.server import LocalWeb
    from tests.fixtureweb import all_sites

    CACHE.mkdir(parents=True, exist_ok=True)

    async def run(web: LocalWeb) -> None:
        async with async_playwright() as pw:
            for site in todo:
                print(f"  crawling {site.host} ...", file=sys.stderr, flush=True)
                result = await Crawler(pw, _settings(site, web.resolve)).crawl(site.url)
                payload = {
                    "scan": result.scan.model_dump(mode="json"),
                    "policy_html": result.policy_html,
                }
                _cache_file(site).write_text(json.dumps(payload), encoding="utf-8")

    with LocalWeb(all_sites()) as web:
        asyncio.run(run(web))


def analyse_site(site: SiteExpectation) -> SiteResult:
    from scanner.crawl import CrawlResult
    from scanner.model import Scan
    from scanner.pipeline import analyse

    payload = json.loads(_cache_file(site).read_text(encoding="utf-8"))
    result = CrawlResult(
        scan=Scan.model_validate(payload["scan"]), policy_html=payload["policy_html"]
    )
    scan = analyse(result, _settings(site, ("*:443:127.0.0.1",)))
    reported = [finding_key(f) for f in scan.findings]
    out = SiteResult(site, reported)
    for key in dict.fromkeys(reported):
        if key in site.expected:
            out.correct.append(key)
        elif key not in site.tolerated and (key[0], "*") not in site.tolerated:
            out.false_alarms.append(key)
    out.missed = sorted(k for k in site.expected if k not in set(reported))
    return out


def _ratio(num: int, den: int) -> str:
    return f"{num / den * 100:.1f} % ({num}/{den})" if den else "-"


def report(results: list[SiteResult], show: str) -> None:
    print("| split | sites | honest sites with a false alarm | precision | recall |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for split in ("tune", "held_out"):
        rs = [r for r in results if r.site.split == split]
        if not rs:
            continue
        correct = sum(len(r.correct) for r in rs)
        alarms = sum(len(r.false_alarms) for r in rs)
        expected = sum(len(r.site.expected) for r in rs)
        honest = [r for r in rs if r.site.honest]
        noisy = sum(1 for r in honest if r.false_alarms)
        print(
            f"| {split} | {len(rs)} | {noisy}/{len(honest)} | {_ratio(correct, correct + alarms)}"
            f" | {_ratio(correct, expected)} |"
        )
    print()
    for r in results:
        if show not in ("all", r.site.split):
            continue
        forbidden = [k for k in r.false_alarms if k[0] in r.site.must_not_report]
        status = "ok" if not (r.false_alarms or r.missed) else "differs"
        print(f"{r.site.host} [{r.site.split}{', honest' if r.site.honest else ''}]: {status}")
        for k in r.false_alarms:
            mark = " (must not report)" if k in forbidden else ""
            print(f"    false alarm: {k[0]} {k[1]}{mark}")
        for k in r.missed:
            print(f"    missed:      {k[0]} {k[1]}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks findings")
    parser.add_argument("--recrawl", action="store_true", help="crawl again (browser)")
    parser.add_argument("--show", choices=("tune", "held_out", "all", "none"), default="tune")
    parser.add_argument("--site", action="append", default=[], help="only these hosts")
    args = parser.parse_args(argv)
    sites = load_expectations()
    if args.site:
        sites = [s for s in sites if s.host in args.site]
    crawl_all(sites, args.recrawl)
    results = [analyse_site(s) for s in sites]
    report(results, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
