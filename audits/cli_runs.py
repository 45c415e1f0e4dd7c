"""`cookie-audit audit run|daemon|history|report|diff`: running audits and reading history.

Exit codes: 0 done; 1 a run failed or a finding reached `--fail-on`; 2 bad input.
"""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

import click

from audits.cli import SEVERITY_CHOICE, audit, db_option, settings_for, when
from audits.errors import AuditError, AuditInputError
from audits.history import History
from audits.models import RunState
from audits.records import AuditInfo, RunInfo
from audits.runner import Runner, RunResult
from audits.store import AuditStore
from scanner.cli_report import FORMATS, pdf_printer_for, write_output
from scanner.errors import ScanFailedError
from scanner.model import Severity

browsers_option = click.option(
    "--browsers",
    type=click.IntRange(1, 16),
    default=None,
    help="Scans at a time (default $COOKIE_AUDIT_BROWSERS or 2).",
)
verbose_option = click.option("-v", "--verbose", is_flag=True, help="Log what happens.")


def make_runner(store: AuditStore) -> Runner:
    from audits.delivery import embedded_deliver

    return Runner(store, deliver=embedded_deliver(store.settings))


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def describe(run: RunInfo) -> str:
    """One line: `#3 succeeded in 21.4 s: 14 cookies, findings 1 high 2 medium; changes ...`."""
    head = f"#{run.number} {run.state.value}"
    if run.duration_s is not None:
        head += f" in {run.duration_s:.1f} s"
    if run.state is not RunState.SUCCEEDED:
        return f"{head}: {run.error or '-'}"
    found = ", ".join(f"{n} {s}" for s, n in run.findings_by_severity.items() if n) or "none"
    text = f"{head}: {run.cookies} cookies, findings {found}"
    if run.scan_status == "partial":
        text += " (partial scan)"
    return text


def changes_text(run: RunInfo) -> str:
    changes = run.changes
    if not changes:
        return "first successful run" if run.state is RunState.SUCCEEDED else "-"
    parts = []
    for key, label in (
        ("findings_new", "new finding"),
        ("findings_resolved", "resolved finding"),
        ("cookies_added", "cookie added"),
        ("cookies_removed", "cookie removed"),
        ("hosts_added", "new third-party host"),
    ):
        n = len(changes.get(key) or [])
        if n:
            parts.append(f"{n} {label}{'s' if n > 1 else ''}")
    if changes.get("reject_now_failing"):
        parts.append("'reject all' now fails")
    return (", ".join(parts) or "no change") + f" since #{changes.get('baseline')}"


def print_result(result: RunResult, name: str) -> None:
    run = result.run
    if run is None:
        click.echo(f"{name}: {result.outcome.value} ({result.reason})")
        return
    click.echo(f"{run.audit} {describe(run)}")
    if run.state is RunState.SUCCEEDED:
        click.echo(f"  what changed: {changes_text(run)}")
        for finding in (run.changes or {}).get("findings_new", []):
            click.echo(f"    new      [{finding['severity']}] {finding['title']}")
        for finding in (run.changes or {}).get("findings_resolved", []):
            click.echo(f"    resolved [{finding['severity']}] {finding['title']}")
        for cookie in (run.changes or {}).get("cookies_added", []):
            click.echo(f"    cookie + {cookie}")
        for host in (run.changes or {}).get("hosts_added", []):
            click.echo(f"    host   + {host}")
    click.echo(f"  alert: {run.alert or '-'}")
    if run.declaration:
        click.echo(f"  declaration: {run.declaration}")


def fail_on_hits(runs: list[RunInfo], fail_on: Severity | None) -> int:
    if fail_on is None:
        return 0
    return sum(r.worst_at_least(fail_on) for r in runs if r.state is RunState.SUCCEEDED)


def _check_fail_on(runs: list[RunInfo], fail_on: str | None) -> None:
    hits = fail_on_hits(runs, Severity(fail_on) if fail_on else None)
    if hits:
        raise ScanFailedError(f"{hits} finding(s) at or above {fail_on} (--fail-on)")


