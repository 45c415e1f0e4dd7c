"""Audits: machinery overhead, throughput, scheduling and trend reads.

`python -m benchmarks audits [--rounds R] [--sites N] [--audits N] [--skip-workers]`

1. overhead: an audit run of www.bench.test (`Runner.execute`: claim, heartbeat, scan, store
   the compressed document, counts and findings, compare, alert decision) against a bare
   `cookie-audit scan` of the same site (`scan_site`: scan, write scan.json and report.html),
   alternated, median of R rounds each, as a ratio;
2. throughput: site-audits per hour of N fixture sites, embedded (one process, 1 browser), one
   Celery worker and two Celery workers (1 browser each; Redis, random queue);
3. scheduling: with 10,000 registered audits, `enqueue_due` + sending the due runs to Redis,
   when 1,000 are due and when all 10,000 are (the first tick after registering them);
4. trend: `History.trend` of one audit over 365 runs, median of 50 reads.

Everything targets loopback; SQLite files live in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, select, update

from audits import AuditSettings, AuditStore, History, RunState, build_spec
from audits.models import AuditRow
from audits.runner import Runner
from audits.tasks import dispatch_due, make_celery
from scanner.config import ScanSettings
from scanner.demo.server import LocalWeb
from tests.fixtureweb import all_sites
from tests.reports.sample_scans import make_scan

SITES = [
    "www.bench.test",
    "www.shop.test",
    "www.honest.test",
    "www.nobanner.test",
    "www.smoke.test",
    "www.generic-fr.test",
    "www.in2cloud.test",
    "www.hostile.test",
]


def _spec(web: LocalWeb, host: str, name: str, pages: int = 5) -> object:
    return build_spec(
        {
            "name": name,
            "url": f"https://{host}/",
            "every": "daily",
            "max_pages": pages,
            "resolve": list(web.resolve),
            "ignore_https_errors": True,
            "timeout": 600,
        }
    )


def overhead(web: LocalWeb, rounds: int, tmp: Path) -> None:
    from playwright.async_api import async_playwright

    from scanner.pipeline import scan_site

    store = AuditStore.open(AuditSettings(database_url=f"sqlite:///{tmp / 'o.db'}"))
    store.add(_spec(web, "www.bench.test", "bench"))  # type: ignore[arg-type]
    runner = Runner(store)
    settings = ScanSettings(
        urls=("https://www.bench.test/",),
        max_pages=5,
        resolve=web.resolve,
        ignore_https_errors=True,
        out_dir=tmp / "bare",
        scan_timeout=480,
        executable=os.environ.get("COOKIE_AUDIT_CHROMIUM") or None,
    )

    async def bare() -> None:
        async with async_playwright() as pw:
            await scan_site(pw, settings, settings.urls[0], settings.out_dir)

    audit_s, bare_s = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        asyncio.run(bare())
        bare_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        result = runner.execute(store.create_run("bench").id)
        audit_s.append(time.perf_counter() - t0)
        assert result.run is not None and result.run.state is RunState.SUCCEEDED
    a, b = statistics.median(audit_s), statistics.median(bare_s)
    print(
        f"overhead: audit run {a:.2f} s, bare scan {b:.2f} s (medians of {rounds}), "
        f"ratio {a / b:.3f}  [audit {', '.join(f'{x:.1f}' for x in audit_s)}; "
        f"bare {', '.join(f'{x:.1f}' for x in bare_s)}]"
    )
    store.close()


def throughput(web: LocalWeb, sites: int, tmp: Path, workers: bool) -> None:
    from audits.embedded import run_due

    hosts = SITES[:sites]
    store = AuditStore.open(AuditSettings(database_url=f"sqlite:///{tmp / 't.db'}", browsers=1))
    for host in hosts:
        store.add(_spec(web, host, f"e-{host}", pages=3))  # type: ignore[arg-type]
    t0 = time.perf_counter()
    results = run_due(Runner(store), browsers=1)
    elapsed = time.perf_counter() - t0
    ok = sum(1 for r in results if r.run and r.run.state is RunState.SUCCEEDED)
    print(
        f"throughput embedded (1 browser): {ok} audits in {elapsed:.1f} s = "
        f"{ok * 3600 / elapsed:.0f} site-audits/hour"
    )
    store.close()
    if not workers:
        return
    for count in (1, 2):
        _celery_throughput(web, hosts, tmp, count)


def _celery_throughput(web: LocalWeb, hosts: list[str], tmp: Path, count: int) -> None:
    db = tmp / f"w{count}.db"
    settings = AuditSettings(
        database_url=f"sqlite:///{db}",
        browsers=1,
        queue=f"bench-{secrets.token_hex(4)}",
        broker_prefix=f"bench-{secrets.token_hex(4)}:",
    )
    store = AuditStore.open(settings)
    names = [store.add(_spec(web, h, f"w-{h}", pages=3)).name for h in hosts]  # type: ignore[arg-type]
    env = {
        **os.environ,
        "COOKIE_AUDIT_DATABASE_URL": settings.database_url,
        "COOKIE_AUDIT_QUEUE": settings.queue,
        "COOKIE_AUDIT_BROKER_PREFIX": settings.broker_prefix,
    }
    cli = str(Path(sys.executable).parent / "cookie-audit")
    logs = [tmp / f"w{count}-{i}.log" for i in range(count)]
    procs = [
        subprocess.Popen(
            [cli, "worker", "--browsers", "1", "--loglevel", "INFO"],
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    try:
        while not all(b"ready." in log.read_bytes() for log in logs):
            time.sleep(0.2)
        t0 = time.perf_counter()
        dispatch_due(store, make_celery(settings))
        history = History(store.engine)
        while not all((r := history.runs(n)) and r[0].state.finished for n in names):
            time.sleep(0.2)
        elapsed = time.perf_counter() - t0
        ok = sum(1 for n in names if history.runs(n)[0].state is RunState.SUCCEEDED)
        print(
            f"throughput {count} Celery worker(s) (1 browser each): {ok} audits in "
            f"{elapsed:.1f} s = {ok * 3600 / elapsed:.0f} site-audits/hour"
        )
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
        store.close()


def scheduling(audits: int, tmp: Path) -> None:
    import redis

    settings = AuditSettings(
        database_url=f"sqlite:///{tmp / 's.db'}",
        queue=f"bench-{secrets.token_hex(4)}",
        broker_prefix=f"bench-{secrets.token_hex(4)}:",
    )
    store = AuditStore.open(settings)
    now = datetime.now(UTC)
    specs = [
        build_spec({"name": f"site-{i:05d}", "url": f"https://site-{i}.example/", "every": "daily"})
        for i in range(audits)
    ]
    t0 = time.perf_counter()
    store.apply(specs)
    print(
        f"scheduling: {audits:,} audits registered (audit apply) in "
        f"{time.perf_counter() - t0:.2f} s"
    )
    app = make_celery(settings)
    app.send_task("audits.noop", queue=settings.queue)  # open the broker connection first
    # 1,000 due: the others are moved a day ahead, then put back on their own slots
    with store.engine.begin() as conn:
        slots = dict(conn.execute(select(AuditRow.id, AuditRow.next_due_at)).all())
        conn.execute(
            update(AuditRow)
            .where(AuditRow.id > audits // 10)
            .values(next_due_at=now + timedelta(days=1))
        )
    for label in (f"{audits // 10:,} due", f"{audits - audits // 10:,} due"):
        t0, c0 = time.perf_counter(), time.process_time()
        ids = store.enqueue_due()
        t1, c1 = time.perf_counter(), time.process_time()
        sent = dispatch_due(store, app)
        t2, c2 = time.perf_counter(), time.process_time()
        print(
            f"scheduling: {label} of {audits:,}: {len(ids):,} runs found and queued in the "
            f"database in {t1 - t0:.3f} s (CPU {c1 - c0:.3f} s), sent to Redis in "
            f"{t2 - t1:.3f} s (CPU {c2 - c1:.3f} s, {len(sent):,} messages), load {_load()}"
        )
        if label.startswith(f"{audits // 10:,} "):
            one_by_one(app, sent, settings.queue + "-unbatched")
        with store.engine.begin() as conn:
            conn.execute(
                update(AuditRow)
                .where(AuditRow.id == bindparam("b_id"))
                .values(next_due_at=bindparam("b_due")),
                [{"b_id": i, "b_due": slots[i]} for i in slots if i > audits // 10],
            )
    client = redis.Redis()
    for key in client.scan_iter(f"{settings.broker_prefix}*"):
        client.delete(key)
    store.close()


def one_by_one(app: object, run_ids: list[int], queue: str) -> None:
    """The same messages sent one round trip each (the scheduler before it used kombu's
    publish batches), to a queue of their own, for the ratio in the same conditions."""
    from celery import Celery

    from audits.tasks import RUN_TASK

    assert isinstance(app, Celery)
    t0, c0 = time.perf_counter(), time.process_time()
    with app.producer_or_acquire() as producer:
        for run_id in run_ids:
            app.send_task(RUN_TASK, args=(run_id,), queue=queue, producer=producer)
    print(
        f"scheduling: the same {len(run_ids):,} messages one round trip each: "
        f"{time.perf_counter() - t0:.3f} s (CPU {time.process_time() - c0:.3f} s), "
        f"load {_load()}"
    )


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def trend(tmp: Path) -> None:
    store = AuditStore.open(AuditSettings(database_url=f"sqlite:///{tmp / 'h.db'}"))
    scan = make_scan()
    store.add(build_spec({"name": "shop", "url": scan.target}))
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    for day in range(365):
        run = store.create_run("shop", now=t0 + timedelta(days=day))
        claim = store.claim(run.id, "bench", now=t0 + timedelta(days=day))
        assert claim.run is not None
        store.finish(claim.run, scan, now=t0 + timedelta(days=day, seconds=40))
    history = History(store.engine)
    times = []
    for _ in range(50):
        start = time.perf_counter()
        points = history.trend("shop", limit=365)
        times.append(time.perf_counter() - start)
    assert len(points) == 365
    print(
        f"trend: 365 runs of one audit read in {statistics.median(times) * 1000:.1f} ms "
        f"(median of 50; p90 {sorted(times)[44] * 1000:.1f} ms)"
    )
    store.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks audits")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sites", type=int, default=4)
    parser.add_argument("--audits", type=int, default=10_000)
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--only", choices=["overhead", "throughput", "scheduling", "trend"])
    args = parser.parse_args(argv)
    print(
        f"load: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-audits-") as name:
        tmp = Path(name)
        if args.only in (None, "trend"):
            trend(tmp)
        if args.only in (None, "scheduling"):
            scheduling(args.audits, tmp)
        if args.only in (None, "overhead", "throughput"):
            with LocalWeb(all_sites()) as web:
                if args.only in (None, "overhead"):
                    overhead(web, args.rounds, tmp)
                if args.only in (None, "throughput"):
                    throughput(web, args.sites, tmp, not args.skip_workers)
    return 0
