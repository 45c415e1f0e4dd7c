"""Alembic environment of the ``accounts`` branch, run on a connection handed in by
:func:`dashboard.db.upgrade`. Until the shared environment of ``database/`` exists it keeps its
own version table (``alembic_version_accounts``) so it never disturbs the consent ledger's."""

from __future__ import annotations

from alembic import context

from dashboard.tables import metadata

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    version_table="alembic_version_accounts",
)
context.run_migrations()
