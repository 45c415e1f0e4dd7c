"""A PostgreSQL statement of a hot path, prepared once per connection and run through libpq.

psycopg's cursor layer (a cursor per call, its prepare manager, a dumper per parameter, a loader
per column) cost about 60 µs of Python per consent append, two statements, on these machines,
more than the rest of the append's client side together (``benchmarks/consent_api.py``: the
server's CPU per stored consent 0.75-0.79 ms through cursors, 0.66-0.67 ms this way). The
statement's text and parameters are the caller's constants and values, sent apart (never
spliced into SQL); parameters and results travel as text, as psql would type them; errors are
psycopg's own exceptions (a lost connection raises ``psycopg.OperationalError``, which
:func:`database.postgres_autocommit` answers by dropping the connection).

libpq releases the GIL while it waits for the server (other threads of a worker go on).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any


def _text(value: object, encoding: str) -> bytes | None:
    if value is None:
        return None
    if value is True:
        return b"t"
    if value is False:
        return b"f"
    if isinstance(value, int | float):
        return str(value).encode()
    if isinstance(value, str):
        if "\x00" in value:  # libpq would cut a text parameter there, silently
            import psycopg

            raise psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        return value.encode(encoding)
    raise TypeError(f"no text form for a parameter of type {type(value).__name__}")


class PreparedStatement:
    """``sql`` with ``$1``... placeholders, prepared as ``name`` on each connection that runs it
    (psycopg connections, in autocommit: each run is its own transaction)."""

    def __init__(self, name: str, sql: str) -> None:
        self.name = name.encode()
        self.sql = sql
        #: the connections it is prepared on, with their encoding
        self._prepared: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()

    def first_row(self, connection: Any, params: Sequence[object] = ()) -> list[str | None]:
        """Run the statement and return its first row, each value as text (None for NULL);
        an empty list when it returns no row."""
        from psycopg import pq

        encoding = self._prepared.get(connection)
        pgconn = connection.pgconn
        if encoding is None:
            encoding = connection.info.encoding
            result = pgconn.prepare(self.name, self.sql.encode(encoding))
            if result.status != pq.ExecStatus.COMMAND_OK:
                raise _error(pgconn, result, encoding)
            self._prepared[connection] = encoding
        result = pgconn.exec_prepared(self.name, [_text(v, encoding) for v in params])
        if result.status != pq.ExecStatus.TUPLES_OK:
            raise _error(pgconn, result, encoding)
        if not result.ntuples:
            return []
        values = [result.get_value(0, column) for column in range(result.nfields)]
        return [None if v is None else v.decode(encoding) for v in values]


def _error(pgconn: Any, result: Any, encoding: str) -> Exception:
    import psycopg
    from psycopg import pq

    if pgconn.status != pq.ConnStatus.OK:  # terminated, restarted, network gone
        message = result.get_error_message(encoding).strip()
        return psycopg.OperationalError(message or "the connection to PostgreSQL was lost")
    return psycopg.errors.error_from_result(result, encoding)
