"""`cookie-audit scan` and `demo` as a user runs them: exit codes, files, Ctrl-C, schema.

Two sites in one command: each is crawled by its own registrable domain (alpha's links to
beta are not followed, beta keeps its own pages and its sitemap's), and Set-Cookie headers
Chromium refuses land in `blocked_cookies`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from scanner import model
from scanner.demo.server import LocalWeb
from scanner.model import Scan
from tests.fixtureweb.sites import hostile

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schemas" / "scan.schema.json"


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def resolve_args(web: LocalWeb) -> list[str]:
    return [a for r in web.resolve for a in ("--resolve", r)] + ["--ignore-https-errors"]


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "not a url"],
        ["scan", "ftp://www.shop.test/"],
        ["scan", "https://www.shop.test/", "--max-pages", "0"],
        ["scan", "https://www.shop.test/", "--phases", "none,maybe"],
        ["scan", "https://www.shop.test/", "--resolve", "nonsense"],
        ["scan", "https://www.shop.test/", "--dwell", "-1"],
        ["scan", "https://www.shop.test/", "--include", "("],
        ["scan", "https://www.shop.test/", "--fail-on", "apocalyptic"],
        ["scan", "http://127.0.0.1:9/"],  # private address without --allow-private
    ],
)
def test_bad_input_exits_2(args: list[str]) -> None:
    result = cli(*args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip()
    assert "Traceback" not in result.stderr


def test_unreachable_start_url_exits_1_with_one_line(local_web: LocalWeb, tmp_path: Path) -> None:
    result = cli("scan", "https://nowhere.invalid/", "--out", str(tmp_path), "--phases", "none",
                 *resolve_args(local_web))  # fmt: skip
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: cannot reach https://nowhere.invalid/ (dns: "
        "Page.goto: net::ERR_NAME_NOT_RESOLVED at https://nowhere.invalid/)"
    ]
    assert "Traceback" not in result.stderr


def test_scan_writes_scan_json_valid_against_the_schema(
    local_web: LocalWeb, tmp_path: Path
) -> None:
    result = cli("scan", "https://www.shop.test/", "--out", str(tmp_path), "--max-pages", "2",
                 "--phases", "none,accept", "--keep-values", *resolve_args(local_web))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "scan.json" in result.stdout
    data = json.loads((tmp_path / "scan.json").read_text())
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    scan = Scan.model_validate(data)
    assert [p.name.value for p in scan.phases] == ["none", "accept"]
    assert {"name", "domain", "path", "expires", "party", "set_by"} <= set(
        data["phases"][0]["cookies"][0]
    )
    phpsessid = next(c for c in scan.phases[0].cookies if c.name == "PHPSESSID")
    assert phpsessid.value.value == "9f8e7d6c5b4a39281706f5e4d3c2b1a0"  # --keep-values
    assert (tmp_path / "report.html").is_file()


def test_committed_schema_matches_the_model() -> None:
    assert json.loads(SCHEMA.read_text()) == model.json_schema(), "run `make schema`"


def test_demo_end_to_end(tmp_path: Path) -> None:
    result = cli("demo", "--out", str(tmp_path), timeout=180)
    assert result.returncode == 0, result.stderr
    scan = Scan.load(tmp_path / "scan.json")
    _none, reject, accept = scan.phases
    assert reject.banner.status.value == "succeeded"
    assert accept.banner.status.value == "succeeded"
    names = {p.name.value: {c.name for c in p.cookies} for p in scan.phases}
    assert "_ga" in names["accept"] and "fr" in names["accept"]
    assert "_ga" not in names["reject"] and "_ga" not in names["none"]
    assert "ca_consent" in names["reject"]
    assert str(tmp_path / "scan.json") in result.stdout
    assert (tmp_path / "report.html").is_file()


def test_ctrl_c_leaves_a_valid_partial_scan(local_web: LocalWeb, tmp_path: Path) -> None:
    seen = len(hostile.TRICKLE_SEEN)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scanner", "scan", "https://www.hostile.test/endless",
         "--out", str(tmp_path), "--page-timeout", "30", "--depth", "0",
         *resolve_args(local_web)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while len(hostile.TRICKLE_SEEN) == seen and proc.poll() is None:
            assert time.monotonic() < deadline, "the scan never reached the endless page"
            time.sleep(0.1)  # until the browser is on the endless page (it asks for /trickle)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert (tmp_path / "scan.json").is_file(), err
    scan = Scan.load(tmp_path / "scan.json")
    assert scan.interrupted
    assert scan.summary is not None and scan.summary.status.value in ("partial", "failed")
    assert "Traceback" not in err


ALPHA_LEVEL_1 = ["https://www.alpha.test/a2", "https://www.alpha.test/a1"]  # seed 0
BETA_LEVEL_1 = ["https://www.beta.test/b2", "https://www.beta.test/b4", "https://www.beta.test/b1"]


def test_two_sites_in_one_command_each_keep_their_own_pages(
    local_web: LocalWeb, tmp_path: Path
) -> None:
    result = cli("scan", "https://www.alpha.test/", "https://www.beta.test/", "--out",
                 str(tmp_path), "--phases", "none", *resolve_args(local_web))  # fmt: skip
    assert result.returncode == 0, result.stderr
    alpha = Scan.load(tmp_path / "www.alpha.test" / "scan.json")
    beta = Scan.load(tmp_path / "www.beta.test" / "scan.json")
    assert (alpha.site, beta.site) == ("alpha.test", "beta.test")
    assert [p.url for p in alpha.phases[0].pages] == [
        "https://www.alpha.test/",
        *ALPHA_LEVEL_1,
        "https://www.alpha.test/a3",
    ]
    assert [p.url for p in beta.phases[0].pages] == [
        "https://www.beta.test/",
        *BETA_LEVEL_1,
        "https://www.beta.test/b3",
    ]
    assert {c.name for c in alpha.phases[0].cookies} == {"alpha_sid"}
    assert {c.name for c in beta.phases[0].cookies} == {"beta_sid"}
    blocked = {(b.name, b.domain, b.set_by, tuple(b.reasons), b.page)
               for b in alpha.phases[0].blocked_cookies}  # fmt: skip
    home = "https://www.alpha.test/"
    assert blocked == {
        ("stolen", "beta.test", home, ("InvalidDomain",), home),
        ("insecure_none", "www.alpha.test", home, ("SameSiteNoneInsecure",), home),
    }
    assert beta.phases[0].blocked_cookies == []
