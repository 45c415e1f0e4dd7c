"""The distributed mode: Celery tasks that wrap the runner, and the scheduler.

    cookie-audit worker      a Celery worker (Redis by default, RabbitMQ by amqp:// URL)
    cookie-audit scheduler   Celery beat with `AuditScheduler`: every `tick_s` it queues the
                             due slots in the database and sends one `audits.run` per run

The tasks are thin wrappers: `audits.run` is `Runner.execute`, and its BUSY / RETRY answers
become Celery retries with a countdown. Messages are acknowledged late and given back when a
worker dies (`task_acks_late`, `task_reject_on_worker_lost`): a worker killed with kill -9
mid-scan has its run delivered again (at once on RabbitMQ, after the visibility timeout on
Redis), and the next worker takes the run over once its heartbeat has stopped. A run is never
executed twice: the claim in the database decides, whatever the broker delivers.

Redis down: workers reconnect by themselves (Celery retries the connection for ever); the
scheduler's sends fail, the runs stay in the database as not dispatched and are sent at the
first tick that reaches the broker again; `audit run --due` needs no broker at all.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from celery import Celery
from celery.beat import Scheduler

from audits.errors import StoreUnavailableError
from audits.runner import Outcome, Runner
from audits.settings import AuditSettings, load_settings
from audits.store import AuditStore

log = logging.getLogger("cookie_audit.audits")

RUN_TASK = "audits.run"
TICK_TASK = "audits.tick"


def celery_config(settings: AuditSettings) -> dict[str, Any]:
    transport: dict[str, Any] = {
        "visibility_timeout": settings.visibility_timeout_s,
        "unacked_restore_interval": max(1.0, min(10.0, settings.visibility_timeout_s / 2)),
        "unacked_restore_throttle": 1,
        # a worker killed while it held the restore mutex must not stop every other worker
        # from restoring messages for kombu's default of 5 minutes
        "unacked_mutex_expire": int(max(5.0, min(60.0, settings.visibility_timeout_s / 2))),
    }
    if settings.broker_prefix:
        transport["global_keyprefix"] = settings.broker_prefix
    return {
        "broker_url": settings.broker_url,
        "broker_transport_options": transport,
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "task_default_queue": settings.queue,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_ignore_result": True,
        "worker_prefetch_multiplier": 1,
        "worker_concurrency": settings.browsers,
        "worker_hijack_root_logger": False,
        "beat_schedule": {
            "audits-tick": {"task": TICK_TASK, "schedule": settings.tick_s},
        },
        "cookie_audit_settings": settings,
    }


def make_celery(settings: AuditSettings | None = None) -> Celery:
    settings = settings or load_settings()
    app = Celery("cookie_audit", include=["audits.alerts.tasks"])
    app.conf.update(celery_config(settings))

    @app.task(bind=True, name=RUN_TASK, max_retries=None)  # type: ignore[untyped-decorator]
    def run_audit(self: Any, run_id: int) -> dict[str, Any]:
        runner = _runner(settings)
        try:
            result = runner.execute(run_id)
        except StoreUnavailableError as exc:  # the database is down: the broker keeps it
            raise self.retry(countdown=settings.stale_after_s, exc=exc) from None
        if result.outcome in (Outcome.BUSY, Outcome.RETRY):
            raise self.retry(countdown=max(1.0, result.retry_in))
        run = result.run
        return {
            "run_id": run_id,
            "outcome": result.outcome.value,
            "state": run.state.value if run else None,
        }

    return app


@cache
def _runner(settings: AuditSettings) -> Runner:
    """One store and runner per worker process (created after the fork)."""
    from audits.delivery import celery_deliver

    store = AuditStore.open(settings)
    return Runner(store, deliver=celery_deliver(settings.queue))


#: runs sent per broker round trip (on Redis; RabbitMQ publishes each message by itself)
SEND_CHUNK = 500


def dispatch_due(store: AuditStore, app: Celery) -> list[int]:
    """Queue the due slots, then send every run not yet (or long ago) handed to the broker.

    Still one Celery message per run (acknowledged, and delivered again, run by run), but on
    Redis a chunk of them goes in one round trip: kombu's publish batch buffers the LPUSHes of
    a chunk in one pipeline, flushed when its block ends (transports without batches, such as
    RabbitMQ's, publish at once). A chunk counts as sent once flushed; one that fails (broker
    down) leaves its runs in the database, not dispatched: the next tick sends them. Returns
    the ids sent."""
    store.enqueue_due()
    pending = store.dispatchable(grace_s=store.settings.visibility_timeout_s * 2)
    sent: list[int] = []
    if not pending:
        return sent
    try:
        with app.producer_or_acquire() as producer:  # one connection for the whole tick
            for start in range(0, len(pending), SEND_CHUNK):
                chunk = pending[start : start + SEND_CHUNK]
                with producer.batch(max_size=2 * SEND_CHUNK):
                    for run_id in chunk:
                        app.send_task(
                            RUN_TASK, args=(run_id,), queue=store.settings.queue, producer=producer
                        )
                sent.extend(chunk)
    except Exception as exc:  # kombu's OperationalError and friends: the broker is away
        log.warning(
            "broker unavailable (%s): %d run(s) wait for the next tick",
            type(exc).__name__,
            len(pending) - len(sent),
        )
    finally:
        store.mark_dispatched(sent)
    return sent


class AuditScheduler(Scheduler):  # type: ignore[misc]
    """Celery beat's in-memory scheduler whose one entry, the tick, runs here (in the beat
    process) instead of being sent: the schedule of every audit is in the database, and the
    tick is what puts its due runs on the queue."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._store: AuditStore | None = None

    @property
    def producer(self) -> Any:
        """None: beat's own producer connects to the broker before each due entry, retrying
        for ever, so a scheduler started while Redis is down would not even queue the due
        runs in the database. The tick sends through `dispatch_due`, which keeps the runs in
        the database while the broker is away."""
        return None

    @property
    def store(self) -> AuditStore:
        if self._store is None:
            self._store = AuditStore.open(self.app.conf.cookie_audit_settings)
        return self._store

    def apply_async(
        self, entry: Any, producer: Any = None, advance: bool = True, **kwargs: Any
    ) -> Any:
        if entry.task != TICK_TASK:
            return super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        entry = self.reserve(entry) if advance else entry
        try:
            sent = dispatch_due(self.store, self.app)
        except StoreUnavailableError as exc:
            log.warning(
                "database unavailable: %s (next tick in %.0f s)",
                exc,
                self.app.conf.cookie_audit_settings.tick_s,
            )
            return None
        if sent:
            log.info("queued %d run(s)", len(sent))
        return None
