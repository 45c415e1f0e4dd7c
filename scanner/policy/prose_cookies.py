"""Cookies a policy names outside a table: in definition lines ("user_session: identifies the
user (session)") and in running text ("a technical cookie, `lang`, remembers the language
for 6 months"; "Statistik (Hotjar): _hjSessionUser_4242 (1 Jahr)").

A word is taken for a cookie name only when it looks like one (an underscore, a digit among
letters, camelCase, SHOUTING or several hyphens: `_ga`, `s_i_url`, `dr-consent-id`,
`PHPSESSID`, `wpEmojiSettingsSupports`) or when the classifier's knowledge base knows it
(`lang`, `cart`, `local`...), and only where the text speaks about cookies. Each cookie keeps
the line or sentence it came from; its lifetime is the duration written right after it, its
category the one named around it (the sentence, a list label, or the lines above).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from scanner.classify.knowledge import CookieEntry
from scanner.model import Category
from scanner.policy.declared import DeclaredCookie
from scanner.policy.text import Sentence, normalise
from scanner.policy.vendors import category_of_last_vendor, category_of_vendors
from scanner.policy.vocab import (
    DURATION,
    category_from_label,
    category_from_purpose,
    compound_days,
    label_groups,
    paired_lifetimes,
    parse_lifetime,
)

#: a name in a definition line is surer than one met in running text
DEFINITION_CONFIDENCE = 0.75
INLINE_CONFIDENCE = 0.6
#: running text that names this many cookies is a list, and other cookies are missing from it
LIST_SIZE = 3

#: a word that may be a cookie name; "_ga_<ID>" keeps its placeholder
_TOKEN = re.compile(
    r"(?<![\w@/.:-])[`'\"«“‘]?([A-Za-z_][A-Za-z0-9_.\-*]*(?:[A-Za-z0-9_*]|<[A-Za-z0-9_-]+>))"
    r"[`'\"»”’]?"
)
_CONTEXT = re.compile(
    r"cookie|traceur|temoin|tracker|galleta|tracciament|\bpixel|speicher|stockage|storage|"
    # "GA4 sets _ga (2 years)": a product setting names
    r"\bsets\b|\bsetzt\b|\bdepose\b"
)
_SESSION = re.compile(
    r"\bsession\b|\bsitzung\b|\bsesion\b|\bsessione\b|fermeture du navigateur|browser is closed|"
    r"close (?:your|the) browser|schliessen des browsers|chiusura del browser|cierre del navegador|"
    r"cerrar el navegador|chiud\w* il browser"
)
#: words that look like names but are not cookies
_NOT_NAMES = {
    "opt-out",
    "opt-in",
    "e-mail",
    "third-party",
    "first-party",
    "cross-device",
    "eu-us",
    "pop-up",
    "add-on",
    "plug-in",
    "log-in",
    "check-out",
    "ga4",
    "utf-8",
    "iso-8859-1",
    "http",
    "https",
    "html",
    "html5",
    "gdpr",
    "rgpd",
    "dsgvo",
    "cnil",
    "ip",
    "url",
    "id",
    "ids",
    "uuid",
    "api",
    "sdk",
    "cdn",
    "seo",
    "faq",
    "pdf",
    "usa",
    "ue",
    "eu",
    "eea",
    "eee",
    "ewr",
    "see",
    "dpo",
    "dpd",
    "rcs",
    "siret",
    "siren",
    "tva",
    "vat",
    "cv",
    "ok",
    "aws",
    "ovh",
}
#: short words of the five languages that are also cookie names somewhere ("session", "est")
_COMMON_WORDS = {
    "est",
    "et",
    "ou",
    "le",
    "la",
    "les",
    "de",
    "des",
    "du",
    "un",
    "une",
    "pour",
    "par",
    "sur",
    "is",
    "are",
    "the",
    "and",
    "or",
    "of",
    "for",
    "to",
    "in",
    "on",
    "by",
    "ist",
    "und",
    "der",
    "die",
    "das",
    "es",
    "el",
    "los",
    "y",
    "en",
    "il",
    "lo",
    "per",
    "di",
    "che",
    "session",
    "sessions",
    "language",
    "langue",
    "store",
    "data",
    "user",
    "test",
    "consent",
    "id",
    # short words of the five languages that the knowledge base also knows as names
    "um",
    "zu",
    "mit",
    "von",
    "bei",
    "auf",
    "aus",
    "im",
    "am",
    "an",
    "als",
    "oder",
    "wie",
    "al",
    "con",
    "da",
    "su",
    "ad",
    "as",
    "at",
    "it",
    "we",
    "us",
    "our",
    "vos",
    "nos",
    "ses",
    "ces",
    "se",
    "si",
    "ne",
    "pas",
    "no",
    "non",
    "sie",
    "wir",
    "uns",
}
_LABELS = re.compile(
    r"^(?:type|tipo|typ|categor\w*|kategorie|caducidad|duraci[oó]n|duration|expiry|expiration|"
    r"dur[ée]e|durata|scadenza|dauer|laufzeit|speicherdauer|purpose|finalidad|finalit[ée]|"
    r"finalita|zweck|scopo|description|descripci[oó]n|provider|proveedor|fournisseur|anbieter|"
    r"name|nom|nombre|nome|note|nota|hinweis|source|domain|domaine|host|exemple|example|"
    r"beispiel|ejemplo|esempio)$",
    re.I,
)


@cache
def _knowledge() -> object:
    from scanner.classify import KnowledgeBase

    return KnowledgeBase.load()


@lru_cache(maxsize=8192)
def knowledge_entry(name: str) -> CookieEntry | None:
    """The knowledge base's entry for a cookie name (an exact name, any domain), or None."""
    from scanner.classify import KnowledgeBase

    kb = _knowledge()
    assert isinstance(kb, KnowledgeBase)
    entries = kb.exact.get(name) or kb.exact_folded.get(name.lower())
    return entries[0] if entries else None


