"""A shop whose pages change between two scans: the fixture of `cookie-audit report --compare`.

`STATE.version` is 1 or 2 (tests set it between scans). Version 1 loads an ad pixel
(`px.adnet-one.test`, third-party cookie `uid` and first-party `_adp`); version 2 drops it,
adds a heatmap script (`static.heatmap-two.test`, first-party `_hm_session`, 30 min), and
stretches the `prefs` cookie from 30 to 400 days. `PHPSESSID` never changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Response, make_response


@dataclass
class State:
    version: int = 1


STATE = State()
HOST = "www.changing-shop.test"

shop = Flask("changing-shop")


def _page(title: str, body: str) -> str:
    scripts = (
        '<script src="https://px.adnet-one.test/pixel.js"></script>'
        if STATE.version == 1
        else '<script src="https://static.heatmap-two.test/hm.js"></script>'
    )
    return (
        f"<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>{title}</title>"
        f"{scripts}</head><body><h1>{title}</h1>{body}"
        "<p><a href='/produits'>Produits</a> · <a href='/politique-cookies'>Politique "
        "cookies</a></p></body></html>"
    )


@shop.get("/")
def home() -> Response:
    resp = make_response(_page("Boutique qui change", "<p>Bienvenue.</p>"))
    resp.set_cookie("PHPSESSID", "a1b2c3d4e5f6", httponly=True, secure=True, samesite="Lax")
    days = 30 if STATE.version == 1 else 400
    resp.set_cookie("prefs", "lang=fr", max_age=days * 86400, secure=True, samesite="Lax")
    return resp


@shop.get("/produits")
def products() -> Response:
    return make_response(_page("Produits", "<ul><li>Tasse</li><li>Théière</li></ul>"))


@shop.get("/politique-cookies")
def policy() -> Response:
    return make_response(
        _page(
            "Politique cookies",
            "<p>Nous utilisons des cookies techniques et, avec votre accord, des cookies de "
            "mesure d'audience conservés 13 mois au plus.</p>",
        )
    )


pixel = Flask("adnet-one")


@pixel.get("/pixel.js")
def pixel_js() -> Response:
    js = (
        "document.cookie = '_adp=ad.1.' + Date.now() + '; max-age=' + 90*86400 + '; path=/';"
        "var i = new Image(); i.src = 'https://px.adnet-one.test/collect?ev=PageView';"
    )
    return Response(js, mimetype="application/javascript")


@pixel.get("/collect")
def collect() -> Response:
    gif = (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
        b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    resp = Response(gif, mimetype="image/gif")
    resp.set_cookie("uid", "u-8f14e45f", max_age=90 * 86400, secure=True, samesite="None")
    return resp


heatmap = Flask("heatmap-two")


@heatmap.get("/hm.js")
def heatmap_js() -> Response:
    js = (
        "document.cookie = '_hm_session=' + Math.random().toString(36).slice(2)"
        " + '; max-age=1800; path=/';"
    )
    return Response(js, mimetype="application/javascript")


SITES = {
    HOST: shop.wsgi_app,
    "px.adnet-one.test": pixel.wsgi_app,
    "static.heatmap-two.test": heatmap.wsgi_app,
}
