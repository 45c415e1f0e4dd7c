"""Classifier accuracy on cookies labelled by others, and speed, against the baseline in one run.

    python -m benchmarks classify            # every set, both parts, speed
    python -m benchmarks.classify --errors   # also list the errors of the *tuning* parts
    python -m benchmarks.classify --ablation # each idea taken out alone, both parts
    python -m benchmarks classify --baseline=COMMIT  # compare with another commit's classifier

Sets (see `classify_sets.py`): sites' own cookie tables, a consent platform's declarations,
the Open Cookie Database; plus our two older vendor-documentation sets and the team-written
crawl-shaped check set (a coverage check, not an independent evaluation). The 3 groups are
technical+session / analytics (google_analytics included) / tracking; `unknown` is wrong.
The baseline is the classifier as it was before this work (git `BASELINE`), loaded from git
history into a private package, so before/after and speed ratios come from the same run.
"""

from __future__ import annotations

import csv
import importlib
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.classify_sets import (
    ANALYTICS,
    CMP_SET,
    OCD_PATH,
    SITE_SET,
    TECHNICAL,
    TRACKING,
    Labelled,
    load_crawl,
    load_ocd,
    load_set,
)
from scanner.classify import Classifier, KnowledgeBase
from scanner.model import Party
from scanner.values import describe_value

DATA = Path(__file__).parent / "data"
OLD_SETS = {"vendor docs, first set": DATA / "labelled_cookies.csv"}
OLD_SETS["vendor docs, second set"] = DATA / "labelled_holdout.csv"
#: main before the work on classification beyond the knowledge base (issue 11, part 4)
BASELINE = "c1da143"
ROOT = Path(__file__).resolve().parents[1]
GROUP = {
    "technical": TECHNICAL,
    "session": TECHNICAL,
    "analytics": ANALYTICS,
    "google_analytics": ANALYTICS,
    "tracking": TRACKING,
}

Predict = Callable[[Labelled], str]
CRAWL = "crawl-shaped (team-written)"


def _setter(row: Labelled) -> str | None:
    host = row.set_by or (row.hosts[0] if row.hosts else "")
    return f"https://{host}/" if host else None


def old_set(path: Path) -> list[Labelled]:
    """Our older vendor-documentation sets in the common shape (their split is their own)."""
    with path.open(encoding="utf-8") as handle:
        return [
            Labelled(
                name=row["name"],
                domain=row["domain"].lstrip("."),
                site=None,
                lifetime_days=float(row["lifetime_days"]) if row["lifetime_days"] else None,
                label=row["label"],
                group=GROUP[row["label"]],
                unit=row["source"],
                hosts=(),
                split="holdout",
                party=row["party"],
                value=row["value_example"],
            )
            for row in csv.DictReader(handle)
        ]


def predictor(classifier: Any, with_context: bool = True, with_setter: bool = True) -> Predict:
    """Classify a labelled cookie with whatever the source gives (domain, party, site, the
    hosts the same source loads as the scan context; the baseline takes no context)."""

    def predict(row: Labelled) -> str:
        verdict = classifier.classify(
            row.name,
            row.domain,
            party=Party(row.party) if row.party else None,
            value=describe_value(row.value) if row.value else None,
            lifetime_days=row.lifetime_days,
            set_by=_setter(row) if with_setter else None,
            site=row.site,
            **({"context": frozenset(row.hosts)} if row.hosts and with_context else {}),
            **({} if row.lifetime_known or not with_context else {"lifetime_known": False}),
        )
        return GROUP.get(str(verdict.category.value), "unknown")

    return predict


def accuracy(rows: list[Labelled], predict: Predict) -> float:
    return sum(1 for r in rows if predict(r) == r.group) / len(rows) if rows else float("nan")


def _pct(value: float) -> str:
    return "-" if value != value else f"{value:.1%}"


def compare(
    sets: dict[str, list[Labelled]],
    systems: dict[str, Predict],
    kb: KnowledgeBase,
) -> None:
    """One markdown table: 3-group accuracy per set and part, for every system."""
    names = list(systems)
    print("\n| set | part | cookies | listed | " + " | ".join(names) + " |")
    print("| --- | --- | ---: | ---: |" + " ---: |" * len(names))
    for title, rows in sets.items():
        parts = {"tune": [r for r in rows if r.split == "tune"]}
        parts["held out"] = [r for r in rows if r.split == "holdout"]
        for part, chosen in parts.items():
            if not chosen:
                continue
            listed = sum(1 for r in chosen if kb.lookup_name(r.name, r.domain))
            cells = [_pct(accuracy(chosen, predict)) for predict in systems.values()]
            print(
                f"| {title} | {part} | {len(chosen)} | {listed / len(chosen):.0%} | "
                + " | ".join(cells)
                + " |"
            )