@lru_cache(maxsize=8192)
def known_cookie(name: str) -> bool:
    """The classifier's knowledge base lists this name, for any domain (or a prefix of it)."""
    from scanner.classify import KnowledgeBase

    kb = _knowledge()
    assert isinstance(kb, KnowledgeBase)
    if len(name) < 2 or name.lower() in _COMMON_WORDS:
        return False
    if name in kb.exact or name.lower() in kb.exact_folded:
        return True
    return len(name) >= 4 and kb.lookup_name(name, "") is not None


@lru_cache(maxsize=8192)
def looks_like_cookie(name: str) -> bool:
    """A word shaped like a cookie name: `_ga`, `s_i_url`, `uuid230`, `dr-consent-id`,
    `PHPSESSID`, `wpEmojiSettingsSupports`, or a camelCase name the knowledge base knows."""
    lowered = name.lower()
    if lowered in _NOT_NAMES or len(name) < 2 or len(name) > 64 or name.isdigit():
        return False
    if "cookie" in lowered and not known_cookie(name) and not _cookie_word_name(name):
        return False
    if re.search(r"\.(?:com|fr|de|es|it|org|net|html?|php|js)$", lowered):
        return False
    if "_" in name and re.search(r"[a-z]", lowered):
        return True
    if re.fullmatch(r"[a-z][A-Za-z]+\d+", name):  # uuid230, not TYPO3
        return True
    if name.count("-") >= 2 and name.islower() and not _HYPHEN_PHRASE.search(name):
        return True
    if re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]+){2,}", name):  # wpEmojiSettingsSupports
        return True
    if re.fullmatch(r"[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+", name):  # CookieConsent
        return known_cookie(name)
    if re.fullmatch(r"[A-Z][A-Z0-9]{5,}", name):  # PHPSESSID, SECFOSSESSID, not IN2CLOUD
        return bool(re.search(r"SESS|SID|TOKEN|CSRF|XSRF|UID|ID$", name)) or known_cookie(name)
    if re.fullmatch(r"[A-Z][A-Z0-9]{1,4}", name):  # YSC, NID, SID: only known ones
        return known_cookie(name)
    return False


#: words joined by hyphens around a function word are a phrase, not a name:
#: "click-and-collect", "state-of-the-art", "face-to-face", "tout-en-un"
_HYPHEN_PHRASE = re.compile(
    r"-(?:and|or|of|to|the|in|on|for|et|ou|de|du|en|a|und|oder|zu|y|o|e|di|da|del)-"
)


def _cookie_word_name(name: str) -> bool:
    """A name with "cookie" in it that is a name, not a word about cookies: `cookie_consent_status`,
    `cookieyes-consent`, `borlabs-cookie`; not "Marketing-Cookies", "cookie-policy"."""
    if "_" in name:
        return True
    lowered = name.lower()
    return (
        name.islower()
        and "-" in name
        and not re.search(
            r"-cookies$|^cookies?-(?:policy|banner|richtlinie|einstellungen|settings|hinweis|tool|"
            r"manager|politik|politica|erklarung)$",
            lowered,
        )
    )


#: "session" as a lifetime, not as a topic ("gestione della sessione")
_SESSION_LIFETIME = re.compile(
    r"\((?:\w+ )?(?:session|sitzung|sesion|sessione|browser session)\)|"
    r"\b(?:an?|une?|una|ein|il|le|la) (?:\w+ )?(?:session[- ]cookie|cookie de (?:session|sesion)|"
    r"sitzungs-?cookie|cookie di sessione)\b|"
    r"^\s*[:–,-]?\s*(?:de |di )?(?:session|sitzung|sesion|sessione)\b"
    r"(?!\s*(?:de|d'|of|di|der|des|del|du)\b)|"
    r"(?:duree|duration|expiry|lifetime|dauer|duracion|durata|caducidad|scadenza)"
    r"\W+(?:\w+\W+)?(?:de (?:la )?|of (?:the )?|della |de la )?(?:session|sitzung|sesion|sessione)|"
    r"(?:ende|end|fin|fine|final) (?:der |of the |of your |de la |della |de |of )?(?:session|"
    r"sitzung|sesion|sessione|browsersitzung)|fermeture du navigateur|browser is closed|"
    r"close (?:your|the) browser|schliessen des browsers|chiusura del browser|cierre del navegador|"
    r"cerrar el navegador|chiud\w* il browser|ende der browsersitzung|"
    # "bis Sitzungsende", "at the end of your visit", "quand vous fermez le navigateur",
    # "hasta que cierra el navegador", "when you close the browser"
    r"sitzungsende|end of (?:your|the) visit|fin de (?:votre|la) visite|"
    r"(?:only )?as long as (?:your|the) visit|(?:for )?the duration of (?:your|the) visit|"
    r"(?:your|the) browser closes|(?:close|closing) (?:the|your) (?:tab|window)|"
    r"(?:lasts|valid|kept) (?:only )?for the (?:browser )?session|"
    r"duree de (?:votre|la) visite|dauer (?:ihres|des) besuch\w*|duracion de (?:su|la) visita|"
    r"durata della (?:sua )?visita|"
    r"(?:quand|lorsque) vous fermez (?:votre|le) navigateur|hasta que (?:se )?cierr\w* el "
    r"navegador|when you close (?:your|the) browser|(?:beim|nach dem) schliessen (?:des|ihres) "
    r"browsers|alla chiusura del browser|"
    # the last field of a dash-separated line: "`x` — keeps you logged in — session"
    r"[—–-]\s*(?:session|sitzung|sesion|sessione)\s*$"
)


