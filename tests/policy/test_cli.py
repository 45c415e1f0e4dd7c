"""`cookie-audit policy extract | init | check`, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from scanner.cli import main
from scanner.demo.server import LocalWeb
from scanner.model import Phase
from scanner.policy import DeclaredPolicy, extract_policy
from tests.policy.builders import build_scan
from tests.policy.test_rules import FBP, FR, GA2, LANG, in2cloud_scan

DATA = Path(__file__).parent / "data"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_extract_file_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["policy", "extract", str(DATA / "001_164db397119dfc90.txt")], capsys)
    assert code == 0
    for expected in (
        "tracking",
        "Google Analytics (analytics, US)",
        "countries (US)",
        "1825 days",
        "cookie de traçage",
    ):
        assert expected in out


def test_extract_file_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["policy", "extract", "--json", str(DATA / "004_3f0cf2d993c37e48.txt")], capsys
    )
    assert code == 0
    policy = DeclaredPolicy.model_validate_json(out)
    assert policy.promises_no_transfer is not None
    assert any(r.kind == "backups" and r.days == 28 for r in policy.retention)


def test_extract_pdf_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "policy.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF")
    code, out, _ = run(["policy", "extract", str(pdf)], capsys)
    assert code == 0
    assert "PDF policies are not read" in out and "Nothing was understood" in out
    code, _, err = run(["policy", "extract", str(tmp_path / "missing.html")], capsys)
    assert code == 2 and "no such file" in err


def test_extract_url_refuses_private_addresses(
    local_web: LocalWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"https://127.0.0.1:{local_web.port}/privacy"
    code, _, err = run(["policy", "extract", url], capsys)
    assert code == 2
    assert "non-public address 127.0.0.1" in err and "--allow-private" in err


def test_extract_url_fetches_with_allow_private(
    local_web: LocalWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"https://127.0.0.1:{local_web.port}/privacy"
    code, out, _ = run(
        ["policy", "extract", "--json", "--allow-private", "--insecure", url], capsys
    )
    assert code == 0
    policy = DeclaredPolicy.model_validate_json(out)
    assert policy.sources == [url]
    assert policy.collects_personal_data is not None
    assert policy.collects_personal_data.value is False
    pdf = f"https://127.0.0.1:{local_web.port}/policy.pdf"
    code, out, _ = run(["policy", "extract", "--allow-private", "--insecure", pdf], capsys)
    assert code == 0 and "PDF policies are not read" in out
    code, _, err = run(
        [
            "policy",
            "extract",
            "--allow-private",
            "--insecure",
            f"https://127.0.0.1:{local_web.port}/nope",
        ],
        capsys,
    )
    assert code == 2 and "HTTP 404" in err


def test_init_writes_a_starter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scan_file = tmp_path / "scan.json"
    build_scan(
        "https://www.in2cloud.test/", "in2cloud.test", {Phase.ACCEPT: ([LANG, GA2, FBP, FR], [])}
    ).save(scan_file)
    code, out, _ = run(["policy", "init", str(scan_file)], capsys)
    assert code == 0
    doc = yaml.safe_load(out)
    assert doc["categories"] == ["technical", "tracking", "google_analytics"]
    assert [c["name"] for c in doc["cookies"]] == ["fr", "_fbp", "_ga", "lang"]
    target = tmp_path / "site.yaml"
    assert run(["policy", "init", str(scan_file), "--out", str(target)], capsys)[0] == 0
    assert yaml.safe_load(target.read_text()) == doc
    code, _, err = run(["policy", "init", str(scan_file), "--out", str(target)], capsys)
    assert code == 2 and "--force" in err
    code, _, err = run(["policy", "init", str(tmp_path / "nope.json")], capsys)
    assert code == 2 and "no such scan file" in err
    (tmp_path / "bad.json").write_text("{}")
    code, _, err = run(["policy", "init", str(tmp_path / "bad.json")], capsys)
    assert code == 2 and "not a cookie-audit scan.json" in err


def test_check_a_saved_scan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = extract_policy((DATA / "001_164db397119dfc90.txt").read_text(), "p", "text/plain")
    scan = in2cloud_scan().model_copy(update={"declared_policy": policy.model_dump(mode="json")})
    scan_file = tmp_path / "scan.json"
    scan.save(scan_file)
    code, out, _ = run(["policy", "check", str(scan_file), "--json"], capsys)
    assert code == 0
    assert [f["rule_id"] for f in json.loads(out)] == [
        "cookie-after-reject",
        "cookie-after-reject",
        "tracker-request-after-reject",
        "lifetime-over-13-months",
        "lifetime-over-13-months",
    ]
    declaration = tmp_path / "site.yaml"
    declaration.write_text("cookies: [{name: lang, lifetime: 30}]\n")
    code, out, _ = run(["policy", "check", str(scan_file), "--policy", str(declaration)], capsys)
    assert code == 0
    assert "lifetime-exceeds-declared" in out and "cookie-not-declared" in out
    declaration.write_text("cookies: [{name: lang, lifetime: never}]\n")
    code, _, err = run(["policy", "check", str(scan_file), "--policy", str(declaration)], capsys)
    assert code == 2 and "cookies.0.lifetime" in err
