"""Alembic environment of the audits' tables (branch `audits`); runs on a connection handed
in by `audits.db.upgrade`."""

from __future__ import annotations

from alembic import context

from audits.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
context.run_migrations()
