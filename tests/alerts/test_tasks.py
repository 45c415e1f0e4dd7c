"""The distributed mode: a real Celery worker on a real Redis broker delivers an alert to the
real webhook receiver, retrying a 500 through Celery's own retry; the task's visible
arguments never show the URL."""

from __future__ import annotations

import base64
import logging
import time
import uuid
from collections.abc import Iterator

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from audits.alerts import Alert, parse_target
from audits.alerts.signing import verify
from audits.alerts.tasks import TASK_NAME, enqueue_alert, worker_settings
from tests.alerts.receivers import Received, WebhookReceiver

WHSEC = "whsec_" + base64.b64encode(b"celery-test-signing-key-32-bytes").decode()
pytestmark = pytest.mark.redis


@pytest.fixture()
def celery_app(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Celery]:
    for name, value in {
        "COOKIE_AUDIT_ALERT_ALLOW_PRIVATE": "true",
        "COOKIE_AUDIT_ALERT_RETRY_BACKOFF": "0.1",
        "COOKIE_AUDIT_ALERT_RETRIES": "2",
        "COOKIE_AUDIT_WEBHOOK_TIMEOUT": "2",
        "COOKIE_AUDIT_WEBHOOK_SECRET": WHSEC,
    }.items():
        monkeypatch.setenv(name, value)
    worker_settings.cache_clear()
    app = Celery(f"alerts-test-{uuid.uuid4().hex[:8]}", broker=redis_url)
    queue = f"cookie-audit-alerts-test-{uuid.uuid4().hex}"
    app.conf.update(
        task_default_queue=queue,
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
    )
    app.set_current()
    import audits.alerts.tasks  # noqa: F401  (registers the shared task on this app)

    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="INFO", shutdown_timeout=10
    ):
        yield app
    worker_settings.cache_clear()


def _wait_for(receiver: WebhookReceiver, path: str, count: int) -> list[Received]:
    deadline = time.monotonic() + 30
    while len(receiver.hits(path)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return receiver.hits(path)


def _wait_for_log(caplog: pytest.LogCaptureFixture, text: str) -> None:
    deadline = time.monotonic() + 30
    while text not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert text in caplog.text


def test_a_celery_worker_delivers_and_retries(
    celery_app: Celery, receiver: WebhookReceiver, alert: Alert, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert TASK_NAME in celery_app.tasks
    url = receiver.script(
        "/celery/T0KEN-in-path?sig=CelerySecret", (500, {}, b""), (200, {}, b"ok")
    )
    target = parse_target(f"webhook:{url}")
    enqueue_alert(alert, [target])
    hits = _wait_for(receiver, "/celery/T0KEN-in-path?sig=CelerySecret", 2)
    assert len(hits) == 2
    _wait_for_log(caplog, f"alert {alert.id} delivered to")
    assert "(attempt 2)" in caplog.text
    assert all(verify(WHSEC, h.headers, h.body) for h in hits)
    for secret in ("T0KEN-in-path", "CelerySecret", WHSEC[6:]):
        assert secret not in caplog.text


def test_a_4xx_ends_the_task_without_retry(
    celery_app: Celery, receiver: WebhookReceiver, alert: Alert, caplog: pytest.LogCaptureFixture
) -> None:
    url = receiver.script("/celery/gone", (410, {}, b"gone"))
    caplog.set_level(logging.INFO)
    enqueue_alert(alert, [parse_target(f"webhook:{url}")])
    _wait_for_log(caplog, f"alert {alert.id} to webhook:http://127.0.0.1")
    assert "not delivered after 1 attempt(s)" in caplog.text and "HTTP 410" in caplog.text
    time.sleep(0.5)  # five times the backoff: a retry would have come
    assert len(receiver.hits("/celery/gone")) == 1
