"""The consent ledger: append-only records chained by SHA-256 per site.

Each record's hash is SHA-256 over the canonical JSON of its fields plus the previous record's
hash (see :func:`record_hash`). Appends are serialised per site: SQLite takes the database write
lock first (``BEGIN IMMEDIATE``), PostgreSQL locks the site row (``SELECT ... FOR UPDATE``); the
site row holds the chain head (``head_seq``, ``head_hash``), so deleting the newest record is
detected as well. A purge past retention deletes a prefix of the chain and records the hash of
the last deleted record in ``purge_log``: verification starts from that anchor.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from consent_api.errors import ApiError
from consent_api.models import GENESIS_HASH, Action, ConsentRecord, Impression, IpPolicy, PurgeLog
from consent_api.sites import SiteView, dumps, get_site
from database import is_sqlite, sqlite_write_cursor, write_transaction

RECORDS = cast(Table, ConsentRecord.__table__)
IMPRESSIONS = cast(Table, Impression.__table__)
PURGES = cast(Table, PurgeLog.__table__)

HASHED_FIELDS = (
    "site_id",
    "seq",
    "consent_id",
    "recorded_at",
    "choices",
    "action",
    "policy_version",
    "banner_revision",
    "language",
    "page_url",
    "user_agent",
    "gpc",
    "ip",
    "client_ts",
    "prev_hash",
)

ACTIONS = frozenset(a.value for a in Action)


def iso(moment: datetime) -> str:
    """UTC, microseconds, 'Z': one fixed form so hashes are reproducible on any database."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_hash(fields: Mapping[str, Any]) -> str:
    body = {name: fields[name] for name in HASHED_FIELDS}
    if isinstance(body["choices"], str):
        body["choices"] = json.loads(body["choices"])
    body["gpc"] = bool(body["gpc"])
    return hashlib.sha256(dumps(body).encode()).hexdigest()


def truncate_ip(address: str | None) -> str | None:
    """/24 for IPv4, /48 for IPv6 (the network, never the host)."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What the server itself adds to a record."""

    user_agent: str | None
    gpc: bool
    remote_addr: str | None


@dataclass(frozen=True, slots=True)
class Submission:
    """A validated POST body."""

    consent_id: str
    choices: dict[str, bool]
    action: Action
    policy_version: str
    banner_revision: int
    language: str | None
    page_url: str | None
    client_ts: str | None


def _bad(code: str, message: str, status: int = 422, **extra: Any) -> ApiError:
    return ApiError(status, code, message, **extra)


def parse_consent_id(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 36:
        raise _bad("invalid_consent_id", "consent_id must be a UUID (version 4).")
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise _bad("invalid_consent_id", "consent_id must be a UUID (version 4).") from None
    if parsed.version != 4:
        raise _bad("invalid_consent_id", "consent_id must be a UUID (version 4).")
    return str(parsed)


def _client_ts(value: Any) -> str | None:
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int | float):
            moment = datetime.fromtimestamp(value / 1000, UTC)
        elif isinstance(value, str) and len(value) <= 40:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
        else:
            raise ValueError
    except (ValueError, OverflowError, OSError):
        raise _bad(
            "invalid_field",
            "client_ts must be an ISO 8601 time or milliseconds since 1970.",
            field="client_ts",
        ) from None
    return iso(moment)