def confusion(title: str, rows: Iterable[Labelled], predict: Predict) -> None:
    groups = [TECHNICAL, ANALYTICS, TRACKING]
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.group, predict(row))
        counts[key] = counts.get(key, 0) + 1
    print(f"\n{title}: rows = label, columns = verdict\n")
    print("| label | " + " | ".join([*groups, "unknown"]) + " |")
    print("| --- |" + " ---: |" * (len(groups) + 1))
    for label in groups:
        cells = [str(counts.get((label, got), 0)) for got in [*groups, "unknown"]]
        print(f"| {label} | " + " | ".join(cells) + " |")


def errors(title: str, rows: Iterable[Labelled], classifier: Classifier) -> None:
    """Every error of a tuning part, with the reason the classifier gave."""
    print(f"\n### errors, {title} (tuning part only)\n")
    predict = predictor(classifier)
    for row in rows:
        if row.split != "tune":
            continue
        got = predict(row)
        if got != row.group:
            verdict = classifier.classify(
                row.name,
                row.domain,
                party=Party(row.party) if row.party else None,
                value=describe_value(row.value) if row.value else None,
                lifetime_days=row.lifetime_days,
                lifetime_known=row.lifetime_known,
                set_by=_setter(row),
                site=row.site,
                context=frozenset(row.hosts) if row.hosts else None,
            )
            note = f" (ambiguous: {row.ambiguous})" if row.ambiguous else ""
            print(f"- {row.name!r} @{row.domain or '?'} [{row.unit}] label {row.label!r}{note}")
            print(f"  -> {got}: {verdict.reason}")


def ablation(sets: dict[str, list[Labelled]]) -> None:
    """Each idea taken out alone: what it is worth on each part (tuning and held out)."""
    from scanner.classify import classifier as module

    def build(**changes: Any) -> Predict:
        kb = KnowledgeBase.load([], fallback=changes.get("fallback", True))
        if changes.get("no_roles"):
            kb.roles = {}
        if changes.get("no_names"):  # what is left beyond the knowledge of names
            kb.exact, kb.exact_folded, kb.prefixes, kb.fallback = {}, {}, {}, None
        return predictor(Classifier(kb), with_setter=changes.get("setter", True))

    rows = {t: sets[t] for t in ("sites' own tables", "consent platform", CRAWL)}
    systems = {
        "all": build(),
        "without the OCD layer": build(fallback=False),
        "without vendor roles": build(no_roles=True),
        "without the setter and hosts": build(setter=False),
        "no name known (domains, setter, heuristics)": build(no_names=True),
    }
    # rules taken out by replacing them, for this computation only, with "does not apply"
    off = {
        "two-character prefixes decide alone": ("SHORT_PREFIX", 0),
        "without visit ids of scripts": ("_visit_id", lambda *a: None),
        "without other parties' tags": ("_other_party_tag", lambda *a: None),
        "without vendors' names for lists without domains": ("MIN_SCOPED", 10**6),
        "without ids of technical tools' scripts": ("_tool_id", lambda *a: None),
    }
    replacements: dict[str, tuple[str, Any]] = off
    for title, (attribute, replacement) in replacements.items():
        saved = getattr(module, attribute)
        setattr(module, attribute, replacement)
        try:
            predict = build()
            answers = {id(r): predict(r) for chosen in rows.values() for r in chosen}
        finally:
            setattr(module, attribute, saved)
        systems[title] = lambda row, answers=answers: answers[id(row)]  # type: ignore[misc]
    compare(rows, systems, KnowledgeBase.load([]))


# -- the baseline, from git history ---------------------------------------------------------


def load_baseline(commit: str = BASELINE) -> ModuleType | None:
    """scanner/classify as of `commit`, importable as `_baseline_classify` (None without git)."""
    target = Path(tempfile.mkdtemp(prefix="classify-baseline-")) / "_baseline_classify"
    (target / "data").mkdir(parents=True)
    try:
        for name in ("__init__.py", "classifier.py", "knowledge.py", "ocd.py", "scan.py"):
            text = _git_show(commit, f"scanner/classify/{name}")
            text = text.replace("scanner.classify", "_baseline_classify")
            (target / name).write_text(text, encoding="utf-8")
        for name in ("cookies.csv", "domains.csv"):
            (target / "data" / name).write_text(
                _git_show(commit, f"scanner/classify/data/{name}"), encoding="utf-8"
            )
    except (OSError, subprocess.CalledProcessError):
        return None
    for name in ("roles.csv", "ocd_cookies.csv"):  # the later layers, where the commit has them
        try:
            text = _git_show(commit, f"scanner/classify/data/{name}")
        except subprocess.CalledProcessError:
            continue
        (target / "data" / name).write_text(text, encoding="utf-8")
    sys.path.insert(0, str(target.parent))
    return importlib.import_module("_baseline_classify")


