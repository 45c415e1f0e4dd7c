"""Vendors a policy lists as its processors or recipients, known to the vendor table or not.

A careful reader notes every company a policy names as receiving data ("Nous faisons appel aux
prestataires suivants : - Colissimo (livraison)", a sub-processor table whose first column is
"Datadog, Inc."), whether or not anyone has heard of it. The vendor table
(`scanner/policy/vendors.py`) only knows well-known vendors; this module reads the names out
of the two layouts that declare recipients:

- a bulleted list under a lead-in or heading about processors / recipients / service providers
  in one of the five languages: the capitalised name that starts each item, before "(", ",",
  " – " or the end of the item (a name followed by ":" is a label, "Hosting: ...", not a name);
- a table whose first header cell names the processor ("Sub-processor", "Prestataire",
  "Anbieter", "Proveedor", "Fornitore"...): the first cell of each row.

A declared cookie also names its product when the line that declares it names the company:
"_ga | Google | Statistiche" declares Google Analytics (the classifier's knowledge base says
whose `_ga` is), "cart | Shopify" does not declare Shopify unless the row names it.

Legal suffixes are dropped ("Datadog, Inc." is "Datadog"). Nothing is guessed about the
vendor's country or kind.
"""

from __future__ import annotations

import re

from scanner.policy.text import Sentence, normalise
from scanner.policy.vendors import Vendor, vendors_in_text
from scanner.policy.vocab import category_from_label

#: a lead-in or heading announcing a list of recipients
_RECIPIENTS = re.compile(
    r"prestataires?|sous-traitants?|sub-?processors?|\bprocessors|service providers|"
    r"auftragsverarbeiter|dienstleister|encargados? del tratamiento|proveedores|"
    r"responsabili (?:esterni )?del trattamento|fornitori|who processes|who receives|qui traite|"
    r"wer verarbeitet"
)
#: the first header cell of a table of processors
_VENDOR_HEADER = re.compile(
    r"^(?:sub-?processors?|processors?|prestataires?|sous-traitants?|destinataires?|"
    r"recipients?|vendors?|service providers?|providers?|company|societe|anbieter|"
    r"auftragsverarbeiter|dienstleister|empfanger|proveedor(?:es)?|encargados?|"
    r"destinatarios?|fornitor[ei]|responsabil[ei]|destinatari|partners?|partenaires?)\b"
)
_NAME = re.compile(
    r"^(?P<name>[A-Z0-9][\w&.'’+-]*(?:\s+(?:&\s+)?[A-Z0-9][\w&.'’+-]*){0,3})"
    r"\s*(?:\(|,|;|\s[–—-]\s|\.?$)"
)
_LEGAL = re.compile(
    r"(?:,?\s+(?:inc|ltd|llc|gmbh|ag|sas|sa|sarl|s\.?r\.?l|spa|s\.?p\.?a|s\.?l|bv|b\.v|nv|plc|co|"
    r"corp|corporation|limited|unlimited|se|oy|ab|as|kg|&(?:\s+co\.?(?:\s+kg)?)?)\.?)+$",
    re.I,
)
#: words that start list items without being a company
_NOT_VENDORS = {
    "nous",
    "we",
    "wir",
    "les",
    "the",
    "our",
    "nos",
    "unsere",
    "los",
    "nuestros",
    "i",
    "il",
    "gli",
    "cookies",
    "cookie",
    "n/a",
    "none",
    "aucun",
}


def without_legal_form(name: str) -> str:
    """The name without its trailing legal forms ("Acme S.r.l." -> "Acme", "X GmbH & Co. KG"
    -> "X")."""
    return _LEGAL.sub("", name)


def _clean(raw: str) -> str | None:
    name = without_legal_form(raw.strip(" .,;")).strip(" .,;")
    if len(name) < 2 or name.lower() in _NOT_VENDORS or name.isdigit():
        return None
    if category_from_label(name) is not None or _RECIPIENTS.search(normalise(name)):
        return None  # "Marketing", "Sous-traitants": a kind or a label, not a company
    return name


