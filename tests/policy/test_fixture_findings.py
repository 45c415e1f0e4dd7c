"""Findings on the honest and problem sites of the fixture web, scanned for real (Chromium, three
consent phases): what a DPO expects (tests/fixtureweb/expected_findings.yaml), no false alarm on
the honest ones, every problem reported on the others. `python -m benchmarks findings` runs
the same comparison on every fixture site."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from benchmarks.findings import SiteExpectation, finding_key, load_expectations
from scanner.demo.server import LocalWeb
from scanner.model import Scan

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

#: a bounded subset (about 20 s a site); the benchmark scans all of them
SITES = (
    "www.boutique-honnete.test",
    "www.ehrlicher-laden.test",
    "www.negozio-onesto.test",
    "www.boutique-pas-nette.test",
    "www.sloppy-shop.test",
)


@pytest.fixture(scope="module")
def scans(local_web: LocalWeb, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Scan]:
    """Each site crawled once, one after the other, then analysed (classify, policy, rules)."""
    from playwright.async_api import async_playwright

    from scanner.config import ScanSettings
    from scanner.crawl import Crawler
    from scanner.pipeline import analyse

    expectations = {s.host: s for s in load_expectations()}
    out: dict[str, Scan] = {}

    async def run() -> None:
        async with async_playwright() as pw:
            for host in SITES:
                site = expectations[host]
                settings = ScanSettings(
                    urls=(site.url,),
                    max_pages=site.max_pages,
                    max_depth=2,
                    resolve=local_web.resolve,
                    ignore_https_errors=True,
                    sitemap=False,
                    out_dir=Path(tmp_path_factory.mktemp("scan")),
                )
                result = await Crawler(pw, settings).crawl(site.url)
                out[host] = analyse(result, settings)

    asyncio.run(run())
    return out


def _expectation(host: str) -> SiteExpectation:
    return next(s for s in load_expectations() if s.host == host)


@pytest.mark.parametrize("host", SITES)
def test_findings_are_what_a_dpo_expects(scans: dict[str, Scan], host: str) -> None:
    site = _expectation(host)
    scan = scans[host]
    reported = {finding_key(f) for f in scan.findings}
    false_alarms = {k for k in reported if k not in site.expected and k not in site.tolerated}
    missed = site.expected - reported
    assert not false_alarms, f"false alarms on {host}: {sorted(false_alarms)}"
    assert not missed, f"missed on {host}: {sorted(missed)}"
    if site.honest:
        assert scan.findings == []
        assert not {rule for rule, _ in reported} & site.must_not_report


def test_the_french_report_of_a_problem_site_speaks_french(scans: dict[str, Scan]) -> None:
    import reports

    html = reports.render(scans["www.boutique-pas-nette.test"], "html", lang="fr").decode()
    assert "Cookie déclaré « de session » qui survit à la session" in html
    assert (
        "Des données partent hors de l&#39;UE" in html or "Des données partent hors de l'UE" in html
    )
    assert "Cookie declared as a session cookie" not in html
    assert "RGPD art. 13(1)(f)" in html
