"""`cookie-audit users ...` (accounts of the dashboard) and `cookie-audit serve` (the consent
API and the dashboard in one app)."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Connection, Engine

from dashboard import accounts
from dashboard.accounts import Role
from dashboard.errors import ConfigError, DashboardError
from database.cli import db_option
from scanner.errors import UsageError


def _engine(database_url: str | None) -> Engine:
    from consent_api import ConfigError as ApiConfigError
    from consent_api import create_app as create_api
    from dashboard import db

    config: dict[str, Any] = {"DATABASE_URL": database_url} if database_url else {}
    # a command needs the engine, not the app's checkpoint thread (nothing would stop it)
    config["CHECKPOINT_INTERVAL_SECONDS"] = 0
    try:
        engine = create_api(config).extensions["consent_api"].engine
        db.upgrade(engine)
    except ApiConfigError as exc:
        raise UsageError(str(exc)) from exc
    assert isinstance(engine, Engine)
    return engine


@contextmanager
def _writing(database_url: str | None) -> Iterator[Connection]:
    from database import write_transaction

    engine = _engine(database_url)
    try:
        with write_transaction(engine) as conn:
            yield conn
    except DashboardError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        engine.dispose()


def _read_password(password_stdin: bool, prompt: str) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise UsageError("--password-stdin: nothing on standard input")
        return line.rstrip("\r\n")
    value = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    assert isinstance(value, str)
    return value


role_choice = click.Choice([r.value for r in Role])
password_stdin_option = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)


@click.group()
def users() -> None:
    """Manage the people who sign in to the dashboard (roles: viewer, editor, admin)."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=role_choice, default="viewer", show_default=True)
@password_stdin_option
@db_option
def users_add(username: str, role: str, password_stdin: bool, database_url: str | None) -> None:
    """Add a user; asks for the password (at least 12 characters) twice."""
    try:
        name = accounts.parse_username(username)
    except DashboardError as exc:
        raise UsageError(str(exc)) from exc
    password = _read_password(password_stdin, f"Password for {name}")
    with _writing(database_url) as conn:
        user = accounts.add_user(conn, name, password, Role(role))
    click.echo(f"added {user.username} ({user.role.value})")


@users.command("list")
@db_option
def users_list(database_url: str | None) -> None:
    """List the users: name, role, created, last sign-in."""
    engine = _engine(database_url)
    try:
        with engine.connect() as conn:
            people = accounts.list_users(conn)
    finally:
        engine.dispose()
    if not people:
        click.echo("no users yet: cookie-audit users add NAME --role admin")
        return
    for user in people:
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
        created = user.created_at.strftime("%Y-%m-%d")
        click.echo(f"{user.username}\t{user.role.value}\tcreated {created}\tlast sign-in {last}")


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=role_choice)
@db_option
def users_set_role(username: str, role: str, database_url: str | None) -> None:
    """Change a user's role (takes effect on their next request)."""
    with _writing(database_url) as conn:
        user = accounts.set_role(conn, username, Role(role))
    click.echo(f"{user.username} is now {user.role.value}")


@users.command("remove")
@click.argument("username")
@db_option
def users_remove(username: str, database_url: str | None) -> None:
    """Remove a user and end their sessions."""
    with _writing(database_url) as conn:
        accounts.remove_user(conn, username)
    click.echo(f"removed {username.strip().lower()}")


@users.command("reset-password")
@click.argument("username")
@click.option("--generate", is_flag=True, help="Make a random password and print it once.")
@password_stdin_option
@db_option
def users_reset_password(
    username: str, generate: bool, password_stdin: bool, database_url: str | None
) -> None:
    """Set a new password for a user; every session of theirs ends."""
    if generate and password_stdin:
        raise UsageError("--generate and --password-stdin exclude each other")
    password = (
        secrets.token_urlsafe(15)
        if generate
        else _read_password(password_stdin, f"New password for {username}")
    )
    with _writing(database_url) as conn:
        user = accounts.set_password(conn, username, password)
    if generate:
        click.echo(f"new password for {user.username}: {password}   (shown once)")
    else:
        click.echo(f"password of {user.username} changed; their sessions ended")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@db_option
def serve(host: str, port: int, database_url: str | None) -> None:
    """Run the consent API and the dashboard (/dashboard/) with Flask's server, for local use.

    In production run gunicorn: gunicorn -w 4 'dashboard:create_app()'.
    """
    from consent_api import ConfigError as ApiConfigError
    from dashboard.compose import create_app

    config: dict[str, Any] = {"DATABASE_URL": database_url} if database_url else {}
    try:
        app = create_app(config)
    except (ApiConfigError, ConfigError) as exc:
        raise UsageError(str(exc)) from exc
    from sqlalchemy import make_url

    # the URL as configured may carry the database password: never onto a terminal or a log
    url = make_url(app.extensions["consent_api"].settings.database.url)
    click.echo(
        f"consent API on http://{host}:{port}/v1, dashboard on http://{host}:{port}/dashboard/"
    )
    click.echo(f"database: {url.render_as_string(hide_password=True)}")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@click.command("dashboard-demo")
@click.option(
    "--scan",
    "scan_json",
    type=click.Path(path_type=Path),
    default=Path("results/demo/scan.json"),
    show_default=True,
    help="The scan `cookie-audit demo` just made: run A of the audit when it is fresh.",
)
@db_option
def dashboard_demo(scan_json: Path, database_url: str | None) -> None:
    """Give the dashboard something to show: two runs of the demo shop as the audit tea-demo
    (the second after a plugin update) and visitors' choices recorded by the consent API."""
    from audits import AuditInputError
    from consent_api import ConfigError as ApiConfigError
    from dashboard.compose import create_app
    from dashboard.demo import run_demo

    config: dict[str, Any] = {"DATABASE_URL": database_url} if database_url else {}
    config["RATELIMIT_ENABLED"] = False  # the simulated visitors share one address
    try:
        app = create_app(config)
        click.echo(run_demo(app, scan_json))
    except (ApiConfigError, ConfigError, AuditInputError) as exc:
        raise UsageError(str(exc)) from exc
    click.echo(
        "dashboard: cookie-audit users add NAME --role admin, then cookie-audit serve and open "
        "http://127.0.0.1:8000/dashboard/"
    )
