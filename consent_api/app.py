"""The application factory (flaskr style)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, send_file
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from consent_api import db
from consent_api.admin import admin
from consent_api.errors import (
    ChainBroken,
    Conflict,
    Forbidden,
    InvalidInput,
    MalformedRequest,
    NotFound,
    RequestRefused,
    TooLarge,
    Unauthenticated,
    UnsupportedMediaType,
    error_body,
)
from consent_api.public import public
from consent_api.scripts import scripts
from consent_api.settings import DEFAULTS, load_settings
from database import RETRY_AFTER_UNAVAILABLE, unavailable_errors

log = logging.getLogger("consent_api")

OPENAPI = Path(__file__).with_name("openapi.json")

#: Werkzeug's names are prose ("Request Entity Too Large"); ours are stable snake_case codes.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    411: "length_required",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "unprocessable_entity",
    429: "rate_limited",
}


#: The one place where domain errors become HTTP statuses (most specific class first).
HTTP_STATUS: tuple[tuple[type[RequestRefused], int], ...] = (
    (MalformedRequest, 400),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (ChainBroken, 409),
    (Conflict, 409),
    (TooLarge, 413),
    (UnsupportedMediaType, 415),
    (InvalidInput, 422),
)


def status_of(error: RequestRefused) -> int:
    for kind, status in HTTP_STATUS:
        if isinstance(error, kind):
            return status
    return 400


class ConsentApp(Flask):
    """Flask, with :meth:`ensure_sync` remembering its answers: Flask asks it for every hook
    and view of every request, and the question (``inspect.iscoroutinefunction``, four calls
    each time) has the same answer for a function as long as the process lives."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        sync = self._sync.get(func)
        if sync is None:
            sync = self._sync[func] = super().ensure_sync(func)
        return sync


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the API: defaults, then ``COOKIE_AUDIT_*`` environment variables, then ``config``.

    Migrations run at start when ``AUTO_MIGRATE`` is true (serialised between processes, so
    several gunicorn workers may start at once).
    """
    app = ConsentApp(__name__, instance_relative_config=True, static_folder=None)
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("COOKIE_AUDIT")
    if config:
        app.config.update(config)
    settings = load_settings(app.config, _legacy_database(app))
    app.config["MAX_CONTENT_LENGTH"] = settings.max_content_length
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if settings.proxy_fix_x_for:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_fix_x_for)  # type: ignore[method-assign]

    db.init_app(app, settings)

    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.ratelimit_storage_uri,
        enabled=settings.ratelimit_enabled,
        headers_enabled=False,
    )
    # One budget per client for all the public endpoints together (not one per endpoint),
    # one for the admin endpoints; the scripts (their own blueprint) are not limited.
    limiter.shared_limit(settings.ratelimit_public, scope="public")(public)
    limiter.shared_limit(settings.ratelimit_admin, scope="admin")(admin)
    app.register_blueprint(public)
    app.register_blueprint(admin)
    app.register_blueprint(scripts)
    _register_errors(app, limiter)
    _register_meta(app)
    return app


def _legacy_database(app: Flask) -> str | None:
    """Before the product had one database, the API kept ``consent.db`` in Flask's instance
    folder. When that file exists and no URL is set, keep using it (with a warning) rather
    than start an empty ledger beside it."""
    legacy = Path(app.instance_path) / "consent.db"
    if app.config.get("DATABASE_URL") or not legacy.is_file():
        return None
    log.warning(
        "using the old consent database %s; set COOKIE_AUDIT_DATABASE_URL to keep it, or move "
        "it to the product database's default location",
        legacy,
    )
    return f"sqlite:///{legacy}"


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    response = jsonify(error_body(status, code, message, **extra))
    response.status_code = status
    return response


def _register_errors(app: Flask, limiter: Limiter) -> None:
    @app.errorhandler(RequestRefused)
    def refused(exc: RequestRefused) -> Response:
        status = status_of(exc)
        response = error_response(status, exc.code, exc.message, **exc.extra)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="cookie-audit admin"'
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        code = HTTP_CODES.get(status, "http_error")
        message = exc.description or exc.name
        if status == 413:
            message = "The request body is too large."
        elif status == 429:
            message = f"Too many requests: {exc.description}."
        response = error_response(status, code, message)
        if status == 405 and exc.response is None:
            allowed = getattr(exc, "valid_methods", None)
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
        if status == 429:
            response.headers["Retry-After"] = str(_retry_after(limiter))
        return response

    def database_unavailable(exc: Exception) -> Response:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        log.warning("database unavailable (%s): %s", type(exc).__name__, first_line)
        response = error_response(
            503, "database_unavailable", "The database is unavailable; nothing was stored. Retry."
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
        return response

    for kind in unavailable_errors():  # the database's own list, shared with the dashboard
        app.register_error_handler(kind, database_unavailable)

    @app.errorhandler(Exception)
    def server_error(exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal_error", "The server failed; the error is logged.")


def _retry_after(limiter: Limiter) -> int:
    """Seconds until the breached limit's window lets the client in again (at least 1)."""
    limit = limiter.current_limit
    if limit is None:
        return 1
    return max(1, math.ceil(limit.reset_at - time.time()))


def _register_meta(app: Flask) -> None:
    @app.get("/healthz")
    def healthz() -> Response:
        from sqlalchemy import text

        with db.engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return jsonify({"status": "ok"})

    @app.get("/openapi.json")
    def openapi() -> Response:
        return send_file(OPENAPI, mimetype="application/json", max_age=300)
