"""Exports of a site's ledger, as generators so they can be streamed.

- ``jsonl`` and ``csv``: the records (in a date range if asked), each with every field its
  hash covers, the site's key and id included.
- ``ledger``: everything an outside auditor needs to verify the chain without our database
  (:mod:`consent_api.verifier`): a header (site, head, public keys), the purge entries, the
  signed checkpoints, then every record in chain order. Never cut by dates.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from consent_api.chain import RECORDS, chain_records, checkpoints_of, purge_entries
from consent_api.errors import InvalidInput
from consent_api.sites import SiteView
from consent_api.validation import iso
from consent_api.verifier import EXPORT_FORMAT, EXPORT_VERSION

FORMATS = ("csv", "jsonl", "ledger")

EXPORT_FIELDS = (
    "seq",
    "recorded_at",
    "consent_id",
    "action",
    "choices",
    "policy_version",
    "banner_revision",
    "language",
    "page_url",
    "user_agent",
    "gpc",
    "ip",
    "client_ts",
    "source",
    "hash_version",
    "prev_hash",
    "hash",
    "site_key",
    "site_id",
)


def parse_day(value: str | None, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except (ValueError, TypeError):
        raise InvalidInput(f"{field} must be a date YYYY-MM-DD.", field=field) from None


def records(
    engine: Engine, site: SiteView, start: date | None, end: date | None, batch: int = 2000
) -> Iterator[dict[str, Any]]:
    """The site's records between two days (inclusive, UTC), in chain order."""
    after = 0
    conds: list[Any] = []
    if start is not None:
        conds.append(RECORDS.c.recorded_at >= start.isoformat())
    if end is not None:
        conds.append(RECORDS.c.recorded_at < (end + timedelta(days=1)).isoformat())
    columns = [RECORDS.c[name] for name in EXPORT_FIELDS if name not in {"site_key", "site_id"}]
    while True:
        with engine.connect() as conn:
            rows = list(
                conn.execute(
                    select(*columns)
                    .where(RECORDS.c.site_id == site.id, RECORDS.c.seq > after, *conds)
                    .order_by(RECORDS.c.seq)
                    .limit(batch)
                ).mappings()
            )
        for row in rows:
            yield _record(row, site)
        if len(rows) < batch:
            return
        after = rows[-1]["seq"]


def _record(row: Any, site: SiteView) -> dict[str, Any]:
    out = {name: row[name] for name in EXPORT_FIELDS if name in row}
    out["choices"] = json.loads(row["choices"])
    out["gpc"] = bool(row["gpc"])
    out["site_key"] = site.site_key
    out["site_id"] = site.id
    return out


def _csv_cell(value: Any) -> Any:
    """Spreadsheet formula injection: a visitor-controlled text starting with = + - @ is
    prefixed with a quote in CSV (JSON lines keep the exact stored value)."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def _line(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def jsonl(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield _line(row)


def csv_chunks(rows: Iterable[dict[str, Any]], chunk: int = 65536) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        row["choices"] = json.dumps(row["choices"], sort_keys=True)
        writer.writerow(_csv_cell(row[f]) for f in EXPORT_FIELDS)
        if buffer.tell() > chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def ledger(engine: Engine, site: SiteView, public_keys: Mapping[str, str]) -> Iterator[str]:
    """The auditor's export: header, purge entries, checkpoints, records (JSON lines)."""
    with engine.connect() as conn:
        purges = purge_entries(conn, site)
        checkpoints = checkpoints_of(conn, site)
    yield _line(
        {
            "kind": "header",
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "site_key": site.site_key,
            "site_id": site.id,
            "site_name": site.name,
            "exported_at": iso(datetime.now(UTC)),
            "head": {"seq": site.head_seq, "hash": site.head_hash},
            "public_keys": [{"key_id": k, "public_key": v} for k, v in public_keys.items()],
        }
    )
    for purge in purges:
        yield _line({"kind": "purge", **purge})
    for checkpoint in checkpoints:
        yield _line({"kind": "checkpoint", **checkpoint})
    for record in chain_records(engine, site):
        record["choices"] = json.loads(record["choices"])
        record["gpc"] = bool(record["gpc"])
        yield _line({"kind": "record", **record})


def render(
    fmt: str,
    engine: Engine,
    site: SiteView,
    start: date | None = None,
    end: date | None = None,
    public_keys: Mapping[str, str] | None = None,
) -> Iterator[str]:
    if fmt == "ledger":
        if start is not None or end is not None:
            raise InvalidInput(
                "the ledger format is the whole chain: it takes no from/to.", field="format"
            )
        return ledger(engine, site, public_keys or {})
    rows = records(engine, site, start, end)
    if fmt == "csv":
        return csv_chunks(rows)
    if fmt == "jsonl":
        return jsonl(rows)
    raise InvalidInput(f"format must be one of {', '.join(FORMATS)}.", field="format")
