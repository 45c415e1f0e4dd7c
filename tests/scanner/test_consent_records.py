"""The banner -> consent API check on plain data: parsing what the banner sent and the API
answered (scanner.consent_capture), and judging it against the click
(scanner.policy.consent_records). The end-to-end run is tests/scanner/test_consent_api_check.py."""

from __future__ import annotations

import json

import pytest

from scanner.consent_capture import api_call, parse_config, parse_post
from scanner.consent_readback import _netloc, normalise_api
from scanner.model import (
    Banner,
    BannerStatus,
    ConsentApiUse,
    ConsentPost,
    Phase,
    PhaseResult,
    ReadBack,
    StoredConsent,
)
from scanner.policy.consent_records import problems

RECEIPT = {"consent_id": "c1", "seq": 7, "recorded_at": "2026-12-01T10:00:00Z", "hash": "ab" * 32}


def test_api_calls_are_recognised_by_path_and_method() -> None:
    assert api_call("https://c.example/v1/sites/pk_1/consents", "POST") == (
        "post", "https://c.example", "pk_1"
    )  # fmt: skip
    assert api_call("https://c.example:8443/v1/sites/pk_1/config", "GET") == (
        "config", "https://c.example:8443", "pk_1"
    )  # fmt: skip
    assert api_call("https://c.example/v1/sites/pk_1/consents", "GET") is None
    assert api_call("https://c.example/v1/sites/pk_1/consents/c1", "POST") is None
    assert api_call("https://c.example/v1/sites/../consents", "POST") is None
    assert api_call("https://c.example/api/consents", "POST") is None


def test_a_receipt_and_an_error_are_parsed() -> None:
    sent = {"consent_id": "c1", "action": "reject_all", "choices": {"analytics": False}}
    ok = parse_post(json.dumps(sent), 201, json.dumps(RECEIPT).encode(), "https://s.example/")
    assert (ok.action, ok.choices, ok.seq, ok.hash, ok.error) == (
        "reject_all", {"analytics": False}, 7, "ab" * 32, None
    )  # fmt: skip
    error = {"error": {"code": "inconsistent_choices", "message": "...", "status": 422}}
    bad = parse_post(json.dumps(sent), 422, json.dumps(error), None)
    assert (bad.status, bad.error, bad.seq, bad.hash) == (422, "inconsistent_choices", None, None)
    lost = parse_post(json.dumps(sent), None, None, None, failure="net::ERR_CONNECTION_REFUSED")
    assert lost.status is None and lost.error == "net::ERR_CONNECTION_REFUSED"


@pytest.mark.parametrize(
    "body",
    [None, "", "not json", "[1, 2]", '{"choices": "all"}', "x" * 100_000, '{"choices": {"a": 1}}'],
)
def test_whatever_the_page_sends_never_breaks_the_parse(body: str | None) -> None:
    post = parse_post(body, 500, body, None)
    assert post.choices == {} and post.error == "HTTP 500"


def test_config_gives_categories_and_the_required_ones() -> None:
    body = json.dumps(
        {"categories": [{"id": "necessary", "required": True}, {"id": "analytics"}, {"x": 1}, 3]}
    )
    assert parse_config(body) == (["necessary", "analytics"], ["necessary"])
    assert parse_config("oops") == ([], [])


def test_api_origin_and_resolve_addresses() -> None:
    assert normalise_api("https://Consent.Example/") == "https://consent.example"
    with pytest.raises(ValueError):
        normalise_api("ftp://consent.example")
    assert _netloc("127.0.0.1:4443", 443) == "127.0.0.1:4443"
    assert _netloc("127.0.0.1", 443) == "127.0.0.1:443"
    assert _netloc("[::1]", 443) == "[::1]:443"
    assert _netloc("[::1]:9", 443) == "[::1]:9"


