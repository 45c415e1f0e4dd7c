"""PostgreSQL: ``consent_append`` looks up the visitor's latest choice with a plan it keeps.

0004 planned that lookup again at every call (``EXECUTE``), so that a plan made while the
table was small or its statistics stale could not stay: the parse and the plan cost about a
fifth of PostgreSQL's CPU per append (``python -m benchmarks consent_api``: 0.39-0.41 ms per
stored consent, 0.31 ms with a kept plan). Kept plans are safe now because the two things that
made a kept plan walk the site's records are taken away:

- a sequential scan, which the planner prefers on a table of a few rows and which a kept plan
  would go on using as the table grows: the function turns ``enable_seqscan`` off for its own
  transaction (every statement it runs has an index made for it);
- statistics that say a visitor's id is common: sampled while a site had a few records of one
  visitor, they make a walk of the ``(site_id, seq)`` index, newest first, look cheaper than a
  search of the ``(site_id, consent_id, seq)`` index, and a plan made on them stays until the
  next ANALYZE (tested: 30 records of one visitor analyzed, then 20,000 other visitors: the
  generic plan walked). ``n_distinct`` of ``consent_id`` is set to -0.5 (a visitor has about
  two records; the estimate scales with the table) and of ``idempotency_key`` to -1 (unique),
  so ANALYZE never stores a small count for them.

The replay path (a stored record read back, rare) keeps 0004's ``EXECUTE``. Outcomes, hash and
durability are unchanged (see 0003's docstring).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from types import ModuleType

from alembic import op

from database.migrate import sibling_revision

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# 0004's function, changed in two places (checked: a revision file never changes)
_SET_SYNC = "    PERFORM set_config('synchronous_commit', 'off', true);\n"
_SEQSCAN_OFF = (
    _SET_SYNC + "    -- every statement below has its index: a kept plan never scans the table\n"
    "    PERFORM set_config('enable_seqscan', 'off', true);\n"
)
_DYNAMIC_LOOKUP = (
    "        -- planned with its values at every call (EXECUTE): a cached plan could walk the\n"
    "        -- site's records in seq order instead of searching the (site, consent, seq) index\n"
    "        EXECUTE 'SELECT r.client_ts FROM consent_records r'\n"
    "            ' WHERE r.site_id = $1 AND r.consent_id = $2 ORDER BY r.seq DESC LIMIT 1'\n"
    "            INTO v_last_ts USING p_site_id, p_consent_id;\n"
)
_STATIC_LOOKUP = """        -- a kept plan: the (site, consent, seq) index (see migration 0005)
        SELECT r.client_ts INTO v_last_ts FROM consent_records r
            WHERE r.site_id = p_site_id AND r.consent_id = p_consent_id
            ORDER BY r.seq DESC LIMIT 1;
"""
N_DISTINCT = {"consent_id": -0.5, "idempotency_key": -1}


def _revision_0004() -> ModuleType:
    return sibling_revision(__file__, "0004_append_plans.py")


def append_function() -> str:
    previous: str = _revision_0004().APPEND
    if previous.count(_SET_SYNC) != 1 or previous.count(_DYNAMIC_LOOKUP) != 1:
        raise AssertionError("0004's consent_append is not the text 0005 changes")
    return previous.replace(_SET_SYNC, _SEQSCAN_OFF).replace(_DYNAMIC_LOOKUP, _STATIC_LOOKUP)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(append_function())
        for column, value in N_DISTINCT.items():
            op.execute(
                f"ALTER TABLE consent_records ALTER COLUMN {column} SET (n_distinct = {value})"
            )
        op.execute("ANALYZE consent_records")  # the counts above apply from the next ANALYZE


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_revision_0004().APPEND)
        for column in N_DISTINCT:
            op.execute(f"ALTER TABLE consent_records ALTER COLUMN {column} RESET (n_distinct)")
