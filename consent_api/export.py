"""Export formats for the ledger (CSV, JSON lines), as generators so they can be streamed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from consent_api.ledger import EXPORT_FIELDS

FORMATS = ("csv", "jsonl")


def _csv_cell(value: Any) -> Any:
    """Spreadsheet formula injection: a visitor-controlled text starting with = + - @ is
    prefixed with a quote in CSV (JSON lines keep the exact stored value)."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def jsonl(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def csv_chunks(records: Iterable[dict[str, Any]], chunk: int = 65536) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for record in records:
        record["choices"] = json.dumps(record["choices"], sort_keys=True)
        writer.writerow(_csv_cell(record[f]) for f in EXPORT_FIELDS)
        if buffer.tell() > chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def render(fmt: str, records: Iterable[dict[str, Any]]) -> Iterator[str]:
    return csv_chunks(records) if fmt == "csv" else jsonl(records)
