"""A database that is locked or briefly down: the store waits and retries, nothing is lost."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from audits import AuditSettings, AuditStore, StoreUnavailableError, build_spec
from tests.audits.tcpproxy import TcpProxy


def spec(name: str):  # type: ignore[no-untyped-def]
    return build_spec({"name": name, "url": f"https://{name}.test/"})


@pytest.mark.postgres
def test_postgresql_briefly_down_is_retried(pg_url: str) -> None:
    url = make_url(pg_url)
    proxy = TcpProxy(url.port or 5432).start()
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    store = AuditStore.open(AuditSettings(database_url=through, db_retry_s=20))
    store.add(spec("before"))
    proxy.cut()  # PostgreSQL "restarts": connections reset, new ones refused
    threading.Timer(2.0, proxy.restore).start()
    t0 = time.monotonic()
    store.add(spec("during"))  # waits for the database, then succeeds
    assert time.monotonic() - t0 >= 1.5
    assert [a.name for a in store.list_audits()] == ["before", "during"]
    proxy.cut()
    short = AuditStore(store.engine, AuditSettings(database_url=through, db_retry_s=1))
    with pytest.raises(StoreUnavailableError, match="database unavailable for 1 s"):
        short.add(spec("never"))
    proxy.restore()
    assert [a.name for a in store.list_audits()] == ["before", "during"]
    store.close()
    proxy.cut()


def test_sqlite_locked_by_another_writer_is_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    store = AuditStore.open(AuditSettings(database_url=f"sqlite:///{path}", db_retry_s=20))
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    threading.Timer(2.0, lambda: other.execute("COMMIT")).start()
    t0 = time.monotonic()
    store.add(spec("shop"))
    assert time.monotonic() - t0 >= 1.5
    assert [a.name for a in store.list_audits()] == ["shop"]
    other.close()
    store.close()
