"""PostgreSQL: ``consent_append`` keeps no plan of the visitor lookup while the site is young.

0005 let PostgreSQL keep the plan of the lookup of a visitor's latest choice. A server keeps
the plan it makes at a connection's sixth call; on a new database that call comes while the
table holds a few rows, where every index that starts with ``site_id`` costs the same to the
planner, and one kept plan in three or four walked the site's records, newest first, through
the ``(site_id, seq)`` index at every later append (``python -m benchmarks consent_api``: one
run in four at 850-990 stored/s, with 2,000-3,000 walks reading 4-10 million index entries,
against 1,400-1,600 for the others; seen in the server's log with ``auto_explain``: a generic
plan, ``Index Cond: (site_id = $1)``, ``Filter: consent_id = $2``). The plan stayed until the
next ANALYZE, a minute later in production and never in a ten-second run.

Now the lookup is planned with its values at every call (0004's ``EXECUTE``) while the site's
chain is shorter than ``YOUNG`` entries, when such a plan costs little and a walk could only
read a few hundred entries; the kept plan (0005's statement) is made once the chain is that
long, its records in the table (unless a purge removed them, long after the table's first
statistics), where the search of the ``(site_id, consent_id, seq)`` index is the cheaper by
far whatever the statistics. Outcomes, hash and durability are unchanged.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from types import ModuleType

from alembic import op

from database.migrate import sibling_revision

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: a site's chain length from which the lookup's plan is kept
YOUNG = 1000

_KEPT_LOOKUP = """        -- a kept plan: the (site, consent, seq) index (see migration 0005)
        SELECT r.client_ts INTO v_last_ts FROM consent_records r
            WHERE r.site_id = p_site_id AND r.consent_id = p_consent_id
            ORDER BY r.seq DESC LIMIT 1;
"""
_YOUNG_OR_KEPT = f"""        IF v_seq < {YOUNG} THEN
            -- a young site: planned with its values at every call, never kept (a plan made
            -- on a few rows may walk the site's records; see migration 0006)
            EXECUTE 'SELECT r.client_ts FROM consent_records r'
                ' WHERE r.site_id = $1 AND r.consent_id = $2 ORDER BY r.seq DESC LIMIT 1'
                INTO v_last_ts USING p_site_id, p_consent_id;
        ELSE
            -- a kept plan: the (site, consent, seq) index (see migration 0005)
            SELECT r.client_ts INTO v_last_ts FROM consent_records r
                WHERE r.site_id = p_site_id AND r.consent_id = p_consent_id
                ORDER BY r.seq DESC LIMIT 1;
        END IF;
"""  # noqa: S608 (a constant)


def _revision_0005() -> ModuleType:
    return sibling_revision(__file__, "0005_append_static_lookup.py")


def append_function() -> str:
    previous: str = _revision_0005().append_function()
    if previous.count(_KEPT_LOOKUP) != 1:
        raise AssertionError("0005's consent_append is not the text 0006 changes")
    return previous.replace(_KEPT_LOOKUP, _YOUNG_OR_KEPT)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(append_function())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_revision_0005().append_function())