def listed_vendors(sents: list[Sentence]) -> list[tuple[str, Sentence]]:
    """(name, the sentence it was read from) for every recipient a list or table names."""
    out: list[tuple[str, Sentence]] = []
    lead_in = ""
    in_vendor_table = False
    for s in sents:
        if " | " in s.text:
            cells = [c.strip() for c in s.text.split(" | ")]
            if _VENDOR_HEADER.match(normalise(cells[0])):
                in_vendor_table = True
                continue
            if in_vendor_table:
                name = _clean(cells[0])
                if name:
                    out.append((name, s))
            continue
        in_vendor_table = False
        if not s.bullet or s.is_heading:
            lead_in = s.norm + " " + normalise(s.heading)
            continue
        if not _RECIPIENTS.search(lead_in):
            continue
        m = _NAME.match(s.text)
        if m is not None:
            name = _clean(m.group("name"))
            if name:
                out.append((name, s))
    return out


#: "Our booking system is provided by Roomly Inc.", "Il sito è ospitato da Aruba S.p.A.": the
#: company that provides or hosts a service is a processor (not "operated by", which is
#: usually the site's own company)
_PROVIDED_BY = re.compile(
    r"(?:\b(?:provided|supplied|hosted)(?: in \w+)? by|\bfourni(?:e|s|es)? par|"
    r"\bh[ée]berg[ée](?:e|s|es)?(?: en \w+)? (?:par|chez)|\bbereitgestellt von|"
    r"\bgehostet (?:bei|von)|\bproporcionad[oa]s? por|\balojad[oa]s? por|\bprestad[oa]s? por|"
    r"\bospitat[oa](?: in \w+)? (?:da|presso)|\bfornit[oa] da|"
    # "ospitato su server di Register.it", "hébergé sur les serveurs de", "hosted on servers of"
    r"\bospitat[oa] su(?:i)? server (?:di|da)|\bh[ée]berg[ée]e? sur (?:les |des )?serveurs "
    r"(?:de|d')|\bhosted on (?:the )?servers (?:of|from)|\balojad[oa] en (?:los )?servidores de|"
    # "Gehostet wird die Seite bei Uberspace"
    r"\b[Gg]ehostet (?:wird|werden) (?:\w+\s+){0,3}?(?:bei|von)|"
    # "Las citas se gestionan con Doctoralia", "requests are handled through Calendly",
    # "les devis sont signés électroniquement via Yousign"
    # (not "managed by X": the processing a controller manages)
    r"\b(?:handled|processed) (?:through|via|in|by)|\bmanaged (?:through|via|in)|"
    r"\bse gestiona\w* (?:con|a trav[ée]s de|mediante)|"
    # "screened by Akismet", "protected by hCaptcha", "powered by Shopify", "run on PostHog",
    # "we embed 3D models from Sketchfab"
    r"\b(?:screened|checked|filtered|protected|powered|delivered|measured|tracked|counted) by|"
    r"\bruns? on|\b(?:made|paid|taken) (?:through|via)|\bstored (?:with|at)|"
    r"\b(?:serve[sd]?|deliver(?:s|ed)?|load(?:s|ed)?) (?:\w+ ){0,2}?(?:through|via)|"
    r"\b(?:count|measure)\w* (?:\w+ ){0,2}?with|\b(?:collected|recueilli\w*|recogid\w*|"
    r"raccolt\w*) (?:by|par|por|da)|\bconfi[ée]e?s? [àa]|\bentrusted to|\baffidat\w* a|"
    r"\bpasan? por|\balojan? en (?:los )?servidores de|\bavviene (?:con|tramite)|"
    r"\berfolgt (?:über|mit)|\bs'effectue (?:avec|via)|\bse (?:realiza|hace) (?:con|mediante)|"
    r"\b(?:das Tool|den Dienst|die Plattform|die Software|l'outil|la plateforme|la herramienta|"
    r"la plataforma|lo strumento|la piattaforma|the tool|the platform)|"
    r"\bembed(?:s|ded)? (?:\w+ ){0,3}?from|"
    # "newsletters are sent with Constant Contact", "passent par HelloAsso", "funcionan con
    # CoverManager", "realizzato con Jimdo", "réalisé avec", "built with"
    r"\bsent (?:with|via|through|using)|\bpass(?:e|ent) par|\bgo(?:es)? through|"
    r"\bfunciona\w* con|\brealizzat[oa] con|\br[ée]alis[ée] avec|\bbuilt (?:with|on)|"
    # the Spanish subject after its verb: "Los envíos los gestiona SEUR"
    r"\b(?:los|las|lo|la) (?:gestiona|procesa|tramita|presta|proporciona)n?|"
    r"\bg[ée]r[ée]e?s? (?:avec|via)|\bgestit[ioae] (?:con|tramite)|"
    r"\b(?:sign[ée]s?|signed|firmad[oa]s|firmat[ie]|unterschrieben) (?:\w+ )?(?:via|with|avec|con|"
    r"mit|tramite|über)|"
    # "proposées via Cafeyn", "offered through"
    r"\bpropos[ée]e?s? via|\boffered (?:via|through)|\bavailable (?:via|through)|"
    r"\bangeboten über|\bofrecid[oa]s? a trav[ée]s de|\bofferti? tramite)"
    # "embedded from a Google Calendar", "fourni par la société Decalog"
    r"(?:\s+(?:a|an|the|la soci[ée]t[ée]|l'entreprise|the company|die Firma|la empresa|"
    r"la società))?"
    r"\s+(?P<name>[A-Z][\w&.'’+-]*(?:\s+(?:&\s+)?[A-Z][\w&.'’+-]*){0,3}"
    r"(?:,?\s+(?:Inc|Ltd|LLC|GmbH|AG|SAS|SA|SARL|S\.r\.l|Srl|srl|S\.p\.A|SpA|S\.L|SL|B\.V|BV|"
    r"plc|Limited|SE)\b\.?)?)"
)


