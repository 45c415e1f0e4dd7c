"""One run of one audit, from claim to alert: the task code of both modes.

`Runner.execute(run_id)` is a plain function: the embedded mode (`audit run`, `audit daemon`)
calls it in threads, and the Celery task (`audits.tasks`) is a thin wrapper around it that
turns `Outcome.RETRY` / `Outcome.BUSY` into Celery retries. It:

1. claims the run and the lease on its site (`AuditStore.claim`): a run held by a live worker,
   or a site being scanned by another run, answers BUSY (try again later, not an attempt);
2. scans with the audit's settings in a fresh Playwright (the consent records of the banner's
   clicks read back when the audit names its consent API and where the admin key is kept),
   renewing the lease by a heartbeat, under the run's timeout (past it: the scan is cancelled
   and the run fails as `timeout`, with the partial scan kept as evidence);
3. stores the scan (document, counts, findings) or the failure. Failures that may pass (DNS,
   timeouts, refused connections, a crashed browser) are retried with exponential backoff up
   to `retries` times; bad input (a URL or option the scanner refuses) never is;
4. compares with the previous successful run and hands the alert, if any, to the delivery
   callable without waiting for it (`audits.changes`); an audit linked to a consent-API site
   publishes its cookie declaration there (`audits.publish`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import socket
import tempfile
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from audits.alerts import DeliveryError
from audits.changes import AfterRun, Deliver, Publish
from audits.errors import StoreUnavailableError
from audits.publish import publish_to_consent_site
from audits.records import RunInfo
from audits.settings import AuditSettings
from audits.spec import AuditSpec
from audits.store import AuditStore, ClaimedRun, ClaimOutcome
from scanner.config import ScanSettings
from scanner.errors import BrowserNotFoundError, ScanFailedError, UsageError
from scanner.model import Scan

log = logging.getLogger("cookie_audit.audits")

#: skip reasons of an unreachable start page that may pass on their own
TRANSIENT_REASONS = frozenset({"dns", "timeout", "connection", "crash"})
_REASON = re.compile(r"\((\w+): ")


class Outcome(StrEnum):
    FINISHED = "finished"  # succeeded or failed for good: see `run`
    RETRY = "retry"  # a failure that may pass: queued again in `retry_in` seconds
    BUSY = "busy"  # held by another worker or the site is being scanned: try later
    SKIPPED = "skipped"  # nothing to do (already finished, cancelled, purged)


@dataclass(frozen=True)
class RunResult:
    outcome: Outcome
    run: RunInfo | None = None
    retry_in: float = 0.0
    reason: str = ""


class RunTimeoutError(Exception):
    def __init__(self, partial: Scan | None) -> None:
        super().__init__("timed out")
        self.partial = partial


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, ScanFailedError) and not isinstance(exc, UsageError):
        match = _REASON.search(str(exc))
        return bool(match and match.group(1) in TRANSIENT_REASONS)
    return False


def scan_settings(
    claimed: ClaimedRun, settings: AuditSettings, policy: Path | None
) -> ScanSettings:
    spec = claimed.spec
    return ScanSettings(
        urls=(spec.url,),
        max_pages=spec.max_pages,
        max_depth=spec.depth,
        phases=spec.phases,
        resolve=spec.resolve,
        ignore_https_errors=spec.ignore_https_errors,
        allow_private=spec.allow_private,
        policy_file=policy,
        lang=spec.lang,
        # the crawl's own budget ends a slow scan as partial before the hard timeout
        scan_timeout=max(1.0, spec.timeout * 0.8),
        executable=settings.chromium,
        consent_api=spec.consent_api,
        consent_api_key=consent_api_key(spec),
    )


def consent_api_key(spec: AuditSpec) -> str | None:
    """The admin key, read from where the audit says it is when the run starts (held only by
    the scan's settings); a reference that gives nothing fails the run as bad input."""
    ref = spec.consent_api_key_ref()
    if ref is None:
        return None
    try:
        return ref.resolve()
    except DeliveryError as exc:
        raise UsageError(f"consent_api_key: {exc}") from None


async def scan_site(settings: ScanSettings) -> Scan:
    """The scanner's pipeline up to the Scan (no files: the store keeps the document)."""
    from playwright.async_api import async_playwright

    from scanner.crawl import Crawler
    from scanner.pipeline import analyse, read_back_records

    async with async_playwright() as pw:
        result = await Crawler(pw, settings).crawl(settings.urls[0])
    result = await asyncio.to_thread(read_back_records, result, settings)
    return await asyncio.to_thread(analyse, result, settings)


class Runner:
    """Executes runs for one worker; collaborators come in through the constructor."""

    def __init__(
        self,
        store: AuditStore,
        *,
        deliver: Deliver | None = None,
        publish: Publish | None = publish_to_consent_site,
        worker: str | None = None,
        scan: Callable[[ScanSettings], Coroutine[Any, Any, Scan]] | None = None,
    ) -> None:
        self.store = store
        self.settings = store.settings
        self.worker = worker or worker_name()
        self.after = AfterRun(store, deliver=deliver, publish=publish)
        self._scan = scan or scan_site

    def execute(self, run_id: int, *, retry: bool = True) -> RunResult:
        claim = self.store.claim(run_id, self.worker)
        if claim.outcome is ClaimOutcome.DONE:
            return RunResult(Outcome.SKIPPED, reason=claim.reason)
        if claim.outcome is ClaimOutcome.BUSY or claim.run is None:
            return RunResult(Outcome.BUSY, retry_in=claim.retry_in, reason=claim.reason)
        claimed = claim.run
        log.info(
            "run %s #%d: started by %s (attempt %d)",
            claimed.audit,
            claimed.number,
            self.worker,
            claimed.attempt,
        )
        with tempfile.TemporaryDirectory(prefix="cookie-audit-run-") as tmp:
            policy = None
            if claimed.spec.policy is not None:
                policy = Path(tmp) / "policy.yaml"
                policy.write_text(claimed.spec.policy, encoding="utf-8")
            try:
                settings = scan_settings(claimed, self.settings, policy)
                scan = asyncio.run(self._bounded(claimed, settings))
            except RunTimeoutError as exc:
                message = f"the run went past its timeout of {claimed.spec.timeout:g} s"
                if exc.partial is not None:
                    info = self.store.finish(
                        claimed, exc.partial, error=message, error_kind="timeout"
                    )
                else:
                    info = self.store.fail(claimed, message, "timeout")
                return self._finished(claimed, info, None)
            except StoreUnavailableError:
                raise
            except (ScanFailedError, BrowserNotFoundError, UsageError) as exc:
                return self._failed(claimed, exc, retry=retry)
            except _LeaseLost:
                return RunResult(Outcome.SKIPPED, reason="the run was taken over by another worker")
            except Exception as exc:  # a bug must not leave the run "running" for ever
                log.exception("run %s #%d: unexpected error", claimed.audit, claimed.number)
                info = self.store.fail(
                    claimed, f"internal error: {type(exc).__name__}: {exc}", "error"
                )
                return self._finished(claimed, info, None)
        info = self.store.finish(claimed, scan)
        return self._finished(claimed, info, scan)

    def _failed(self, claimed: ClaimedRun, exc: Exception, *, retry: bool) -> RunResult:
        message = str(exc)
        if retry and is_transient(exc) and claimed.attempt <= self.settings.retries:
            delay = self.settings.retry_backoff_s * 2 ** (claimed.attempt - 1)
            delay *= random.uniform(0.9, 1.1)  # jitter: runs that failed together spread out
            if self.store.requeue(claimed, delay, message, "transient"):
                log.info(
                    "run %s #%d: %s; retry in %.0f s", claimed.audit, claimed.number, message, delay
                )
                return RunResult(Outcome.RETRY, retry_in=delay, reason=message)
            return RunResult(Outcome.SKIPPED, reason="the run was taken over by another worker")
        kind = (
            "transient" if is_transient(exc) else "input" if isinstance(exc, UsageError) else "scan"
        )
        info = self.store.fail(claimed, message, kind)
        return self._finished(claimed, info, None)

    def _finished(self, claimed: ClaimedRun, info: RunInfo | None, scan: Scan | None) -> RunResult:
        if info is None:
            return RunResult(Outcome.SKIPPED, reason="the run was taken over by another worker")
        log.info("run %s #%d: %s", claimed.audit, claimed.number, info.state.value)
        try:
            info = self.after.handle(claimed, info, scan)
        except Exception:  # what changed and alerts never undo a stored run
            log.exception("run %s #%d: comparing or alerting failed", claimed.audit, claimed.number)
        return RunResult(Outcome.FINISHED, run=info)

    async def _bounded(self, claimed: ClaimedRun, settings: ScanSettings) -> Scan:
        """The scan under the run's timeout, with a heartbeat renewing the leases."""
        task = asyncio.ensure_future(self._scan(settings))
        beat = _Heartbeat(self.store, claimed, asyncio.get_running_loop(), task)
        beat.start()
        try:
            done, _ = await asyncio.wait({task}, timeout=claimed.spec.timeout)
            if beat.lost:
                raise _LeaseLost()
            if task in done:
                return task.result()
            task.cancel()
            try:
                partial: Scan | None = await asyncio.wait_for(task, timeout=30)
            except (asyncio.CancelledError, TimeoutError, Exception):
                partial = None
            raise RunTimeoutError(partial)
        finally:
            beat.stop()


class _Heartbeat(threading.Thread):
    """Renews the run's lease every `heartbeat_s` from its own thread, so a busy event loop
    (a heavy page) never makes a live run look dead; cancels the scan if the lease is lost."""

    def __init__(
        self,
        store: AuditStore,
        claimed: ClaimedRun,
        loop: asyncio.AbstractEventLoop,
        task: asyncio.Future[Scan],
    ) -> None:
        super().__init__(name=f"heartbeat-{claimed.run_id}", daemon=True)
        self.store = store
        self.claimed = claimed
        self.loop = loop
        self.task = task
        self.lost = False
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.store.settings.heartbeat_s):
            try:
                alive = self.store.heartbeat(self.claimed)
            except StoreUnavailableError:
                continue  # the database is down: keep scanning, the lease may survive
            if not alive:  # another worker took the run over: stop scanning
                self.lost = True
                self.loop.call_soon_threadsafe(self.task.cancel)
                return

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=self.store.settings.db_retry_s + 5)


class _LeaseLost(Exception):
    pass
