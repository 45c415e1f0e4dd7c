"""Sites for the crawl benchmark (`python -m benchmarks crawl`).

* www.bench.test: 20 tiny pages (session cookie, gtag on every page).
* www.bench-real.test: 20 realistic pages, each answered after 20 ms (loopback has no network
  latency; a real site's round trip is 20-100 ms): ~60 KB of HTML, a stylesheet, a script that
  builds part of the page, 8 images, Google tag + Facebook pixel (each calling its collector),
  and a YouTube embed on every fourth page.
"""

from __future__ import annotations

import time

from flask import Flask, Response, make_response

site = Flask("bench")
PAGES = 20
LATENCY_S = 0.02


@site.get("/")
@site.get("/p/<int:n>")
def page(n: int = 0) -> Response:
    links = " ".join(
        f"<a href='/p/{(n + k) % PAGES}'>page {(n + k) % PAGES}</a>" for k in (1, 2, 3)
    )
    resp = make_response(
        f"<!doctype html><title>bench {n}</title>"
        "<script src='https://www.googletagmanager.com/gtag/js?id=G-BENCH' async></script>"
        f"<h1>Page {n}</h1><p>{'Lorem ipsum dolor sit amet. ' * 40}</p>{links}"
    )
    resp.set_cookie("sid", "0123456789abcdef", httponly=True, secure=True, samesite="Lax")
    return resp


real = Flask("bench-real")

_ARTICLE = "".join(
    f"<section><h2>Section {k}</h2><p>{'Sed ut perspiciatis unde omnis iste natus error. ' * 60}"
    "</p></section>"
    for k in range(20)
)
_CSS = "".join(
    f".c{k} {{ margin: {k % 7}px; color: #{k * 2654435 % 0xFFFFFF:06x}; }}\n" for k in range(1200)
)
_JS = (
    "(() => { const ul = document.createElement('ul');"
    " for (let i = 0; i < 300; i++) { const li = document.createElement('li');"
    " li.className = 'c' + (i % 1200); li.textContent = 'item ' + i; ul.appendChild(li); }"
    " document.querySelector('main').appendChild(ul); })();\n"
    + "// padding to a realistic bundle size\n"
    * 1500
)
_SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='300' height='200'>"
    + "".join(
        f"<rect x='{k * 3}' y='{k * 2}' width='40' height='30' fill='#{k:02x}8844'/>"
        for k in range(60)
    )
    + "</svg>"
)


@real.get("/")
@real.get("/p/<int:n>")
def real_page(n: int = 0) -> Response:
    time.sleep(LATENCY_S)
    links = " ".join(
        f"<a href='/p/{(n + k) % PAGES}'>page {(n + k) % PAGES}</a>" for k in (1, 2, 3)
    )
    images = "".join(f"<img src='/img/{n}-{k}.svg' width=300 height=200 alt=''>" for k in range(8))
    embed = (
        "<iframe src='https://www.youtube.com/embed/bench' width=320 height=180></iframe>"
        if n % 4 == 0
        else ""
    )
    resp = make_response(
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>real {n}</title>"
        "<link rel=stylesheet href='/static/site.css'>"
        "<script src='https://www.googletagmanager.com/gtag/js?id=G-REAL' async></script>"
        "<script src='https://connect.facebook.net/en_US/fbevents.js' async></script>"
        f"</head><body><nav>{links}</nav><main><h1>Page {n}</h1>{images}{_ARTICLE}{embed}</main>"
        "<script src='/static/app.js'></script></body></html>"
    )
    resp.set_cookie("sid", "0123456789abcdef", httponly=True, secure=True, samesite="Lax")
    return resp


def _asset(body: str, mimetype: str) -> Response:
    time.sleep(LATENCY_S)
    resp = Response(body, mimetype=mimetype)
    resp.headers["Cache-Control"] = "max-age=3600"
    return resp


@real.get("/static/site.css")
def css() -> Response:
    return _asset(_CSS, "text/css")


@real.get("/static/app.js")
def app_js() -> Response:
    return _asset(_JS, "text/javascript")


@real.get("/img/<name>.svg")
def image(name: str) -> Response:
    return _asset(_SVG, "image/svg+xml")


SITES = {"www.bench.test": site.wsgi_app, "www.bench-real.test": real.wsgi_app}
