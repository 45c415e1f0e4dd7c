"""The dashboard's own Flask app (flaskr style). :func:`dashboard.create_app` mounts it under
``/dashboard`` next to the consent API; it can also be served alone."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response
from flask_wtf import CSRFProtect
from sqlalchemy import Engine

from dashboard import accounts, db
from dashboard.settings import DEFAULTS, load_settings
from dashboard.web.state import State
from database import default_database_url

log = logging.getLogger("dashboard")

PACKAGE = Path(__file__).resolve().parents[1]


def create_dashboard_app(
    config: Mapping[str, Any] | None = None, *, engine: Engine | None = None
) -> Flask:
    """Build the dashboard: defaults, ``COOKIE_AUDIT_*`` variables, then ``config``.

    ``engine``: share an engine with the app this one is mounted next to (one pool per
    process); by default one is made from ``DATABASE_URL``.
    """
    app = Flask(
        "dashboard",
        root_path=str(PACKAGE),
        template_folder="templates",
        static_folder="static",
        instance_relative_config=True,
    )
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("COOKIE_AUDIT")
    if config:
        app.config.update(config)
    default_db = default_database_url()
    settings = load_settings(app.config, default_db)
    if engine is None:
        engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    app.extensions["dashboard"] = State(settings, engine)

    secret = settings.secret_key
    if secret is None:
        with engine.begin() as conn:
            secret = accounts.signing_secret(conn)
    secure = settings.session_cookie_secure
    app.config.update(
        SECRET_KEY=secret,
        # __Host-: Secure, Path=/, no Domain: a sub-domain can neither read nor plant it
        SESSION_COOKIE_NAME="__Host-ca_dashboard" if secure else "ca_dashboard",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PATH="/",
        PERMANENT_SESSION_LIFETIME=settings.session_lifetime,
        WTF_CSRF_TIME_LIMIT=int(settings.session_lifetime.total_seconds()),
        SEND_FILE_MAX_AGE_DEFAULT=timedelta(hours=1),
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from dashboard.web.auth import init_auth
    from dashboard.web.consent import bp as consent_bp
    from dashboard.web.errors import init_errors
    from dashboard.web.manage import bp as manage_bp
    from dashboard.web.pages import init_pages
    from dashboard.web.security import init_security

    CSRFProtect(app)
    app.extensions["dashboard_limiter"] = init_auth(app)  # the limiter is weakly held
    init_pages(app)
    app.register_blueprint(consent_bp)
    app.register_blueprint(manage_bp)
    init_errors(app)
    init_security(app)
    _register_meta(app)
    return app


def _register_meta(app: Flask) -> None:
    @app.get("/static/reports/<any('report.css', 'report.js'):name>")
    def report_asset(name: str) -> Response:
        """The reports' own stylesheet and table script, served as files (CSP: no inline)."""
        from reports import asset

        mimetype = "text/css" if name.endswith(".css") else "text/javascript"
        response = Response(str(asset(name)), mimetype=mimetype)
        response.cache_control.max_age = 3600
        response.cache_control.public = True
        return response