def _phase(
    name: Phase, *posts: ConsentPost, status: BannerStatus = BannerStatus.SUCCEEDED
) -> PhaseResult:
    use = ConsentApiUse(
        api="https://c.example",
        site_key="pk_1",
        categories=["necessary", "analytics", "marketing"],
        required=["necessary"],
        posts=list(posts),
    )
    return PhaseResult(name=name, banner=Banner(action=name, status=status), consent_api=use)


def _post(action: str, analytics: bool, marketing: bool, **kw: object) -> ConsentPost:
    choices = {"necessary": True, "analytics": analytics, "marketing": marketing}
    return ConsentPost.model_validate(
        {"action": action, "choices": choices, "status": 201, "seq": 3, "hash": "h", **kw}
    )


def _rules(phase: PhaseResult) -> list[tuple[str, str | None, list[str]]]:
    return [(p.rule_id, p.action, p.categories) for p in problems(phase)]


def test_the_right_records_raise_nothing() -> None:
    assert _rules(_phase(Phase.REJECT, _post("reject_all", False, False))) == []
    assert _rules(_phase(Phase.ACCEPT, _post("accept_all", True, True))) == []


def test_contradictions_name_the_categories() -> None:
    assert _rules(_phase(Phase.REJECT, _post("custom", True, False))) == [
        ("consent-record-contradicts-click", "custom", ["analytics"])
    ]
    assert _rules(_phase(Phase.ACCEPT, _post("accept_all", True, False))) == [
        ("consent-record-contradicts-click", "accept_all", ["marketing"])
    ]
    # the action alone is enough: "reject all" recorded as a custom refusal is not reject_all
    assert _rules(_phase(Phase.REJECT, _post("custom", False, False))) == [
        ("consent-record-contradicts-click", "custom", [])
    ]


def test_missing_failed_and_read_back() -> None:
    assert _rules(_phase(Phase.REJECT)) == [("consent-record-missing", None, [])]
    failed = _post("reject_all", False, False, status=422, error="inconsistent_choices", seq=None)
    assert _rules(_phase(Phase.REJECT, failed)) == [("consent-record-failed", None, [])]
    # a retry that worked counts: the visitor's choice is recorded
    assert _rules(_phase(Phase.REJECT, failed, _post("reject_all", False, False))) == []
    gone = _post("reject_all", False, False, read_back=ReadBack.MISSING)
    assert _rules(_phase(Phase.REJECT, gone)) == [("consent-record-missing", None, [])]
    # what was read back is judged, not what was sent
    stored = StoredConsent(seq=3, action="accept_all", choices={"analytics": True}, hash="h")
    swapped = _post("reject_all", False, False, read_back=ReadBack.FOUND, stored=stored)
    assert _rules(_phase(Phase.REJECT, swapped)) == [
        ("consent-record-contradicts-click", "accept_all", ["analytics"])
    ]


def test_the_finding_words_name_the_categories_or_the_action() -> None:
    from scanner.model import Scan
    from scanner.policy import check
    from tests.reports.sample_scans import make_scan

    base = make_scan(findings=[])
    for post, words in (
        (_post("custom", True, False), "custom granting analytics"),
        (_post("custom", False, False), "custom instead of reject_all"),
    ):
        phases = [_phase(Phase.REJECT, post)]
        scan = Scan.model_validate(
            {**base.model_dump(), "phases": [p.model_dump() for p in phases]}
        )
        found = check(scan, None, policy_pages_found=True)
        (finding,) = [f for f in found if f.rule_id.startswith("consent-record-")]
        assert finding.rule_id == "consent-record-contradicts-click"
        assert words in finding.explanation, finding.explanation
        assert finding.subject == "pk_1@c.example"


def test_nothing_is_judged_without_a_click_or_an_api() -> None:
    assert problems(_phase(Phase.NONE)) == []
    assert problems(_phase(Phase.REJECT, status=BannerStatus.FAILED)) == []
    plain = PhaseResult(
        name=Phase.REJECT, banner=Banner(action=Phase.REJECT, status=BannerStatus.SUCCEEDED)
    )
    assert problems(plain) == []
