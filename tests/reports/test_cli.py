"""`cookie-audit report` end to end through `scanner.cli.main` (exit codes, files, errors)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scanner.cli import main
from tests.reports.sample_scans import before_after, shop_scan

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def scans(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "scan": tmp_path / "scan.json",
        "old": tmp_path / "old.json",
        "new": tmp_path / "new.json",
    }
    shop_scan().save(paths["scan"])
    old, new = before_after()
    old.save(paths["old"])
    new.save(paths["new"])
    return paths


def test_report_formats_to_files(scans: dict[str, Path], tmp_path: Path) -> None:
    for fmt in ("html", "json", "csv"):
        out = tmp_path / f"report.{fmt}"
        assert main(["report", str(scans["scan"]), "--format", fmt, "--out", str(out)]) == 0
        assert out.stat().st_size > 0
    assert (tmp_path / "report.json").read_text() == shop_scan().to_json() + "\n"
    assert (tmp_path / "report.csv").read_bytes().startswith(b"\xef\xbb\xbfsite,phase,name,")
    out = tmp_path / "rapport.html"
    assert main(["report", str(scans["scan"]), "--lang", "fr", "--out", str(out)]) == 0
    assert '<html lang="fr">' in out.read_text()


def test_compare_to_stdout(
    scans: dict[str, Path], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    args = ["report", "--compare", str(scans["old"]), str(scans["new"]), "--format", "json"]
    assert main(args) == 0
    diff = json.loads(capsysbinary.readouterr().out)
    assert [c["name"] for c in diff["cookies_added"]] == ["_hjSessionUser_42", "_hjSession_42"]
    assert diff["hosts_removed"] == ["connect.facebook.net", "www.facebook.com"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, r"missing\.json: no such file"),
        ("{", r"bad\.json: not JSON \(Expecting property name"),
        ("[" * 100_000, r"bad\.json: not JSON \(nested too deeply\)"),
        (
            '{"target": 3}',
            r"bad\.json: not a valid scan: target: Input should be a valid string \(and \d+ more\)",
        ),
    ],
)
def test_bad_scan_files_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / ("missing.json" if content is None else "bad.json")
    if content is not None:
        path.write_text(content)
    assert main(["report", str(path), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert err.count("\n") == 1
    assert not (tmp_path / "r.html").exists()


def test_usage_errors(scans: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report"]) == 2
    assert (
        main(["report", str(scans["scan"]), "--compare", str(scans["old"]), str(scans["new"])]) == 2
    )
    assert main(["report", str(scans["scan"]), "--format", "docx"]) == 2
    assert main(["report", str(scans["scan"]), "--lang", "de"]) == 2


def test_readme_documents_every_option_and_csv_column() -> None:
    import reports
    from scanner.cli_report import report

    section = README.read_text().split("<!-- section: reports -->")[1].split("<!-- section:")[0]
    for param in report.params:
        for opt in param.opts:
            if opt.startswith("--"):
                assert f"`{opt}" in section, opt
    for column in (*reports.SCAN_COLUMNS, *reports.DIFF_COLUMNS):
        assert column in section, column
    documented = re.sub(r"\s+", " ", section)
    assert ", ".join(reports.SCAN_COLUMNS) in documented  # in the stable order
    assert ", ".join(reports.DIFF_COLUMNS) in documented
