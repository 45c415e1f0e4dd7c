"""Classifier accuracy on the labelled set, and speed (cookies per second on one core).

Accuracy is reported twice: on cookies the knowledge base lists (checks the data) and on the
held-out cookies it does not list (checks the heuristics: the honest estimate for unseen data).
Groups: technical+session / analytics+google_analytics / tracking; `unknown` counts as wrong.

    python -m benchmarks classify
"""

from __future__ import annotations

import csv
import random
import time
from collections import Counter
from pathlib import Path

from scanner.classify import Classifier, KnowledgeBase
from scanner.model import Category, Party
from scanner.values import describe_value

DATA = Path(__file__).parent / "data" / "labelled_cookies.csv"
#: written later, before the knowledge base grew from 570 to 1,286 entries (see BENCHMARKS.md)
HOLDOUT = Path(__file__).parent / "data" / "labelled_holdout.csv"
GROUP = {
    Category.TECHNICAL: "technical+session",
    Category.SESSION: "technical+session",
    Category.ANALYTICS: "analytics+ga",
    Category.GOOGLE_ANALYTICS: "analytics+ga",
    Category.TRACKING: "tracking",
    Category.UNKNOWN: "unknown",
}


def load(path: Path = DATA) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def domains_only(kb: KnowledgeBase) -> KnowledgeBase:
    """The knowledge base without any cookie name: what the heuristics do on unseen names."""
    bare = KnowledgeBase()
    for entry in kb.domains.values():
        bare.add_domain(entry)
    return bare


def predict(classifier: Classifier, row: dict[str, str]) -> Category:
    days = float(row["lifetime_days"]) if row["lifetime_days"] else None
    return classifier.classify(
        row["name"],
        row["domain"],
        party=Party(row["party"]),
        value=describe_value(row["value_example"]),
        lifetime_days=days,
    ).category


def report(title: str, pairs: list[tuple[Category, Category]]) -> None:
    if not pairs:
        return
    print(f"\n### {title} ({len(pairs)} cookies)\n")
    print("| category | precision | recall | support |\n| --- | ---: | ---: | ---: |")
    for category in Category:
        tp = sum(1 for truth, got in pairs if truth == got == category)
        predicted = sum(1 for _, got in pairs if got == category)
        support = sum(1 for truth, _ in pairs if truth == category)
        if not predicted and not support:
            continue
        precision = f"{tp / predicted:.2f}" if predicted else "-"
        recall = f"{tp / support:.2f}" if support else "-"
        print(f"| {category.value} | {precision} | {recall} | {support} |")
    exact = sum(1 for truth, got in pairs if truth == got) / len(pairs)
    grouped = sum(
        1 for truth, got in pairs if got is not Category.UNKNOWN and GROUP[truth] == GROUP[got]
    ) / len(pairs)
    unknown = Counter(got for _, got in pairs)[Category.UNKNOWN]
    print(f"\nexact category: {exact:.1%}; 3-group accuracy: {grouped:.1%}; unknown: {unknown}")


def _corpus(n: int, kb: KnowledgeBase, distinct: bool) -> list[tuple[str, str, Party]]:
    """A scan-like corpus: documented names (with per-site ids where the vendor puts them),
    the labelled cookies, and unknown names; `distinct` makes every cookie unique (worst case:
    nothing is memoised and most names miss the knowledge base)."""
    rng = random.Random(7)
    documented = [name for name in kb.exact]
    prefixes = [e.pattern for bucket in kb.prefixes.values() for e in bucket]
    labelled = [(r["name"], r["domain"]) for r in load()]
    out = []
    for i in range(n):
        pick = rng.random()
        if distinct:
            name, domain = f"ck{i}_{rng.choice(labelled)[0]}", f"www.site{i % 5000}.example"
        elif pick < 0.45:
            name, domain = rng.choice(documented), f"www.site{i % 500}.example"
        elif pick < 0.65:
            name, domain = f"{rng.choice(prefixes)}{rng.randrange(10**6)}", "www.site.example"
        elif pick < 0.9:
            name, domain = rng.choice(labelled)
        else:
            name, domain = f"pref_{rng.randrange(50_000)}", f"www.site{i % 500}.example"
        out.append((name, domain, Party.FIRST))
    return out


def speed(kb: KnowledgeBase, n: int = 200_000) -> None:
    for title, distinct in (("scan-like corpus", False), ("all distinct, mostly unknown", True)):
        inputs = _corpus(n, kb, distinct)
        classifier = Classifier(kb)  # fresh: nothing memoised
        start = time.perf_counter()
        for name, domain, party in inputs:
            classifier.classify(name, domain, party=party)
        elapsed = time.perf_counter() - start
        print(
            f"speed, {title}: {n / elapsed:,.0f} cookies/s "
            f"({n:,} cookies, {len(set(inputs)):,} distinct, one core)"
        )


def main(argv: list[str]) -> int:
    kb = KnowledgeBase.load()
    classifier = Classifier(kb)
    for title, path in (("first set", DATA), ("second set", HOLDOUT)):
        known: list[tuple[Category, Category]] = []
        held_out: list[tuple[Category, Category]] = []
        for row in load(path):
            pair = (Category(row["label"]), predict(classifier, row))
            listed = kb.lookup_name(row["name"], row["domain"].lstrip("."))
            (known if listed else held_out).append(pair)
        report(f"{title}: all labelled cookies", known + held_out)
        report(f"{title}: listed in the knowledge base", known)
        report(f"{title}: not in the knowledge base (heuristics only)", held_out)
    bare = Classifier(domains_only(kb))
    rows = load(DATA) + load(HOLDOUT)
    report(
        "both sets, every cookie name removed from the knowledge base (vendor domains kept)",
        [(Category(row["label"]), predict(bare, row)) for row in rows],
    )
    speed(kb)
    return 0
