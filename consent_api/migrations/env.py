"""Alembic environment: always runs on a connection handed in by consent_api.db.upgrade (or
by `alembic` with sqlalchemy.url set)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from consent_api.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as own:
            context.configure(connection=own, target_metadata=target_metadata)
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    context.run_migrations()


run()
