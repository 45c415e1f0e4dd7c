"""The JSON bodies webhooks receive: our own document, Slack's and Teams' formats.

Slack (api.slack.com, "Sending messages using incoming webhooks", Block Kit): `text` is the
notification fallback, parsed as mrkdwn, so `&`, `<` and `>` are escaped as Slack documents
(a site cannot forge a `<https://evil|link>`); every block that shows what a site controls
is `plain_text`, which Slack never parses. Limits respected: header 150 characters, section
text 3,000, at most 10 fields of 2,000, 50 blocks, button URLs 3,000.

Teams (learn.microsoft.com, "Create incoming webhooks with Workflows" and the connectors'
"Send Adaptive Cards using an Incoming Webhook"): a `message` with one Adaptive Card
attachment, which both Power Automate workflows and the older Office 365 connectors accept
(MessageCard is connectors-only, and connectors are being retired). Card version 1.4 (Teams
renders up to 1.5). What a site controls goes in `TextRun`s of `RichTextBlock`s, which
Adaptive Cards render without markdown; `TextBlock`s hold only our own words.
"""

from __future__ import annotations

import json
from typing import Any, assert_never

from audits.alerts.model import Alert
from audits.alerts.present import AlertView, present
from audits.alerts.targets import WebhookKind
from reports.i18n import Lang
from scanner.model import Severity

GENERIC_EVENT = "cookie_audit.alert"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
_CHAT_LIMIT = 10  # items per list in a chat message; the report has the rest


def generic_payload(alert: Alert) -> dict[str, Any]:
    """The alert document itself, versioned, for scripts and ticketing systems."""
    return {"type": GENERIC_EVENT, "version": alert.version, "alert": alert.model_dump(mode="json")}


def slack_escape(text: str) -> str:
    """Slack's three control characters (its "Escaping text" rule); nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _plain(text: str, limit: int = 3000) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, limit), "emoji": False}


def slack_payload(alert: Alert, lang: Lang) -> dict[str, Any]:
    view = present(alert, lang, limit=_CHAT_LIMIT)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(view.headline, 150)},
        {
            "type": "section",
            "fields": [_plain(f"{label}: {value}", 2000) for label, value in view.facts[:10]],
        },
    ]
    if view.notice:
        blocks.append({"type": "section", "text": _plain("\u26a0 " + view.notice)})
    for section in view.sections:
        lines = [f"\u2022 {item}" for item in section.items]
        if section.more:
            lines.append(section.more)
        blocks.append(
            {"type": "section", "text": _plain(section.heading + "\n" + "\n".join(lines))}
        )
    if view.links:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": _plain(label, 75),
                        "url": url,
                        "action_id": f"cookie-audit-link-{i}",
                        **({"style": "primary"} if i == 0 else {}),
                    }
                    for i, (label, url) in enumerate(view.links)
                    if len(url) <= 3000
                ],
            }
        )
    context = [view.hint, view.footer] if view.hint else [view.footer]
    blocks.append({"type": "context", "elements": [_plain(c, 2000) for c in context]})
    return {"text": slack_escape(_fallback(view)), "blocks": blocks[:50]}


def _fallback(view: AlertView) -> str:
    """One line for notifications and clients without blocks."""
    counts = ", ".join(f"{s.heading}: {len(s.items)}{'+' if s.more else ''}" for s in view.sections)
    return _cut(f"{view.subject}" + (f" ({counts})" if counts else ""), 3000)


_TEAMS_COLOUR = {
    Severity.CRITICAL: "Attention",
    Severity.HIGH: "Attention",
    Severity.MEDIUM: "Warning",
    Severity.LOW: "Default",
    Severity.INFO: "Good",
}


def _runs(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}


def teams_payload(alert: Alert, lang: Lang) -> dict[str, Any]:
    view = present(alert, lang, limit=_CHAT_LIMIT)
    body: list[dict[str, Any]] = [
        _runs(view.headline, size="Large", weight="Bolder", color=_TEAMS_COLOUR[alert.severity]),
        *(
            {
                "type": "ColumnSet",
                "spacing": "None",
                "columns": [
                    {"type": "Column", "width": 1, "items": [_runs(label, weight="Bolder")]},
                    {"type": "Column", "width": 3, "items": [_runs(value)]},
                ],
            }
            for label, value in view.facts
        ),
    ]
    if view.notice:
        body.append(_runs(view.notice, weight="Bolder", color="Attention"))
    for section in view.sections:
        body.append(
            {
                "type": "TextBlock",
                "text": section.heading,
                "weight": "Bolder",
                "wrap": True,
                "spacing": "Medium",
            }
        )
        items = [*section.items, *([section.more] if section.more else [])]
        body.extend(_runs("\u2022 " + item) for item in items)
    if view.hint:
        body.append(_runs(view.hint, isSubtle=True))
    body.append(_runs(view.footer, isSubtle=True, size="Small"))
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "fallbackText": view.subject,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if view.links:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": label, "url": url} for label, url in view.links
        ]
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}],
    }


def payload(alert: Alert, kind: WebhookKind, lang: Lang) -> dict[str, Any]:
    if kind is WebhookKind.SLACK:
        return slack_payload(alert, lang)
    if kind is WebhookKind.TEAMS:
        return teams_payload(alert, lang)
    if kind is WebhookKind.GENERIC:
        return generic_payload(alert)
    assert_never(kind)


def encode(body: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON: the exact bytes that are signed are the bytes that are sent."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
