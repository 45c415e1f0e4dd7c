"""The chain of a site: append, purge past retention, verify.

On PostgreSQL an append is one statement, its own transaction: the function ``consent_append``
(migrations 0003, 0004) locks the site's row, numbers, stamps and hashes the record (over the
canonical JSON this module hands it, :func:`hash_template`), inserts it and moves the head.
No client round trip happens while a chain is locked, and concurrent appends to other sites
never wait for each other.

On SQLite, appends from the threads of one process are written in batches
(:mod:`consent_api.groupcommit`): the leader takes the writer queue and ``BEGIN IMMEDIATE``,
reads the heads and what is stored for the batch's consent ids, numbers and hashes the new
records, inserts them and moves the heads, and commits once.

Idempotency is enforced by the database: every record carries a unique
``(site_id, idempotency_key)``; a post whose key is stored already is answered with the stored
record's receipt and stores nothing (the check runs under the chain's lock; the unique index
is the guarantee).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import operator
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)

from consent_api.errors import ChainBroken, Conflict, NotFound
from consent_api.groupcommit import GroupCommitter, Slot
from consent_api.models import Checkpoint, ConsentRecord, PurgeLog, Site
from consent_api.signing import SigningKey
from consent_api.sites import SiteView, get_site
from consent_api.validation import Draft, iso
from consent_api.verifier import (
    V2_RECORD_FIELDS,
    Report,
    dumps,
    purge_hash,
    record_hash,
    statement,
    verify_chain,
)
from database import (
    PreparedStatement,
    is_sqlite,
    postgres_autocommit,
    sqlite_write_cursor,
    write_transaction,
)

log = logging.getLogger("consent_api")

RECORDS = cast(Table, ConsentRecord.__table__)
PURGES = cast(Table, PurgeLog.__table__)
SITES = cast(Table, Site.__table__)
CHECKPOINTS = cast(Table, Checkpoint.__table__)

# A record's columns: the fields its hash covers (the verifier's list is the reference), the hash
# version and the hash; stored with the site and the replay key.
HASHED_RECORD_COLUMNS = (*V2_RECORD_FIELDS, "hash_version", "hash")
INSERT_COLUMNS = ("site_id", *HASHED_RECORD_COLUMNS, "idempotency_key")
_HASHED_SELECT = [RECORDS.c[name] for name in HASHED_RECORD_COLUMNS]
CHECKPOINT_COLUMNS = ("seq", "hash", "signed_at", "key_id", "public_key", "signature")


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the poster gets back: the record's place and hash in the site's chain, and the
    latest signed checkpoint (which anchors everything before it)."""

    consent_id: str
    seq: int
    recorded_at: str
    hash: str
    checkpoint: dict[str, Any] | None
    replayed: bool = False

    def json(self) -> dict[str, Any]:
        return {
            "consent_id": self.consent_id,
            "seq": self.seq,
            "recorded_at": self.recorded_at,
            "hash": self.hash,
            "checkpoint": self.checkpoint,
        }


@functools.lru_cache(maxsize=64)
def _sql(ids: int, keys: int) -> dict[str, str]:
    """SQLite's append statements for a batch of ``ids`` consent ids and ``keys`` idempotency
    keys, built from the constant column lists above (every value is a bound parameter:
    nothing from a request reaches the SQL text)."""
    ids_in = f"IN ({', '.join('?' * ids)})"
    keys_in = f"IN ({', '.join('?' * keys)})"
    cps = ", ".join(f"c.{c}" for c in CHECKPOINT_COLUMNS)
    stored = (
        "SELECT consent_id, seq, recorded_at, hash, client_ts, idempotency_key"
        " FROM consent_records WHERE site_id = ?"
    )
    return {
        "head": f"SELECT s.head_seq, s.head_hash, {cps} FROM sites s LEFT JOIN checkpoints c"  # noqa: S608
        " ON c.id = (SELECT id FROM checkpoints WHERE site_id = s.id ORDER BY seq DESC LIMIT 1)"
        " WHERE s.id = ?",
        # two index searches (a consent's records, a replay's key), never a scan of the site
        # (UNION ALL: a row found by both searches comes twice, which _plan takes as once)
        "stored": f"{stored} AND consent_id {ids_in} UNION ALL {stored} AND idempotency_key"
        f" {keys_in}",
        "insert": f"INSERT INTO consent_records ({', '.join(INSERT_COLUMNS)})"  # noqa: S608
        f" VALUES ({', '.join(['?'] * len(INSERT_COLUMNS))})",
        "move_head": "UPDATE sites SET head_seq = ?, head_hash = ? WHERE id = ?",
    }


