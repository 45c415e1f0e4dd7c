"""`cookie-audit audit ...`: the registry of audits, their runs and their history.

Bad input (URL, schedule, YAML, alert target, option) exits 2 with one line naming what is
wrong, and nothing is stored.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from audits.errors import AuditInputError
from audits.files import dump, load_file
from audits.records import AuditInfo, RunInfo
from audits.settings import AuditSettings, load_settings
from audits.spec import AuditSpec, build_spec, default_name
from audits.store import AuditStore
from scanner.model import Severity

SEVERITY_CHOICE = click.Choice([s.value for s in Severity])


def db_option(fn: Any) -> Any:
    return click.option(
        "--db",
        "db",
        default=None,
        metavar="URL",
        help="Database URL (default: $COOKIE_AUDIT_DATABASE_URL, else the local SQLite file).",
    )(fn)


def settings_for(db: str | None, **overrides: Any) -> AuditSettings:
    return load_settings(database_url=db, **overrides)


def open_store(db: str | None) -> AuditStore:
    return AuditStore.open(settings_for(db))


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _read_policy(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AuditInputError(f"policy: no such file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditInputError(f"policy: cannot read {path}: {exc}") from None


def spec_options(fn: Any) -> Any:
    """The options shared by `audit add` and `audit edit`."""
    options = [
        click.option("--every", default=None, help="hourly, daily, weekly, monthly or CRON (UTC)."),
        click.option(
            "--policy",
            type=click.Path(path_type=Path),
            default=None,
            help="Declared policy YAML (stored with the audit).",
        ),
        click.option("--max-pages", type=int, default=None, help="Page budget per phase."),
        click.option("--depth", type=int, default=None, help="Link depth."),
        click.option("--phases", default=None, help="Consent phases, e.g. none,reject,accept."),
        click.option("--resolve", multiple=True, help="HOST:PORT:ADDRESS (repeatable)."),
        click.option(
            "--ignore-https-errors", is_flag=True, default=None, help="Accept invalid certificates."
        ),
        click.option(
            "--allow-private", is_flag=True, default=None, help="Allow private/loopback addresses."
        ),
        click.option("--timeout", type=float, default=None, help="Run timeout in seconds."),
        click.option(
            "--lang",
            type=click.Choice(["en", "fr"]),
            default=None,
            help="Language of reports and alerts.",
        ),
        click.option(
            "--alert", "alerts", multiple=True, help="webhook:URL or email:ADDRESS (repeatable)."
        ),
        click.option(
            "--min-severity",
            type=SEVERITY_CHOICE,
            default=None,
            help="Alert only on changes at or above this severity.",
        ),
        click.option(
            "--consent-site",
            default=None,
            metavar="KEY",
            help="Consent API site key: publish the cookie declaration there.",
        ),
        click.option(
            "--consent-api",
            default=None,
            metavar="URL",
            help="The consent API the site's banner posts to: each run reads the records of the "
            "banner's clicks back from it (with --consent-api-key).",
        ),
        click.option(
            "--consent-api-key",
            default=None,
            metavar="env:NAME|file:PATH",
            help="Where an admin key of the site in that API is kept (read when a run starts; "
            "never the key itself).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _changes(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or value == ():
            continue
        if key == "policy":
            out["policy"] = _read_policy(value)
        else:
            out[key] = value
    return out


@click.group("audit")
def audit() -> None:
    """Register audits, run them on a schedule, read their history."""


@audit.command("add")
@click.argument("url")
@click.option("--name", default=None, help="Audit name (default: the URL's host).")
@spec_options
@click.option("--paused", is_flag=True, default=None, help="Register without scheduling.")
@db_option
def add(url: str, name: str | None, db: str | None, **values: Any) -> None:
    """Register a site to audit on a schedule (its first run is due at once)."""
    spec = build_spec({"name": name or default_name(url), "url": url, **_changes(values)})
    store = open_store(db)
    info = store.add(spec)
    click.echo(
        f"added {info.name}: {info.url}, {info.spec.schedule.describe()}, "
        f"next run {when(info.next_due_at)}"
    )


@audit.command("edit")
@click.argument("name")
@click.option("--rename", default=None, help="New name.")
@click.option("--url", default=None, help="New URL.")
@spec_options
@click.option("--no-policy", is_flag=True, help="Forget the declared policy.")
@click.option("--no-alerts", is_flag=True, help="Remove every alert target.")
@click.option("--no-resolve", is_flag=True, help="Remove every --resolve rule.")
@click.option("--no-consent-site", is_flag=True, help="Unlink the consent API site.")
@click.option(
    "--no-consent-api", is_flag=True, help="Stop reading consent records back (URL and key)."
)
@db_option
def edit(
    name: str,
    rename: str | None,
    url: str | None,
    no_policy: bool,
    no_alerts: bool,
    no_resolve: bool,
    no_consent_site: bool,
    no_consent_api: bool,
    db: str | None,
    **values: Any,
) -> None:
    """Change an audit; options not given keep their value (lists given replace)."""
    changes = _changes({"name": rename, "url": url, **values})
    for flag, key, empty in (
        (no_policy, "policy", None),
        (no_alerts, "alerts", ()),
        (no_resolve, "resolve", ()),
        (no_consent_site, "consent_site", None),
        (no_consent_api, "consent_api", None),
        (no_consent_api, "consent_api_key", None),
    ):
        if flag:
            if key in changes:
                raise AuditInputError(f"{key}: given and cleared in the same command")
            changes[key] = empty
    if not changes:
        raise AuditInputError("edit: nothing to change (see `cookie-audit audit edit --help`)")
    info = open_store(db).edit(name, changes)
    click.echo(
        f"edited {info.name}: {info.spec.schedule.describe()}, next run {when(info.next_due_at)}"
    )


@audit.command("pause")
@click.argument("name")
@db_option
def pause(name: str, db: str | None) -> None:
    """Stop scheduling an audit (queued runs are cancelled; history stays)."""
    info = open_store(db).set_paused(name, True)
    click.echo(f"paused {info.name}")


@audit.command("resume")
@click.argument("name")
@db_option
def resume(name: str, db: str | None) -> None:
    """Schedule a paused audit again, from its next slot."""
    info = open_store(db).set_paused(name, False)
    click.echo(f"resumed {info.name}: next run {when(info.next_due_at)}")


@audit.command("remove")
@click.argument("name")
@click.option("--purge", is_flag=True, help="Also delete every run of its history.")
@db_option
def remove(name: str, purge: bool, db: str | None) -> None:
    """Remove an audit; its history is kept (and returns with `audit add`) unless --purge."""
    store = open_store(db)
    deleted = store.remove(name, purge=purge)
    if purge:
        click.echo(f"purged {name}: the audit and {deleted} run(s) deleted")
    else:
        click.echo(f"removed {name} (history kept; --purge deletes it)")


@audit.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@db_option
def list_(as_json: bool, db: str | None) -> None:
    """Every audit with its schedule, next run and latest run."""
    from audits.history import History

    store = open_store(db)
    rows = History(store.engine).latest_runs()
    if as_json:
        click.echo(json.dumps([_audit_json(a, r) for a, r in rows], indent=2))
        return
    if not rows:
        click.echo("no audits yet: cookie-audit audit add URL")
        return
    table = Table(box=None)
    for column in ("name", "url", "schedule", "state", "next run", "last run", "findings"):
        table.add_column(column)
    for info, run in rows:
        last = f"#{run.number} {run.state.value} {when(run.finished_at)}" if run else "-"
        table.add_row(
            info.name,
            info.url,
            info.spec.schedule.describe(),
            "paused" if info.paused else "active",
            "-" if info.paused else when(info.next_due_at),
            last,
            _findings_text(run),
        )
    Console(width=200).print(table, markup=False, highlight=False, crop=False, soft_wrap=True)


def _findings_text(run: RunInfo | None) -> str:
    if run is None or not run.findings_by_severity:
        return "-"
    parts = [f"{n} {s}" for s, n in run.findings_by_severity.items() if n]
    return ", ".join(parts) or "none"


def _audit_json(info: AuditInfo, run: RunInfo | None = None) -> dict[str, Any]:
    spec = info.spec.model_dump(mode="json")
    spec["alerts"] = info.spec.redacted_alerts()
    spec["policy"] = info.spec.policy is not None
    return {
        "name": info.name,
        "spec": spec,
        "schedule": info.spec.schedule.describe(),
        "cron": info.spec.schedule.cron,
        "paused": info.paused,
        "next_due_at": info.next_due_at.isoformat() if info.next_due_at else None,
        "runs": info.run_count,
        "last_run": _run_json(run) if run else None,
    }


def _run_json(run: RunInfo) -> dict[str, Any]:
    return {
        "number": run.number,
        "state": run.state.value,
        "trigger": run.trigger.value,
        "slot": run.slot.isoformat() if run.slot else None,
        "queued_at": run.queued_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "duration_s": run.duration_s,
        "worker": run.worker,
        "attempts": run.attempts,
        "error": run.error,
        "scan_status": run.scan_status,
        "pages_visited": run.pages_visited,
        "pages_skipped": run.pages_skipped,
        "cookies": run.cookies,
        "third_party_hosts": run.third_party_hosts,
        "findings": run.findings_by_severity,
        "changes": run.changes,
        "alert": run.alert,
        "declaration": run.declaration,
    }


@audit.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
@db_option
def show(name: str, as_json: bool, db: str | None) -> None:
    """One audit: its settings (secrets hidden), schedule and latest runs."""
    from audits.history import History

    store = open_store(db)
    info = store.find(name)
    runs = History(store.engine).runs(info.id, limit=5)
    if as_json:
        data = _audit_json(info, runs[0] if runs else None)
        data["recent_runs"] = [_run_json(r) for r in runs]
        click.echo(json.dumps(data, indent=2))
        return
    spec = info.spec
    lines = [
        f"name:          {info.name}",
        f"url:           {spec.url}",
        f"schedule:      {spec.schedule.describe()}" + (" (paused)" if info.paused else ""),
        f"next run:      {'-' if info.paused else when(info.next_due_at)}",
        f"pages:         {spec.max_pages} per phase, depth {spec.depth}, "
        f"phases {','.join(p.value for p in spec.phases)}",
        f"timeout:       {spec.timeout:g} s",
        f"policy:        {'declared (YAML stored)' if spec.policy else 'none (policy pages only)'}",
        f"alerts:        {', '.join(spec.redacted_alerts()) or 'none'}"
        f" (min severity {spec.min_severity.value})",
        f"consent site:  {spec.consent_site or '-'}",
        f"consent API:   {spec.consent_api or '-'}"
        + (f" (admin key from {spec.consent_api_key})" if spec.consent_api_key else ""),
    ]
    if spec.resolve:
        lines.append(f"resolve:       {' '.join(spec.resolve)}")
    lines.append(f"runs:          {info.run_count}")
    for run in runs:
        detail = run.error or _findings_text(run)
        lines.append(
            f"  #{run.number:<4} {run.state.value:<10} {when(run.finished_at or run.queued_at)}"
            f"  {detail}"
        )
    click.echo("\n".join(lines))


@audit.command("apply")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--prune", is_flag=True, help="Remove audits absent from the file (history kept).")
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@db_option
def apply(file: Path, prune: bool, dry_run: bool, db: str | None) -> None:
    """Make the registry match a YAML file (idempotent; all or nothing)."""
    specs = load_file(file)
    store = open_store(db)
    if dry_run:
        current = {a.name: a.spec for a in store.list_audits()}
        added = [s.name for s in specs if s.name not in current]
        changed = [s.name for s in specs if s.name in current and current[s.name] != s]
        gone = sorted(set(current) - {s.name for s in specs}) if prune else []
        click.echo(f"would add {len(added)}, change {len(changed)}, remove {len(gone)}")
        for label, todo in (("add", added), ("change", changed), ("remove", gone)):
            for n in todo:
                click.echo(f"  {label} {n}")
        return
    report = store.apply(specs, prune=prune)
    click.echo(
        f"{len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed"
    )
    done: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("added", report.added),
        ("changed", report.changed),
        ("removed", report.removed),
    )
    for label, names in done:
        for n in names:
            click.echo(f"  {label} {n}")


@audit.command("export")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write to FILE (default: standard output).",
)
@db_option
def export(out: Path | None, db: str | None) -> None:
    """Every active audit as YAML that `audit apply` accepts."""
    text = dump(open_store(db).export())
    if out is None:
        click.echo(text, nl=False)
    else:
        tmp = out.with_suffix(out.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
        click.echo(f"wrote {out}", err=True)


def spec_summary(spec: AuditSpec) -> str:
    return f"{spec.name} ({spec.url}, {spec.schedule.describe()})"
