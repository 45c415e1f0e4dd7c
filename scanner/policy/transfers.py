"""Where a policy says the data goes: stored in the EU, or transferred outside it (to which
countries, under which safeguards), or promised to stay.

Each sentence is read clause by clause ("we do not transfer ...; our partners may transfer
... to the US" says both). Countries are read from the words that name a destination, not
from "outside the UK and the EEA" (where the data leaves) or an address ("privacy@x.co.uk").
"""

from __future__ import annotations

import re

from scanner.policy.declared import DeclaredTransfer, Flag, TransferKind
from scanner.policy.text import Sentence, normalise

# --- transfers ------------------------------------------------------------------------------

_OUTSIDE_EU = re.compile(
    r"hors (?:de )?(?:l')?(?:ue|union europeenne|eee|espace economique)|"
    r"(?:en )?dehors de (?:l')?(?:ue|union europeenne|eee|espace economique)|"
    r"outside (?:of )?(?:the )?(?:(?:uk|united kingdom|switzerland) (?:or|and) (?:the )?)?"
    r"(?:eu|european union|eea|european economic area)|"
    r"pays tiers|third countr|drittla\w*|ausserhalb (?:der |des )?(?:eu|europaischen union|"
    r"ewr|europaischen wirtschaftsraum\w*)|"
    r"fuera (?:de la |del |de )?(?:ue|union europea|eee|espacio economico europeo)|"
    # "when data leaves the EEA", "ne quittent jamais l'UE", "verlassen die EU nicht"
    r"(?:leaves?|leaving|quitt\w*|verlass\w*|salen?|lascia\w*|sort|sortent|escono|esce) "
    r"(?:jamais |mai |never )?"
    r"(?:the |l'|die |del |dell'|la |el |de la |de l'|de |from the |from |aus der |dalla |dall'|"
    r"dal )?"
    r"(?:eu|eea|ue|eee|ewr|see|union europeenne|european union|european economic area|"
    r"europaische union|union europea|espacio economico europeo|unione europea)\b|"
    # "No realizamos transferencias internacionales de datos", "Drittlandtransfer"
    r"(?:transferencias|transferts|trasferimenti|transfers?) internaciona\w*|"
    r"transferts internationaux|trasferimenti internazionali|international (?:data )?transfers?|"
    r"internationale\w* (?:daten)?(?:ubermittlung|transfer)\w*|"
    r"terceros paises|(?:al di )?fuori (?:dall'|dell'|dello |della |dallo |dalla )?(?:ue|"
    r"unione europea|see|"
    r"spazio economico europeo)|paesi terzi|non-eu|non eu\b"
)
#: (anchored at a word start, which is much faster; the stems German compounds end with,
#: "Datenübermittlung", "Drittlandtransfer", are looked for anywhere)
_TRANSFER = re.compile(
    r"\b(?:transmi\w*|communiqu\w*|transmit\w*|trasferi\w*|aloj\w*|ubicad\w*|ospitat\w*|"
    r"trat(?:ar|a|an|ados?|adas?)\b|trait(?:er|e|ent|ees?)\b|weiter\b|weitergegeben|compart\w*|"
    r"shar(?:e|es|ed|ing)\b|partag\w*|condivid\w*|process(?:es|ed)?\b|tratt(?:ati|ano)\b|"
    r"sent\b|envoy\w*|leaves?\b|leaving\b|quitt\w*|verlass\w*|salen?\b|lascia\w*|sort\b|"
    r"sortent\b|escono\b|esce\b|"
    r"accessed from|stock\w*|stored|stores\b|heberg\w*|hosted|serveurs?|servers?|situ\w*|"
    r"located|localis\w*|implant\w*|based in|established in|etablis?|sede\b|headquartered|"
    r"siege\b|sitz\b|run by|operated by)|transf\w*|ubermitt\w*|ubertrag\w*|weitergabe|verarbeit\w*"
)
_NEGATION = re.compile(
    r"\b(?:ne|pas|aucun\w*|jamais|no|not|never|none|kein\w*|nicht|ningun\w*|nunca|non|"
    r"nessun\w*|mai)\b|\bn'|n't"
)
#: e-mail addresses and domains: "privacy@shop.co.uk" names no country
_ADDRESS = re.compile(
    r"\S+@\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|info|io|app|eu|uk|fr|de|es|it|ch|be|nl|at|"
    r"audio|shop|online)\b"
)
#: a negation after the transfer: "Eine Übermittlung ... findet nicht statt", "n'a pas lieu"
_NEGATED_AFTER = re.compile(
    r"\bfindet (?:\w+ )?nicht statt|\berfolgt (?:\w+ )?nicht\b|\bn'a (?:pas|jamais) lieu|"
    r"\bno (?:se )?(?:produce|realiza|tiene lugar)|\bnon (?:avviene|ha luogo|e previsto)|"
    r"\b(?:does|do|will) not (?:take place|occur|happen)|\bnicht (?:ubermittelt|weitergegeben|"
    r"ubertragen)|\bnicht\s*[.!]?$"
)


