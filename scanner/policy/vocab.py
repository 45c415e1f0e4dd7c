"""Shared vocabulary: durations ("13 mois", "vingt-huit (28) jours", "2 years") and the words
that name a cookie category, in French, English, German, Spanish and Italian (normalised:
lower case, no accents)."""

from __future__ import annotations

import re

from scanner.model import Category

_NUMBER_WORDS = {
    "un": 1,
    "une": 1,
    "one": 1,
    "deux": 2,
    "two": 2,
    "trois": 3,
    "three": 3,
    "quatre": 4,
    "four": 4,
    "cinq": 5,
    "five": 5,
    "sept": 7,
    "seven": 7,
    "huit": 8,
    "eight": 8,
    "neuf": 9,
    "nine": 9,
    "dix": 10,
    "ten": 10,
    "onze": 11,
    "eleven": 11,
    "douze": 12,
    "twelve": 12,
    "treize": 13,
    "thirteen": 13,
    "quatorze": 14,
    "fourteen": 14,
    "quinze": 15,
    "fifteen": 15,
    "seize": 16,
    "dix-huit": 18,
    "eighteen": 18,
    "vingt": 20,
    "twenty": 20,
    "vingt-quatre": 24,
    "vingt-huit": 28,
    "trente": 30,
    "thirty": 30,
    "soixante": 60,
    "sixty": 60,
    "quatre-vingt-dix": 90,
    "ninety": 90,
    "cent": 100,
    "zwei": 2,
    "drei": 3,
    "dos": 2,
    "tres": 3,
    "due": 2,
    "tre": 3,
    "cinque": 5,
    "dieci": 10,
    "zehn": 10,
    "diez": 10,
    # German, Spanish and Italian counts ("drei Monate", "seis años", "trenta minuti")
    "ein": 1,
    "einen": 1,
    "einem": 1,
    "einer": 1,
    "eine": 1,
    "uno": 1,
    "una": 1,
    "vier": 4,
    "funf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
    "zwolf": 12,
    "dreizehn": 13,
    "vierundzwanzig": 24,
    "dreissig": 30,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "doce": 12,
    "trece": 13,
    "veinticuatro": 24,
    "treinta": 30,
    "quattro": 4,
    "sei": 6,
    "sette": 7,
    "otto": 8,
    "nove": 9,
    "dodici": 12,
    "tredici": 13,
    "ventiquattro": 24,
    "trenta": 30,
    "twenty-four": 24,
    "six": 6,
}
_UNIT_DAYS: tuple[tuple[str, float], ...] = (
    (r"ans?|annees?|years?|yrs?|jahr(?:e|en)?|anos?|anni|anno", 365.0),
    (r"mois|months?|monat(?:e|en)?|mes(?:es)?|mesi|mese|mos?|mths?", 30.44),
    (r"semaines?|weeks?|woche(?:n)?|semanas?|settimane?", 7.0),
    (r"jours?|days?|tag(?:e|en)?|dias?|giorni|giorno|d|j", 1.0),
    (r"heures?|hours?|stunden?|horas?|\bore\b|h", 1 / 24),
    (r"minutes?|mins?|minuten?|minutos?|minuti", 1 / 1440),
)
_WORDS = "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))
_UNITS = "|".join(u for u, _ in _UNIT_DAYS)
#: "for a year", "after a day": the article is one, after a word that opens a duration
_ARTICLE = r"(?:(?<=for )|(?<=after )|(?<=within )|(?<=lasts )|(?<=lasting ))an?"
DURATION = re.compile(
    rf"(?<![\w.,/-])(?P<num>\d{{1,4}}(?:[.,]\d+)?|(?:{_WORDS}|{_ARTICLE})(?=\s))"
    rf"(?:\s*\((?P<paren>\d{{1,4}})\))?\s*(?P<unit>{_UNITS})(?![\w-])"
)


def duration_days(match: re.Match[str]) -> float | None:
    """Days for a DURATION match; None for hour/minute counts that are not retention-like."""
    raw = match.group("paren") or match.group("num")
    if raw in _NUMBER_WORDS or raw in ("a", "an"):
        number = float(_NUMBER_WORDS.get(raw, 1))
    else:
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            return None
    unit = match.group("unit")
    for pattern, days in _UNIT_DAYS:
        if re.fullmatch(pattern, unit):
            if unit in ("h", "d", "j") and not match.group("num").isdigit():
                return None
            return round(number * days, 4)
    return None


