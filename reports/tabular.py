"""CSV: one row per cookie and phase, for spreadsheets and scripts.

UTF-8 with a byte order mark (so Excel reads accents right), one header row, `\\r\\n` line
ends, and the column order below, which is stable: new columns are only ever appended.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from reports.diff import ScanDiff
from reports.facts import classification_index
from scanner.model import Scan

#: Column order of the scan CSV (documented in the README; append only).
SCAN_COLUMNS: tuple[str, ...] = (
    "site",
    "phase",
    "name",
    "domain",
    "path",
    "party",
    "category",
    "vendor",
    "exempt",
    "lifetime_days",
    "requested_lifetime_days",
    "expires",
    "http_only",
    "secure",
    "same_site",
    "set_by_kind",
    "set_by",
    "first_seen_page",
    "value_shape",
    "value_length",
    "classification_reason",
    "partition_site",
    "partition_cross_site",
)

#: Column order of the diff CSV: one row per added/removed cookie (field "category", detail =
#: the consent states it appears in), per changed cookie field, per added/removed host and per
#: new/resolved finding (name = rule id, field "severity", detail = title).
DIFF_COLUMNS: tuple[str, ...] = (
    "change",
    "subject",
    "name",
    "domain",
    "field",
    "old",
    "new",
    "detail",
    "partition_site",
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}"
    text = str(value)
    # a cell starting with = + - @ is a formula in a spreadsheet: a site controls these names
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a BOM and ``\\r\\n``; a cell a spreadsheet would read as a formula gets a
    leading quote. Every CSV a person opens (reports, the dashboard's statistics) goes here."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def scan_csv(scan: Scan) -> bytes:
    index = classification_index(scan)
    rows = []
    for phase in scan.phases:
        for c in sorted(phase.cookies, key=lambda c: c.key):
            classified = index.get(c.key)
            cl = classified.classification if classified else None
            rows.append(
                (
                    scan.site,
                    phase.name.value,
                    c.name,
                    c.domain,
                    c.path,
                    c.party.value,
                    cl.category.value if cl else "",
                    cl.vendor if cl else None,
                    cl.exempt if cl else None,
                    c.lifetime_days,
                    c.requested_lifetime_days,
                    c.expires.isoformat() if c.expires else None,
                    c.http_only,
                    c.secure,
                    c.same_site,
                    c.set_by_kind.value,
                    c.set_by,
                    c.first_seen_page,
                    c.value.shape.value,
                    c.value.length,
                    cl.reason if cl else None,
                    c.partition_site,
                    c.partition_cross_site,
                )
            )
    return write_csv(SCAN_COLUMNS, rows)


def diff_csv(diff: ScanDiff) -> bytes:
    rows: list[tuple[object, ...]] = []
    for c in diff.cookies_added:
        rows.append(
            ("added", "cookie", c.name, c.domain, "category", "", c.category, " ".join(c.phases),
             c.partition_site)
        )  # fmt: skip
    for c in diff.cookies_removed:
        rows.append(
            ("removed", "cookie", c.name, c.domain, "category", c.category, "", " ".join(c.phases),
             c.partition_site)
        )  # fmt: skip
    for change in diff.cookies_changed:
        for f in change.changes:
            rows.append(
                (
                    "changed",
                    "cookie",
                    change.cookie.name,
                    change.cookie.domain,
                    f.field,
                    f.old,
                    f.new,
                    "",
                    change.cookie.partition_site,
                )
            )
    rows.extend(("added", "host", h, "", "", "", "", "", "") for h in diff.hosts_added)
    rows.extend(("removed", "host", h, "", "", "", "", "", "") for h in diff.hosts_removed)
    rows.extend(
        ("new", "finding", f.rule_id, "", "severity", "", f.severity.value, f.title, "")
        for f in diff.findings_new
    )
    rows.extend(
        ("resolved", "finding", f.rule_id, "", "severity", f.severity.value, "", f.title, "")
        for f in diff.findings_resolved
    )
    return write_csv(DIFF_COLUMNS, rows)
