"""Webhooks against a real HTTP receiver on loopback: signatures a receiver can verify,
retries on 5xx/429/timeouts and none on 4xx, a hanging receiver that never blocks the caller,
and no secret in any log line."""

from __future__ import annotations

import base64
import logging
import time

import pytest
from standardwebhooks import Webhook

from audits.alerts import Alert, WebhookTarget, parse_target
from audits.alerts.delivery import AlertDispatcher, deliver_to
from audits.alerts.payloads import generic_payload
from audits.alerts.signing import verify
from audits.alerts.webhook import retry_after
from tests.alerts.conftest import quick_settings
from tests.alerts.receivers import WebhookReceiver

WHSEC = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
OK: tuple[int, dict[str, str], bytes] = (200, {}, b"ok")


def _target(url: str, extra: str = "") -> WebhookTarget:
    target = parse_target(f"webhook:{url}{extra}")
    assert isinstance(target, WebhookTarget)
    return target


def test_signed_generic_webhook_verifies_three_ways(
    receiver: WebhookReceiver, alert: Alert
) -> None:
    from pydantic import SecretStr

    url = receiver.script("/signed", OK)
    settings = quick_settings(webhook_secret=SecretStr(WHSEC))
    result = deliver_to(alert, _target(url), settings)
    assert result.delivered and result.attempts == 1 and result.error is None
    (hit,) = receiver.hits("/signed")
    assert hit.headers["content-type"].startswith("application/json")
    assert hit.json() == generic_payload(alert)
    assert Alert.model_validate(hit.json()["alert"]) == alert
    assert hit.headers["webhook-id"] == alert.id
    # our own check, the Standard Webhooks reference library, and a tampered body
    assert verify(WHSEC, hit.headers, hit.body)
    assert Webhook(WHSEC).verify(hit.body, hit.headers) == hit.json()
    assert not verify(WHSEC, hit.headers, hit.body + b" ")
    assert not verify(WHSEC, hit.headers, hit.body, now=time.time() + 3600)  # replayed later


def test_per_target_secret_from_the_environment(receiver: WebhookReceiver, alert: Alert) -> None:
    url = receiver.script("/own-secret", OK)
    target = _target(url, " secret=env:SHOP_HOOK_SECRET")
    result = deliver_to(
        alert, target, quick_settings(), environ={"SHOP_HOOK_SECRET": "plain shared secret"}
    )
    assert result.delivered
    (hit,) = receiver.hits("/own-secret")
    assert verify("plain shared secret", hit.headers, hit.body)
    missing = deliver_to(alert, target, quick_settings(), environ={})
    assert not missing.delivered and missing.attempts == 1
    assert missing.error == "environment variable SHOP_HOOK_SECRET is not set"


def test_500_then_200_is_retried_with_the_same_id(receiver: WebhookReceiver, alert: Alert) -> None:
    from pydantic import SecretStr

    url = receiver.script("/flaky", (500, {}, b"oops"), (503, {}, b""), OK)
    result = deliver_to(alert, _target(url), quick_settings(webhook_secret=SecretStr(WHSEC)))
    assert result.delivered and result.attempts == 3
    hits = receiver.hits("/flaky")
    assert len(hits) == 3
    assert {h.headers["webhook-id"] for h in hits} == {alert.id}
    assert all(verify(WHSEC, h.headers, h.body) for h in hits)  # each attempt signed afresh
    # backoff 0.05 s then 0.1 s (+-20 %): the second wait is the longer one
    assert hits[1].at - hits[0].at >= 0.03
    assert hits[2].at - hits[1].at >= 0.07


def test_retries_give_up_after_the_setting(receiver: WebhookReceiver, alert: Alert) -> None:
    url = receiver.script("/down", (502, {}, b"bad gateway"))
    result = deliver_to(alert, _target(url), quick_settings(retries=2))
    assert not result.delivered and result.attempts == 3
    assert "HTTP 502" in (result.error or "")
    assert len(receiver.hits("/down")) == 3


def test_429_waits_for_retry_after(receiver: WebhookReceiver, alert: Alert) -> None:
    url = receiver.script("/busy", (429, {"Retry-After": "1"}, b"slow down"), OK)
    result = deliver_to(alert, _target(url), quick_settings())
    assert result.delivered and result.attempts == 2
    first, second = receiver.hits("/busy")
    assert second.at - first.at >= 0.9


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_4xx_is_not_retried(receiver: WebhookReceiver, alert: Alert, status: int) -> None:
    url = receiver.script(f"/refused-{status}", (status, {}, b"invalid_payload"))
    result = deliver_to(alert, _target(url), quick_settings())
    assert not result.delivered and result.attempts == 1
    assert f"HTTP {status} (invalid_payload)" in (result.error or "")
    assert len(receiver.hits(f"/refused-{status}")) == 1


