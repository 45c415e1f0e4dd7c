"""The distributed mode on RabbitMQ (127.0.0.1:5672, guest/guest), given by URL like a user
would: a scheduler process and two worker processes on `amqp://`, a run delivered and
completed, and a worker killed with kill -9 mid-scan whose run RabbitMQ gives back at once and
another worker completes.

The queue (and the direct exchange Celery declares with the queue's name) is random and deleted
at the end, with whatever is left in it.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator

import pytest

from audits import AuditSettings, RunState
from audits.tasks import make_celery
from scanner.demo.server import LocalWeb
from tests.audits.cluster import (
    BIN,
    RABBITMQ,
    Cluster,
    audit_spec,
    kill_the_worker_mid_scan,
    make_cluster,
    wait_finished,
)
from tests.conftest import require_service

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("celery")]


def queue_state(settings: AuditSettings) -> tuple[int, int]:
    """(messages waiting, consumers) of the cluster's queue, as RabbitMQ counts them."""
    app = make_celery(settings)
    with app.connection_for_write() as conn:
        ok = conn.default_channel.queue_declare(settings.queue, passive=True)
        return int(ok.message_count), int(ok.consumer_count)


def delete_queue(settings: AuditSettings) -> None:
    app = make_celery(settings)
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.queue_delete(settings.queue)
        channel.exchange_delete(settings.queue)


@pytest.fixture(scope="module")
def rabbit(module_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require_service("RabbitMQ", "127.0.0.1", 5672)
    logs = tmp_path_factory.mktemp("celery-rabbitmq-logs")
    c = make_cluster(module_database, logs, RABBITMQ)
    try:
        c.start_worker("w1")
        c.start_worker("w2")
        yield c
    finally:
        c.stop_workers()
        delete_queue(c.settings)


def test_the_scheduler_and_workers_run_an_audit_on_rabbitmq(
    rabbit: Cluster, local_web: LocalWeb
) -> None:
    store = rabbit.store()
    name = store.add(audit_spec(local_web, "www.honest.test")).name
    scheduler = subprocess.Popen(
        [str(BIN), "scheduler", "--broker", RABBITMQ, "--tick", "0.5", "--loglevel", "WARNING"],
        env={k: v for k, v in rabbit.env.items() if k != "COOKIE_AUDIT_BROKER_URL"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        [run] = wait_finished(store, [name], 120, rabbit)
    finally:
        scheduler.send_signal(signal.SIGTERM)
        assert scheduler.wait(timeout=30) == 0
    assert run.state is RunState.SUCCEEDED, run.error
    assert run.attempts == 1 and run.cookies
    assert run.worker is not None
    assert queue_state(rabbit.settings) == (0, 2)  # acknowledged; both workers consume
    store.close()


def test_a_worker_killed_mid_scan_hands_its_run_over_on_rabbitmq(
    rabbit: Cluster, local_web: LocalWeb
) -> None:
    run, victim = kill_the_worker_mid_scan(rabbit, local_web)
    assert run.state is RunState.SUCCEEDED, run.error
    assert run.attempts == 2 and run.worker != victim
    assert queue_state(rabbit.settings) == (0, 1)  # nothing left behind; one worker is left
