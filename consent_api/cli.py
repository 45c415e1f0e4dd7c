"""`cookie-audit sites ...` and `cookie-audit consents ...`.

The commands use the database layer directly (no Flask app): the same settings as the server
(``COOKIE_AUDIT_*`` variables, ``--db`` on top), the product database migrated first. Domain
errors become one line on standard error: exit 2 for bad input (unknown site, bad file), 1 for
a chain that does not verify.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from consent_api import chain, export
from consent_api.checkpoints import create_checkpoint
from consent_api.db import State
from consent_api.errors import ChainBroken, ConfigError, RequestRefused
from consent_api.settings import settings_from_environment
from consent_api.sites import create_admin_key, create_server_key, create_site, get_site, list_sites
from consent_api.verifier import (
    ExportError,
    print_report,
    read_checkpoints,
    read_export,
    verify_export,
)
from database import write_transaction
from database.cli import db_option, run_upgrade
from scanner.errors import CookieAuditError, UsageError


@contextmanager
def _state(database_url: str | None) -> Iterator[State]:
    """The consent API's state without Flask; domain errors become usage errors."""
    try:
        current = State.open(settings_from_environment(database_url), migrate=True)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    try:
        yield current
    except ChainBroken as exc:
        raise CookieAuditError(exc.message) from exc
    except RequestRefused as exc:
        raise UsageError(exc.message) from exc
    finally:
        current.close()


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
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise UsageError(f"{categories}: not JSON ({exc})") from exc
    with _state(database_url) as current, current.engine.begin() as conn:
        site = create_site(conn, data)
        key = create_admin_key(conn, site.id, f"site {site.site_key}")
    click.echo(f"site_key:  {site.site_key}")
    click.echo(f"admin_key: {key}   (shown once: store it now)")


@sites.command("list")
@db_option
def sites_list(database_url: str | None) -> None:
    """List the registered sites."""
    with _state(database_url) as current, current.engine.connect() as conn:
        for site in list_sites(conn):
            click.echo(
                f"{site.site_key}\t{site.name}\tpolicy {site.policy_version}"
                f"\trev {site.banner_revision}\thead {site.head_seq}"
                f"\t{' '.join(site.origins)}"
            )


@sites.command("key")
@click.option("--site", "site_key", default=None, help="Limit the key to this site.")
@click.option("--label", default="cli", show_default=True)
@db_option
def sites_key(site_key: str | None, label: str, database_url: str | None) -> None:
    """Make a new admin key (global unless --site); printed once, stored hashed."""
    with _state(database_url) as current, current.engine.begin() as conn:
        site_id = get_site(conn, site_key).id if site_key else None
        key = create_admin_key(conn, site_id, label)
    click.echo(key)


@sites.command("server-key")
@click.argument("site_key")
@db_option
def sites_server_key(site_key: str, database_url: str | None) -> None:
    """Make SITE's server key (replaces the old one), for posts without an Origin from the
    site's own server (needs ALLOW_SERVER_POSTS); printed once, stored hashed."""
    with _state(database_url) as current, write_transaction(current.engine) as conn:
        key = create_server_key(conn, site_key)
    click.echo(key)


@click.group()
def consents() -> None:
    """Verify, export, checkpoint and purge the consent ledger."""


@consents.command("migrate")
@db_option
def consents_migrate(database_url: str | None) -> None:
    """Same as `cookie-audit db upgrade` (kept as an alias)."""
    run_upgrade(database_url)


