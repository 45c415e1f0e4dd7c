"""The distributed mode for real on Redis: Celery worker processes (reaching Redis through a
proxy the test can cut), schedulers as processes, PostgreSQL, real scans of the fixture web,
and a worker killed with kill -9 mid-scan. RabbitMQ: test_celery_rabbitmq.py.

The two workers (one browser each) are shared by the tests of this module. Queue, key prefix
and database are random, and the keys are deleted at the end.
"""

from __future__ import annotations

import secrets
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis

from audits import History, RunState
from audits.tasks import dispatch_due, make_celery
from scanner.demo.server import LocalWeb
from tests.audits.cluster import (
    BIN,
    Cluster,
    audit_spec,
    kill_the_worker_mid_scan,
    make_cluster,
    wait_finished,
    wait_for,
)
from tests.audits.tcpproxy import TcpProxy
from tests.conftest import require_service

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("celery")]

SITES = ["www.shop.test", "www.honest.test", "www.nobanner.test", "www.smoke.test"]


@pytest.fixture(scope="module")
def cluster(module_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two workers on Redis, reached through a proxy the tests can cut."""
    require_service("Redis", "127.0.0.1", 6379)
    proxy = TcpProxy(6379).start()
    prefix = f"cookie-audit-test-{secrets.token_hex(4)}:"
    logs = tmp_path_factory.mktemp("celery-redis-logs")
    c = make_cluster(
        module_database,
        logs,
        f"redis://127.0.0.1:{proxy.port}/0",
        proxy=proxy,
        broker_prefix=prefix,
    )
    try:
        c.start_worker("w1")
        c.start_worker("w2")
        yield c
    finally:
        c.stop_workers()
        proxy.cut()
        clean = redis.Redis(host="127.0.0.1", port=6379)
        for key in clean.scan_iter(f"{prefix}*"):
            clean.delete(key)
        clean.close()


def test_two_schedulers_queue_each_slot_once(cluster: Cluster, local_web: LocalWeb) -> None:
    store = cluster.store()
    names = [store.add(audit_spec(local_web, host)).name for host in SITES]
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
        runs = wait_finished(store, names, 180, cluster)
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
    assert cluster.proxy is not None
    store = cluster.store()
    app = make_celery(cluster.settings)
    name = store.add(audit_spec(local_web, "www.shop.test")).name
    cluster.proxy.cut()
    try:
        assert dispatch_due(store, app) == []  # the broker is away: nothing sent ...
        [run] = History(store.engine).runs(name)
        assert run.state is RunState.QUEUED  # ... and nothing lost
        time.sleep(2)  # the workers notice
    finally:
        cluster.proxy.restore()
    wait_for(lambda: dispatch_due(store, app) != [], 30, "the run was never sent")
    [run] = wait_finished(store, [name], 120, cluster)
    assert run.state is RunState.SUCCEEDED and run.attempts == 1
    store.close()


def test_a_worker_killed_mid_scan_hands_its_run_over(cluster: Cluster, local_web: LocalWeb) -> None:
    run, victim = kill_the_worker_mid_scan(cluster, local_web)
    assert run.state is RunState.SUCCEEDED, run.error
    assert run.attempts == 2 and run.worker != victim
