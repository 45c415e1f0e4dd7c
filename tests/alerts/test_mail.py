"""E-mail alerts through a real SMTP server in the test process (aiosmtpd): STARTTLS with a
certificate made at test time, implicit TLS, AUTH, temporary and permanent refusals, both
languages, hostile site content escaped, and no password anywhere in logs or errors."""

from __future__ import annotations

import base64
import logging
from email.message import EmailMessage
from html.parser import HTMLParser

import pytest
from pydantic import SecretStr

from audits.alerts import Alert, AlertSettings, EmailTarget, parse_target
from audits.alerts.delivery import deliver_to
from tests.alerts.conftest import SMTP_PASSWORD, SMTP_USER, quick_settings
from tests.alerts.receivers import (
    Authenticator,
    EphemeralController,
    Mailbox,
    TlsFiles,
)
from tests.alerts.test_payloads import HOSTILE, hostile_alert

Server = tuple[EphemeralController, Mailbox, Authenticator]


def smtp_settings(server: Server, tls: TlsFiles | None, **changes: object) -> AlertSettings:
    controller = server[0]
    base: dict[str, object] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": controller.port,
        "smtp_user": SMTP_USER,
        "smtp_password": SecretStr(SMTP_PASSWORD),
        "smtp_from": "Cookie Audit <audit@audit.example.com>",
        "smtp_ca_file": str(tls.ca) if tls else None,
        "smtp_timeout": 5.0,
    }
    return quick_settings(**(base | changes))


def _target(text: str) -> EmailTarget:
    target = parse_target(text)
    assert isinstance(target, EmailTarget)
    return target


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.links.extend(v or "" for k, v in attrs if k == "href")


def test_starttls_auth_multipart(smtp_starttls: Server, tls: TlsFiles, alert: Alert) -> None:
    _, mailbox, auth = smtp_starttls
    before, attempts = len(mailbox.messages), auth.attempts
    result = deliver_to(alert, _target("email:dpo@shop.example"), smtp_settings(smtp_starttls, tls))
    assert result.delivered and result.attempts == 1, result.error
    assert auth.attempts == attempts + 1
    envelope, message = mailbox.messages[before]
    assert envelope.rcpt_tos == ["dpo@shop.example"]
    assert envelope.mail_from == "audit@audit.example.com"
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"].startswith("[cookie-audit] boutique: ")
    assert message["To"] == "dpo@shop.example"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].startswith(f"<{alert.id}.")
    text, html = _parts(message)
    assert "https://audit.example.com/audits/boutique/runs/42" in text
    elements = _Elements()
    elements.feed(html)
    assert "https://audit.example.com/audits/boutique/runs/42" in elements.links
    assert "https://audit.example.com/audits/boutique/diff?from=41&to=42" in elements.links
    assert 'lang="en"' in html
    for heading in ("New findings", "Cookies added", "Third-party hosts added"):
        if heading in html:
            assert heading in text


def test_implicit_tls(smtp_ssl: Server, tls: TlsFiles, alert: Alert) -> None:
    _, mailbox, _ = smtp_ssl
    before = len(mailbox.messages)
    settings = smtp_settings(smtp_ssl, tls, smtp_ssl=True, smtp_starttls=False)
    result = deliver_to(alert, _target("email:dpo@shop.example"), settings)
    assert result.delivered, result.error
    assert len(mailbox.messages) == before + 1


def test_untrusted_certificate_is_refused_not_retried(smtp_starttls: Server, alert: Alert) -> None:
    result = deliver_to(
        alert, _target("email:dpo@shop.example"), smtp_settings(smtp_starttls, None)
    )
    assert not result.delivered and result.attempts == 1
    assert "certificate not trusted" in (result.error or "")


def test_wrong_password_is_not_retried(smtp_starttls: Server, tls: TlsFiles, alert: Alert) -> None:
    settings = smtp_settings(smtp_starttls, tls, smtp_password=SecretStr("wrong-pw-123"))
    result = deliver_to(alert, _target("email:dpo@shop.example"), settings)
    assert not result.delivered and result.attempts == 1
    assert "authentication refused (535)" in (result.error or "")
    assert "wrong-pw-123" not in (result.error or "")