# The fields a record's hash covers that are only known under the chain's lock; in the sorted
# keys of its canonical JSON they follow one another (see hash_template).
_CHAIN_FIELDS = ("prev_hash", "recorded_at", "seq")
#: The fields of a draft that the chain stores as they are (a hashed record's fields but the
#: chain's), in the order of ``consent_append``'s parameters (migration 0004).
DRAFT_FIELDS = tuple(n for n in V2_RECORD_FIELDS if n not in _CHAIN_FIELDS)
#: ``consent_append``'s parameters, in order (each named ``p_<name>`` in the function).
APPEND_PARAMETERS = ("site_id", *DRAFT_FIELDS, "idempotency_key", "before", "after")
_PLACEHOLDERS = ", ".join(f"${i}" for i in range(1, len(APPEND_PARAMETERS) + 1))
_APPEND = PreparedStatement("consent_append", f"SELECT * FROM consent_append({_PLACEHOLDERS})")  # noqa: S608
_FLUSH = PreparedStatement("consent_flush", "SELECT consent_flush()")


# The keys of a record's canonical JSON, sorted as json.dumps(sort_keys=True) sorts them,
# on either side of the chain's fields.
_HASHED_KEYS = sorted((*DRAFT_FIELDS, "site", "v"))
_BEFORE_KEYS = tuple(k for k in _HASHED_KEYS if k < _CHAIN_FIELDS[0])
_AFTER_KEYS = tuple(k for k in _HASHED_KEYS if k > _CHAIN_FIELDS[-1])
if len(_BEFORE_KEYS) + len(_AFTER_KEYS) != len(_HASHED_KEYS):
    raise AssertionError("a hashed field sorts between prev_hash and seq")
_encode_string = json.encoder.encode_basestring  # what json.dumps writes a string with


