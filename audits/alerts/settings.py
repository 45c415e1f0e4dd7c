"""Typed alert settings, read once from `COOKIE_AUDIT_*` environment variables at start.

Secrets (the SMTP password, the default webhook signing secret) are pydantic `SecretStr`:
their `str`/`repr` are `**********`, so printing the settings, logging them or putting them in
an exception's message shows nothing. `*_FILE` variants read a secret from a file (Docker
and Kubernetes secrets).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr

from audits.alerts.errors import AlertSettingsError
from reports.i18n import Lang

PREFIX = "COOKIE_AUDIT_"


@dataclasses.dataclass(frozen=True, slots=True)
class AlertSettings:
    """Everything the channels need; defaults are safe (no SMTP server, private addresses
    refused, TLS verified)."""

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_timeout: float = 15.0
    smtp_ca_file: str | None = None  # trust this CA bundle instead of the system's
    webhook_timeout: float = 10.0
    webhook_secret: SecretStr | None = None  # signs webhooks whose target has no secret=
    retries: int = 3  # after the first attempt, for failures that may pass
    retry_backoff: float = 2.0  # seconds before the first retry; doubles each time
    retry_max_wait: float = 300.0  # longest wait, Retry-After included
    public_url: str | None = None  # base URL of the dashboard, for links in alerts
    lang: Lang = Lang.EN
    allow_private: bool = False  # webhooks to loopback / private addresses

    def link(self, path: str) -> str | None:
        """An absolute link into the dashboard, or None when no public URL is set."""
        if self.public_url is None:
            return None
        return f"{self.public_url}/{path.lstrip('/')}"


#: setting -> (environment variable without the prefix, what it accepts), for the README
VARIABLES: dict[str, str] = {
    "SMTP_HOST": "SMTP server host name (e-mail alerts are off without it)",
    "SMTP_PORT": "port (default 587; 465 with SMTP_SSL)",
    "SMTP_USER": "user name for AUTH (with SMTP_PASSWORD)",
    "SMTP_PASSWORD": "password for AUTH (or SMTP_PASSWORD_FILE: a file holding it)",
    "SMTP_FROM": "the From address (required for e-mail alerts)",
    "SMTP_STARTTLS": "true (default): upgrade with STARTTLS before AUTH, refuse if unsupported",
    "SMTP_SSL": "true: implicit TLS from the first byte (port 465); excludes STARTTLS",
    "SMTP_TIMEOUT": "seconds per SMTP operation (default 15)",
    "SMTP_CA_FILE": "PEM bundle of the CA that signed the SMTP server's certificate",
    "WEBHOOK_TIMEOUT": "seconds per webhook request (default 10)",
    "WEBHOOK_SECRET": "default signing secret (or WEBHOOK_SECRET_FILE)",
    "ALERT_RETRIES": "retries after a failure that may pass (default 3)",
    "ALERT_RETRY_BACKOFF": "seconds before the first retry, doubled each time (default 2)",
    "ALERT_RETRY_MAX_WAIT": "longest wait between two attempts (default 300)",
    "PUBLIC_URL": "base URL of the dashboard, for the links in alerts",
    "ALERT_LANG": "en (default) or fr",
    "ALERT_ALLOW_PRIVATE": "true: allow webhooks to loopback and private addresses",
}


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise AlertSettingsError(f"{PREFIX}{name}: expected true or false, got {value!r}")


def _number(name: str, value: str, *, minimum: float, integer: bool = False) -> float:
    what = "an integer" if integer else "a number"
    try:
        number = int(value) if integer else float(value)
    except ValueError:
        raise AlertSettingsError(
            f"{PREFIX}{name}: expected {what} >= {minimum:g}, got {value!r}"
        ) from None
    if not number >= minimum or number != number:  # NaN
        raise AlertSettingsError(f"{PREFIX}{name}: expected {what} >= {minimum:g}, got {value!r}")
    return number


def _secret(env: Mapping[str, str], name: str) -> SecretStr | None:
    value = env.get(PREFIX + name) or None
    path = env.get(PREFIX + name + "_FILE") or None
    if value and path:
        raise AlertSettingsError(f"{PREFIX}{name} and {PREFIX}{name}_FILE: set only one of them")
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise AlertSettingsError(f"{PREFIX}{name}_FILE: cannot read {path}") from None
        if not value:
            raise AlertSettingsError(f"{PREFIX}{name}_FILE: {path} is empty")
    return SecretStr(value) if value else None


def load_alert_settings(environ: Mapping[str, str] | None = None) -> AlertSettings:
    """Read and check every alert setting; the first bad one raises `AlertSettingsError`
    naming the variable and what it accepts (never a secret's value)."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(PREFIX + name)
        return value.strip() if value is not None and value.strip() else None

    ssl = _bool("SMTP_SSL", get("SMTP_SSL") or "false")
    starttls = _bool("SMTP_STARTTLS", get("SMTP_STARTTLS") or ("false" if ssl else "true"))
    if ssl and starttls:
        raise AlertSettingsError(
            f"{PREFIX}SMTP_SSL and {PREFIX}SMTP_STARTTLS: choose one (implicit TLS or STARTTLS)"
        )
    port_text = get("SMTP_PORT")
    port = int(_number("SMTP_PORT", port_text, minimum=1, integer=True)) if port_text else 0
    if port > 65535:
        raise AlertSettingsError(f"{PREFIX}SMTP_PORT: expected a port 1-65535, got {port}")
    user = get("SMTP_USER")
    password = _secret(env, "SMTP_PASSWORD")
    if (user is None) != (password is None):
        raise AlertSettingsError(
            f"{PREFIX}SMTP_USER and {PREFIX}SMTP_PASSWORD: set both for AUTH, or neither"
        )
    if user is not None and not (ssl or starttls):
        raise AlertSettingsError(
            f"{PREFIX}SMTP_USER: AUTH without TLS would send the password in clear "
            f"(keep {PREFIX}SMTP_STARTTLS=true or set {PREFIX}SMTP_SSL=true)"
        )
    sender = get("SMTP_FROM")
    if sender is not None and ("@" not in sender or any(c in sender for c in "\r\n")):
        raise AlertSettingsError(f"{PREFIX}SMTP_FROM: expected an e-mail address, got {sender!r}")
    ca_file = get("SMTP_CA_FILE")
    if ca_file is not None and not Path(ca_file).is_file():
        raise AlertSettingsError(f"{PREFIX}SMTP_CA_FILE: no such file {ca_file}")
    public_url = get("PUBLIC_URL")
    if public_url is not None:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AlertSettingsError(
                f"{PREFIX}PUBLIC_URL: expected an http(s) URL, got {public_url!r}"
            )
        public_url = public_url.rstrip("/")
    lang_text = (get("ALERT_LANG") or "en").lower()
    if lang_text not in {x.value for x in Lang}:
        raise AlertSettingsError(f"{PREFIX}ALERT_LANG: expected en or fr, got {lang_text!r}")
    return AlertSettings(
        smtp_host=get("SMTP_HOST"),
        smtp_port=port or (465 if ssl else 587),
        smtp_user=user,
        smtp_password=password,
        smtp_from=sender,
        smtp_starttls=starttls,
        smtp_ssl=ssl,
        smtp_timeout=_number("SMTP_TIMEOUT", get("SMTP_TIMEOUT") or "15", minimum=0.1),
        smtp_ca_file=ca_file,
        webhook_timeout=_number("WEBHOOK_TIMEOUT", get("WEBHOOK_TIMEOUT") or "10", minimum=0.1),
        webhook_secret=_secret(env, "WEBHOOK_SECRET"),
        retries=int(_number("ALERT_RETRIES", get("ALERT_RETRIES") or "3", minimum=0, integer=True)),
        retry_backoff=_number("ALERT_RETRY_BACKOFF", get("ALERT_RETRY_BACKOFF") or "2", minimum=0),
        retry_max_wait=_number(
            "ALERT_RETRY_MAX_WAIT", get("ALERT_RETRY_MAX_WAIT") or "300", minimum=0
        ),
        public_url=public_url,
        lang=Lang(lang_text),
        allow_private=_bool("ALERT_ALLOW_PRIVATE", get("ALERT_ALLOW_PRIVATE") or "false"),
    )