def _git_show(commit: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{commit}:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


# -- speed ---------------------------------------------------------------------------------


def _corpus(n: int, kb: KnowledgeBase, distinct: bool) -> list[tuple[str, str, Party]]:
    """A scan-like corpus: documented names (with per-site ids where the vendor puts them),
    the labelled cookies, and unknown names; `distinct` makes every cookie unique (worst case:
    nothing is memoised and most names miss the knowledge base)."""
    rng = random.Random(7)
    documented = list(kb.exact)
    prefixes = [e.pattern for bucket in kb.prefixes.values() for e in bucket]
    labelled = [(r.name, r.domain) for r in old_set(OLD_SETS["vendor docs, first set"])]
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


def _once(classifier: Any, inputs: list[tuple[str, str, Party]]) -> float:
    """CPU seconds of this process (not wall time: on a shared machine the wait for a core
    is not the classifier's)."""
    start = time.process_time()
    for name, domain, party in inputs:
        classifier.classify(name, domain, party=party)
    return time.process_time() - start


def speed(
    kb: KnowledgeBase, baseline: ModuleType | None, n: int = 200_000, rounds: int = 5
) -> None:
    """Cookies/s on one core, best of `rounds`; baseline and now alternate round by round (a
    fresh classifier each time: nothing memoised) so both see the same machine load."""
    print("\n| corpus | baseline cookies/s | now cookies/s | ratio |\n| --- | ---: | ---: | ---: |")
    old_kb = baseline.KnowledgeBase.load([]) if baseline else None
    for title, distinct in (("scan-like", False), ("all distinct, mostly unknown", True)):
        inputs = _corpus(n, kb, distinct)
        old = now = float("inf")
        for _ in range(rounds):
            if baseline is not None:
                old = min(old, _once(baseline.Classifier(old_kb), inputs))
            now = min(now, _once(Classifier(kb), inputs))
        if baseline is None:
            print(f"| {title} | - | {n / now:,.0f} | - |")
        else:
            print(f"| {title} | {n / old:,.0f} | {n / now:,.0f} | {old / now:.2f} |")


def main(argv: list[str]) -> int:
    kb = KnowledgeBase.load([])
    classifier = Classifier(kb)
    sets = {"sites' own tables": load_set(SITE_SET), "consent platform": load_set(CMP_SET)}
    sets[CRAWL] = load_crawl()
    sets[CRAWL + ", sources agree"] = [r for r in sets[CRAWL] if not r.ambiguous]
    if OCD_PATH.is_file():
        sets["Open Cookie Database"] = load_ocd()
    else:
        print(f"(no {OCD_PATH}: the Open Cookie Database agreement is not measured)")
    for title, path in OLD_SETS.items():
        sets[title] = old_set(path)
    systems: dict[str, Predict] = {}
    # --baseline=COMMIT: compare with another commit (one that takes the scan context)
    chosen = next((a.split("=", 1)[1] for a in argv if a.startswith("--baseline=")), None)
    baseline = load_baseline(chosen or BASELINE)
    if baseline is not None:
        old = baseline.Classifier(baseline.KnowledgeBase.load([]))
        systems["baseline"] = predictor(old, with_context=chosen is not None)
    systems["now, no OCD layer"] = predictor(Classifier(KnowledgeBase.load([], fallback=False)))
    systems["now"] = predictor(classifier)
    print("### 3-group accuracy (listed = share of names the knowledge base lists)")
    compare(sets, systems, kb)
    for title in ("sites' own tables", "consent platform", CRAWL):
        confusion(
            f"{title}, tuning part, now",
            [r for r in sets[title] if r.split == "tune"],
            systems["now"],
        )
    if "--ablation" in argv:
        print("\n### each idea taken out alone")
        ablation(sets)
    if "--errors" in argv:
        for title in ("sites' own tables", "consent platform", CRAWL, "Open Cookie Database"):
            if title in sets:
                errors(title, sets[title], classifier)
    if "--no-speed" not in argv:
        speed(kb, baseline)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
