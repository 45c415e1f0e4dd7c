"""Server time of the dashboard's pages (Flask test client, in process: no network).

- overview: 500 audited sites x 52 succeeded runs each (every site linked to a consent site
  with records), SQLite;
- a site page with 365 runs (timeline, runs list, latest scan's findings and cookies), SQLite;
- consent statistics over 1,000,000 ledger records of one site on PostgreSQL (365 days, two
  banner revisions, three languages): the page when the rollup is current (plus 1,000 records
  that arrived since the last view), the first view that builds the rollup, and the direct
  ``GROUP BY`` over the ledger the rollup replaces.

History rows are inserted directly (what the audits' store writes, summaries included, without
scanning 26,000 times); ledger records get placeholder hashes (statistics never read them).

    python -m benchmarks dashboard [--rounds N] [--no-postgres]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, create_engine, insert, text
from sqlalchemy.engine import make_url

from audits.models import AuditRow, DocumentRow, RunCountRow, RunRow
from audits.summary import refresh as refresh_summary
from consent_api.sites import create_site
from dashboard import accounts, create_app
from dashboard.accounts import Role
from database import write_transaction
from tests.reports.sample_scans import shop_scan

PASSWORD = "benchmark password 1"
CATEGORIES = ("technical", "session", "analytics", "google_analytics", "tracking")
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


CPU: list[float] = []


def timed(fn: Callable[[], Any], rounds: int) -> tuple[float, float]:
    """(median, max) wall time of ``rounds`` calls in milliseconds, after two warm-up calls;
    the median CPU time of this process per call is kept in ``CPU`` (on a machine shared by
    many jobs the wall time mostly measures waiting for a core)."""
    for _ in range(2):
        fn()
    times, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    CPU.append(statistics.median(cpu))
    return statistics.median(times), max(times)


def signed_in(app: Any) -> Any:
    client = app.test_client()
    page = client.get("/dashboard/login", base_url="https://bench.test").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/dashboard/login",
        data={"username": "bench", "password": PASSWORD, "csrf_token": token},
        base_url="https://bench.test",
        headers={"Referer": "https://bench.test/dashboard/login"},
    )
    assert response.status_code == 303, response.status_code
    return client


def get(client: Any, path: str) -> Callable[[], None]:
    def call() -> None:
        response = client.get("/dashboard" + path, base_url="https://bench.test")
        assert response.status_code == 200, (path, response.status_code)

    return call


def seed_runs(conn: Any, audit_id: int, n: int, rng: random.Random) -> None:
    runs, counts = [], []
    for number in range(1, n + 1):
        moment = NOW - timedelta(days=7 * (n - number))
        sev = {s: rng.randint(0, 2) for s in ("critical", "high", "medium", "low", "info")}
        runs.append(
            {
                "audit_id": audit_id,
                "number": number,
                "trigger": "schedule",
                "slot": moment,
                "state": "succeeded",
                "queued_at": moment,
                "started_at": moment,
                "finished_at": moment + timedelta(seconds=40),
                "duration_s": 40.0,
                "attempts": 1,
                "scan_status": "complete",
                "pages_visited": 60,
                "pages_skipped": 0,
                "cookies": 25,
                "third_party_hosts": 8,
                **{f"findings_{s}": v for s, v in sev.items()},
            }
        )
    conn.execute(insert(RunRow), runs)
    ids = conn.execute(
        text("SELECT id FROM audit_runs WHERE audit_id = :a ORDER BY number"), {"a": audit_id}
    ).scalars()
    for run_id in ids:
        for phase in ("none", "reject", "accept"):
            for category in CATEGORIES:
                counts.append(
                    {
                        "run_id": run_id,
                        "phase": phase,
                        "category": category,
                        "cookies": rng.randint(0, 6),
                    }
                )
    conn.execute(insert(RunCountRow), counts)
    conn.execute(text("UPDATE audits SET run_count = :n WHERE id = :a"), {"n": n, "a": audit_id})
    refresh_summary(conn, audit_id)  # what the store does when a run finishes


def seed_audit(conn: Any, name: str, consent_site: str | None) -> int:
    spec = {"name": name, "url": f"https://www.{name}.test/", "every": "weekly"}
    if consent_site:
        spec["consent_site"] = consent_site
    result = conn.execute(
        insert(AuditRow).values(
            name=name,
            url=spec["url"],
            host=f"www.{name}.test",
            spec=json.dumps(spec),
            cron="0 6 * * 1",
            paused=False,
            removed=False,
            next_due_at=NOW + timedelta(days=7),
            run_count=0,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    return int(result.inserted_primary_key[0])


def ledger_rows(
    site_id: int, n: int, rng: random.Random, days: int, first_seq: int = 1
) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        action = rng.choice(("accept_all", "accept_all", "reject_all", "custom", "withdraw", "gpc"))
        granted = action == "accept_all" or (action == "custom" and rng.random() < 0.5)
        moment = NOW - timedelta(seconds=rng.randint(0, days * 86400))
        rows.append(
            {
                "site_id": site_id,
                "seq": first_seq + i,
                "consent_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "recorded_at": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "choices": json.dumps({"analytics": granted, "marketing": action == "accept_all"}),
                "action": action,
                "policy_version": rng.choice(("1", "2")),
                "banner_revision": rng.choice((1, 2)),
                "language": rng.choice(("fr-FR", "en", "de")),
                "page_url": None,
                "user_agent": None,
                "gpc": action == "gpc",
                "ip": None,
                "client_ts": None,
                "prev_hash": "0" * 64,
                "hash": hashlib.sha256(str(i).encode()).hexdigest(),
            }
        )
    return rows


def make(url: str) -> Any:
    # no checkpoint signer thread: its chain verifications (placeholder hashes here) would run
    # in this process during the measured requests
    config = {"DATABASE_URL": url, "RATELIMIT_ENABLED": False, "CHECKPOINT_INTERVAL_SECONDS": 0}
    app = create_app(config)
    with write_transaction(app.extensions["consent_api"].engine) as conn:
        accounts.add_user(conn, "bench", PASSWORD, Role.VIEWER)
    return app


def sqlite_pages(rounds: int) -> None:
    rng = random.Random(1)
    folder = Path(tempfile.mkdtemp(prefix="dash-bench-"))
    app = make(f"sqlite:///{folder / 'bench.db'}")
    engine = app.extensions["consent_api"].engine
    started = time.perf_counter()
    with write_transaction(engine) as conn:
        for i in range(500):
            site = create_site(conn, {"name": f"site{i}", "origins": [f"https://www.site{i}.test"]})
            audit_id = seed_audit(conn, f"site{i:03d}", site.site_key)
            seed_runs(conn, audit_id, 52, rng)
            conn.execute(insert(RecordTable), ledger_rows(site.id, 20, rng, 30))
            conn.execute(text("UPDATE sites SET head_seq = 20 WHERE id = :i"), {"i": site.id})
        big = seed_audit(conn, "big", None)
        seed_runs(conn, big, 365, rng)
        last = conn.execute(
            text("SELECT id FROM audit_runs WHERE audit_id = :a ORDER BY number DESC LIMIT 1"),
            {"a": big},
        ).scalar_one()
        raw = shop_scan().model_dump_json().encode()
        conn.execute(
            insert(DocumentRow).values(
                run_id=last,
                sha256=hashlib.sha256(raw).hexdigest(),
                size=len(raw),
                gzip=gzip.compress(raw, mtime=0),
            )
        )
    print(f"seeded 500 sites x 52 runs + 365 runs in {time.perf_counter() - started:.1f} s")
    client = signed_in(app)
    median, worst = timed(get(client, "/"), rounds)
    print(
        f"| overview, 500 sites x 52 runs (SQLite) | {median:.0f} | {worst:.0f}"
        f" | {CPU[-1]:.0f} | < 200 |"
    )
    median, worst = timed(get(client, "/sites/big"), rounds)
    print(f"| site page, 365 runs (SQLite) | {median:.0f} | {worst:.0f} | {CPU[-1]:.0f} | < 150 |")
    engine.dispose()


def postgres_stats(rounds: int, base_url: str) -> None:
    import secrets

    rng = random.Random(2)
    base = make_url(base_url)
    name = f"dash_bench_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = base.set(database=name).render_as_string(hide_password=False)
        app = make(url)
        engine = app.extensions["consent_api"].engine
        with write_transaction(engine) as conn:
            site = create_site(conn, {"name": "big", "origins": ["https://www.big.test"]})
        started = time.perf_counter()
        total = 1_000_000
        columns = list(ledger_rows(site.id, 1, rng, 1)[0])
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for offset in range(0, total, 100_000):
                buffer = io.StringIO()
                for row in ledger_rows(site.id, 100_000, rng, 365, first_seq=offset + 1):
                    buffer.write(
                        "\t".join("\\N" if row[c] is None else str(row[c]) for c in columns) + "\n"
                    )
                buffer.seek(0)
                with cursor.copy(f"COPY consent_records ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write(buffer.read())
            cursor.execute("UPDATE sites SET head_seq = %s WHERE id = %s", (total, site.id))
            raw.commit()
            cursor.execute("ANALYZE consent_records")
            raw.commit()
        finally:
            raw.close()
        print(f"seeded {total:,} ledger records in {time.perf_counter() - started:.1f} s")
        frm = (NOW - timedelta(days=364)).date().isoformat()
        to = NOW.date().isoformat()
        direct = text(
            "SELECT substr(recorded_at, 1, 10), action, choices, banner_revision, policy_version,"
            " coalesce(language, ''), count(*) FROM consent_records WHERE site_id = :s"
            " GROUP BY 1, 2, 3, 4, 5, 6"
        )

        def group_by() -> None:
            with engine.connect() as conn:
                conn.execute(direct, {"s": site.id}).all()

        median, worst = timed(group_by, max(3, rounds // 4))
        print(
            f"| direct GROUP BY over 1,000,000 records (PostgreSQL) | {median:.0f} | {worst:.0f}"
            " | (in PostgreSQL) | (replaced) |"
        )
        from dashboard import consent_stats

        start = time.perf_counter()
        with write_transaction(engine) as conn:
            consent_stats.refresh(conn, site.id)
        built = (time.perf_counter() - start) * 1000
        print(f"| first view: rollup built from 1,000,000 records (once) | {built:.0f} | | | |")
        client = signed_in(app)
        page = f"/consent/{site.site_key}?from={frm}&to={to}"
        seq = [total]

        def view_with_new_records() -> None:
            with write_transaction(engine) as conn:
                rows = ledger_rows(site.id, 1000, rng, 1, first_seq=seq[0] + 1)
                conn.execute(insert(RecordTable), rows)
                seq[0] += 1000
                conn.execute(
                    text("UPDATE sites SET head_seq = :h WHERE id = :i"),
                    {"h": seq[0], "i": site.id},
                )
            get(client, page)()

        def append_only() -> None:
            with write_transaction(engine) as conn:
                rows = ledger_rows(site.id, 1000, rng, 1, first_seq=seq[0] + 1)
                conn.execute(insert(RecordTable), rows)
                seq[0] += 1000
                conn.execute(
                    text("UPDATE sites SET head_seq = :h WHERE id = :i"),
                    {"h": seq[0], "i": site.id},
                )

        median, worst = timed(get(client, page), rounds)
        print(
            f"| statistics page, 365 days, rollup current (PostgreSQL) | {median:.0f}"
            f" | {worst:.0f} | {CPU[-1]:.0f} | < 500 |"
        )
        append, _ = timed(append_only, max(3, rounds // 4))
        median, worst = timed(view_with_new_records, max(3, rounds // 4))
        print(
            f"| statistics page after 1,000 new records (PostgreSQL; the insert itself, "
            f"{append:.0f} ms, subtracted) | {median - append:.0f} | {worst - append:.0f} | |"
            " < 500 |"
        )
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


from consent_api.models import ConsentRecord  # noqa: E402

# a declarative class's __table__ is typed FromClause; it is a Table, as consent_api.chain casts it
RecordTable = cast(Table, ConsentRecord.__table__)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks dashboard")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    print(f"load average: {os.getloadavg()[0]:.1f}")
    print(
        "| page | median ms | max ms | CPU ms (median) | goal ms |\n"
        "| --- | ---: | ---: | ---: | ---: |"
    )
    sqlite_pages(args.rounds)
    if not args.no_postgres:
        url = os.environ.get(
            "COOKIE_AUDIT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
        postgres_stats(args.rounds, url)
    print(f"load average: {os.getloadavg()[0]:.1f}")
    return 0
