"""How a finished run hands its alert over, in each mode, without waiting for it.

Embedded: the alerts package's `AlertDispatcher` (background threads, timeouts, retries).
Distributed: one Celery task per target (`audits.alerts.tasks.enqueue_alert`), so delivery
retries survive the worker that ran the scan.
"""

from __future__ import annotations

from audits.alerts import Alert, AlertTarget, load_alert_settings
from audits.alerts.delivery import AlertDispatcher
from audits.changes import Deliver
from audits.settings import AuditSettings


class EmbeddedDelivery:
    """A `Deliver` for the embedded mode; `close()` waits for deliveries in flight."""

    def __init__(self, dispatcher: AlertDispatcher) -> None:
        self.dispatcher = dispatcher

    def __call__(self, alert: Alert, targets: list[AlertTarget]) -> str:
        self.dispatcher.submit(alert, targets)
        return "sent"

    def close(self, timeout: float | None = 60.0) -> None:
        self.dispatcher.close(timeout=timeout)


def embedded_deliver(settings: AuditSettings) -> EmbeddedDelivery:
    del settings  # alert settings are their own (COOKIE_AUDIT_SMTP_*, webhook secrets...)
    return EmbeddedDelivery(AlertDispatcher(load_alert_settings()))


def celery_deliver(queue: str) -> Deliver:
    from audits.alerts.tasks import enqueue_alert

    def deliver(alert: Alert, targets: list[AlertTarget]) -> str:
        enqueue_alert(alert, targets, queue=queue)
        return "queued"

    return deliver
