"""Signed checkpoints: at an interval and on demand, the head of each site's chain is signed
with the ledger's key (kept outside the database) and published, so that copies held by the
company's auditor, a transparency log or a visitor's receipt anchor the chain.

Before signing, the entries since the previous checkpoint are verified (links, hashes, purge
signatures): the server never signs over tampering. A chain that does not verify is logged as
an error and left unsigned until someone looks.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from consent_api.chain import (
    CHECKPOINTS,
    SITES,
    chain_records,
    latest_checkpoint,
    purge_entries,
    stored_record_hash,
)
from consent_api.errors import ChainBroken
from consent_api.signing import SigningKey
from consent_api.sites import get_site
from consent_api.validation import iso
from consent_api.verifier import statement, verify_chain
from database import is_sqlite

log = logging.getLogger("consent_api")


def create_checkpoint(
    engine: Engine,
    site_key: str,
    key: SigningKey,
    keys: Mapping[str, str],
    now: datetime | None = None,
) -> dict[str, Any] | None:
    """Sign the site's current head (after verifying what came since the last checkpoint);
    returns the new checkpoint, the latest one when the head has not moved, or None for an
    empty chain. Raises :class:`ChainBroken` instead of signing a chain that does not verify."""
    with engine.connect() as conn:
        site = get_site(conn, site_key)
        latest = latest_checkpoint(conn, site)
        purges = purge_entries(conn, site)
    if site.head_seq == 0:
        return None
    if latest is not None and latest["seq"] == site.head_seq and latest["hash"] == site.head_hash:
        return latest
    start = (int(latest["seq"]), str(latest["hash"])) if latest is not None else None
    if start is not None and start[0] > site.head_seq:
        raise ChainBroken(
            f"the chain of {site_key} ends at {site.head_seq} but was signed up to {start[0]}",
            problems=[],
        )
    after = start[0] if start is not None else 0
    records = (r for r in chain_records(engine, site, after) if r["seq"] <= site.head_seq)
    report = verify_chain(
        site.site_key,
        site.id,
        purges,
        records,
        keys=keys,
        head=(site.head_seq, site.head_hash),
        start=start,
        hash_record=stored_record_hash,
    )
    if not report.ok:
        log.error("chain of %s does not verify, not signed: %s", site_key, report.problems[:5])
        raise ChainBroken(
            "The chain does not verify since the last checkpoint; it was not signed.",
            problems=report.problems[:10],
        )
    signed_at = iso(now or datetime.now(UTC))
    message = statement(
        "checkpoint", site.site_key, site.head_seq, site.head_hash, signed_at, key.key_id
    )
    values = {
        "site_id": site.id,
        "seq": site.head_seq,
        "hash": site.head_hash,
        "signed_at": signed_at,
        "key_id": key.key_id,
        "public_key": key.public_key,
        "signature": key.sign(message),
    }
    maker = sqlite_insert if is_sqlite(engine) else pg_insert
    with engine.begin() as conn:  # another process may sign the same head: keep the first
        conn.execute(maker(CHECKPOINTS).values(**values).on_conflict_do_nothing())
        stored = latest_checkpoint(conn, site)
    return stored


class CheckpointScheduler(threading.Thread):
    """Signs every site whose head moved, every ``interval`` seconds (one thread per process;
    two processes signing the same head store one checkpoint)."""

    THREAD_NAME = "ledger-checkpoints"

    def __init__(
        self, engine: Engine, key: SigningKey, keys: Mapping[str, str], interval: float
    ) -> None:
        super().__init__(name=self.THREAD_NAME, daemon=True)
        self.engine = engine
        self.key = key
        self.keys = dict(keys)
        self.interval = interval
        self.stopped = threading.Event()

    def stop(self) -> None:
        self.stopped.set()

    def run(self) -> None:
        # spread the processes of one deployment over the interval
        if self.stopped.wait(random.uniform(0, self.interval)):
            return
        while not self.stopped.is_set():
            try:
                self.tick()
            except Exception as exc:  # the database may be away for a while: try next time
                log.warning("checkpoints: %s", exc)
            if self.stopped.wait(self.interval):
                return

    def tick(self, now: datetime | None = None) -> int:
        """Sign every site that needs it; returns how many were signed."""
        moment = now or datetime.now(UTC)
        due = iso(datetime.fromtimestamp(moment.timestamp() - self.interval * 0.9, UTC))
        latest = (
            select(
                CHECKPOINTS.c.site_id,
                func.max(CHECKPOINTS.c.seq).label("seq"),
                func.max(CHECKPOINTS.c.signed_at).label("signed_at"),
            )
            .group_by(CHECKPOINTS.c.site_id)
            .subquery()
        )
        query = (
            select(SITES.c.site_key)
            .select_from(SITES.outerjoin(latest, latest.c.site_id == SITES.c.id))
            .where(
                SITES.c.head_seq > func.coalesce(latest.c.seq, 0),
                func.coalesce(latest.c.signed_at, "") < due,
            )
        )
        with self.engine.connect() as conn:
            site_keys = list(conn.execute(query).scalars())
        signed = 0
        for site_key in site_keys:
            if self.stopped.is_set():
                break
            try:
                create_checkpoint(self.engine, site_key, self.key, self.keys, moment)
                signed += 1
            except ChainBroken:
                continue  # logged by create_checkpoint
        return signed
