"""Did the banner's click leave the right record in our consent API? Plain judgement of a phase.

A phase whose banner click worked (`reject` or `accept`) on a site whose banner talks to our
consent API (`PhaseResult.consent_api`, captured by `scanner.consent_capture`) must have posted
a choice that the API recorded (a receipt: 2xx with a number and a hash), read back the same
(`--consent-api-key`) when it was read back, and say what was clicked: `reject_all` with every
optional category refused, `accept_all` with every one granted. The rules in
`scanner.policy.rules` turn each problem into a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.model import BannerStatus, ConsentApiUse, ConsentPost, Phase, PhaseResult, ReadBack

__all__ = ["EXPECTED_ACTION", "Problem", "optional_categories", "problems"]

EXPECTED_ACTION = {Phase.REJECT: "reject_all", Phase.ACCEPT: "accept_all"}

MISSING = "consent-record-missing"
FAILED = "consent-record-failed"
CONTRADICTS = "consent-record-contradicts-click"


@dataclass(frozen=True)
class Problem:
    rule_id: str
    phase: Phase
    post: ConsentPost | None = None
    #: contradictions: the action recorded and the optional categories that go against the click
    action: str | None = None
    categories: list[str] = field(default_factory=list)


def optional_categories(use: ConsentApiUse, choices: dict[str, bool]) -> list[str]:
    """The site's optional categories (from its configuration; the posted ones when unknown)."""
    known = use.categories or sorted(choices)
    return [c for c in known if c not in use.required]


def _ok(post: ConsentPost) -> bool:
    return post.status is not None and 200 <= post.status < 300


def problems(phase: PhaseResult) -> list[Problem]:
    use = phase.consent_api
    expected = EXPECTED_ACTION.get(phase.name)
    if use is None or expected is None or phase.banner.status is not BannerStatus.SUCCEEDED:
        return []
    if not use.posts:
        return [Problem(MISSING, phase.name)]
    recorded = [p for p in use.posts if _ok(p)]
    if not recorded:
        return [Problem(FAILED, phase.name, use.posts[-1])]
    post = recorded[-1]  # the latest record the API acknowledged is the visitor's choice
    out = []
    if post.read_back in (ReadBack.MISSING, ReadBack.DIFFERENT):
        out.append(Problem(MISSING, phase.name, post))
    action = post.stored.action if post.stored else post.action
    choices = post.stored.choices if post.stored else post.choices
    optional = optional_categories(use, choices)
    if phase.name is Phase.REJECT:
        wrong = [c for c in optional if choices.get(c) is True]
    else:
        wrong = [c for c in optional if choices.get(c) is not True]
    if action != expected or wrong:
        out.append(Problem(CONTRADICTS, phase.name, post, action=action, categories=wrong))
    return out