#: the end of the session as a lifetime ("until the end of the session"), not the session kind
_SESSION_END = re.compile(
    r"(?:ende|end|fin|fine|final) (?:der |of the |of your |de la |della |de |of )?(?:session|"
    r"sitzung|sesion|sessione|browsersitzung)|sitzungsende"
)

#: a label that says what follows is the lifetime: "(durée de vie : session)", "Expiry: 1 year"
_LIFETIME_LABEL_IN_TEXT = re.compile(
    r"\b(?:duree(?: de vie)?|duration|expiry|expires|lifetime|dauer|laufzeit|speicherdauer|"
    r"duracion|caducidad|durata|scadenza|validite|vencimiento)\s*:\s*"
)


def _lifetime(text: str) -> tuple[float | None, bool]:
    """The first duration (or "session") in the words right after a name; a labelled
    lifetime ("durée de vie : 30 minutes") wins over words that come before it."""
    norm = normalise(text)
    label = _LIFETIME_LABEL_IN_TEXT.search(norm)
    if label is not None:
        labelled = parse_lifetime(re.split(r"[);|]", norm[label.end() : label.end() + 40])[0])
        if labelled != (None, False):
            return labelled
    duration = DURATION.search(norm)
    session = _SESSION_LIFETIME.search(norm)
    if session and (duration is None or session.start() < duration.start()):
        return None, True
    if duration is not None:
        days = compound_days(norm, duration)
        if days is not None:
            return days, False
    return None, False


# --- definition lines ------------------------------------------------------------------------

_DEFINITION = re.compile(
    r"^\s*(?:[-*•●▪◦–]\s*)?[`'\"«“]?(?P<name>[A-Za-z_][A-Za-z0-9_.\-*]*)[`'\"»”]?\s*"
    r"(?:\((?P<paren>[^)]{1,40})\))?\s*[:–—]\s+(?P<rest>\S.*)$"
)


def _definitions(lines: list[str], source: str | None) -> list[DeclaredCookie]:
    out: list[DeclaredCookie] = []
    above: list[str] = []
    context_at = -10  # index in `above` of the last line that spoke about cookies
    for line in lines:
        stripped = line.strip()
        if not stripped or "|" in stripped:
            continue
        m = _DEFINITION.match(stripped)
        name = m.group("name") if m else ""
        in_context = len(above) - context_at <= 6
        if m is None or _LABELS.match(name) or not in_context:
            context_at = _remember(above, stripped, context_at)
            continue
        rest = m.group("rest")
        lifetime, session = _lifetime((m.group("paren") or "") + " " + rest)
        plain = re.fullmatch(r"[a-z]{2,20}", name) is not None
        if not (looks_like_cookie(name) or (plain and (lifetime is not None or session))):
            context_at = _remember(above, stripped, context_at)
            continue
        # the heading or lead-in above; else the line's own words ("– Sitzungscookie von ...")
        # its own label in brackets first: "- _fbp (Meta, publicidad): 3 meses."
        category = (
            category_from_label(m.group("paren") or "")
            or _category_above(above)
            or category_from_label(_SESSION_LIFETIME.sub(" ", normalise(rest)))
        )
        out.append(
            DeclaredCookie(
                name=name,
                category=category,
                lifetime_days=lifetime,
                session=session,
                quote=stripped.lstrip("-*•●▪◦– "),
                source=source,
                confidence=DEFINITION_CONFIDENCE,
            )
        )
    return out


_LABELLED = re.compile(r"^\s*(?P<label>[\w ]{2,30}?)\s*:\s*(?P<value>\S.*)$")
_LIFETIME_LABEL = re.compile(
    r"^(?:cookie[- ]?)?(?:caducidad|duraci[oó]n|duration|expiry|expiration|expires|"
    r"dur[ée]e(?: de (?:vie|conservation))?|durata|scadenza|dauer|laufzeit|speicherdauer|"
    r"lifetime|retention|conservation|vencimiento|plazo)$",
    re.I,
)
_TYPE_LABEL = re.compile(r"^(?:type|tipo|typ|categor\w*|kategorie|tipologia)$", re.I)
_PURPOSE_LABEL = re.compile(
    r"^(?:purpose|finalidad|finalit[ée]|finalita|zweck|scopo|description|descripci[oó]n|"
    r"fonction|function|funktion|funci[oó]n|funzione)$",
    re.I,
)


