"""Group commit: the threads of one process that append at the same time share one transaction.

Each thread queues its item and waits. Whichever thread finds no batch in progress becomes the
leader: it takes every queued item (up to ``max_batch``), writes them in one transaction (one
lock of the chain, one commit, one flush to disk), hands each thread its own result, and steps
down; threads that queued meanwhile form the next batch. Under load, the cost of the lock and
of the commit is shared by the whole batch; alone, a thread is its own leader at once (no
timer, no added latency).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Slot(Generic[T, R]):
    """One queued item and, once its batch is written, its result or its error."""

    __slots__ = ("done", "error", "item", "result")

    def __init__(self, item: T) -> None:
        self.item = item
        self.done = False
        self.result: R | None = None
        self.error: BaseException | None = None

    def resolve(self, result: R) -> None:
        self.result, self.done = result, True

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True


class GroupCommitter(Generic[T, R]):
    """``flush(slots)`` writes a batch and resolves or fails every slot (it must not raise:
    anything it raises fails the slots it left open)."""

    def __init__(self, flush: Callable[[Sequence[Slot[T, R]]], None], max_batch: int = 256):
        self._flush = flush
        self._max = max_batch
        self._cond = threading.Condition()
        self._queue: list[Slot[T, R]] = []
        self._leading = False

    @property
    def busy(self) -> bool:
        """Whether a batch is being written or items wait for one (read without the lock: a
        hint for a caller that would rather not queue, never a guarantee)."""
        return self._leading or bool(self._queue)

    def submit(self, item: T) -> R:
        slot: Slot[T, R] = Slot(item)
        with self._cond:
            self._queue.append(slot)
            while not slot.done:
                if self._leading:
                    self._cond.wait()
                    continue
                self._leading = True
                batch = self._queue[: self._max]
                del self._queue[: self._max]
                self._cond.release()
                try:
                    self._run(batch)
                finally:
                    self._cond.acquire()
                    self._leading = False
                    self._cond.notify_all()
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _run(self, batch: list[Slot[T, R]]) -> None:
        try:
            self._flush(batch)
        except BaseException as exc:
            for slot in batch:
                if not slot.done:
                    slot.fail(exc)
            if not isinstance(exc, Exception):
                raise
        for slot in batch:
            if not slot.done:
                slot.fail(RuntimeError("the batch left this item unresolved"))
