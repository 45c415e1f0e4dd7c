"""www.hostile.test: pages that try to hang, crash or flood the crawler.

Each must end as a recorded skip or a partial result within bounded time. Streams are bounded
(they stop after a while) so the server's threads never outlive the test session for long.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from flask import Flask, Response, make_response, redirect
from werkzeug.wrappers import Response as BaseResponse

site = Flask("hostile")

PAGES = {
    "/endless": "endless load",
    "/loop": "redirect loop",
    "/cookies2000": "2,000 cookies",
    "/alerts": "alert loop",
    "/popups": "window.open storm",
    "/huge": "50 MB body",
    "/badutf8": "invalid UTF-8",
    "/payload": "payload cookie name",
    "/download": "download",
    "/error500": "server error",
    "/missing": "not found",
    "https://nowhere.invalid/": "DNS failure",
    "/data.json": "not HTML",
}
PAYLOAD_NAME = "<script>alert(1)</script>"
# How many times /trickle was asked for: a test waits for it to know a browser is on /endless.
TRICKLE_SEEN: list[float] = []


def _html(body: str) -> Response:
    resp = make_response(f"<!doctype html><html><head><title>hostile</title></head><body>{body}")
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    return resp


@site.get("/")
def index() -> Response:
    return _html("".join(f"<a href='{u}'>{t}</a> " for u, t in PAGES.items()))


@site.get("/endless")
def endless() -> Response:
    # An async script holds the load event (not DOMContentLoaded) until it has arrived, and its
    # body never ends. (An image of zero bytes would not do: Chromium gives up decoding it once
    # a few bytes show it is no image, and the load event then fires.)
    return _html("<p>loading forever</p><script async src='/trickle'></script>")


@site.get("/trickle")
def trickle() -> Response:
    TRICKLE_SEEN.append(time.monotonic())

    def gen() -> Iterator[bytes]:
        for _ in range(120):  # 60 s at most
            yield b" "
            time.sleep(0.5)

    return Response(gen(), content_type="text/javascript")


@site.get("/loop")
def loop() -> BaseResponse:
    return redirect("/loop2")


@site.get("/loop2")
def loop2() -> BaseResponse:
    return redirect("/loop")


@site.get("/cookies2000")
def cookies2000() -> Response:
    resp = _html(
        "<script>for (let i = 0; i < 2000; i++) document.cookie = 'js' + i + '=' + i + "
        "'; max-age=3600';</script><p>many cookies</p>"
    )
    for i in range(100):
        resp.headers.add("Set-Cookie", f"http{i}={i}; Max-Age=3600; Path=/")
    return resp


@site.get("/alerts")
def alerts() -> Response:
    return _html(
        "<script>for (let i = 0; i < 30; i++) alert('hi ' + i);"
        "setInterval(() => alert('again'), 20);</script><p>alerts</p>"
    )


@site.get("/popups")
def popups() -> Response:
    return _html(
        "<script>for (let i = 0; i < 20; i++) window.open('/missing?' + i);"
        "setInterval(() => window.open('/missing'), 50);</script><p>popups</p>"
    )


@site.get("/huge")
def huge() -> Response:
    chunk = b"<p>" + b"x" * 65_530 + b"</p>\n"

    def gen() -> Iterator[bytes]:
        for _ in range(50 * 16):  # ~50 MB
            yield chunk

    resp = Response(gen(), content_type="text/html; charset=utf-8")
    resp.headers["Content-Length"] = str(len(chunk) * 50 * 16)
    return resp


@site.get("/badutf8")
def badutf8() -> Response:
    resp = make_response(b"<!doctype html><title>bad \xff\xfe\xc3\x28</title><p>\xed\xa0\x80</p>")
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    return resp


@site.get("/payload")
def payload() -> Response:
    resp = _html("<p>payload</p>")
    resp.headers.add("Set-Cookie", f"{PAYLOAD_NAME}=1; Max-Age=3600; Path=/")
    return resp


@site.get("/download")
def download() -> Response:
    resp = make_response(b"PK\x03\x04" + b"\0" * 1000)
    resp.headers["Content-Type"] = "application/zip"
    resp.headers["Content-Disposition"] = "attachment; filename=file.zip"
    return resp


@site.get("/error500")
def error500() -> Response:
    resp = _html("<p>boom</p>")
    resp.status_code = 500
    return resp


@site.get("/missing")
def missing() -> Response:
    resp = _html("<p>not here</p>")
    resp.status_code = 404
    return resp


@site.get("/data.json")
def data() -> Response:
    return Response('{"a": 1}', content_type="application/json")


SITES = {"www.hostile.test": site.wsgi_app}
