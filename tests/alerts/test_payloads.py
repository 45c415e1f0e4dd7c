"""Slack, Teams and generic payloads: the structure Slack's Block Kit and Microsoft's Adaptive
Cards document (the Teams card is parsed by Microsoft's own Adaptive Cards library), both
languages, and what a scanned site controls never turned into markup or links."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from audits.alerts import Alert, CookieRef, FindingRef, RunOutcome
from audits.alerts.model import finding_ref
from audits.alerts.payloads import (
    ADAPTIVE_CARD,
    generic_payload,
    slack_escape,
    slack_payload,
    teams_payload,
)
from audits.alerts.present import present
from reports import Lang
from scanner.findings_text import message
from scanner.model import Finding, Severity

ROOT = Path(__file__).resolve().parents[2]
ADAPTIVECARDS_JS = (
    ROOT / ".cache" / "npm" / "node_modules" / "adaptivecards" / "dist" / ("adaptivecards.js")
)
HOSTILE = "<img src=x onerror=alert(1)>"
SLACK_LINK = "<https://evil.example|click here>"
MARKDOWN = "**bold** [phish](https://evil.example) _x_ `code`"


def hostile_alert(n: int = 3) -> Alert:
    return Alert(
        audit="shop",
        site_url="https://www.shop.test/",
        run_id=7,
        previous_run_id=6,
        state=RunOutcome.SUCCEEDED,
        severity=Severity.HIGH,
        findings_new=[
            FindingRef(
                rule_id="cookie-before-consent",
                severity=Severity.HIGH,
                title="Cookie set before consent",
                subject=f"{HOSTILE}@.shop.test",
            ),
        ],
        findings_resolved=[
            FindingRef(
                rule_id="cookie-after-reject",
                severity=Severity.MEDIUM,
                title="Cookie kept after reject",
                subject="_fbp@.shop.test",
            ),
        ],
        cookies_added=[
            CookieRef(name=name, domain=".shop.test", category="tracking", vendor=SLACK_LINK)
            for name in [
                HOSTILE,
                MARKDOWN,
                "line\nbreak\r\nBcc: x@evil.example",
                *(f"c{i}" for i in range(n)),
            ]
        ],
        cookies_removed=[CookieRef(name="_ga", domain=".shop.test", category="google_analytics")],
        hosts_added=["evil.example", "<script>alert(2)</script>.example"],
        reject_now_failing=True,
        report_url="https://audit.example.com/runs/7",
        diff_url="https://audit.example.com/diff/6/7",
    )


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(_walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_walk(value))
    return found


# --- Slack -----------------------------------------------------------------------------------

SLACK_BLOCKS = {"header", "section", "actions", "context", "divider"}


def check_slack(payload: dict[str, Any]) -> None:
    """Block Kit's documented structure and limits (api.slack.com/reference/block-kit)."""
    assert set(payload) == {"text", "blocks"}
    assert isinstance(payload["text"], str) and 0 < len(payload["text"]) <= 3000
    blocks = payload["blocks"]
    assert 0 < len(blocks) <= 50
    for block in blocks:
        assert block["type"] in SLACK_BLOCKS
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text" and len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= 3000
            for f in block.get("fields", []):
                assert 0 < len(f["text"]) <= 2000
            assert len(block.get("fields", [])) <= 10
        if block["type"] == "actions":
            assert 0 < len(block["elements"]) <= 25
            ids = [e["action_id"] for e in block["elements"]]
            assert len(ids) == len(set(ids))
            for e in block["elements"]:
                assert e["type"] == "button" and e["text"]["type"] == "plain_text"
                assert len(e["text"]["text"]) <= 75 and len(e["url"]) <= 3000
                assert e["url"].startswith("https://")
                assert e.get("style", "primary") in ("primary", "danger")
        if block["type"] == "context":
            assert 0 < len(block["elements"]) <= 10
    # every text object shows text as it is: nothing a site wrote is parsed as mrkdwn
    for obj in _walk(blocks):
        if "text" in obj and isinstance(obj["text"], str) and "type" in obj:
            assert obj["type"] == "plain_text"
            assert obj["emoji"] is False


