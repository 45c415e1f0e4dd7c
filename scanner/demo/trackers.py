"""Simulated trackers on their real host names, for the demo and the tests' fixture web.

They behave like the real scripts in the ways an audit sees: which cookies they write, on
which domain, for how long, and which hosts they call. Nothing here reaches the internet: the
local web (`LocalWeb`) answers for these names.
"""

from __future__ import annotations

from flask import Flask, Response, make_response, request

from scanner.demo.server import WSGIApp

TWO_YEARS = 2 * 365 * 86400
NINETY_DAYS = 90 * 86400
_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
    b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)

#: Sets a cookie on the widest domain that accepts it, like analytics.js's "auto" domain.
_SET_TOP = """
function __setTop(name, value, maxAge) {
  var parts = location.hostname.split('.');
  for (var i = parts.length - 2; i >= 0; i--) {
    var d = parts.slice(i).join('.');
    document.cookie = name + '=' + value + '; domain=.' + d + '; path=/; max-age=' + maxAge +
      '; SameSite=Lax';
    if (document.cookie.indexOf(name + '=' + value) >= 0) return;
  }
  document.cookie = name + '=' + value + '; path=/; max-age=' + maxAge;
}
"""


def _js(body: str) -> Response:
    resp = make_response(body)
    resp.headers["Content-Type"] = "application/javascript; charset=utf-8"
    resp.headers["Cache-Control"] = "no-store"
    return resp


gtm = Flask("googletagmanager")


@gtm.get("/gtag/js")
def gtag() -> Response:
    measurement = request.args.get("id", "G-DEMO")
    suffix = measurement.removeprefix("G-")
    return _js(
        _SET_TOP
        + f"""
(function () {{
  var now = Math.floor(Date.now() / 1000);
  var rnd = Math.floor(Math.random() * 1e9);
  if (document.cookie.indexOf('_ga=') < 0) __setTop('_ga', 'GA1.1.' + rnd + '.' + now, {TWO_YEARS});
  __setTop('_ga_{suffix}', 'GS1.1.' + now + '.1.0.' + now + '.0.0.0', {TWO_YEARS});
  new Image().src = 'https://www.google-analytics.com/g/collect?v=2&tid={measurement}&cid=' +
    rnd + '&dl=' + encodeURIComponent(location.href);
}})();
"""
    )


ga = Flask("google-analytics")


@ga.route("/g/collect", methods=["GET", "POST"])
def collect() -> Response:
    return Response(status=204)


fbevents = Flask("connect-facebook")


@fbevents.get("/en_US/fbevents.js")
def fbevents_js() -> Response:
    return _js(
        _SET_TOP
        + f"""
(function () {{
  if (document.cookie.indexOf('_fbp=') < 0)
    __setTop('_fbp', 'fb.1.' + Date.now() + '.' + Math.floor(Math.random() * 1e9), {NINETY_DAYS});
  new Image().src = 'https://www.facebook.com/tr?id=123456789&ev=PageView&dl=' +
    encodeURIComponent(location.href);
}})();
"""
    )


facebook = Flask("facebook")


@facebook.get("/tr")
def pixel() -> Response:
    resp = make_response(_GIF)
    resp.headers["Content-Type"] = "image/gif"
    resp.set_cookie(
        "fr",
        "0abcDEF123.AbCdEf.0.0",
        max_age=NINETY_DAYS,
        domain=".facebook.com",
        samesite="None",
        secure=True,
        httponly=True,
    )
    return resp


youtube = Flask("youtube")


@youtube.get("/embed/<video>")
def embed(video: str) -> Response:
    resp = make_response(
        f"<!doctype html><title>video {video}</title><body style='margin:0;background:#000'>"
        f"<p style='color:#fff'>video {video}</p></body>"
    )
    resp.set_cookie(
        "YSC", "aB3dEfGhIjK", domain=".youtube.com", samesite="None", secure=True, httponly=True
    )
    resp.set_cookie(
        "VISITOR_INFO1_LIVE",
        "xYz12AbC3dE",
        max_age=180 * 86400,
        domain=".youtube.com",
        samesite="None",
        secure=True,
        httponly=True,
    )
    return resp


hotjar = Flask("hotjar")


@hotjar.get("/c/<name>.js")
def hotjar_js(name: str) -> Response:
    site_id = name.removeprefix("hotjar-")
    return _js(
        _SET_TOP
        + f"""
(function () {{
  var now = Date.now();
  __setTop('_hjSessionUser_{site_id}', encodeURIComponent(JSON.stringify(
    {{id: Math.random().toString(16).slice(2), created: now, existing: false}})), {365 * 86400});
  __setTop('_hjSession_{site_id}', encodeURIComponent(JSON.stringify(
    {{id: Math.random().toString(16).slice(2), c: now, s: 0, r: 0, sb: 0}})), 1800);
}})();
"""
    )


SITES: dict[str, WSGIApp] = {
    "www.googletagmanager.com": gtm.wsgi_app,
    "www.google-analytics.com": ga.wsgi_app,
    "connect.facebook.net": fbevents.wsgi_app,
    "www.facebook.com": facebook.wsgi_app,
    "www.youtube.com": youtube.wsgi_app,
    "static.hotjar.com": hotjar.wsgi_app,
}
