"""The words of every finding, in English and French.

Rules do not write sentences: they emit a `Message` (an id from the catalogue below and its
parameters) and `render_finding` turns it into the title and explanation of one language. The
English rendering is stored in `scan.json` (`Finding.title`, `Finding.explanation`) for
machines and older readers; `reports/` renders the message again in the report's language, so
a French report never mixes languages. Scans saved before messages existed keep their English
text.

Placeholders: `{name}` is a parameter as is (cookie names, companies, hosts: site data is
never translated); `{name:kind}` converts it first, where kind is one of
- `category` / `categories`: category value(s) to words ("tracking" -> "de traçage"),
- `days`: a lifetime in days ("about 24 months", "environ 24 mois"; None = browser session),
- `country`: ISO 3166 code to a country name,
- `claims`: ids of policy claims ("no_personal_data", "anonymised", "exempt"),
- `click`: a consent phase as the button clicked (`reject` -> "reject all"),
- `layer`: where a banner choice was made (`scanner.model.BannerLayer`) to words,
- `list`: a list joined with commas.

Adding a rule: add its title and explanation in both languages here; the test
tests/policy/test_findings_text.py renders every message in both and fails on a gap.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from scanner.model import Evidence, Finding, Message, MessageParam

LANGUAGES = ("en", "fr")

#: below this confidence a finding is a point to check, not a violation
LOW_CONFIDENCE = 0.6


@dataclass(frozen=True)
class Text:
    title: str
    explanation: str


_TAIL_EN = (
    "Only cookies strictly necessary for the service the visitor asked for may be stored "
    "without consent."
)
_TAIL_FR = (
    "Seuls les cookies strictement nécessaires au service demandé par le visiteur peuvent être "
    "déposés sans son consentement."
)

FINDINGS: dict[str, dict[str, Text]] = {
    "cookie-before-consent": {
        "en": Text(
            "Cookie that needs consent is set before any choice",
            "The cookie {cookie}{vendor}, classified as {category:category}, was set before "
            "the visitor made any choice. " + _TAIL_EN,
        ),
        "fr": Text(
            "Cookie soumis à consentement déposé avant tout choix",
            "Le cookie {cookie}{vendor}, classé {category:category}, a été déposé avant que "
            "le visiteur ait fait un choix. " + _TAIL_FR,
        ),
    },
    "cookie-before-consent.unknown": {
        "en": Text(
            "Cookie that needs consent is set before any choice",
            "The cookie {cookie}{vendor} is not recognised, so it is not presumed exempt, and "
            "it was set before the visitor made any choice. " + _TAIL_EN,
        ),
        "fr": Text(
            "Cookie soumis à consentement déposé avant tout choix",
            "Le cookie {cookie}{vendor} n'est pas reconnu, il n'est donc pas présumé exempté, "
            "et il a été déposé avant que le visiteur ait fait un choix. " + _TAIL_FR,
        ),
    },
    "cookie-after-reject": {
        "en": Text(
            "Cookie that needs consent is set although the visitor rejected all",
            "The cookie {cookie}{vendor}, classified as {category:category}, was set after "
            'the visitor clicked "reject all". ' + _TAIL_EN,
        ),
        "fr": Text(
            "Cookie soumis à consentement déposé malgré le refus du visiteur",
            "Le cookie {cookie}{vendor}, classé {category:category}, a été déposé après que "
            "le visiteur a cliqué sur « tout refuser ». " + _TAIL_FR,
        ),
    },
    "cookie-after-reject.unknown": {
        "en": Text(
            "Cookie that needs consent is set although the visitor rejected all",
            "The cookie {cookie}{vendor} is not recognised, so it is not presumed exempt, and "
            'it was set after the visitor clicked "reject all". ' + _TAIL_EN,
        ),
        "fr": Text(
            "Cookie soumis à consentement déposé malgré le refus du visiteur",
            "Le cookie {cookie}{vendor} n'est pas reconnu, il n'est donc pas présumé exempté, "
            "et il a été déposé après que le visiteur a cliqué sur « tout refuser ». " + _TAIL_FR,
        ),
    },
    "tracker-request-before-consent": {
        "en": Text(
            "Requests to a tracker before any choice: {company}",
            "The browser sent requests to {company} ({hosts:list}) before the visitor made any "
            "choice. These requests carry the visitor's IP address and identifiers to a "
            "tracker.",
        ),
        "fr": Text(
            "Requêtes vers un traceur avant tout choix : {company}",
            "Le navigateur a envoyé des requêtes à {company} ({hosts:list}) avant que le "
            "visiteur ait fait un choix. Ces requêtes transmettent son adresse IP et des "
            "identifiants à un traceur.",
        ),
    },
    "tracker-request-after-reject": {
        "en": Text(
            "Requests to a tracker although the visitor rejected all: {company}",
            "The browser sent requests to {company} ({hosts:list}) after the visitor clicked "
            '"reject all". These requests carry the visitor\'s IP address and identifiers to '
            "a tracker.",
        ),
        "fr": Text(
            "Requêtes vers un traceur malgré le refus du visiteur : {company}",
            "Le navigateur a envoyé des requêtes à {company} ({hosts:list}) après que le "
            "visiteur a cliqué sur « tout refuser ». Ces requêtes transmettent son adresse IP "
            "et des identifiants à un traceur.",
        ),
    },
    "banner-no-reject-first-layer": {
        "en": Text(
            "The banner's first layer offers to accept but not to reject",
            "The banner lets the visitor accept in one click but refusing takes more steps. "
            "Refusing must be as easy as accepting.",
        ),
        "fr": Text(
            "Le premier niveau du bandeau permet d'accepter mais pas de refuser",
            "Le bandeau permet d'accepter en un clic, mais refuser demande plus d'étapes. "
            "Refuser doit être aussi simple qu'accepter.",
        ),
    },
    "consent-record-missing": {
        "en": Text(
            "No consent record for the {phase:click} click",
            "The banner talks to the consent API, but after the visitor's {phase:click} click "
            "the API holds no record of that choice. The site must be able to demonstrate "
            "the visitor's choice.",
        ),
        "fr": Text(
            "Aucune preuve du choix après le clic {phase:click}",
            "Le bandeau utilise l'API de consentement, mais après le clic {phase:click} du "
            "visiteur l'API ne conserve aucun enregistrement de ce choix. Le site doit pouvoir "
            "démontrer le choix du visiteur.",
        ),
    },
    "consent-record-failed": {
        "en": Text(
            "The consent API refused the record of the {phase:click} click",
            "After the visitor's {phase:click} click the banner posted the choice, but the "
            "consent API answered {error} and recorded nothing. The site must be able to "
            "demonstrate the visitor's choice.",
        ),
        "fr": Text(
            "L'API de consentement a refusé d'enregistrer le clic {phase:click}",
            "Après le clic {phase:click} du visiteur, le bandeau a envoyé le choix, mais l'API "
            "de consentement a répondu {error} et n'a rien enregistré. Le site doit pouvoir "
            "démontrer le choix du visiteur.",
        ),
    },
    "consent-record-contradicts-click": {
        "en": Text(
            "The consent record contradicts the {phase:click} click",
            "After the visitor's {phase:click} click, the consent API recorded the action "
            "{action} granting {categories:list}. A refusal must be recorded as reject_all "
            "with every optional category refused.",
        ),
        "fr": Text(
            "L'enregistrement du consentement contredit le clic {phase:click}",
            "Après le clic {phase:click} du visiteur, l'API de consentement a enregistré "
            "l'action {action} qui accepte {categories:list}. Un refus doit être enregistré "
            "comme reject_all, chaque catégorie facultative refusée.",
        ),
    },
    "consent-record-contradicts-click.accept": {
        "en": Text(
            "The consent record contradicts the {phase:click} click",
            "After the visitor's {phase:click} click, the consent API recorded the action "
            "{action} refusing {categories:list}. An acceptance must be recorded as "
            "accept_all with every optional category granted.",
        ),
        "fr": Text(
            "L'enregistrement du consentement contredit le clic {phase:click}",
            "Après le clic {phase:click} du visiteur, l'API de consentement a enregistré "
            "l'action {action} qui refuse {categories:list}. Une acceptation doit être "
            "enregistrée comme accept_all, chaque catégorie facultative acceptée.",
        ),
    },
    "consent-record-contradicts-click.action": {
        "en": Text(
            "The consent record contradicts the {phase:click} click",
            "After the visitor's {phase:click} click, the consent API recorded the action "
            "{action} instead of {expected}. The record must say what the visitor clicked.",
        ),
        "fr": Text(
            "L'enregistrement du consentement contredit le clic {phase:click}",
            "Après le clic {phase:click} du visiteur, l'API de consentement a enregistré "
            "l'action {action} au lieu de {expected}. L'enregistrement doit dire ce que le "
            "visiteur a cliqué.",
        ),
    },
    "category-not-declared": {
        "en": Text(
            "Cookies of a category the policy does not declare: {category:category}",
            "The site sets {category:category} cookies ({names:list}) that the policy neither "
            "lists by name nor covers by their vendor, and the policy only declares: "
            "{declared:categories}.",
        ),
        "fr": Text(
            "Cookies d'une catégorie que la politique ne déclare pas : {category:category}",
            "Le site dépose des cookies {category:category} ({names:list}) que la politique ne "
            "cite ni par leur nom ni par leur fournisseur, et elle ne déclare que : "
            "{declared:categories}.",
        ),
    },
    "ga-not-declared": {
        "en": Text(
            "Google Analytics is used but the policy does not say so",
            "Google Analytics runs on the site (its cookies or requests were seen) but the "
            "policy names neither Google Analytics nor the transfer of visitors' data to "
            "Google.",
        ),
        "fr": Text(
            "Google Analytics est utilisé mais la politique ne le dit pas",
            "Google Analytics fonctionne sur le site (ses cookies ou ses requêtes ont été "
            "observés) mais la politique ne nomme ni Google Analytics ni le transfert des "
            "données des visiteurs à Google.",
        ),
    },
    "ga-contradicts-policy": {
        "en": Text(
            "Google Analytics identifiers contradict the policy's claims",
            "The policy says the site {claims:claims}, but Google Analytics identifiers "
            "({names:list}) are set: they single out each browser, are sent to Google (United "
            "States), and Google Analytics is not among the audience-measurement tools that "
            "may run without consent.",
        ),
        "fr": Text(
            "Les identifiants de Google Analytics contredisent la politique",
            "La politique affirme que le site {claims:claims}, mais des identifiants de Google "
            "Analytics ({names:list}) sont déposés : ils distinguent chaque navigateur, sont "
            "envoyés à Google (États-Unis), et Google Analytics ne fait pas partie des outils "
            "de mesure d'audience exemptés de consentement.",
        ),
    },
    "transfer-outside-eu-undeclared": {
        "en": Text(
            "Data goes to a company outside the EU although the policy promises no transfer: "
            "{company}",
            "The policy promises that data does not leave the EU, but the browser sends "
            "visitors' data (at least their IP address) to {company}, established in "
            "{country:country}.",
        ),
        "fr": Text(
            "Des données partent hors de l'UE alors que la politique promet le contraire : "
            "{company}",
            "La politique promet que les données ne quittent pas l'UE, mais le navigateur "
            "envoie des données des visiteurs (au moins leur adresse IP) à {company}, établi "
            "{country:country}.",
        ),
    },
    "lifetime-over-13-months": {
        "en": Text(
            "Consent-based cookie kept longer than 13 months",
            "{cookie} needs consent and asks to be kept for {days:days}; consent and the "
            "cookies that rely on it should not last more than 13 months.",
        ),
        "fr": Text(
            "Cookie soumis à consentement conservé plus de 13 mois",
            "{cookie} est soumis à consentement et demande à être conservé {days:days} ; le "
            "consentement et les cookies qui en dépendent ne devraient pas durer plus de "
            "13 mois.",
        ),
    },
    "lifetime-exceeds-declared": {
        "en": Text(
            "Cookie kept much longer than the policy declares",
            "The policy declares {declared_days:days} for {cookie}, but it is kept for "
            "{actual:days}.",
        ),
        "fr": Text(
            "Cookie conservé bien plus longtemps que ne le déclare la politique",
            "La politique déclare {declared_days:days} pour {cookie}, mais il est conservé "
            "{actual:days}.",
        ),
    },
    "declared-session-but-persistent": {
        "en": Text(
            "Cookie declared as a session cookie outlives the session",
            "The policy declares {cookie} as a session cookie, but it is kept for {actual:days}.",
        ),
        "fr": Text(
            "Cookie déclaré « de session » qui survit à la session",
            "La politique déclare {cookie} comme cookie de session, mais il est conservé "
            "{actual:days}.",
        ),
    },
    "cookie-not-declared": {
        "en": Text(
            "Cookie missing from the declared cookie list",
            "The cookie {cookie} ({category:category}) is not in the site's declared cookie list.",
        ),
        "fr": Text(
            "Cookie absent de la liste des cookies déclarés",
            "Le cookie {cookie} ({category:category}) ne figure pas dans la liste des cookies "
            "déclarés par le site.",
        ),
    },
    "declared-cookie-not-seen": {
        "en": Text(
            "Declared cookie was not observed",
            "The policy lists the cookie {cookie}, but the scan did not observe it (it may be "
            "set on pages or after actions the scan did not reach).",
        ),
        "fr": Text(
            "Cookie déclaré non observé",
            "La politique cite le cookie {cookie}, mais l'audit ne l'a pas observé (il est "
            "peut-être déposé sur des pages ou après des actions que l'audit n'a pas "
            "atteintes).",
        ),
    },
    "policy-page-missing": {
        "en": Text(
            "No privacy or cookie policy page was found",
            "No link to a privacy, cookie or legal page was found on the pages visited, so "
            "visitors cannot learn what the cookies do before they choose.",
        ),
        "fr": Text(
            "Aucune page de politique de confidentialité ou de cookies trouvée",
            "Aucun lien vers une page de confidentialité, de cookies ou de mentions légales "
            "n'a été trouvé sur les pages visitées : les visiteurs ne peuvent pas savoir à "
            "quoi servent les cookies avant de choisir.",
        ),
    },
    "policy-no-cookie-section": {
        "en": Text(
            "The policy says nothing about cookies",
            "The site sets cookies that need consent, but its policy pages never mention "
            "cookies or trackers.",
        ),
        "fr": Text(
            "La politique ne dit rien des cookies",
            "Le site dépose des cookies soumis à consentement, mais ses pages de politique ne "
            "mentionnent jamais les cookies ni les traceurs.",
        ),
    },
}

_EPRIVACY = {
    "en": "ePrivacy Directive 2002/58/EC, art. 5(3); GDPR art. 4(11) and 7 (consent)",
    "fr": "directive ePrivacy 2002/58/CE, art. 5(3) ; RGPD art. 4(11) et 7 (consentement)",
}
_CNIL = {
    "en": "CNIL guidelines and recommendation on cookies, deliberations 2020-091 and 2020-092 "
    "(17 Sept. 2020)",
    "fr": "lignes directrices et recommandation de la CNIL sur les cookies, délibérations "
    "2020-091 et 2020-092 (17 sept. 2020)",
}
_TRANSPARENCY = {
    "en": "GDPR art. 12 and 13 (information); ePrivacy Directive art. 5(3) (clear and "
    "comprehensive information)",
    "fr": "RGPD art. 12 et 13 (information) ; directive ePrivacy art. 5(3) (information claire "
    "et complète)",
}
_STORAGE = {
    "en": "GDPR art. 5(1)(a) and 13(2)(a) (storage period)",
    "fr": "RGPD art. 5(1)(a) et 13(2)(a) (durée de conservation)",
}


_PROOF = {
    "en": "GDPR art. 7(1) (demonstrating consent) and 5(2) (accountability)",
    "fr": "RGPD art. 7(1) (démontrer le consentement) et 5(2) (responsabilité)",
}


def _join(*parts: dict[str, str]) -> dict[str, str]:
    sep = {"en": "; ", "fr": " ; "}
    return {lang: sep[lang].join(p[lang] for p in parts) for lang in LANGUAGES}


#: legal reference of each rule (the English one is stored in scan.json)
LEGAL: dict[str, dict[str, str]] = {
    "cookie-before-consent": _EPRIVACY,
    "tracker-request-before-consent": _EPRIVACY,
    "cookie-after-reject": _join(_EPRIVACY, _CNIL),
    "tracker-request-after-reject": _join(_EPRIVACY, _CNIL),
    "banner-no-reject-first-layer": _join(
        _CNIL,
        {
            "en": "EDPB Cookie Banner Taskforce report (Jan. 2023)",
            "fr": "rapport de la task force « bandeaux cookies » du CEPD (janv. 2023)",
        },
    ),
    "consent-record-missing": _PROOF,
    "consent-record-failed": _PROOF,
    "consent-record-contradicts-click": _PROOF,
    "category-not-declared": _TRANSPARENCY,
    "ga-not-declared": _join(
        _TRANSPARENCY,
        {
            "en": "GDPR art. 13(1)(e)-(f) (recipients, transfers)",
            "fr": "RGPD art. 13(1)(e)-(f) (destinataires, transferts)",
        },
    ),
    "ga-contradicts-policy": _join(
        {
            "en": "GDPR art. 4(1) (online identifiers are personal data)",
            "fr": "RGPD art. 4(1) (les identifiants en ligne sont des données personnelles)",
        },
        _EPRIVACY,
        {
            "en": "CNIL: Google Analytics is not exempt from consent (decisions of Feb. 2022)",
            "fr": "CNIL : Google Analytics n'est pas exempté de consentement (décisions de "
            "février 2022)",
        },
    ),
    "transfer-outside-eu-undeclared": {
        "en": "GDPR art. 13(1)(f) and chapter V (art. 44-49)",
        "fr": "RGPD art. 13(1)(f) et chapitre V (art. 44 à 49)",
    },
    "lifetime-over-13-months": _CNIL,
    "lifetime-exceeds-declared": _STORAGE,
    "declared-session-but-persistent": _STORAGE,
    "cookie-not-declared": _TRANSPARENCY,
    "declared-cookie-not-seen": _TRANSPARENCY,
    "policy-page-missing": _TRANSPARENCY,
    "policy-no-cookie-section": _TRANSPARENCY,
}

#: how a "check this" finding is worded (its confidence is below LOW_CONFIDENCE)
CHECK: dict[str, Text] = {
    "en": Text(
        "To check: {title}",
        "{explanation} This rests on {basis} of low confidence ({confidence}): check it before "
        "treating it as a violation.",
    ),
    "fr": Text(
        "À vérifier : {title}",
        "{explanation} Ce constat repose sur {basis} peu sûre (confiance {confidence}) : "
        "vérifiez-le avant de le traiter comme une infraction.",
    ),
}
BASIS: dict[str, dict[str, str]] = {
    "classification": {
        "en": "a classification of the cookie",
        "fr": "une classification du cookie",
    },
    "extraction": {
        "en": "a reading of the policy text",
        "fr": "une lecture du texte de la politique",
    },
}

EVIDENCE: dict[str, dict[str, str]] = {
    "declared-categories": {
        "en": "declared categories: {categories:categories}",
        "fr": "catégories déclarées : {categories:categories}",
    },
    "promise-no-transfer": {"en": "the promise", "fr": "la promesse"},
    "claim": {
        "en": "the policy says the site {claims:claims}",
        "fr": "selon la politique, le site {claims:claims}",
    },
    "declared-session": {"en": "declared: session", "fr": "déclaré : session"},
    "declared-lifetime": {"en": "declared: {days:days}", "fr": "déclaré : {days:days}"},
    "declared-cookie": {"en": "declared: {cookie}", "fr": "déclaré : {cookie}"},
    "requested-lifetime": {
        "en": "requested lifetime {days:days}",
        "fr": "durée demandée : {days:days}",
    },
    "requests": {
        "en": "{n} request(s) to {host} ({vendor})",
        "fr": "{n} requête(s) vers {host} ({vendor})",
    },
    "more-items": {"en": "{n} more items not listed", "fr": "{n} autres éléments non listés"},
    "no-policy-link": {
        "en": "no privacy / cookie / legal link found",
        "fr": "aucun lien vers une page de confidentialité, de cookies ou de mentions légales",
    },
    "no-cookie-section": {
        "en": "policy page without a cookie section",
        "fr": "page de politique sans section sur les cookies",
    },
    "no-reject-first-layer": {
        "en": "{cmp}: no reject button on the first layer {detail}",
        "fr": "{cmp} : pas de bouton de refus au premier niveau {detail}",
    },
    "no-reject-first-layer.refused": {
        "en": "{cmp}: no reject button on the first layer; refused {layer:layer} ({method})",
        "fr": "{cmp} : pas de bouton de refus au premier niveau ; refus obtenu {layer:layer} "
        "({method})",
    },
    "consent-post": {
        "en": "posted {action} {choices} to {api}: {answer}",
        "fr": "envoyé {action} {choices} à {api} : {answer}",
    },
    "consent-no-post": {
        "en": "no choice posted to {api} after the click",
        "fr": "aucun choix envoyé à {api} après le clic",
    },
}

_CATEGORY: dict[str, dict[str, str]] = {
    "en": {
        "technical": "technical",
        "session": "session",
        "tracking": "tracking",
        "google_analytics": "Google Analytics",
        "analytics": "audience-measurement",
        "unknown": "unrecognised",
    },
    "fr": {
        "technical": "techniques",
        "session": "de session",
        "tracking": "de traçage",
        "google_analytics": "Google Analytics",
        "analytics": "de mesure d'audience",
        "unknown": "non reconnus",
    },
}
_COUNTRY: dict[str, dict[str, str]] = {
    "en": {
        "US": "the United States",
        "GB": "the United Kingdom",
        "CH": "Switzerland",
        "CA": "Canada",
        "SG": "Singapore",
        "NZ": "New Zealand",
        "IL": "Israel",
        "CN": "China",
        "JP": "Japan",
        "IN": "India",
        "AU": "Australia",
    },
    "fr": {
        "US": "aux États-Unis",
        "GB": "au Royaume-Uni",
        "CH": "en Suisse",
        "CA": "au Canada",
        "SG": "à Singapour",
        "NZ": "en Nouvelle-Zélande",
        "IL": "en Israël",
        "CN": "en Chine",
        "JP": "au Japon",
        "IN": "en Inde",
        "AU": "en Australie",
    },
}
_CLAIMS: dict[str, dict[str, str]] = {
    "en": {
        "no_personal_data": "collects no personal data",
        "anonymised": "anonymises its audience measurement",
        "exempt": "claims its audience measurement is exempt from consent",
    },
    "fr": {
        "no_personal_data": "ne collecte aucune donnée personnelle",
        "anonymised": "anonymise sa mesure d'audience",
        "exempt": "affirme que sa mesure d'audience est exemptée de consentement",
    },
}
_LAYER: dict[str, dict[str, str]] = {
    "en": {
        "first_layer": "on the first layer",
        "second_layer": "in the settings layer",
        "platform_api": "through the consent platform's script",
    },
    "fr": {
        "first_layer": "au premier niveau",
        "second_layer": "dans le niveau des paramètres",
        "platform_api": "par le script de la plateforme de consentement",
    },
}
_CLICK = {
    "en": {"reject": '"reject all"', "accept": '"accept all"'},
    "fr": {"reject": "« tout refuser »", "accept": "« tout accepter »"},
}
_AND = {"en": " and ", "fr": " et "}


def _days(value: MessageParam, lang: str) -> str:
    if value is None or value == "":
        return "a browser session" if lang == "en" else "le temps d'une session"
    days = float(value)  # type: ignore[arg-type]
    if lang == "fr":
        if days >= 60:
            return f"{days:.0f} jours (environ {days / 30.44:.0f} mois)"
        if days >= 1:
            return f"{days:.0f} jours"
        return f"{days * 24:.1f} heures".replace(".", ",")
    if days >= 60:
        return f"{days:.0f} days (about {days / 30.44:.0f} months)"
    if days >= 1:
        return f"{days:.0f} days"
    return f"{days * 24:.1f} hours"


def _items(value: MessageParam) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [] if value is None else [str(value)]


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        lang = self.lang
        if format_spec == "category":
            return _CATEGORY[lang].get(str(value), str(value))
        if format_spec == "categories":
            return ", ".join(_CATEGORY[lang].get(v, v) for v in _items(value))  # type: ignore[arg-type]
        if format_spec == "click":
            return _CLICK[lang].get(str(value), str(value))
        if format_spec == "layer":
            return _LAYER[lang].get(str(value), str(value))
        if format_spec == "days":
            return _days(value, lang)  # type: ignore[arg-type]
        if format_spec == "country":
            name = _COUNTRY[lang].get(str(value))
            if name is None:
                return f"({value})" if lang == "en" else f"dans le pays {value}"
            return name
        if format_spec == "claims":
            claims = [_CLAIMS[lang].get(v, v) for v in _items(value)]  # type: ignore[arg-type]
            return _AND[lang].join(claims) if len(claims) <= 2 else "; ".join(claims)
        if format_spec == "list":
            return ", ".join(_items(value))  # type: ignore[arg-type]
        return str(super().format_field(value, format_spec))


@lru_cache(maxsize=512)
def _parts(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """A template split once into (literal, field name, conversion kind) parts."""
    return tuple(
        (literal, name, spec or "") for literal, name, spec, _ in string.Formatter().parse(template)
    )


_FORMATTERS: dict[str, _Formatter] = {}


def _format(template: str, params: Mapping[str, MessageParam], lang: str) -> str:
    formatter = _FORMATTERS.get(lang) or _FORMATTERS.setdefault(lang, _Formatter(lang))
    out: list[str] = []
    for literal, name, spec in _parts(template):
        out.append(literal)
        if name is not None:
            out.append(formatter.format_field(params[name], spec))
    return "".join(out)


def render_message(catalogue: Mapping[str, Text], message: Message, lang: str) -> Text:
    text = catalogue.get(lang) or catalogue["en"]
    return Text(
        _format(text.title, message.params, lang), _format(text.explanation, message.params, lang)
    )


def render_finding_text(
    message: Message, lang: str, *, check: bool, confidence: float, basis: str
) -> Text:
    """Title and explanation of a finding's message in one language ("check this" if asked)."""
    text = render_message(FINDINGS[message.id], message, lang)
    if not check:
        return text
    wrapper = CHECK.get(lang) or CHECK["en"]
    shown = f"{confidence:.1f}".replace(".", ",") if lang == "fr" else f"{confidence:.1f}"
    return Text(
        wrapper.title.format(title=text.title),
        wrapper.explanation.format(
            explanation=text.explanation,
            basis=BASIS.get(basis, BASIS["classification"])[lang if lang in LANGUAGES else "en"],
            confidence=shown,
        ),
    )


