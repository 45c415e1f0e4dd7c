"""www.alpha.test and www.beta.test: two small sites that link to each other.

Scanned in one command, each must keep its own pages (and never follow the other's). Alpha's
home also sends two Set-Cookie headers Chromium refuses (a Domain of another site, SameSite=None
without Secure): they are recorded as blocked cookies.
"""

from __future__ import annotations

from flask import Flask, Response, make_response

PAGES = {
    "alpha": {"/": ["/a1", "/a2", "https://www.beta.test/b1"], "/a1": ["/a3"]},
    "beta": {"/": ["/b1", "/b2", "https://www.alpha.test/a1"], "/b2": ["/b3"]},
}


def make_site(name: str) -> Flask:
    app = Flask(name)
    links = PAGES[name]

    @app.get("/")
    @app.get("/<page>")
    def page(page: str = "") -> Response:
        path = "/" + page
        anchors = "".join(f"<a href='{href}'>{href}</a> " for href in links.get(path, []))
        resp = make_response(f"<!doctype html><title>{name} {path}</title><p>{anchors}</p>")
        resp.set_cookie(f"{name}_sid", "0123456789abcdef", secure=True, httponly=True)
        if name == "alpha" and path == "/":
            resp.headers.add("Set-Cookie", "stolen=1; Domain=beta.test; Path=/")
            resp.headers.add("Set-Cookie", "insecure_none=1; SameSite=None; Path=/")
        return resp

    @app.get("/sitemap.xml")
    def sitemap() -> Response:
        locs = "<url><loc>/b4</loc></url>" if name == "beta" else ""
        return Response(f"<urlset>{locs}</urlset>", mimetype="application/xml")

    return app


SITES = {
    "www.alpha.test": make_site("alpha").wsgi_app,
    "www.beta.test": make_site("beta").wsgi_app,
}