_NAME_LABEL = re.compile(
    r"^(?:name|nom|nombre|nome|cookie|cookie name|nom du cookie|nombre de la cookie|"
    r"nome del cookie|cookie-name|bezeichnung|"
    # "Cookies déposés : _ga, _ga_*" (tarteaucitron), "Cookies: uc_settings" (Usercentrics)
    r"cookies?(?: d[ée]pos[ée]s?| set| used| utilis[ée]s?| gesetzt| installat[ei])?)$",
    re.I,
)


#: fields end with ";", " | " or with a full stop before the next "Label:" ("Cookie: x.
#: Duración: sesión. Finalidad: técnica.", "Cookie name: _ga | Expiry: 2 years")
_FIELD_SPLIT = re.compile(r";|\s\|\s|\.\s+(?=[A-ZÀ-Þ][\w ]{1,30}:)")


def _fields(line: str) -> list[tuple[str, str]]:
    """ "nome: _fbp; fornitore: Meta; durata: 3 mesi" -> its (label, value) pairs."""
    out = []
    for part in _FIELD_SPLIT.split(line.lstrip("-–—•*▪ ").rstrip(".")):
        m = _LABELLED.match(part)
        if m is None:
            return []
        out.append((m.group("label").strip(), m.group("value").strip()))
    return out


def _block_name(line: str) -> tuple[list[str], list[tuple[str, str]]] | None:
    """The cookies a block starts with, and the fields on its own line: a name alone
    ("_ga"), "Name: _ga", "Cookie Name: _pk_id, _pk_ses", or "nome: _fbp; fornitore: Meta;
    durata: 3 mesi"."""
    if not line:
        return None
    if " " not in line:
        return ([line], []) if looks_like_cookie(line) or known_cookie(line) else None
    fields = _fields(line)
    if not fields or not _NAME_LABEL.match(fields[0][0]):
        return None
    names = [n.strip("`'\"«»„“” ") for n in fields[0][1].split(",")]
    if any(" " in n or not _COOKIE_NAME.fullmatch(n) for n in names):
        return None
    return names, fields[1:]


#: a label alone on its line, its value on the next (a Borlabs or Complianz box copied as
#: text: "Cookie Name" / "borlabs-cookie" / "Cookie Laufzeit" / "1 Jahr")
_LABEL_ALONE = re.compile(
    r"^(?:cookie[- ]?)?(?:name|nom|nombre|nome|laufzeit|expiry|expiration|duration|dur[ée]e|"
    r"duraci[oó]n|durata|speicherdauer|anbieter|provider|fournisseur|proveedor|fornitore|zweck|"
    r"purpose|finalit[ée]|finalidad|finalit[àa]|type|typ|tipo|kategorie|category|cat[ée]gorie|"
    r"fonction|function|funktion|funci[oó]n|funzione)$",
    re.I,
)


def _labels_joined(lines: list[str]) -> tuple[list[str], list[str]]:
    """Lines with each label that stands alone joined to the value below it ("Cookie Name:
    borlabs-cookie"), and the same lines as written (for quotes)."""
    parsed: list[str] = []
    quotes: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        label, tab, value = line.partition("\t")
        if tab and _LABEL_ALONE.match(label.strip()) and value.strip() and "\t" not in value:
            # a two-column sheet copied as text: "Nom<TAB>_ga", "Expiration<TAB>2 ans"
            parsed.append(f"{label.strip()}: {value.strip()}")
            quotes.append(f"{label.strip()} | {value.strip()}")
            i += 1
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _LABEL_ALONE.match(line) and nxt and not _LABEL_ALONE.match(nxt) and ":" not in nxt:
            parsed.append(f"{line}: {nxt}")
            quotes.append(f"{line} {nxt}")
            i += 2
            continue
        parsed.append(line)
        quotes.append(line)
        i += 1
    return parsed, quotes


_COOKIE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-*]{0,63}")


def _blocks(lines: list[str], source: str | None) -> list[DeclaredCookie]:
    """A name alone on its line (or "Name: x"), followed by labelled lines ("Type: ...",
    "Duration: 1 year", "Purpose: ...") that describe it, or with its fields on the same line
    ("nome: _fbp; finalità: pubblicità; durata: 3 mesi")."""
    out: list[DeclaredCookie] = []
    # (markdown bold labels: "**Cookie:** `_ga`")
    stripped, written = _labels_joined([line.strip().replace("**", "") for line in lines])
    for i, line in enumerate(stripped):
        start = _block_name(line)
        if start is None:
            continue
        names, fields = start
        quote = [written[i]]
        if not fields:
            for k, nxt in enumerate(stripped[i + 1 : i + 6], start=i + 1):
                m = _LABELLED.match(nxt)
                if m is None or _NAME_LABEL.match(m.group("label").strip()):
                    break
                fields.append((m.group("label").strip(), m.group("value")))
                quote.append(written[k])
        labels: dict[str, str] = {}
        for label, value in fields:
            for kind, rx in (
                ("lifetime", _LIFETIME_LABEL),
                ("type", _TYPE_LABEL),
                ("purpose", _PURPOSE_LABEL),
            ):
                if rx.match(label) or rx.match(normalise(label)):  # "finalità"
                    labels.setdefault(kind, value)
        if "lifetime" not in labels and "type" not in labels:
            continue
        category = (
            category_from_label(labels.get("type", ""))
            # the section a consent platform files the cookie under ("Statistiche (2)") is
            # its category; the purpose only describes it ("Conserva lo stato della sessione")
            or _heading_of_block(stripped, i)
            or category_from_purpose(labels.get("purpose", ""))
        )
        lifetimes = paired_lifetimes(labels.get("lifetime", ""), len(names))
        for name, (lifetime, session) in zip(names, lifetimes, strict=True):
            out.append(
                DeclaredCookie(
                    name=name,
                    category=category,
                    lifetime_days=lifetime,
                    session=session,
                    quote=" ".join(quote),
                    source=source,
                    confidence=DEFINITION_CONFIDENCE,
                )
            )
    return out


