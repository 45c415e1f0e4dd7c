"""www.shop.test: a first-party shop with technical and session cookies and unconditional trackers.

No consent banner: every phase sets the same cookies (the honest answer for such a site is
"no banner" in reject/accept). Pages (depth from `/`):
  0 /                      PHPSESSID (HTTP, session), lang (HTTP, 1 year), XSRF-TOKEN (JS), GA
  1 /products              Facebook pixel
  1 /about, /privacy, /storage (localStorage + sessionStorage)
  2 /products/1            YouTube embed; /products/2
  3 /products/1/reviews
  sitemap only: /contact
"""

from __future__ import annotations

from flask import Flask, Response, make_response, request

site = Flask("shop")

GA = "<script src='https://www.googletagmanager.com/gtag/js?id=G-SHOP123' async></script>"
FB = "<script src='https://connect.facebook.net/en_US/fbevents.js' async></script>"
YT = "<iframe src='https://www.youtube.com/embed/dQw4w9WgXcQ' width=320 height=180></iframe>"


def _page(title: str, body: str, links: list[tuple[str, str]], extra: str = "") -> Response:
    nav = " ".join(f"<a href='{href}'>{text}</a>" for href, text in links)
    html = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>{extra}"
        f"</head><body><nav>{nav}</nav><h1>{title}</h1>{body}"
        "<footer><a href='/privacy'>Privacy policy</a></footer></body></html>"
    )
    resp = make_response(html)
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    if "PHPSESSID" not in request.cookies:
        resp.set_cookie(
            "PHPSESSID",
            "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
            httponly=True,
            samesite="Lax",
            secure=True,
        )
    return resp


@site.get("/")
def home() -> Response:
    resp = _page(
        "Shop",
        "<p>Welcome to the shop.</p>"
        "<script>document.cookie = 'XSRF-TOKEN=' + 'a1b2c3d4e5f6a7b8c9d0' + "
        "'; path=/; SameSite=Strict; Secure';</script>",
        [
            ("/products", "Products"),
            ("/about", "About us"),
            ("/storage", "Your cart"),
            ("https://elsewhere.test/", "a friend"),
        ],
        GA,
    )
    resp.set_cookie("lang", "en", max_age=365 * 86400, samesite="Lax", secure=True)
    return resp


@site.get("/products")
def products() -> Response:
    return _page(
        "Products",
        "<p>All products</p>",
        [("/products/1", "Teapot"), ("/products/2", "Cup"), ("/", "Home")],
        FB,
    )


@site.get("/products/<int:pid>")
def product(pid: int) -> Response:
    if pid == 1:
        return _page("Teapot", YT, [("/products/1/reviews", "Reviews"), ("/products", "Back")])
    return _page("Cup", "<p>A cup.</p>", [("/products", "Back")])


@site.get("/products/1/reviews")
def reviews() -> Response:
    return _page("Reviews", "<p>Five stars.</p>", [("/products/1", "Teapot")])


@site.get("/about")
def about() -> Response:
    return _page("About", "<p>We sell tea things.</p>", [("/", "Home")])


@site.get("/contact")
def contact() -> Response:
    return _page("Contact", "<p>Write to us.</p>", [("/", "Home")])


@site.get("/privacy")
def privacy() -> Response:
    return _page(
        "Privacy policy",
        "<h2>Cookies</h2><p>We use a session cookie (PHPSESSID) to keep your cart and a "
        "language cookie. We use Google Analytics to measure our audience.</p>",
        [("/", "Home")],
    )


@site.get("/storage")
def storage() -> Response:
    return _page(
        "Cart",
        "<script>localStorage.setItem('cart', JSON.stringify({items: [1, 2]}));"
        "sessionStorage.setItem('recently_viewed', '1,2');</script><p>Your cart.</p>",
        [("/", "Home")],
    )


@site.get("/sitemap.xml")
def sitemap() -> Response:
    urls = ["/", "/products", "/about", "/contact"]
    body = (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        + "".join(f"<url><loc>https://www.shop.test{u}</loc></url>" for u in urls)
        + "</urlset>"
    )
    resp = make_response(body)
    resp.headers["Content-Type"] = "application/xml"
    return resp


SITES = {"www.shop.test": site.wsgi_app}
