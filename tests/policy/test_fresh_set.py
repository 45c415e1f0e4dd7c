"""The fresh held-out set's structure (tests/policy/fresh/): its texts and annotations agree.

The set is measured only with `python -m benchmarks policy --set fresh` (totals), once before
and once after a session's extraction changes (BENCHMARKS.md, "Stage 4"). So this test holds no
score floor and never runs the extractor on the texts or prints their items: whoever runs it
while tuning learns nothing about them.
"""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from benchmarks._policy_score import FRESH_ANNOTATIONS, FRESH_TEXTS, load_annotations, read_text

LANGUAGES = {"fr", "en", "de", "es", "it"}


@pytest.fixture(scope="module")
def raw() -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = yaml.safe_load(
        FRESH_ANNOTATIONS.read_text(encoding="utf-8")
    )
    return data


def test_every_text_is_annotated_held_out_and_the_languages_are_balanced() -> None:
    annotations = load_annotations(FRESH_ANNOTATIONS)
    on_disk = sorted(p.name for p in FRESH_TEXTS.iterdir())
    assert sorted(a.file for a in annotations) == on_disk
    assert {a.split for a in annotations} == {"held_out"}
    per_language = Counter(a.language for a in annotations)
    assert set(per_language) == LANGUAGES
    assert len(set(per_language.values())) == 1, "as many texts in every language"
    assert all(a.file.startswith(f"{a.language}-") for a in annotations)


def test_every_annotated_cookie_name_and_contact_email_is_in_its_text(
    raw: dict[str, dict[str, object]],
) -> None:
    absent = []
    for file, entry in raw.items():
        text = read_text(FRESH_TEXTS / file)
        cookies = entry.get("cookies") or []
        contacts = entry.get("contacts") or []
        assert isinstance(cookies, list) and isinstance(contacts, list)
        absent += [f"{file}: {c['name']}" for c in cookies if str(c["name"]) not in text]
        absent += [f"{file}: {c['email']}" for c in contacts if c["email"] not in text]
    assert not absent