def parse_submission(body: Any, site: SiteView, *, page_url_max: int) -> Submission:
    """Check a POST body against the site: nothing is written unless all of it is valid."""
    if not isinstance(body, dict):
        raise _bad("invalid_json", "The body must be a JSON object.", 400)
    consent_id = parse_consent_id(body.get("consent_id"))
    action = body.get("action")
    if action not in ACTIONS:
        raise _bad(
            "invalid_action",
            f"action must be one of {', '.join(sorted(ACTIONS))}.",
            field="action",
        )
    raw = body.get("choices", {})
    if not isinstance(raw, dict) or not all(isinstance(v, bool) for v in raw.values()):
        raise _bad("invalid_choices", "choices must be an object category -> true/false.")
    known = site.category_ids
    unknown = sorted(k for k in raw if k not in known)
    if unknown:
        raise _bad(
            "unknown_category",
            f"Unknown category {unknown[0]!r}; this site has: {', '.join(known)}.",
            field="choices",
        )
    choices: dict[str, bool] = {}
    for category in site.categories:
        cid = category["id"]
        choices[cid] = True if category["required"] else bool(raw.get(cid, False))
    policy = body.get("policy_version")
    if not isinstance(policy, str) or policy not in site.policy_versions:
        raise _bad(
            "unknown_policy_version",
            f"Unknown policy_version; the current one is {site.policy_version!r}.",
            409,
        )
    revision = body.get("banner_revision")
    if isinstance(revision, str) and revision.isdigit() and len(revision) < 10:
        revision = int(revision)
    if (
        isinstance(revision, bool)
        or not isinstance(revision, int)
        or revision not in site.banner_revisions
    ):
        raise _bad(
            "unknown_banner_revision",
            f"Unknown banner_revision; the current one is {site.banner_revision}.",
            409,
        )
    language = body.get("language")
    if language is not None and (
        not isinstance(language, str)
        or not 0 < len(language) <= 35
        or not all(c.isascii() and (c.isalnum() or c == "-") for c in language)
    ):
        raise _bad(
            "invalid_field", "language must be a language tag like 'fr-FR'.", field="language"
        )
    page_url = body.get("page_url")
    if page_url is not None and not isinstance(page_url, str):
        raise _bad("invalid_field", "page_url must be a string.", field="page_url")
    return Submission(
        consent_id=consent_id,
        choices=choices,
        action=Action(action),
        policy_version=policy,
        banner_revision=revision,
        language=language,
        page_url=page_url[:page_url_max] if page_url else None,
        client_ts=_client_ts(body.get("client_ts")),
    )


@dataclass(frozen=True, slots=True)
class Receipt:
    record_id: int
    consent_id: str
    recorded_at: str
    hash: str
    replayed: bool = False

    def json(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "consent_id": self.consent_id,
            "recorded_at": self.recorded_at,
            "hash": self.hash,
        }


def append(
    engine: Engine,
    site_key: str,
    body: Any,
    context: RequestContext,
    *,
    page_url_max: int,
    user_agent_max: int,
    replay_window: float,
    now: datetime | None = None,
    check_site: Callable[[SiteView], None] | None = None,
) -> Receipt:
    """Validate and append one record; serialised per site (see module docstring).

    ``check_site`` sees the site row first (the public blueprint checks the request's Origin
    there, saving a separate lookup on the hot path); raising aborts without writing.

    The hot path talks to the driver directly: SQLAlchemy's statement building costs more than
    the SQL itself, and this code runs while the site's chain is locked.
    """
    if not isinstance(site_key, str) or len(site_key) > 64:
        raise ApiError(404, "unknown_site", "No site is registered with this key.")
    limits = (page_url_max, user_agent_max, replay_window)
    if engine.dialect.name == "postgresql":
        return _append_postgres(engine, site_key, body, context, limits, now, check_site)
    with sqlite_write_cursor(engine) as cursor:
        prepared = _prepare(cursor, _SQLITE_SQL, site_key, body, context, limits, now, check_site)
        if isinstance(prepared, Receipt):
            return prepared
        site, fields = prepared
        _chain(fields, site.head_seq, site.head_hash)
        cursor.execute(_SQLITE_SQL["insert"], tuple(fields[c] for c in _INSERT_COLUMNS))
        record_id = cursor.fetchone()[0]
        cursor.execute(_SQLITE_SQL["head"], (fields["seq"], fields["hash"], site.id))
    return Receipt(record_id, fields["consent_id"], fields["recorded_at"], fields["hash"])


