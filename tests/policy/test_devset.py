"""The annotated dev set as a regression test: extraction may get better, never worse.

The texts are real third-party policy excerpts read from ../shared/policy-devset (never copied
into the repository); what a careful reader notes in each is in tests/policy/devset/. The
floors below are the measured precision and recall (BENCHMARKS.md, "Policy extraction"),
rounded down: raise them when the extractor improves. On a laptop without ../shared the dev
set is skipped with the reason; under CI it must be there.
"""

from __future__ import annotations

import pytest

from benchmarks._policy_score import (
    DEVSET_ANNOTATIONS,
    DEVSET_TEXTS,
    KINDS,
    SEED_ANNOTATIONS,
    SEED_TEXTS,
    Annotation,
    FileResult,
    aggregate,
    evaluate,
    load_annotations,
    overall,
    score,
)
from scanner.policy import extract_policy
from tests.conftest import IN_CI

#: (split) -> (precision, recall) floors, in percent
FLOORS = {
    "tune": (95, 92),
    "held_out": (95, 84),
    "seed": (95, 95),
}


@pytest.fixture(scope="module")
def devset() -> list[FileResult]:
    if not DEVSET_TEXTS.is_dir():
        message = f"the policy dev set is not at {DEVSET_TEXTS}"
        if IN_CI:
            pytest.fail(f"{message} (CI is set: it is required)")
        pytest.skip(message)
    return evaluate(load_annotations(DEVSET_ANNOTATIONS), DEVSET_TEXTS)


@pytest.fixture(scope="module")
def seeds() -> list[FileResult]:
    return evaluate(load_annotations(SEED_ANNOTATIONS), SEED_TEXTS)


def test_annotations_cover_the_dev_set(devset: list[FileResult]) -> None:
    on_disk = sorted(p.name for p in DEVSET_TEXTS.glob("*.txt"))
    assert sorted(r.annotation.file for r in devset) == on_disk
    splits = {r.annotation.split for r in devset}
    assert splits == {"tune", "held_out"}
    # stratified by language: every language has texts in both halves
    for lang in {r.annotation.language for r in devset}:
        of_lang = {r.annotation.split for r in devset if r.annotation.language == lang}
        assert of_lang == {"tune", "held_out"}, lang


@pytest.mark.parametrize("split", ["tune", "held_out"])
def test_devset_extraction_does_not_regress(devset: list[FileResult], split: str) -> None:
    results = [r for r in devset if r.annotation.split == split]
    total = overall(aggregate(results))
    floor_p, floor_r = FLOORS[split]
    assert total.precision is not None and total.recall is not None
    wrong = "\n".join(total.wrong)
    missed = "\n".join(total.missed)
    assert total.precision * 100 >= floor_p, f"precision fell; wrong items:\n{wrong}"
    assert total.recall * 100 >= floor_r, f"recall fell; missed items:\n{missed}"


def test_seed_policies_do_not_regress(seeds: list[FileResult]) -> None:
    total = overall(aggregate(seeds))
    floor_p, floor_r = FLOORS["seed"]
    assert total.precision is not None and total.recall is not None
    assert total.precision * 100 >= floor_p, "\n".join(total.wrong)
    assert total.recall * 100 >= floor_r, "\n".join(total.missed)


def test_every_quote_is_the_policy_s_own_words(
    devset: list[FileResult], seeds: list[FileResult]
) -> None:
    results = devset + seeds
    ok = sum(r.quotes_ok for r in results)
    total = sum(r.quotes_total for r in results)
    assert total and ok / total >= 0.95, (ok, total)


def test_item_kinds_are_all_scored(devset: list[FileResult]) -> None:
    kinds = {k for r in devset for k in r.counts}
    assert kinds == set(KINDS)


def test_a_single_product_of_a_company_scores_as_that_company_and_legal_forms_are_ignored() -> None:
    ann = Annotation(
        file="t.txt",
        language="en",
        split="tune",
        items={"vendor": [("meta",), ("pinterest",), ("google ads",), ("seeweb",)]},
        optional={"vendor": [("facebook",)]},
        vendor_aliases={"google ads": frozenset({"google ads", "google"})},
    )
    text = (
        "We use the Meta Pixel, the Pinterest Tag and Google Analytics. Our servers are "
        "provided by Seeweb S.r.l. in Milan."
    )
    counts = score(ann, extract_policy(text, "t", "text/plain"))["vendor"]
    # Meta Pixel is Meta's, Pinterest Tag is Pinterest's; Google Analytics is not Google Ads
    # although Google Ads is also called "Google": Google sells several products
    assert (counts.tp, counts.fp, counts.fn) == (3, 1, 1)
    assert counts.wrong == ["t.txt: vendor google analytics"]