_STORAGE_WORD = re.compile(r"server|data|donnee|daten|dato|dati|host|stor|heberg|aloj|ospit")


def _place_words(norm: str) -> str:
    """A sentence with a framework's name blanked ("relies on the EU-US Data Privacy
    Framework" names no place) and the full stops inside names hidden ("server di Register.it
    in Italia" is one sentence)."""
    if "-" in norm:
        norm = _FRAMEWORK_NAMES.sub(" ", norm)
    return _DOT_IN_NAME.sub("_", norm) if "." in norm else norm


_DOT_IN_NAME = re.compile(r"(?<=\w)\.(?=\w)")
_ORIGIN_PLACE = (
    r"(?:the )?(?:eea|eu|uk|united kingdom|switzerland|european economic area|european union|"
    r"ue|eee|royaume-uni|suisse|ewr|schweiz)"
)
_ORIGINS = re.compile(
    r"\b(?:users|residents|visitors|customers|individuals|people|utilisateurs|nutzer\w*|"
    r"usuarios|utenti) (?:located |based )?(?:in|from|of|dans|de l'|aus|en|nel|nell')\s?"
    + _ORIGIN_PLACE
    + r"(?:(?:,| and| or| et| ou| und| oder| y| o| e) "
    + _ORIGIN_PLACE
    + r")*"
)
#: a framework's name is not a place: "relies on the EU-US Data Privacy Framework"
_FRAMEWORK_NAMES = re.compile(r"\b(?:eu|ue)[- ](?:us|usa|u\.s\.|ee\.? ?uu)\b")
#: safeguards named after a country, which is not where the data goes: "the EU-US DPF and its
#: UK extension", "the UK Addendum", "the Swiss-US Data Privacy Framework"
_SAFEGUARD_NAMES = re.compile(
    r"\b(?:uk|swiss|suisse|schweizer)(?:[- ]us)? (?:extension|addendum|data bridge|"
    r"international data transfer \w+|idta|dpf|data privacy framework)\b|\bswiss[- ]us\b"
)
_TABLE_NO = re.compile(
    r"(?:transfert|transfer)[^.]{0,40}(?:hors|outside|dehors)[^.]{0,30}\|\s*(?:non|no|aucun|none)"
    r"\b"
)
_SAFEGUARDS: dict[str, re.Pattern[str]] = {
    "scc": re.compile(
        r"clauses contractuelles types|clauses contractuelles standard|standard contractual "
        r"clauses|model clauses|\bsccs?\b|standardvertragsklauseln|clausulas contractuales "
        r"tipo|clausole contrattuali (?:tipo|standard)|"
        # the UK's equivalents
        r"standard data protection clauses|international data transfer (?:agreement|addendum)|"
        r"\bidta\b"
    ),
    "adequacy": re.compile(
        r"adequa\w*|adecuaci\w*|adeguatezza|angemessenheitsbeschlu\w*|"
        r"niveau de protection (?:adequat|suffisant)|adequate level|"
        r"angemessen\w* (?:schutz|datenschutz)niveau|nivel de proteccion adecuado|"
        r"livello di protezione adeguato"
    ),
    "bcr": re.compile(r"binding corporate rules|regles d'entreprise contraignantes|\bbcrs?\b"),
    "dpf": re.compile(
        r"data privacy framework|\bprivacy framework|privacy shield|\bdpf\b|"
        r"cadre de protection des "
        r"donnees|datenschutzrahmen|marco de privacidad de datos|quadro (?:di|per la) "
        r"(?:protezione|privacy) dei dati"
    ),
}
_COUNTRIES: dict[str, re.Pattern[str]] = {
    "US": re.compile(
        r"etats[- ]unis|united states|\busa\b|\bu\.s\.a?\.?|vereinigte\w* staaten|"
        r"estados unidos|stati uniti|\baux us\b|(?:to|in|into|within|from) the us\b|"
        r"\bee\.\s?uu\b|\beeuu\b|"
        # "Calendly is a US company", "US-based providers"
        r"\bus[- ](?:company|companies|based|firm|provider|providers|corporation)\b|"
        r"(?:societe|entreprise) americaine|societa (?:statunitense|americana)|statunitense|"
        r"estadounidense|us-amerikanisch\w*|amerikanische\w* (?:unternehmen|anbieter|firma)|"
        r"\bamerican (?:compan\w*|firms?|providers?|corporations?)|"
        r"\b(?:compan\w*|firms?|providers?) (?:are|is) american"
    ),
    "GB": re.compile(
        r"royaume[- ]uni|united kingdom|\buk\b|grande[- ]bretagne|vereinigte\w* konig"
    ),
    "CH": re.compile(r"\bsuisse\b|switzerland|\bschweiz\b|\bsuiza\b|\bsvizzera\b"),
    "CA": re.compile(r"\bcanada\b|\bkanada\b"),
    "IN": re.compile(r"\binde\b|\bindia\b|\bindien\b"),
    "CN": re.compile(r"\bchine\b|\bchina\b"),
    "JP": re.compile(r"\bjapon\b|\bjapan\b"),
    "IL": re.compile(r"\bisrael\b"),
    "AU": re.compile(r"australi\w*"),
    "SG": re.compile(r"singap\w*"),
    "BR": re.compile(r"\bbresil\b|\bbrazil\b|\bbrasil\b"),
    "NZ": re.compile(r"new zealand|nouvelle-zelande|neuseeland|nueva zelanda|nuova zelanda"),
}
#: EU / EEA member states in the five languages (normalised): "hébergé ... à Roubaix (France)"
_EU_COUNTRY = (
    r"france|frankreich|francia|germany|allemagne|deutschland|alemania|germania|spain|espagne|"
    r"spanien|espana|spagna|italy|italie|italien|italia|netherlands|pays-bas|niederlanden?|"
    r"paises bajos|paesi bassi|ireland|irlande|irland|irlanda|belgium|belgique|belgien|belgica|"
    r"belgio|austria|autriche|osterreich|portugal|portogallo|luxembourg|luxemburg|lussemburgo|"
    r"finland|finlande|finnland|finlandia|sweden|suede|schweden|suecia|svezia|denmark|danemark|"
    r"dinamarca|danimarca|poland|pologne|polen|polonia|lithuania|lituanie|litauen|lituania|latvia|"
    r"lettonie|lettland|letonia|lettonia|estonia|estonie|estland|czechia|czech republic|tchequie|"
    r"tschechien|chequia|repubblica ceca|slovakia|slovaquie|slowakei|eslovaquia|slovacchia|"
    r"slovenia|slovenie|slowenien|eslovenia|croatia|croatie|kroatien|croacia|croazia|hungary|"
    r"hongrie|ungarn|hungria|ungheria|romania|roumanie|rumanien|rumania|bulgaria|bulgarie|"
    r"bulgarien|greece|grece|griechenland|grecia|cyprus|chypre|zypern|chipre|cipro|malta|malte|"
    # cities where hosting is commonly said to be: "nuestro servidor, alojado en Madrid"
    r"paris|roubaix|gravelines|strasbourg|frankfurt|francfort|francoforte|frankfurt am main|"
    r"falkenstein|nurnberg|nuremberg|munchen|munich|berlin|madrid|barcelona|milano|milan|"
    r"dublin|amsterdam|brussels|bruxelles|vienna|wien|helsinki|stockholm|lisbon|lisboa|warsaw"
)
_IN_EU = re.compile(
    r"(?:situes?|localises?|heberge(?:e|s|es)?|stockees?|located|hosted|stored|stores|kept|based|"
    r"ospita|hostet|"
    r"befinden sich|ubicad[oa]s?|aloj\w*|situati|ospitat[oaie]|servers?|serveurs?|servern?|"
    r"servidor(?:es)?|stays?|remains?|restent|reste|bleib\w*|permanece\w*|riman\w*)\b[^.]{0,80}"
    r"(?:union europeenne|\bue\b|european union|\beu\b|en europe|in europe|\beee\b|\beea\b|"
    rf"in der eu|europaischen union|union europea|unione europea|\b(?:{_EU_COUNTRY})\b)|"
    # German puts the verb last: "wird bei Hetzner in Deutschland gehostet"
    rf"\bin (?:der eu|(?:{_EU_COUNTRY})\b)[^.]{{0,40}}\b(?:gehostet|gespeichert|betrieben)"
)
#: a cheap test first: no EU place, no storage in the EU
_EU_PLACE = re.compile(
    rf"\b(?:{_EU_COUNTRY}|eu|ue|eee|eea|ewr|european|europeenne|europea|europa|europe)\b"
)


