"""The dashboard: the product's web pages for people (accounts with roles, the overview of
every audited site, a site's history and what changed, consent statistics, audit management).

``create_app`` composes the consent API and the dashboard into one WSGI app (what
``cookie-audit serve`` and ``gunicorn 'dashboard:create_app()'`` run);
``create_dashboard_app`` is the dashboard alone.
"""

from __future__ import annotations

from dashboard.compose import create_app
from dashboard.errors import Conflict, DashboardError, InvalidInput, NotFound
from dashboard.web.app import create_dashboard_app

__all__ = [
    "Conflict",
    "DashboardError",
    "InvalidInput",
    "NotFound",
    "create_app",
    "create_dashboard_app",
]
