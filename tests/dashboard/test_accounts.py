"""Accounts on plain data and a real SQLite database: hashing, roles, sessions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from dashboard import accounts, db
from dashboard.accounts import Role
from dashboard.errors import Conflict, InvalidInput, NotFound
from dashboard.tables import SESSIONS, USERS
from database import write_transaction

PASSWORD = "correct horse battery staple"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    db.upgrade(engine)
    return engine


def test_password_is_stored_as_argon2id_and_checked(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        accounts.add_user(conn, "Alice@Example.com", PASSWORD, Role.EDITOR)
        stored = conn.execute(select(USERS.c.password_hash)).scalar_one()
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        user = accounts.authenticate(conn, "alice@example.com", PASSWORD)
        assert user is not None and user.role == Role.EDITOR and user.last_login_at
        assert accounts.authenticate(conn, "alice@example.com", PASSWORD + "x") is None
        assert accounts.authenticate(conn, "nobody", PASSWORD) is None
        assert accounts.authenticate(conn, "<bad name>", PASSWORD) is None


@pytest.mark.parametrize(
    ("name", "password", "field"),
    [
        ("ok", "short", "password"),
        ("bad name", PASSWORD, "username"),
        ("", PASSWORD, "username"),
        ("x" * 65, PASSWORD, "username"),
        ("samesame1234", "SameSame1234", "password"),
        ("ok", "y" * 1025, "password"),
    ],
)
def test_bad_input_is_refused_with_the_field(
    engine: Engine, name: str, password: str, field: str
) -> None:
    with write_transaction(engine) as conn, pytest.raises(InvalidInput) as err:
        accounts.add_user(conn, name, password, Role.VIEWER)
    assert err.value.field == field


def test_duplicate_names_and_the_last_admin(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        accounts.add_user(conn, "root", PASSWORD, Role.ADMIN)
        with pytest.raises(Conflict):
            accounts.add_user(conn, "ROOT", PASSWORD, Role.VIEWER)
        with pytest.raises(Conflict, match="last admin"):
            accounts.set_role(conn, "root", Role.VIEWER)
        with pytest.raises(Conflict, match="last admin"):
            accounts.remove_user(conn, "root")
        accounts.add_user(conn, "second", PASSWORD, Role.ADMIN)
        assert accounts.set_role(conn, "root", Role.VIEWER).role == Role.VIEWER
        accounts.remove_user(conn, "root")
        with pytest.raises(NotFound):
            accounts.get_user(conn, "root")
        assert [u.username for u in accounts.list_users(conn)] == ["second"]


def test_sessions_end_on_logout_password_change_expiry_and_idleness(engine: Engine) -> None:
    hour, day = timedelta(hours=1), timedelta(days=1)
    with write_transaction(engine) as conn:
        user = accounts.add_user(conn, "bob", PASSWORD, Role.VIEWER)
        one = accounts.start_session(conn, user.id, day)
        two = accounts.start_session(conn, user.id, day)
        digests = list(conn.execute(select(SESSIONS.c.token_sha256)).scalars())
        assert one not in digests and two not in digests  # only digests are stored
        assert accounts.session_user(conn, one, hour) == accounts.get_user(conn, "bob")
        accounts.end_session(conn, one)
        assert accounts.session_user(conn, one, hour) is None
        assert accounts.session_user(conn, two, hour) is not None
        accounts.set_password(conn, "bob", PASSWORD + "!")
        assert accounts.session_user(conn, two, hour) is None
        expired = accounts.start_session(conn, user.id, timedelta(seconds=-1))
        assert accounts.session_user(conn, expired, hour) is None
        idle = accounts.start_session(conn, user.id, day)
        assert accounts.session_user(conn, idle, timedelta(seconds=-1)) is None
        assert accounts.session_user(conn, "forged", hour) is None


def test_signing_secret_is_made_once(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        first = accounts.signing_secret(conn)
    with write_transaction(engine) as conn:
        assert accounts.signing_secret(conn) == first
    assert len(first) == 64


def test_roles_are_ordered() -> None:
    assert Role.ADMIN.allows(Role.EDITOR) and Role.EDITOR.allows(Role.VIEWER)
    assert not Role.VIEWER.allows(Role.EDITOR) and not Role.EDITOR.allows(Role.ADMIN)
