"""The product's one Alembic environment (see :mod:`database.migrate`).

Migrations always run on the connection that :func:`database.upgrade` hands in, inside its
transaction and lock; there is no URL in the configuration. Revisions are written by hand (or
with ``alembic.command.revision(database.alembic_config(), ..., head="LABEL@head")``), so no
metadata is needed here and this package imports none of the packages it migrates.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "migrations run through database.upgrade() (cookie-audit db upgrade), which hands in "
        "a connection; offline SQL generation is not supported"
    )
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
context.run_migrations()
