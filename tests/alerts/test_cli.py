"""`cookie-audit alert test|settings` in-process against the real receivers."""

from __future__ import annotations

import pytest

from audits.alerts.signing import verify
from scanner.cli import main
from tests.alerts.conftest import SMTP_PASSWORD, SMTP_USER
from tests.alerts.receivers import (
    Authenticator,
    EphemeralController,
    Mailbox,
    TlsFiles,
    WebhookReceiver,
)


@pytest.fixture()
def env(
    monkeypatch: pytest.MonkeyPatch,
    smtp_starttls: tuple[EphemeralController, Mailbox, Authenticator],
    tls: TlsFiles,
) -> None:
    for name, value in {
        "COOKIE_AUDIT_SMTP_HOST": "127.0.0.1",
        "COOKIE_AUDIT_SMTP_PORT": str(smtp_starttls[0].port),
        "COOKIE_AUDIT_SMTP_USER": SMTP_USER,
        "COOKIE_AUDIT_SMTP_PASSWORD": SMTP_PASSWORD,
        "COOKIE_AUDIT_SMTP_FROM": "audit@audit.example.com",
        "COOKIE_AUDIT_SMTP_CA_FILE": str(tls.ca),
        "COOKIE_AUDIT_WEBHOOK_SECRET": "cli-test-secret",
        "COOKIE_AUDIT_ALERT_ALLOW_PRIVATE": "true",
        "COOKIE_AUDIT_ALERT_RETRY_BACKOFF": "0.05",
    }.items():
        monkeypatch.setenv(name, value)


def test_alert_test_sends_a_marked_sample(
    env: None,
    receiver: WebhookReceiver,
    smtp_starttls: tuple[EphemeralController, Mailbox, Authenticator],
    capsys: pytest.CaptureFixture[str],
) -> None:
    mailbox = smtp_starttls[1]
    before = len(mailbox.messages)
    url = receiver.script("/cli/T0KEN", (200, {}, b"ok"))
    code = main(
        ["alert", "test", f"webhook:{url} kind=slack", "email:dpo@shop.example", "--lang", "fr"]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.count("delivered") == 2 and "T0KEN" not in out + err
    (hit,) = receiver.hits("/cli/T0KEN")
    assert verify("cli-test-secret", hit.headers, hit.body)
    assert hit.json()["blocks"][0]["text"]["text"].startswith("TEST \u2014 Ce qui a changé")
    _, message = mailbox.messages[before]
    assert message["Subject"].startswith("TEST \u2014 [cookie-audit] example")


def test_alert_test_exits_1_when_a_target_fails(
    env: None, receiver: WebhookReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    url = receiver.script("/cli/gone", (404, {}, b""))
    assert main(["alert", "test", f"webhook:{url}"]) == 1
    out, err = capsys.readouterr()
    assert "FAILED" in out and "HTTP 404" in out
    assert err.strip() == "error: 1 of 1 target(s) not delivered"


def test_bad_targets_and_settings_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alert", "test", "sms:+33600000000"]) == 2
    monkeypatch.setenv("COOKIE_AUDIT_SMTP_PORT", "smtp")
    assert main(["alert", "test", "email:a@b.example"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "COOKIE_AUDIT_SMTP_PORT: expected an integer" in err[1]


def test_alert_settings_never_shows_a_secret(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["alert", "settings"]) == 0
    out = capsys.readouterr().out
    assert "smtp_password      set" in out and "webhook_secret     set" in out
    assert SMTP_PASSWORD not in out and "cli-test-secret" not in out