def _append_postgres(
    engine: Engine,
    site_key: str,
    body: Any,
    context: RequestContext,
    limits: tuple[int, int, float],
    now: datetime | None,
    check_site: Callable[[SiteView], None] | None,
) -> Receipt:
    """PostgreSQL: lock the site row, chain, insert and commit in two pipelined round trips.

    Validation and the replay check run first without any lock. Then, in psycopg's pipeline
    mode, ``BEGIN; SELECT head ... FOR UPDATE`` is one round trip (the row lock queues writers
    fairly), and the insert, the head update (one CTE) and ``COMMIT`` are a second one: the
    chain is locked for about one round trip plus the commit.
    """
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        raw: Any = conn.connection.driver_connection
        cursor = raw.cursor()
        prepared = _prepare(cursor, _PG_SQL, site_key, body, context, limits, now, check_site)
        if isinstance(prepared, Receipt):
            return prepared
        site, fields = prepared
        inserted = raw.cursor()
        try:
            with raw.pipeline():
                cursor.execute("BEGIN")
                cursor.execute(_PG_SQL["lock_head"], (site.id,))
                head_seq, head_hash = cursor.fetchone()
                fields["recorded_at"] = iso(now or datetime.now(UTC))
                _chain(fields, head_seq, head_hash)
                values = tuple(fields[c] for c in _INSERT_COLUMNS)
                inserted.execute(
                    _PG_SQL["append"], (fields["seq"], fields["hash"], site.id, *values)
                )
                cursor.execute("COMMIT")
            record_id = inserted.fetchone()[0]
        except BaseException:
            if not raw.closed:
                raw.rollback()
                raw.execute("ROLLBACK")
            raise
        finally:
            cursor.close()
            inserted.close()
    return Receipt(record_id, fields["consent_id"], fields["recorded_at"], fields["hash"])


def _chain(fields: dict[str, Any], head_seq: int, head_hash: str) -> None:
    fields["seq"] = head_seq + 1
    fields["prev_hash"] = head_hash
    fields["hash"] = record_hash(fields)


def _prepare(
    cursor: Any,
    sql: dict[str, str],
    site_key: str,
    body: Any,
    context: RequestContext,
    limits: tuple[int, int, float],
    now: datetime | None,
    check_site: Callable[[SiteView], None] | None,
) -> Receipt | tuple[SiteView, dict[str, Any]]:
    """Load the site, validate the body, detect replays and out-of-order posts; return the
    record's fields without its place in the chain (or the receipt of the replayed record)."""
    page_url_max, user_agent_max, replay_window = limits
    cursor.execute(sql["site"], (site_key,))
    row = cursor.fetchone()
    if row is None:
        raise ApiError(404, "unknown_site", "No site is registered with this key.")
    site = SiteView.from_row(dict(zip(_SITE_COLUMNS, row, strict=True)))  # type: ignore[arg-type]
    if check_site is not None:
        check_site(site)
    sub = parse_submission(body, site, page_url_max=page_url_max)
    moment = now or datetime.now(UTC)
    cursor.execute(sql["last"], (site.id, sub.consent_id))
    last_row = cursor.fetchone()
    choices = dumps(sub.choices)
    if last_row is not None:
        last = dict(zip(_LAST_COLUMNS, last_row, strict=True))
        same = (
            last["choices"] == choices
            and last["action"] == sub.action.value
            and last["policy_version"] == sub.policy_version
            and last["banner_revision"] == sub.banner_revision
            and last["language"] == sub.language
            and last["page_url"] == sub.page_url
            and last["client_ts"] == sub.client_ts
        )
        age = (moment - _parse_iso(last["recorded_at"])).total_seconds()
        if same and age <= replay_window:
            return Receipt(
                last["id"], sub.consent_id, last["recorded_at"], last["hash"], replayed=True
            )
        if sub.client_ts and last["client_ts"] and sub.client_ts < last["client_ts"]:
            raise _bad(
                "out_of_order", "A newer choice is already recorded for this consent_id.", 409
            )
    ua = context.user_agent[:user_agent_max] if context.user_agent else None
    fields: dict[str, Any] = {
        "site_id": site.id,
        "consent_id": sub.consent_id,
        "recorded_at": iso(moment),
        "choices": choices,
        "action": sub.action.value,
        "policy_version": sub.policy_version,
        "banner_revision": sub.banner_revision,
        "language": sub.language,
        "page_url": sub.page_url,
        "user_agent": ua,
        "gpc": context.gpc,
        "ip": truncate_ip(context.remote_addr) if site.ip_policy is IpPolicy.TRUNCATED else None,
        "client_ts": sub.client_ts,
    }
    return site, fields


