"""The product database layer: URL setting and default location, one Alembic environment with a
branch per package, upgrades serialised between processes, paths with '%' and "'"."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from database import (
    BRANCHES,
    DatabaseConfigError,
    DatabaseSettings,
    SqliteSync,
    current_revisions,
    default_database_url,
    head_revisions,
    make_engine,
    normalise_url,
    pending,
    upgrade,
    version_locations,
)
from scanner.cli import main
from tests.database.at_once import at_once
from tests.scratch_db import scratch_database

CONSENT_VERSIONS = Path(__file__).resolve().parents[2] / "consent_api/migrations/versions"

SECOND_BRANCH = '''
"""A second package's first revision (test branch).

Revision ID: testpkg_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "testpkg_0001"
down_revision = None
branch_labels = ("testpkg",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "testpkg_things",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("testpkg_things")
'''


@pytest.fixture
def second_branch(tmp_path: Path) -> Path:
    folder = tmp_path / "test pkg %versions"  # a space and a '%' in the folder name too
    folder.mkdir()
    (folder / "testpkg_0001_things.py").write_text(SECOND_BRANCH)
    return folder


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'product.db'}"
        return
    with scratch_database(request.getfixturevalue("postgres_url"), "cookie_audit_test_db") as db:
        yield db


def test_default_location_is_one_file_in_the_data_folder(tmp_path: Path) -> None:
    assert default_database_url({"COOKIE_AUDIT_DATA_DIR": str(tmp_path)}) == (
        f"sqlite:///{tmp_path / 'cookie-audit.db'}"
    )
    assert default_database_url({"XDG_DATA_HOME": str(tmp_path)}) == (
        f"sqlite:///{tmp_path / 'cookie-audit' / 'cookie-audit.db'}"
    )
    home = default_database_url({})
    assert home.endswith("/.local/share/cookie-audit/cookie-audit.db")


def test_url_precedence_option_then_environment_then_default(tmp_path: Path) -> None:
    env = {"COOKIE_AUDIT_DATABASE_URL": "postgresql://u@h/db", "COOKIE_AUDIT_DATA_DIR": "/x"}
    assert DatabaseSettings.from_environment(None, env).url == "postgresql+psycopg://u@h/db"
    assert DatabaseSettings.from_environment("sqlite:///a.db", env).url == "sqlite:///a.db"
    assert DatabaseSettings.from_environment(None, {"COOKIE_AUDIT_DATA_DIR": "/x"}).url == (
        "sqlite:////x/cookie-audit.db"
    )
    tuned = DatabaseSettings.from_environment(
        "sqlite:///a.db", {"COOKIE_AUDIT_SQLITE_SYNCHRONOUS": "full"}
    )
    assert tuned.sqlite_synchronous is SqliteSync.FULL


@pytest.mark.parametrize(
    "bad",
    ["mysql://x", "", "sqlite://", "sqlite:///:memory:", "postgresql+asyncpg://h/d", "::", None],
)
def test_bad_urls_name_the_setting(bad: object) -> None:
    with pytest.raises(DatabaseConfigError, match="DATABASE_URL"):
        normalise_url(bad)


@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        ("mysql://audit:Pa55-w0rd-XYZ@db/cookies", "got a mysql:// URL"),
        ("postgresql+asyncpg://audit:Pa55-w0rd-XYZ@db/cookies", "got a postgresql+asyncpg://"),
        ("sqlite+pysqlite:///Pa55-w0rd-XYZ.db", "got a sqlite+pysqlite:// URL"),
        ("Pa55-w0rd-XYZ", "got something that is not a URL"),
    ],
)
def test_bad_urls_never_repeat_the_password(bad: str, shown: str) -> None:
    """A URL's password must not reach the logs through the error that refuses the URL."""
    with pytest.raises(DatabaseConfigError) as info:
        normalise_url(bad)
    assert "Pa55-w0rd-XYZ" not in str(info.value) and shown in str(info.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [("SQLITE_SYNCHRONOUS", "OFF"), ("DB_POOL_SIZE", "0"), ("SQLITE_WAL_LIMIT_MB", "x")],
)
def test_bad_tuning_names_the_setting(key: str, value: str) -> None:
    with pytest.raises(DatabaseConfigError, match=key):
        DatabaseSettings.from_config({"DATABASE_URL": "sqlite:///a.db", key: value})


def test_consent_branch_is_registered_first() -> None:
    assert BRANCHES[0].label == "consent"
    assert CONSENT_VERSIONS in version_locations()


def test_upgrade_from_0001_adds_a_new_branch_and_keeps_the_data(
    url: str, second_branch: Path
) -> None:
    """A database migrated by the consent API alone (revision 0001) upgrades to every head."""
    engine = make_engine(DatabaseSettings(url))
    try:
        upgrade(engine, "0001", locations=[CONSENT_VERSIONS])
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO sites (site_key, name, origins, categories, policy_version,"
                    " policy_versions, banner_revision, banner_revisions, retention_days,"
                    " ip_policy, reconsent_after_days, created_at, head_seq, head_hash)"
                    " VALUES ('pk_x', 'X', '[]', '[]', '1', '[\"1\"]', 1, '[1]', 1, 'none', 1,"
                    " CURRENT_TIMESTAMP, 0, :h)"
                ),
                {"h": "0" * 64},
            )
        assert current_revisions(engine) == ("0001",)
        locations = [*version_locations(), second_branch]
        assert pending(engine, locations)
        upgrade(engine, locations=locations)
        heads = head_revisions(locations)
        assert "testpkg_0001" in heads
        # testpkg_0001 depends on 0001, so alembic_version keeps the dependent only
        assert "testpkg_0001" in current_revisions(engine)
        assert "0001" not in current_revisions(engine)
        assert not pending(engine, locations)
        assert "testpkg_things" in inspect(engine).get_table_names()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT site_key FROM sites")).scalar_one() == "pk_x"
        upgrade(engine, locations=locations)  # at heads: nothing to do, no error
    finally:
        engine.dispose()


def test_concurrent_upgrades_are_serialised(url: str) -> None:
    """Several workers start at once on a fresh database: each migrates or waits, none fails."""
    engines = [make_engine(DatabaseSettings(url)) for _ in range(4)]
    errors = at_once(upgrade, engines)
    try:
        assert not errors, errors
        assert current_revisions(engines[0]) == head_revisions()
    finally:
        for engine in engines:
            engine.dispose()


@pytest.mark.parametrize("name", ["a%b.db", "it's.db", "50%' off/x%%y.db"])
def test_paths_with_percent_and_quote_work_in_every_command(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    url = f"sqlite:///{path}"
    assert main(["db", "upgrade", "--db", url]) == 0
    assert str(path) in capsys.readouterr().out
    assert main(["consents", "migrate", "--db", url]) == 0
    assert main(["db", "current", "--db", url]) == 0
    assert "behind" not in capsys.readouterr().out
    assert main(["sites", "list", "--db", url]) == 0
    assert main(["consents", "verify", "pk_none", "--db", url]) == 2  # no traceback: exit 2
    assert "No site is registered" in capsys.readouterr().err
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall()


def test_db_commands_report_bad_input_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade", "--db", "mysql://nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: DATABASE_URL") and "\n" not in err
    assert main(["db", "current", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/x"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: database unreachable") and "Traceback" not in err