def _heading_of_block(lines: list[str], i: int) -> Category | None:
    """The kind the two nearest plain lines above a block name ("Marketing (1)", "Marketing
    cookies are used to ..."), skipping the labelled lines of the blocks before it; else the
    nearest category title above ("Statistiques" over a service sheet's "Utilisation",
    "Partage des données", "Cookies" lines)."""
    plain = 0
    for line in reversed(lines[max(0, i - 40) : i]):
        if not line or _LABELLED.match(line) or _block_name(line) is not None:
            continue
        if plain < 2 and len(label_groups(line)) == 1:
            return category_from_label(line)
        plain += 1
        if _CATEGORY_TITLE.match(line) and len(line.split()) <= 4 and len(label_groups(line)) == 1:
            return category_from_label(line)
    return None


#: a short title line: "Statistiques", "Marketing (2)"
_CATEGORY_TITLE = re.compile(r"^[A-ZÀ-Þ][^.:;,!?|@*•–\t-]*(?:\(\d+\))?$")


def _remember(above: list[str], line: str, context_at: int) -> int:
    above.append(line)
    return len(above) - 1 if _CONTEXT.search(normalise(line)) else context_at


def _category_above(above: list[str]) -> Category | None:
    """The category the nearest lines above name (a heading, a lead-in), within six lines."""
    for line in reversed(above[-6:]):
        if len(line) <= 300 and len(label_groups(line)) <= 1:
            found = category_from_label(line)
            if found is not None:
                return found
    return None


# --- running text --------------------------------------------------------------------------


def _inline(sents: list[Sentence], source: str | None, taken: set[str]) -> list[DeclaredCookie]:
    out: list[DeclaredCookie] = []
    context_at = -10  # index of the last sentence that spoke about cookies
    for i, s in enumerate(sents):
        if _CONTEXT.search(s.norm) or _CONTEXT.search(normalise(s.heading)):
            context_at = i
        if s.is_heading or i - context_at > 3:
            continue
        text = s.text
        if " | " in text:
            continue  # a table row: read by cookie_tables
        names: list[re.Match[str]] = []
        plain: re.Match[str] | None = None  # a known plain name just before: "dont cart et _x"
        for m in _TOKEN.finditer(text):
            if _stem(m.group(1)) in taken:
                continue
            between = text[names[-1].end() : m.start()] if names else None
            if (
                looks_like_cookie(m.group(1))
                or _named_as_cookie(text, m)
                or (between is not None and _listed_with(m.group(1), between))
                or _same_family(m.group(1), names)
            ):
                if (
                    plain is not None
                    and (not names or names[-1].end() <= plain.start())
                    and _listed_with(plain.group(1), text[plain.end() : m.start()])
                ):
                    names.append(plain)
                names.append(m)
                plain = None
            elif re.fullmatch(r"[a-z]{2,20}", m.group(1)) and known_cookie(m.group(1)):
                plain = m
            elif not _LIST_JOIN.match(m.group(1)):
                plain = None
        if not names:
            continue
        context_at = i  # a list of names goes on speaking about cookies
        # "les cookies _a (1 an) et _b (30 minutes) mesurent l'audience": the words after the
        # last name, when they name one kind, are the kind of every name without its own
        # ("assimilati ai cookie tecnici": treated like technical ones, not technical)
        # ("... lasts until the end of the session": a lifetime, not the session kind)
        tail = _ASSIMILATED.sub(" ", _SESSION_END.sub(" ", normalise(text[names[-1].end() :])))
        shared = category_from_label(tail) if len(label_groups(tail)) == 1 else None
        # (only for the names listed together before it: "la cookie x dura ... y la cookie y
        # guarda sus preferencias" gives y's purpose to y alone)
        listed_from = len(names) - 1
        while listed_from > 0 and _LIST_JOIN.match(
            _DURATION_IN_PARENS.sub(
                " ", text[names[listed_from - 1].end() : names[listed_from].start()]
            )
        ):
            listed_from -= 1
        # the words before the first name describe the names up to the next "cookie" noun, not
        # a name introduced by one of its own ("un cookie de session (x) et un cookie y qui
        # retient votre choix")
        listed_to = 0
        while listed_to + 1 < len(names) and not _COOKIE_NOUN.search(
            text[names[listed_to].end() : names[listed_to + 1].start()]
        ):
            listed_to += 1
        paired = _paired_lifetimes(text, names)
        for k, m in enumerate(names):
            name = m.group(1)
            following = text[m.end() : names[k + 1].start() if k + 1 < len(names) else None]
            lifetime, session = paired[k] if k in paired else _lifetime(following[:120])
            if (
                lifetime is None
                and not session
                and out
                and _SAME_PERIOD.search(normalise(following[:60]))
            ):
                # "_ga, which persists for 2 years, and _ga_J4K2P9 for the same period"
                lifetime, session = out[-1].lifetime_days, out[-1].session
            before = text[names[k - 1].end() if k else 0 : m.start()]
            # (words before the last full stop belong to the previous name's sentence)
            before = _AFTER_SENTENCE_END.split(before)[-1]
            if lifetime is None and not session and _SESSION_COOKIE_BEFORE.search(before):
                session = True  # "la cookie de sesión rl_sid": a session cookie is one
            category = (
                category_from_label(before)
                # "Google Analytics (_ga, 2 años) y el píxel de Meta (_fbp, 3 meses)": the
                # vendor named right before the name
                or category_of_vendors(normalise(before))
                # "Hotjar (cookies _a, 1 año, y _b, 30 minutos) ... y TikTok (cookie _ttp)": the
                # nearest vendor named before it
                or category_of_last_vendor(normalise(text[: m.start()]))
                # (the words before, without the names of other cookies: "la cookie
                # fcb_sesion dura ... y la cookie fcb_cookies" says nothing of a session kind)
                or (
                    category_from_label(_without_names(text[: m.start()], names[:k]))
                    # (a lead-in before a colon speaks of all: "nur technisch notwendige Cookies:")
                    if k <= listed_to or ":" in text[: names[0].start()]
                    else None
                )
                or category_from_label(s.heading)
                or (category_from_label(s.lead) if len(label_groups(s.lead)) == 1 else None)
                # "One cookie, x, remembers your choice; it is strictly necessary."
                # (its lifetime "— session" is not its kind)
                or category_from_purpose(
                    _ASSIMILATED.sub(" ", _SESSION_LIFETIME.sub(" ", normalise(following)))
                )
                # "hp_sess is a session cookie that keeps the form working": a kind as well
                or (Category.SESSION if _IS_SESSION_COOKIE.match(normalise(following)) else None)
                or (shared if k >= listed_from else None)
                or _category_before(sents, i)
                # "le pixel Meta dépose le cookie _fbp": what the vendor named is used for
                or category_of_vendors(s.norm)
                # "... y la cookie _gat de 1 minuto. Todas ellas son cookies de análisis."
                or _category_after(sents, i)
                # "Per le statistiche usiamo Google Analytics [...]. Il cookie _ga dura 2 anni."
                or _category_of_paragraph(sents, i, name)
            )
            quote = text
            if len(names) == 1 and lifetime is None and not session:
                # "We set a cookie called x to remember your choices. It lasts for one year."
                nxt = _lifetime_sentence_after(sents, i)
                if nxt is not None:
                    (lifetime, session), quote = _lifetime(nxt.text), f"{text} {nxt.text}"
            taken.add(_stem(name))
            out.append(
                DeclaredCookie(
                    name=name,
                    category=category,
                    lifetime_days=lifetime,
                    session=session,
                    quote=quote,
                    source=source,
                    confidence=INLINE_CONFIDENCE,
                )
            )
    return out


