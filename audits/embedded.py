"""The embedded mode: runs in this process, no broker (SQLite is enough).

`run_due` is `audit run --due` (what is due now, then return: for cron or CI); `Daemon` is
`audit daemon`, the scheduler and a worker in one process. The daemon's loop is a plain
"look, run, wait": the schedule's state is in the database (next due time per audit, one run
per slot), so the loop only decides when to look again (the next due time or `tick_s`,
whichever is sooner) and keeps at most `browsers` runs going in a thread pool. Celery beat
needs a broker, and this mode is the one without one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from typing import TypeVar

from audits.runner import Outcome, Runner, RunResult
from audits.store import utcnow

log = logging.getLogger("cookie_audit.audits")
T = TypeVar("T")


def run_due(runner: Runner, *, browsers: int = 1) -> list[RunResult]:
    """Queue what is due, run every run that can start now, return their results.

    Runs that ask to be retried later (backoff) or whose site is busy stay queued for the
    next call or the daemon."""
    store = runner.store
    store.enqueue_due()
    results: list[RunResult] = []
    tried: set[int] = set()
    with ThreadPoolExecutor(max_workers=browsers, thread_name_prefix="audit") as pool:
        while True:
            ids = [i for i in store.dispatchable(grace_s=None) if i not in tried]
            if not ids:
                break
            tried.update(ids)
            results.extend(pool.map(runner.execute, ids))
    return results


class Daemon:
    """Scheduler and worker in one process, until `stop()` (or Ctrl-C in the CLI)."""

    def __init__(self, runner: Runner, *, browsers: int = 1) -> None:
        self.runner = runner
        self.store = runner.store
        self.browsers = browsers
        self.tick_s = runner.settings.tick_s
        self._stop = threading.Event()
        self.results: list[RunResult] = []
        self.on_result: Callable[[RunResult], None] | None = None

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        running: dict[int, Future[RunResult]] = {}
        waiting: dict[int, datetime] = {}  # run id -> not to be tried before
        with ThreadPoolExecutor(max_workers=self.browsers, thread_name_prefix="audit") as pool:
            while not self._stop.is_set():
                self._safely(self.store.enqueue_due)
                now = utcnow()
                for run_id in self._safely(lambda: self.store.dispatchable(grace_s=None)) or []:
                    if len(running) >= self.browsers:
                        break
                    if run_id in running or waiting.get(run_id, now) > now:
                        continue
                    running[run_id] = pool.submit(self.runner.execute, run_id)
                timeout = self._next_look()
                if running:
                    done, _ = wait(running.values(), timeout=timeout, return_when=FIRST_COMPLETED)
                else:
                    self._stop.wait(timeout)
                    done = set()
                for run_id, future in list(running.items()):
                    if future in done:
                        del running[run_id]
                        result = self._result(future)
                        if result is None:
                            continue
                        self.results.append(result)
                        if self.on_result is not None and result.run is not None:
                            self.on_result(result)
                        if result.outcome in (Outcome.BUSY, Outcome.RETRY):
                            waiting[run_id] = utcnow() + timedelta(seconds=result.retry_in)
            for future in running.values():
                future.result()

    def _next_look(self) -> float:
        due = self._safely(self.store.next_due_at)
        if due is None:
            return self.tick_s
        return max(0.5, min(self.tick_s, (due - utcnow()).total_seconds()))

    @staticmethod
    def _result(future: Future[RunResult]) -> RunResult | None:
        try:
            return future.result()
        except Exception:
            log.exception("a run ended with an error")
            return None

    @staticmethod
    def _safely(work: Callable[[], T]) -> T | None:
        try:
            return work()
        except Exception:
            log.exception("database unavailable: trying again at the next tick")
            return None
