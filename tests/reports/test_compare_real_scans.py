"""`report --compare` on two real scans of a fixture site whose pages changed in between.

The shop (tests/fixtureweb/sites/changing_shop.py) drops its ad pixel, adds a heatmap script and
stretches its `prefs` cookie from 30 to 400 days between the two scans; the diff must say
exactly that, in every format.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import reports
from scanner.cli import main
from scanner.demo.server import LocalWeb
from scanner.model import Scan
from tests.fixtureweb.sites import changing_shop

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("changing_shop")]

URL = f"https://{changing_shop.HOST}/"


def run_scan(local_web: LocalWeb, out: Path) -> Scan:
    from playwright.async_api import async_playwright

    from scanner.config import ScanSettings
    from scanner.pipeline import scan_site

    settings = ScanSettings(
        urls=(URL,),
        max_pages=3,
        max_depth=1,
        resolve=local_web.resolve,
        ignore_https_errors=True,
        out_dir=out,
        sitemap=False,
    )

    async def run() -> Scan:
        async with async_playwright() as pw:
            return (await scan_site(pw, settings, URL, out)).scan

    return asyncio.run(run())


@pytest.fixture(scope="module")
def two_scans(local_web: LocalWeb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("changing")
    try:
        changing_shop.STATE.version = 1
        run_scan(local_web, root / "old")
        changing_shop.STATE.version = 2
        run_scan(local_web, root / "new")
    finally:
        changing_shop.STATE.version = 1
    yield root


def test_scans_leave_a_report(two_scans: Path) -> None:
    for name in ("old", "new"):
        soup = BeautifulSoup((two_scans / name / "report.html").read_text(), "html.parser")
        assert soup.h1 is not None and soup.h1.get_text() == "Cookie audit of changing-shop.test"
        names = {c.get_text() for c in soup.select("#cookie-table code.cookie-name")}
        assert {"PHPSESSID", "prefs"} <= names


def test_compare_shows_exactly_what_changed(two_scans: Path) -> None:
    old = Scan.load(two_scans / "old" / "scan.json")
    new = Scan.load(two_scans / "new" / "scan.json")
    diff = reports.compare(old, new)
    assert [(c.name, c.domain.lstrip(".")) for c in diff.cookies_added] == [
        ("_hm_session", changing_shop.HOST)
    ]
    assert sorted((c.name, c.domain.lstrip(".")) for c in diff.cookies_removed) == [
        ("_adp", changing_shop.HOST),
        ("uid", "px.adnet-one.test"),
    ]
    changes = {
        c.cookie.name: [(f.field, f.old, f.new) for f in c.changes] for c in diff.cookies_changed
    }
    assert changes == {"prefs": [("lifetime", "30", "400")]}
    assert diff.hosts_added == ["static.heatmap-two.test"]
    assert diff.hosts_removed == ["px.adnet-one.test"]
    about = {"_adp", "uid", "_hm_session", "prefs"}
    for finding in (*diff.findings_new, *diff.findings_resolved):
        cookies = {e.cookie.split("@")[0] for e in finding.evidence if e.cookie}
        assert cookies <= about, finding


def test_compare_cli_in_every_format(two_scans: Path) -> None:
    old, new = str(two_scans / "old" / "scan.json"), str(two_scans / "new" / "scan.json")
    outputs = {}
    for fmt in ("html", "json", "csv"):
        out = two_scans / f"diff.{fmt}"
        assert main(["report", "--compare", old, new, "--format", fmt, "--out", str(out)]) == 0
        outputs[fmt] = out.read_bytes()
    assert json.loads(outputs["json"])["hosts_added"] == ["static.heatmap-two.test"]
    rows = list(csv.DictReader(io.StringIO(outputs["csv"].decode("utf-8-sig"))))
    assert {
        "change": "changed",
        "name": "prefs",
        "field": "lifetime",
        "old": "30",
        "new": "400",
    }.items() <= next(r for r in rows if r["name"] == "prefs").items()
    soup = BeautifulSoup(outputs["html"].decode(), "html.parser")
    assert [c.get_text() for c in soup.select("#cookies-added tbody th code")] == ["_hm_session"]
    changed = soup.select_one("#cookies-changed tbody tr")
    assert changed is not None
    assert [td.get_text(strip=True) for td in changed.find_all("td")][1:] == [
        "lifetime",
        "30 days",
        "13 months",
    ]
