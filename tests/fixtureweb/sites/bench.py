"""www.bench.test: a 20-page site for the crawl benchmark (session cookie, GA on every page)."""

from __future__ import annotations

from flask import Flask, Response, make_response

site = Flask("bench")
PAGES = 20


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


SITES = {"www.bench.test": site.wsgi_app}