def _json_value(value: Any) -> str:
    """``dumps(value)`` for the values a record holds (text, integers, booleans, null)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is str:
        return _encode_string(value)
    if type(value) is int:
        return str(value)
    return dumps(value)


def hash_template(fields: Mapping[str, Any], site_key: str) -> tuple[str, str]:
    """A version-2 record's canonical JSON (:func:`consent_api.verifier.record_hash`) around
    the fields the chain gives it: the text before ``prev_hash``'s value and the text after
    ``seq``'s, so that ``before + prev_hash + '","recorded_at":"' + recorded_at + '","seq":'
    + seq + after`` is what the record's hash covers (PostgreSQL's ``consent_append`` hashes
    it under the chain's lock).

    Written key by key rather than by ``dumps`` of the record: ``fields["choices"]`` is the
    canonical JSON text of the choices already (:func:`consent_api.validation.validate` makes
    it), so it goes in as it is instead of being parsed and written again."""
    values = dict(fields)
    values["v"] = 2
    values["site"] = site_key
    values["gpc"] = bool(values["gpc"])
    choices = values.pop("choices")
    parts = [f'"{k}":{choices if k == "choices" else _json_value(values[k])}' for k in _BEFORE_KEYS]
    after = [f'"{k}":{_json_value(values[k])}' for k in _AFTER_KEYS]
    return "{" + ",".join(parts) + ',"prev_hash":"', "," + ",".join(after) + "}"


def _checkpoint(site_key: str, row: Sequence[Any]) -> dict[str, Any] | None:
    if row[0] is None:
        return None
    return {"site": site_key, **dict(zip(CHECKPOINT_COLUMNS, row, strict=True))}


# The insert's columns between recorded_at and prev_hash: the draft's, taken as they are.
_MIDDLE = operator.itemgetter(
    *INSERT_COLUMNS[INSERT_COLUMNS.index("recorded_at") + 1 : INSERT_COLUMNS.index("prev_hash")]
)
_GPC = INSERT_COLUMNS[INSERT_COLUMNS.index("recorded_at") + 1 :].index("gpc")
if INSERT_COLUMNS[:4] != ("site_id", "seq", "consent_id", "recorded_at") or INSERT_COLUMNS[
    INSERT_COLUMNS.index("prev_hash") :
] != ("prev_hash", "hash_version", "hash", "idempotency_key"):
    raise AssertionError("the insert's columns moved: _Pending.middle and _plan build its rows")


@dataclass(frozen=True, slots=True)
class _Pending:
    """A draft queued for the chain, with what the lock does not change made before it is
    taken: the canonical JSON around the chain's fields, and the insert's middle columns."""

    draft: Draft
    template: tuple[str, str]
    middle: tuple[Any, ...]

    @classmethod
    def of(cls, draft: Draft, site_key: str) -> _Pending:
        middle = _MIDDLE(draft.fields)
        # gpc as 0 or 1 (what SQLAlchemy's Boolean stores): sqlite3 binds a bool through its
        # adapter lookup, which makes and drops an AttributeError each time
        middle = (*middle[:_GPC], int(middle[_GPC]), *middle[_GPC + 1 :])
        return cls(draft, hash_template(draft.fields, site_key), middle)


@dataclass
class _Plan:
    """One site's part of a batch: rows to insert, and what each slot gets."""

    rows: list[tuple[Any, ...]]
    head: tuple[int, str]
    settle: list[tuple[Slot[_Pending, Receipt], Receipt | BaseException | int]]


