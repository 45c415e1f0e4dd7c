"""A hot path's statement run through libpq (``database.PreparedStatement``), on a real server:
values in and out as text, psycopg's own errors, a lost connection told as one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import make_url

from database import PreparedStatement

pytestmark = pytest.mark.postgres

ECHO = PreparedStatement(
    "test_echo",
    "SELECT $1::integer + 1, $2::boolean, NOT $3::boolean, $4::text, $5::text IS NULL, $6::float8",
)


def _connect(url: str) -> Any:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True)


@pytest.fixture
def connection(postgres_url: str) -> Iterator[Any]:
    with _connect(postgres_url) as connection:
        yield connection


def test_values_go_in_and_come_out_as_text(connection: Any) -> None:
    text = "café ‘quoted’ 'x'); DROP TABLE y; -- \\ 🍪"
    assert ECHO.first_row(connection, (41, True, False, text, None, 0.5)) == [
        "42",
        "t",
        "t",
        text,
        "t",
        "0.5",
    ]
    # prepared once per connection: the second run reuses it, with other values
    again = ECHO.first_row(connection, (-2, False, True, "", "x", 2))
    assert again[:5] == ["-1", "f", "f", "", "f"]


def test_each_connection_prepares_it_for_itself(postgres_url: str) -> None:
    for _ in range(2):  # a new connection (as after a lost one) has nothing prepared
        with _connect(postgres_url) as connection:
            assert ECHO.first_row(connection, (1, True, True, "a", None, 1))[0] == "2"


def test_no_row_is_an_empty_list(connection: Any) -> None:
    statement = PreparedStatement("test_none", "SELECT 1 WHERE $1::integer < 0")
    assert statement.first_row(connection, (1,)) == []


def test_a_failing_statement_raises_psycopgs_error_and_the_connection_goes_on(
    connection: Any,
) -> None:
    divide = PreparedStatement("test_divide", "SELECT 1 / $1::integer")
    with pytest.raises(psycopg.errors.DivisionByZero):
        divide.first_row(connection, (0,))
    assert divide.first_row(connection, (1,)) == ["1"]
    with pytest.raises(psycopg.errors.UndefinedFunction):
        PreparedStatement("test_missing", "SELECT no_such_function()").first_row(connection)


def test_a_value_without_a_text_form_is_refused(connection: Any) -> None:
    with pytest.raises(TypeError, match="bytes"):
        ECHO.first_row(connection, (1, True, True, b"raw", None, 1))
    # libpq reads a text parameter up to its first NUL: refused as psycopg refuses it
    with pytest.raises(psycopg.DataError, match="NUL"):
        ECHO.first_row(connection, (1, True, True, "before\x00after", None, 1))
    assert ECHO.first_row(connection, (1, True, True, "after", None, 1))[3] == "after"


def test_a_lost_connection_raises_operational_error(postgres_url: str, connection: Any) -> None:
    """What ``database.postgres_autocommit`` drops a connection on (and the apps answer 503)."""
    assert ECHO.first_row(connection, (1, True, True, "a", None, 1))[0] == "2"
    with _connect(postgres_url) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (connection.info.backend_pid,))
    with pytest.raises(psycopg.OperationalError):
        ECHO.first_row(connection, (1, True, True, "a", None, 1))
    assert connection.closed