def finding_title(finding: Finding, lang: str) -> str:
    """The title of a finding in `lang`; the stored English title when it has no message."""
    if finding.message is None or finding.message.id not in FINDINGS:
        return finding.title
    return render_finding_text(
        finding.message,
        lang,
        check=finding.verify,
        confidence=finding.confidence,
        basis=finding.basis or "classification",
    ).title


def finding_explanation(finding: Finding, lang: str) -> str:
    if finding.message is None or finding.message.id not in FINDINGS:
        return finding.explanation
    return render_finding_text(
        finding.message,
        lang,
        check=finding.verify,
        confidence=finding.confidence,
        basis=finding.basis or "classification",
    ).explanation


def finding_legal_reference(finding: Finding, lang: str) -> str | None:
    """The legal reference in `lang` when it is the rule's own (it always is for new scans)."""
    known = LEGAL.get(finding.rule_id)
    if known is None or finding.legal_reference != known["en"]:
        return finding.legal_reference
    return known.get(lang, known["en"])


def evidence_detail(evidence: Evidence, lang: str) -> str | None:
    """An evidence line's detail in `lang`; the stored text when it has no message."""
    message = evidence.detail_message
    if message is None or message.id not in EVIDENCE:
        return evidence.detail
    template = EVIDENCE[message.id].get(lang) or EVIDENCE[message.id]["en"]
    return _format(template, message.params, lang)


def evidence_text(message_id: str, params: Mapping[str, MessageParam]) -> str:
    """The English detail of an evidence message (what `Evidence.detail` stores)."""
    return _format(EVIDENCE[message_id]["en"], params, "en")


def message(message_id: str, **params: MessageParam | Sequence[str]) -> Message:
    """A Message with its parameters (tuples and other sequences stored as lists)."""
    clean: dict[str, MessageParam] = {}
    for key, value in params.items():
        if isinstance(value, (list, tuple)):
            clean[key] = [str(v) for v in value]
        else:
            clean[key] = value  # type: ignore[assignment]
    return Message(id=message_id, params=clean)