class Ledger:
    """Appends to the chains of one database; one per process and engine (it owns the batch
    queue of the process's threads)."""

    def __init__(self, engine: Engine, site_keys: Mapping[int, str] | None = None) -> None:
        self.engine = engine
        self._site_keys: dict[int, str] = dict(site_keys or {})
        self._postgres = not is_sqlite(engine)
        # one append at a time per process: threads queue here, not on the site's row
        self._append_lock = threading.Lock()
        self._committer: GroupCommitter[_Pending, Receipt] = GroupCommitter(self._flush)
        # held by a thread that appends while no other thread of the process does
        self._alone = threading.Lock()

    def append(self, draft: Draft, site_key: str) -> Receipt:
        """Store one validated choice (or find it stored already); returns after the commit."""
        if self._postgres:
            return self._append_postgres(draft, site_key)
        self._site_keys[draft.site_id] = site_key
        pending = _Pending.of(draft, site_key)
        # A sync worker has one thread: its appends never meet another's in this process, so
        # the batch queue (a leader, a condition, plans per site) would be pure cost. Threads
        # that come while one writes alone queue for the next batch as usual.
        if self._alone.acquire(blocking=False):
            try:
                if not self._committer.busy:
                    return self._write_one(pending)
            finally:
                self._alone.release()
        return self._committer.submit(pending)

    def _write_one(self, pending: _Pending) -> Receipt:
        """A batch of one, written by the caller itself (the same SQL and plan as a batch)."""
        slot: Slot[_Pending, Receipt] = Slot(pending)
        with sqlite_write_cursor(self.engine) as cursor:
            moment = datetime.now(UTC)  # under the lock: recorded_at follows the chain order
            plan = self._write_site(cursor, pending.draft.site_id, (slot,), moment)
        outcome = plan.settle[0][1]
        if isinstance(outcome, BaseException):
            raise outcome
        assert isinstance(outcome, Receipt)
        return outcome

    def _append_postgres(self, draft: Draft, site_key: str) -> Receipt:
        """One statement, its own transaction: ``consent_append`` (migration 0004) locks the
        site's chain, answers a replay, numbers, stamps, hashes and inserts; its commit is the
        statement's. Concurrent appends to one site wait on the site's row, not on a client;
        the threads of one process take turns before (many waiters on one row cost PostgreSQL
        more than the wait itself: measured with gthread workers, 681 -> 961 stored/s)."""
        fields = draft.fields
        before, after = hash_template(fields, site_key)
        params = (
            draft.site_id,
            *[fields[name] for name in DRAFT_FIELDS],
            draft.idempotency_key,
            before,
            after,
        )
        with postgres_autocommit(self.engine) as connection:
            with self._append_lock:
                row = _APPEND.first_row(connection, params)
            # the append committed without waiting for the disk (the chain is free for the
            # next one); this synchronous commit flushes the log past it before we answer
            _FLUSH.first_row(connection)
        outcome, seq, recorded_at, digest, checkpoint_seq, *checkpoint = row  # all text
        if outcome == "out_of_order":
            raise _out_of_order()
        assert seq is not None and recorded_at is not None and digest is not None
        return Receipt(
            fields["consent_id"],
            int(seq),
            recorded_at,
            digest,
            _checkpoint(
                site_key, (None if checkpoint_seq is None else int(checkpoint_seq), *checkpoint)
            ),
            replayed=outcome == "replayed",
        )

    # --- the batch ---------------------------------------------------------------------------

    def _flush(self, slots: Sequence[Slot[_Pending, Receipt]]) -> None:
        # No retry on a unique-key conflict: the keys are read under the chain's lock, so only a
        # row changed outside the ledger can conflict, and reading again would not find it.
        # The driver's error (sqlite3.IntegrityError) fails the batch.
        plans = self._write_sqlite(slots)
        for plan in plans:
            for slot, outcome in plan.settle:
                if isinstance(outcome, Receipt):
                    slot.resolve(outcome)
                elif isinstance(outcome, BaseException):
                    slot.fail(outcome)
        for plan in plans:  # replays of a record stored by this very batch
            for slot, outcome in plan.settle:
                if isinstance(outcome, int):
                    first = plan.settle[outcome][1]
                    assert isinstance(first, Receipt)
                    slot.resolve(_replayed(first))

    def _groups(
        self, slots: Sequence[Slot[_Pending, Receipt]]
    ) -> dict[int, list[Slot[_Pending, Receipt]]]:
        groups: dict[int, list[Slot[_Pending, Receipt]]] = {}
        for slot in slots:
            groups.setdefault(slot.item.draft.site_id, []).append(slot)
        return dict(sorted(groups.items()))  # one lock order for every process: no deadlock

    def _write_sqlite(self, slots: Sequence[Slot[_Pending, Receipt]]) -> list[_Plan]:
        plans: list[_Plan] = []
        with sqlite_write_cursor(self.engine) as cursor:
            moment = datetime.now(UTC)  # under the lock: recorded_at follows the chain order
            for site_id, group in self._groups(slots).items():
                plans.append(self._write_site(cursor, site_id, group, moment))
        return plans

    def _write_site(
        self,
        cursor: sqlite3.Cursor,
        site_id: int,
        group: Sequence[Slot[_Pending, Receipt]],
        moment: datetime,
    ) -> _Plan:
        """One site's part of a batch, inside the batch's transaction: read the head and what
        is stored for the batch's consent ids and keys, plan, insert, move the head."""
        if len(group) == 1:  # a sync worker's every append: no lists to dedupe
            draft = group[0].item.draft
            ids, keys = [draft.consent_id], [draft.idempotency_key]
        else:
            ids = list(dict.fromkeys(s.item.draft.consent_id for s in group))
            keys = list(dict.fromkeys(s.item.draft.idempotency_key for s in group))
        sql = _sql(len(ids), len(keys))
        cursor.execute(sql["head"], (site_id,))
        head = cursor.fetchone()
        cursor.execute(sql["stored"], (site_id, *ids, site_id, *keys))
        plan = self._plan(site_id, group, head, cursor.fetchall(), moment)
        if plan.rows:
            if len(plan.rows) == 1:  # executemany costs more for one row
                cursor.execute(sql["insert"], plan.rows[0])
            else:
                cursor.executemany(sql["insert"], plan.rows)
            cursor.execute(sql["move_head"], (*plan.head, site_id))
        return plan

    def _plan(
        self,
        site_id: int,
        group: Sequence[Slot[_Pending, Receipt]],
        head_row: Sequence[Any],
        stored_rows: Iterable[Sequence[Any]],
        moment: datetime,
    ) -> _Plan:
        """Number and hash the batch's new records of one site (pure: no SQL)."""
        site_key = self._site_keys[site_id]
        head_seq, head_hash = int(head_row[0]), str(head_row[1])
        checkpoint = _checkpoint(site_key, head_row[2:])
        by_key: dict[str, Receipt | int] = {}
        latest: dict[str, tuple[int, str | None]] = {}
        for consent_id, seq, recorded_at, digest, client_ts, key in stored_rows:
            if key is not None:
                by_key[key] = Receipt(consent_id, seq, recorded_at, digest, checkpoint, True)
            if consent_id not in latest or seq > latest[consent_id][0]:
                latest[consent_id] = (seq, client_ts)
        recorded_at = iso(moment)
        rows: list[tuple[Any, ...]] = []
        settle: list[tuple[Slot[_Pending, Receipt], Receipt | BaseException | int]] = []
        for slot in group:
            draft = slot.item.draft
            known = by_key.get(draft.idempotency_key)
            if isinstance(known, Receipt):
                settle.append((slot, known))
                continue
            if isinstance(known, int):
                settle.append((slot, known))
                continue
            last = latest.get(draft.consent_id)
            if last and last[1] and draft.client_ts and draft.client_ts < last[1]:
                settle.append((slot, _out_of_order()))
                continue
            item = slot.item
            seq = head_seq + 1
            digest = chained_hash(item.template, head_hash, recorded_at, seq)
            consent_id = draft.consent_id
            rows.append(
                (
                    site_id,
                    seq,
                    consent_id,
                    recorded_at,
                    *item.middle,
                    head_hash,
                    draft.fields["hash_version"],
                    digest,
                    draft.idempotency_key,
                )
            )
            head_seq, head_hash = seq, digest
            latest[consent_id] = (seq, draft.client_ts)
            by_key[draft.idempotency_key] = len(settle)
            settle.append((slot, Receipt(consent_id, seq, recorded_at, digest, checkpoint)))
        return _Plan(rows, (head_seq, head_hash), settle)


