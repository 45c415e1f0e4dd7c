"""Policy benchmark: extraction time per policy and per MB, and rule-check time per cookie.

`python -m benchmarks policy`. Ratios in one run matter, not absolute numbers (shared machine).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from scanner.model import (
    Banner,
    BannerStatus,
    BrowserInfo,
    Category,
    Classification,
    ClassifiedCookie,
    Cookie,
    Party,
    Phase,
    PhaseResult,
    Scan,
    ToolInfo,
    ValueInfo,
    ValueShape,
)
from scanner.policy import check, extract_policy

SEEDS = Path(__file__).resolve().parents[1] / "tests" / "policy" / "data"


def _timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat


def _scan(n: int) -> Scan:
    cats = list(Category)
    cookies = [
        ClassifiedCookie(
            name=f"c{i}",
            domain=f"d{i % 50}.test",
            party=Party.THIRD,
            phases=[Phase.NONE, Phase.REJECT, Phase.ACCEPT],
            lifetime_days=400.0,
            classification=Classification(
                category=cats[i % len(cats)], exempt=i % 3 == 0, confidence=0.5, reason="bench"
            ),
        )
        for i in range(n)
    ]
    value = ValueInfo(length=1, entropy=0.0, shape=ValueShape.TEXT)
    phases = [
        PhaseResult(
            name=p,
            banner=Banner(
                action=p, status=BannerStatus.SUCCEEDED, detected=True, first_layer_reject=False
            ),
            cookies=[
                Cookie(
                    name=c.name,
                    domain=c.domain,
                    host_only=True,
                    expires=None,
                    lifetime_days=400.0,
                    party=Party.THIRD,
                    set_by=None,
                    value=value,
                )
                for c in cookies
            ],
        )
        for p in Phase
    ]
    return Scan(
        target="https://b.test/",
        site="b.test",
        tool=ToolInfo(version="bench"),
        browser=BrowserInfo(),
        started_at=datetime.now(UTC),
        phases=phases,
        cookies=cookies,
    )


def main(argv: list[str]) -> int:
    docs = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    total_chars = sum(len(d) for d in docs.values())
    per_seed = _timed(lambda: [extract_policy(d, None, "text/plain") for d in docs.values()], 5)
    print(
        f"5 seed policies ({total_chars:,} chars): {per_seed * 1000 / len(docs):.1f} ms each, "
        f"{per_seed / total_chars * 1e9:.0f} ms per MB"
    )
    para = (
        "<p>Nous utilisons des cookies de mesure d'audience. Les journaux sont conservés "
        "pendant 13 mois. Lorem ipsum dolor sit amet.</p>\n"
    )
    huge = "<html><body>" + para * (5_000_000 // len(para)) + "</body></html>"
    t_huge = _timed(lambda: extract_policy(huge, "huge"), 1)
    print(
        f"5 MB HTML page (capped at 2 MB HTML / 300 k chars text): {t_huge:.2f} s "
        f"= {t_huge / (per_seed / len(docs)):.0f}x one seed policy"
    )
    for n in (100, 1000):
        scan = _scan(n)
        t = _timed(lambda scan=scan: check(scan, None, policy_pages_found=True), 3)  # type: ignore[misc]
        print(
            f"check() on {n} cookies x 3 phases: {t * 1000:.1f} ms "
            f"({t / n * 1e6:.0f} us per cookie)"
        )
    return 0
