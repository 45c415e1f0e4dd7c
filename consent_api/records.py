"""Reading a visitor's choices back: the latest one, and the history of one consent id."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from consent_api.chain import RECORDS
from consent_api.errors import NotFound
from consent_api.sites import SiteView
from consent_api.validation import parse_consent_id


def _public(row: Any) -> dict[str, Any]:
    return {
        "consent_id": row["consent_id"],
        "seq": row["seq"],
        "choices": json.loads(row["choices"]),
        "action": row["action"],
        "policy_version": row["policy_version"],
        "banner_revision": row["banner_revision"],
        "recorded_at": row["recorded_at"],
        "hash": row["hash"],
    }


def _not_found() -> NotFound:
    return NotFound("No choice is recorded for this consent_id.")


def latest(conn: Connection, site: SiteView, consent_id: str) -> dict[str, Any]:
    cid = parse_consent_id(consent_id)
    row = (
        conn.execute(
            select(RECORDS)
            .where(RECORDS.c.site_id == site.id, RECORDS.c.consent_id == cid)
            .order_by(RECORDS.c.seq.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise _not_found()
    return _public(row)


def history(conn: Connection, site: SiteView, consent_id: str) -> list[dict[str, Any]]:
    cid = parse_consent_id(consent_id)
    rows = conn.execute(
        select(RECORDS)
        .where(RECORDS.c.site_id == site.id, RECORDS.c.consent_id == cid)
        .order_by(RECORDS.c.seq)
        .limit(1000)
    ).mappings()
    records = [_public(r) for r in rows]
    if not records:
        raise _not_found()
    return records
