"""Which URL answered each response of a request, whatever order Chromium's events come in.

A redirect keeps the request id: `requestWillBeSent` is sent once per hop (URL by URL), and
`responseReceivedExtraInfo` (which carries the raw Set-Cookie headers) once per response from
the network, so the n-th extra-info event of a request belongs to its n-th hop. The extra-info
events come from another Chromium process and may overtake the request's own event: they wait
until their hop is known. A hop answered from a cache sends no extra-info and is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

E = TypeVar("E")


@dataclass
class HopLog(Generic[E]):
    _urls: dict[str, list[str]] = field(default_factory=dict)
    _answered: dict[str, int] = field(default_factory=dict)
    _early: dict[str, list[E]] = field(default_factory=dict)

    def sent(
        self, request_id: str, url: str, *, cached_redirect: bool = False
    ) -> list[tuple[str, E]]:
        """A hop is sent (`cached_redirect`: the previous hop came from a cache). Returns the
        responses that were waiting for it, with the URL that answered each."""
        chain = self._urls.setdefault(request_id, [])
        if chain and cached_redirect:
            chain.pop()
        chain.append(url)
        ready: list[tuple[str, E]] = []
        for event in self._early.pop(request_id, []):
            ready.extend(self.answered(request_id, event))
        return ready

    def answered(self, request_id: str, event: E) -> list[tuple[str, E]]:
        """A response came: `[(url, event)]`, or `[]` until the hop it answers is known."""
        chain = self._urls.get(request_id, [])
        nth = self._answered.get(request_id, 0)
        if nth >= len(chain):
            self._early.setdefault(request_id, []).append(event)
            return []
        self._answered[request_id] = nth + 1
        return [(chain[nth], event)]
