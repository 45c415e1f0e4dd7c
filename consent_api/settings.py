"""Typed settings of the consent API, read once when the app is created.

Flask's ``app.config`` is a loose dict (defaults, then ``COOKIE_AUDIT_*`` environment variables,
then the mapping given to :func:`consent_api.create_app`); :func:`load_settings` turns it into
one frozen :class:`Settings` and fails at start with a message naming the bad field.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from consent_api.errors import ConfigError
from database import DatabaseConfigError, DatabaseSettings, config_bool, config_int, data_dir

PREFIX = "COOKIE_AUDIT_"

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: the product database (database.default_database_url)
    "AUTO_MIGRATE": True,
    "SQLITE_SYNCHRONOUS": "NORMAL",
    "SQLITE_WAL_LIMIT_MB": 64,
    "MAX_CONTENT_LENGTH": 16 * 1024,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_PUBLIC": "1200 per minute",
    "RATELIMIT_ADMIN": "120 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",
    "REPLAY_WINDOW_SECONDS": 30.0,
    "PAGE_URL_MAX_LENGTH": 2048,
    "USER_AGENT_MAX_LENGTH": 512,
    "API_BASE": None,  # None: the URL the request came in on
    "PROXY_FIX_X_FOR": 0,
    "DB_POOL_SIZE": 5,
    "CLIENT_TS_MAX_SKEW_SECONDS": 86400,
    "ALLOW_SERVER_POSTS": False,
    "SIGNING_KEY_FILE": None,  # None: ledger-signing-key.pem in the product's data folder
    "TRUSTED_PUBLIC_KEYS": "",  # older keys (base64, comma-separated) still trusted
    "CHECKPOINT_INTERVAL_SECONDS": 60,
    "DECLARATION_MAX_BYTES": 256 * 1024,
    "SITE_CACHE_SECONDS": 2.0,
}


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    database: DatabaseSettings
    auto_migrate: bool
    max_content_length: int
    ratelimit_enabled: bool
    ratelimit_public: str
    ratelimit_admin: str
    ratelimit_storage_uri: str
    replay_window_seconds: float
    page_url_max_length: int
    user_agent_max_length: int
    api_base: str | None
    proxy_fix_x_for: int
    client_ts_max_skew_seconds: int
    allow_server_posts: bool
    signing_key_file: Path
    trusted_public_keys: tuple[str, ...]
    checkpoint_interval_seconds: float
    declaration_max_bytes: int
    site_cache_seconds: float


def _bool(name: str, value: Any) -> bool:
    return config_bool(name, value, ConfigError)


def _int(name: str, value: Any, minimum: int) -> int:
    return config_int(name, value, minimum, ConfigError)


def _float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(f"{name}: expected a number >= 0, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name}: expected a number >= 0, got {value!r}") from None
    if number < 0:
        raise ConfigError(f"{name}: expected a number >= 0, got {number}")
    return number


def _str(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{name}: expected a non-empty string, got {value!r}")
    return value


def load_settings(config: Mapping[str, Any], default_database_url: str | None = None) -> Settings:
    """Validate ``config`` (Flask's app.config) into :class:`Settings`."""
    try:
        db_config = dict(config)
        db_config["DATABASE_URL"] = config.get("DATABASE_URL") or default_database_url
        database = DatabaseSettings.from_config(db_config)
    except DatabaseConfigError as exc:
        raise ConfigError(str(exc)) from None
    api_base = config.get("API_BASE")
    if api_base is not None:
        api_base = _str("API_BASE", api_base).rstrip("/")
    from limits import parse_many

    for field in ("RATELIMIT_PUBLIC", "RATELIMIT_ADMIN"):
        value = _str(field, config.get(field))
        try:
            parse_many(value)
        except ValueError:
            raise ConfigError(
                f"{field}: expected a limit like '600 per minute', got {value!r}"
            ) from None
    return Settings(
        database=database,
        auto_migrate=_bool("AUTO_MIGRATE", config.get("AUTO_MIGRATE")),
        max_content_length=_int("MAX_CONTENT_LENGTH", config.get("MAX_CONTENT_LENGTH"), 1024),
        ratelimit_enabled=_bool("RATELIMIT_ENABLED", config.get("RATELIMIT_ENABLED")),
        ratelimit_public=str(config.get("RATELIMIT_PUBLIC")),
        ratelimit_admin=str(config.get("RATELIMIT_ADMIN")),
        ratelimit_storage_uri=_str("RATELIMIT_STORAGE_URI", config.get("RATELIMIT_STORAGE_URI")),
        replay_window_seconds=_float("REPLAY_WINDOW_SECONDS", config.get("REPLAY_WINDOW_SECONDS")),
        page_url_max_length=_int("PAGE_URL_MAX_LENGTH", config.get("PAGE_URL_MAX_LENGTH"), 16),
        user_agent_max_length=_int(
            "USER_AGENT_MAX_LENGTH", config.get("USER_AGENT_MAX_LENGTH"), 16
        ),
        api_base=api_base,
        proxy_fix_x_for=_int("PROXY_FIX_X_FOR", config.get("PROXY_FIX_X_FOR"), 0),
        client_ts_max_skew_seconds=_int(
            "CLIENT_TS_MAX_SKEW_SECONDS", config.get("CLIENT_TS_MAX_SKEW_SECONDS"), 60
        ),
        allow_server_posts=_bool("ALLOW_SERVER_POSTS", config.get("ALLOW_SERVER_POSTS")),
        signing_key_file=_key_file(config.get("SIGNING_KEY_FILE")),
        trusted_public_keys=_public_keys(config.get("TRUSTED_PUBLIC_KEYS")),
        checkpoint_interval_seconds=_float(
            "CHECKPOINT_INTERVAL_SECONDS", config.get("CHECKPOINT_INTERVAL_SECONDS")
        ),
        declaration_max_bytes=_int(
            "DECLARATION_MAX_BYTES", config.get("DECLARATION_MAX_BYTES"), 1024
        ),
        site_cache_seconds=_float("SITE_CACHE_SECONDS", config.get("SITE_CACHE_SECONDS")),
    )


def _key_file(value: Any) -> Path:
    if value in (None, ""):
        return data_dir() / "ledger-signing-key.pem"
    return Path(_str("SIGNING_KEY_FILE", str(value))).expanduser()


def _public_keys(value: Any) -> tuple[str, ...]:
    """Base64 Ed25519 public keys (32 bytes each), comma-separated."""
    if value in (None, ""):
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    keys: list[str] = []
    for item in items:
        text = str(item).strip()
        try:
            raw = base64.b64decode(text, validate=True)
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise ConfigError(
                f"TRUSTED_PUBLIC_KEYS: expected base64 Ed25519 public keys, got {text!r}"
            )
        keys.append(text)
    return tuple(keys)


def settings_from_environment(
    database_url: str | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """The settings a command runs with, read the way the app reads them (defaults, then
    ``COOKIE_AUDIT_*`` variables, values parsed as JSON when they are JSON), ``--db`` on top."""
    env = os.environ if environ is None else environ
    config: dict[str, Any] = dict(DEFAULTS)
    for name, value in env.items():
        if name.startswith(PREFIX):
            try:
                config[name.removeprefix(PREFIX)] = json.loads(value)
            except ValueError:
                config[name.removeprefix(PREFIX)] = value
    if database_url:
        config["DATABASE_URL"] = database_url
    return load_settings(config)
