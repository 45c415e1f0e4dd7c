"""People who sign in to the dashboard: users, roles, passwords, server-side sessions.

Passwords are hashed with argon2id (argon2-cffi) at OWASP's recommended setting: 19 MiB of
memory, 2 passes, 1 lane, a random salt per hash. argon2-cffi's own default (64 MiB, 4 lanes)
took a second per sign-in on these 2 shared cores, which turns the sign-in form into a way to
exhaust the server. A hash made with other parameters is replaced at the next sign-in.

Every function takes a SQLAlchemy connection, so the CLI and the web app share them and the
caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from dashboard.errors import Conflict, InvalidInput, NotFound
from dashboard.tables import SECRETS, SESSIONS, USERS


class Role(StrEnum):
    """What a person may do. Each role includes the ones before it."""

    VIEWER = "viewer"  # reads everything, changes nothing
    EDITOR = "editor"  # manages audits: add, edit, pause, run now, alert settings
    ADMIN = "admin"  # manages people too

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,63}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
#: a hash of a random password, checked when the user name is unknown so that a wrong name
#: takes as long as a wrong password (no user enumeration by timing)
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    role: Role
    lang: str | None
    created_at: datetime
    password_changed_at: datetime
    last_login_at: datetime | None

    @classmethod
    def from_row(cls, row: RowMapping) -> User:
        return cls(
            id=row["id"],
            username=row["username"],
            role=Role(row["role"]),
            lang=row["lang"],
            created_at=_aware(row["created_at"]),
            password_changed_at=_aware(row["password_changed_at"]),
            last_login_at=_aware(row["last_login_at"]) if row["last_login_at"] else None,
        )


def now_utc() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every moment we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_username(value: str) -> str:
    name = value.strip().lower()
    if not USERNAME.fullmatch(name):
        raise InvalidInput(
            "username",
            "1-64 characters: letters, digits and . _ @ + - (starting with a letter or digit)",
        )
    return name


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput("role", f"expected one of {choices}, got {value!r}") from None


def check_password(password: str, username: str) -> None:
    """Length is what makes a password strong; no composition rules (NIST SP 800-63B)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("password", f"at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput("password", f"at most {MAX_PASSWORD} characters")
    if password.strip().lower() == username.lower():
        raise InvalidInput("password", "must not be the user name")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


# --- users ------------------------------------------------------------------------------------


def add_user(conn: Connection, username: str, password: str, role: Role) -> User:
    name = parse_username(username)
    check_password(password, name)
    moment = now_utc()
    try:
        conn.execute(
            insert(USERS).values(
                username=name,
                password_hash=hash_password(password),
                role=role.value,
                created_at=moment,
                password_changed_at=moment,
            )
        )
    except IntegrityError:
        raise Conflict(f"a user named {name!r} already exists") from None
    return get_user(conn, name)


def get_user(conn: Connection, username: str) -> User:
    row = (
        conn.execute(select(USERS).where(USERS.c.username == username.strip().lower()))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no user named {username!r}")
    return User.from_row(row)


def list_users(conn: Connection) -> list[User]:
    rows = conn.execute(select(USERS).order_by(USERS.c.username)).mappings()
    return [User.from_row(r) for r in rows]


def _admins(conn: Connection) -> int:
    query = select(func.count()).select_from(USERS).where(USERS.c.role == Role.ADMIN.value)
    return int(conn.execute(query).scalar_one())


def set_role(conn: Connection, username: str, role: Role) -> User:
    user = get_user(conn, username)
    if user.role == Role.ADMIN and role != Role.ADMIN and _admins(conn) == 1:
        raise Conflict(f"{user.username} is the last admin: make another admin first")
    conn.execute(update(USERS).where(USERS.c.id == user.id).values(role=role.value))
    return get_user(conn, user.username)


def remove_user(conn: Connection, username: str) -> None:
    user = get_user(conn, username)
    if user.role == Role.ADMIN and _admins(conn) == 1:
        raise Conflict(f"{user.username} is the last admin: make another admin first")
    conn.execute(delete(SESSIONS).where(SESSIONS.c.user_id == user.id))
    conn.execute(delete(USERS).where(USERS.c.id == user.id))


def set_password(conn: Connection, username: str, password: str) -> User:
    """New password; every session of the user ends (a stolen session dies with the old one)."""
    user = get_user(conn, username)
    check_password(password, user.username)
    conn.execute(
        update(USERS)
        .where(USERS.c.id == user.id)
        .values(password_hash=hash_password(password), password_changed_at=now_utc())
    )
    end_all_sessions(conn, user.id)
    return get_user(conn, user.username)


def set_lang(conn: Connection, user_id: int, lang: str) -> None:
    conn.execute(update(USERS).where(USERS.c.id == user_id).values(lang=lang))


def authenticate(conn: Connection, username: str, password: str) -> User | None:
    """The user if the password is right, else None (the same work either way)."""
    try:
        name = parse_username(username)
    except InvalidInput:
        name = ""
    row = (
        conn.execute(select(USERS).where(USERS.c.username == name)).mappings().first()
        if name
        else None
    )
    stored = row["password_hash"] if row else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password[:MAX_PASSWORD])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    values: dict[str, object] = {"last_login_at": now_utc()}
    if _HASHER.check_needs_rehash(stored):
        values["password_hash"] = hash_password(password)
    conn.execute(update(USERS).where(USERS.c.id == row["id"]).values(**values))
    return get_user(conn, name)


# --- sessions ---------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(conn: Connection, user_id: int, lifetime: timedelta) -> str:
    """A new session; returns the token the cookie carries (only its digest is stored)."""
    token = secrets.token_urlsafe(32)
    moment = now_utc()
    conn.execute(
        insert(SESSIONS).values(
            token_sha256=_digest(token),
            user_id=user_id,
            created_at=moment,
            last_seen_at=moment,
            expires_at=moment + lifetime,
        )
    )
    return token


def session_user(conn: Connection, token: str, idle: timedelta) -> User | None:
    """The user of a live session, or None when it ended, expired or sat idle too long.

    ``last_seen_at`` is written at most once a minute, not on every request.
    """
    moment = now_utc()
    row = (
        conn.execute(
            select(SESSIONS.c.id, SESSIONS.c.last_seen_at, SESSIONS.c.expires_at, USERS)
            .join(USERS, USERS.c.id == SESSIONS.c.user_id)
            .where(SESSIONS.c.token_sha256 == _digest(token))
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    last_seen = _aware(row["last_seen_at"])
    if _aware(row["expires_at"]) <= moment or last_seen + idle <= moment:
        conn.execute(delete(SESSIONS).where(SESSIONS.c.id == row["id"]))
        return None
    if moment - last_seen > timedelta(minutes=1):
        conn.execute(update(SESSIONS).where(SESSIONS.c.id == row["id"]).values(last_seen_at=moment))
    return User.from_row(row)


def end_session(conn: Connection, token: str) -> None:
    conn.execute(delete(SESSIONS).where(SESSIONS.c.token_sha256 == _digest(token)))


def end_all_sessions(conn: Connection, user_id: int) -> int:
    result = conn.execute(delete(SESSIONS).where(SESSIONS.c.user_id == user_id))
    return int(result.rowcount or 0)


def purge_expired_sessions(conn: Connection) -> int:
    result = conn.execute(delete(SESSIONS).where(SESSIONS.c.expires_at <= now_utc()))
    return int(result.rowcount or 0)


# --- the signing secret -----------------------------------------------------------------------


def signing_secret(conn: Connection) -> str:
    """The shared secret that signs cookies and CSRF tokens, made on first use.

    Stored in the database so that every gunicorn worker and every machine behind a load
    balancer agree without configuration; ``COOKIE_AUDIT_SECRET_KEY`` overrides it.
    """
    query = select(SECRETS.c.value).where(SECRETS.c.name == "signing")
    value = conn.execute(query).scalar_one_or_none()
    if value is not None:
        return str(value)
    try:
        with conn.begin_nested():
            conn.execute(
                insert(SECRETS).values(
                    name="signing", value=secrets.token_hex(32), created_at=now_utc()
                )
            )
    except IntegrityError:
        pass  # another process made it first: use theirs
    return str(conn.execute(query).scalar_one())