def chained_hash(template: tuple[str, str], prev_hash: str, recorded_at: str, seq: int) -> str:
    """The record's hash (:func:`consent_api.verifier.record_hash`) from its
    :func:`hash_template`: under the chain's lock only this concatenation and one SHA-256 remain
    to do (PostgreSQL's ``consent_append`` does the same)."""
    before, after = template
    text = f'{before}{prev_hash}","recorded_at":"{recorded_at}","seq":{seq}{after}'
    return hashlib.sha256(text.encode()).hexdigest()


def stored_record_hash(record: Mapping[str, Any], site_key: str, site_id: int | None) -> str:
    """:func:`consent_api.verifier.record_hash` of a record read from the ledger, in half the
    time when it is intact: a version-2 record is hashed from its :func:`hash_template`, its
    choices taken as the canonical text the ledger stores. That text is the preimage the hash
    was made of only if the record is unchanged, so any other answer (an edited record, choices
    rewritten in another form, a version-1 record) is left to ``record_hash`` itself: the
    result is always ``record_hash``'s."""
    if record.get("hash_version") == 2 and isinstance(record.get("choices"), str):
        digest = chained_hash(
            hash_template(record, site_key),
            str(record["prev_hash"]),
            str(record["recorded_at"]),
            int(record["seq"]),
        )
        if digest == record.get("hash"):
            return digest
    return record_hash(record, site_key, site_id)


def _out_of_order() -> Conflict:
    return Conflict("A newer choice is already recorded for this consent_id.", "out_of_order")


