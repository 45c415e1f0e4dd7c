"""Read a privacy / cookie policy (HTML, markdown or text) into a DeclaredPolicy.

Written for the language of policies rather than for particular files: each declaration is a
small pattern over one normalised sentence (French and English first, German, Spanish and
Italian keywords where they are cheap), and each keeps the sentence as its quote. What cannot
be read (a PDF, an empty page, an unknown language, a huge page) becomes a note, never an
exception: a scan must complete whatever its policy page looks like.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scanner.model import Category
from scanner.policy.cookie_tables import cookies_from_html_tables, cookies_from_markdown
from scanner.policy.declared import (
    DeclaredCategory,
    DeclaredContact,
    DeclaredCookie,
    DeclaredPolicy,
    DeclaredRetention,
    DeclaredRight,
    DeclaredTransfer,
    DeclaredVendor,
    Flag,
    Origin,
)
from scanner.policy.prose_cookies import cookies_in_prose
from scanner.policy.text import (
    MAX_DOCUMENT_CHARS,
    MAX_TEXT_CHARS,
    Sentence,
    detect_language,
    html_to_lines,
    looks_like_pdf,
    normalise,
    sentences,
    text_to_lines,
)
from scanner.policy.transfers import recipient_companies, storage_in_eu, transfers
from scanner.policy.vendor_lists import listed_vendors, provided_by, vendor_of_cookie
from scanner.policy.vendors import (
    vendor_by_name,
    vendor_country,
    vendor_position,
    vendors_in_text,
)
from scanner.policy.vocab import DURATION, KIND_WORDS, duration_days

# --- vocabulary (on normalised text: lower case, no accents) -------------------------------

COOKIE_WORD = (
    r"(?:cookies?|traceurs?|temoins?(?: de connexion)?|trackers?|galletas|strumenti|"
    r"\w*-?cookies?)"
)
#: a company named in a list of processors that the vendor table does not know
LISTED_VENDOR_CONFIDENCE = 0.7
_COOKIE_CONTEXT = re.compile(
    r"\bcookies?\b|\btraceurs?\b|temoins? de connexion|\btrackers?\b|\bpixels?\b|"
    r"\bcookie-|-cookies?\b|\btags?\b|\btracking\b|tracciamento"
)

#: adjectives (and noun complements) naming a cookie kind, per category
_KIND_WORDS = KIND_WORDS
#: what links a cookie word to the purpose after it: "cookies for marketing purposes",
#: "cookies zu Analysezwecken", "cookies con fines analíticos", "cookie per finalità statistiche",
#: "cookies that are essential" (a few words may come between: "set by third parties")
_PURPOSE_LINK = (
    r"(?:\s+(?!(?:can|could|peuvent|peut|konnen|kann|pueden|puede|possono|puo|often|generally|"
    r"typically|usually|commonly|souvent|generalement|oft|haufig|suelen|spesso)\b)[\w'-]+){0,5}?"
    r"\s+(?:for|pour|a des fins|aux fins|zu|fur|con fines?|con finalidad(?:es)?|para|"
    r"per finalita|per|a fini|that are|which are|qui sont|die)\s+(?:[\w'-]+\s+){0,2}?"
)
_KIND_RES: dict[Category, re.Pattern[str]] = {
    cat: re.compile(
        rf"\b{COOKIE_WORD}\s+(?:dits?\s+|de type\s+|type\s+|de\s+|di\s+)?(?:{words})\b"
        rf"|\b(?:{words})[\s-]+{COOKIE_WORD}"
        rf"|\b{COOKIE_WORD}{_PURPOSE_LINK}(?:{words})\b"
    )
    for cat, words in _KIND_WORDS.items()
}
#: category statements that do not need the word "cookie"
_AUDIENCE = re.compile(
    r"mesure d'audience|mesure de (?:l')?audience|mesurer (?:l'|notre |son )?audience|"
    r"audience measurement|measure (?:our |the )?audience|web analytics|reach measurement|"
    r"(?:traffic|website|site|usage|visitor|anonymous) statistics|statistiques anonymes|"
    r"anonyme statistiken|estadisticas anonimas|statistiche anonime|"
    r"statistiques (?:de trafic|du site|"
    r"de visites?|de frequentation|d'utilisation)|"
    r"outil d'analyse|analytics (?:tool|service)s?|reichweitenmessung|reichweite|"
    r"web-?analyse\w*|webanalysedienst|zugriffe auf (?:die|unsere) website|"
    r"statistische(?:n)? zwecke|medicion de audiencia|medir (?:el rendimiento|la audiencia)|"
    r"misurazione dell'audience|analizzare (?:i )?(?:dati di )?traffico|analy[sz]e (?:our |the )?"
    r"traffic|analyse (?:du|de) trafic|analizar el trafico|"
    r"(?:articles|pages) les plus (?:lus|vus|vues|consultees)|most (?:read|viewed|visited) "
    r"(?:pages|articles)|nombre de visites|number of visits|"
    # "nous mesurons la fréquentation", "to count visits", "contar las visitas"
    r"mesur\w* (?:la |de la )?frequentation|count (?:the )?(?:visits|visitors)|"
    r"contar (?:las )?visitas|contare le visite|besucher zu zahlen"
)
_ANALYTICS_WORD = re.compile(rf"\b(?:{_KIND_WORDS[Category.ANALYTICS]})\b")
#: a sentence that lists the kinds of cookies there are, not the ones the site uses
_TYPOLOGY = re.compile(
    r"tipos de cookies|types (?:of|de) cookies|arten von cookies|tipi di cookie|"
    r"tipologie di cookie|se pueden distinguir|on (?:peut )?distingue|can be (?:classified|"
    r"divided|distinguished)|clasificacion|classification|there are (?:\w+ )?(?:types|kinds)|"
    r"si possono distinguere|existe(?:n)? (?:\w+ )?(?:tipos|clasificacion)"
)
_OTHER_SITES = re.compile(
    r"(?:some|many|other|certain) (?:web)?sites|certains sites|de nombreux sites|d'autres sites|"
    r"(?:einige|viele|andere) (?:websites|webseiten)|(?:algunos|muchos|otros) sitios|"
    r"(?:algunas|muchas|otras) webs|(?:alcuni|molti|altri) siti|"
    # what the law says is not what the site does: "La CNIL impose de recueillir ..."
    r"(?:la cnil|the law|la loi|le rgpd|the gdpr|die dsgvo|el rgpd|il gdpr|la ley|la legge|"
    r"das gesetz|the eprivacy|la directive)\b"
)
#: what cookies or services usually do, said in general: "Las cookies de terceros suelen
#: utilizarse para ...", "Un cookie peut servir à ...", "vengono spesso usati per ..."
_GENERAL = re.compile(
    r"\b(?:suelen|usually|often|generally|typically|commonly|souvent|en general|generalement|"
    r"haufig|oft|in der regel|spesso|di solito|generalmente|peut servir|peuvent servir|"
    r"can be used|may be used|can serve|pueden utilizarse|pueden usarse|possono essere usati)\b"
)
_FIRST_PERSON = re.compile(
    r"\b(?:we|our|us|nous|notre|nos|wir|unser\w*|uns|nosotros|nuestr[oa]s?|utilizamos|usamos|"
    r"noi|nostr[oaie]|utilizziamo|usiamo)\b"
)
#: "Analyse-Dienste wie Google Analytics", "services such as YouTube": an example
_EXAMPLE_OF = re.compile(
    r"\b(?:wie|such as|like|comme|tels? que|telles? que|como|come|ad esempio|per esempio|"
    r"for example|e\.g\.|z\. ?b\.|zum beispiel|par exemple|por ejemplo)\s+(?:\w+\s+)?$"
)
_SITE_USES = re.compile(
    r"nous utilisons|we use|this (?:site|website) uses|ce site (?:utilise|depose)|"
    r"wir (?:verwenden|nutzen|setzen)|utilizamos|usamos|este (?:sitio|portal|web) utiliza|"
    r"utilizziamo|questo sito utilizza|il sito utilizza|\bemplea"
)
_ADS = re.compile(
    r"publicite ciblee|publicites? personnalisees?|targeted advertising|personali[sz]ed "
    r"(?:ads|advertising)|interest-based advertising|retargeting|reciblage|"
    r"personalisierte(?:n)? (?:werbung|werbeanzeigen|anzeigen)|remarketing|"
    r"\bfur werbung|zu werbezwecken|for advertising|a des fins publicitaires|"
    r"con fines publicitarios|per finalita pubblicitarie|"
    r"publicidad (?:personalizada|comportamental)|pubblicita personalizzata|"
    r"cross-device tracking|gerateubergreifend\w* (?:tracking|remarketing)|"
    r"social (?:media )?plugins?|plugins? (?:social\w*|sociaux)|boutons? de partage|"
    r"share buttons?|bottoni di condivisione|botones (?:para )?compartir|"
    # showing ads is declaring them: "nous diffusons des publicités", "show you relevant adverts"
    r"diffus\w* (?:\w+ ){0,2}publicites|show (?:you )?(?:\w+ )?(?:ads|adverts|advertisements)|"
    r"mostrar(?:te|le)? (?:\w+ )?anuncios|mostrar(?:ti|e) (?:\w+ )?annunci|"
    r"werbung (?:anzuzeigen|auszuspielen|einzublenden)"
)

# --- personal data, anonymisation, exemption ---------------------------------------------

_PERSONAL = (
    r"(?:donnees?|informations?) (?:a caractere |de nature )?personnel(?:le)?s?|"
    r"(?:donnees|informations) nominatives|personal (?:data|information)|"
    r"personally identifiable|personenbezogene\w* daten|datos (?:de caracter )?personales|"
    r"dati personali"
)
_NO_PERSONAL = re.compile(
    r"(?:ne|n') ?(?:\w+ ){0,2}(?:collect|recueill|trait|stock|enregistr|conserv)\w* "
    r"(?:aucune?|pas de|jamais de?)\s(?:\w+ ){0,2}(?:" + _PERSONAL + r")"
    r"|aucune? (?:" + _PERSONAL + r") n'(?:est|sont)"
    r"|(?:(?:does|do|will|shall) not|don't|doesn't|won't|never) (?:\w+ ){0,2}"
    r"(?:collect|store|process|record|gather)"
    r"\w* (?:any )?(?:" + _PERSONAL + r")"
    r"|(?:collects?|stores?|processes) no (?:" + _PERSONAL + r")"
    r"|\bno (?:" + _PERSONAL + r") (?:is|are|will be) (?:\w+ )?(?:collected|stored|processed)"
    r"|keine (?:" + _PERSONAL + r")"
    r"|(?:no|non) (?:\w+ ){0,2}(?:recoge|recopila|trata|raccoglie|tratta)\w* "
    r"(?:ningun\w* |alcun\w* )?(?:" + _PERSONAL + r"|dato personale|dato personal)"
)
#: "... aucune donnée personnelle sur ce site": about the whole site, whatever follows
_SITE_WIDE = re.compile(
    r"\s*(?:sur (?:ce|notre) site|on (?:this|our) (?:web)?site|auf (?:dieser|unserer) "
    r"(?:web)?seite|auf (?:dieser|unserer) website|en (?:este|nuestro) (?:sitio|portal)|"
    r"su (?:questo|nostro) sito)"
)
_UNLESS = re.compile(
    r"\b(?:sans|sauf|unless|without|except|other than|autres? que|ohne|sin|senza|hors)\b"
)
_COLLECTS = re.compile(
    r"\b(?:nous (?:\w+ )?(?:collectons|recueillons|traitons|conservons|stockons)|nous pouvons "
    r"(?:\w+ ){0,3}(?:collecter|recueillir|traiter)|we (?:may )?(?:\w+ )?(?:collect|process|"
    r"gather|store)|(?:sont|seront|is|are|may be) (?:\w+ )?(?:collectees?|recueillies?|"
    r"stockees?|conservees?|traitees?|collected|processed|stored)|stockent|conservent|"
    r"collectees|erhobenen|erhoben|erfasst|(?:is|are) kept|we (?:will )?hold|"
    r"(?:collects|processes|gathers|holds) (?:some |certain )?personal (?:data|information)|"
    r"conservamos|guardamos|comunicamos|conserviamo|pedimos|chiediamo|"
    r"we (?:keep|take|record) (?:your|the|donor|patient|customer|client|member)|"
    # kept until deleted: "Your order details (name, phone number) are deleted after 90 days"
    r"(?:is|are) (?:\w+ )?(?:deleted|erased) after|"
    r"wir (?:\w+ )?(?:erheben|verarbeiten|speichern)|"
    r"(?:erheben|verarbeiten|speichern) wir|"
    # the site as the subject: "l'association collecte", "the charity processes", "el
    # Ayuntamiento trata sus datos"
    r"(?:collecte|recueille|enregistre|collects|processes|gathers|verarbeitet|erhebt|recoge|"
    r"recopila|"
    r"raccoglie|tratta|trata) (?:\w+ )?(?:vos|votre|your|ihre|sus|tus|i tuoi|i suoi|les|the|"
    r"die|i|los|las|des)|"
    # what a form or request holds: "Booking requests include your name"
    r"(?:include|includes|contain|contains|comprend|comprennent|contient|enthalt|enthalten|"
    r"incluye|incluyen|contiene|contengono) (?:your|vos|votre|ihre|ihren|tu|tus|su|sus|"
    r"il tuo|i tuoi)|"
    # Italian and Spanish passives: "sono conservati", "son tratados"; data "provided"
    r"(?:sono|vengono|son|se) (?:\w+ )?(?:raccolti|trattati|conservati|recogidos|tratados|"
    r"conservados)|dati personali forniti|datos personales facilitados|personal data "
    r"(?:you )?provided|"
    r"verarbeiten (?:\w+ )?(?:ihre )?personenbezogenen|recopilamos|tratamos|raccogliamo|"
    r"trattiamo|"
    # asking for the data is collecting it: "we ask for your name", "nous vous demandons"
    r"we (?:will )?(?:ask|request) (?:you )?(?:for|to provide)|nous vous demandons|"
    r"(?:te|le|les) pedimos|ti chiediamo|bitten wir (?:sie )?um|recogemos|recabamos|"
    r"solicitamos|nos (?:facilitas|facilita|proporcionas|proporciona|das|da)|you provide|"
    # what the site needs from the visitor: "we need your e-mail", "ci serve il tuo indirizzo"
    r"you give us|vous nous donnez|sie geben uns|ci dai|we need|necesitamos|ci serve|"
    r"abbiamo bisogno|benotigen wir|brauchen wir|nous avons besoin|vous devez (?:renseigner|"
    r"fournir|indiquer)|you (?:must|need to) (?:provide|enter)|"
    r"vous nous (?:fournissez|communiquez|transmettez)|ci (?:fornisci|comunichi)|"
    # the label of a processing record: "Dati Personali trattati: ..."
    r"dati personali trattati|personal data processed|donnees personnelles traitees|"
    r"datos personales tratados|verarbeitete (?:personenbezogene )?daten)\b"
)
_PERSONAL_DATA = re.compile(
    r"\b(?:" + _PERSONAL + r"|(?:vos|your|ihre|sus|tus|i tuoi|i suoi) (?:donnees|data|daten|"
    r"informationen|datos|dati|informations|angaben|\w+daten)\b|\bnom\b|\bname\b|e-?mail|"
    r"adresse ip|ip address|user-?id|\bcorreo\b|\bnome\b|\bcognome\b|\bnombre\b|"
    r"\bapellidos?\b|\bprenom\b|"
    r"\bvorname\b|telephone|phone number|telefon\w*|numero de telefono|numero di telefono|"
    r"\banschrift\b|adresse postale|postal address|date of birth|geburtsdatum|"
    r"fecha de nacimiento|data di nascita|date de naissance|"
    # records about people: "les dossiers des patients", "customer records"
    r"(?:donor|patient|customer|client|member|pupil|student|employee)s? (?:records|files|data|"
    r"details)|contact details|coordonnees|datos de contacto|dati di contatto|"
    r"(?:vos|your|ihre|sus|tus|i tuoi|i suoi) (?:commandes|orders|bestellungen|pedidos|ordini|"
    r"compte|account|konto|cuenta)\b|"
    r"(?:dossiers?|donnees|data|records?|daten|datos|dati|files?) (?:des |of |der |de los |de |"
    r"dei |of our )?(?:patients?|pazienti|pacientes|patienten|clients|customers?|kunden|"
    r"clientes|clienti|membres|members|mitglieder|socios|soci|adherents))"
)
#: data in general: personal unless the text around says it is anonymised
_DATA_WORD = re.compile(
    r"\b(?:donnees|data|daten|informationen|datos|dati|informations?)\b|\w+daten\b"
)
#: a "no personal data" sentence about audience measurement is an anonymisation claim, not a
#: statement about the whole site
_NOT_IDENTIFY = re.compile(
    r"(?:do(?:es)? not|don't|doesn't|won't|cannot|never|"
    r"ne (?:\w+ )?(?:permet|permettent)\w* pas de|sans (?:\w+ )?permettre de|"
    r"no (?:permite|permiten)\w*|nicht|non (?:consente|consentono))"
    r"\s(?:\w+\s){0,6}(?:personally )?identif\w*|"
    r"without (?:\w+ ){0,4}(?:anything|nothing|data) (?:that|which) (?:could|can|would|might) "
    r"identif\w*|no (?:" + _PERSONAL + r") (?:is|are) "
    r"(?:\w+ )?(?:processed|collected)"
)
#: measurement named only to be denied: "no forms, accounts or analytics", "ni outil de
#: statistiques", "keine Statistik"
_MEASURE_DENIED = re.compile(
    r"\b(?:no|not|ni|kein\w*|ningun\w*|nessun\w*|sans|without|ohne|sin|senza|neither|nor)\b"
    r"[^.;:]{0,50}\b(?:analytics|statisti\w*|mesure d'audience|audience measurement)"
)
_IP_TRUNCATED = re.compile(
    r"(?:ip-?adresse|ip address|adresse ip|indirizzo ip|direccion ip)\w*[^.]{0,60}"
    r"(?:gekurzt|truncated|tronquee|troncat\w*|truncad\w*|masked|maskiert)"
)
_ANON = re.compile(
    r"anonymi[sz]\w*|anonymes?|anonymous|anonimi[sz]\w*|anonim[oiae]|anonymisiert|\banonym\b"
)
_MEASURE = re.compile(
    r"audience|analytic|statisti|mesure|measur|nombre de visites|number of visits|"
    r"web-?analyse|analyse der|analisi|analisis|matomo|piwik|"
    r"visites du site|site visits|frequentation|reichweite|"
    r"pages? (?:les plus )?(?:vues|consultees|viewed)|most viewed|traffic|trafic|"
    r"page views|visitor count\w*|compteur de visites|besucherzahl\w*|contador de visitas|"
    r"contatore (?:di|delle) visite"
)
_EXEMPT = re.compile(
    r"exempt\w*|dispense\w* (?:de|du|from)|exoner\w*|exent[oa]s? de|"
    r"(?:einwilligung|zustimmung)\w* (?:\w+ ){0,2}befreit|"
    r"(?:ne (?:\w+ )?(?:necessite\w*|requiert|requierent|demande\w*)|sans) (?:\w+ )?(?:votre |le |"
    r"de |du )?(?:consentement|accord)|"
    r"(?:do|does) not (?:ask for|request|need) (?:your |any )?consent|ne demandons pas (?:votre )?"
    r"consentement|no (?:pedimos|solicitamos) (?:su |tu )?consentimiento|non chiediamo il consenso|"
    r"no (?:\w+ )?consent (?:is |was )?(?:needed|required|necessary)|consent is not (?:needed|"
    r"required)|(?:needs?|requires?) no (?:\w+ )?consent|"
    r"(?:keine|ohne) (?:\w+ )?einwilligung (?:\w+ )?(?:notig|erforderlich)|"
    r"(?:do|does) not require (?:your |prior |the )?(?:\w+ )?consent|"
    r"einwilligungsfrei|keine einwilligung|no requieren? (?:tu |su )?consentimiento|"
    r"non richied\w* (?:il )?(?:tuo )?consenso|esenti dal consenso|"
    r"non (?:e|sono) (?:\w+ )?richiest\w* (?:il )?(?:\w+ )?consenso|"
    r"prior authori[sz]ation|autorisation prealable|"
    # the Garante's wording for exempt analytics: "assimilati ai cookie tecnici"
    r"assimil\w* (?:ai|agli|aux?|a des|a) (?:cookie|traceurs?)\w* (?:tecnici|techniques)"
)
#: an exemption whose object is consent: "exempt from the consent requirement", "exemptés de
#: consentement", "von der Einwilligung befreit", "exentas de consentimiento", "esenti dal consenso"
_EXEMPT_FROM_CONSENT = re.compile(
    r"(?:exempt\w*|exent\w*|esent\w*|befreit|dispense\w*) (?:\w+ ){0,3}(?:consent\w*|"
    r"einwilligung\w*)|(?:einwilligung\w*|consent\w*) (?:\w+ ){0,2}(?:exempt\w*|befreit)"
)

# --- retention ------------------------------------------------------------------------------

_RETENTION_WORD = re.compile(
    r"conserv\w*|retention|retain\w*|\bkept\b|\bkeep\w*|stored for|store\w* for|archiv\w*|"
    r"sauvegard\w*|backups?|supprim\w*|effac\w*|deleted|erased|purg\w*|duree|duration|"
    r"expir\w*|\bgarde\w*|aufbewahr\w*|\bbewahr\w*|speicher\w*|gespeichert|geloscht|loschung|losche\w*|"
    r"elimin\w*|borra\w*|cancellat\w*|suprim\w*|guardamos|guardaremos|se guardan|"
    r"plazo|conservad\w*|conservati|conservazione|lifetime|validite|validity|"
    r"ne (?:sont|seront) (?:\w+ )?(?:gardees|stockees)|pendant|for a period"
)
_NOT_RETENTION = re.compile(
    r"\b(?:moins de|under|aged|ages de|age de|younger than|mineurs?|minors?|enfants?|children)"
    r"\b[^.]{0,20}$"
)
_DATA_NOUN = re.compile(
    r"\b(donnees|donnee|informations|information|data|logs?|traces|journaux|sauvegardes|"
    r"backups|copies|cookies?|enregistrements|records|videos|images|tickets|factures|"
    r"candidatures|cv|daten|datos|dati|profils?|comptes?|accounts?|invoices|orders|"
    r"candidats?|prospects?|clients?|commandes|contrats|photographies?|adresses? ip|"
    r"ip address\w*)\b"
)
#: where a sentence naming a cookie goes on about data: "; les données ...", "and the data
#: collected is kept ...", "und die Daten ..."
_CLAUSE_SPLIT = re.compile(
    r";|,?\s+(?:and|et|und|y|e|while|whereas|mais|but|aber|pero|ma)\s+(?=(?:the |les |die |los |"
    r"las |i |gli |le |la |el )?(?:\w+ )?(?:data|donn[ée]es|[Dd]aten|datos|dati|informations?|"
    r"logs?)\b)",
    re.I,
)
#: a clause about data rather than about a cookie
_DATA_CLAUSE = re.compile(r"\b(?:donnees|data|daten|datos|dati|informations?|logs?)\b")
_STOP = re.compile(
    r"\b(sont|est|seront|sera|ont|a|are|is|will|be|were|was|pour|for|pendant|during|sur|"
    r"jusqu|until|qui|que|which|that|we|nous|dont|durant|a compter|from|after|apres|"
    r"n'excedant|not exceeding|peuvent|can|may)\b|[,.;:()]"
)
_PRONOUN_START = re.compile(
    r"^(?:elles|ils|celles-ci|ceux-ci|they|these|those|it|sie|diese|ellos|ellas|esse|essi)\b"
)
_RETENTION_KIND: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("backups", re.compile(r"sauvegard|backup|plans? de recup|copie de secours")),
    ("cctv", re.compile(r"video|cctv|camera")),
    ("access_control", re.compile(r"badge|controle d'acces|access control|piece d'identite")),
    ("cookies", re.compile(r"\bcookies?\b|traceurs?|consentement|consent choice")),
    ("billing", re.compile(r"factur|billing|invoice|comptab|accounting|fiscal|commandes")),
    ("litigation", re.compile(r"litige|preuve|probatoire|litigation|evidence|prescription")),
    ("recruitment", re.compile(r"candidat|recrut|\bcv\b|applicant|job applica")),
    ("marketing", re.compile(r"marketing|newsletter|prospect|emailing|prospection|promotion")),
    ("support", re.compile(r"ticket|support|assistance|incident")),
    (
        "technical",
        re.compile(
            r"\blogs?\b|traces|journaux|technique|technical|routage|routing|connexion|"
            r"connection data|adresses? ip|ip address|navigateur|browser|server logs"
        ),
    ),
    ("customer", re.compile(r"\bclients?\b|customer|contrat|contract|abonnement|subscription")),
)

# --- contacts and rights ----------------------------------------------------------------

_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
_DPO = re.compile(
    r"\bdpo\b|\bdpd\b|delegue a la protection|data protection officer|data privacy officer|"
    r"datenschutzbeauftragt\w*|delegad[oa] de proteccion|responsabile (?:della )?protezione|"
    r"data protection (?:lead|manager)|"
    r"responsable des donnees personnelles"
)
#: the local part of a DPO's mailbox
_DPO_MAILBOX = re.compile(r"(?:dpo|dpd|rpd)[.@_-]")
#: a heading over several subjects ("Kontakt und Datenschutzbeauftragter") says not which is which
_SEVERAL_SUBJECTS = re.compile(r"\b(?:and|et|und|y|e|ed)\b|&|,")
_AUTHORITY_DOMAINS = (
    "gpdp.it",
    "dataprotection.ie",
    "datenschutz-berlin.de",
    "ldi.nrw.de",
    "lda.bayern.de",
    "dsb.gv.at",
    "apd-gba.be",
    "autoriteitpersoonsgegevens.nl",
    "cnpd.pt",
    "uodo.gov.pl",
    "cnil.fr",
    "privacycommission.be",
    "autoriteprotectiondonnees.be",
    "edpb.europa.eu",
    "ico.org.uk",
    "aepd.es",
    "garanteprivacy.it",
    "bfdi.bund.de",
    "cnpd.lu",
    "edoeb.admin.ch",
)
_RIGHTS: dict[str, re.Pattern[str]] = {
    "access": re.compile(
        r"droits? d'acces|right (?:of|to) access|auskunft|derecho de acceso|"
        r"diritto di accesso|acceder (?:a vos|aux) (?:donnees|informations)"
        r"|\baccess(?:er)? (?:to )?(?:your|vos)|\by acceder\b|\bacceder\b"
    ),
    "rectification": re.compile(r"rectif\w*|berichtigung|rettifica"),
    "erasure": re.compile(
        r"effacement|effacer|suppression|supprimer|erasure|\berase\b|\bdelet\w*|to be forgotten|"
        r"droit a l'oubli|loschung|supresion|cancellazione"
    ),
    "restriction": re.compile(
        r"limitation du traitement|restriction|\brestrict\w*|einschrankung|limitacion|"
        r"limitazione"
    ),
    "portability": re.compile(
        r"portabilit\w*|ubertragbarkeit|transferer vos donnees|"
        r"consulter, transferer"
    ),
    "objection": re.compile(
        r"droit d'opposition|opposer|right to object|\bobject to\b|"
        r"widerspruch|oposicion|opposizione"
    ),
    "withdraw_consent": re.compile(
        r"retirer (?:votre|son) consentement|withdraw (?:your )?"
        r"consent|widerruf|retirar (?:su|tu) consentimiento|"
        r"revocare il consenso"
    ),
    "complaint": re.compile(
        r"reclamation|plainte|complaint|beschwerde|reclamacion|reclamo|"
        r"autorite de controle|supervisory authority|\bcnil\b"
    ),
    "post_mortem": re.compile(
        r"apres (?:votre|son) deces|directives (?:generales et "
        r"particulieres|relatives)|after (?:your )?death"
    ),
}
_DATA_CONTEXT = re.compile(
    r"donnees|\bdata\b|informations|vous concernant|about you|personal|personnel|\bdaten\b|"
    r"\bdatos\b|\bdati\b|vos droits|your rights"
)
#: rights whose words also describe other things ("droits d'accès" to an API, a building)
_AMBIGUOUS_RIGHTS = {"access", "erasure", "restriction", "portability"}
_RIGHTS_CONTEXT = re.compile(
    r"\bdroits?\b|\brights?\b|\brecht\w*|\bderechos?\b|\bdiritt\w*|vous pouvez|you (?:may|can)|"
    r"vous disposez|you have"
)


def extract_policy(
    document: str, url: str | None = None, content_type: str = "text/html"
) -> DeclaredPolicy:
    """What a policy document declares; never raises on odd input (it adds a note instead)."""
    source = url
    notes: list[str] = []
    if looks_like_pdf(document, content_type):
        notes.append(
            f"{url or 'document'}: PDF policies are not read (save it as text or HTML, or "
            "write a YAML declaration)"
        )
        return DeclaredPolicy(sources=[source] if source else [], notes=notes)
    if not document.strip():
        notes.append(f"{url or 'document'}: the policy page is empty")
        return DeclaredPolicy(sources=[source] if source else [], notes=notes)
    if len(document) > MAX_DOCUMENT_CHARS:
        notes.append(
            f"{url or 'document'}: {len(document):,} characters; only the first "
            f"{MAX_DOCUMENT_CHARS:,} were read"
        )
        document = document[:MAX_DOCUMENT_CHARS]
    is_html = "html" in content_type.lower() or document.lstrip()[:1] == "<"
    lines = html_to_lines(document) if is_html else text_to_lines(document)
    total = 0
    kept: list[str] = []
    for line in lines:
        total += len(line) + 1
        if total > MAX_TEXT_CHARS:
            notes.append(
                f"{url or 'document'}: the text is longer than {MAX_TEXT_CHARS:,} characters; "
                "the rest was not read"
            )
            break
        kept.append(line)
    sents = sentences(kept)
    if not sents:
        notes.append(f"{url or 'document'}: no readable text in the policy page")
        return DeclaredPolicy(sources=[source] if source else [], notes=notes)
    full_norm = " ".join(s.norm for s in sents)
    # the language of the prose: cookie tables are often left in the vendors' English
    prose = " ".join(s.norm for s in sents if " | " not in s.text)
    language = detect_language(prose) or detect_language(full_norm)
    if language is None:
        notes.append(
            f"{url or 'document'}: the policy's language was not recognised (French, English, "
            "German, Spanish and Italian are read); little or nothing could be extracted"
        )
    reader = _Reader(sents, source)
    table_cookies = (
        cookies_from_html_tables(document, source)
        if is_html
        else cookies_from_markdown(kept, source)
    )
    table_cookies += cookies_in_prose(kept, sents, source, {c.name for c in table_cookies})
    vendors = reader.vendors(table_cookies)
    return DeclaredPolicy(
        origin=Origin.EXTRACTED,
        sources=[source] if source else [],
        language=language,
        mentions_cookies=bool(_COOKIE_CONTEXT.search(full_norm)) or bool(table_cookies),
        categories=reader.categories(table_cookies, vendors),
        vendors=vendors,
        cookies=table_cookies,
        collects_personal_data=reader.personal_data(),
        audience_anonymised=reader.anonymised(),
        consent_exemption=reader.exemption(),
        storage_in_eu=reader.storage_in_eu(),
        transfers=reader.transfers(),
        retention=reader.retention(table_cookies),
        contacts=reader.contacts(),
        rights=reader.rights(),
        notes=notes,
    )


class _Reader:
    """One pass per kind of declaration over the sentences of one document."""

    def __init__(self, sents: list[Sentence], source: str | None) -> None:
        self.sents = [s for s in sents if not s.is_heading]
        self.all = sents
        self.source = source
        #: sentences about other sites, the law, what cookies usually do, or questions
        self.about_others = {s.index for s in sents if _about_others(s)}

    def _window(self, i: int, before: int, after: int) -> list[Sentence]:
        return self.sents[max(0, i - before) : i + after + 1]

    def _cookie_context(self, s: Sentence) -> bool:
        return bool(_COOKIE_CONTEXT.search(s.norm) or _COOKIE_CONTEXT.search(normalise(s.heading)))

    def categories(
        self, table_cookies: list[DeclaredCookie], vendors: Sequence[DeclaredVendor] = ()
    ) -> list[DeclaredCategory]:
        found: dict[Category, DeclaredCategory] = {}
        for v in vendors:
            if v.name == "Google Analytics":
                found[Category.GOOGLE_ANALYTICS] = DeclaredCategory(
                    category=Category.GOOGLE_ANALYTICS, quote=v.quote, source=self.source
                )
        for s in self.all:
            if _TYPOLOGY.search(s.norm) and not _SITE_USES.search(s.norm):
                continue  # "there are five types of cookies: ..." defines, it does not declare
            if s.index in self.about_others:
                continue  # "Some websites use them to track visitors": about others
            for cat, pattern in _KIND_RES.items():
                if cat in found:
                    continue
                hits = [m for m in pattern.finditer(s.norm) if not _negated(s.norm, m.start())]
                if hits:
                    found[cat] = DeclaredCategory(category=cat, quote=s.text, source=self.source)
            audience = _AUDIENCE.search(s.norm)
            if (
                Category.ANALYTICS not in found
                and audience
                and not _negated(s.norm, audience.start())
            ):
                found[Category.ANALYTICS] = DeclaredCategory(
                    category=Category.ANALYTICS, quote=s.text, source=self.source
                )
            ads = _ADS.search(s.norm)
            if Category.TRACKING not in found and ads and not _negated(s.norm, ads.start()):
                found[Category.TRACKING] = DeclaredCategory(
                    category=Category.TRACKING, quote=s.text, source=self.source
                )
            ga = re.search(r"google\s*analytics|\bga4\b|universal analytics", s.norm)
            if (
                Category.GOOGLE_ANALYTICS not in found
                and ga
                and not _negated(s.norm, ga.start())
                and not (
                    _EXAMPLE_OF.search(s.norm[: ga.start()]) and not _FIRST_PERSON.search(s.norm)
                )
            ):
                found[Category.GOOGLE_ANALYTICS] = DeclaredCategory(
                    category=Category.GOOGLE_ANALYTICS, quote=s.text, source=self.source
                )
        for cookie in table_cookies:
            cats = [cookie.category] if cookie.category is not None else []
            if cookie.category is Category.GOOGLE_ANALYTICS and _ANALYTICS_WORD.search(
                normalise(re.sub(r"(?i)google\s*analytics", "", cookie.quote or ""))
            ):
                cats.append(Category.ANALYTICS)  # "_ga | Analítica – Google Analytics"
            for cat in cats:
                if cat not in found:
                    found[cat] = DeclaredCategory(
                        category=cat, quote=cookie.quote, source=self.source
                    )
        declared_ga = found.get(Category.GOOGLE_ANALYTICS)
        if declared_ga is not None and Category.ANALYTICS not in found:
            # using Google Analytics is using analytics cookies
            found[Category.ANALYTICS] = declared_ga.model_copy(
                update={"category": Category.ANALYTICS}
            )
        order = list(Category)
        return sorted(found.values(), key=lambda c: order.index(c.category))

    def vendors(self, cookies: Sequence[DeclaredCookie] = ()) -> list[DeclaredVendor]:
        found: dict[str, DeclaredVendor] = {}
        # a sentence naming the cookies the policy declares speaks of cookies ("Marketing:
        # Pinterest (_pin_unauth, 1 year) and Snapchat (_scid, 13 months)")
        names = {c.name.lower() for c in cookies if len(c.name) >= 3}
        for s in self.all:
            generic = s.index in self.about_others
            context = self._cookie_context(s)
            if not context and names:
                lowered = s.text.lower()
                context = any(n in lowered for n in names)
            for vendor in vendors_in_text(s.norm, cookie_context=context):
                at = vendor_position(vendor, s.norm)
                if _negated(s.norm, at) or generic:
                    continue  # "we do not use Google Analytics", "Some websites use YouTube"
                if _EXAMPLE_OF.search(s.norm[:at]) and not _FIRST_PERSON.search(s.norm):
                    continue  # "Analyse-Dienste wie Google Analytics erfassen ..."
                if vendor.name not in found:
                    found[vendor.name] = DeclaredVendor(
                        name=vendor.name,
                        country=vendor_country(vendor),
                        kind=vendor.kind,
                        quote=s.text,
                        source=self.source,
                        confidence=0.8 if vendor.needs_context else 0.9,
                    )
        known = {normalise(n) for n in found}
        for name, s in listed_vendors(self.all) + provided_by(self.all):
            norm = normalise(name)
            if norm in known:
                continue
            known.add(norm)
            # a list of processors is context enough for names that are also words ("Crisp")
            table = vendors_in_text(norm, cookie_context=True)
            if table:
                vendor = table[0]
                if vendor.name not in found:
                    found[vendor.name] = DeclaredVendor(
                        name=vendor.name,
                        country=vendor_country(vendor),
                        kind=vendor.kind,
                        quote=s.text,
                        source=self.source,
                        confidence=LISTED_VENDOR_CONFIDENCE,
                    )
                continue
            found[name] = DeclaredVendor(
                name=name, quote=s.text, source=self.source, confidence=LISTED_VENDOR_CONFIDENCE
            )
        for cookie in cookies:
            product = vendor_of_cookie(cookie.name, cookie.quote or "")
            if product is not None and product.name not in found:
                found[product.name] = DeclaredVendor(
                    name=product.name,
                    country=vendor_country(product),
                    kind=product.kind,
                    quote=cookie.quote,
                    source=self.source,
                    confidence=LISTED_VENDOR_CONFIDENCE,
                )
        companies = {v.company for name in found if (v := vendor_by_name(name)) is not None}
        for company, s in recipient_companies(self.sents):
            # "Google and Meta may transfer data to the US": companies named as recipients
            if company not in companies and company not in found:
                companies.add(company)
                found[company] = DeclaredVendor(
                    name=company,
                    country="US",
                    quote=s.text,
                    source=self.source,
                    confidence=LISTED_VENDOR_CONFIDENCE,
                )
        if "Google" in found and any(
            (v := vendor_by_name(name)) is not None and v.company == "Google" and name != "Google"
            for name in found
        ):
            del found["Google"]  # "Google LLC" is the company of a product already named
        return sorted(found.values(), key=lambda v: v.name)

    def _about_anonymisation(self, i: int) -> bool:
        s = self.sents[i]
        text = s.norm + " " + normalise(s.heading) + " " + self._previous_norm(i)
        return bool(_ANON.search(text) or _NOT_IDENTIFY.search(text))

    def _about_measurement(self, i: int) -> bool:
        s = self.sents[i]
        return bool(
            _MEASURE.search(s.norm + " " + normalise(s.heading) + " " + self._previous_norm(i))
        )

    def personal_data(self) -> Flag | None:
        """False for a site-wide "we collect no personal data" (collect / store / process: "not
        exploited" or "not shared" deny nothing); True for a statement that it does."""
        positive: Flag | None = None
        for i, s in enumerate(self.sents):
            match = _NO_PERSONAL.search(s.norm)
            if (
                match
                and not _UNLESS.search(s.norm[match.end() : match.end() + 40])
                and (
                    not self._about_measurement(i)
                    or _SITE_WIDE.match(s.norm, match.end())
                    # "It does not use contact forms or analytics, and we do not collect any
                    # personal data through it": the measurement is denied too
                    or _MEASURE_DENIED.search(s.norm)
                )
            ):
                return Flag(value=False, quote=s.text, source=self.source, confidence=0.9)
            if (
                positive is None
                and match
                and _UNLESS.search(s.norm[match.end() : match.end() + 40])
                and not self._about_measurement(i)
            ):
                # "it does not collect any personal data unless you use the form": it does
                positive = Flag(value=True, quote=s.text, source=self.source, confidence=0.8)
            if (
                positive is None
                and _COLLECTS.search(s.norm)
                and (
                    _PERSONAL_DATA.search(s.norm)
                    or (_DATA_WORD.search(s.norm) and not self._about_anonymisation(i))
                )
                and not (match and self._about_measurement(i))
            ):
                positive = Flag(value=True, quote=s.text, source=self.source, confidence=0.8)
        return positive

    def anonymised(self) -> Flag | None:
        for i, s in enumerate(self.sents):
            if _IP_TRUNCATED.search(s.norm) and self._about_measurement(i):
                # "die IP-Adresse wird vor der Speicherung gekürzt": IP anonymisation
                return Flag(value=True, quote=s.text, source=self.source)
            if _NOT_IDENTIFY.search(s.norm) and self._about_measurement(i):
                # "these analytics cookies do not identify you" / "no personal data is processed"
                return Flag(value=True, quote=s.text, source=self.source, confidence=0.7)
            denial = _NO_PERSONAL.search(s.norm)
            if (
                denial
                and _MEASURE.search(s.norm)
                and not _UNLESS.search(s.norm[denial.end() : denial.end() + 40])
                and not _SITE_WIDE.match(s.norm, denial.end())
                and not _MEASURE_DENIED.search(s.norm)
            ):
                # "Plausible Analytics, which uses no cookies and does not collect personal data"
                return Flag(value=True, quote=s.text, source=self.source, confidence=0.7)
            if not _ANON.search(s.norm) or not _ANON.search(_without_names(s.text)):
                continue  # "ajs_anonymous_id" is a cookie's name, not a claim
            if re.search(r"\b(?:pas|not|nicht|no|non)\b[^.]{0,25}anonym", s.norm):
                continue
            context = " ".join(x.norm for x in self._window(i, 1, 1)) + " " + normalise(s.heading)
            if _MEASURE.search(context) or re.search(
                r"adresses? ip|ip address|\bip[- ]anonymi|anonymi\w* (?:de l'|der |of the )?ip\b|"
                r"anonymize ?ip|anonimizzazione (?:dell')?ip",
                s.norm,
            ):
                return Flag(value=True, quote=s.text, source=self.source)
        return None

    def exemption(self) -> Flag | None:
        """A claim that audience measurement needs no consent (claims for technical cookies,
        which the law exempts anyway, are not what this records)."""
        for i, s in enumerate(self.sents):
            # "Traceurs exemptés de consentement" as a heading over "statistiques de visites"
            if not _EXEMPT.search(s.norm + " " + normalise(s.heading)):
                continue
            if re.search(r"\bexempt\w* (?:d'impot|tax)", s.norm):
                continue
            near = " ".join(x.norm for x in self._window(i, 3, 0)) + " " + normalise(s.heading)
            own = s.norm + " " + normalise(s.heading)
            own_technical = (
                _KIND_RES[Category.TECHNICAL].search(own)
                and not _MEASURE.search(own)
                and not re.search(r"assimil", own)
            )
            if own_technical:
                continue
            # "they are exempt from the consent requirement", "exempté de consentement": the
            # exemption names consent itself, so no cookie word is needed around it
            claim = _EXEMPT.search(s.norm)
            about_consent = _EXEMPT_FROM_CONSENT.search(s.norm) is not None or (
                claim is not None
                and re.search(r"consent|einwilligung|zustimmung", claim.group(0)) is not None
            )
            if (
                _MEASURE.search(near) and (about_consent or _COOKIE_CONTEXT.search(near))
            ) or re.search(r"\bcnil\b", s.norm):
                return Flag(value=True, quote=s.text, source=self.source)
        return None

    def storage_in_eu(self) -> Flag | None:
        return storage_in_eu(self.sents, self.source)

    def transfers(self) -> list[DeclaredTransfer]:
        return transfers(self.sents, self.source)

    def _previous_norm(self, i: int) -> str:
        return self.sents[i - 1].norm if i > 0 else ""

    def retention(self, cookies: Sequence[DeclaredCookie] = ()) -> list[DeclaredRetention]:
        """Retention periods; a duration beside a named cookie is that cookie's lifetime."""
        out: list[DeclaredRetention] = []
        seen: set[tuple[str, float]] = set()
        names = re.compile(
            "|".join(rf"(?<![\w-]){re.escape(c.name.lower())}(?![\w-])" for c in cookies) or r"(?!)"
        )
        # "pxl_consent : Conserve vos choix. Durée : 12 mois." - the second sentence is still
        # the cookie's line: its duration is the cookie's lifetime
        cookie_lines = [c.quote for c in cookies if c.quote and c.lifetime_days is not None]
        for i, s in enumerate(self.sents):
            if not DURATION.search(s.norm):
                continue
            context = " ".join([normalise(s.heading), *(x.norm for x in self._window(i, 2, 0))])
            if not _RETENTION_WORD.search(context):
                continue
            named = bool(names.search(s.text.lower()))
            if not named and any(s.text in line for line in cookie_lines):
                continue
            # "_ga ... 13 mois ; les données collectées sont conservées 14 mois": a clause of
            # its own about data, in a sentence naming cookies, is still a retention period
            for clause in _CLAUSE_SPLIT.split(s.text) if named else [s.text]:
                norm = normalise(clause)
                if named and (names.search(clause.lower()) or not _DATA_CLAUSE.search(norm)):
                    continue
                for days, data, kind in self._periods(i, norm):
                    if (data, days) not in seen:
                        seen.add((data, days))
                        out.append(
                            DeclaredRetention(
                                data=data, kind=kind, days=days, quote=s.text, source=self.source
                            )
                        )
        return out

    def _periods(self, i: int, norm: str) -> list[tuple[float, str, str]]:
        """(days, what is kept, its kind) for each retention-like duration of one clause."""
        out = []
        start = 0
        for m in DURATION.finditer(norm):
            days = duration_days(m)
            if days is None:
                start = m.end()
                continue
            segment = norm[start : m.start()]
            start = m.end()
            if _NOT_RETENTION.search(segment):
                continue
            if re.search(r"(?:delai|within|dans les|sous)\s*$", segment) and not re.search(
                r"conserv|retention|kept|supprim|delet", segment
            ):
                continue
            data = self._retained_thing(i, segment)
            out.append((days, data, self._retention_kind(segment, self.sents[i], data)))
        return out

    def _retained_thing(self, i: int, segment: str) -> str:
        """What a duration applies to: "Logs : 1 an", "les sauvegardes ... 28 jours", or the
        noun of an earlier sentence when this one starts with a pronoun ("Elles sont ...")."""
        if ":" in segment:
            label = segment.rsplit(":", 1)[0]
            pieces = re.split(r"\s[-|]\s|\||\)\s", label.strip())
            label = next((p for p in reversed(pieces) if p.strip(" -|")), "").strip(" -|")
            label = re.sub(r"^(?:duree de conservation|retention period)\s*", "", label)
            if len(label) > 120:
                label = label[:120].rsplit(" ", 1)[0]
            if len(label) >= 2:
                return label
        phrase = _noun_phrase(segment)
        if phrase:
            return phrase
        if _PRONOUN_START.match(self.sents[i].norm):
            for s in reversed(self.sents[max(0, i - 5) : i]):
                phrase = _noun_phrase(s.norm, skip_demonstrative=True)
                if phrase:
                    return phrase
        heading = normalise(self.sents[i].heading)
        heading = re.sub(
            r"^[\d.\s]+|^(?:activite de traitement|processing activity)\s*:\s*", "", heading
        )
        return heading or "personal data"

    def _retention_kind(self, segment: str, s: Sentence, data: str) -> str:
        for text in (data, segment, s.norm, normalise(s.heading)):
            for kind, rx in _RETENTION_KIND:
                if rx.search(text):
                    return kind
        return "personal_data"

    def contacts(self) -> list[DeclaredContact]:
        """Addresses with their role, read from what precedes each address in its own sentence.

        An address is the DPO's when the words before it in its sentence (since the previous
        address) name the DPO, when its mailbox is `dpo@`/`dpd@`/`rpd@`, when a heading about
        the DPO alone stands above it, or when it follows a DPO address with nothing between
        them ("dpo@a.fr or privacy@a.fr"). A DPO named in the sentence before, or after the
        address ("admissions@..., which the DPO does not read"), does not make it the DPO's:
        policies name the DPO and then list the addresses for everything else.
        """
        found: dict[str, DeclaredContact] = {}
        for i, s in enumerate(self.sents):
            if "@" not in s.norm:
                continue
            heading = normalise(s.heading)
            dpo_heading = bool(_DPO.search(heading)) and not _SEVERAL_SUBJECTS.search(heading)
            start, previous = 0, ""
            for m in _EMAIL.finditer(s.norm):
                email, before = m.group(), s.norm[start : m.start()]
                if (
                    not start
                    and len(before.split()) <= 3
                    and i
                    and "@" not in self.sents[i - 1].norm
                ):
                    # "Datenschutzbeauftragter: Herr M. Vogt, dsb@...": the sentence was cut short
                    before = self.sents[i - 1].norm + " " + before
                start = m.end()
                domain = email.rsplit("@", 1)[1]
                if any(domain == d or domain.endswith("." + d) for d in _AUTHORITY_DOMAINS):
                    role = "authority"
                elif (
                    _DPO.search(before)
                    or _DPO_MAILBOX.match(email)
                    or _DPO.search(email.split("@", 1)[0])
                    or (previous == "dpo" and len(before.strip(" ,;/()")) <= 3)
                    or (dpo_heading and not previous)
                ):
                    role = "dpo"
                else:
                    role = "contact"
                previous = role
                if email not in found:
                    found[email] = DeclaredContact(
                        email=email, role=role, quote=s.text, source=self.source
                    )
        return list(found.values())

    def rights(self) -> list[DeclaredRight]:
        found: dict[str, DeclaredRight] = {}
        for i, s in enumerate(self.sents):
            context = s.norm + " " + normalise(s.heading)
            if not _RIGHTS_CONTEXT.search(context):
                continue
            about_data = bool(_DATA_CONTEXT.search(s.norm + " " + self._previous_norm(i)))
            for right, rx in _RIGHTS.items():
                if right in _AMBIGUOUS_RIGHTS and not about_data:
                    continue
                if right not in found and rx.search(s.norm):
                    found[right] = DeclaredRight(right=right, quote=s.text, source=self.source)
        order = list(_RIGHTS)
        return sorted(found.values(), key=lambda r: order.index(r.right))


_STRONG_NEGATION = re.compile(
    r"\b(?:aucun\w*|pas de|pas d'|jamais|ni|no|not|never|neither|nor|don't|doesn't|kein\w*|"
    r"nessun\w*|ningun\w*|nunca|non|weder)\b"
)


def _about_others(s: Sentence) -> bool:
    """A sentence that declares nothing about this site: about other sites or the law, what
    cookies usually do, or a question ("Do you use tracking cookies?" in an FAQ)."""
    return bool(
        _OTHER_SITES.match(s.norm)
        or (_GENERAL.search(s.norm) and not _SITE_USES.search(s.norm))
        or s.text.rstrip().endswith("?")
    )


def _without_names(text: str) -> str:
    """Normalised text without the words that contain "_" (cookie names)."""
    return normalise(re.sub(r"\S*_\S*", " ", text))


def _negated(norm: str, start: int) -> bool:
    """ "n'utilise aucun cookie publicitaire" / "we do not use advertising cookies", but not
    "n'utilise que des cookies techniques" (ne ... que = only)."""
    lo = max(0, start - 40)
    if lo > 0 and norm[lo - 1].isalnum():
        lo = norm.find(" ", lo, start) + 1 or lo  # (not "ne" cut out of "fonctionne")
    window = norm[lo:start]
    if _STRONG_NEGATION.search(window) or _INSTEAD_OF.search(window) or _NO_LONGER.search(window):
        return True
    if _NEGATED_LATER.match(norm, start):
        return True  # "Marketing-Cookies verwenden wir nicht", "...; we do not."
    return bool(re.search(r"\bn'|\bne\b", window)) and not re.search(r"\bque\b|\bqu'", window)


#: what is used in place of something is not that thing: "we host our fonts ourselves instead
#: of loading them from Google Fonts"
_INSTEAD_OF = re.compile(
    r"\b(?:instead of|rather than|au lieu de|plutot que|statt|anstatt|anstelle von|"
    r"en lugar de|en vez de|invece di|anziche|al posto di)\b"
)


#: what the site stopped using: "we removed Google Analytics in 2024"
_NO_LONGER = re.compile(
    r"\b(?:removed|dropped|stopped using|no longer use\w*|"
    r"(?:avons|a) (?:supprime|retire|abandonne)|nicht mehr|ya no (?:usamos|utilizamos)|"
    r"non (?:usiamo|utilizziamo) piu|entfernt)\b"
)


#: a negation at the end of the clause: German puts it last ("verwenden wir nicht", "setzen wir
#: seit 2025 nicht mehr ein", but not "nicht nur", not only); "Some
#: websites use cookies for advertising; we do not."
_NEGATED_LATER = re.compile(
    r"[^;.]{0,110}\b(?:verwenden|nutzen|setzen|einsetzen) wir (?:\w+ ){0,4}nicht\b(?! nur)|"
    # "Eine Reichweitenmessung findet nicht statt", "... erfolgt nicht"
    r"[^;.]{0,60}\b(?:findet (?:\w+ )?nicht statt|erfolgt (?:\w+ )?nicht)\b|"
    r"[^.]{0,120}[;,:] (?:we do not|we don't|we don't use them|but not us|pas nous|"
    r"nous n'en utilisons pas|wir nicht|wir verwenden sie nicht|nosotros no|no las usamos|noi no|"
    r"noi non li usiamo|non li usiamo)\.?$|"
    # "Cookie di marketing: nessuno."
    r"[^.:]{0,40}:\s*(?:none|nessuno|nessuna|aucun\w*|keine?|ninguna?|no|nein|non)\s*[.;]?$"
)


def _noun_phrase(text: str, *, skip_demonstrative: bool = False) -> str | None:
    """The last data noun of `text` with up to five following words (stopping at a verb)."""
    matches = list(_DATA_NOUN.finditer(text))
    for m in reversed(matches):
        before = text[max(0, m.start() - 8) : m.start()]
        if skip_demonstrative and re.search(r"\b(?:ces|cette|these|this|those|ses)\s$", before):
            continue
        rest = text[m.end() : m.end() + 80]
        stop = _STOP.search(rest)
        tail = rest[: stop.start()] if stop else rest
        words = tail.split()[:5]
        phrase = " ".join([m.group(0), *words]).strip()
        return phrase
    return None
