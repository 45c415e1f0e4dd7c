"""Alerts of scheduled audits: the `Alert` record, its targets, and delivery by webhook
(generic JSON, Slack, Teams; signed per Standard Webhooks) and by e-mail (SMTP).

Delivery never blocks a run: the embedded mode hands alerts to an `AlertDispatcher`
(background threads, timeouts, retries with backoff); the distributed mode queues one Celery
task per target (`audits.alerts.tasks`, imported only there: the embedded mode needs no broker).
"""

from __future__ import annotations

from audits.alerts.delivery import AlertDispatcher, DeliveryResult, deliver, deliver_to
from audits.alerts.errors import AlertError, AlertSettingsError, AlertTargetError, DeliveryError
from audits.alerts.model import (
    Alert,
    CookieRef,
    FindingRef,
    RunOutcome,
    alert_severity,
    build_alert,
)
from audits.alerts.settings import AlertSettings, load_alert_settings
from audits.alerts.targets import (
    AlertTarget,
    EmailTarget,
    SecretRef,
    WebhookKind,
    WebhookTarget,
    parse_secret_ref,
    parse_target,
    parse_targets,
    redact_url,
)

__all__ = [
    "Alert",
    "AlertDispatcher",
    "AlertError",
    "AlertSettings",
    "AlertSettingsError",
    "AlertTarget",
    "AlertTargetError",
    "CookieRef",
    "DeliveryError",
    "DeliveryResult",
    "EmailTarget",
    "FindingRef",
    "RunOutcome",
    "SecretRef",
    "WebhookKind",
    "WebhookTarget",
    "alert_severity",
    "build_alert",
    "deliver",
    "deliver_to",
    "load_alert_settings",
    "parse_secret_ref",
    "parse_target",
    "parse_targets",
    "redact_url",
]