@consents.command("verify")
@click.argument("site_key")
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Your own copy of the site's signed checkpoints (JSON lines); repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@db_option
def consents_verify(
    site_key: str, checkpoint_files: tuple[Path, ...], as_json: bool, database_url: str | None
) -> None:
    """Walk SITE's chain: exit 1 naming every entry deleted, edited, renumbered or forged."""
    try:
        extra = [cp for path in checkpoint_files for cp in read_checkpoints(path)]
    except ExportError as exc:
        raise UsageError(str(exc)) from exc
    with _state(database_url) as current:
        keys = dict(current.trusted_keys)
        keys.update({str(cp["key_id"]): str(cp["public_key"]) for cp in extra if cp.get("key_id")})
        report = chain.verify(current.engine, site_key, keys, extra)
    print_report(report, as_json=as_json, out=sys.stdout if report.ok else sys.stderr)
    if not report.ok:
        raise CookieAuditError(f"chain of {site_key} is BROKEN ({report.problem_count} problem(s))")


@consents.command("verify-export")
@click.argument("export_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Your own copy of signed checkpoints (JSON lines); repeatable.",
)
@click.option("--public-key", "public_keys", multiple=True, help="Pin the ledger's key (base64).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def consents_verify_export(
    export_file: Path,
    checkpoint_files: tuple[Path, ...],
    public_keys: tuple[str, ...],
    as_json: bool,
) -> None:
    """Verify a ledger export without the database (what an outside auditor runs; the same
    code is consent_api/verifier.py, which runs alone)."""
    try:
        report = verify_export(read_export(export_file), checkpoint_files, public_keys)
    except ExportError as exc:
        raise UsageError(str(exc)) from exc
    print_report(report, as_json=as_json, out=sys.stdout if report.ok else sys.stderr)
    if not report.ok:
        raise CookieAuditError(f"{export_file}: TAMPERED ({report.problem_count} problem(s))")


@consents.command("export")
@click.argument("site_key")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(export.FORMATS)),
    default="jsonl",
    show_default=True,
    help="ledger: the whole chain with purges and checkpoints, for verify-export.",
)
@click.option("--from", "start", default=None, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", default=None, help="Last day, YYYY-MM-DD.")
@db_option
def consents_export(
    site_key: str, fmt: str, start: str | None, end: str | None, database_url: str | None
) -> None:
    """Write SITE's records to standard output (JSON lines, CSV, or the auditor's ledger)."""
    with _state(database_url) as current:
        with current.engine.connect() as conn:
            site = get_site(conn, site_key)
        first = export.parse_day(start, "--from")
        last = export.parse_day(end, "--to")
        for chunk in export.render(fmt, current.engine, site, first, last, current.trusted_keys):
            sys.stdout.write(chunk)


@consents.command("checkpoint")
@click.argument("site_key")
@db_option
def consents_checkpoint(site_key: str, database_url: str | None) -> None:
    """Sign SITE's head now (after verifying what came since the last checkpoint); prints the
    checkpoint as one JSON line, to keep outside the database."""
    with _state(database_url) as current:
        checkpoint = create_checkpoint(current.engine, site_key, current.key, current.trusted_keys)
    if checkpoint is None:
        raise UsageError(f"the chain of {site_key} is empty: nothing to sign yet")
    click.echo(json.dumps(checkpoint, separators=(",", ":")))


@consents.command("checkpoints")
@click.argument("site_key")
@click.option("--after", default=0, type=click.IntRange(0), help="Only those after this entry.")
@db_option
def consents_checkpoints(site_key: str, after: int, database_url: str | None) -> None:
    """Write SITE's signed checkpoints as JSON lines (append them to your own copy)."""
    with _state(database_url) as current, current.engine.connect() as conn:
        found = chain.checkpoints_of(conn, get_site(conn, site_key), after)
    for checkpoint in found:
        click.echo(json.dumps(checkpoint, separators=(",", ":")))


@consents.command("purge")
@click.argument("site_key")
@db_option
def consents_purge(site_key: str, database_url: str | None) -> None:
    """Delete SITE's records past retention; the purge is a signed entry of the chain."""
    with _state(database_url) as current:
        result = chain.purge(current.engine, site_key, current.key, current.trusted_keys)
        if result["deleted"]:
            create_checkpoint(current.engine, site_key, current.key, current.trusted_keys)
    click.echo(f"deleted {result['deleted']} record(s) older than {result['cutoff']}")
