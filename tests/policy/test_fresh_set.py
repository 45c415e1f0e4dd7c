"""The fresh held-out sets' structure (tests/policy/fresh/, fresh2/, fresh3/): each set's texts
and annotations agree.

The sets are measured only with `python -m benchmarks policy --set fresh` / `fresh2` / `fresh3`
(totals), by the lead (BENCHMARKS.md, "Stage 4", "Stage 5" and the third fresh set); fresh2 is
used up since 2026-12-02 01:52 UTC and has been a tuning set since. This test holds no score
floor and never runs the extractor on the texts or prints their items.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from benchmarks._policy_score import (
    FRESH2_ANNOTATIONS,
    FRESH2_TEXTS,
    FRESH3_ANNOTATIONS,
    FRESH3_TEXTS,
    FRESH_ANNOTATIONS,
    FRESH_TEXTS,
    load_annotations,
    read_text,
)

LANGUAGES = {"fr", "en", "de", "es", "it"}
CATEGORIES = {"technical", "session", "analytics", "google_analytics", "tracking"}
SAFEGUARDS = {"scc", "adequacy", "bcr", "dpf"}
ROLES = {"dpo", "contact", "authority"}
SETS = pytest.mark.parametrize(
    ("annotations", "texts"),
    [
        (FRESH_ANNOTATIONS, FRESH_TEXTS),
        (FRESH2_ANNOTATIONS, FRESH2_TEXTS),
        (FRESH3_ANNOTATIONS, FRESH3_TEXTS),
    ],
    ids=["fresh", "fresh2", "fresh3"],
)


def _raw(annotations: Path) -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = yaml.safe_load(annotations.read_text(encoding="utf-8"))
    return data


@SETS
def test_every_text_is_annotated_held_out_and_the_languages_are_balanced(
    annotations: Path, texts: Path
) -> None:
    loaded = load_annotations(annotations)
    on_disk = sorted(p.name for p in texts.iterdir())
    assert sorted(a.file for a in loaded) == on_disk
    assert {a.split for a in loaded} == {"held_out"}
    per_language = Counter(a.language for a in loaded)
    assert set(per_language) == LANGUAGES
    assert len(set(per_language.values())) == 1, "as many texts in every language"
    assert all(a.file.startswith(f"{a.language}-") for a in loaded)


@SETS
def test_every_annotated_cookie_name_and_contact_email_is_in_its_text(
    annotations: Path, texts: Path
) -> None:
    absent = []
    for file, entry in _raw(annotations).items():
        text = read_text(texts / file)
        cookies = entry.get("cookies") or []
        contacts = entry.get("contacts") or []
        assert isinstance(cookies, list) and isinstance(contacts, list)
        absent += [f"{file}: {c['name']}" for c in cookies if str(c["name"]) not in text]
        absent += [f"{file}: {c['email']}" for c in contacts if c["email"] not in text]
    assert not absent


@SETS
def test_categories_safeguards_and_roles_are_the_scorer_s_values(
    annotations: Path, texts: Path
) -> None:
    bad = []
    for file, entry in _raw(annotations).items():
        categories = entry.get("categories") or []
        cookies = entry.get("cookies") or []
        transfers = entry.get("transfers") or {}
        contacts = entry.get("contacts") or []
        assert isinstance(categories, list) and isinstance(cookies, list)
        assert isinstance(transfers, dict) and isinstance(contacts, list)
        bad += [f"{file}: category {c}" for c in categories if c not in CATEGORIES]
        bad += [
            f"{file}: cookie {c['name']} category {c['category']}"
            for c in cookies
            if c.get("category") is not None and c["category"] not in CATEGORIES
        ]
        bad += [
            f"{file}: safeguard {s}"
            for s in transfers.get("safeguards") or []
            if s not in SAFEGUARDS
        ]
        bad += [f"{file}: role {c['role']}" for c in contacts if c["role"] not in ROLES]
    assert not bad