_ASSIMILATED = re.compile(
    r"assimil\w* (?:ai|agli|aux?|a des|a) (?:cookie|traceurs?)\w* (?:tecnici|techniques)"
)
_ALL_OF_THEM = re.compile(
    r"^(?:todas? (?:ellas|ellos)|todas|todos|tous|toutes|tutti|tutte|alle|all of them|they are "
    r"all|both|beide|entrambi|ambas|ambos|ces cookies|these cookies|diese cookies|estas cookies|"
    r"questi cookie)\b",
    re.I,
)


def _without_names(text: str, names: list[re.Match[str]]) -> str:
    for m in reversed(names):
        text = text[: m.start()] + " " + text[m.end() :]
    return text


def _category_after(sents: list[Sentence], i: int) -> Category | None:
    """The kind the next sentence gives all of them: "Todas ellas son cookies de análisis"."""
    if i + 1 >= len(sents) or sents[i + 1].is_heading:
        return None
    nxt = sents[i + 1].text
    if not _ALL_OF_THEM.match(nxt) or len(label_groups(nxt)) != 1:
        return None
    return category_from_label(nxt)


def _category_of_paragraph(sents: list[Sentence], i: int, name: str) -> Category | None:
    """The one kind the earlier sentences of the cookie's paragraph speak of ("La mesure
    d'audience est assurée par Matomo [...]. Le cookie _pk_id est conservé 13 mois."): the
    paragraph's topic, unless the knowledge base files the name under another group."""
    found: set[Category] = set()
    j = i - 1
    while j >= 0 and sents[j].para == sents[i].para and not sents[j].is_heading and i - j <= 3:
        # measurement "exempt from consent" or "treated like technical cookies" is still
        # measurement; a kind denied is no topic ("Wir setzen keine Analyse-Tools ein.")
        text = _EXEMPTED.sub(" ", _ASSIMILATED.sub(" ", sents[j].norm))
        if _DENIAL.search(text):
            j -= 1
            continue
        if any(looks_like_cookie(t.group(1)) for t in _TOKEN.finditer(sents[j].text)):
            # a sentence about another cookie says what that one is for, unless its lead-in
            # speaks of all ("Our site uses strictly necessary cookies only: a, b.")
            lead_in, colon, _ = text.partition(": ")
            if not colon or any(looks_like_cookie(t.group(1)) for t in _TOKEN.finditer(lead_in)):
                j -= 1
                continue
            text = lead_in
        if len(label_groups(text)) > 1:
            return None
        own = category_from_label(text) or category_of_vendors(sents[j].norm)
        if own is not None:
            found.add(own)
        j -= 1
    groups = {_GROUP[c] for c in found if c in _GROUP}
    if len(groups) != 1:
        return None
    entry = knowledge_entry(name)
    if entry is not None and _GROUP.get(entry.category) not in (None, *groups):
        return None
    return max(found, key=lambda c: c is not Category.GOOGLE_ANALYTICS)


