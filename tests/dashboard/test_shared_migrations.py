"""The accounts branch runs in the product's one Alembic environment; a database migrated
while it had its own version table (``alembic_version_accounts``) is adopted, not re-created."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from dashboard import db
from database import current_revisions, pending


def test_interim_accounts_version_table_is_adopted(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    db.upgrade(engine)
    [accounts] = [r for r in current_revisions(engine) if r.startswith("accounts_")]
    with engine.begin() as conn:  # the state the interim environment left behind
        conn.execute(text("DELETE FROM alembic_version WHERE version_num = :r"), {"r": accounts})
        conn.execute(text("CREATE TABLE alembic_version_accounts (version_num VARCHAR(32))"))
        conn.execute(text("INSERT INTO alembic_version_accounts VALUES (:r)"), {"r": accounts})
    db.upgrade(engine)  # would fail creating the accounts tables twice without the adoption
    assert accounts in current_revisions(engine)
    assert not pending(engine)
    assert "alembic_version_accounts" not in inspect(engine).get_table_names()
    engine.dispose()
