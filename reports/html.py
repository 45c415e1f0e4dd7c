"""The HTML report: one self-contained file (inline CSS, JS and SVG) a non-engineer can read.

Autoescape is on for every template: everything a scanned site controls (cookie names,
URLs, titles, policy quotes, storage keys) is text, never markup. The inline script only
reads the DOM and sets `textContent`/`hidden`; it never builds HTML from site data.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from reports.assets import asset
from reports.diff import ScanDiff
from reports.errors import ReportError
from reports.facts import (
    CATEGORY_ORDER,
    PHASE_ORDER,
    categories_by_phase,
    distinct_cookies,
    group_findings,
    overall_status,
    scan_status,
    sorted_findings,
    third_party_hosts,
)
from reports.i18n import Lang, Translator
from reports.present import (
    CATEGORY_COLOURS,
    cookie_lifetime,
    format_date,
    format_days,
    sort_days,
)
from scanner.findings_text import (
    evidence_detail,
    finding_explanation,
    finding_legal_reference,
    finding_title,
)
from scanner.model import ClassifiedCookie, Phase, Scan, StorageEntry


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = format_date
    # options as JSON text (true, ["none"]), not Python reprs; still autoescaped as text
    env.filters["json_text"] = lambda v: json.dumps(v, ensure_ascii=False, default=str)
    return env


@dataclass(frozen=True)
class StorageRow:
    origin: str
    kind: str
    key: str
    phases: tuple[Phase, ...]
    shape: str
    length: int
    value: str | None


def _storage(scan: Scan) -> list[StorageRow]:
    rows: dict[tuple[str, str, str], tuple[StorageEntry, list[Phase]]] = {}
    for phase in scan.phases:
        for entry in phase.storage:
            item = rows.setdefault((entry.origin, entry.kind.value, entry.key), (entry, []))
            if phase.name not in item[1]:
                item[1].append(phase.name)
    return [
        StorageRow(
            origin=e.origin,
            kind=e.kind.value,
            key=e.key,
            phases=tuple(p for p in PHASE_ORDER if p in phases),
            shape=e.value.shape.value,
            length=e.value.length,
            value=e.value.value,
        )
        for (_, _, _), (e, phases) in sorted(rows.items())
    ]


def _chart(scan: Scan) -> dict[str, Any]:
    counts = categories_by_phase(scan)
    totals = {p: sum(counts[p].values()) for p in PHASE_ORDER}
    scale = max([*totals.values(), 1])
    return {"counts": counts, "totals": totals, "scale": scale}


def _needing_consent(cookies: list[ClassifiedCookie], phase: Phase) -> list[str]:
    return [c.name for c in cookies if phase in c.phases and not c.classification.exempt]


#: bidirectional classes that can reorder the text around them (right-to-left letters,
#: embeddings, overrides, isolates)
_BIDI_CLASSES = frozenset(
    {"R", "AL", "RLE", "RLO", "LRE", "LRO", "PDF", "RLI", "LRI", "FSI", "PDI"}
)


def _isolated(name: str) -> str:
    """A site's name inside our sentence: when it could reorder the words after it (a U+202E
    in a cookie name), it is wrapped in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE."""
    if any(unicodedata.bidirectional(c) in _BIDI_CLASSES for c in name):
        return "\u2068" + name + "\u2069"
    return name


def _name_list(names: list[str], t: Translator, limit: int = 6) -> str:
    """A readable list for a sentence: a verdict never turns into a wall of cookie names."""
    names = [_isolated(n) for n in names]
    if len(names) <= limit:
        return ", ".join(names)
    return t("and_more", names=", ".join(names[:limit]), n=len(names) - limit)


def _common(lang: Lang) -> dict[str, Any]:
    t = Translator(lang)
    return {
        "t": t,
        "lang": lang.value,
        "css": asset("report.css"),
        "js": asset("report.js"),
        "phases": PHASE_ORDER,
        "categories": CATEGORY_ORDER,
        "colours": CATEGORY_COLOURS,
        "days": lambda d: format_days(d, t),
        "name_list": lambda names: _name_list(names, t),
        # findings in the report's language (scans saved before messages: their English text)
        "finding_title": lambda f: finding_title(f, lang.value),
        "finding_text": lambda f: finding_explanation(f, lang.value),
        "evidence_detail": lambda e: evidence_detail(e, lang.value),
        "legal": lambda f: finding_legal_reference(f, lang.value),
    }


#: the sections of a scan report, in order (a fragment may show some of them)
SCAN_SECTIONS: tuple[str, ...] = (
    "verdict",
    "phases",
    "cookies",
    "hosts",
    "storage",
    "findings",
    "metadata",
)


def render_scan_html(scan: Scan, lang: Lang) -> str:
    return environment().get_template("report.html.j2").render(_scan_context(scan, lang))


def render_scan_fragment(scan: Scan, lang: Lang, sections: Iterable[str] = SCAN_SECTIONS) -> Markup:
    """Some sections of the report as an HTML fragment for a page of our own (the dashboard),
    which brings the stylesheet and script (report.css, report.js) as files of its own."""
    wanted = tuple(sections)
    unknown = set(wanted) - set(SCAN_SECTIONS)
    if unknown:
        raise ReportError(f"unknown report sections: {', '.join(sorted(unknown))}")
    context = _scan_context(scan, lang) | {"sections": wanted}
    html = environment().get_template("_scan_body.html.j2").render(context)
    return Markup(html)  # noqa: S704 - rendered by our autoescaping templates


def render_diff_fragment(diff: ScanDiff, lang: Lang) -> Markup:
    """What changed, as an HTML fragment for a page of our own."""
    context = _common(lang) | {"diff": diff, "new_groups": group_findings(diff.findings_new)}
    html = environment().get_template("_diff_body.html.j2").render(context)
    return Markup(html)  # noqa: S704 - rendered by our autoescaping templates


def _scan_context(scan: Scan, lang: Lang) -> dict[str, Any]:
    t = Translator(lang)
    cookies = distinct_cookies(scan)
    findings = sorted_findings(scan.findings)
    groups = group_findings(scan.findings)
    pages = {(v.final_url or v.url): v for p in scan.phases for v in p.pages}
    skipped = {(s.url, s.reason.value): s for p in scan.phases for s in p.skipped}
    context = _common(lang) | {
        "scan": scan,
        "status": overall_status(scan),
        "scan_status": scan_status(scan).value,
        "findings": findings,
        "finding_groups": groups,
        "top_findings": groups[:3],
        "cookies": cookies,
        "lifetime": lambda c: cookie_lifetime(c, t),
        "sort_days": sort_days,
        "chart": _chart(scan),
        "hosts": third_party_hosts(scan),
        "storage": _storage(scan),
        "pages": list(pages.values()),
        "skipped": list(skipped.values()),
        "banners": {p.name: p.banner for p in scan.phases},
        # only the consent states this scan visited (a failed or partial scan may lack some)
        "phases": [p for p in PHASE_ORDER if any(r.name == p for r in scan.phases)],
        "before_consent": _needing_consent(cookies, Phase.NONE),
        "after_reject": _needing_consent(cookies, Phase.REJECT),
        "has_reject": any(p.name == Phase.REJECT for p in scan.phases),
        # without classification every cookie is "unknown": never call them all consent-needing
        "classified": bool(scan.cookies) or not cookies,
        "before_any": [c.name for c in cookies if Phase.NONE in c.phases],
        "sections": SCAN_SECTIONS,
    }
    return context


def render_diff_html(diff: ScanDiff, lang: Lang) -> str:
    context = _common(lang) | {"diff": diff, "new_groups": group_findings(diff.findings_new)}
    return environment().get_template("diff.html.j2").render(context)