def test_slack_payload_structure_and_escaping() -> None:
    payload = slack_payload(hostile_alert(), Lang.EN)
    check_slack(payload)
    # the notification text is mrkdwn: Slack's three characters are escaped
    assert "<" not in payload["text"] and ">" not in payload["text"]
    text = json.dumps(payload["blocks"], ensure_ascii=False)
    assert HOSTILE in text  # shown as text (plain_text is never parsed)
    assert "line break Bcc: x@evil.example" in text  # control characters are flattened
    header = payload["blocks"][0]["text"]["text"]
    assert header == "What changed on https://www.shop.test/"
    buttons = next(b for b in payload["blocks"] if b["type"] == "actions")["elements"]
    assert [b["url"] for b in buttons] == [
        "https://audit.example.com/runs/7",
        "https://audit.example.com/diff/6/7",
    ]


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_bidi_controls_of_a_site_cannot_reorder_an_alert() -> None:
    """A cookie name with U+202E (right-to-left override) turned the rest of its chat line or
    e-mail subject around ("...gpj.exe"): every channel shows it with the control removed."""
    alert = hostile_alert().model_copy(
        update={
            "audit": "shop\u202e",
            "site_url": "https://www.shop.test/\u2067x",
            "cookies_added": [
                CookieRef(name="tracker\u202egpj.exe", domain=".shop.test", category="tracking")
            ],
        }
    )
    for document in (
        slack_payload(alert, Lang.EN),
        teams_payload(alert, Lang.EN),
        json.loads(json.dumps(present(alert, Lang.EN).subject)),
    ):
        text = json.dumps(document, ensure_ascii=False)
        assert "tracker" in text or "shop" in text
        assert not any(c in text for c in BIDI), [c for c in BIDI if c in text]


def test_slack_escape_is_slacks_rule() -> None:
    assert slack_escape("a & <b> > c") == "a &amp; &lt;b&gt; &gt; c"


def test_long_lists_are_cut_with_a_count() -> None:
    payload = slack_payload(hostile_alert(n=300), Lang.EN)
    check_slack(payload)
    assert "\u2026 and 293 more" in json.dumps(payload, ensure_ascii=False)
    assert len(json.dumps(payload)) < 40_000


def test_slack_in_french() -> None:
    payload = slack_payload(hostile_alert(), Lang.FR)
    check_slack(payload)
    text = json.dumps(payload, ensure_ascii=False)
    assert payload["blocks"][0]["text"]["text"] == "Ce qui a changé sur https://www.shop.test/"
    for words in (
        "Nouveaux constats",
        "Cookies ajoutés",
        "élevée",
        "Ouvrir le rapport",
        "« Tout refuser »",
        "traçage",
    ):
        assert words in text


# --- Teams -----------------------------------------------------------------------------------