def test_temporary_refusal_is_retried_permanent_is_not(
    smtp_starttls: Server, tls: TlsFiles, alert: Alert
) -> None:
    _, mailbox, _ = smtp_starttls
    before = len(mailbox.messages)
    mailbox.refuse_next = ["451 4.3.0 try again later"]
    result = deliver_to(alert, _target("email:dpo@shop.example"), smtp_settings(smtp_starttls, tls))
    assert result.delivered and result.attempts == 2
    assert len(mailbox.messages) == before + 1
    mailbox.refuse_next = ["554 5.7.1 rejected as spam"]
    result = deliver_to(alert, _target("email:dpo@shop.example"), smtp_settings(smtp_starttls, tls))
    assert not result.delivered and result.attempts == 1
    assert "554" in (result.error or "")


def test_a_server_without_starttls_is_refused(tls: TlsFiles, alert: Alert) -> None:
    mailbox = Mailbox()
    plain = EphemeralController(mailbox, hostname="127.0.0.1")
    plain.start()
    try:
        settings = smtp_settings((plain, mailbox, Authenticator("x", "y")), tls)
        result = deliver_to(alert, _target("email:dpo@shop.example"), settings)
        assert not result.delivered and result.attempts == 1
        assert "does not offer STARTTLS" in (result.error or "")
        # a relay on a trusted network, no AUTH: allowed when said so
        open_relay = smtp_settings(
            (plain, mailbox, Authenticator("x", "y")),
            None,
            smtp_starttls=False,
            smtp_user=None,
            smtp_password=None,
        )
        assert deliver_to(alert, _target("email:dpo@shop.example"), open_relay).delivered
        assert len(mailbox.messages) == 1
    finally:
        plain.stop()


def test_unreachable_server_is_retried(alert: Alert) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = quick_settings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_from="a@b.example", retries=1
    )
    result = deliver_to(alert, _target("email:dpo@shop.example"), settings)
    assert not result.delivered and result.attempts == 2
    assert "connection failed" in (result.error or "")


def test_missing_settings_are_named(alert: Alert) -> None:
    result = deliver_to(alert, _target("email:dpo@shop.example"), quick_settings())
    assert result.error == "e-mail alerts need COOKIE_AUDIT_SMTP_HOST"
    result = deliver_to(
        alert, _target("email:dpo@shop.example"), quick_settings(smtp_host="127.0.0.1")
    )
    assert result.error == "e-mail alerts need COOKIE_AUDIT_SMTP_FROM"


def test_hostile_content_is_escaped_and_french(smtp_starttls: Server, tls: TlsFiles) -> None:
    _, mailbox, _ = smtp_starttls
    before = len(mailbox.messages)
    alert = hostile_alert().model_copy(
        update={"audit": "boutique\r\nBcc: victim@evil.example", "site_url": "https://x.test/"}
    )
    result = deliver_to(
        alert, _target("email:dpo@shop.example lang=fr"), smtp_settings(smtp_starttls, tls)
    )
    assert result.delivered, result.error
    envelope, message = mailbox.messages[before]
    assert envelope.rcpt_tos == ["dpo@shop.example"]  # no header or recipient injected
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]
    assert message["Subject"].startswith("[cookie-audit] boutique Bcc: victim@evil.example : ")
    text, html = _parts(message)
    elements = _Elements()
    elements.feed(html)
    assert "img" not in elements.tags and "script" not in elements.tags
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert HOSTILE in text
    assert set(elements.links) == {
        "https://audit.example.com/runs/7",
        "https://audit.example.com/diff/6/7",
    }
    assert 'lang="fr"' in html
    for words in (
        "Ce qui a changé sur https://x.test/",
        "Nouveaux constats",
        "Cookies ajoutés",
        "Constats résolus",
        "« Tout refuser »",
        "Ouvrir le rapport",
        "élevée",
    ):
        assert words in html and words in text


def test_no_password_in_logs(
    smtp_starttls: Server, tls: TlsFiles, alert: Alert, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = smtp_settings(smtp_starttls, tls)
    wrong = smtp_settings(smtp_starttls, tls, smtp_password=SecretStr("Wr0ng-Secret-99"))
    results = [
        deliver_to(alert, _target("email:dpo@shop.example"), settings),
        deliver_to(alert, _target("email:dpo@shop.example"), wrong),
    ]
    assert "not delivered" in caplog.text and "delivered to email:dpo@shop.example" in caplog.text
    everything = caplog.text + repr(results) + repr(settings) + str(settings)
    for password in (SMTP_PASSWORD, "Wr0ng-Secret-99"):
        plain = base64.b64encode(f"\0{SMTP_USER}\0{password}".encode()).decode()
        login = base64.b64encode(password.encode()).decode()
        for secret in (password, plain, login):  # as typed, and as AUTH PLAIN/LOGIN send it
            assert secret not in everything