#: the same with the verb last: "wird von Terminfix GmbH bereitgestellt"
_PROVIDED_BY_VERB_LAST = re.compile(
    r"\b(?:von|bei|über) (?P<name>[A-Z][\w&.'’+-]*(?:\s+[A-Z][\w&.'’+-]*){0,3})\s+"
    r"(?:(?:in|im|aus) \w+\s+)?(?:bereitgestellt|gehostet|zur Verfügung gestellt|zugestellt|"
    r"versendet|abgewickelt)"
)


#: a partner named in apposition with its legal form: "our ticketing partner, Tixly Ltd,",
#: "notre prestataire Colivo SAS"
_PARTNER_NAMED = re.compile(
    r"\b(?:partner|provider|processor|supplier|prestataire|sous-traitant|partenaire|"
    r"dienstleister|auftragsverarbeiter|proveedor|encargado|fornitore)s?,?\s+"
    r"(?P<name>[A-Z][\w&.'’+-]*(?:\s+[A-Z][\w&.'’+-]*){0,2}),?\s+"
    r"(?:Inc|Ltd|LLC|GmbH|AG|SAS|SARL|S\.r\.l|Srl|S\.p\.A|SpA|S\.L|B\.V|BV|plc|Limited)\b"
)


#: a provider named between commas after "our ... provider": "Nuestro proveedor de
#: alojamiento, Raiola Networks, tiene sus servidores en España"
_OUR_PROVIDER = re.compile(
    r"\b(?:[Oo]ur|[Nn]otre|[Nn]uestro|[Uu]nser|[Ii]l nostro)\s+(?:\w+\s+){0,2}?(?:partner|provider|"
    r"host|prestataire|h[ée]bergeur|proveedor|Anbieter|Hoster|Dienstleister|fornitore|"
    # "our clinical system, EMIS Web,", "Our ticketing system is Spektrix"
    r"system|platform|software|CRM|tool)"
    r"(?:\s+(?:de|di|d'|for)(?:\s*\w+){1,2})?(?:,|\s+is)\s+"
    r"(?P<name>[A-Z][\w&.'’+-]*(?:\s+[A-Z][\w&.'’+-]*){0,2})[,.;]"
)


