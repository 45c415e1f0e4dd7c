"""Celery delivery of alerts (the distributed mode): one task per target and alert, one
attempt per task run, Celery's own retries with our backoff in between (a worker is never
held asleep), acknowledged late (a worker killed mid-delivery hands the alert to another).

The task is a `shared_task`: it is registered on whichever Celery app imports this module
(add "audits.alerts.tasks" to the app's `include`). Its arguments carry the target's full
spec (the URL may hold a token): `argsrepr` shows only the alert id and the redacted target,
which is what Celery's logs, events and monitoring tools display.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache
from typing import Any

from celery import shared_task

from audits.alerts.delivery import attempt, backoff
from audits.alerts.errors import DeliveryError
from audits.alerts.model import Alert
from audits.alerts.settings import AlertSettings, load_alert_settings
from audits.alerts.targets import AlertTarget, parse_target

TASK_NAME = "cookie_audit.alerts.deliver"
log = logging.getLogger("cookie_audit.alerts")


@cache
def worker_settings() -> AlertSettings:
    """Read once per worker process, from its environment."""
    return load_alert_settings()


def _deliver(self: Any, alert_json: str, target_spec: str) -> dict[str, Any]:
    settings = worker_settings()
    alert = Alert.model_validate_json(alert_json)
    target = parse_target(target_spec)
    shown = target.redacted()
    tries = self.request.retries + 1
    try:
        attempt(alert, target, settings)
    except DeliveryError as exc:
        if exc.retryable and tries <= settings.retries:
            delay = backoff(settings, tries, exc.retry_after)
            log.info("alert %s to %s: %s; retrying in %.1f s", alert.id, shown, exc, delay)
            raise self.retry(
                countdown=delay,
                max_retries=settings.retries,
                argsrepr=repr((alert.id, shown)),
                kwargsrepr="{}",
            ) from None
        log.warning(
            "alert %s to %s not delivered after %d attempt(s): %s", alert.id, shown, tries, exc
        )
        return {
            "alert_id": alert.id,
            "target": shown,
            "delivered": False,
            "attempts": tries,
            "error": str(exc),
        }
    log.info("alert %s delivered to %s (attempt %d)", alert.id, shown, tries)
    return {
        "alert_id": alert.id,
        "target": shown,
        "delivered": True,
        "attempts": tries,
        "error": None,
    }


#: the Celery task (celery has no type hints: the decorator is applied as a call)
deliver_alert: Any = shared_task(
    bind=True,
    name=TASK_NAME,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
)(_deliver)


def enqueue_alert(
    alert: Alert, targets: Iterable[AlertTarget], *, queue: str | None = None
) -> list[str]:
    """Queues one delivery task per target; returns the task ids. Needs a broker."""
    ids = []
    body = alert.model_dump_json()
    for target in targets:
        options: dict[str, Any] = {"queue": queue} if queue else {}
        result = deliver_alert.apply_async(
            args=(body, target.spec()),
            argsrepr=repr((alert.id, target.redacted())),
            kwargsrepr="{}",
            **options,
        )
        ids.append(result.id)
    return ids
