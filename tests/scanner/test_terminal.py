"""The terminal summary and `--json` on plain data (scanner.terminal): no browser."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from scanner.cli_scan import print_summary
from scanner.model import (
    Banner,
    BannerLayer,
    BannerStatus,
    ConsentApiUse,
    ConsentPost,
    Evidence,
    Finding,
    Phase,
    ReadBack,
    Scan,
    Severity,
)
from scanner.pipeline import ScanOutput
from scanner.summary import summarize
from scanner.terminal import JSON_FORMAT, json_document, site_document, summary_lines
from tests.reports.sample_scans import hostile_scan, make_scan

LONG_FINDING = Finding(
    rule_id="cookie-after-reject",
    severity=Severity.CRITICAL,
    title="Cookie that needs consent is set although the visitor rejected all",
    explanation="...",
    subject="_ga_ABCDEF1234@.boutique-exemple.fr",
    evidence=[Evidence(kind="cookie", phase=Phase.REJECT, cookie="_ga@.boutique-exemple.fr")],
)
COMPANY_FINDING = Finding(
    rule_id="tracker-request-before-consent",
    severity=Severity.HIGH,
    title="Requests to a tracker before any choice: Google",
    explanation="...",
    subject="Google",
)


def scan() -> Scan:
    """The sample shop with category counts (every category), a second-layer reject, findings
    with subjects, and a long note."""
    base = make_scan(findings=[LONG_FINDING, COMPANY_FINDING])
    phases = []
    for p in base.phases:
        banner = p.banner
        if p.name is Phase.REJECT:
            banner = Banner(
                detected=True,
                cmp="vanilla-cookieconsent",
                action=Phase.REJECT,
                status=BannerStatus.SUCCEEDED,
                first_layer_reject=False,
                layer=BannerLayer.SECOND,
                method="autoconsent:cookieconsent3",
            )
        elif p.name is Phase.NONE:
            banner = Banner(action=Phase.NONE, status=BannerStatus.NOT_ATTEMPTED, detected=True)
        use = None
        if p.name is Phase.ACCEPT:
            use = ConsentApiUse(
                api="https://consent.example",
                site_key="pk_abc",
                posts=[
                    ConsentPost(
                        action="accept_all",
                        status=422,
                        error="inconsistent_choices",
                        read_back=ReadBack.SKIPPED,
                    )
                ],
            )
        phases.append(p.model_copy(update={"banner": banner, "consent_api": use}))
    note = "none: " + "a very long note about a page that could not be loaded " * 3
    out = base.model_copy(update={"phases": phases, "notes": [note]})
    return out.model_copy(update={"summary": summarize(out)})


def _check(lines: list[str], width: int) -> None:
    for line in lines:
        if line.startswith(("scan.json:", "report.html:")):
            continue  # paths are printed whole, to be copied
        assert len(line) <= width, (len(line), line)


@pytest.mark.parametrize("width", [80, 60, 40])
def test_fits_the_width_and_cuts_nothing(width: int) -> None:
    s = scan()
    lines = summary_lines(s, width)
    _check(lines, width)
    assert s.summary is not None
    # every status and category count is whole on one line
    for phase in s.phases:
        assert any(re.search(rf"\b{phase.banner.status.value}\b", line) for line in lines)
        for category, n in s.summary.categories_by_phase[phase.name.value].items():
            assert any(f"{category} {n}" in line for line in lines), (category, lines)
    assert any("google_analytics" in line for line in lines)
    # the second-layer reject says where and how
    text = " ".join(line.strip() for line in lines)
    assert "no reject on the first layer" in text and "second layer" in text
    assert "autoconsent:cookieconsent3" in text
    # finding lines name their subject, once (at 40 columns a subject wider than the indented
    # line is broken: the only word ever broken)
    if width >= 60:
        assert "rejected all: _ga_ABCDEF1234@.boutique-exemple.fr" in text
    assert "before any choice: Google" in text and "Google: Google" not in text
    # what the banner posted to the consent API, whole
    assert "accept_all refused (422 inconsistent_choices), read back: skipped" in text
    # the long note is wrapped, not cut
    assert text.count("could not be loaded") == 3


def test_print_summary_at_columns_80(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False)
    assert console.width == 80
    path = tmp_path / "scan.json"
    print_summary(ScanOutput(scan(), path, None), console)
    out = buffer.getvalue().splitlines()
    _check(out, 80)
    assert f"scan.json:   {path}" in out
    assert not any("…" in line for line in out)  # rich never ellipsised anything


def test_hostile_strings_are_printed_as_text() -> None:
    s = hostile_scan()
    buffer = io.StringIO()
    print_summary(ScanOutput(s, Path("scan.json"), None), Console(file=buffer, width=80))
    assert "[/" not in s.target or s.target in buffer.getvalue()  # no rich markup applied
    _check(buffer.getvalue().splitlines(), 80)


def test_json_document_is_one_document_for_several_sites() -> None:
    first, second = scan(), make_scan()
    doc = json_document(
        [site_document(first, Path("a/scan.json"), Path("a/report.html")), site_document(second)],
        [("https://down.example/", "cannot reach https://down.example/ (dns: ...)")],
    )
    again = json.loads(json.dumps(doc))
    assert again["format"] == JSON_FORMAT
    assert [s["target"] for s in again["sites"]] == [first.target, second.target]
    site = again["sites"][0]
    assert site["scan_json"] == "a/scan.json" and site["status"] == "partial"
    reject = next(p for p in site["phases"] if p["name"] == "reject")
    assert reject["banner"]["layer"] == "second_layer"
    assert reject["banner"]["method"] == "autoconsent:cookieconsent3"
    accept = next(p for p in site["phases"] if p["name"] == "accept")
    assert accept["consent_api"]["posts"][0]["error"] == "inconsistent_choices"
    assert reject["consent_api"] is None
    assert reject["categories"] == first.summary.categories_by_phase["reject"]  # type: ignore[union-attr]
    assert [f["subject"] for f in site["findings"]] == [LONG_FINDING.subject, "Google"]
    assert again["failed"] == [
        {"url": "https://down.example/", "error": "cannot reach https://down.example/ (dns: ...)"}
    ]
    assert again["interrupted"] is False
