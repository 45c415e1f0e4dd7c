"""Security headers on every dashboard response.

The Content-Security-Policy allows our own files only: no inline script or style anywhere
(the pages use classes and self-hosted ``.js`` files), no framing, forms posting only here. A
full HTML report (one self-contained file with inline CSS and JS) is served with a policy that
allows exactly its own inline blocks by their SHA-256 hashes, never ``'unsafe-inline'``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from flask import Flask, request
from werkzeug.wrappers import Response

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=()",
}

_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)


def _sha256(text: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


def document_csp(html: str) -> str:
    """A policy for one of our self-contained documents: its inline blocks by hash only."""
    scripts = [_sha256(body) for kind, body in _INLINE.findall(html) if kind == "script"]
    styles = [_sha256(body) for kind, body in _INLINE.findall(html) if kind == "style"]
    return (
        f"default-src 'none'; script-src {' '.join(scripts) or chr(39) + 'none' + chr(39)}; "
        f"style-src {' '.join(styles) or chr(39) + 'none' + chr(39)}; img-src data:; "
        "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    )


def known_args(*names: str) -> dict[str, Any]:
    """The query arguments ``names`` of this request, for ``url_for(..., **known_args(...))``.

    Never ``**request.args``: an argument named like one of ``url_for``'s own (``_method``,
    ``_external``, ``_scheme``, ``_anchor``) or like the link's other values would steer the
    link or fail to build it (a 500).
    """
    return {name: request.args.getlist(name) for name in names if name in request.args}


def init_security(app: Flask) -> None:
    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not request.path.startswith("/static/"):
            # pages show what one account may see: never kept by a shared cache or the
            # browser's back-forward cache after sign-out
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response
