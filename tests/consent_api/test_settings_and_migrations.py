"""Settings are validated at start; the Alembic migrations are the schema the models expect."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from consent_api import ConfigError, create_app
from consent_api.models import Base
from database import current_revisions, head_revisions


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"MAX_CONTENT_LENGTH": "big"}, "MAX_CONTENT_LENGTH"),
        ({"MAX_CONTENT_LENGTH": 10}, "MAX_CONTENT_LENGTH"),
        ({"AUTO_MIGRATE": "perhaps"}, "AUTO_MIGRATE"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"RATELIMIT_PUBLIC": "lots"}, "RATELIMIT_PUBLIC"),
        ({"SQLITE_SYNCHRONOUS": "OFF"}, "SQLITE_SYNCHRONOUS"),
        ({"REPLAY_WINDOW_SECONDS": -1}, "REPLAY_WINDOW_SECONDS"),
    ],
)
def test_bad_setting_fails_at_start_naming_the_field(
    tmp_path: Path, config: dict[str, object], field: str
) -> None:
    with pytest.raises(ConfigError, match=field):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", **config})


def test_settings_come_from_prefixed_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("COOKIE_AUDIT_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("COOKIE_AUDIT_MAX_CONTENT_LENGTH", "4096")
    app = create_app()
    state = app.extensions["consent_api"]
    assert state.settings.max_content_length == 4096
    assert app.config["MAX_CONTENT_LENGTH"] == 4096
    assert db.exists()
    # the mapping wins over the environment
    app2 = create_app({"MAX_CONTENT_LENGTH": 8192})
    assert app2.extensions["consent_api"].settings.max_content_length == 8192
    state.close()
    app2.extensions["consent_api"].close()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"})
    engine = app.extensions["consent_api"].engine
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    app.extensions["consent_api"].close()


def test_migrations_match_the_models(database_url: str) -> None:
    app = create_app({"DATABASE_URL": database_url})
    engine = app.extensions["consent_api"].engine
    assert current_revisions(engine) == head_revisions()
    ours = set(Base.metadata.tables)  # other packages' branches have their own tables

    def include_name(name: str | None, type_: str, _parent: object) -> bool:
        return type_ != "table" or name in ours

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    tables = set(inspect(engine).get_table_names())
    assert {"sites", "admin_keys", "consent_records", "impressions", "purge_log"} <= tables
    app.extensions["consent_api"].close()


def test_no_auto_migrate_leaves_the_database_alone(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "AUTO_MIGRATE": False})
    app.extensions["consent_api"].close()  # its checkpoint thread too (no tables to sign)
    engine = create_engine(f"sqlite:///{path}")
    assert inspect(engine).get_table_names() == []
    engine.dispose()