_DENIAL = re.compile(
    r"\b(?:no|not|never|keine?\w*|nicht|aucun\w*|pas|jamais|ningun\w*|nunca|nessun\w*|non|mai|"
    r"ni|weder|don't|doesn't)\b"
)
_EXEMPTED = re.compile(
    r"\b(?:exempt|exent|esent|dispens)\w* (?:\w+ ){0,3}(?:consent\w*|einwilligung\w*)|"
    r"\b(?:einwilligungsfrei|sans (?:votre )?consentement|without (?:your )?consent)|"
    # consent said not to be needed is no denial of the kind
    r"\bnon richied\w* (?:il )?(?:tuo )?consenso|\bno requieren? (?:su |tu )?consentimiento|"
    r"\bne (?:\w+ )?(?:necessite\w*|requiert|requierent|demande\w*) pas (?:de |votre |le )?"
    r"consentement|\b(?:do|does) not require (?:your |prior )?consent|\bkeine (?:\w+ )?"
    r"einwilligung (?:\w+ )?(?:notig|erforderlich)"
)
#: the three groups a reader tells apart
_GROUP = {
    Category.TECHNICAL: "exempt",
    Category.SESSION: "exempt",
    Category.ANALYTICS: "analytics",
    Category.GOOGLE_ANALYTICS: "analytics",
    Category.TRACKING: "tracking",
}


def _lifetime_sentence_after(sents: list[Sentence], i: int) -> Sentence | None:
    """The next sentence when it starts with a pronoun and gives a lifetime and names no
    cookie: "It lasts for one year.", "Elle expire au bout de 6 mois." """
    if i + 1 >= len(sents):
        return None
    nxt = sents[i + 1]
    if nxt.is_heading or not _PRONOUN_START.match(nxt.text) or len(nxt.text) > 120:
        return None
    if any(looks_like_cookie(m.group(1)) for m in _TOKEN.finditer(nxt.text)):
        return None
    return nxt if _lifetime(nxt.text) != (None, False) else None


#: a sentence that goes on about the previous one's subject: "Für Werbung nutzen wir das
#: Meta-Pixel. Es setzt das Cookie „_fbp“ ..."
_PRONOUN_START = re.compile(
    r"^(?:es|er|sie|it|they|this|il|elle|ils|elles|celui-ci|esto|esta|este|questo|questa|esso|"
    r"ses|leurs|its|their|seine|sus|i suoi|le sue)\b",
    re.I,
)


def _category_before(sents: list[Sentence], i: int) -> Category | None:
    """The kind the previous sentence names, for a sentence that starts with a pronoun ("Ses
    cookies _ga et _gid ...")."""
    if i == 0 or not _PRONOUN_START.match(sents[i].text) or sents[i - 1].is_heading:
        return None
    if sents[i - 1].para != sents[i].para:
        return None  # the last sentence of another paragraph is about something else
    previous = sents[i - 1].text
    return category_from_label(previous) if len(label_groups(previous)) == 1 else None


_STRICT_JOIN = re.compile(r"^\s*(?:,|and|und|et|y|e|or|ou|o|oder)\s*$")


def _paired_lifetimes(
    text: str, names: list[re.Match[str]]
) -> dict[int, tuple[float | None, bool]]:
    """Lifetimes written after a group of names, by the index of the name: "_ga et _gid ont
    une durée de vie de 13 mois et de 24 heures" (as many durations as names, in order),
    "_ga y _gid, que caducan a los dos años y a las 24 horas respectivamente" (the group
    after an earlier name), "cookies _ga et _ga_* – 13 mois" (one duration for the group)."""
    if len(names) < 2:
        return {}
    tail = normalise(text[names[-1].end() :].split(";")[0])
    durations = list(DURATION.finditer(tail))
    betweens = [text[names[k].end() : names[k + 1].start()] for k in range(len(names) - 1)]
    if len(durations) == len(names) and not any(
        DURATION.search(normalise(b)) or _SESSION.search(normalise(b)) for b in betweens
    ):
        return {k: (compound_days(tail, m), False) for k, m in enumerate(durations)}
    start = len(names) - 1
    while start > 0 and _STRICT_JOIN.match(betweens[start - 1]):
        start -= 1
    group = range(start, len(names))
    if len(group) < 2:
        return {}
    if len(durations) == len(group):
        return {k: (compound_days(tail, m), False) for k, m in zip(group, durations, strict=True)}
    if len(durations) == 1 and _lifetime(tail[:80])[0] is not None:
        return {k: (compound_days(tail, durations[0]), False) for k in group}
    return {}


