"""Fetch one policy page for `cookie-audit policy extract URL`: bounded in time and size, and
refusing private addresses unless asked (the command must not become a way to probe an
internal network): the address of every request is checked, redirects included, so a public
page that redirects to `http://169.254.169.254/` or `http://localhost:8080/` is refused before
the second request is sent. Not covered: a name whose DNS answer changes between the check and
the connection."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from scanner.errors import UsageError

MAX_BYTES = 5_000_000
TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Fetched:
    url: str
    content_type: str
    text: str
    truncated: bool


def _check_address(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"{host}: the name does not resolve ({exc.strerror})") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise UsageError(
                f"{host} resolves to the non-public address {address}; "
                "pass --allow-private to fetch it anyway"
            )


def _check_request(request: httpx.Request) -> None:
    """httpx's request hook: runs before each request is sent, the redirects' too."""
    url = request.url
    _check_address(url.host, url.port or (443 if url.scheme == "https" else 80))


def fetch_policy(
    url: str,
    *,
    allow_private: bool = False,
    verify: bool = True,
    transport: httpx.BaseTransport | None = None,
) -> Fetched:
    """``transport``: httpx's own, unless a test hands one in (a public site that redirects
    cannot be served from this machine's loopback)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{url}: not an http(s) URL")
    chunks: list[bytes] = []
    size = 0
    truncated = False
    try:
        with (
            httpx.Client(
                timeout=httpx.Timeout(TIMEOUT_S),
                follow_redirects=True,
                verify=verify,
                max_redirects=5,
                headers={"User-Agent": "cookie-audit policy reader"},
                event_hooks={"request": [] if allow_private else [_check_request]},
                transport=transport,
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise UsageError(f"{url}: HTTP {response.status_code}")
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_BYTES:
                    truncated = True
                    break
            content_type = response.headers.get("content-type", "text/html")
            encoding = response.encoding or "utf-8"
            final_url = str(response.url)
    except httpx.HTTPError as exc:
        raise UsageError(f"{url}: could not be fetched: {exc}") from exc
    body = b"".join(chunks)[:MAX_BYTES]
    if body[:5] == b"%PDF-":
        content_type = "application/pdf"
    text = body.decode(encoding, errors="replace")
    return Fetched(url=final_url, content_type=content_type, text=text, truncated=truncated)
