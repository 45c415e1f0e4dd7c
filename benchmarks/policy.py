"""Policy benchmark: extraction quality on annotated real policies, then speed.

`python -m benchmarks policy [--details tune|seed|held_out] [--no-speed]`

Quality: the 24 real excerpts of ../shared/policy-devset/ (annotated in
tests/policy/devset/annotations.yaml, split into a `tune` and a `held_out` half) and the five
seed policies (tests/policy/devset/seed.yaml, which the extractor was designed on): recall and
precision per language and per item kind (see benchmarks/_policy_score.py for the matching).
`--details` lists the wrong and missed items of one split; never look at `held_out` while tuning.
`--set fresh` scores tests/policy/fresh/ (held out as a whole, written by someone who did not
tune the extractor): totals only, never its items, and never as part of the default run.
`--set fresh2` scores tests/policy/fresh2/, a second such set (20 excerpts), measured twice as
held out and USED UP since 2026-12-02 01:52 UTC: it is a tuning set now, and
`--set fresh2 --details held_out` lists its wrong and missed items. `--set fresh3` scores
tests/policy/fresh3/, a third held-out set (20 excerpts, another author): totals only.

Speed: a 2,000-word policy, the seed policies, a 5 MB page, and `check()` per cookie. Ratios in
one run matter, not absolute numbers (shared machine).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from benchmarks._policy_score import (
    AUTHORED_ANNOTATIONS,
    AUTHORED_TEXTS,
    DEVSET_ANNOTATIONS,
    DEVSET_TEXTS,
    FRESH2_ANNOTATIONS,
    FRESH2_TEXTS,
    FRESH3_ANNOTATIONS,
    FRESH3_TEXTS,
    FRESH_ANNOTATIONS,
    FRESH_TEXTS,
    KINDS,
    SEED_ANNOTATIONS,
    SEED_TEXTS,
    Counts,
    FileResult,
    aggregate,
    evaluate,
    load_annotations,
    overall,
    read_text,
)
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
LANGS = ("fr", "en", "de", "es", "it")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f} %"


def _row(label: str, c: Counts) -> str:
    return f"| {label} | {_pct(c.precision)} | {_pct(c.recall)} | {c.tp} | {c.fp} | {c.fn} |"


def quality(results: list[FileResult], splits: tuple[str, ...], details: str | None) -> None:
    for split in splits:
        rs = [r for r in results if r.annotation.split == split]
        if not rs:
            continue
        total = overall(aggregate(rs))
        print(
            f"\n### {split}: {len(rs)} texts; precision {_pct(total.precision)}, "
            f"recall {_pct(total.recall)}\n"
        )
        print("| language | precision | recall | found | wrong | missed |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for lang in LANGS:
            of_lang = [r for r in rs if r.annotation.language == lang]
            if of_lang:
                print(_row(f"{lang} ({len(of_lang)})", overall(aggregate(of_lang))))
        print(_row("**all**", total))
        print("\n| item kind | precision | recall | found | wrong | missed |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        per_kind = aggregate(rs)
        for kind in KINDS:
            c = per_kind[kind]
            if c.tp or c.fp or c.fn:
                print(_row(kind, c))
        ok = sum(r.quotes_ok for r in rs)
        quotes = sum(r.quotes_total for r in rs)
        lang_ok = sum(r.language_detected == r.annotation.language for r in rs)
        print(
            f"\nquotes found word for word in the text: {ok}/{quotes}; "
            f"language recognised: {lang_ok}/{len(rs)}"
        )
        if details == split:
            for r in rs:
                for c in r.counts.values():
                    for w in c.wrong:
                        print(f"    wrong:  {w}")
                    for m in c.missed:
                        print(f"    missed: {m}")


def _timed(fn: Callable[[], object], repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat


def _cpu(fn: Callable[[], object], repeat: int) -> float:
    """CPU time of this process per call: steadier than wall time on a shared machine."""
    started = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - started) / repeat


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


def _words(text: str, n: int) -> str:
    """The first n words of a text, keeping its lines (so tables and lists stay)."""
    out, count = [], 0
    for line in text.splitlines():
        words = line.split()
        if count + len(words) > n:
            out.append(" ".join(words[: n - count]))
            break
        out.append(line)
        count += len(words)
    return "\n".join(out)


def speed() -> None:
    print(f"\n### speed (load average {os.getloadavg()[0]:.1f})\n")
    docs = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    policies = [("seed 001 (French)", _words(docs["001_164db397119dfc90.txt"], 2000))]
    if DEVSET_TEXTS.is_dir():
        joined = "\n".join(read_text(p) for p in sorted(DEVSET_TEXTS.glob("*.txt")))
        policies.append(("dev-set excerpts (5 languages)", _words(joined, 2000)))
    extract_policy(policies[0][1], None, "text/plain")  # loads the knowledge base once
    for label, text in policies:
        t = _timed(partial(extract_policy, text, None, "text/plain"), 20)
        cpu = _cpu(partial(extract_policy, text, None, "text/plain"), 20)
        print(f"2,000-word policy, {label}: {t * 1000:.1f} ms ({cpu * 1000:.1f} ms of CPU)")
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
        t = _timed(partial(check, scan, None, policy_pages_found=True), 3)
        cpu = _cpu(partial(check, scan, None, policy_pages_found=True), 3)
        print(
            f"check() on {n} cookies x 3 phases: {t * 1000:.1f} ms ({cpu * 1000:.1f} ms of CPU, "
            f"{cpu / n * 1e6:.0f} us per cookie)"
        )


# The fresh sets, scored only when asked: (annotations, texts, heading, items may be listed).
# A held-out one prints totals only; fresh2 is a tuning set since it was used up.
FRESH_SETS: dict[str, tuple[Path, Path, str, bool]] = {
    "fresh": (
        FRESH_ANNOTATIONS,
        FRESH_TEXTS,
        "the fresh held-out set (tests/policy/fresh): totals only",
        False,
    ),
    "fresh2": (
        FRESH2_ANNOTATIONS,
        FRESH2_TEXTS,
        "the second fresh set (tests/policy/fresh2; used up as a held-out set since 2026-12-02"
        " 01:52 UTC, now a tuning set)",
        True,
    ),
    "fresh3": (
        FRESH3_ANNOTATIONS,
        FRESH3_TEXTS,
        "the third fresh held-out set (tests/policy/fresh3): totals only",
        False,
    ),
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks policy")
    parser.add_argument("--details", choices=("tune", "held_out", "seed"))
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="also score the held-out half of the team-written set (only once a change is done)",
    )
    parser.add_argument(
        "--set",
        choices=("all", "devset", "authored", "seed", *FRESH_SETS),
        default="all",
        help="which annotated set(s) to score (default: all; `fresh`, `fresh2` and `fresh3` only "
        "when asked; `fresh` and `fresh3` totals only; `fresh2` is used up since 2026-12-02 "
        "01:52 UTC and is a tuning set: `--details held_out` lists its items)",
    )
    args = parser.parse_args(argv)
    if args.set in ("all", "authored"):
        authored = evaluate(load_annotations(AUTHORED_ANNOTATIONS), AUTHORED_TEXTS)
        print("## extraction on the team-written set (tests/policy/authored)")
        halves = ("tune", "held_out") if args.held_out else ("tune",)
        quality(authored, halves, args.details)
    if args.set in ("all", "devset") and DEVSET_TEXTS.is_dir():
        dev = evaluate(load_annotations(DEVSET_ANNOTATIONS), DEVSET_TEXTS)
        print("## extraction on the dev set (../shared/policy-devset)")
        quality(dev, ("tune", "held_out"), args.details)
    elif args.set in ("all", "devset"):
        print(f"(dev set not found at {DEVSET_TEXTS}: extraction quality not measured)")
    if args.set in ("all", "seed"):
        seeds = evaluate(load_annotations(SEED_ANNOTATIONS), SEED_TEXTS)
        print("\n## extraction on the seed policies (designed on them: a regression check)")
        quality(seeds, ("seed",), args.details)
    if args.set in FRESH_SETS:
        annotations, texts, heading, itemised = FRESH_SETS[args.set]
        print(f"## extraction on {heading}")
        quality(
            evaluate(load_annotations(annotations), texts),
            ("held_out",),
            args.details if itemised else None,
        )
    if not args.no_speed:
        speed()
    return 0