def _replayed(receipt: Receipt) -> Receipt:
    return Receipt(
        receipt.consent_id,
        receipt.seq,
        receipt.recorded_at,
        receipt.hash,
        receipt.checkpoint,
        replayed=True,
    )


# --- reading the chain ------------------------------------------------------------------------


def purge_entries(conn: Connection, site: SiteView) -> list[dict[str, Any]]:
    """The site's purge entries, as the verifier and the export see them."""
    rows = conn.execute(
        select(PURGES).where(PURGES.c.site_id == site.id).order_by(PURGES.c.seq, PURGES.c.id)
    ).mappings()
    return [
        {
            "seq": r["seq"],
            "from_seq": r["from_seq"],
            "up_to_seq": r["up_to_seq"],
            "deleted": r["deleted"],
            "anchor_hash": r["anchor_hash"],
            "cutoff": r["cutoff"],
            "purged_at": r["purged_at_iso"],
            "prev_hash": r["prev_hash"],
            "hash": r["hash"],
            "key_id": r["key_id"],
            "signature": r["signature"],
        }
        for r in rows
    ]


def chain_records(
    engine: Engine, site: SiteView, after_seq: int = 0, batch: int = 2000
) -> Iterator[dict[str, Any]]:
    """Every record of the site after ``after_seq``, in chain order, in batches (no cursor held
    open across them), with every field a hash covers."""
    while True:
        with engine.connect() as conn:
            rows = _hashed_records(conn, site, RECORDS.c.seq > after_seq, limit=batch)
        yield from rows
        if len(rows) < batch:
            return
        after_seq = rows[-1]["seq"]


def checkpoints_of(
    conn: Connection, site: SiteView, after_seq: int = 0, limit: int | None = None
) -> list[dict[str, Any]]:
    query = (
        select(*(CHECKPOINTS.c[c] for c in CHECKPOINT_COLUMNS))
        .where(CHECKPOINTS.c.site_id == site.id, CHECKPOINTS.c.seq > after_seq)
        .order_by(CHECKPOINTS.c.seq)
    )
    if limit is not None:
        query = query.limit(limit)
    return [{"site": site.site_key, **dict(r)} for r in conn.execute(query).mappings()]