#: "Session", "Sitzung", "when you close your browser", "al cerrar el navegador"
BROWSER_SESSION = re.compile(
    r"\bsession\b|sitzung|sesion|sessione|fermeture du navigateur|browser clos|"
    r"(?:close|closing) (?:your|the) browser|browser is closed|fermer? (?:votre|le) navigateur|"
    r"fermez votre navigateur|schlie(?:ss|ß)en (?:des|sie (?:ihren|den)) browser\w*|"
    r"browser schlie\w*|cerrar el navegador|cierre del navegador|chiusura del browser|"
    r"chiud\w* il browser"
)


def parse_lifetime(text: str) -> tuple[float | None, bool]:
    """(days, is_session) from a cookie-table cell: "Session", "13 mois", "2 years"."""
    from scanner.policy.text import normalise

    norm = normalise(text)
    if BROWSER_SESSION.search(norm):
        return None, True
    m = DURATION.search(norm)
    if m:
        return compound_days(norm, m), False
    return None, False


def paired_lifetimes(cell: str, count: int) -> list[tuple[float | None, bool]]:
    """One lifetime per cookie of a row or block: "Session / 6 months" for "YSC,
    VISITOR_INFO1_LIVE" pairs them in order; a single lifetime applies to every cookie."""
    parts = [p for p in re.split(r"\s*[/;,]\s*|\s+(?:and|et|und|y|e)\s+", cell) if p.strip()]
    if count > 1 and len(parts) == count:
        return [parse_lifetime(p) for p in parts]
    return [parse_lifetime(cell)] * count


_JOINED = re.compile(r"\s*(?:,|and|et|und|y|e)?\s*")


def compound_days(norm: str, first: re.Match[str]) -> float | None:
    """Days of a duration, adding the parts that follow it: "1 year 1 month 4 days",
    "1 an et 1 mois"."""
    days = duration_days(first)
    if days is None:
        return None
    end = first.end()
    while True:
        joined = _JOINED.match(norm, end)
        nxt = DURATION.match(norm, joined.end()) if joined else None
        if nxt is None:
            return days
        more = duration_days(nxt)
        if more is None or more >= days:  # "1 month 13 months" is not one duration
            return days
        days = round(days + more, 4)
        end = nxt.end()


KIND_WORDS: dict[Category, str] = {
    Category.TECHNICAL: (
        r"techniques?|technical|technisch\w*|tecnic[oia]s?|"
        r"fonctionnels?|fonctionnalite|functional(?:ity)?|funktional\w*|funcional\w*|"
        r"funzional\w*|(?:strictement |strictly |absolument )?necessaires?|necessari[oea]?|"
        r"(?:strictly )?necessary|essentials?|essentiels?|essenziell\w*|notwendig\w*|"
        r"erforderlich\w*|necesari[oa]s?|indispensables?|tecnich[ei]|essenzial[ei]|"
        r"de preferences?|preference|preferences(?=[\s-]+cookies)|^preferences$|required|needed|"
        r"obligatoires?|imprescindibles?|requis|requerid[ao]s?|richiest[ie]|"
        # "Traceurs exemptés de consentement": exempt, the technical group
        r"exemptes? de consentement|exempt(?:ed)? from consent|"
        # "cookies that the site needs"
        r"(?:that |which )?(?:the |our |this )(?:site|website|app|store|shop) needs|"
        r"cookies (?:that |which )?(?:you|we) (?:really )?need\b|"
        # security cookies are exempt: "Sécurité de l'espace élèves", "for security"
        r"de securite|securite|security|sicherheit\w*|seguridad|sicurezza|"
        # "Präferenzen", "cookies de preferencias o personalización", "di preferenza"
        r"praferenz\w*|preferencias?|preferenz[ae]|de personalizacion|di personalizzazione|"
        r"de personnalisation"
    ),
    Category.SESSION: (
        r"de session|session|sitzungs|sitzungs-?cookies?|de sesion|sesion|di sessione|sessione"
    ),
    Category.TRACKING: (
        r"de tracage|tracage|de suivi|tracking|de ciblage|ciblage|targeting|"
        r"publicitaires?|de publicite|advertising|advertisement|ads|"
        # (not "our marketing site", "the marketing team")
        r"marketing\w*(?! (?:site|website|pages?|team|department))|de reseaux sociaux|"
        r"social media|sociaux|social(?: plugins?)?|"
        r"plugin social\w*|"
        r"soziale\w*(?: medien)?|"
        r"redes sociales|sociales|comportementa\w*|"
        r"behaviou?ral|de profilage|profilazione|di profilazione|werbe\w*|"
        r"publicitari[oa]s?|de publicidad|publicidad|publicites?|pubblicita|pubblicitar\w*|"
        r"third[- ]party advertising|werbung"
    ),
    Category.ANALYTICS: (
        r"analytiques?|analytics?|analytical|d'analyse|analysis|de mesure d'audience|"
        r"de mesure de l'audience|mesure d'audience|audience measurement|statistiques?|"
        r"statisti(?:cs|cal)|statistik\w*|analyse\w*|de performance|performance|"
        r"analitic[oia]s?|analitich[ei]|estadistic[oa]s?|statistic[io]|statistich[ei]|"
        r"di statistica|"
        r"de rendimiento|de medicion|di misurazione|mesur\w* (?:de )?l'audience|"
        r"de analisis|di analisi"
    ),
}
_LABEL_RES = {cat: re.compile(rf"\b(?:{words})\b") for cat, words in KIND_WORDS.items()}


