"""www.chips.test: a partitioned (CHIPS) cookie and cookies set on a redirect response.

* an iframe of embed.chips-widget.test sets `cw` (Set-Cookie ... Partitioned) and `cwjs`
  (document.cookie ... Partitioned): both live in the partition of the top-level site
  https://chips.test.
* a pixel of px.redirect-a.test answers 302 with `ra_uid` to sync.redirect-b.test, which sets
  `rb_uid` (a cookie sync). Each cookie's setter is the hop that answered with it.
"""

from __future__ import annotations

from flask import Flask, Response, make_response, redirect
from werkzeug.wrappers import Response as BaseResponse

site = Flask("chips")


@site.get("/")
def home() -> Response:
    return make_response(
        "<!doctype html><title>chips</title><h1>CHIPS and redirects</h1>"
        "<iframe src='https://embed.chips-widget.test/frame'></iframe>"
        "<img src='https://px.redirect-a.test/px?id=7' width=1 height=1 alt=''>"
    )


widget = Flask("chips-widget")


@widget.get("/frame")
def frame() -> Response:
    resp = make_response(
        "<!doctype html><p>widget</p><script>document.cookie = "
        "'cwjs=1; Secure; SameSite=None; Path=/; Max-Age=86400; Partitioned';</script>"
    )
    resp.headers.add("Set-Cookie", "cw=w-1; Secure; SameSite=None; Path=/; Max-Age=86400; "
                     "Partitioned")  # fmt: skip
    return resp


@widget.get("/nest")
def nest() -> Response:
    return make_response("<!doctype html><iframe src='https://www.aba.test/inner'></iframe>")


aba = Flask("aba")
_ABA = "Secure; SameSite=None; Path=/; Max-Age=86400; Partitioned"


@aba.get("/")
def aba_home() -> Response:
    return make_response(
        "<!doctype html><title>aba</title><h1>One name, two partitions</h1>"
        f"<script>document.cookie = 'aba=top; {_ABA}';</script>"
        "<iframe src='https://embed.chips-widget.test/nest'></iframe>"
    )


@aba.get("/inner")
def aba_inner() -> Response:
    return make_response(f"<!doctype html><script>document.cookie = 'aba=inner; {_ABA}';</script>")


net_a = Flask("redirect-a")


@net_a.get("/px")
def px() -> BaseResponse:
    resp = redirect("https://sync.redirect-b.test/sync?partner=a", code=302)
    resp.set_cookie("ra_uid", "a-1", max_age=30 * 86400, secure=True, samesite="None")
    return resp


net_b = Flask("redirect-b")


@net_b.get("/sync")
def sync() -> Response:
    resp = Response(b"GIF89a", mimetype="image/gif")
    resp.set_cookie("rb_uid", "b-1", max_age=60 * 86400, secure=True, samesite="None")
    return resp


SITES = {
    "www.chips.test": site.wsgi_app,
    "embed.chips-widget.test": widget.wsgi_app,
    "www.aba.test": aba.wsgi_app,
    "px.redirect-a.test": net_a.wsgi_app,
    "sync.redirect-b.test": net_b.wsgi_app,
}