_SITE_COLUMNS = (
    "id",
    "site_key",
    "name",
    "origins",
    "categories",
    "policy_version",
    "policy_versions",
    "banner_revision",
    "banner_revisions",
    "retention_days",
    "ip_policy",
    "reconsent_after_days",
    "created_at",
    "head_seq",
    "head_hash",
)
_LAST_COLUMNS = (
    "id",
    "recorded_at",
    "choices",
    "action",
    "policy_version",
    "banner_revision",
    "language",
    "page_url",
    "client_ts",
    "hash",
)
_INSERT_COLUMNS = (*HASHED_FIELDS, "hash")


def _hot_sql(mark: str) -> dict[str, str]:
    """The hot-path statements, built from the constant column lists above (every value is a
    bound parameter: nothing from a request reaches the SQL text)."""
    marks = ", ".join([mark] * len(_INSERT_COLUMNS))
    site_cols = ", ".join(_SITE_COLUMNS)
    last_cols = ", ".join(_LAST_COLUMNS)
    insert_cols = ", ".join(_INSERT_COLUMNS)
    m = mark
    return {
        "site": f"SELECT {site_cols} FROM sites WHERE site_key = {m}",  # noqa: S608
        "last": f"SELECT {last_cols} FROM consent_records"  # noqa: S608
        f" WHERE site_id = {m} AND consent_id = {m} ORDER BY seq DESC LIMIT 1",
        "insert": f"INSERT INTO consent_records ({insert_cols})"  # noqa: S608
        f" VALUES ({marks}) RETURNING id",
        "head": f"UPDATE sites SET head_seq = {m}, head_hash = {m} WHERE id = {m}",  # noqa: S608
        # PostgreSQL: lock the head, then move it and insert in one statement.
        "lock_head": f"SELECT head_seq, head_hash FROM sites WHERE id = {m} FOR UPDATE",  # noqa: S608
        "append": f"WITH head AS (UPDATE sites SET head_seq = {m}, head_hash = {m}"  # noqa: S608
        f" WHERE id = {m} RETURNING id)"
        f" INSERT INTO consent_records ({insert_cols}) SELECT {marks} FROM head RETURNING id",
    }


_SQLITE_SQL = _hot_sql("?")
_PG_SQL = _hot_sql("%s")


def _parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _public(row: Any) -> dict[str, Any]:
    return {
        "consent_id": row["consent_id"],
        "choices": json.loads(row["choices"]),
        "action": row["action"],
        "policy_version": row["policy_version"],
        "banner_revision": row["banner_revision"],
        "recorded_at": row["recorded_at"],
    }


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
        raise ApiError(404, "not_found", "No choice is recorded for this consent_id.")
    return _public(row)


def history(conn: Connection, site: SiteView, consent_id: str) -> list[dict[str, Any]]:
    cid = parse_consent_id(consent_id)
    rows = conn.execute(
        select(RECORDS)
        .where(RECORDS.c.site_id == site.id, RECORDS.c.consent_id == cid)
        .order_by(RECORDS.c.seq)
        .limit(1000)
    ).mappings()
    records = [{**_public(r), "record_id": r["id"], "hash": r["hash"]} for r in rows]
    if not records:
        raise ApiError(404, "not_found", "No choice is recorded for this consent_id.")
    return records


def count_impression(engine: Engine, site_key: str, today: date | None = None) -> None:
    day = today or datetime.now(UTC).date()
    with write_transaction(engine) as conn:
        site = get_site(conn, site_key)
        maker = sqlite_insert if is_sqlite(conn) else pg_insert
        stmt = maker(IMPRESSIONS).values(site_id=site.id, day=day, count=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["site_id", "day"], set_={"count": IMPRESSIONS.c.count + 1}
        )
        conn.execute(stmt)


# --- export, statistics ------------------------------------------------------------------

EXPORT_FIELDS = (
    "record_id",
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
    "prev_hash",
    "hash",
)


