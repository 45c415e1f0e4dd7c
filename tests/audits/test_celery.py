"""The distributed mode for real: Celery worker processes on Redis (through a proxy the test
can cut) and on RabbitMQ, schedulers as processes, PostgreSQL, real scans of the fixture web,
and a worker killed with kill -9 mid-scan.

The workers are shared by the tests of this module (starting one costs seconds): two on Redis
and PostgreSQL, each with one browser. Queues, key prefixes and the database are random.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from audits import AuditSettings, AuditStore, History, RunState, build_spec
from audits.db import make_engine, upgrade
from audits.tasks import dispatch_due, make_celery
from scanner.demo.server import LocalWeb
from tests.audits.tcpproxy import TcpProxy
from tests.conftest import require_service

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("celery")]

BIN = Path(sys.executable).parent / "cookie-audit"
SITES = ["www.shop.test", "www.honest.test", "www.nobanner.test", "www.smoke.test"]


@dataclass
class Cluster:
    settings: AuditSettings
    proxy: TcpProxy
    env: dict[str, str]
    logs: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(
        self, name: str, broker: str | None = None, queue: str | None = None
    ) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        args = [str(BIN), "worker", "--browsers", "1", "--loglevel", "INFO"]
        if broker:
            args += ["--broker", broker]
        if queue:
            args += ["--queue", queue]
        proc = subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(proc)
        wait_for(
            lambda: b"ready." in (self.logs / f"{name}.log").read_bytes(),
            60,
            f"worker {name} did not start: {(self.logs / f'{name}.log').read_text()[-2000:]}",
        )
        return proc

    def store(self) -> AuditStore:
        return AuditStore.open(self.settings)


def wait_for(check, timeout: float, message: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(message)


@pytest.fixture(scope="module")
def database(postgres_url: str) -> Iterator[str]:
    base = make_url(postgres_url)
    name = f"cookie_audit_celery_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def cluster(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require_service("Redis", "127.0.0.1", 6379)
    proxy = TcpProxy(6379).start()
    settings = AuditSettings(
        database_url=database,
        broker_url=f"redis://127.0.0.1:{proxy.port}/0",
        broker_prefix=f"cookie-audit-test-{secrets.token_hex(4)}:",
        queue=f"audits-test-{secrets.token_hex(4)}",
        heartbeat_s=2.0,
        visibility_timeout_s=10.0,
        retry_backoff_s=1.0,
        tick_s=1.0,
        browsers=1,
    )
    env = {
        **os.environ,
        "COOKIE_AUDIT_DATABASE_URL": settings.database_url,
        "COOKIE_AUDIT_BROKER_URL": settings.broker_url,
        "COOKIE_AUDIT_BROKER_PREFIX": settings.broker_prefix,
        "COOKIE_AUDIT_QUEUE": settings.queue,
        "COOKIE_AUDIT_HEARTBEAT_S": "2",
        "COOKIE_AUDIT_VISIBILITY_TIMEOUT_S": "10",
        "COOKIE_AUDIT_RETRY_BACKOFF_S": "1",
        "COOKIE_AUDIT_TICK_S": "1",
    }
    logs = tmp_path_factory.mktemp("celery-logs")
    c = Cluster(settings=settings, proxy=proxy, env=env, logs=logs)
    try:
        c.start_worker("w1")
        c.start_worker("w2")
        yield c
    finally:
        for proc in c.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in c.workers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        proxy.cut()
        clean = redis.Redis(host="127.0.0.1", port=6379)
        for key in clean.scan_iter(f"{settings.broker_prefix}*"):
            clean.delete(key)
        clean.close()


def spec(local_web: LocalWeb, host: str, **extra: object):  # type: ignore[no-untyped-def]
    return build_spec(
        {
            "name": f"{host}-{secrets.token_hex(2)}",
            "url": f"https://{host}/",
            "every": "daily",
            "max_pages": 1,
            "depth": 0,
            "phases": "none",
            "resolve": list(local_web.resolve),
            "ignore_https_errors": True,
            **extra,
        }
    )


def wait_finished(store: AuditStore, names: list[str], timeout: float) -> list:  # type: ignore[type-arg]
    history = History(store.engine)

    def done() -> bool:
        return all((runs := history.runs(n)) and all(r.state.finished for r in runs) for n in names)

    wait_for(done, timeout, f"runs not finished: {[history.runs(n) for n in names]}")
    return [r for n in names for r in history.runs(n)]


def test_two_schedulers_queue_each_slot_once(cluster: Cluster, local_web: LocalWeb) -> None:
    store = cluster.store()
    names = [store.add(spec(local_web, host)).name for host in SITES]
    schedulers = [
        subprocess.Popen(
            [str(BIN), "scheduler", "--tick", "0.5", "--loglevel", "WARNING"],
            env=cluster.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        runs = wait_finished(store, names, 180)
    finally:
        for proc in schedulers:
            proc.send_signal(signal.SIGTERM)
        for proc in schedulers:
            proc.wait(timeout=30)
    assert len(runs) == len(SITES)  # one run per audit: the slot ran once
    assert {r.state for r in runs} == {RunState.SUCCEEDED}, [r.error for r in runs]
    assert {r.attempts for r in runs} == {1}  # and was executed once
    assert all(r.slot is not None for r in runs)
    store.close()


def test_redis_down_loses_no_run_and_workers_reconnect(
    cluster: Cluster, local_web: LocalWeb
) -> None:
    store = cluster.store()
    app = make_celery(cluster.settings)
    name = store.add(spec(local_web, "www.shop.test")).name
    cluster.proxy.cut()
    try:
        assert dispatch_due(store, app) == []  # the broker is away: nothing sent ...
        [run] = History(store.engine).runs(name)
        assert run.state is RunState.QUEUED  # ... and nothing lost
        time.sleep(2)  # the workers notice
    finally:
        cluster.proxy.restore()
    wait_for(lambda: dispatch_due(store, app) != [], 30, "the run was never sent")
    [run] = wait_finished(store, [name], 120)
    assert run.state is RunState.SUCCEEDED and run.attempts == 1
    store.close()


def test_a_worker_killed_mid_scan_hands_its_run_over(cluster: Cluster, local_web: LocalWeb) -> None:
    store = cluster.store()
    app = make_celery(cluster.settings)
    name = store.add(
        spec(local_web, "www.bench.test", max_pages=6, depth=2, phases="none,accept")
    ).name
    assert dispatch_due(store, app)
    history = History(store.engine)
    wait_for(lambda: history.runs(name)[0].state is RunState.RUNNING, 60, "never started")
    victim = history.runs(name)[0].worker
    assert victim is not None
    child = int(victim.rsplit(":", 1)[1])
    parent = int(Path(f"/proc/{child}/stat").read_text().split(")")[1].split()[1])
    os.kill(parent, signal.SIGKILL)  # the worker itself; its pool child dies with it
    [run] = wait_finished(store, [name], 180)
    assert run.state is RunState.SUCCEEDED, run.error
    assert run.attempts == 2 and run.worker != victim
    store.close()
