"""Celery worker processes for the distributed mode's tests, on Redis or RabbitMQ.

A `Cluster` is a few `cookie-audit worker` processes (one browser each) on one broker, one
random queue and the test module's PostgreSQL database. Starting a worker costs seconds, so a
test module starts its cluster once (a module fixture) and every test of the module shares it.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from audits import AuditSettings, AuditSpec, AuditStore, History, RunState, build_spec
from audits.records import RunInfo
from audits.tasks import dispatch_due, make_celery
from scanner.demo.server import LocalWeb
from tests.audits.tcpproxy import TcpProxy

BIN = Path(sys.executable).parent / "cookie-audit"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


def wait_for(check: Callable[[], object], timeout: float, message: str | Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(message() if callable(message) else message)


@dataclass
class Cluster:
    settings: AuditSettings
    env: dict[str, str]
    logs: Path
    proxy: TcpProxy | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        path = self.logs / f"{name}.log"
        with path.open("wb") as log:
            proc = subprocess.Popen(
                [str(BIN), "worker", "--browsers", "1", "--loglevel", "INFO"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.workers.append(proc)
        wait_for(
            lambda: b"ready." in path.read_bytes(),
            60,
            lambda: f"worker {name} did not start: {path.read_text()[-2000:]}",
        )
        return proc

    def store(self) -> AuditStore:
        return AuditStore.open(self.settings)

    def stop_workers(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def worker_logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.logs.glob("*.log"))
        )


def make_cluster(
    database: str,
    logs: Path,
    broker_url: str,
    *,
    proxy: TcpProxy | None = None,
    broker_prefix: str = "",
) -> Cluster:
    """A cluster's settings and environment (random queue); start its workers with
    `start_worker`, stop them with `stop_workers`."""
    settings = AuditSettings(
        database_url=database,
        broker_url=broker_url,
        broker_prefix=broker_prefix,
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
    return Cluster(settings=settings, env=env, logs=logs, proxy=proxy)


def audit_spec(local_web: LocalWeb, host: str, **extra: object) -> AuditSpec:
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


def wait_finished(
    store: AuditStore, names: list[str], timeout: float, cluster: Cluster | None = None
) -> list[RunInfo]:
    history = History(store.engine)

    def done() -> bool:
        return all((runs := history.runs(n)) and all(r.state.finished for r in runs) for n in names)

    def why() -> str:
        runs = [history.runs(n) for n in names]
        return f"runs not finished: {runs}\n{cluster.worker_logs() if cluster else ''}"

    wait_for(done, timeout, why)
    return [r for n in names for r in history.runs(n)]


def kill_the_worker_mid_scan(cluster: Cluster, local_web: LocalWeb) -> tuple[RunInfo, str]:
    """Queue a run of a slow site, kill -9 the worker that scans it; returns the finished run
    and the worker that was killed."""
    store = cluster.store()
    try:
        app = make_celery(cluster.settings)
        name = store.add(
            audit_spec(local_web, "www.bench.test", max_pages=6, depth=2, phases="none,accept")
        ).name
        assert dispatch_due(store, app)
        history = History(store.engine)
        wait_for(
            lambda: history.runs(name)[0].state is RunState.RUNNING,
            60,
            lambda: f"never started\n{cluster.worker_logs()}",
        )
        victim = history.runs(name)[0].worker
        assert victim is not None
        child = int(victim.rsplit(":", 1)[1])
        parent = int(Path(f"/proc/{child}/stat").read_text().split(")")[1].split()[1])
        assert parent in {p.pid for p in cluster.workers}
        os.kill(parent, signal.SIGKILL)  # the worker itself; its pool child dies with it
        [run] = wait_finished(store, [name], 180, cluster)
        return run, victim
    finally:
        store.close()
