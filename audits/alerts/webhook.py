"""Webhook delivery: one signed JSON POST per attempt, with a timeout, no redirects, and a
verdict on whether trying again may help.

The URL is a secret (Slack's and Teams' URLs hold the token): it appears in no message, and
httpx's own "HTTP Request: POST <url>" log line is redacted while an alert is being sent
(a filter on the `httpx` logger that acts only inside `send_webhook`, through a context
variable, so other code's logs are untouched).
"""

from __future__ import annotations

import contextvars
import email.utils
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from urllib.parse import urlsplit

import httpx

from audits.alerts.errors import DeliveryError
from audits.alerts.model import Alert
from audits.alerts.payloads import encode, payload
from audits.alerts.present import one_line
from audits.alerts.settings import AlertSettings
from audits.alerts.signing import signature_headers
from audits.alerts.targets import WebhookTarget, redact_url
from scanner import __version__

_RESPONSE_LIMIT = 64 * 1024
_sending: contextvars.ContextVar[bool] = contextvars.ContextVar("alerts_sending", default=False)


class _RedactUrls(logging.Filter):
    """Replaces URLs in httpx's log records by their redacted form while an alert is sent."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _sending.get() and isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(str(a)) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


_FILTER = _RedactUrls()


def _install_filter() -> None:
    logger = logging.getLogger("httpx")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)


@cache
def _tls() -> ssl.SSLContext:
    """httpx's default verification (certifi), built once: loading the CA bundle costs more
    than a whole POST to a nearby receiver."""
    return httpx.create_ssl_context()


def check_address(url: str, allow_private: bool) -> None:
    """Refuses a host that resolves to a loopback, private, link-local or reserved address
    unless allowed: alert targets come from users, and a service must not be made to post to
    its own network. (A name that changes address between this check and the connection is
    not caught; an egress firewall is the complete answer.)"""
    if allow_private:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise DeliveryError(f"{redact_url(url)}: host name not found", retryable=True) from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise DeliveryError(
                f"{redact_url(url)}: refused, the host resolves to a private address "
                "(set COOKIE_AUDIT_ALERT_ALLOW_PRIVATE=true to allow it)",
                retryable=False,
            )


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    return max(0.0, (when - current).total_seconds())


def send_webhook(
    alert: Alert,
    target: WebhookTarget,
    settings: AlertSettings,
    environ: Mapping[str, str] | None = None,
) -> int:
    """One attempt; returns the 2xx status or raises `DeliveryError` (retryable or not)."""
    url = target.resolve_url(environ)
    shown = redact_url(url)
    kind = target.resolve_kind(url)
    body = encode(payload(alert, kind, target.lang or settings.lang))
    if target.secret is not None:
        secret: str | None = target.secret.resolve(environ)
    elif settings.webhook_secret is not None:
        secret = settings.webhook_secret.get_secret_value()
    else:
        secret = None
    headers = {
        "content-type": "application/json; charset=utf-8",
        "user-agent": f"cookie-audit/{__version__}",
    }
    if secret is not None:
        try:
            headers |= signature_headers(secret, alert.id, body)
        except ValueError as exc:
            raise DeliveryError(f"{shown}: signing secret: {exc}", retryable=False) from None
    else:
        headers |= {"webhook-id": alert.id, "webhook-timestamp": str(int(time.time()))}
    check_address(url, settings.allow_private)
    _install_filter()
    token = _sending.set(True)
    try:
        with (
            httpx.Client(
                timeout=settings.webhook_timeout, follow_redirects=False, verify=_tls()
            ) as client,
            client.stream("POST", url, content=body, headers=headers) as response,
        ):
            text = _read_some(response)
    except httpx.TimeoutException:
        raise DeliveryError(
            f"{shown}: no answer within {settings.webhook_timeout:g} s", retryable=True
        ) from None
    except httpx.TransportError as exc:
        raise DeliveryError(
            f"{shown}: connection failed ({type(exc).__name__})", retryable=True
        ) from None
    finally:
        _sending.reset(token)
    status = response.status_code
    if 200 <= status < 300:
        return status
    detail = one_line(text.replace(url, shown), 120)
    message = f"{shown}: answered HTTP {status}" + (f" ({detail})" if detail else "")
    wait = retry_after(response.headers.get("retry-after"))
    if status in (408, 429) or status >= 500:
        raise DeliveryError(message, retryable=True, retry_after=wait)
    if 300 <= status < 400:
        message += " (redirects are not followed: give the final URL)"
    raise DeliveryError(message, retryable=False)


def _read_some(response: httpx.Response) -> str:
    """At most 64 KiB of the answer, enough for an error message."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= _RESPONSE_LIMIT:
            break
    return b"".join(chunks)[:_RESPONSE_LIMIT].decode("utf-8", "replace")
