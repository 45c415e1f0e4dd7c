"""`policy extract URL` checks the address of every request, redirects included. A public site
that redirects cannot be served from this machine (nothing here reaches beyond loopback), so
httpx's own test transport answers for it: the hosts are public IP literals (no DNS lookup),
and nothing is sent anywhere."""

from __future__ import annotations

import httpx
import pytest

from scanner.errors import UsageError
from scanner.policy.fetch import fetch_policy

PUBLIC = "http://93.184.215.14"  # a public address, never connected to: the transport answers
OTHER_PUBLIC = "http://93.184.215.15"
PAGE = "<html><body><h1>Cookies</h1><p>We use the cookie _ga for analytics.</p></body></html>"


def _site(redirect_to: str, seen: list[str]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/privacy":
            return httpx.Response(302, headers={"Location": redirect_to})
        return httpx.Response(200, text=PAGE, headers={"Content-Type": "text/html"})

    return httpx.MockTransport(handle)


@pytest.mark.parametrize(
    ("target", "address"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://localhost:8080/admin", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://[::1]:9000/", "::1"),
    ],
)
def test_a_redirect_to_a_private_address_is_refused_before_it_is_sent(
    target: str, address: str
) -> None:
    seen: list[str] = []
    with pytest.raises(UsageError) as refused:
        fetch_policy(f"{PUBLIC}/privacy", transport=_site(target, seen))
    assert f"non-public address {address}" in str(refused.value)
    assert "--allow-private" in str(refused.value)
    assert seen == [f"{PUBLIC}/privacy"]  # the redirect's request was never sent


def test_a_redirect_to_a_public_address_is_followed() -> None:
    seen: list[str] = []
    fetched = fetch_policy(f"{PUBLIC}/privacy", transport=_site(f"{OTHER_PUBLIC}/p", seen))
    assert seen == [f"{PUBLIC}/privacy", f"{OTHER_PUBLIC}/p"]
    assert fetched.url == f"{OTHER_PUBLIC}/p" and "_ga" in fetched.text


def test_allow_private_follows_a_redirect_to_a_private_address() -> None:
    seen: list[str] = []
    fetched = fetch_policy(
        f"{PUBLIC}/privacy", allow_private=True, transport=_site("http://127.0.0.1:8080/p", seen)
    )
    assert seen == [f"{PUBLIC}/privacy", "http://127.0.0.1:8080/p"]
    assert "_ga" in fetched.text
