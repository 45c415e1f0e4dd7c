"""Fixtures of the alert tests: the real webhook receiver and SMTP servers, alerts to send."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from audits.alerts import Alert, AlertSettings, RunOutcome, build_alert
from reports import compare
from tests.alerts.receivers import (
    Authenticator,
    EphemeralController,
    Mailbox,
    TlsFiles,
    WebhookReceiver,
    make_tls,
    start_receiver,
)
from tests.reports.sample_scans import before_after

SMTP_USER = "audit-bot"
SMTP_PASSWORD = "pw-Zq8!never-logged"


@pytest.fixture(scope="session")
def receiver() -> Iterator[WebhookReceiver]:
    hooks, server = start_receiver()
    yield hooks
    hooks.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls(tmp_path_factory.mktemp("tls"))


def _server_context(tls: TlsFiles) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls.cert, tls.key)
    return context


@pytest.fixture(scope="session")
def smtp_starttls(tls: TlsFiles) -> Iterator[tuple[EphemeralController, Mailbox, Authenticator]]:
    """Port 587 style: plain connection, STARTTLS required before AUTH and mail."""
    mailbox, auth = Mailbox(), Authenticator(SMTP_USER, SMTP_PASSWORD)
    controller = EphemeralController(
        mailbox,
        hostname="127.0.0.1",
        tls_context=_server_context(tls),
        require_starttls=True,
        auth_require_tls=True,
        authenticator=auth,
    )
    controller.start()
    yield controller, mailbox, auth
    controller.stop()


@pytest.fixture(scope="session")
def smtp_ssl(tls: TlsFiles) -> Iterator[tuple[EphemeralController, Mailbox, Authenticator]]:
    """Port 465 style: TLS from the first byte."""
    mailbox, auth = Mailbox(), Authenticator(SMTP_USER, SMTP_PASSWORD)
    controller = EphemeralController(
        mailbox,
        hostname="127.0.0.1",
        ssl_context=_server_context(tls),
        auth_require_tls=False,
        authenticator=auth,
    )
    controller.start()
    yield controller, mailbox, auth
    controller.stop()


def quick_settings(**changes: object) -> AlertSettings:
    """Short timeouts and backoff so that retries take milliseconds; loopback allowed."""
    base: dict[str, object] = {
        "webhook_timeout": 1.0,
        "retries": 2,
        "retry_backoff": 0.05,
        "retry_max_wait": 2.0,
        "allow_private": True,
    }
    return AlertSettings(**(base | changes))  # type: ignore[arg-type]


@pytest.fixture()
def alert() -> Alert:
    old, new = before_after()
    made = build_alert(
        audit="boutique",
        site_url=new.target,
        run_id=42,
        previous_run_id=41,
        state=RunOutcome.SUCCEEDED,
        diff=compare(old, new),
        finished_at=datetime(2026, 12, 2, 9, 31, tzinfo=UTC),
        report_url="https://audit.example.com/audits/boutique/runs/42",
        diff_url="https://audit.example.com/audits/boutique/diff?from=41&to=42",
    )
    assert made is not None
    return made


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
