"""`cookie-audit scan --json`: one document on stdout for every URL of the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.demo.server import LocalWeb
from scanner.terminal import JSON_FORMAT
from tests.scanner.test_cli import cli, resolve_args

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_two_sites_and_an_unreachable_one_give_one_document(
    local_web: LocalWeb, tmp_path: Path
) -> None:
    urls = ["https://www.nobanner.test/", "https://www.generic-fr.test/", "https://down.invalid/"]
    result = cli(
        "scan", *urls, *resolve_args(local_web), "--max-pages", "1", "--phases", "none",
        "--json", "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr  # one site could not be scanned
    doc = json.loads(result.stdout)  # nothing else on stdout
    assert doc["format"] == JSON_FORMAT and doc["interrupted"] is False
    assert [s["target"] for s in doc["sites"]] == urls[:2]
    assert [f["url"] for f in doc["failed"]] == [urls[2]]
    for site in doc["sites"]:
        assert Path(site["scan_json"]).is_file()
        assert [p["name"] for p in site["phases"]] == ["none"]
    generic = doc["sites"][1]["phases"][0]["banner"]
    assert generic["detected"] is True and generic["status"] == "not_attempted"
    assert doc["sites"][0]["phases"][0]["banner"]["detected"] is False
