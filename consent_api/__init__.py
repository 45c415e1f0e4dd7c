"""The consent API: stores every banner choice as proof of consent and serves the banner.

``create_app`` builds the Flask app (``gunicorn 'consent_api:create_app()'``); the ledger keeps
an append-only, hash-chained log of consent records per site.
"""

from __future__ import annotations

from consent_api.app import create_app
from consent_api.errors import ApiError, ConfigError, ConsentApiError

__all__ = ["ApiError", "ConfigError", "ConsentApiError", "create_app"]
