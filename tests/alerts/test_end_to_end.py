"""An audit run alerts for real: two embedded runs of the changing shop (real Chromium, the
fixture web), the second sees a heatmap replace an ad pixel, and its alert arrives at a real
Slack-style webhook receiver and a real SMTP server (French), through the same
`AlertDispatcher` the daemon uses (the first webhook attempt answers 500: retried in the
background)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from audits import AuditSettings, AuditStore, RunState, build_spec
from audits.alerts import AlertDispatcher
from audits.delivery import EmbeddedDelivery
from audits.runner import Runner
from scanner.demo.server import LocalWeb
from tests.alerts.conftest import SMTP_PASSWORD, SMTP_USER, quick_settings
from tests.alerts.receivers import (
    Authenticator,
    EphemeralController,
    Mailbox,
    TlsFiles,
    WebhookReceiver,
)
from tests.fixtureweb.sites import changing_shop

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("changing_shop")]


def test_a_change_on_the_site_reaches_slack_and_the_mailbox(
    local_web: LocalWeb,
    tmp_path: Path,
    receiver: WebhookReceiver,
    smtp_starttls: tuple[EphemeralController, Mailbox, Authenticator],
    tls: TlsFiles,
) -> None:
    controller, mailbox, _ = smtp_starttls
    hook = receiver.script("/e2e/services/T/B/token", (500, {}, b""), (200, {}, b"ok"))
    before = len(mailbox.messages)
    store = AuditStore.open(
        AuditSettings(database_url=f"sqlite:///{tmp_path / 'audits.db'}", heartbeat_s=1.0)
    )
    dispatcher = AlertDispatcher(
        quick_settings(
            smtp_host="127.0.0.1",
            smtp_port=controller.port,
            smtp_user=SMTP_USER,
            smtp_password=SecretStr(SMTP_PASSWORD),
            smtp_from="audit@audit.example.com",
            smtp_ca_file=str(tls.ca),
        )
    )
    runner = Runner(store, deliver=EmbeddedDelivery(dispatcher))
    store.add(
        build_spec(
            {
                "name": "shop",
                "url": f"https://{changing_shop.HOST}/",
                "every": "weekly",
                "max_pages": 1,
                "depth": 1,
                "phases": "none",
                "resolve": list(local_web.resolve),
                "ignore_https_errors": True,
                "alerts": [f"webhook:{hook} kind=slack", "email:dpo@changing-shop.test lang=fr"],
                "min_severity": "info",
            }
        )
    )
    try:
        changing_shop.STATE.version = 1
        first = runner.execute(store.create_run("shop").id).run
        assert first is not None and first.state is RunState.SUCCEEDED, first and first.error
        changing_shop.STATE.version = 2
        second = runner.execute(store.create_run("shop").id).run
        assert second is not None and second.state is RunState.SUCCEEDED
        assert second.alert == "sent"
    finally:
        changing_shop.STATE.version = 1
        dispatcher.close(timeout=30)
        store.close()
    hits = receiver.hits("/e2e/services/T/B/token")
    assert len(hits) == 2  # the 500 was retried in the background
    payload = hits[-1].json()
    assert payload["blocks"][0]["text"]["text"] == (
        f"What changed on https://{changing_shop.HOST}/"
    )
    assert "static.heatmap-two.test" in str(payload["blocks"])
    [(envelope, message)] = mailbox.messages[before:]
    assert envelope.rcpt_tos == ["dpo@changing-shop.test"]
    assert "ce qui a changé sur" in message["Subject"]
    html = message.get_body(("html",))
    assert html is not None and "static.heatmap-two.test" in html.get_content()
