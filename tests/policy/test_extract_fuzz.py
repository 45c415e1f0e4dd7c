"""extract_policy never raises, whatever the page (a scan must complete)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.policy import DeclaredPolicy, extract_policy

FRAGMENTS = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<h2>",
        "</h2>",
        "<table><tr><td>",
        "</td><td>",
        "</td></tr></table>",
        "<li>",
        "<br>",
        "<script>",
        "</script>",
        "cookie",
        "cookies de traçage ",
        "13 mois ",
        "vingt-huit (28) jours",
        "hors UE",
        "pas de transfert ",
        "États-Unis ",
        ": ",
        " | ",
        "\t",
        "\n",
        "Nom",
        "Durée",
        "_ga",
        "Session",
        "dpo@x.fr ",
        "%PDF-",
        "ne collecte aucune ",
        "donnée personnelle",
        "n'",
        "que ",
        "Google Analytics",
        "—",
        "«",
        "»",
        "\u200b",
        "\x00",
    ]
)
DOCUMENTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=60).map("".join),
)


@settings(max_examples=150, deadline=None)
@given(
    document=DOCUMENTS,
    content_type=st.sampled_from(
        ["text/html", "text/plain", "text/markdown", "application/pdf", "text/html; charset=utf-8"]
    ),
)
def test_never_raises(document: str, content_type: str) -> None:
    policy = extract_policy(document, "https://s.test/p", content_type)
    assert DeclaredPolicy.model_validate(policy.model_dump(mode="json")) == policy
