"""Work done by several threads that start at the same moment, as workers starting together."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def at_once(work: Callable[[T], object], items: Sequence[T]) -> list[BaseException]:
    """``work(item)`` for every item, each in its own thread, released together; what they
    raised (every failure is the finding)."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(items))

    def run(item: T) -> None:
        start.wait()
        try:
            work(item)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors
