"""One app for ``cookie-audit serve`` and gunicorn: the consent API at ``/``, the dashboard
under ``/dashboard``.

The consent API's own factory builds the outer app, unchanged (its JSON errors, CORS and rate
limits stay as they are), and the dashboard is a second Flask app mounted with Werkzeug's
``DispatcherMiddleware``: each keeps its own error handlers, session and security headers,
and the consent API never imports the dashboard, so it still deploys alone
(``gunicorn 'consent_api:create_app()'``). Both share one database engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, redirect
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response

from consent_api import create_app as create_api
from consent_api.db import State as ApiState
from dashboard.web.app import create_dashboard_app

MOUNT = "/dashboard"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The consent API with the dashboard mounted under ``/dashboard`` (``/`` redirects there)."""
    api = create_api(config)
    api_state = api.extensions["consent_api"]
    assert isinstance(api_state, ApiState)
    dashboard = create_dashboard_app(
        {**(config or {}), "DATABASE_URL": api_state.settings.database.url},
        engine=api_state.engine,
    )
    api.wsgi_app = DispatcherMiddleware(  # type: ignore[method-assign]
        api.wsgi_app, {MOUNT: dashboard.wsgi_app}
    )
    api.extensions["dashboard_app"] = dashboard

    @api.get("/")
    def root() -> Response:
        return redirect(MOUNT + "/", code=302)

    return api
