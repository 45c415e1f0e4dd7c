"""The scripts sites load with ``<script>``: the banner, the adapters for other banners, the
declaration renderer. Files any origin may load (``Access-Control-Allow-Origin: *``), cacheable,
and outside the public blueprint's rate limit (every visitor of a site loads them).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from flask import Blueprint, Response, request, send_from_directory

from consent_api.errors import NotFound

scripts = Blueprint("scripts", __name__)

STATIC = Path(__file__).with_name("static")
ADAPTERS = STATIC / "adapters"
_SHARED_LINE = re.compile(r"^[ \t]*/\* @shared: _shared\.js .*\*/[ \t]*$", re.MULTILINE)


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


@functools.cache
def adapter_source(name: str) -> str:
    """An adapter as served: its own code with the part all adapters share (``_shared.js``, kept
    once in the repository) put where its ``@shared`` line stands, inside its function."""
    if name.startswith("_") or not name.replace("-", "").replace("_", "").isalnum():
        raise NotFound("No such adapter.")
    path = ADAPTERS / f"{name}.js"
    if not path.is_file():
        raise NotFound(f"{name}.js is not available.")
    own = path.read_text(encoding="utf-8")
    shared = (ADAPTERS / "_shared.js").read_text(encoding="utf-8")
    body = shared.split("*/", 1)[1].strip("\n")  # without its own header comment
    source, count = _SHARED_LINE.subn(lambda _m: body, own)
    if count != 1:  # a packaging or editing mistake, caught by the tests of every adapter
        raise RuntimeError(f"adapter {name}.js must have exactly one @shared line")
    return source


@scripts.get("/adapters/<name>.js")
def adapter_js(name: str) -> Response:
    response = Response(adapter_source(name), mimetype="text/javascript")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.add_etag()
    response.make_conditional(request)  # 304 for a matching If-None-Match; modifies in place
    return response
