"""Set-Cookie lines and document.cookie strings read as records: plain data, no browser."""

from __future__ import annotations

import pytest

from scanner.setcookie import SetCookie, content_length, parse_set_cookie

NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z
URL = "https://px.tracker.test/collect?id=1"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("sid=abc", SetCookie("sid", "px.tracker.test")),
        ("sid=a=b=c; Path=/x", SetCookie("sid", "px.tracker.test", "/x")),
        (
            "uid=1; Domain=.Tracker.TEST; Max-Age=86400; Expires=Thu, 01 Jan 2037 00:00:00 GMT",
            SetCookie("uid", "tracker.test", None, 1.0),  # Max-Age wins over Expires
        ),
        (
            "uid=1; expires=Sat, 16 Jan 2027 08:00:00 GMT",
            SetCookie("uid", "px.tracker.test", None, 1.0),
        ),
        ("uid=1; Max-Age=0", SetCookie("uid", "px.tracker.test", None, 0.0)),
        ("uid=1; Max-Age=soon; Expires=never", SetCookie("uid", "px.tracker.test")),
        ("  token  = x ;Secure;HttpOnly", SetCookie("token", "px.tracker.test")),
        ("lonely", SetCookie("", "px.tracker.test")),  # a nameless cookie, as browsers store it
        ("", None),
    ],
)
def test_parse_set_cookie(line: str, expected: SetCookie | None) -> None:
    assert parse_set_cookie(line, URL, NOW) == expected


def test_content_length() -> None:
    assert content_length({"Content-Length": "1200"}) == 1200
    assert content_length({"content-length": "12, 12"}) == 12
    assert content_length({"content-length": "lots"}) is None
    assert content_length({"content-type": "text/html"}) is None
