"""SQLite's write-ahead log stays bounded under sustained writes with concurrent readers."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from database import DatabaseSettings, make_engine, write_transaction


def test_wal_is_truncated_past_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    engine = make_engine(DatabaseSettings(f"sqlite:///{path}", wal_limit_mb=1))
    wal = Path(f"{path}-wal")
    with write_transaction(engine) as conn:
        conn.execute(text("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)"))
    stop = threading.Event()
    sizes: list[int] = []

    def read_forever() -> None:  # readers hold snapshots that keep a PASSIVE checkpoint short
        while not stop.is_set():
            with engine.connect() as conn:
                conn.execute(text("SELECT count(*) FROM blobs")).scalar_one()

    def watch() -> None:
        while not stop.is_set():
            sizes.append(wal.stat().st_size if wal.exists() else 0)
            time.sleep(0.02)

    threads = [threading.Thread(target=read_forever), threading.Thread(target=watch)]
    for thread in threads:
        thread.start()
    written = 0
    try:
        while written < 10 * 1024 * 1024:  # an amount, not a time: the machine may be loaded
            with write_transaction(engine) as conn:
                conn.execute(text("INSERT INTO blobs (data) VALUES (randomblob(16384))"))
            written += 16384
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    # Bounded while writing: past twice the limit the writer that committed truncates the log
    # itself, whether or not the background checkpointer got the CPU.
    assert max(sizes) < 3 * 1024 * 1024 < written, (max(sizes), sizes[::10], written)
    deadline = time.monotonic() + 5
    while wal.stat().st_size > 1024 * 1024 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert wal.stat().st_size <= 1024 * 1024
    engine.dispose()