@audit.command("run")
@click.argument("name", required=False)
@click.option("--due", is_flag=True, help="Run every audit that is due now, then exit.")
@browsers_option
@click.option(
    "--fail-on",
    type=SEVERITY_CHOICE,
    default=None,
    help="Exit 1 when a finding of a run reaches this severity.",
)
@verbose_option
@db_option
def run(
    name: str | None,
    due: bool,
    browsers: int | None,
    fail_on: str | None,
    verbose: bool,
    db: str | None,
) -> None:
    """Run one audit now (NAME), whatever its schedule, or every due one (--due), here."""
    from audits.embedded import run_due

    _logging(verbose)
    if (name is None) == (not due):
        raise AuditInputError("give an audit NAME or --due (not both)")
    store = AuditStore.open(settings_for(db, browsers=browsers))
    runner = make_runner(store)
    if name is not None:
        queued = store.create_run(name)
        results = [runner.execute(queued.id, retry=False)]
    else:
        results = run_due(runner, browsers=store.settings.browsers)
        if not results:
            click.echo("nothing is due")
    for result in results:
        print_result(result, name or "run")
    finished = [r.run for r in results if r.run is not None]
    failed = [r for r in finished if r.state is RunState.FAILED]
    _close_delivery(runner)
    if failed:
        raise ScanFailedError(f"{len(failed)} run(s) failed")
    _check_fail_on(finished, fail_on)


def _close_delivery(runner: Runner) -> None:
    close = getattr(runner.after.deliver, "close", None)
    if callable(close):
        close()


@audit.command("daemon")
@browsers_option
@click.option(
    "--tick",
    type=float,
    default=None,
    help="Seconds between two looks at the schedule at most (default 30).",
)
@verbose_option
@db_option
def daemon(browsers: int | None, tick: float | None, verbose: bool, db: str | None) -> None:
    """Scheduler and worker in one process, no broker: runs audits when they are due."""
    from audits.embedded import Daemon

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("cookie_audit").setLevel(logging.INFO)
    if not verbose:
        logging.getLogger("httpx").setLevel(logging.WARNING)
    store = AuditStore.open(settings_for(db, browsers=browsers, tick_s=tick))
    runner = make_runner(store)
    engine = Daemon(runner, browsers=store.settings.browsers)

    def stop(_sig: int, _frame: FrameType | None) -> None:
        click.echo("stopping: runs in progress finish first (Ctrl-C again to abort)", err=True)
        engine.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    audits = store.list_audits()
    click.echo(
        f"audit daemon: {len(audits)} audit(s), {store.settings.browsers} browser(s), "
        f"database {store.engine.url.render_as_string(hide_password=True)}",
        err=True,
    )
    engine.on_result = lambda r: print_result(r, "run")
    engine.run()
    _close_delivery(runner)
    store.close()


@audit.command("history")
@click.argument("site")
@click.option(
    "--limit",
    type=click.IntRange(1, 10_000),
    default=20,
    show_default=True,
    help="How many runs, newest first.",
)
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@db_option
def history(site: str, limit: int, as_json: bool, db: str | None) -> None:
    """The runs of an audit (name, URL or host), newest first, with what changed."""
    from audits.cli import _run_json

    store = AuditStore.open(settings_for(db))
    info = store.find(site)
    runs = History(store.engine).runs(info.id, limit=limit)
    if as_json:
        click.echo(json.dumps([_run_json(r) for r in runs], indent=2))
        return
    if not runs:
        click.echo(f"{info.name}: no run yet (next {when(info.next_due_at)})")
        return
    for r in runs:
        trigger = f"slot {when(r.slot)}" if r.slot else r.trigger.value
        click.echo(
            f"{when(r.started_at or r.queued_at)}  {describe(r)}  [{trigger}, {r.worker or '-'}]"
        )
        if r.state is RunState.SUCCEEDED:
            declaration = f"; declaration: {r.declaration}" if r.declaration else ""
            click.echo(f"    {changes_text(r)}; alert: {r.alert or '-'}{declaration}")


def _render_options(fn: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--format",
                "fmt",
                type=click.Choice(FORMATS),
                default="html",
                show_default=True,
                help="Output format.",
            ),
            click.option(
                "--lang",
                type=click.Choice(["en", "fr"]),
                default=None,
                help="Report language (default: the audit's).",
            ),
            click.option("--out", default="-", show_default=True, help="File, or '-'."),
            click.option(
                "--fail-on",
                type=SEVERITY_CHOICE,
                default=None,
                help="Exit 1 when a finding reaches this severity.",
            ),
        ]
    ):
        fn = option(fn)
    return fn


def _chosen_run(hist: History, info: AuditInfo, number: int | None) -> RunInfo:
    """Run `number` of the audit, or its latest successful run."""
    chosen = hist.run(info.id, number) if number is not None else hist.latest_run(info.id)
    if chosen is None:
        raise AuditInputError(f"{info.name}: no successful run yet")
    return chosen