#: a named service used for something: "We use Cleverreach for our newsletter", "Utilizamos
#: Acumbamail para enviar el boletín"
_USED_FOR = re.compile(
    r"\b(?:(?:[Ww]e use|[Ww]e rely on|[Nn]ous utilisons|[Uu]tilizamos|[Uu]samos|[Uu]tilizziamo|"
    r"[Uu]siamo)\s+(?:(?:the |le |el |il )?(?:service|servicio|servizio|outil|tool|platform|"
    r"plateforme|plataforma|piattaforma)\s+)?|"
    # German capitalises every noun: only "den Dienst X"
    r"[Ww]ir (?:nutzen|verwenden) (?:den Dienst|das Tool|die Plattform|den Anbieter)\s+)"
    r"(?P<name>[A-Z][\w&.'’+-]*(?:\s+[A-Z][\w&.'’+-]*){0,2})\s+(?:to|for|pour|afin|für|zur|zum|"
    r"um|para|per)\b"
)
#: "Il sito è ospitato su Netsons", "hosted on Render"
_HOSTED_ON = re.compile(
    r"\b(?:hosted on|ospitat[oaie] su|h[ée]berg[ée]e?s? sur|gehostet auf)\s+"
    r"(?P<name>[A-Z][\w&.'’+-]*(?:\s+[A-Z][\w&.'’+-]*){0,2})"
)


#: "We share information with vendors who perform services on our behalf, including Google
#: Cloud Platform (hosting), Stripe (payments) and Segment (product analytics)"
_PROVIDER_LIST = re.compile(
    r"\b(?:vendors|service providers|providers|processors|sub-?processors|prestataires|"
    r"sous-traitants|Dienstleister|Auftragsverarbeiter|proveedores|encargados|fornitori|"
    r"responsabili)\b[^.:;]{0,80}?\b(?:including|such as|namely|notamment|dont|darunter|"
    r"insbesondere|como|incluidos|tra cui|come)\s+(?P<list>[^.;]+)"
)
_LIST_ITEM = re.compile(
    r"(?:^|,\s*|\s(?:and|et|und|y|e)\s+)(?P<name>[A-Z][\w&.'’+-]*(?:\s+[A-Z][\w&.'’+-]*){0,3})"
)


#: "Reviews are shown in a Trustpilot widget", "played through the Vimeo player"
_NAMED_WIDGET = re.compile(
    r"\b(?:in|via|through|with|from) (?:a|an|the|our) "
    r"(?P<name>[A-Z][\w&.'’+-]*(?:\s+[A-Z][\w&.'’+-]*)?)\s+(?:widget|player|plugin|plug-in|badge|"
    r"embed)\b"
)


#: "A scrambled version of your e-mail address may be sent to Gravatar": a company data is
#: sent to (not a place: "sent to Ireland", "sent to the US")
_SENT_TO = re.compile(
    r"\b(?:sent|passed|forwarded|transmitted) to\s+"
    r"(?P<name>[A-Z][\w&.'’+-]*(?:\s+[A-Z][\w&.'’+-]*){0,2})"
)
_PLACE = re.compile(
    r"^(?:the\b|our\b|us\b|usa\b|uk\b|eu\b|eea\b|europe|ireland|germany|france|spain|italy|"
    r"netherlands|switzerland|canada|india|china|japan|israel|australia|singapore|brazil|"
    r"united|new zealand|third|another|other|countries)",
    re.I,
)


