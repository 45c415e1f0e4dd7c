"""PostgreSQL: ``consent_append`` without lookups whose plan depends on the table's size.

PL/pgSQL keeps a generic plan of each statement after five calls, made with the estimates of
that moment. On a new database (a handful of records, never analyzed) the generic plan of
0003's replay check, ``WHERE site_id = $1 AND idempotency_key = $2``, could take any index
whose first column is ``site_id`` and filter the rest: every later append of that connection
then read all the site's records. Measured with ``python -m benchmarks consent_api``: in about
one run in three, one worker's backend read 13-19 million index entries in 8 s (1,000-1,200
stored/s, 0.6-0.7 ms of PostgreSQL CPU per consent, against 2,200-2,500 and 0.2 ms when both
backends took the unique index).

Now no lookup on the hot path leaves the choice to the planner:

- the replay check is the insert itself, ``ON CONFLICT (site_id, idempotency_key) DO
  NOTHING``, whose arbiter is the unique index (one index search fewer per append, too);
  only when the insert stored nothing is the stored record read, by a statement planned with
  its values (``EXECUTE``);
- the visitor's latest ``client_ts`` (a choice older than it is refused) is read by a
  statement planned with its values, whose estimates follow the table as it grows.

The outcomes, the hash and the durability are 0003's (see its docstring).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from database.migrate import sibling_revision

revision = "0004"
down_revision = "0003"
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
    IF p_client_ts IS NOT NULL THEN
        -- planned with its values at every call (EXECUTE): a cached plan could walk the
        -- site's records in seq order instead of searching the (site, consent, seq) index
        EXECUTE 'SELECT r.client_ts FROM consent_records r'
            ' WHERE r.site_id = $1 AND r.consent_id = $2 ORDER BY r.seq DESC LIMIT 1'
            INTO v_last_ts USING p_site_id, p_consent_id;
    END IF;
    IF v_last_ts IS NULL OR p_client_ts >= v_last_ts THEN
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
            p_gpc, p_ip, p_client_ts, p_source, v_prev, 2, out_hash, p_idempotency_key)
        ON CONFLICT (site_id, idempotency_key) DO NOTHING;
        IF FOUND THEN
            outcome := 'stored';
            UPDATE sites SET head_seq = out_seq, head_hash = out_hash WHERE id = p_site_id;
        END IF;
    END IF;
    IF outcome IS NULL THEN
        -- a replay (its key is stored: answered with the stored record, even when a later
        -- choice of the visitor followed it) or a choice older than the visitor's latest
        out_seq := NULL;
        EXECUTE 'SELECT r.seq, r.recorded_at, r.hash FROM consent_records r'
            ' WHERE r.site_id = $1 AND r.idempotency_key = $2'
            INTO out_seq, out_recorded_at, out_hash USING p_site_id, p_idempotency_key;
        outcome := CASE WHEN out_seq IS NULL THEN 'out_of_order' ELSE 'replayed' END;
    END IF;
    SELECT c.seq, c.hash, c.signed_at, c.key_id, c.public_key, c.signature
        INTO cp_seq, cp_hash, cp_signed_at, cp_key_id, cp_public_key, cp_signature
        FROM checkpoints c WHERE c.site_id = p_site_id ORDER BY c.seq DESC LIMIT 1;
    RETURN NEXT;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # 0003's function, from its own file
        op.execute(sibling_revision(__file__, "0003_postgres_append.py").APPEND)