def _render_out(render: Callable[..., bytes], subject: Any, fmt: str, lang: str, out: str) -> None:
    """`reports.render` or `reports.render_diff` of `subject` to `out` (bad input exits 2)."""
    import reports

    try:
        data = render(subject, fmt, lang=lang, pdf_printer=pdf_printer_for(fmt, out))
    except reports.ReportError as exc:
        raise AuditInputError(str(exc)) from None
    write_output(data, out)


@audit.command("report")
@click.argument("site")
@click.option(
    "--run",
    "number",
    type=int,
    default=None,
    help="Run number (default: the latest successful run).",
)
@_render_options
@db_option
def report(
    site: str,
    number: int | None,
    fmt: str,
    lang: str | None,
    out: str,
    fail_on: str | None,
    db: str | None,
) -> None:
    """A stored run of an audit as HTML, JSON, CSV or PDF (no new scan)."""
    import reports

    store = AuditStore.open(settings_for(db))
    info = store.find(site)
    hist = History(store.engine)
    chosen = _chosen_run(hist, info, number)
    _render_out(reports.render, hist.scan(chosen.id), fmt, lang or info.spec.lang, out)
    if chosen.state is not RunState.SUCCEEDED:
        raise AuditError(f"run #{chosen.number} {chosen.state.value}: {chosen.error}")
    _check_fail_on([chosen], fail_on)


@audit.command("diff")
@click.argument("site")
@click.option(
    "--from",
    "old",
    type=int,
    default=None,
    help="Older run number (default: the successful run before --to).",
)
@click.option(
    "--to",
    "new",
    type=int,
    default=None,
    help="Newer run number (default: the latest successful run).",
)
@_render_options
@db_option
def diff(
    site: str,
    old: int | None,
    new: int | None,
    fmt: str,
    lang: str | None,
    out: str,
    fail_on: str | None,
    db: str | None,
) -> None:
    """What changed between two runs of an audit; --fail-on counts new findings only."""
    import reports

    store = AuditStore.open(settings_for(db))
    info = store.find(site)
    hist = History(store.engine)
    to_run = _chosen_run(hist, info, new)
    from_run = (
        hist.run(info.id, old)
        if old is not None
        else hist.previous_success(info.id, before=to_run.number)
    )
    if from_run is None:
        raise AuditInputError(f"{info.name}: no successful run before #{to_run.number}")
    for r in (from_run, to_run):
        if r.state is not RunState.SUCCEEDED:
            raise AuditInputError(
                f"{info.name}: run #{r.number} {r.state.value}: no scan to compare"
            )
    scan_diff = reports.compare(hist.scan(from_run.id), hist.scan(to_run.id))
    _render_out(reports.render_diff, scan_diff, fmt, lang or info.spec.lang, out)
    if fail_on:
        rank = Severity(fail_on).rank
        hits = sum(1 for f in scan_diff.findings_new if f.severity.rank >= rank)
        if hits:
            raise ScanFailedError(f"{hits} new finding(s) at or above {fail_on} (--fail-on)")


@audit.command("declaration")
@click.argument("site")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "html"]),
    default="html",
    show_default=True,
    help="JSON document or HTML fragment.",
)
@click.option(
    "--lang", type=click.Choice(["en", "fr"]), default=None, help="Language (default: the audit's)."
)
@click.option(
    "--banner-categories",
    default=None,
    metavar="LIST",
    help="The consent banner's category ids, comma-separated (to name the cookies "
    "it does not cover).",
)
@click.option("--out", default="-", show_default=True, help="File, or '-'.")
@db_option
def declaration(
    site: str,
    fmt: str,
    lang: str | None,
    banner_categories: str | None,
    out: str,
    db: str | None,
) -> None:
    """The site's cookie declaration, from its latest successful run (JSON or HTML)."""
    from audits.declaration import build_declaration, render_fragment

    store = AuditStore.open(settings_for(db))
    info = store.find(site)
    hist = History(store.engine)
    latest = _chosen_run(hist, info, None)
    categories = (
        [c.strip() for c in banner_categories.split(",") if c.strip()]
        if banner_categories is not None
        else None
    )
    document = build_declaration(
        hist.scan(latest.id),
        audit=info.name,
        run=latest.number,
        lang=lang or info.spec.lang,
        banner_categories=categories,
    )
    if fmt == "json":
        data = (document.model_dump_json(indent=2) + "\n").encode()
    else:
        data = render_fragment(document).encode()
    write_output(data, out)


__all__ = ["daemon", "declaration", "diff", "history", "report", "run"]
