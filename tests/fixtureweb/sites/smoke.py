"""The smallest site: proves the local web and third-party cookies work end to end."""

from __future__ import annotations

from flask import Flask, make_response

site = Flask("smoke")


@site.get("/")
def home():  # type: ignore[no-untyped-def]
    resp = make_response(
        "<!doctype html><title>smoke</title><p>hello</p>"
        "<iframe src='https://widget.smoke-third.test/frame'></iframe>"
    )
    resp.set_cookie("first", "1", max_age=3600)
    return resp


third = Flask("smoke-third")


@third.get("/frame")
def frame():  # type: ignore[no-untyped-def]
    resp = make_response("<!doctype html><p>third</p>")
    resp.set_cookie("third", "1", max_age=3600, samesite="None", secure=True)
    return resp


SITES = {"www.smoke.test": site.wsgi_app, "widget.smoke-third.test": third.wsgi_app}
