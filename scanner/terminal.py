"""What `cookie-audit scan` prints: the one-screen summary for people, `--json` for scripts.

Pure functions of saved scans (no browser, no terminal): `summary_lines` lays a scan out for a
given width, `json_document` builds the machine-readable summary of a whole command (several
URLs give one document).

The layout never cuts a word: numbers sit in fixed columns, and what is variable (the banner's
platform, the cookie categories, finding titles and notes) goes on indented lines below, wrapped
between items; a status or a category name is never abbreviated or split. Only a single word
wider than the whole line (a 100-character cookie name, a long path) is broken, and the output
paths are printed whole so they can be copied.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanner.model import Banner, BannerStatus, ConsentApiUse, Finding, PhaseResult, Scan

#: version of the `--json` document (bump the major on a change a script could trip on)
JSON_FORMAT = "cookie-audit/scan-summary/1"
#: findings listed on screen (the rest are in scan.json and the report)
MAX_FINDINGS = 8
MAX_NOTES = 5
MIN_WIDTH = 40
_INDENT = "    "

_COLUMNS = ("phase", "banner", "pages", "skipped", "cookies", "3rd-party")
_WIDTHS = (7, 14, 6, 8, 8, 10)  # "not_attempted" (13) + 1 is the widest banner status
_TABLE_WIDTH = sum(_WIDTHS)


def _wrap(text: str, width: int, indent: str = _INDENT, first: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=True,  # only words longer than the whole line
    ) or [indent.rstrip()]


def _items(label: str, items: Sequence[str], width: int) -> list[str]:
    """`label: a, b, c` wrapped between items, never inside one (unless wider than a line)."""
    if not items:
        return []
    lines: list[str] = []
    current = f"{_INDENT}{label}: "
    for n, item in enumerate(items):
        piece = item + ("," if n < len(items) - 1 else "")
        if len(current) + len(piece) > width and current.strip() != f"{label}:":
            lines.append(current.rstrip())
            current = _INDENT * 2
        if len(current) + len(piece) > width:
            wrapped = _wrap(piece, width, _INDENT * 2, first=current)
            lines.extend(wrapped[:-1])
            current = wrapped[-1]
        else:
            current += piece
        current += " "
    lines.append(current.rstrip())
    return lines


def _row(cells: Sequence[str]) -> str:
    out = ""
    for n, (cell, width) in enumerate(zip(cells, _WIDTHS, strict=True)):
        out += cell.ljust(width) if n < 2 else cell.rjust(width)
    return out.rstrip()


def banner_words(banner: Banner) -> str:
    """The banner's platform and how the choice was made, in a few words ("" when nothing)."""
    parts = []
    if banner.cmp:
        parts.append(banner.cmp)
    if banner.first_layer_reject is False:
        parts.append("no reject on the first layer")
    if banner.layer is not None and banner.status is BannerStatus.SUCCEEDED:
        parts.append(f"clicked in the {banner.layer.value.replace('_', ' ')}")
    if banner.method:
        parts.append(f"by {banner.method}")
    return ", ".join(parts)


def finding_line(finding: Finding) -> str:
    """`[severity] title: subject` (the subject when the title does not already name it)."""
    line = f"[{finding.severity.value}] {finding.title}"
    if finding.subject and finding.subject not in finding.title:
        line += f": {finding.subject}"
    return line


def _phase_lines(scan: Scan, phase: PhaseResult, width: int) -> list[str]:
    counts = scan.summary.categories_by_phase.get(phase.name.value, {}) if scan.summary else {}
    numbers = (
        str(len(phase.pages)),
        str(len(phase.skipped)),
        str(len(phase.cookies)),
        str(len(phase.third_party_hosts)),
    )
    if width >= _TABLE_WIDTH:
        lines = [_row((phase.name.value, phase.banner.status.value, *numbers))]
    else:  # too narrow for the columns: the numbers stack under the phase, named
        lines = [f"{phase.name.value} {phase.banner.status.value}"]
        named = [f"{c} {n}" for c, n in zip(_COLUMNS[2:], numbers, strict=True)]
        lines.extend(_items("counts", named, width))
    words = banner_words(phase.banner)
    if words:
        lines.extend(_wrap(f"banner: {words}", width, _INDENT * 2, first=_INDENT))
    lines.extend(_items("by category", [f"{k} {v}" for k, v in counts.items()], width))
    if phase.consent_api is not None:
        lines.extend(_items("consent API", consent_words(phase.consent_api), width))
    return lines


