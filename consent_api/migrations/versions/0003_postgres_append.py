"""PostgreSQL: append a record to a site's chain in one statement (``consent_append``).

The function locks the site's row, answers a replay with the stored record, refuses a choice
older than the visitor's latest one, numbers the record, stamps ``recorded_at``, hashes it and
moves the head: one round trip per stored consent instead of two, and no client round trip while
the chain is locked.

Durability without holding the lock across a flush to disk: ``consent_append`` commits
asynchronously (``synchronous_commit`` off for its own transaction), so the site's row is free
as soon as the record is in the write-ahead log, not after the log reaches the disk. The caller
then runs ``consent_flush()``, a transaction of its own that takes a transaction id and
commits synchronously: its commit record comes after the append's in the log, and the log is
flushed in order, so once it returns the appended record is on disk too. Only then is the
record acknowledged. Appends that wait for the same flush share one (PostgreSQL's own group
commit). A crash between the two loses only records nobody was told were stored, and never a
record whose successor was acknowledged (its successor's flush covered it).

The hash is SHA-256 over the record's canonical JSON, which the caller
hands in as the text before ``prev_hash`` and the text after ``seq`` (the three fields only
known under the lock sit together in sorted key order: ``prev_hash``, ``recorded_at``,
``seq``), so the canonical form stays defined in Python (:mod:`consent_api.verifier`).
SQLite keeps the Python path (:mod:`consent_api.chain`).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND = """
CREATE OR REPLACE FUNCTION consent_append(
    p_site_id integer, p_consent_id text, p_choices text, p_action text,
    p_policy_version text, p_banner_revision integer, p_language text, p_page_url text,
    p_user_agent text, p_gpc boolean, p_ip text, p_client_ts text, p_source text,
    p_idempotency_key text, p_before text, p_after text)
RETURNS TABLE (outcome text, out_seq bigint, out_recorded_at text, out_hash text,
    cp_seq bigint, cp_hash text, cp_signed_at text, cp_key_id text, cp_public_key text,
    cp_signature text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_seq bigint;
    v_prev text;
    v_last_ts text;
BEGIN
    -- The commit does not wait for its flush to disk, so the site's row is unlocked at once;
    -- the caller makes the record durable before acknowledging it (see consent_flush).
    PERFORM set_config('synchronous_commit', 'off', true);
    SELECT s.head_seq, s.head_hash INTO v_seq, v_prev
        FROM sites s WHERE s.id = p_site_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown site %', p_site_id USING ERRCODE = 'no_data_found';
    END IF;
    SELECT r.seq, r.recorded_at, r.hash INTO out_seq, out_recorded_at, out_hash
        FROM consent_records r
        WHERE r.site_id = p_site_id AND r.idempotency_key = p_idempotency_key;
    IF FOUND THEN
        outcome := 'replayed';
    ELSE
        IF p_client_ts IS NOT NULL THEN
            SELECT r.client_ts INTO v_last_ts FROM consent_records r
                WHERE r.site_id = p_site_id AND r.consent_id = p_consent_id
                ORDER BY r.seq DESC LIMIT 1;
        END IF;
        IF v_last_ts IS NOT NULL AND p_client_ts < v_last_ts THEN
            outcome := 'out_of_order';
        ELSE
            outcome := 'stored';
            out_seq := v_seq + 1;
            out_recorded_at := to_char(
                clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
            out_hash := encode(sha256(convert_to(
                p_before || v_prev || '","recorded_at":"' || out_recorded_at || '","seq":'
                || out_seq::text || p_after, 'UTF8')), 'hex');
            INSERT INTO consent_records (site_id, seq, consent_id, recorded_at, choices,
                action, policy_version, banner_revision, language, page_url, user_agent, gpc,
                ip, client_ts, source, prev_hash, hash_version, hash, idempotency_key)
            VALUES (p_site_id, out_seq, p_consent_id, out_recorded_at, p_choices, p_action,
                p_policy_version, p_banner_revision, p_language, p_page_url, p_user_agent,
                p_gpc, p_ip, p_client_ts, p_source, v_prev, 2, out_hash, p_idempotency_key);
            UPDATE sites SET head_seq = out_seq, head_hash = out_hash WHERE id = p_site_id;
        END IF;
    END IF;
    SELECT c.seq, c.hash, c.signed_at, c.key_id, c.public_key, c.signature
        INTO cp_seq, cp_hash, cp_signed_at, cp_key_id, cp_public_key, cp_signature
        FROM checkpoints c WHERE c.site_id = p_site_id ORDER BY c.seq DESC LIMIT 1;
    RETURN NEXT;
END
$$
"""


FLUSH = """
CREATE OR REPLACE FUNCTION consent_flush() RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$ BEGIN RETURN txid_current(); END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND)
        op.execute(FLUSH)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION IF EXISTS consent_append(integer, text, text, text, text, integer,"
            " text, text, text, boolean, text, text, text, text, text, text)"
        )
        op.execute("DROP FUNCTION IF EXISTS consent_flush()")
