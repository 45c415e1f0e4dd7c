"""`cookie-audit alert`: check the alert channels before a real change needs them.

`alert test TARGET...` sends a sample alert (marked TEST) to each target now, with the
retries of a real one, and says what happened to each; `alert settings` shows the settings in
force, secrets as "set" or "not set" only.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime

import click

from audits.alerts.delivery import deliver
from audits.alerts.errors import AlertError
from audits.alerts.model import Alert, CookieRef, FindingRef, RunOutcome
from audits.alerts.settings import AlertSettings, load_alert_settings
from audits.alerts.targets import parse_targets
from reports.i18n import Lang
from scanner.model import Severity


def sample_alert(settings: AlertSettings, *, failed: bool = False) -> Alert:
    """What an alert looks like, with made-up data about www.example.com."""
    now = datetime.now(UTC)
    if failed:
        return Alert(
            audit="example",
            site_url="https://www.example.com/",
            run_id=2,
            previous_run_id=1,
            state=RunOutcome.FAILED,
            severity=Severity.HIGH,
            finished_at=now,
            reason="dns: host name not found (sample)",
            report_url=settings.link("/"),
            test=True,
        )
    return Alert(
        audit="example",
        site_url="https://www.example.com/",
        run_id=2,
        previous_run_id=1,
        state=RunOutcome.SUCCEEDED,
        severity=Severity.HIGH,
        finished_at=now,
        findings_new=[
            FindingRef(
                rule_id="cookie-before-consent",
                severity=Severity.HIGH,
                title="Cookie that needs consent is set before any choice",
                subject="_ga@.example.com",
            )
        ],
        cookies_added=[
            CookieRef(
                name="_ga",
                domain=".example.com",
                category="google_analytics",
                party="first",
                vendor="Google Analytics",
            )
        ],
        hosts_added=["www.google-analytics.com"],
        report_url=settings.link("/"),
        test=True,
    )


@click.group("alert")
def alert() -> None:
    """Check the alert channels: settings in force, a test alert to any target."""


@alert.command("test")
@click.argument("targets", nargs=-1, required=True)
@click.option(
    "--lang",
    type=click.Choice([x.value for x in Lang]),
    default=None,
    help="Language for targets without lang= (default $COOKIE_AUDIT_ALERT_LANG).",
)
@click.option("--failed", is_flag=True, help="Send a failed-run alert instead of a change.")
def test(targets: tuple[str, ...], lang: str | None, failed: bool) -> None:
    """Send a sample alert (marked TEST) to each TARGET now: webhook:URL or email:ADDRESS."""
    settings = load_alert_settings()
    parsed = parse_targets(list(targets))
    # the results are printed below: the delivery log lines would say it twice
    logging.getLogger("cookie_audit.alerts").addHandler(logging.NullHandler())
    if lang is not None:
        parsed = [
            t if t.lang is not None else dataclasses.replace(t, lang=Lang(lang)) for t in parsed
        ]
    results = deliver(sample_alert(settings, failed=failed), parsed, settings)
    for result in results:
        verdict = "delivered" if result.delivered else "FAILED"
        detail = f": {result.error}" if result.error else ""
        click.echo(f"{verdict:9}  {result.target}  ({result.attempts} attempt(s)){detail}")
    failures = sum(not r.delivered for r in results)
    if failures:
        raise AlertError(f"{failures} of {len(results)} target(s) not delivered")


@alert.command("settings")
def settings() -> None:
    """Show the alert settings in force (secrets only as set / not set)."""
    values = load_alert_settings()
    for field in dataclasses.fields(values):
        value = getattr(values, field.name)
        if field.name in ("smtp_password", "webhook_secret"):
            shown = "set" if value is not None else "not set"
        elif value is None:
            shown = "-"
        elif isinstance(value, bool):
            shown = "true" if value else "false"
        else:
            shown = str(value)
        click.echo(f"{field.name:18} {shown}")
