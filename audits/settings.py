"""Typed settings of audits (store, broker, runs), read once from `COOKIE_AUDIT_*` variables.

A bad value fails at start with one line naming the variable and what it accepts (exit 2).
Nothing reads the environment at import time: `load_settings()` is called by the commands and
by the Celery app factory.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

import database
from audits.errors import AuditInputError

PREFIX = "COOKIE_AUDIT_"


def default_database_url() -> str:
    """The product's one database (`database.default_database_url`)."""
    return database.default_database_url()


@dataclasses.dataclass(frozen=True, slots=True)
class AuditSettings:
    database_url: str = dataclasses.field(default_factory=default_database_url)
    broker_url: str = "redis://127.0.0.1:6379/0"
    queue: str = "cookie-audit"
    #: prefix of every key the broker writes in Redis (several products or tests in one Redis)
    broker_prefix: str = ""
    #: scans at a time in one worker (each one is a Chromium)
    browsers: int = 2
    #: seconds between two looks for due runs (scheduler and daemon)
    tick_s: float = 30.0
    #: a running run renews its lease this often; 3 missed beats and it is presumed dead
    heartbeat_s: float = 10.0
    #: Redis: an unacknowledged run goes back to the queue after this long (kill -9, power)
    visibility_timeout_s: float = 300.0
    #: transient failures (DNS, timeouts, connection) are retried this many times ...
    retries: int = 2
    #: ... after this many seconds, doubled each time (with jitter)
    retry_backoff_s: float = 60.0
    #: database locked or down: retried for this long before the operation fails
    db_retry_s: float = 30.0
    #: Chromium to launch (default: Playwright's, then the system's)
    chromium: str | None = None
    #: base URL of the dashboard, for links in alerts (None: no links)
    public_url: str | None = None

    @property
    def stale_after_s(self) -> float:
        return 3 * self.heartbeat_s

    def replace(self, **changes: Any) -> AuditSettings:
        return dataclasses.replace(self, **changes)


_FLOATS = ("tick_s", "heartbeat_s", "visibility_timeout_s", "retry_backoff_s", "db_retry_s")
_INTS = ("browsers", "retries")


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> AuditSettings:
    """Defaults, then `COOKIE_AUDIT_<FIELD>` variables, then `overrides` (None = not given)."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for f in dataclasses.fields(AuditSettings):
        raw = env.get(PREFIX + f.name.upper())
        if raw is not None and raw != "":
            values[f.name] = _convert(f.name, raw)
    values.update({k: v for k, v in overrides.items() if v is not None})
    for name in _INTS:
        if name in values and int(values[name]) < (0 if name == "retries" else 1):
            raise AuditInputError(f"{PREFIX}{name.upper()}: too small: {values[name]}")
    for name in _FLOATS:
        if name in values and not float(values[name]) > 0:
            raise AuditInputError(f"{PREFIX}{name.upper()}: must be positive: {values[name]}")
    if values.get("database_url"):
        # at start, like every other value: `worker` and `scheduler` with `--db mysql://x` ran
        # until their first task or tick, then logged a traceback
        try:
            database.DatabaseSettings.from_environment(values["database_url"], env)
        except database.DatabaseConfigError as exc:
            raise AuditInputError(str(exc)) from None
    return AuditSettings(**values)


def _convert(name: str, raw: str) -> Any:
    try:
        if name in _FLOATS:
            return float(raw)
        if name in _INTS:
            return int(raw)
    except ValueError:
        kind = "a number" if name in _FLOATS else "a whole number"
        raise AuditInputError(f"{PREFIX}{name.upper()}: expected {kind}, got {raw!r}") from None
    return raw
