"""Errors become pages, in one place: HTTP errors keep their status; domain errors map to
404/409/422; anything else is a logged 500 (never a traceback on screen)."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from dashboard.errors import Conflict, DashboardError, InvalidInput, NotFound

log = logging.getLogger("dashboard")

DOMAIN_STATUS: dict[type[DashboardError], int] = {NotFound: 404, Conflict: 409, InvalidInput: 422}


def _page(status: int, detail: str | None = None) -> tuple[str, int]:
    known = status if status in {400, 403, 404, 405, 413, 422, 429} else 500
    return render_template(
        "error.html.j2", status=status, key=f"error.{known}", detail=detail
    ), status


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf(exc: CSRFError) -> tuple[str, int]:
        return _page(400)

    @app.errorhandler(HTTPException)
    def http(exc: HTTPException) -> tuple[str, int] | HTTPException:
        if exc.code is None or exc.code < 400:
            return exc  # redirects raised by routing (trailing slash)
        page, status = _page(exc.code)
        return page, status

    @app.errorhandler(DashboardError)
    def domain(exc: DashboardError) -> tuple[str, int]:
        status = next((s for kind, s in DOMAIN_STATUS.items() if isinstance(exc, kind)), 422)
        return _page(status, str(exc))

    @app.errorhandler(Exception)
    def server(exc: Exception) -> tuple[str, int]:
        log.exception("unhandled error", exc_info=exc)
        return _page(500)
