"""`cookie-audit scan` and `cookie-audit demo`: the crawler's command line.

Exit codes: 0 = every site scanned (findings or not, unless --fail-on), 1 = a scan failed (start
URL unreachable, browser missing) or a finding reached --fail-on, 2 = bad input. Ctrl-C stops
the crawl, saves the partial scan (`interrupted: true`, other sites not started) and exits 130.

Private addresses (localhost, 10.x, 127.x...) are refused unless `--allow-private`, or unless
`--resolve` maps the name (the operator said where it goes).
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from scanner.config import ScanSettings
from scanner.errors import CookieAuditError, ScanFailedError, UsageError
from scanner.model import Phase, Severity
from scanner.pipeline import ScanOutput, scan_site
from scanner.terminal import json_document, site_document, summary_lines


def _phases(value: str) -> tuple[Phase, ...]:
    try:
        return tuple(Phase(p.strip()) for p in value.split(",") if p.strip())
    except ValueError:
        raise UsageError(
            f"phases: comma-separated list of none, reject, accept; got {value!r}"
        ) from None


async def run_scans(
    settings: ScanSettings, console: Console, *, show_progress: bool = True
) -> list[ScanOutput | CookieAuditError]:
    """Scan each URL in turn; a failed site does not stop the others (Ctrl-C does)."""
    from playwright.async_api import async_playwright

    results: list[ScanOutput | CookieAuditError] = []
    several = len(settings.urls) > 1
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not show_progress,
        transient=True,
    ) as progress:
        async with async_playwright() as pw:
            for url in settings.urls:
                host = urlsplit(url).hostname or "site"
                out_dir = settings.out_dir / host if several else settings.out_dir
                task = progress.add_task(f"{host} none", total=settings.max_pages)

                def on_progress(
                    phase: str, done: int, total: int, task: TaskID = task, host: str = host
                ) -> None:
                    progress.update(
                        task, description=f"{host} {phase}", completed=done, total=max(total, 1)
                    )

                try:
                    output = await scan_site(pw, settings, url, out_dir, progress=on_progress)
                except ScanFailedError as exc:
                    results.append(exc)
                    continue
                results.append(output)
                if output.scan.interrupted:
                    break
    return results


def print_summary(output: ScanOutput, console: Console) -> None:
    """One screen that reads at 80 columns (scanner.terminal): per phase the banner, pages,
    cookies by category and third-party hosts; the worst findings, each naming its subject."""
    for line in summary_lines(output.scan, console.width, output.scan_json, output.report_html):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def execute(settings: ScanSettings, *, as_json: bool = False) -> None:
    """Run, print the summaries (or, with `as_json`, one JSON document), then fail the
    documented way.

    Failures are raised (not returned as exit codes) because `scanner.cli.main` maps our
    exceptions to exit codes: ScanFailedError -> 1, click's Abort (Ctrl-C) -> 130.
    """
    console = Console()
    err = Console(stderr=True)
    results = asyncio.run(run_scans(settings, err, show_progress=err.is_terminal))
    failures = [r for r in results if isinstance(r, CookieAuditError)]
    outputs = [r for r in results if isinstance(r, ScanOutput)]
    if as_json:
        document = json_document(
            [site_document(o.scan, o.scan_json, o.report_html) for o in outputs],
            [
                (url, str(r))
                for url, r in zip(settings.urls, results, strict=False)  # Ctrl-C: fewer results
                if not isinstance(r, ScanOutput)
            ],
        )
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        for output in outputs:
            print_summary(output, console)
    if any(o.scan.interrupted for o in outputs):
        raise click.exceptions.Abort()
    if failures:
        raise ScanFailedError("; ".join(str(f) for f in failures))
    if settings.fail_on is not None:
        fail_on = settings.fail_on
        hits = sum(1 for o in outputs for f in o.scan.findings if f.severity.rank >= fail_on.rank)
        if hits:
            raise ScanFailedError(f"{hits} finding(s) at or above {fail_on.value} (--fail-on)")


@click.command("scan")
@click.argument("urls", nargs=-1, required=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("results"),
    show_default=True,
    help="Output folder (one sub-folder per site for several URLs).",
)
@click.option("--max-pages", type=int, default=20, show_default=True, help="Page budget per phase.")
@click.option("--depth", "max_depth", type=int, default=3, show_default=True, help="Link depth.")
@click.option("--include", multiple=True, help="Regex a URL must match (repeatable).")
@click.option("--exclude", multiple=True, help="Regex a URL must not match (repeatable).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the page order.")
@click.option("--concurrency", type=int, default=2, show_default=True, help="Pages at a time.")
@click.option("--page-timeout", type=float, default=15.0, show_default=True, help="Seconds.")
@click.option(
    "--timeout",
    "scan_timeout",
    type=float,
    default=300.0,
    show_default=True,
    help="Whole-scan seconds per site.",
)
@click.option(
    "--phases", default="none,reject,accept", show_default=True, help="Consent phases to run."
)
@click.option("--resolve", multiple=True, help="HOST:PORT:ADDRESS like curl (repeatable).")
@click.option("--ignore-https-errors", is_flag=True, help="Accept invalid certificates.")
@click.option("--keep-values", is_flag=True, help="Store cookie values (not kept by default).")
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Declared policy YAML.",
)
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity]),
    default=None,
    help="Exit 1 when a finding reaches this severity.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    default="en",
    show_default=True,
    help="Report language.",
)
@click.option("--allow-private", is_flag=True, help="Allow private/loopback addresses.")
@click.option(
    "--consent-api",
    "consent_api",
    default=None,
    metavar="URL",
    help="The consent API the site's banner posts to (with --consent-api-key).",
)
@click.option(
    "--consent-api-key",
    "consent_api_key",
    default=None,
    envvar="COOKIE_AUDIT_CONSENT_API_KEY",
    metavar="KEY",
    help="An admin key of the site in that API: the records of the banner's clicks are read "
    "back and checked (env COOKIE_AUDIT_CONSENT_API_KEY).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON summary of every site for scripts instead of the tables.",
)
def scan(
    urls: tuple[str, ...],
    out_dir: Path,
    max_pages: int,
    max_depth: int,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    seed: int,
    concurrency: int,
    page_timeout: float,
    scan_timeout: float,
    phases: str,
    resolve: tuple[str, ...],
    ignore_https_errors: bool,
    keep_values: bool,
    policy_file: Path | None,
    fail_on: str | None,
    lang: str,
    allow_private: bool,
    consent_api: str | None,
    consent_api_key: str | None,
    as_json: bool,
) -> None:
    """Scan sites in three consent states; write scan.json and report.html."""
    settings = ScanSettings(
        urls=urls,
        out_dir=out_dir,
        max_pages=max_pages,
        max_depth=max_depth,
        include=include,
        exclude=exclude,
        seed=seed,
        concurrency=concurrency,
        page_timeout=page_timeout,
        scan_timeout=scan_timeout,
        phases=_phases(phases),
        resolve=resolve,
        ignore_https_errors=ignore_https_errors,
        keep_values=keep_values,
        policy_file=policy_file,
        fail_on=Severity(fail_on) if fail_on else None,
        lang=lang,
        allow_private=allow_private,
        executable=os.environ.get("COOKIE_AUDIT_CHROMIUM") or None,
        consent_api=consent_api,
        consent_api_key=consent_api_key,
    )
    execute(settings, as_json=as_json)


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("results/demo"),
    show_default=True,
    help="Output folder.",
)
@click.option("--serve", is_flag=True, help="Serve the demo web until Ctrl-C instead of scanning.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8443,
    show_default=True,
    help="HTTPS port of the demo web with --serve.",
)
@click.option(
    "--plugin-update",
    is_flag=True,
    help="With --serve: the shop after a plugin update (a pixel before consent).",
)
@click.option(
    "--webhook-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="With --serve: also print the alerts POSTed to http://127.0.0.1:PORT/.",
)
def demo(
    out_dir: Path, serve: bool, port: int, plugin_update: bool, webhook_port: int | None
) -> None:
    """Scan the bundled demo site on a local web (offline) and say where the results are."""
    from scanner.demo.server import LocalWeb
    from scanner.demo.site import DEMO_URL, PLUGIN_UPDATE, SITES

    if serve:
        from scanner.demo.hook import serve_forever

        PLUGIN_UPDATE["on"] = plugin_update
        with LocalWeb(SITES, port=port) as web:
            click.echo(
                f"demo web: {DEMO_URL} on 127.0.0.1:{web.port}"
                + (" (after the plugin update)" if plugin_update else "")
            )
            click.echo(
                f"scan or audit it with: --resolve '*:443:127.0.0.1:{web.port}' "
                "--ignore-https-errors"
            )
            serve_forever(webhook_port)
        return
    with LocalWeb(SITES) as web:
        settings = ScanSettings(
            urls=(DEMO_URL,),
            out_dir=out_dir,
            resolve=web.resolve,
            ignore_https_errors=True,
            page_timeout=10.0,
            executable=os.environ.get("COOKIE_AUDIT_CHROMIUM") or None,
        )
        execute(settings)


__all__ = ["demo", "execute", "print_summary", "run_scans", "scan"]
