"""Delivering an alert to its targets: retries with backoff, and never blocking a run.

`deliver_to` tries one target until it succeeds, fails for good (a 4xx answer, a refused
address, a missing secret) or runs out of retries; every outcome is a `DeliveryResult`,
never an exception, because a broken alert channel must not fail the audit that raised it.
`AlertDispatcher` does that in background threads (the embedded mode: `audit run`, `audit
daemon`); `audits.alerts.tasks` does one attempt per Celery task and lets Celery retry.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import assert_never

from audits.alerts.errors import DeliveryError
from audits.alerts.mail import send_email
from audits.alerts.model import Alert
from audits.alerts.settings import AlertSettings
from audits.alerts.targets import AlertTarget, EmailTarget, WebhookTarget
from audits.alerts.webhook import send_webhook

log = logging.getLogger("cookie_audit.alerts")


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What happened to one alert at one target; `target` is the redacted form."""

    alert_id: str
    target: str
    delivered: bool
    attempts: int
    error: str | None = None


def attempt(
    alert: Alert,
    target: AlertTarget,
    settings: AlertSettings,
    environ: Mapping[str, str] | None = None,
) -> None:
    """One delivery attempt; raises `DeliveryError` saying whether a retry may help."""
    if isinstance(target, WebhookTarget):
        send_webhook(alert, target, settings, environ)
    elif isinstance(target, EmailTarget):
        send_email(alert, target, settings)
    else:
        assert_never(target)


def backoff(settings: AlertSettings, retry: int, retry_after: float | None = None) -> float:
    """Seconds before retry number `retry` (1, 2, ...): the server's Retry-After when it gave
    one, else backoff * 2^(retry-1) with +-20 % jitter (so many workers do not retry in step);
    never more than `retry_max_wait`."""
    if retry_after is not None:
        return min(retry_after, settings.retry_max_wait)
    base = settings.retry_backoff * 2.0 ** (retry - 1)
    return min(base * random.uniform(0.8, 1.2), settings.retry_max_wait)


def deliver_to(
    alert: Alert,
    target: AlertTarget,
    settings: AlertSettings,
    *,
    environ: Mapping[str, str] | None = None,
    wait: Callable[[float], bool] | None = None,
) -> DeliveryResult:
    """Tries `target` until delivered, refused for good, or out of retries. `wait(seconds)`
    sleeps between attempts and returns False to give up (the process is stopping)."""
    shown = target.redacted()
    tries = 0
    while True:
        tries += 1
        try:
            attempt(alert, target, settings, environ)
        except DeliveryError as exc:
            if not exc.retryable or tries > settings.retries:
                log.warning(
                    "alert %s to %s not delivered after %d attempt(s): %s",
                    alert.id,
                    shown,
                    tries,
                    exc,
                )
                return DeliveryResult(alert.id, shown, False, tries, str(exc))
            delay = backoff(settings, tries, exc.retry_after)
            log.info("alert %s to %s: %s; retrying in %.1f s", alert.id, shown, exc, delay)
            if not (wait or _sleep)(delay):
                log.warning("alert %s to %s abandoned: the process is stopping", alert.id, shown)
                return DeliveryResult(alert.id, shown, False, tries, f"{exc} (abandoned)")
        except Exception as exc:  # a bug in a channel: report it, never break the run
            log.error("alert %s to %s: unexpected %s", alert.id, shown, type(exc).__name__)
            return DeliveryResult(
                alert.id, shown, False, tries, f"unexpected error ({type(exc).__name__})"
            )
        else:
            log.info("alert %s delivered to %s (attempt %d)", alert.id, shown, tries)
            return DeliveryResult(alert.id, shown, True, tries)


def _sleep(seconds: float) -> bool:
    time.sleep(seconds)
    return True


def deliver(
    alert: Alert,
    targets: Iterable[AlertTarget],
    settings: AlertSettings,
    *,
    environ: Mapping[str, str] | None = None,
) -> list[DeliveryResult]:
    """Every target in turn, in the calling thread (for scripts and tests)."""
    return [deliver_to(alert, t, settings, environ=environ) for t in targets]


class AlertDispatcher:
    """Delivers alerts in background threads so that a run never waits for a webhook.

    `submit` returns at once with one future per target (each target is delivered in
    parallel, so a hanging webhook does not delay an e-mail). `close` waits for deliveries
    in flight, at most `timeout` seconds, then abandons retries still waiting (logged)::

        with AlertDispatcher(settings) as alerts:
            ... run audits, alerts.submit(alert, targets) ...
    """

    def __init__(
        self,
        settings: AlertSettings,
        *,
        max_workers: int = 4,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._settings = settings
        self._environ = environ
        self._closing = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="alerts")
        self._pending: set[Future[DeliveryResult]] = set()
        self._lock = threading.Lock()

    def submit(self, alert: Alert, targets: Iterable[AlertTarget]) -> list[Future[DeliveryResult]]:
        futures = []
        for target in targets:
            future = self._pool.submit(
                deliver_to,
                alert,
                target,
                self._settings,
                environ=self._environ,
                wait=self._wait,
            )
            with self._lock:
                self._pending.add(future)
            future.add_done_callback(self._done)
            futures.append(future)
        return futures

    def _done(self, future: Future[DeliveryResult]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _wait(self, seconds: float) -> bool:
        """A wait between retries that `close` cuts short (False: give up)."""
        return not self._closing.wait(seconds)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def close(self, timeout: float | None = None) -> None:
        """Waits for deliveries in flight (at most `timeout` s), then stops retrying."""
        with self._lock:
            pending = list(self._pending)
        deadline = None if timeout is None else time.monotonic() + timeout
        for future in pending:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                future.result(timeout=left)
            except TimeoutError:
                break
        self._closing.set()
        with self._lock:
            queued = sum(1 for f in self._pending if not f.running() and not f.done())
        if queued:
            log.warning("%d alert deliveries not started: the process is stopping", queued)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> AlertDispatcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(timeout=None if exc is None else 0)
