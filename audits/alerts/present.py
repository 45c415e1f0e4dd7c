"""One view of an alert in one language, which every channel renders (Slack, Teams, the
e-mail's text and HTML parts): the wording lives here once.

Items are plain text that may hold what a scanned site controls (cookie names, hosts); each
renderer escapes them for its own markup.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Literal

from audits.alerts.messages import AlertTranslator
from audits.alerts.model import Alert, CookieRef, FindingRef, RunOutcome
from reports.i18n import Lang
from reports.present import format_date

Tone = Literal["bad", "good", "neutral"]
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
#: bidirectional controls (embeddings, overrides, isolates, marks): one in a cookie name would
#: reverse the rest of a subject line or chat message
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    items: tuple[str, ...]
    more: str | None  # "… and 12 more" when items were left out
    tone: Tone


@dataclass(frozen=True, slots=True)
class AlertView:
    lang: Lang
    subject: str
    headline: str
    severity: str  # the severity word, translated
    facts: tuple[tuple[str, str], ...]
    notice: str | None  # "reject all" now failing
    sections: tuple[Section, ...]
    links: tuple[tuple[str, str], ...]  # (label, absolute URL)
    hint: str | None  # the command that shows the report when there is no link
    footer: str


def one_line(text: str, limit: int = 300) -> str:
    """Control characters (newlines included) become spaces: a site cannot add a header line
    to an e-mail or a fake line to a chat message; bidirectional controls are dropped."""
    flat = _CONTROL.sub(" ", _BIDI.sub("", text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


def _finding(f: FindingRef, t: AlertTranslator) -> str:
    subject = f" ({f.subject})" if f.subject else ""
    return one_line(f"{t('severity.' + f.severity.value)}: {f.title_in(t.lang)}{subject}")


def _cookie(c: CookieRef, t: AlertTranslator) -> str:
    category = t("category." + c.category) if c.category else ""
    vendor = f", {c.vendor}" if c.vendor else ""
    return one_line(f"{c.name} ({c.domain}) \u2014 {category}{vendor}")


def _section(
    heading: str, items: list[str], limit: int, tone: Tone, t: AlertTranslator
) -> Section | None:
    if not items:
        return None
    left_out = len(items) - limit
    return Section(
        heading=heading,
        items=tuple(items[:limit]),
        more=t("more", n=left_out) if left_out > 0 else None,
        tone=tone,
    )


def headline_key(alert: Alert) -> str:
    if alert.state is RunOutcome.SUCCEEDED:
        return "changed"
    return alert.state.value


def present(alert: Alert, lang: Lang, *, limit: int = 20) -> AlertView:
    t = AlertTranslator(lang)
    site = one_line(alert.site_url, 200)
    audit = one_line(alert.audit, 100)
    severity = t("severity." + alert.severity.value)
    key = headline_key(alert)
    only_resolved = bool(alert.findings_resolved) and not (
        alert.findings_new
        or alert.cookies_added
        or alert.cookies_removed
        or alert.hosts_added
        or alert.reject_now_failing
    )
    if key == "changed" and only_resolved:
        subject = t("subject.resolved", audit=audit, site=site)
    else:
        subject = t(f"subject.{key}", audit=audit, site=site, severity=severity)
    if alert.test:
        subject = t("test_prefix") + subject
    run = (
        t("run_of", run=alert.run_id, previous=alert.previous_run_id)
        if alert.previous_run_id is not None
        else t("run_first", run=alert.run_id)
    )
    facts: list[tuple[str, str]] = [
        (t("audit"), audit),
        (t("site"), site),
        (t("state"), t(f"state.{alert.state.value}")),
        (t("alert_severity"), severity),
        (t("run"), run),
    ]
    if alert.finished_at is not None:
        facts.append((t("meta.date"), format_date(alert.finished_at)))
    if alert.reason:
        facts.append((t("reason"), one_line(alert.reason, 500)))
    candidates = [
        _section(
            t("diff.findings_new"), [_finding(f, t) for f in alert.findings_new], limit, "bad", t
        ),
        _section(
            t("diff.cookies_added"), [_cookie(c, t) for c in alert.cookies_added], limit, "bad", t
        ),
        _section(t("diff.hosts_added"), [one_line(h) for h in alert.hosts_added], limit, "bad", t),
        _section(
            t("diff.findings_resolved"),
            [_finding(f, t) for f in alert.findings_resolved],
            limit,
            "good",
            t,
        ),
        _section(
            t("diff.cookies_removed"),
            [_cookie(c, t) for c in alert.cookies_removed],
            limit,
            "neutral",
            t,
        ),
    ]
    links = [
        (label, url)
        for label, url in ((t("open_report"), alert.report_url), (t("open_diff"), alert.diff_url))
        if url and url.startswith(("https://", "http://"))
    ]
    hint = None
    if not links:
        command = f"cookie-audit audit report {shlex.quote(alert.audit)} --run {alert.run_id}"
        hint = t("cli_hint", command=one_line(command))
    return AlertView(
        lang=lang,
        subject=one_line(subject, 250),
        headline=one_line(
            (t("test_prefix") if alert.test else "") + t(f"headline.{key}", site=site), 250
        ),
        severity=severity,
        facts=tuple(facts),
        notice=t("reject_now_failing") if alert.reject_now_failing else None,
        sections=tuple(s for s in candidates if s is not None),
        links=tuple(links),
        hint=hint,
        footer=t("footer", audit=audit, id=alert.id),
    )