def storage_in_eu(sents: list[Sentence], source: str | None) -> Flag | None:
    """A statement that the data is stored in the EU (or an EU country)."""
    for s in sents:
        outside = _OUTSIDE_EU.search(s.norm)
        # "conservati in Italia e non vengono trasferiti fuori dall'UE" still says it
        # ("stores booking data in the United Kingdom, which the EU recognises ...": a place
        # outside the EU named as where the data is)
        found = _IN_EU.search(_place_words(s.norm)) if _EU_PLACE.search(s.norm) else None
        if found and found.group(0).startswith("based") and not _STORAGE_WORD.search(s.norm):
            continue  # "Typeform is based in Spain": a company's seat, not where data is kept
        if (
            found
            and not _destinations(s.norm)
            and (
                outside is None
                or _NEGATION.search(s.norm[max(0, outside.start() - 40) : outside.start()])
            )
        ):
            return Flag(value=True, quote=s.text, source=source)
    return None


def transfers(sents: list[Sentence], source: str | None) -> list[DeclaredTransfer]:
    """What the policy says about data leaving the EU: none, outside, countries, safeguards."""
    out: list[DeclaredTransfer] = []
    seen: set[tuple[TransferKind, str]] = set()

    def add(t: DeclaredTransfer) -> None:
        key = (t.kind, t.quote or "")
        if key not in seen:
            seen.add(key)
            out.append(t)

    for i, s in enumerate(sents):
        heading = normalise(s.heading)
        if " | " in s.text:
            norm = s.norm
            # a row of a sub-processor table: "Twilio Inc. | United States | SCCs, BCRs"
            row_countries = _destinations(norm)
            row_safeguards = [name for name, rx in _SAFEGUARDS.items() if rx.search(norm)]
            if row_countries or (row_safeguards and _OUTSIDE_EU.search(norm)):
                add(
                    DeclaredTransfer(
                        kind=TransferKind.SAFEGUARDS if row_safeguards else TransferKind.COUNTRIES,
                        countries=row_countries,
                        safeguards=row_safeguards,
                        quote=s.text,
                        source=source,
                        confidence=0.8,
                    )
                )
                continue
        for norm in _clauses(s.norm):
            outside = _OUTSIDE_EU.search(norm)
            transfer_words = list(_TRANSFER.finditer(norm))
            # a safeguard is only ever named for a transfer: "Calendly (USA,
            # EU-Standardvertragsklauseln)", "InnoCraft in New Zealand under an adequacy decision"
            named_safeguard = _TRANSFER_SAFEGUARD.search(norm) is not None
            countries = _destinations(norm) if transfer_words or named_safeguard else []
            stays = _STAYS_IN_EU.search(norm)
            if (
                stays
                and not outside
                and not countries
                and not _NEGATION.search(norm[: stays.end()])
            ):
                # "toutes les données restent en France", "die Daten bleiben in der EU"
                add(DeclaredTransfer(kind=TransferKind.NONE, quote=s.text, source=source))
                continue
            if not outside and _NOWHERE.search(norm):
                # "We do not transfer data from this website anywhere else."
                add(DeclaredTransfer(kind=TransferKind.NONE, quote=s.text, source=source))
                continue
            if outside and (
                _TABLE_NO.search(norm)
                or re.search(r"\bpas de transfert|\baucun transfert|\bno transfer", norm)
            ):
                add(DeclaredTransfer(kind=TransferKind.NONE, quote=s.text, source=source))
                continue
            if (
                not outside
                and re.fullmatch(
                    r"(?:pas de transfert|aucun transfert|no transfers?|none|non|no)\.?", norm
                )
                and _OUTSIDE_EU.search(heading + " " + (sents[i - 1].norm if i > 0 else ""))
            ):
                add(DeclaredTransfer(kind=TransferKind.NONE, quote=s.text, source=source))
                continue
            if outside and transfer_words:
                negated = any(
                    _NEGATION.search(norm[max(0, m.start() - 45) : m.start()])
                    for m in transfer_words
                ) or bool(_NEGATED_AFTER.search(norm, outside.end()))
                if negated and not _EXCEPT.search(norm):
                    add(DeclaredTransfer(kind=TransferKind.NONE, quote=s.text, source=source))
                    continue
                safeguards, quote = _safeguards(sents, i)
                kind = (
                    TransferKind.SAFEGUARDS
                    if safeguards
                    else TransferKind.COUNTRIES
                    if countries
                    else TransferKind.OUTSIDE_EU
                )
                add(
                    DeclaredTransfer(
                        kind=kind,
                        countries=countries,
                        safeguards=safeguards,
                        quote=quote,
                        source=source,
                    )
                )
                continue
            if countries and (transfer_words or named_safeguard):
                negated = any(
                    _NEGATION.search(norm[max(0, m.start() - 30) : m.start()])
                    for m in transfer_words
                )
                if negated:
                    continue
                safeguards, quote = _safeguards(sents, i)
                add(
                    DeclaredTransfer(
                        kind=TransferKind.SAFEGUARDS if safeguards else TransferKind.COUNTRIES,
                        countries=countries,
                        safeguards=safeguards,
                        quote=quote,
                        source=source,
                    )
                )
    return out


