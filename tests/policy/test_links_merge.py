"""policy_link_kind (the crawler's choice of policy pages) and merge_policies."""

from __future__ import annotations

import pytest

from scanner.model import Category
from scanner.policy import (
    DeclaredCookie,
    DeclaredPolicy,
    DeclaredTransfer,
    Flag,
    Origin,
    TransferKind,
    merge_policies,
    policy_link_kind,
)
from scanner.policy.declared import DeclaredCategory


@pytest.mark.parametrize(
    ("url", "text", "kind"),
    [
        ("https://s.fr/politique-de-confidentialite", "Politique de confidentialité", "privacy"),
        ("https://s.fr/page/12", "Données personnelles", "privacy"),
        ("https://s.fr/page/13", "Gestion des cookies", "cookies"),
        ("https://s.fr/page/14", "Mentions légales", "legal"),
        ("https://s.com/legal/privacy", "Privacy Policy", "privacy"),
        ("https://s.com/p", "Cookie Policy", "cookies"),
        ("https://s.de/datenschutz", "Datenschutzerklärung", "privacy"),
        ("https://s.de/impressum", "Impressum", "legal"),
        ("https://s.es/privacidad", "Política de privacidad", "privacy"),
        ("https://s.es/aviso-legal", "Aviso legal", "legal"),
        ("https://s.es/cookies", "Política de cookies", "cookies"),
        ("https://s.it/privacy", "Informativa sulla privacy", "privacy"),
        ("https://s.it/note-legali", "Note legali", "legal"),
        ("https://s.fr/politique", "Politique de confidentialité et cookies", "cookies"),
        ("https://s.com/cookie-policy", "", "cookies"),
        ("https://s.com/en/privacy-notice", "Read more", "privacy"),
        ("https://s.fr/mentions-legales", "", "legal"),
        ("https://s.fr/produits", "Nos produits", None),
        ("https://s.fr/blog/cookies-recipes.jpg", "cookies", None),
        ("mailto:dpo@s.fr", "Contact DPO privacy", None),
        ("https://s.fr/contact", "Contact", None),
    ],
)
def test_policy_link_kind(url: str, text: str, kind: str | None) -> None:
    assert policy_link_kind(url, text) == kind


def test_merge_empty_and_single() -> None:
    assert merge_policies([]) is None
    one = DeclaredPolicy(mentions_cookies=True)
    assert merge_policies([one]) is one


def test_merge_declaration_wins_where_both_speak() -> None:
    page = DeclaredPolicy(
        sources=["https://s.test/privacy"],
        language="fr",
        mentions_cookies=True,
        categories=[DeclaredCategory(category=Category.TECHNICAL, quote="cookies techniques")],
        cookies=[DeclaredCookie(name="lang", lifetime_days=30, quote="lang 30 jours")],
        collects_personal_data=Flag(value=False, quote="aucune donnée"),
        transfers=[DeclaredTransfer(kind=TransferKind.NONE, quote="pas de transfert")],
    )
    declared = DeclaredPolicy(
        origin=Origin.DECLARATION,
        sources=["site.yaml"],
        categories=[DeclaredCategory(category=Category.ANALYTICS, quote="declared")],
        cookies=[
            DeclaredCookie(name="lang", lifetime_days=365, quote="declared"),
            DeclaredCookie(name="_pk_id.*", lifetime_days=390, quote="declared"),
        ],
        collects_personal_data=Flag(value=True, quote="declared"),
        transfers=[DeclaredTransfer(kind=TransferKind.SAFEGUARDS, safeguards=["scc"])],
    )
    merged = merge_policies([page, declared])
    assert merged is not None
    assert merged.origin is Origin.MERGED
    assert merged.sources == ["site.yaml", "https://s.test/privacy"]
    assert merged.language == "fr" and merged.mentions_cookies
    assert [c.category for c in merged.categories] == [Category.ANALYTICS, Category.TECHNICAL]
    assert [(c.name, c.lifetime_days) for c in merged.cookies] == [
        ("lang", 365),
        ("_pk_id.*", 390),
    ]
    assert merged.collects_personal_data == Flag(value=True, quote="declared")
    assert [t.kind for t in merged.transfers] == [TransferKind.SAFEGUARDS]
    # quotes of the page survive where the declaration is silent
    assert merged.categories[1].quote == "cookies techniques"
