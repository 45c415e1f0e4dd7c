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

from textwrap import indent
from types import ModuleType

from alembic import op

from database.migrate import sibling_revision

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: a site's chain length from which the lookup's plan is kept
YOUNG = 1000


def _revision_0005() -> ModuleType:
    return sibling_revision(__file__, "0005_append_static_lookup.py")


def _young_or_kept(previous: ModuleType) -> str:
    """0005's kept lookup, and 0004's planned at every call for a young site."""
    return (
        f"        IF v_seq < {YOUNG} THEN  -- a young site (see migration 0006)\n"
        + indent(previous._DYNAMIC_LOOKUP, "    ")
        + "        ELSE\n"
        + indent(previous._STATIC_LOOKUP, "    ")
        + "        END IF;\n"
    )


def append_function() -> str:
    previous = _revision_0005()
    text: str = previous.append_function()
    if text.count(previous._STATIC_LOOKUP) != 1:
        raise AssertionError("0005's consent_append is not the text 0006 changes")
    return text.replace(previous._STATIC_LOOKUP, _young_or_kept(previous))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(append_function())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_revision_0005().append_function())
