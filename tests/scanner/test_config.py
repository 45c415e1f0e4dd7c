from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scanner.config import ScanSettings, is_private_host
from scanner.errors import UsageError

OK = "https://www.shop.test/"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"urls": ()}, "urls"),
        ({"urls": ("not a url",)}, "urls"),
        ({"urls": ("ftp://x.test/",)}, "urls"),
        ({"urls": ("https://x.test:99999/",)}, "urls"),
        ({"max_pages": 0}, "max_pages"),
        ({"max_depth": -1}, "max_depth"),
        ({"concurrency": 0}, "concurrency"),
        ({"concurrency": 99}, "concurrency"),
        ({"page_timeout": 0}, "page_timeout"),
        ({"scan_timeout": -1}, "scan_timeout"),
        ({"dwell": -1}, "dwell"),
        ({"dwell": 61}, "dwell"),
        ({"dwell": float("nan")}, "dwell"),
        ({"resolve": ("nonsense",)}, "resolve"),
        ({"lang": "de"}, "lang"),
        ({"phases": ()}, "phases"),
        ({"include": ("(",)}, "include"),
        ({"exclude": ("[",)}, "exclude"),
        ({"policy_file": Path("/nonexistent/policy.yaml")}, "policy_file"),
    ],
)
def test_bad_values_name_the_field(kwargs: dict[str, object], field: str) -> None:
    kwargs.setdefault("urls", (OK,))
    with pytest.raises(UsageError, match=f"^{field}:"):
        ScanSettings(**kwargs)  # type: ignore[arg-type]


def test_private_addresses_refused_unless_allowed_or_resolved() -> None:
    for url in ("https://127.0.0.1:8443/", "http://localhost/", "http://10.1.2.3/"):
        with pytest.raises(UsageError, match="allow-private"):
            ScanSettings(urls=(url,))
        assert ScanSettings(urls=(url,), allow_private=True).allow_private
    ScanSettings(urls=("https://localhost/",), resolve=("localhost:443:127.0.0.1:8443",))
    assert is_private_host("192.168.1.1") and not is_private_host("www.shop.test")


@pytest.mark.parametrize(
    "url",
    [
        # the other spellings of 127.0.0.1 that Chromium (like inet_aton) accepts
        "http://2130706433/",
        "http://127.1/",
        "http://0x7f.0.0.1/",
        "http://0177.0.0.1/",
        "http://0x7f000001:8080/",
        "http://0/",
        # a fully qualified name with its root dot
        "http://localhost./",
        "http://127.0.0.1./",
        # not private in the RFC 1918 sense, but not public either
        "http://100.64.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://169.254.169.254/latest/meta-data/",
        # what a browser's URL parser maps to ASCII first (UTS 46): no DNS needed to see it
        "http://\u2460\u2461\u2466.0.0.1/",
        "http://127\u30020\u30020\u30021/",
        "http://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/",
    ],
)
def test_every_spelling_of_a_private_address_is_refused(url: str) -> None:
    with pytest.raises(UsageError, match="allow-private"):
        ScanSettings(urls=(url,))
    assert is_private_host(urlsplit(url).hostname or "")  # as an audit's URL is checked
    assert ScanSettings(urls=(url,), allow_private=True).allow_private


def test_a_name_that_resolves_to_a_private_address_is_refused() -> None:
    """`localhost` is refused by name; any other name that resolves (here through the hosts
    file) to a loopback or private address is refused by what it resolves to."""
    name = next(
        (n for n in (socket.gethostname(), "vm", "runsc", "ip6-localhost") if _resolves_local(n)),
        None,
    )
    if name is None:
        pytest.skip("no name besides localhost resolves to loopback on this machine")
    with pytest.raises(UsageError, match=r"resolves to .*allow-private"):
        ScanSettings(urls=(f"http://{name}:8080/",))
    ScanSettings(urls=(f"http://{name}:8080/",), allow_private=True)
    ScanSettings(urls=(f"http://{name}:8080/",), resolve=(f"{name}:8080:127.0.0.1",))


def _resolves_local(name: str) -> bool:
    try:
        infos = socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return name != "localhost" and all(
        ipaddress.ip_address(str(i[4][0]).split("%")[0]).is_loopback for i in infos
    )


def test_include_exclude() -> None:
    s = ScanSettings(urls=(OK,), include=("/products",), exclude=("reviews",))
    assert s.url_allowed("https://www.shop.test/products/1")
    assert not s.url_allowed("https://www.shop.test/about")
    assert not s.url_allowed("https://www.shop.test/products/1/reviews")


def test_consent_api_key_goes_with_its_api_and_never_into_the_options() -> None:
    with pytest.raises(UsageError, match=r"^consent_api_key:"):
        ScanSettings(urls=(OK,), consent_api_key="ca_x_secret")
    with pytest.raises(UsageError, match=r"^consent_api: expected an http"):
        ScanSettings(urls=(OK,), consent_api="ftp://consent.example")
    s = ScanSettings(urls=(OK,), consent_api="https://consent.example", consent_api_key="ca_x_s")
    assert s.as_options()["consent_api"] == "https://consent.example"
    assert "ca_x_s" not in repr(s) and "ca_x_s" not in str(s.as_options())