def parse_with_adaptivecards(card: dict[str, Any]) -> dict[str, Any]:
    """Microsoft's Adaptive Cards library parses the card: it reports unknown elements and bad
    values as events, and drops unknown properties when serialising back."""
    node = shutil.which("node")
    if node is None or not ADAPTIVECARDS_JS.is_file():
        reason = "node and .cache/npm/adaptivecards (bash scripts/test-setup.sh) are needed"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    script = (
        "const AC = require(process.argv[1]);"
        "let input = ''; process.stdin.on('data', d => input += d).on('end', () => {"
        " const card = new AC.AdaptiveCard(); const ctx = new AC.SerializationContext();"
        " card.parse(JSON.parse(input), ctx);"
        " const events = []; for (let i = 0; i < ctx.eventCount; i++)"
        "  events.push(ctx.getEventAt(i).message);"
        " const v = card.validateProperties();"
        " for (const e of v.validationEvents) events.push(e.message);"
        " console.log(JSON.stringify({events, card: card.toJSON()})); });"
    )
    done = subprocess.run(
        [node, "-e", script, str(ADAPTIVECARDS_JS)],
        input=json.dumps(card),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def check_teams(payload: dict[str, Any]) -> dict[str, Any]:
    """What Teams workflows and incoming webhooks take: a message with one Adaptive Card."""
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == ADAPTIVE_CARD
    assert attachment["contentUrl"] is None
    card: dict[str, Any] = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert len(json.dumps(payload).encode()) < 28_000  # Teams' message size limit
    parsed = parse_with_adaptivecards(card)
    assert parsed["events"] == []
    expected = {k: v for k, v in card.items() if k != "msteams"}  # Teams' own extension
    assert parsed["card"] == expected  # nothing unknown was dropped
    return card


def test_teams_card_is_valid_and_site_text_is_never_markdown() -> None:
    card = check_teams(teams_payload(hostile_alert(), Lang.EN))
    objects = _walk(card["body"])
    runs = [o["text"] for o in objects if o.get("type") == "TextRun"]
    blocks = [o["text"] for o in objects if o.get("type") == "TextBlock"]
    assert any(HOSTILE in r for r in runs)
    assert any(MARKDOWN in r for r in runs)
    for text in blocks:  # TextBlocks render markdown: only our own headings go there
        assert "<" not in text and "[" not in text and "evil" not in text
    assert [a["url"] for a in card["actions"]] == [
        "https://audit.example.com/runs/7",
        "https://audit.example.com/diff/6/7",
    ]
    assert card["fallbackText"].startswith("[cookie-audit] shop: high")


def test_teams_in_french_and_a_failed_run() -> None:
    failed = Alert(
        audit="boutique",
        site_url="https://www.boutique.test/",
        run_id=9,
        state=RunOutcome.FAILED,
        severity=Severity.HIGH,
        reason="dns: host name not found",
    )
    card = check_teams(teams_payload(failed, Lang.FR))
    text = json.dumps(card, ensure_ascii=False)
    assert "L\u2019audit de https://www.boutique.test/ a échoué" in text
    assert "dns: host name not found" in text
    assert "cookie-audit audit report boutique --run 9" in text  # no link: the command
    assert "actions" not in card


# --- generic ---------------------------------------------------------------------------------


def test_generic_payload_is_the_alert_document() -> None:
    alert = hostile_alert()
    payload = generic_payload(alert)
    assert payload["type"] == "cookie_audit.alert" and payload["version"] == 1
    assert Alert.model_validate(json.loads(json.dumps(payload))["alert"]) == alert
    assert payload["alert"]["cookies_added"][0]["name"] == HOSTILE  # data, not markup


def test_an_unknown_category_is_shown_as_it_is() -> None:
    alert = hostile_alert().model_copy(
        update={"cookies_added": [CookieRef(name="x", domain="d.test", category="newfangled")]}
    )
    text = json.dumps(slack_payload(alert, Lang.FR), ensure_ascii=False)
    assert "x (d.test) \u2014 newfangled" in text


def test_finding_titles_follow_the_alert_language() -> None:
    """A French alert says the finding in French (scan.json keeps the English title)."""
    finding = Finding(
        rule_id="cookie-before-consent",
        severity=Severity.HIGH,
        title="Cookie that needs consent is set before any choice",
        explanation="",
        message=message(
            "cookie-before-consent", cookie="_fbp@.shop.test", vendor="", category="tracking"
        ),
    )
    alert = hostile_alert().model_copy(update={"findings_new": [finding_ref(finding)]})
    french = json.dumps(slack_payload(alert, Lang.FR), ensure_ascii=False)
    english = json.dumps(slack_payload(alert, Lang.EN), ensure_ascii=False)
    assert "Cookie soumis à consentement déposé avant tout choix" in french
    assert "Cookie that needs consent" not in french
    assert "Cookie that needs consent is set before any choice" in english
