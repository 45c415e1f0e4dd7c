"""Errors become pages, in one place: HTTP errors keep their status; domain errors map to
404/409/422; a database that cannot be reached or used is 503 with ``Retry-After``; anything
else is a logged 500 (never a traceback on screen)."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from audits import StoreUnavailableError
from dashboard.errors import Conflict, DashboardError, InvalidInput, NotFound, Unavailable
from dashboard.web.auth import forget_user
from database import RETRY_AFTER_UNAVAILABLE, unavailable_errors

log = logging.getLogger("dashboard")

DOMAIN_STATUS: dict[type[DashboardError], int] = {
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    Unavailable: 503,
}


def _page(status: int, detail: str | None = None, key: str | None = None) -> tuple[str, int]:
    known = status if status in {400, 403, 404, 405, 413, 422, 429, 503} else 500
    return render_template(
        "error.html.j2", status=status, key=key or f"error.{known}", detail=detail
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
        # 503 of the domain is not the database's: its own words
        return _page(status, str(exc), "error.unavailable" if status == 503 else None)

    def database_unavailable(exc: Exception) -> tuple[str, int, dict[str, str]]:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        log.warning("database unavailable (%s): %s", type(exc).__name__, first_line)
        forget_user()  # the page is drawn without asking the database for the account again
        page, status = _page(503)
        return page, status, {"Retry-After": str(RETRY_AFTER_UNAVAILABLE)}

    # the database's own list (the consent API maps the same), and the audits' store giving
    # up after its retries
    for kind in (*unavailable_errors(), StoreUnavailableError):
        app.register_error_handler(kind, database_unavailable)

    @app.errorhandler(Exception)
    def server(exc: Exception) -> tuple[str, int]:
        log.exception("unhandled error", exc_info=exc)
        return _page(500)