#: safeguards that are named only for a transfer (a bare "adequate" is not one)
_TRANSFER_SAFEGUARD = re.compile(
    _SAFEGUARDS["scc"].pattern
    + "|"
    + _SAFEGUARDS["bcr"].pattern
    + "|"
    + _SAFEGUARDS["dpf"].pattern
    + r"|adequacy decision|decision d'adequation|angemessenheitsbeschlu\w*|decision de "
    r"adecuacion|decisione di adeguatezza"
)
#: the data itself staying in the EU is a promise that it does not leave it
_STAYS_IN_EU = re.compile(
    r"\b(?:donnees|data|daten|datos|dati|informations?)\b[^.;]{0,30}?\b(?:stays?|remains?|"
    r"restent|reste|bleiben|bleibt|permanecen?|se quedan|rimang\w*|restano)\b (?:\w+ ){0,2}?"
    r"(?:in|en|dans|within|innerhalb|nell'|nella|nel)\s?(?:der |de l'|l'|la |the )?(?:eu|ue|"
    r"european union|union europeenne|europaischen union|union europea|unione europea|eee|eea|"
    rf"ewr|see|europe|europa|{_EU_COUNTRY})\b"
)
#: "not ... anywhere (else)", "nulle part ailleurs", "an niemanden weiter"
_NOWHERE = re.compile(
    r"\b(?:do|does|will) not (?:transfer|send|share)\b[^.;]{0,60}\banywhere\b|"
    r"\bne (?:sont|seront) (?:\w+ )?(?:transferees|envoyees) nulle part"
)


