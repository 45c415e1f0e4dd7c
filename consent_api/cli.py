"""`cookie-audit serve`, `cookie-audit sites ...`, `cookie-audit consents ...`.

Commands other than ``serve`` use the database layer directly (no Flask app): the same URL
(``--db``, else ``COOKIE_AUDIT_DATABASE_URL``, else the product database), migrated first.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine

from consent_api import export as export_format
from consent_api import ledger
from consent_api.app import create_app
from consent_api.db import state
from consent_api.errors import ApiError, ConfigError
from consent_api.sites import create_admin_key, create_site, get_site, list_sites
from database import upgrade
from database.cli import db_option, open_engine, run_upgrade
from scanner.errors import CookieAuditError, UsageError


def _engine(database_url: str | None) -> Engine:
    """The product database, migrated (as the server does at start)."""
    engine = open_engine(database_url)
    upgrade(engine)
    return engine


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
    config: dict[str, Any] = {"DATABASE_URL": database_url} if database_url else {}
    try:
        app = create_app(config)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    with app.app_context():
        where = state().engine.url.render_as_string(hide_password=True)
    click.echo(f"consent API on http://{host}:{port} (database: {where})")
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
    engine = _engine(database_url)
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
    engine = _engine(database_url)
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
    engine = _engine(database_url)
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
    """Same as `cookie-audit db upgrade` (kept as an alias)."""
    run_upgrade(database_url)


@consents.command("verify")
@click.argument("site_key")
@db_option
def consents_verify(site_key: str, database_url: str | None) -> None:
    """Walk SITE's hash chain; exit 1 if a record was altered or deleted."""
    engine = _engine(database_url)
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
    engine = _engine(database_url)
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
    engine = _engine(database_url)
    try:
        result = ledger.purge(engine, site_key)
    except ApiError as exc:
        raise _translate(exc) from exc
    click.echo(f"deleted {result['deleted']} record(s) older than {result['cutoff']}")
