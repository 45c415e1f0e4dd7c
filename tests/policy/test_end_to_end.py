"""The policy fixture sites scanned for real (Chromium, the local web, scanner.pipeline):
the findings are asserted exactly, none missing and none spurious."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from scanner.demo.server import LocalWeb
from scanner.model import BannerStatus, Phase, Scan
from scanner.policy import DeclaredPolicy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
]


def scan(url: str, local_web: LocalWeb, out: Path, policy_file: Path | None = None) -> Scan:
    from playwright.async_api import async_playwright

    from scanner.config import ScanSettings
    from scanner.pipeline import scan_site

    settings = ScanSettings(
        urls=(url,),
        max_pages=4,
        max_depth=2,
        resolve=local_web.resolve,
        ignore_https_errors=True,
        out_dir=out,
        policy_file=policy_file,
        sitemap=False,
    )

    async def run() -> Scan:
        async with async_playwright() as pw:
            output = await scan_site(pw, settings, url, out)
            return output.scan

    result = asyncio.run(run())
    assert Scan.load(out / "scan.json") == result
    return result


def found(s: Scan) -> list[tuple[str, str]]:
    """(rule id, cookie name or vendor company) of every finding."""
    out = []
    for f in s.findings:
        first = f.evidence[0] if f.evidence else None
        if first is not None and first.kind == "cookie" and first.cookie:
            about = first.cookie.split("@", 1)[0]
        else:
            about = f.title.split(": ", 1)[1] if ": " in f.title else ""
        out.append((f.rule_id, about))
    return out


def test_cloud_temple_docs_site_that_sets_ga(local_web: LocalWeb, tmp_path: Path) -> None:
    s = scan("https://www.cloudtemple-docs.test/", local_web, tmp_path)
    assert s.policy_pages == ["https://www.cloudtemple-docs.test/privacy"]
    assert s.declared_policy is not None
    policy = DeclaredPolicy.model_validate(s.declared_policy)
    assert policy.collects_personal_data is not None
    assert policy.collects_personal_data.value is False
    assert found(s) == [
        ("cookie-before-consent", "_ga"),
        ("cookie-before-consent", "_ga_CTDOCS1"),
        ("tracker-request-before-consent", "Google"),
        ("ga-not-declared", "_ga"),
        ("ga-contradicts-policy", ""),
        ("lifetime-over-13-months", "_ga"),
        ("lifetime-over-13-months", "_ga_CTDOCS1"),
    ]


def test_in2cloud_site_with_tracking_after_reject(local_web: LocalWeb, tmp_path: Path) -> None:
    s = scan("https://www.in2cloud.test/", local_web, tmp_path)
    reject = s.phase(Phase.REJECT)
    assert reject is not None and reject.banner.status is BannerStatus.SUCCEEDED, reject
    assert reject.banner.first_layer_reject is True
    assert s.policy_pages == ["https://www.in2cloud.test/politique-de-confidentialite"]
    assert found(s) == [
        ("cookie-after-reject", "_fbp"),
        ("cookie-after-reject", "fr"),
        ("tracker-request-after-reject", "Meta"),
        ("lifetime-over-13-months", "_ga"),
        ("lifetime-over-13-months", "_ga_IN2CLOUD"),
    ]


@pytest.fixture(scope="module")
def honest_crawl(local_web: LocalWeb) -> tuple[object, object]:
    """One crawl of the honest site, analysed twice (with and without a YAML declaration)."""
    from playwright.async_api import async_playwright

    from scanner.config import ScanSettings
    from scanner.crawl import Crawler

    url = "https://www.honest.test/"
    settings = ScanSettings(
        urls=(url,),
        max_pages=4,
        max_depth=2,
        resolve=local_web.resolve,
        ignore_https_errors=True,
        sitemap=False,
    )

    async def run() -> object:
        async with async_playwright() as pw:
            return await Crawler(pw, settings).crawl(url)

    return asyncio.run(run()), settings


def test_honest_site_has_no_finding(honest_crawl: tuple[object, object]) -> None:
    from scanner.pipeline import analyse

    result, settings = honest_crawl
    s = analyse(result, settings)  # type: ignore[arg-type]
    assert sorted(s.policy_pages) == [
        "https://www.honest.test/confidentialite",
        "https://www.honest.test/mentions-legales",
    ]
    assert sorted(c.name for c in s.cookies) == ["django_language", "sessionid"]
    assert s.findings == []


def test_yaml_declaration_is_merged_and_checked(
    honest_crawl: tuple[object, object], tmp_path: Path
) -> None:
    from scanner.pipeline import analyse

    declaration = tmp_path / "honest.yaml"
    declaration.write_text(
        "cookies:\n  - {name: sessionid, lifetime: session}\n"
        "  - {name: django_language, lifetime: 30 days}\n",
        encoding="utf-8",
    )
    result, settings = honest_crawl
    s = analyse(result, dataclasses.replace(settings, policy_file=declaration))  # type: ignore[arg-type,type-var]
    # the declaration wins over the page's "6 mois" for django_language
    assert found(s) == [("lifetime-exceeds-declared", "")]