def test_redirects_are_not_followed(receiver: WebhookReceiver, alert: Alert) -> None:
    receiver.script("/moved-target", OK)
    url = receiver.script("/moved", (302, {"Location": receiver.url("/moved-target")}, b""))
    result = deliver_to(alert, _target(url), quick_settings())
    assert not result.delivered and result.attempts == 1
    assert "redirects are not followed" in (result.error or "")
    assert receiver.hits("/moved-target") == []


def test_a_hanging_receiver_never_blocks_the_caller(
    receiver: WebhookReceiver, alert: Alert
) -> None:
    hang = receiver.script("/hang", "hang")
    fine = receiver.script("/fine", OK)
    settings = quick_settings(webhook_timeout=0.5, retries=1)
    with AlertDispatcher(settings) as dispatcher:
        started = time.monotonic()
        futures = dispatcher.submit(alert, [_target(hang), _target(fine)])
        assert time.monotonic() - started < 0.45  # at once (a hung send takes 0.5 s)
        assert futures[1].result(timeout=5).delivered  # not held up by the hanging one
        hung = futures[0].result(timeout=10)
    assert not hung.delivered and hung.attempts == 2
    assert hung.error is not None and "no answer within 0.5 s" in hung.error
    assert len(receiver.hits("/hang")) == 2


def test_close_abandons_waiting_retries(receiver: WebhookReceiver, alert: Alert) -> None:
    url = receiver.script("/always-500", (500, {}, b""))
    dispatcher = AlertDispatcher(quick_settings(retries=5, retry_backoff=30, retry_max_wait=60))
    (future,) = dispatcher.submit(alert, [_target(url)])
    deadline = time.monotonic() + 5
    while not receiver.hits("/always-500") and time.monotonic() < deadline:
        time.sleep(0.02)
    started = time.monotonic()
    dispatcher.close(timeout=0.2)
    assert time.monotonic() - started < 3
    result = future.result(timeout=1)
    assert not result.delivered and "abandoned" in (result.error or "")


def test_private_addresses_are_refused_unless_allowed(
    receiver: WebhookReceiver, alert: Alert
) -> None:
    url = receiver.script("/private", OK)
    result = deliver_to(alert, _target(url), quick_settings(allow_private=False))
    assert not result.delivered and result.attempts == 1
    assert "private address" in (result.error or "")
    assert "COOKIE_AUDIT_ALERT_ALLOW_PRIVATE" in (result.error or "")
    assert receiver.hits("/private") == []


def test_connection_refused_is_retried(alert: Alert) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = deliver_to(alert, _target(f"http://127.0.0.1:{port}/x"), quick_settings(retries=1))
    assert not result.delivered and result.attempts == 2
    assert "connection failed" in (result.error or "")


def test_retry_after_parses_seconds_and_dates() -> None:
    assert retry_after("120") == 120
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 30) == 30
    assert retry_after("soon") is None
    assert retry_after(None) is None


def test_no_secret_in_logs_results_or_errors(
    receiver: WebhookReceiver, alert: Alert, caplog: pytest.LogCaptureFixture
) -> None:
    from pydantic import SecretStr

    token_path = "/services/T0K3N/B0T/TokenInPath9f3"
    query = "?sig=QuerySecret77"
    receiver.script(token_path, (500, {}, b"echo " + token_path.encode()), (404, {}, b""))
    url = receiver.url(token_path + query)
    hook_secret = "whsec_" + base64.b64encode(b"another-32-byte-signing-key-xyz!").decode()
    caplog.set_level(logging.DEBUG)
    results = [
        deliver_to(alert, _target(url), quick_settings(webhook_secret=SecretStr(hook_secret))),
        deliver_to(alert, _target(url, " kind=slack"), quick_settings()),
        deliver_to(
            alert,
            _target(receiver.script("/hang-2", "hang")),
            quick_settings(webhook_timeout=0.3, retries=0),
        ),
    ]
    text = caplog.text + " ".join(r.getMessage() for r in caplog.records)
    shown = " ".join(str(r) for r in results) + repr(_target(url))
    assert "HTTP Request" in text  # httpx's own line was emitted, redacted
    for secret in ("T0K3N", "TokenInPath9f3", "QuerySecret77", hook_secret, hook_secret[6:]):
        assert secret not in text
        assert secret not in shown
