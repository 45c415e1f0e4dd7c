"""`cookie-audit db upgrade` and `cookie-audit db current`."""

from __future__ import annotations

import click
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from database.engine import make_engine
from database.errors import DatabaseConfigError
from database.migrate import current_revisions, head_revisions, pending, upgrade
from database.settings import DatabaseSettings
from scanner.errors import CookieAuditError, UsageError

db_option = click.option(
    "--db",
    "database_url",
    metavar="URL",
    default=None,
    help="sqlite:///PATH or postgresql+psycopg://... (default: COOKIE_AUDIT_DATABASE_URL, "
    "else cookie-audit.db in the data folder).",
)


def open_engine(database_url: str | None) -> Engine:
    """The engine of ``--db`` or the environment; a bad URL is a usage error (exit 2)."""
    try:
        return make_engine(DatabaseSettings.from_environment(database_url))
    except DatabaseConfigError as exc:
        raise UsageError(str(exc)) from exc


def run_upgrade(database_url: str | None) -> None:
    engine = open_engine(database_url)
    try:
        upgrade(engine)
        click.echo(f"database at {', '.join(current_revisions(engine))} ({_where(engine)})")
    except OperationalError as exc:
        raise CookieAuditError(f"database unreachable: {exc.orig}") from exc
    finally:
        engine.dispose()


def _where(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return str(engine.url.database)
    return engine.url.render_as_string(hide_password=True)


@click.group()
def db() -> None:
    """The product database: apply migrations, show revisions."""


@db.command("upgrade")
@db_option
def db_upgrade(database_url: str | None) -> None:
    """Apply every package's migrations (also done automatically at start)."""
    run_upgrade(database_url)


@db.command("current")
@db_option
def db_current(database_url: str | None) -> None:
    """Print the revisions the database is at, and whether it is behind."""
    engine = open_engine(database_url)
    try:
        current = current_revisions(engine)
        behind = pending(engine)
    except OperationalError as exc:
        raise CookieAuditError(f"database unreachable: {exc.orig}") from exc
    finally:
        engine.dispose()
    click.echo(f"current: {', '.join(current) or '(empty)'}")
    click.echo(f"heads:   {', '.join(head_revisions())}")
    if behind:
        click.echo("behind: run `cookie-audit db upgrade`")