def latest_checkpoint(conn: Connection, site: SiteView) -> dict[str, Any] | None:
    row = (
        conn.execute(
            select(*(CHECKPOINTS.c[c] for c in CHECKPOINT_COLUMNS))
            .where(CHECKPOINTS.c.site_id == site.id)
            .order_by(CHECKPOINTS.c.seq.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return {"site": site.site_key, **dict(row)} if row is not None else None


def verify(
    engine: Engine,
    site_key: str,
    keys: Mapping[str, str],
    extra_checkpoints: Iterable[Mapping[str, Any]] = (),
    max_problems: int = 100,
) -> Report:
    """Walk the site's chain in the database: every record, every purge entry (hash, signature,
    range), the head stored on the site, the checkpoints stored and ``extra_checkpoints`` (an
    auditor's copy). ``keys`` are the public keys trusted for signatures."""
    with engine.connect() as conn:
        site = get_site(conn, site_key)
        purges = purge_entries(conn, site)
        stored = checkpoints_of(conn, site)
    return verify_chain(
        site.site_key,
        site.id,
        purges,
        chain_records(engine, site),
        keys=keys,
        checkpoints=[*stored, *extra_checkpoints],
        head=(site.head_seq, site.head_hash),
        max_problems=max_problems,
        hash_record=stored_record_hash,
    )


# --- purge --------------------------------------------------------------------------------


def purge(
    engine: Engine,
    site_key: str,
    key: SigningKey,
    keys: Mapping[str, str],
    now: datetime | None = None,
) -> dict[str, Any]:
    """Delete the entries older than the site's retention (always a prefix of the chain), after
    checking that prefix, and append a signed purge entry saying what was deleted."""
    moment = now or datetime.now(UTC)
    with write_transaction(engine) as conn:
        site = get_site(conn, site_key, lock=True)
        cutoff = iso(moment - timedelta(days=site.retention_days))
        first_kept = conn.execute(
            select(func.min(RECORDS.c.seq)).where(
                RECORDS.c.site_id == site.id, RECORDS.c.recorded_at >= cutoff
            )
        ).scalar_one()
        up_to = (first_kept - 1) if first_kept is not None else site.head_seq
        purges = purge_entries(conn, site)
        done = max((p["up_to_seq"] for p in purges), default=0)
        result: dict[str, Any] = {
            "site_key": site.site_key,
            "cutoff": cutoff,
            "deleted": 0,
            "from_seq": None,
            "up_to_seq": None,
        }
        if up_to <= done:
            return result
        # A purge must never erase the evidence of tampering: the prefix must verify first.
        prefix = verify_chain(
            site.site_key,
            site.id,
            purges,
            _records_up_to(conn, site, up_to),
            keys=keys,
            head=None,
            hash_record=stored_record_hash,
        )
        if not prefix.ok or prefix.last_seq < up_to:
            raise ChainBroken(
                "The entries to purge do not verify; run verify and investigate first.",
                problems=prefix.problems[:10],
            )
        anchor = _hash_of_entry(conn, site, up_to, purges)
        deleted = conn.execute(
            delete(RECORDS).where(RECORDS.c.site_id == site.id, RECORDS.c.seq <= up_to)
        ).rowcount
        seq, purged_at = site.head_seq + 1, iso(moment)
        entry: dict[str, Any] = {
            "seq": seq,
            "from_seq": done + 1,
            "up_to_seq": up_to,
            "deleted": deleted,
            "anchor_hash": anchor,
            "cutoff": cutoff,
            "purged_at": purged_at,
            "prev_hash": site.head_hash,
        }
        digest = purge_hash(entry, site.site_key)
        entry["hash"] = digest
        signed = statement("purge", site.site_key, seq, digest, purged_at, key.key_id)
        conn.execute(
            insert(PURGES).values(
                site_id=site.id,
                purged_at=moment,
                purged_at_iso=entry["purged_at"],
                cutoff=cutoff,
                seq=entry["seq"],
                from_seq=entry["from_seq"],
                up_to_seq=up_to,
                deleted=deleted,
                anchor_hash=anchor,
                prev_hash=entry["prev_hash"],
                hash=entry["hash"],
                key_id=key.key_id,
                signature=key.sign(signed),
            )
        )
        conn.execute(
            update(SITES)
            .where(SITES.c.id == site.id)
            .values(head_seq=entry["seq"], head_hash=entry["hash"])
        )
        result.update(
            deleted=deleted,
            from_seq=done + 1,
            up_to_seq=up_to,
            seq=entry["seq"],
            hash=entry["hash"],
        )
    log.info("purged %s entries %s..%s of %s", deleted, done + 1, up_to, site.site_key)
    return result


def _records_up_to(conn: Connection, site: SiteView, up_to: int) -> list[dict[str, Any]]:
    return _hashed_records(conn, site, RECORDS.c.seq <= up_to)


def _hashed_records(
    conn: Connection, site: SiteView, *where: ColumnElement[bool], limit: int | None = None
) -> list[dict[str, Any]]:
    """The site's records that match ``where``, in chain order, with every field a hash covers
    (column names looked up once, not once a row as ``mappings()`` does)."""
    result = conn.execute(
        select(*_HASHED_SELECT)
        .where(RECORDS.c.site_id == site.id, *where)
        .order_by(RECORDS.c.seq)
        .limit(limit)
    )
    names = list(result.keys())
    return [dict(zip(names, row, strict=True)) for row in result]


def _hash_of_entry(
    conn: Connection, site: SiteView, seq: int, purges: Iterable[Mapping[str, Any]]
) -> str:
    for purge_entry in purges:
        if purge_entry["seq"] == seq:
            return str(purge_entry["hash"])
    value = conn.execute(
        select(RECORDS.c.hash).where(RECORDS.c.site_id == site.id, RECORDS.c.seq == seq)
    ).scalar_one_or_none()
    if value is None:
        raise NotFound(f"entry {seq} is not in the chain", "not_found")
    return str(value)