def parse_day(value: str | None, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except (ValueError, TypeError):
        raise ApiError(
            422, "invalid_field", f"{field} must be a date YYYY-MM-DD.", field=field
        ) from None


def _range(start: date | None, end: date | None) -> list[Any]:
    conds: list[Any] = []
    if start is not None:
        conds.append(RECORDS.c.recorded_at >= start.isoformat())
    if end is not None:
        conds.append(RECORDS.c.recorded_at < (end + timedelta(days=1)).isoformat())
    return conds


def iter_records(
    engine: Engine, site: SiteView, start: date | None, end: date | None, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    """Records in chain order, fetched in batches by seq (no long-held cursor)."""
    after = 0
    while True:
        with engine.connect() as conn:
            rows = list(
                conn.execute(
                    select(RECORDS)
                    .where(RECORDS.c.site_id == site.id, RECORDS.c.seq > after, *_range(start, end))
                    .order_by(RECORDS.c.seq)
                    .limit(batch)
                ).mappings()
            )
        for row in rows:
            out = {name: row[name] for name in EXPORT_FIELDS if name != "record_id"}
            out["record_id"] = row["id"]
            out["choices"] = json.loads(row["choices"])
            out["gpc"] = bool(row["gpc"])
            yield out
        if len(rows) < batch:
            return
        after = rows[-1]["seq"]


def stats(conn: Connection, site: SiteView, start: date | None, end: date | None) -> dict[str, Any]:
    """Per day: banner shown, records per action, and per category granted/denied/opt-in rate."""
    days: dict[str, dict[str, Any]] = {}

    def day_entry(day: str) -> dict[str, Any]:
        if day not in days:
            days[day] = {
                "date": day,
                "shown": 0,
                "records": 0,
                "accepted": 0,
                "rejected": 0,
                "customised": 0,
                "withdrawn": 0,
                "gpc": 0,
                "categories": {
                    c: {"granted": 0, "denied": 0, "opt_in_rate": None} for c in site.category_ids
                },
            }
        return days[day]

    impressions = select(IMPRESSIONS.c.day, IMPRESSIONS.c.count).where(
        IMPRESSIONS.c.site_id == site.id
    )
    if start is not None:
        impressions = impressions.where(IMPRESSIONS.c.day >= start)
    if end is not None:
        impressions = impressions.where(IMPRESSIONS.c.day <= end)
    for day_value, count in conn.execute(impressions):
        day_entry(day_value.isoformat())["shown"] += count
    day_col = func.substr(RECORDS.c.recorded_at, 1, 10)
    rows = conn.execute(
        select(day_col, RECORDS.c.action, RECORDS.c.choices, func.count())
        .where(RECORDS.c.site_id == site.id, *_range(start, end))
        .group_by(day_col, RECORDS.c.action, RECORDS.c.choices)
    )
    names = {
        "accept_all": "accepted",
        "reject_all": "rejected",
        "custom": "customised",
        "withdraw": "withdrawn",
        "gpc": "gpc",
    }
    for day, action, choices, count in rows:
        entry = day_entry(day)
        entry["records"] += count
        entry[names.get(action, "customised")] += count
        for cid, granted in json.loads(choices).items():
            cat = entry["categories"].setdefault(
                cid, {"granted": 0, "denied": 0, "opt_in_rate": None}
            )
            cat["granted" if granted else "denied"] += count
    for entry in days.values():
        for cat in entry["categories"].values():
            total = cat["granted"] + cat["denied"]
            cat["opt_in_rate"] = round(cat["granted"] / total, 4) if total else None
    return {
        "site_key": site.site_key,
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "days": [days[d] for d in sorted(days)],
    }


# --- verification and purge -----------------------------------------------------------------


def verify(engine: Engine, site_key: str, max_problems: int = 100) -> dict[str, Any]:
    """Walk the chain from the last purge anchor (or genesis) to the head stored on the site."""
    with engine.connect() as conn:
        site = get_site(conn, site_key)
        anchor = (
            conn.execute(
                select(PURGES.c.up_to_seq, PURGES.c.anchor_hash)
                .where(PURGES.c.site_id == site.id)
                .order_by(PURGES.c.up_to_seq.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
    expected_seq = (anchor["up_to_seq"] if anchor else 0) + 1
    expected_prev = anchor["anchor_hash"] if anchor else GENESIS_HASH
    problems: list[dict[str, Any]] = []
    count = 0

    def problem(seq: int | None, record_id: int | None, text: str) -> None:
        if len(problems) < max_problems:
            problems.append({"seq": seq, "record_id": record_id, "problem": text})

    last_hash = expected_prev
    last_seq = expected_seq - 1
    for record in iter_records(engine, site, None, None):
        count += 1
        seq = record["seq"]
        if seq < expected_seq:
            problem(seq, record["record_id"], "record older than the purge anchor")
            continue
        if seq != expected_seq:
            problem(seq, record["record_id"], f"records {expected_seq}..{seq - 1} are missing")
        if record["prev_hash"] != expected_prev:
            problem(seq, record["record_id"], "previous-record hash does not match the chain")
        fields = dict(record, site_id=site.id)
        if record_hash(fields) != record["hash"]:
            problem(seq, record["record_id"], "record content does not match its hash")
        expected_prev = record["hash"]
        expected_seq = seq + 1
        last_hash, last_seq = record["hash"], seq
    if last_seq != site.head_seq or last_hash != site.head_hash:
        problem(
            site.head_seq,
            None,
            f"chain ends at record {last_seq} but the site's head is record {site.head_seq}",
        )
    return {
        "site_key": site.site_key,
        "ok": not problems,
        "records": count,
        "head_seq": site.head_seq,
        "head_hash": site.head_hash,
        "anchor": {"up_to_seq": anchor["up_to_seq"], "hash": anchor["anchor_hash"]}
        if anchor
        else None,
        "problems": problems,
    }


def _anchor_hash(conn: Connection, site_id: int) -> str:
    value = conn.execute(
        select(PURGES.c.anchor_hash)
        .where(PURGES.c.site_id == site_id)
        .order_by(PURGES.c.up_to_seq.desc())
        .limit(1)
    ).scalar_one()
    return str(value)


def purge(engine: Engine, site_key: str, now: datetime | None = None) -> dict[str, Any]:
    """Delete the records older than the site's retention, oldest first (a prefix of the
    chain), after logging the hash of the last deleted one as the new anchor."""
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
        previous = conn.execute(
            select(func.max(PURGES.c.up_to_seq)).where(PURGES.c.site_id == site.id)
        ).scalar_one()
        result = {"site_key": site.site_key, "cutoff": cutoff, "deleted": 0, "up_to_seq": None}
        if up_to <= (previous or 0):
            return result
        # A purge must never erase the evidence of tampering: check the prefix it deletes.
        expected_seq = (previous or 0) + 1
        expected_prev = _anchor_hash(conn, site.id) if previous else GENESIS_HASH
        anchor: str | None = None
        for row in conn.execute(
            select(RECORDS)
            .where(RECORDS.c.site_id == site.id, RECORDS.c.seq <= up_to)
            .order_by(RECORDS.c.seq)
        ).mappings():
            if (
                row["seq"] != expected_seq
                or row["prev_hash"] != expected_prev
                or record_hash(dict(row)) != row["hash"]
            ):
                anchor = None
                break
            expected_seq, expected_prev, anchor = row["seq"] + 1, row["hash"], row["hash"]
        if anchor is None or expected_seq != up_to + 1:
            raise ApiError(
                409,
                "chain_broken",
                "The records to purge do not verify; run verify and investigate first.",
            )
        deleted = conn.execute(
            delete(RECORDS).where(RECORDS.c.site_id == site.id, RECORDS.c.seq <= up_to)
        ).rowcount
        conn.execute(
            insert(PURGES).values(
                site_id=site.id,
                purged_at=moment,
                cutoff=cutoff,
                up_to_seq=up_to,
                deleted=deleted,
                anchor_hash=anchor,
            )
        )
        result.update(deleted=deleted, up_to_seq=up_to, anchor_hash=anchor)
        return result
