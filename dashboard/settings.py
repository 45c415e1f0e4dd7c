"""Typed settings of the dashboard, read once when the app is created.

Like the consent API: defaults, then ``COOKIE_AUDIT_*`` environment variables, then the mapping
given to the factory; :func:`load_settings` validates them into one frozen object and fails at
start with a message naming the bad field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from dashboard.errors import ConfigError
from database import config_bool, described_url

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: the consent API's database (one database for the product)
    "SECRET_KEY": None,  # None: a secret made once and kept in the database
    "SESSION_COOKIE_SECURE": True,
    "SESSION_HOURS": 12,  # a session ends this long after sign-in, whatever happens
    "SESSION_IDLE_MINUTES": 120,  # ... or after this long without a request
    "LOGIN_RATELIMIT_CLIENT": "30 per 10 minutes",
    "LOGIN_RATELIMIT_ACCOUNT": "5 per minute;20 per hour",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    "DEFAULT_LANG": "en",
    # a page retries a lost or locked database this long, then answers 503 (scheduled runs keep
    # the audits' own 30 s)
    "DB_RETRY_SECONDS": 2,
}


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    secret_key: str | None
    session_cookie_secure: bool
    session_lifetime: timedelta
    session_idle: timedelta
    login_ratelimit_client: str
    login_ratelimit_account: str
    ratelimit_storage_uri: str
    ratelimit_enabled: bool
    default_lang: str
    db_retry_seconds: float = 2.0


def _seconds(name: str, value: Any) -> float:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: expected a number of seconds >= 0, got {value!r}") from None
    if not 0 <= number <= 60:
        raise ConfigError(f"{name}: expected a number of seconds from 0 to 60, got {value!r}")
    return number


def _int(name: str, value: Any, minimum: int) -> int:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: expected an integer >= {minimum}, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name}: expected an integer >= {minimum}, got {number}")
    return number


def _limit(name: str, value: Any) -> str:
    from limits import parse_many

    if not isinstance(value, str) or not value:
        raise ConfigError(f"{name}: expected a limit like '5 per minute', got {value!r}")
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(f"{name}: expected a limit like '5 per minute', got {value!r}") from None
    return value


def load_settings(config: Mapping[str, Any], default_database_url: str) -> Settings:
    url = config.get("DATABASE_URL") or default_database_url
    if not isinstance(url, str) or not url.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            "DATABASE_URL: expected sqlite:///PATH or postgresql+psycopg://..., "
            f"got {described_url(url)}"
        )
    secret = config.get("SECRET_KEY")
    if secret is not None and (not isinstance(secret, str) or len(secret) < 32):
        raise ConfigError("SECRET_KEY: expected at least 32 characters of random text")
    lang = str(config.get("DEFAULT_LANG") or "en").lower()
    if lang not in {"en", "fr"}:
        raise ConfigError(f"DEFAULT_LANG: expected en or fr, got {lang!r}")
    storage = config.get("RATELIMIT_STORAGE_URI")
    if not isinstance(storage, str) or "://" not in storage:
        raise ConfigError(
            "RATELIMIT_STORAGE_URI: expected memory:// or redis://..., "
            f"got {described_url(storage)}"
        )
    return Settings(
        database_url=url,
        secret_key=secret,
        session_cookie_secure=config_bool(
            "SESSION_COOKIE_SECURE", config.get("SESSION_COOKIE_SECURE"), ConfigError
        ),
        session_lifetime=timedelta(hours=_int("SESSION_HOURS", config.get("SESSION_HOURS"), 1)),
        session_idle=timedelta(
            minutes=_int("SESSION_IDLE_MINUTES", config.get("SESSION_IDLE_MINUTES"), 1)
        ),
        login_ratelimit_client=_limit(
            "LOGIN_RATELIMIT_CLIENT", config.get("LOGIN_RATELIMIT_CLIENT")
        ),
        login_ratelimit_account=_limit(
            "LOGIN_RATELIMIT_ACCOUNT", config.get("LOGIN_RATELIMIT_ACCOUNT")
        ),
        ratelimit_storage_uri=storage,
        ratelimit_enabled=config_bool(
            "RATELIMIT_ENABLED", config.get("RATELIMIT_ENABLED"), ConfigError
        ),
        default_lang=lang,
        db_retry_seconds=_seconds("DB_RETRY_SECONDS", config.get("DB_RETRY_SECONDS")),
    )
