"""The consent API: stores every banner choice as proof of consent and serves the banner.

``create_app`` builds the Flask app (``gunicorn 'consent_api:create_app()'``); the ledger keeps
an append-only, hash-chained, signed log of consent records per site. Other packages use:

- :func:`publish_declaration` (the audits package, after a successful run): store a site's
  cookie declaration, served at ``GET /v1/sites/KEY/declaration``;
- :mod:`consent_api.stats`: aggregate statistics of the ledger (query level, no Flask);
- the errors below (domain errors, no HTTP status: the app maps them in one place).
"""

from __future__ import annotations

from consent_api import stats
from consent_api.app import create_app
from consent_api.declarations import PublishedDeclaration, publish_declaration
from consent_api.errors import (
    ConfigError,
    ConsentApiError,
    InvalidInput,
    NotFound,
    RequestRefused,
    TooLarge,
)

__all__ = [
    "ConfigError",
    "ConsentApiError",
    "InvalidInput",
    "NotFound",
    "PublishedDeclaration",
    "RequestRefused",
    "TooLarge",
    "create_app",
    "publish_declaration",
    "stats",
]