#: "no transfers, except Google ...": the exception is a transfer
_EXCEPT = re.compile(
    r"\b(?:sauf|except|unless|other than|a l'exception|with the exception|hormis|ad eccezione|"
    r"eccetto|tranne|salvo|"
    r"excepto|ausser|mit ausnahme)\b"
)


#: the US companies a policy names bare as the ones data goes to
_BARE_COMPANIES = {"Google": "google", "Microsoft": "microsoft", "Meta": "meta", "Amazon": "amazon"}
_BARE_COMPANY = re.compile(
    r"\b(google|microsoft|meta|amazon)\b(?! (?:analytics|ads|maps|fonts|tag|"
    r"clarity|advertising|pixel|web services|ireland|platforms ireland))"
)


def recipient_companies(sents: list[Sentence]) -> list[tuple[str, Sentence]]:
    """(company, sentence) for the big US companies a sentence names bare as the ones that
    transfer or receive data outside the EU ("Google and Meta may transfer data to the US")."""
    out: list[tuple[str, Sentence]] = []
    for s in sents:
        if not _BARE_COMPANY.search(s.norm) or not _TRANSFER.search(s.norm):
            continue
        if not (_OUTSIDE_EU.search(s.norm) or _destinations(s.norm)):
            continue
        for m in _BARE_COMPANY.finditer(s.norm):
            company = next(c for c, w in _BARE_COMPANIES.items() if w == m.group(1))
            out.append((company, s))
    return out