#: words one of the patterns above needs (on normalised text)
_PROVIDER_HINT = re.compile(
    r"\b(?:by|par|chez|da|presso|von|bei|por|su|sur|auf|through|via|con|avec|mit|tramite)\b|"
    r"partner|provider|processor|supplier|handled|managed|processed|gestiona|gestit|screened|"
    r"checked|filtered|protected|powered|runs?\b|embed|procesa|tramita|presta|proporciona|"
    r"\b(?:sent|passed|forwarded|transmitted) (?:to|with|via)\b|\bpass(?:e|ent)\b|\bgo(?:es)? "
    r"through|\b(?:widget|player|plugin|badge)\b|propose|offered|available|angeboten|ofrecid|"
    r"offert|soci[ée]t[ée]|funciona|realizzat|realise|\bbuilt\b|"
    r"zugestellt|versendet|including|such as|\b(?:delivered|measured|tracked|counted|made|paid|"
    r"taken|stored|serve[sd]?|load(?:s|ed)?|count\w*|collected|entrusted|pasan?|alojan?|avviene|"
    r"erfolgt|effectue|realiza|hace|tool|dienst|plattform|outil|plateforme|herramienta|plataforma|"
    r"strumento|piattaforma|namely|notamment|darunter|insbesondere|incluidos|system|platform|"
    r"software|crm)\b|recueilli|recogid|raccolt|confie|affidat|tra cui|"
    r"prestataire|sous-traitant|partenaire|dienstleister|auftragsverarbeiter|proveedor|"
    r"encargado|fornitore|anbieter|hoster|\bhost\b|hebergeur|we use|we rely|utilis|utiliz|"
    r"nutzen|"
    r"verwenden|usamos|usiamo"
)


_AND_NEXT = re.compile(
    r"\s*,?\s+(?:and|et|und|y|e)\s+(?:by|par|von|por|da|through|via)\s+"
    r"(?P<name>[A-Z][\w&.'’+-]*(?:\s+[A-Z][\w&.'’+-]*){0,2})"
)


def provided_by(sents: list[Sentence]) -> list[tuple[str, Sentence]]:
    """(name, sentence) for every company a sentence says provides or hosts a service."""
    out: list[tuple[str, Sentence]] = []
    for s in sents:
        if not _PROVIDER_HINT.search(s.norm):
            continue  # one cheap test instead of six patterns on most sentences
        found = [
            *_PROVIDED_BY.finditer(s.text),
            *_PROVIDED_BY_VERB_LAST.finditer(s.text),
            *_PARTNER_NAMED.finditer(s.text),
            *_OUR_PROVIDER.finditer(s.text),
            *_USED_FOR.finditer(s.text),
            *_HOSTED_ON.finditer(s.text),
            *(m for m in _SENT_TO.finditer(s.text) if not _PLACE.match(m.group("name"))),
            *_NAMED_WIDGET.finditer(s.text),
        ]
        for m in _PROVIDER_LIST.finditer(s.text):
            items = re.sub(r"\([^)]*\)", " ", m.group("list"))
            found += [i for i in _LIST_ITEM.finditer(items)]
        for m in found:
            name = _clean(m.group("name"))
            if name and _PLACE.match(name):
                continue  # "processed in the United States": a place, not a company
            if name and not (name.isupper() and len(name) <= 5):  # "We use SSL to ..."
                out.append((name, s))
            # "processed by Stripe and by GoCardless": the next name joined to this one
            more = _AND_NEXT.match(s.text, m.end("name")) if m.re is not _LIST_ITEM else None
            if more is not None and (extra := _clean(more.group("name"))):
                out.append((extra, s))
    return out


def vendor_of_cookie(name: str, quote: str) -> Vendor | None:
    """The vendor-table product whose cookie `name` is (by the classifier's knowledge base),
    when the cookie's own line names that product or its company."""
    from scanner.policy.prose_cookies import knowledge_entry

    entry = knowledge_entry(name)
    if entry is None or not entry.vendor:
        return None
    products = vendors_in_text(normalise(entry.vendor), cookie_context=True)
    if not products:
        return None
    vendor = products[0]
    line = normalise(quote)
    for word in (vendor.company, vendor.name.split()[0]):
        if re.search(rf"\b{re.escape(normalise(word))}\b", line):
            return vendor
    return None