def consent_words(use: ConsentApiUse) -> list[str]:
    """What the banner posted to the consent API in a phase, and what became of it."""
    if not use.posts:
        return ["no choice posted"]
    out = []
    for post in use.posts:
        words = f"{post.action or '?'} "
        if post.status is None:
            words += f"not answered ({post.error})" if post.error else "not answered"
        elif post.error:
            words += f"refused ({post.status} {post.error})"
        else:
            words += f"recorded (seq {post.seq})"
        if post.read_back is not None:
            words += f", read back: {post.read_back.value}"
        out.append(words)
    return out


def summary_lines(
    scan: Scan, width: int, scan_json: Path | None = None, report_html: Path | None = None
) -> list[str]:
    """The summary of one scan, every line at most `width` characters (paths excepted)."""
    width = max(MIN_WIDTH, width)
    lines = _wrap(f"{scan.target} ({scan.site})", width, "")
    if width >= _TABLE_WIDTH:
        lines.append(_row(_COLUMNS))
    for phase in scan.phases:
        lines.extend(_phase_lines(scan, phase, width))
    if scan.summary:
        sev = [f"{k} {v}" for k, v in scan.summary.findings_by_severity.items()] or ["none"]
        lines.append(f"status: {scan.summary.status.value}")
        lines.extend(_items("findings", sev, width))
    ranked = sorted(scan.findings, key=lambda f: -f.severity.rank)
    for f in ranked[:MAX_FINDINGS]:
        lines.extend(_wrap(finding_line(f), width, _INDENT * 2, first=_INDENT))
    if len(ranked) > MAX_FINDINGS:
        lines.append(f"{_INDENT}... and {len(ranked) - MAX_FINDINGS} more in the report")
    for note in scan.notes[:MAX_NOTES]:
        lines.extend(_wrap(f"note: {note}", width, _INDENT * 2, first=_INDENT))
    if scan_json is not None:
        lines.append(f"scan.json:   {scan_json}")
    if report_html is not None:
        lines.append(f"report.html: {report_html}")
    return lines


def _banner_json(banner: Banner) -> dict[str, Any]:
    return banner.model_dump(mode="json", exclude={"detail"})


def site_document(
    scan: Scan, scan_json: Path | None = None, report_html: Path | None = None
) -> dict[str, Any]:
    """One scanned site in the `--json` document."""
    summary = scan.summary
    return {
        "target": scan.target,
        "site": scan.site,
        "status": summary.status.value if summary else None,
        "verdict": summary.verdict if summary else None,
        "interrupted": scan.interrupted,
        "duration_s": scan.duration_s,
        "scan_json": str(scan_json) if scan_json else None,
        "report_html": str(report_html) if report_html else None,
        "phases": [
            {
                "name": p.name.value,
                "banner": _banner_json(p.banner),
                "pages": len(p.pages),
                "skipped": len(p.skipped),
                "cookies": len(p.cookies),
                "categories": (
                    summary.categories_by_phase.get(p.name.value, {}) if summary else {}
                ),
                "third_party_hosts": len(p.third_party_hosts),
                "consent_api": (
                    p.consent_api.model_dump(mode="json", exclude={"categories", "required"})
                    if p.consent_api
                    else None
                ),
            }
            for p in scan.phases
        ],
        "findings_by_severity": summary.findings_by_severity if summary else {},
        "findings": [
            {
                "rule_id": f.rule_id,
                "severity": f.severity.value,
                "subject": f.subject,
                "title": f.title,
                "verify": f.verify,
            }
            for f in sorted(scan.findings, key=lambda f: -f.severity.rank)
        ],
        "notes": list(scan.notes),
    }


def json_document(
    sites: Sequence[dict[str, Any]], failures: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """The whole command: every site scanned (in order) and every site that could not be."""
    return {
        "format": JSON_FORMAT,
        "sites": list(sites),
        "failed": [{"url": url, "error": error} for url, error in failures],
        "interrupted": any(s.get("interrupted") for s in sites),
    }


__all__ = [
    "JSON_FORMAT",
    "banner_words",
    "consent_words",
    "finding_line",
    "json_document",
    "site_document",
    "summary_lines",
]
