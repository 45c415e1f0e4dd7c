"""The scripts sites load with ``<script>``: the banner, the adapters for other banners, the
declaration renderer. Files any origin may load (``Access-Control-Allow-Origin: *``), cacheable,
and outside the public blueprint's rate limit (every visitor of a site loads them).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from consent_api.errors import NotFound

scripts = Blueprint("scripts", __name__)

STATIC = Path(__file__).with_name("static")


def _script(directory: Path, name: str) -> Response:
    if not (directory / name).is_file():
        raise NotFound(f"{name} is not available.")
    response = send_from_directory(directory, name, mimetype="text/javascript", max_age=300)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@scripts.get("/banner.js")
def banner_js() -> Response:
    return _script(STATIC, "banner.js")


@scripts.get("/declaration.js")
def declaration_js() -> Response:
    return _script(STATIC, "declaration.js")


@scripts.get("/adapters/<name>.js")
def adapter_js(name: str) -> Response:
    if not name.replace("-", "").replace("_", "").isalnum():
        raise NotFound("No such adapter.")
    return _script(STATIC / "adapters", f"{name}.js")