def _clauses(norm: str) -> list[str]:
    """The clauses of a sentence that says two things: "Il titolare non trasferisce i dati
    fuori dallo SEE; Meta e TikTok possono trasferire i dati negli Stati Uniti" (one denied,
    one stated); otherwise the whole sentence ("... sede en EE. UU.; las transferencias se
    amparan en ..." is one statement)."""
    parts = norm.split(";")
    if len(parts) < 2:
        return parts
    polarity = {bool(_NEGATION.search(p)) for p in parts if _TRANSFER.search(p)}
    return parts if len(polarity) > 1 else [norm]


def _safeguards(sents: list[Sentence], i: int) -> tuple[list[str], str]:
    """Safeguards named in this sentence or the next three (lists often follow a colon)."""
    found: list[str] = []
    quotes = [sents[i].text]
    for j, s in enumerate(sents[i : i + 4]):
        names = [name for name, rx in _SAFEGUARDS.items() if rx.search(s.norm)]
        if j > 0 and names and not any(n in found for n in names):
            quotes.append(s.text)
        found.extend(n for n in names if n not in found)
    return found, " … ".join(quotes)


def _destinations(norm: str) -> list[str]:
    """The countries a sentence names as destinations: "outside the UK and the EEA" names
    where the data leaves, "for users in the EEA, the UK and Switzerland" where the people
    are, and "privacy@shop.co.uk" is an address, not a country."""
    destination = _OUTSIDE_EU.sub(
        " ", _ADDRESS.sub(" ", _ORIGINS.sub(" ", _SAFEGUARD_NAMES.sub(" ", norm)))
    )
    return [code for code, rx in _COUNTRIES.items() if rx.search(destination)]