def label_groups(text: str) -> set[str]:
    """The category groups (exempt / analytics / tracking) a short text names: a lead-in that
    names several ("cookie necessari, statistici e di marketing") says nothing about one row."""
    from scanner.policy.text import normalise

    norm = normalise(text)
    groups = set()
    if _LABEL_RES[Category.TRACKING].search(norm):
        groups.add("tracking")
    if _LABEL_RES[Category.ANALYTICS].search(norm) or re.search(r"google\s*analytics", norm):
        groups.add("analytics")
    if _LABEL_RES[Category.TECHNICAL].search(norm) or _LABEL_RES[Category.SESSION].search(norm):
        groups.add("exempt")
    return groups


#: a purpose that is keeping the visitor's consent: technical whatever cookies it is about
#: ("Guarda el consentimiento para las cookies analíticas")
_KEEPS_CONSENT = re.compile(
    r"\b(?:stores?|records?|saves?|keeps?|remembers?|guarda|almacena|registra|memorizza|"
    r"conserve|enregistre|memorise|speichert|merkt|garde|retient)\w* (?:(?:\w+ ){0,3}(?:cookie-?)?"
    r"(?:consent\w*|einwilligung\w*|zustimmung|consenso|preferences de cookies|cookie preferences|"
    r"preferencias de (?:las )?cookies|preferenze (?:sui |dei )?cookie|cookie-?(?:auswahl|"
    r"entscheidung)|decision sobre (?:las )?cookies)|"
    # "garde votre choix", "records your cookie choice", not "keeps your language choice"
    r"(?:(?:your|vos|votre|ihre|sus?|tus?|la tua|le tue|il tuo|i tuoi|the|les|die|la|le|il) )?"
    r"(?:cookie[- ]?)?(?:choix|choices?|auswahl|decision|entscheidung|scelt[ae]|eleccion)\b)|"
    # "remembers that you closed the cookie notice"
    r"\b(?:closed|dismissed|accepted|seen) the (?:cookie )?(?:notice|banner|message)"
)


#: keeping the visitor logged in is what a strictly necessary cookie does
_KEEPS_LOGGED_IN = re.compile(
    r"\b(?:keeps? (?:\w+ )?|stays? |remains? )(?:logged|signed) in\b|\bvous garder connecte|"
    r"\bangemeldet (?:zu )?bleiben|\bmantener(?:te|le)? (?:la sesion iniciada|conectad[oa])|"
    r"\bmantener(?:ti|la|lo)? (?:connesso|connessa|l'accesso)"
)


def category_from_purpose(text: str) -> Category | None:
    """A cookie's purpose to a category: its kind words, but a cookie that keeps the
    visitor's consent is technical even when its purpose names the cookies consented to."""
    from scanner.policy.text import normalise

    norm = normalise(text)
    if _KEEPS_CONSENT.search(norm) or _KEEPS_LOGGED_IN.search(norm):
        return Category.TECHNICAL
    return category_from_label(text)


def category_from_label(text: str) -> Category | None:
    """A cookie-table "type"/"purpose" cell to a category (Google Analytics by name first)."""
    from scanner.policy.text import normalise

    norm = normalise(text)
    if re.search(r"google\s*analytics", norm):
        return Category.GOOGLE_ANALYTICS
    for cat in (Category.TRACKING, Category.ANALYTICS, Category.SESSION, Category.TECHNICAL):
        if _LABEL_RES[cat].search(norm):
            return cat
    return None
