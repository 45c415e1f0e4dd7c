"""The app's state and its database, in one place (as flaskr's ``db.py``).

:class:`State` is everything the endpoints and the commands work with: settings, the engine of
the product database (from :mod:`database`), the site cache, the ledger (its batch queue), the
signing key and the keys trusted for verification. The CLI builds one without Flask.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import Engine

import database
from consent_api.chain import Ledger
from consent_api.checkpoints import CheckpointScheduler
from consent_api.settings import Settings
from consent_api.signing import SigningKey, load_key
from consent_api.sites import SiteCache
from consent_api.validation import Limits
from consent_api.verifier import key_id_of


@dataclass
class State:
    settings: Settings
    engine: Engine
    sites: SiteCache
    ledger: Ledger
    key: SigningKey
    scheduler: CheckpointScheduler | None = field(default=None)

    @functools.cached_property
    def limits(self) -> Limits:
        """The validation limits of the settings (made once: every post uses them)."""
        settings = self.settings
        return Limits(
            page_url_max=settings.page_url_max_length,
            user_agent_max=settings.user_agent_max_length,
            client_ts_max_skew=settings.client_ts_max_skew_seconds,
            replay_window=settings.replay_window_seconds,
        )

    @property
    def trusted_keys(self) -> dict[str, str]:
        """Key id -> base64 public key: this server's key and the older ones still trusted."""
        keys = {key_id_of(k): k for k in self.settings.trusted_public_keys}
        keys[self.key.key_id] = self.key.public_key
        return keys

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool | None = None) -> State:
        """Engine, migrations (every branch of the product database, serialised between
        processes, so several gunicorn workers may start at once) and the signing key."""
        engine = database.make_engine(settings.database)
        if settings.auto_migrate if migrate is None else migrate:
            database.upgrade(engine)
        key = load_key(settings.signing_key_file)
        return cls(
            settings, engine, SiteCache(engine, settings.site_cache_seconds), Ledger(engine), key
        )

    def start_checkpoints(self) -> None:
        interval = self.settings.checkpoint_interval_seconds
        if interval > 0 and self.scheduler is None:
            self.scheduler = CheckpointScheduler(self.engine, self.key, self.trusted_keys, interval)
            self.scheduler.start()

    def close(self) -> None:
        """Stop the checkpoint thread (waiting for a tick under way) and close the engine."""
        if self.scheduler is not None:
            self.scheduler.stop()
            self.scheduler.join(timeout=30)
            self.scheduler = None
        self.engine.dispose()


def init_app(app: Flask, settings: Settings) -> State:
    value = State.open(settings)
    value.start_checkpoints()
    app.extensions["consent_api"] = value
    return value


def state() -> State:
    # the app itself rather than its proxy: an attribute read through ``current_app`` first
    # fails on the proxy (an AttributeError made and dropped) before it is looked up on the app
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    value = app.extensions["consent_api"]
    assert isinstance(value, State)
    return value


def engine() -> Engine:
    return state().engine