_SESSION_COOKIE_BEFORE = re.compile(
    r"(?:session[- ]?cookie|cookie de session|cookie de sesi[oó]n|cookie di sessione|"
    r"sitzungs-?cookie)\s*[,:(]?\s*[`'\"«“‘„]?$",
    re.I,
)
_COOKIE_BEFORE = re.compile(r"(?:cookies?|traceurs?|témoins?)(?:\s+[\w-]+)?\s*[,:(]?\s*$", re.I)


_AFTER_SENTENCE_END = re.compile(r"[.!?]\s+")
_IS_SESSION_COOKIE = re.compile(
    r"^\W*(?:is|est|ist|es|e) (?:a|an|un|une|ein|una) (?:\w+ )?(?:session[- ]cookie|cookie de "
    r"(?:session|sesion)|sitzungs-?cookie|cookie di sessione)"
)
_COOKIE_NOUN = re.compile(r"\b(?:cookie|traceur|t[ée]moin|galleta)\b", re.I)
_SAME_PERIOD = re.compile(
    r"\b(?:for |over )?the same (?:period|time|duration|length of time)\b|la meme duree|"
    r"(?:die )?gleiche (?:dauer|laufzeit)|el mismo (?:periodo|plazo)|lo stesso periodo|"
    r"la stessa durata"
)
_DURATION_IN_PARENS = re.compile(r"\([^)]{0,40}\)")
_COOKIE_THEN_MARK = re.compile(r"(?:cookies?|traceurs?|témoins?)(?:\s+[\w-]+)?\s*[,:(]\s*$", re.I)


_LIST_JOIN = re.compile(r"^\s*(?:\([^)]{0,40}\))?\s*(?:,|and|und|et|y|e|or|ou|o|oder)\s*$")


def _listed_with(name: str, between: str) -> bool:
    """A known plain name listed right after another cookie: "_fbp (3 Monate) und fr"."""
    return (
        bool(_LIST_JOIN.match(between))
        and re.fullmatch(r"[a-z]{2,20}", name) is not None
        and (known_cookie(name))
    )


_PLAIN_NAME = re.compile(r"[a-z]{2,20}")
_HYPHENATED_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")


@lru_cache(maxsize=4096)
def _kind_word(name: str) -> bool:
    return category_from_label(name) is not None


def _same_family(name: str, names: list[re.Match[str]]) -> bool:
    """A hyphenated name that shares its first part with a cookie already named in the
    sentence: "intercom-id, which ..., and intercom-session, which ..."."""
    m = re.fullmatch(r"([a-z][a-z0-9]{2,})-[a-z0-9]+(?:-[a-z0-9]+)*", name)
    return m is not None and any(
        re.match(rf"{re.escape(m.group(1))}[-_]", n.group(1), re.I) for n in names
    )


def _named_as_cookie(text: str, m: re.Match[str]) -> bool:
    """A plain word the knowledge base knows, named as a cookie: "the cookie lang", "das
    technische Cookie lang", "`lang`", "the cart cookie"; a word it does not know only when
    quoted right after "cookie" ("il cookie tecnico "lingua""); a hyphenated lower-case name
    right after "cookies:" ("two functional cookies: intercom-id, which ...")."""
    name = m.group(1)
    if name in _NOT_NAMES or name in _COMMON_WORDS:
        return False
    plain = _PLAIN_NAME.fullmatch(name) is not None
    hyphenated = not plain and _HYPHENATED_NAME.fullmatch(name) is not None
    quoted = m.group(0)[0] in "`'\"«“‘"
    known = plain and known_cookie(name)
    if not (known or (quoted and plain) or hyphenated):
        return False  # (the cheap tests first: most words end here)
    before = text[max(0, m.start() - 40) : m.start()]
    if re.search(r"\b(?:de|of|di|von|del|des|du)\s*$", before, re.I) or _kind_word(name):
        return False  # "cookie de session" names a kind, not a cookie
    named = bool(_COOKIE_BEFORE.search(before))
    if hyphenated:  # "cookies: intercom-id", not "les cookies ci-dessous", "sont-ils"
        return quoted or bool(_COOKIE_THEN_MARK.search(before))
    if not known:
        return named and quoted
    after = text[m.end() : m.end() + 10]
    the_x_cookie = re.match(r"\s+cookie\b", after, re.I) is not None and bool(
        re.search(r"\b(?:the|a|our|this|one)\s+$", before, re.I)
    )
    return quoted or named or the_x_cookie


def _stem(name: str) -> str:
    """A name without its wildcard ending: "visid_incap_*" and "visid_incap" are one cookie."""
    return name.lower().rstrip("*").rstrip("._-#")


def cookies_in_prose(
    lines: list[str], sents: list[Sentence], source: str | None, known: set[str]
) -> list[DeclaredCookie]:
    """Cookies named outside tables (names in `known`, already read from a table, skipped)."""
    taken = {_stem(k) for k in known}
    out = [c for c in _blocks(lines, source) if _stem(c.name) not in taken]
    taken |= {_stem(c.name) for c in out}
    out += [c for c in _definitions(lines, source) if _stem(c.name) not in taken]
    taken |= {_stem(c.name) for c in out}
    out += _inline(sents, source, taken)
    if len({c.name.lower() for c in out}) < LIST_SIZE and not known:
        out = [c.model_copy(update={"listed": False}) for c in out]
    return out
