"""Every finding's words exist in English and French, with every placeholder filled."""

from __future__ import annotations

import re
import string

import pytest

from scanner.findings_text import (
    EVIDENCE,
    FINDINGS,
    LANGUAGES,
    LEGAL,
    evidence_detail,
    finding_explanation,
    finding_legal_reference,
    finding_title,
    message,
    render_finding_text,
)
from scanner.model import Evidence, Finding, Severity
from scanner.policy import RULES

#: a value for every parameter name a message uses
SAMPLE = {
    "cookie": "_ga@.shop.test",
    "vendor": " (Google Analytics)",
    "category": "tracking",
    "company": "Meta",
    "hosts": ["connect.facebook.net", "www.facebook.com"],
    "names": ["_fbp@.shop.test", "fr@.facebook.com"],
    "declared": ["technical", "analytics"],
    "claims": ["no_personal_data", "exempt"],
    "country": "US",
    "days": 730,
    "actual": 400,
    "declared_days": 30,
    "categories": ["technical", "session"],
    "n": 3,
    "host": "www.facebook.com",
    "cmp": "Klaro",
    "detail": "(Klaro)",
    "layer": "second_layer",
    "method": "autoconsent:cookieconsent3",
    "phase": "reject",
    "error": "inconsistent_choices",
    "action": "custom",
    "expected": "reject_all",
    "choices": "(analytics=yes)",
    "api": "https://consent.example",
    "answer": "HTTP 201, seq 3, hash 0a1b",
}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_rule_has_words_and_a_legal_reference_in_every_language() -> None:
    for rule_id in RULES:
        assert rule_id in FINDINGS and rule_id in LEGAL, rule_id
        for lang in LANGUAGES:
            assert FINDINGS[rule_id][lang].title and LEGAL[rule_id][lang]


@pytest.mark.parametrize("message_id", sorted(FINDINGS))
def test_message_renders_in_both_languages(message_id: str) -> None:
    texts = FINDINGS[message_id]
    assert set(texts) == set(LANGUAGES)
    en_fields = _fields(texts["en"].title) | _fields(texts["en"].explanation)
    for lang in LANGUAGES:
        fields = _fields(texts[lang].title) | _fields(texts[lang].explanation)
        assert fields == en_fields, (message_id, lang)
    params = {k: SAMPLE[k] for k in en_fields}
    msg = message(message_id, **params)  # type: ignore[arg-type]
    en = render_finding_text(msg, "en", check=False, confidence=1.0, basis="classification")
    fr = render_finding_text(msg, "fr", check=False, confidence=1.0, basis="classification")
    for text in (en.title, en.explanation, fr.title, fr.explanation):
        assert "{" not in text and "}" not in text
    assert en.explanation != fr.explanation
    # French text uses French words for the closed vocabularies
    if "category" in en_fields:
        assert "de traçage" in fr.title + fr.explanation
    if "country" in en_fields:
        assert "aux États-Unis" in fr.explanation
    if "phase" in en_fields:
        assert "« tout refuser »" in fr.title and '"reject all"' in en.title


@pytest.mark.parametrize("message_id", sorted(EVIDENCE))
def test_evidence_details_render_in_both_languages(message_id: str) -> None:
    fields = _fields(EVIDENCE[message_id]["en"])
    for lang in LANGUAGES:
        assert _fields(EVIDENCE[message_id][lang]) == fields
    msg = message(message_id, **{k: SAMPLE[k] for k in fields})  # type: ignore[arg-type]
    ev = Evidence(kind="policy", detail="(English)", detail_message=msg)
    for lang in LANGUAGES:
        text = evidence_detail(ev, lang)
        assert text and "{" not in text
    if "layer" in fields:
        assert "dans le niveau des paramètres" in (evidence_detail(ev, "fr") or "")


def test_a_finding_saved_before_messages_keeps_its_own_words() -> None:
    old = Finding(
        rule_id="cookie-before-consent",
        severity=Severity.HIGH,
        title="Cookie that needs consent is set before any choice",
        explanation="The cookie _ga@.x.test was set before any choice.",
        legal_reference=LEGAL["cookie-before-consent"]["en"],
        evidence=[Evidence(kind="cookie", detail="known cookie")],
    )
    assert finding_title(old, "fr") == old.title
    assert finding_explanation(old, "fr") == old.explanation
    assert evidence_detail(old.evidence[0], "fr") == "known cookie"
    # a reference the rule still uses is translated; any other is shown as written
    assert finding_legal_reference(old, "fr") == LEGAL["cookie-before-consent"]["fr"]
    custom = old.model_copy(update={"legal_reference": "Loi n° 78-17"})
    assert finding_legal_reference(custom, "fr") == "Loi n° 78-17"


def test_french_words_are_french() -> None:
    for message_id, texts in FINDINGS.items():
        fr = texts["fr"].title + " " + texts["fr"].explanation
        english = re.findall(r"\b(?:the|cookies? that|was set|visitor|before any)\b", fr)
        assert not english, (message_id, english)
