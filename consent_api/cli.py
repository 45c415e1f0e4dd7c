"""`cookie-audit serve`, `cookie-audit sites ...`, `cookie-audit consents ...`.

Every command builds the app with :func:`consent_api.create_app` so it reads the same settings
(``COOKIE_AUDIT_*`` environment variables, ``--db`` on top) and applies the migrations.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask

from consent_api import export as export_format
from consent_api import ledger
from consent_api.app import State, create_app
from consent_api.db import current_revision, upgrade
from consent_api.errors import ApiError, ConfigError
from consent_api.sites import create_admin_key, create_site, get_site, list_sites
from scanner.errors import CookieAuditError, UsageError

db_option = click.option(
    "--db",
    "database_url",
    metavar="URL",
    default=None,
    help="sqlite:///PATH or postgresql+psycopg://... (default: COOKIE_AUDIT_DATABASE_URL, "
    "else consent.db in the instance folder).",
)


def _app(database_url: str | None, **extra: Any) -> Flask:
    config: dict[str, Any] = dict(extra)
    if database_url:
        config["DATABASE_URL"] = database_url
    try:
        return create_app(config)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


def _state(app: Flask) -> State:
    value = app.extensions["consent_api"]
    assert isinstance(value, State)
    return value


def _translate(exc: ApiError) -> CookieAuditError:
    if exc.status in {404, 409, 422, 400}:
        return UsageError(exc.message)
    return CookieAuditError(exc.message)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@db_option
def serve(host: str, port: int, database_url: str | None) -> None:
    """Run the consent API with Flask's server, for local use.

    In production run gunicorn: gunicorn -w 4 'consent_api:create_app()'.
    """
    app = _app(database_url)
    click.echo(
        f"consent API on http://{host}:{port} (database: {_state(app).settings.database_url})"
    )
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@click.group()
def sites() -> None:
    """Register and list consent API sites."""


@sites.command("add")
@click.argument("name")
@click.option("--origin", "origins", multiple=True, help="Allowed origin (repeat).")
@click.option(
    "--categories",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON file: list of {id, label, required, description}.",
)
@click.option("--policy-version", default="1", show_default=True)
@click.option("--banner-revision", default=1, show_default=True, type=int)
@click.option("--retention-days", default=1825, show_default=True, type=int)
@click.option(
    "--ip-policy", type=click.Choice(["none", "truncated"]), default="none", show_default=True
)
@db_option
def sites_add(
    name: str,
    origins: tuple[str, ...],
    categories: Path | None,
    policy_version: str,
    banner_revision: int,
    retention_days: int,
    ip_policy: str,
    database_url: str | None,
) -> None:
    """Register a site; prints its public key and a new admin key (shown only once)."""
    data: dict[str, Any] = {
        "name": name,
        "origins": list(origins),
        "policy_version": policy_version,
        "banner_revision": banner_revision,
        "retention_days": retention_days,
        "ip_policy": ip_policy,
    }
    if categories is not None:
        try:
            data["categories"] = json.loads(categories.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise UsageError(f"{categories}: not JSON ({exc})") from exc
    engine = _state(_app(database_url)).engine
    try:
        with engine.begin() as conn:
            site = create_site(conn, data)
            key = create_admin_key(conn, site.id, f"site {site.site_key}")
    except ApiError as exc:
        raise _translate(exc) from exc
    click.echo(f"site_key:  {site.site_key}")
    click.echo(f"admin_key: {key}   (shown once: store it now)")


@sites.command("list")
@db_option
def sites_list(database_url: str | None) -> None:
    """List the registered sites."""
    engine = _state(_app(database_url)).engine
    with engine.connect() as conn:
        for site in list_sites(conn):
            click.echo(
                f"{site.site_key}\t{site.name}\tpolicy {site.policy_version}"
                f"\trev {site.banner_revision}\t{site.head_seq} records"
                f"\t{' '.join(site.origins)}"
            )


@sites.command("key")
@click.option("--site", "site_key", default=None, help="Limit the key to this site.")
@click.option("--label", default="cli", show_default=True)
@db_option
def sites_key(site_key: str | None, label: str, database_url: str | None) -> None:
    """Make a new admin key (global unless --site); printed once, stored hashed."""
    engine = _state(_app(database_url)).engine
    try:
        with engine.begin() as conn:
            site_id = get_site(conn, site_key).id if site_key else None
            key = create_admin_key(conn, site_id, label)
    except ApiError as exc:
        raise _translate(exc) from exc
    click.echo(key)


@click.group()
def consents() -> None:
    """Verify, export and purge the consent ledger; migrate its database."""


@consents.command("migrate")
@db_option
def consents_migrate(database_url: str | None) -> None:
    """Apply the database migrations (also done automatically at start)."""
    app = _app(database_url, AUTO_MIGRATE=False)
    engine = _state(app).engine
    upgrade(engine)
    click.echo(f"database at revision {current_revision(engine)}")


@consents.command("verify")
@click.argument("site_key")
@db_option
def consents_verify(site_key: str, database_url: str | None) -> None:
    """Walk SITE's hash chain; exit 1 if a record was altered or deleted."""
    engine = _state(_app(database_url)).engine
    try:
        result = ledger.verify(engine, site_key)
    except ApiError as exc:
        raise _translate(exc) from exc
    for problem in result["problems"]:
        click.echo(f"record {problem['seq']}: {problem['problem']}", err=True)
    if not result["ok"]:
        raise CookieAuditError(
            f"chain of {site_key} is BROKEN ({len(result['problems'])} problem(s))"
        )
    click.echo(f"ok: {result['records']} records, head {result['head_seq']} {result['head_hash']}")


@consents.command("export")
@click.argument("site_key")
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option("--from", "start", default=None, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", default=None, help="Last day, YYYY-MM-DD.")
@db_option
def consents_export(
    site_key: str, fmt: str, start: str | None, end: str | None, database_url: str | None
) -> None:
    """Write SITE's records to standard output (JSON lines or CSV)."""
    engine = _state(_app(database_url)).engine
    try:
        with engine.connect() as conn:
            site = get_site(conn, site_key)
        first = ledger.parse_day(start, "--from")
        last = ledger.parse_day(end, "--to")
    except ApiError as exc:
        raise _translate(exc) from exc
    for chunk in export_format.render(fmt, ledger.iter_records(engine, site, first, last)):
        sys.stdout.write(chunk)


@consents.command("purge")
@click.argument("site_key")
@db_option
def consents_purge(site_key: str, database_url: str | None) -> None:
    """Delete SITE's records past retention (the chain stays verifiable)."""
    engine = _state(_app(database_url)).engine
    try:
        result = ledger.purge(engine, site_key)
    except ApiError as exc:
        raise _translate(exc) from exc
    click.echo(f"deleted {result['deleted']} record(s) older than {result['cutoff']}")
