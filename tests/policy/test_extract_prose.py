"""What a careful reader notes outside cookie tables: cookies named in prose and lists,
vendors of every kind, the words of five languages, personal data and anonymisation claims.

Texts written for these tests (typical wording, not copied from any site)."""

from __future__ import annotations

import pytest

from scanner.model import Category
from scanner.policy import TransferKind, extract_policy
from scanner.policy.prose_cookies import looks_like_cookie


def extract(text: str, content_type: str = "text/plain"):  # type: ignore[no-untyped-def]
    return extract_policy(text, "policy", content_type)


def test_cookies_in_definition_lines_with_lifetimes_and_the_category_above() -> None:
    p = extract(
        "Cookies required for the site to work\n"
        "These cookies are needed to use the site.\n"
        "user_session: identifies the signed-in user (session)\n"
        "dr-consent-id: remembers your cookie choices (6 months)\n"
        "local: remembers your display language (13 months)\n"
        "Purpose: not a cookie (1 year)\n"
    )
    assert [(c.name, c.session, c.lifetime_days, c.category) for c in p.cookies] == [
        ("user_session", True, None, Category.TECHNICAL),
        ("dr-consent-id", False, 182.64, Category.TECHNICAL),
        ("local", False, 395.72, Category.TECHNICAL),
    ]
    assert all(c.quote and c.quote.startswith(c.name) and c.listed for c in p.cookies)
    # a lifetime beside a named cookie is not a retention period of personal data
    assert not p.retention


def test_cookies_named_in_running_text() -> None:
    p = extract(
        "<p>Das Sitzungs-Cookie PHPSESSID hält Ihren Warenkorb bis zum Schließen des Browsers; "
        "das technische Cookie lang speichert Ihre Sprache für 6 Monate.</p>"
        "<ul><li>Statistik (Hotjar): _hjSessionUser_4242 (1 Jahr) und _hjSession_4242 "
        "(30 Minuten)</li><li>Marketing (Meta-Pixel): _fbp (3 Monate) und fr auf facebook.com "
        "(3 Monate)</li><li>Soziale Medien (YouTube-Videos): YSC (Sitzung)</li></ul>",
        "text/html",
    )
    got = {
        c.name: (c.session, c.lifetime_days and round(c.lifetime_days, 4), c.category)
        for c in p.cookies
    }
    assert got == {
        "PHPSESSID": (True, None, Category.SESSION),
        "lang": (False, 182.64, Category.TECHNICAL),
        "_hjSessionUser_4242": (False, 365.0, Category.ANALYTICS),
        "_hjSession_4242": (False, 0.0208, Category.ANALYTICS),
        "_fbp": (False, 91.32, Category.TRACKING),
        "fr": (False, 91.32, Category.TRACKING),
        "YSC": (True, None, Category.TRACKING),
    }
    assert all(c.listed for c in p.cookies)  # seven names: the policy lists its cookies


def test_one_name_in_passing_declares_it_without_making_a_list() -> None:
    p = extract("We use a session cookie (PHPSESSID) to keep your cart.")
    assert [(c.name, c.listed) for c in p.cookies] == [("PHPSESSID", False)]


@pytest.mark.parametrize(
    ("word", "cookie"),
    [
        ("_ga", True),
        ("s_i_url", True),
        ("uuid230", True),
        ("dr-consent-id", True),
        ("PHPSESSID", True),
        ("wpEmojiSettingsSupports", True),
        ("IN2CLOUD", False),
        ("IDFA", False),
        ("opt-out", False),
        ("e-mail", False),
        ("GDPR", False),
        ("Matomo", False),
        ("example.com", False),
        ("in2cloud", False),
    ],
)
def test_what_looks_like_a_cookie_name(word: str, cookie: bool) -> None:
    assert looks_like_cookie(word) is cookie


def test_a_kind_of_cookie_is_not_a_cookie_name() -> None:
    p = extract(
        "Le cookie est un petit fichier. Un cookie de session maintient votre panier. "
        "Vous pouvez gérer vos préférences cookie par cookie."
    )
    assert p.cookies == []
    assert p.category_set() == {Category.SESSION}


def test_vendors_of_every_kind_with_their_kind_and_country() -> None:
    p = extract(
        "Nos partenaires : les boutons de partage AddThis, les vidéos YouTube et Dailymotion, "
        "les cartes Google Maps, le chat Crisp pour nos cookies, l'hébergement chez OVHcloud "
        "et Amazon Web Services, le CDN Cloudflare, le captcha hCaptcha et les paiements "
        "Stripe traitent des données."
    )
    got = {v.name: (v.kind, v.country) for v in p.vendors}
    assert got == {
        "AddThis": ("social", "US"),
        "YouTube": ("video", "US"),
        "Dailymotion": ("video", "FR"),
        "Google Maps": ("maps", "US"),
        "Crisp": ("chat", "FR"),
        "OVH": ("hosting", "FR"),
        "Amazon Web Services": ("hosting", "US"),
        "Cloudflare": ("cdn", "US"),
        "hCaptcha": ("captcha", "US"),
        "Stripe": ("payment", "US"),
    }
    assert all(v.quote and "AddThis" in v.quote for v in p.vendors)


def test_a_social_network_given_as_an_example_is_not_a_vendor() -> None:
    p = extract(
        "I cookie servono, ad esempio, a tenerti loggato dentro Facebook anche dopo che hai "
        "chiuso il browser."
    )
    assert p.vendors == []
    p = extract("Marketing cookies: cookies set by Facebook to show you ads.")
    assert [v.name for v in p.vendors] == ["Meta Pixel"]


def test_google_the_company_is_the_product_it_provides() -> None:
    p = extract(
        "We use Google Analytics 4, a service of Google LLC. The controller for the EU is "
        "Google Ireland Limited."
    )
    assert [v.name for v in p.vendors] == ["Google Analytics"]
    p = extract("Sub-processor: Google LLC (data warehousing), servers in Belgium.")
    assert [v.name for v in p.vendors] == ["Google"]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Wir nutzen Google Signale für personalisierte Anzeigen und Remarketing.", "tracking"),
        ("Der Webanalysedienst erfasst die Zugriffe auf die Website.", "analytics"),
        ("Analytical Cookies – they tell us which pages you visit.", "analytics"),
        ("Reach measurement services generate traffic statistics.", "analytics"),
        ("Usiamo Google Analytics per analizzare i dati di traffico del sito.", "analytics"),
        ("Questo sito utilizza cookie di profilazione.", "tracking"),
        ("Utilizamos cookies de publicidad comportamental.", "tracking"),
        ("Wir verwenden Marketing-Cookies.", "tracking"),
        ("Nous mesurons les articles les plus lus du site avec des cookies.", "analytics"),
    ],
)
def test_category_words_of_five_languages(text: str, category: str) -> None:
    assert Category(category) in extract(text).category_set()


def test_personal_data_collected_or_not() -> None:
    stored = extract(
        "Les cookies Matomo stockent des données personnelles (adresse IP). Aucune de vos "
        "données personnelles n'est exploitée à des fins commerciales."
    )
    assert stored.collects_personal_data is not None
    assert stored.collects_personal_data.value is True
    site_wide = extract("This site does not collect any personal data.")
    assert site_wide.collects_personal_data is not None
    assert site_wide.collects_personal_data.value is False
    # said of audience measurement only: an anonymisation claim, not a site-wide one
    scoped = extract(
        "Reach measurement\nReach measurement services generate traffic statistics. "
        "No personal data is processed."
    )
    assert scoped.collects_personal_data is None
    assert scoped.audience_anonymised is not None and scoped.audience_anonymised.value is True


def test_analytics_that_do_not_identify_you_is_an_anonymisation_claim() -> None:
    p = extract(
        "Necessary cookies – they make the site work. These cookies do not identify you.\n"
        "Analytical cookies – they count visits. These cookies do not collect information "
        "that personally identify you."
    )
    assert p.audience_anonymised is not None
    assert "personally identify" in (p.audience_anonymised.quote or "")


def test_transfers_outside_the_eea_in_several_languages() -> None:
    es = extract(
        "Google puede alojar los datos en servidores ubicados fuera del Espacio Económico "
        "Europeo. En esos casos aplica las cláusulas contractuales tipo."
    )
    assert {s for t in es.transfers for s in t.safeguards} == {"scc"}
    de = extract("Die Daten werden an einen Server von Google in den USA übertragen.")
    assert {c for t in de.transfers for c in t.countries} == {"US"}


def test_retention_listed_under_a_heading() -> None:
    p = extract(
        "Article 5. Retention Period\nData is retained as follows:\n"
        "5 years from the end of the contractual relationship\n"
        "10 years for accounting data\n3 years from the last contact for prospecting data\n"
    )
    assert sorted(r.days for r in p.retention) == [1095, 1825, 3650]


def test_compound_durations_add_up() -> None:
    p = extract(
        "| Name | Purpose | Duration |\n|---|---|---|\n"
        "| _ga | counts visits | 1 year 1 month 4 days |\n| _pk_id | visits | 1 an et 1 mois |\n"
    )
    assert [(c.name, c.lifetime_days) for c in p.cookies] == [("_ga", 399.44), ("_pk_id", 395.44)]


def test_one_cookie_per_definition_block() -> None:
    p = extract(
        "Cookies used on this site\nCookieConsent\nType: own, technical\nDuration: 1 year\n"
        "Purpose: remembers your cookie choice\n_ga\nTipo: Analítica (Google Analytics)\n"
        "Caducidad: 2 años\n"
    )
    assert [(c.name, c.lifetime_days, c.category) for c in p.cookies] == [
        ("CookieConsent", 365.0, Category.TECHNICAL),
        ("_ga", 730.0, Category.GOOGLE_ANALYTICS),
    ]
    assert {Category.TECHNICAL, Category.ANALYTICS} <= p.category_set()


def test_rows_under_a_spanning_vendor_cell_are_read() -> None:
    p = extract(
        "| Cookie | Cookie name | Expiry | Purpose | Type |\n|---|---|---|---|---|\n"
        "| Cloudflare | __cf_bm | 30 minutes | bot protection | Necessary |\n"
        "| cf_clearance | 1 hour | |||\n"
        "| Analytics (Google) | _ga | 2 years | counts visitors | Analytics |\n"
        "| _gid | Session | Analytics | ||\n"
    )
    got = [(c.name, c.session, c.lifetime_days, c.category) for c in p.cookies]
    assert got == [
        ("__cf_bm", False, 0.0208, Category.TECHNICAL),
        ("cf_clearance", False, 0.0417, Category.TECHNICAL),
        ("_ga", False, 730.0, Category.ANALYTICS),
        ("_gid", True, None, Category.ANALYTICS),
    ]


def test_sub_processor_tables_declare_transfers_and_safeguards() -> None:
    p = extract(
        "| Sub-processor | Service | Data location | Transfer mechanism |\n|---|---|---|---|\n"
        "| Twilio Inc. | SMS | United States | SCCs, BCRs, Privacy Framework |\n"
        "| Vonage B.V. | Calls | Netherlands | N/A (EU-based) |\n"
        "Questions: <privacy@example.com>.\n"
    )
    [transfer] = p.transfers
    assert transfer.countries == ["US"] and set(transfer.safeguards) == {"scc", "bcr", "dpf"}
    assert [c.email for c in p.contacts] == ["privacy@example.com"]


def test_a_list_of_the_kinds_of_cookies_there_are_declares_none() -> None:
    p = extract(
        "Existe otra clasificación con cinco tipos de cookies: cookies técnicas, cookies de "
        "análisis y cookies publicitarias. Este sitio utiliza cookies técnicas."
    )
    assert p.category_set() == {Category.TECHNICAL}
    social = extract("Questo sito utilizza cookie tecnici e di terze parti, per i social plugin.")
    assert Category.TRACKING in social.category_set()


# --- stage 4 (issue 11): phrasings of the ten stage-4 tune texts, in other words ----------


def test_counts_in_words_in_german_spanish_and_italian() -> None:
    p = extract(
        "Die Anfragen löschen wir sechs Monate nach der Antwort. "
        "La cookie tt_vis dura treinta minutos. "
        "I dati dei clienti sono conservati per dodici mesi."
    )
    assert sorted(r.days for r in p.retention) == [182.64, 365.28]
    assert [(c.name, c.lifetime_days) for c in p.cookies] == [("tt_vis", 0.0208)]


def test_outside_the_uk_and_an_address_in_co_uk_name_no_destination() -> None:
    p = extract(
        "Your data may be processed outside the UK and the EEA by our payment provider. "
        "Write to data@ferry-tickets.co.uk if you have sent us a request."
    )
    assert [t.countries for t in p.transfers] == [[]]
    assert p.transfers[0].kind is TransferKind.OUTSIDE_EU


def test_a_transfer_denied_after_the_fact_is_no_transfer() -> None:
    p = extract(
        "Eine Weitergabe Ihrer Daten an Empfänger außerhalb der EU findet nicht statt. "
        "Un transfert hors de l'Union européenne n'a pas lieu."
    )
    assert {t.kind for t in p.transfers} == {TransferKind.NONE}


def test_asking_for_details_is_collecting_personal_data() -> None:
    p = extract("To send your order we ask for your name and a delivery address.")
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True


def test_a_company_providing_or_hosting_a_service_is_a_vendor() -> None:
    p = extract(
        "Our ticket desk is provided by Queuebird Ltd. "
        "Il sito è ospitato da Serverpiù S.p.A. in Italia. "
        "This site is operated by Little Harbour Ltd."
    )
    assert {v.name for v in p.vendors} == {"Queuebird", "Serverpiù"}


def test_a_labelled_lifetime_wins_over_session_words_before_it() -> None:
    p = extract(
        "Cookies utilisés :\n"
        "- `ab_sec` : protège le formulaire (durée de vie : session)\n"
        "- `ab_vis` : session de visite de l'outil de statistiques (durée de vie : 30 minutes)\n",
        "text/markdown",
    )
    assert [(c.name, c.session, c.lifetime_days) for c in p.cookies] == [
        ("ab_sec", True, None),
        ("ab_vis", False, 0.0208),
    ]


def test_measuring_visits_and_showing_ads_declare_their_categories() -> None:
    p = extract(
        "Nous mesurons la fréquentation du site. Nous diffusons aussi des publicités sur "
        "les réseaux."
    )
    assert {c.category for c in p.categories} == {Category.ANALYTICS, Category.TRACKING}


def test_lifetimes_after_several_names_pair_in_order() -> None:
    p = extract(
        "Les cookies de statistiques st_a et st_b ont une durée de vie de 6 mois et de 2 heures."
    )
    assert [(c.name, c.lifetime_days) for c in p.cookies] == [("st_a", 182.64), ("st_b", 0.0833)]


def test_a_possessive_start_takes_the_kind_of_the_sentence_before() -> None:
    p = extract(
        "Avec votre accord, nous utilisons un outil de statistiques. Ses cookies st_x et st_y "
        "sont déposés pour 6 mois."
    )
    assert {c.name: c.category for c in p.cookies} == {
        "st_x": Category.ANALYTICS,
        "st_y": Category.ANALYTICS,
    }


def test_a_cookie_set_by_a_named_vendor_takes_the_vendors_kind() -> None:
    p = extract("Sur nos pages, le pixel Meta dépose le cookie _fbp pendant 90 jours.")
    assert [(c.name, c.category) for c in p.cookies] == [("_fbp", Category.TRACKING)]


def test_a_clause_about_data_in_a_sentence_naming_cookies_is_retention() -> None:
    p = extract(
        "Les cookies de statistiques st_z durent 13 mois ; les données collectées sont "
        "conservées 25 mois."
    )
    assert [r.days for r in p.retention] == [761.0]
    assert [(c.name, c.lifetime_days) for c in p.cookies] == [("st_z", 395.72)]


def test_a_lifetime_in_the_next_sentence_starting_with_a_pronoun() -> None:
    p = extract("We set a cookie called ab_choice to remember your choices. It lasts for one year.")
    assert [(c.name, c.lifetime_days) for c in p.cookies] == [("ab_choice", 365.0)]
    assert not p.retention


def test_closing_the_browser_ends_a_session_cookie_in_spanish_and_italian() -> None:
    p = extract(
        "Usamos cookies necesarias: ab_ses, que se borra al cerrar el navegador. "
        "Il cookie ab_sid si cancella quando chiudi il browser."
    )
    assert [(c.name, c.session) for c in p.cookies] == [("ab_ses", True), ("ab_sid", True)]


def test_a_company_providing_a_service_with_the_verb_last() -> None:
    p = extract("Die Online-Terminbuchung wird von Kalendra GmbH bereitgestellt.")
    assert [v.name for v in p.vendors] == ["Kalendra"]


def test_sharing_outside_the_eu_denied_and_servers_in_an_eu_city() -> None:
    p = extract(
        "No compartimos tus datos con empresas fuera de la Unión Europea. "
        "Nuestro servidor está alojado en Madrid. Recogemos tu nombre para enviarte la revista."
    )
    assert [t.kind for t in p.transfers] == [TransferKind.NONE]
    assert p.storage_in_eu is not None and p.storage_in_eu.value is True
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True


def test_processing_records_and_compound_german_data_words_declare_personal_data() -> None:
    p = extract("Dati Personali trattati: dati di utilizzo.")
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True
    p = extract("Ihre Kundendaten speichern wir fünf Jahre.")
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True


def test_anonym_in_german_is_an_anonymisation_claim_about_statistics() -> None:
    p = extract("Statistik-Cookies erfassen Informationen anonym.")
    assert p.audience_anonymised is not None and p.audience_anonymised.value is True


def test_a_vendor_label_is_not_cut_and_one_duration_after_a_list_is_everyones() -> None:
    p = extract(
        "Nos partenaires déposent des cookies :\n"
        "- Google Analytics : mesure d'audience – cookies _ga et _ga_* – 13 mois\n"
    )
    assert "Google Analytics" in {v.name for v in p.vendors}
    assert [(c.name, c.lifetime_days) for c in p.cookies] == [
        ("_ga", 395.72),
        ("_ga_*", 395.72),
    ]


def test_the_label_a_paragraph_starts_with_applies_to_all_its_sentences() -> None:
    p = extract(
        "Cookies técnicas: la cookie ab_ses es una cookie de sesión. La cookie ab_ok guarda si "
        "has aceptado las cookies y caduca a los 12 meses."
    )
    assert [(c.name, c.session, c.lifetime_days, c.category) for c in p.cookies] == [
        ("ab_ses", True, None, Category.TECHNICAL),
        ("ab_ok", False, 365.28, Category.TECHNICAL),
    ]


def test_ee_uu_without_a_space_is_the_united_states() -> None:
    p = extract("La información puede ser transferida a EE.UU., con una decisión de adecuación.")
    assert [(t.countries, t.safeguards) for t in p.transfers] == [(["US"], ["adequacy"])]


def test_dont_collect_any_personal_data_is_a_site_wide_denial() -> None:
    p = extract("This is a personal blog. We don't collect any personal data on this site.")
    assert p.collects_personal_data is not None and p.collects_personal_data.value is False


def test_a_list_under_who_processes_your_data_names_vendors() -> None:
    p = extract("## Who processes your data\n- Mailpigeon (newsletters)\n- Rackline (hosting)\n")
    assert {v.name for v in p.vendors} == {"Mailpigeon", "Rackline"}


def test_cookies_the_site_needs_are_technical_and_also_session_in_brackets() -> None:
    p = extract(
        "We only use cookies that the site needs: ab_login keeps you logged in and ab_form "
        "protects our forms (also session)."
    )
    assert Category.TECHNICAL in {c.category for c in p.categories}
    assert ("ab_form", True) in {(c.name, c.session) for c in p.cookies}


def test_fields_separated_by_full_stops() -> None:
    p = extract(
        "• Cookie: ab_ses. Duración: sesión. Finalidad: técnica, recuerda el idioma.\n"
        "• Cookie: ab_vis. Duración: 13 meses. Finalidad: analítica.\n"
    )
    assert [(c.name, c.session, c.lifetime_days, c.category) for c in p.cookies] == [
        ("ab_ses", True, None, Category.TECHNICAL),
        ("ab_vis", False, 395.72, Category.ANALYTICS),
    ]


def test_a_placeholder_in_a_cookie_name_is_not_markup() -> None:
    p = extract("Google Analytics 4 setzt die Cookies _ga (2 Jahre) und _ga_<ID> (2 Jahre).")
    assert [(c.name, c.lifetime_days) for c in p.cookies] == [("_ga", 730.0), ("_ga_<ID>", 730.0)]
    assert not p.retention


def test_google_analytics_declares_analytics() -> None:
    p = extract("We use Google Analytics to count visits to our pages.")
    assert {c.category for c in p.categories} == {
        Category.ANALYTICS,
        Category.GOOGLE_ANALYTICS,
    }


def test_a_session_field_at_the_end_of_a_dash_line_is_a_lifetime_not_a_kind() -> None:
    p = extract("## Cookies we set\n- `ab_login` — keeps you logged in — session\n")
    assert [(c.name, c.session, c.category) for c in p.cookies] == [("ab_login", True, None)]


def test_a_denied_and_a_stated_transfer_in_two_clauses_of_one_sentence() -> None:
    p = extract(
        "Il titolare non trasferisce i dati fuori dallo Spazio Economico Europeo; i partner "
        "pubblicitari possono trasferire i dati negli Stati Uniti."
    )
    kinds = {t.kind for t in p.transfers}
    assert TransferKind.NONE in kinds
    assert ["US"] in [t.countries for t in p.transfers]


def test_a_partner_named_with_its_legal_form_is_a_vendor_and_stores_is_a_transfer() -> None:
    p = extract(
        "Our booking partner, Seatline Ltd, stores booking data in the United Kingdom, which "
        "has an adequacy decision."
    )
    assert [v.name for v in p.vendors] == ["Seatline"]
    assert [(t.countries, t.safeguards) for t in p.transfers] == [(["GB"], ["adequacy"])]


def test_details_you_provide_are_collected_and_processing_in_a_country_is_a_transfer() -> None:
    p = extract(
        "Al escribirnos nos facilitas tu nombre y tu correo. "
        "Nuestro proveedor puede tratar datos en Estados Unidos."
    )
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True
    assert [t.countries for t in p.transfers] == [["US"]]


def test_a_group_of_names_after_an_earlier_one_pairs_with_its_durations() -> None:
    p = extract(
        "Usamos cookies técnicas (ab_ses, de sesión) y cookies de análisis: st_a y st_b, que "
        "caducan a los dos años y a las 24 horas respectivamente."
    )
    assert [(c.name, c.session, c.lifetime_days) for c in p.cookies] == [
        ("ab_ses", True, None),
        ("st_a", False, 730.0),
        ("st_b", False, 1.0),
    ]


def test_cookies_the_store_needs_are_technical() -> None:
    p = extract("The shop platform sets the cookies the store needs to work: shop_y (1 year).")
    assert [(c.name, c.category) for c in p.cookies] == [("shop_y", Category.TECHNICAL)]


def test_ip_anonymisation_is_an_anonymisation_claim_on_its_own() -> None:
    p = extract("We count visits. It sets a cookie. We have enabled IP anonymisation.")
    assert p.audience_anonymised is not None and p.audience_anonymised.value is True


def test_a_company_with_its_seat_in_a_country_and_the_safeguard_after() -> None:
    p = extract(
        "Para el boletín usamos Mailpost, con sede en EE. UU. Las transferencias se basan en "
        "cláusulas contractuales tipo. Al suscribirte nos das tu correo."
    )
    assert [(t.countries, t.safeguards) for t in p.transfers] == [(["US"], ["scc"])]
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True


def test_the_next_sentence_giving_all_of_them_a_kind() -> None:
    p = extract(
        "La cookie st_a tiene una duración de 2 años y la cookie st_b de 24 horas. "
        "Todas ellas son cookies de análisis."
    )
    assert [(c.name, c.lifetime_days, c.category) for c in p.cookies] == [
        ("st_a", 730.0, Category.ANALYTICS),
        ("st_b", 1.0, Category.ANALYTICS),
    ]


def test_analytics_assimilated_to_technical_cookies_are_exempt_not_technical() -> None:
    p = extract(
        "Per le statistiche il sito usa un servizio con IP anonimizzato. I cookie st_a (13 mesi) "
        "e st_b (30 minuti) sono quindi assimilati ai cookie tecnici e non richiedono il consenso."
    )
    # treated like technical cookies, not technical: the paragraph is about statistics
    assert {c.category for c in p.cookies} == {Category.ANALYTICS}
    assert p.consent_exemption is not None and p.consent_exemption.value is True


def test_vendors_named_in_passing_a_map_a_booking_platform_and_our_provider() -> None:
    p = extract(
        "Our contact page embeds a Google Map and bookings go through OpenTable. "
        "Nuestro proveedor de alojamiento, Servidora Sur, tiene sus servidores en España. "
        "Booking requests include your name and phone number."
    )
    assert {"Google Maps", "OpenTable", "Servidora Sur"} <= {v.name for v in p.vendors}
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True


def test_legal_abbreviations_do_not_end_sentences() -> None:
    p = extract(
        "Die Verarbeitung erfolgt gem. Art. 6 Abs. 1 lit. b DSGVO. Die Statistik-Cookies "
        "(st_a, st_b) werden nach 2 Jahren bzw. 24 Stunden gelöscht. Die Akten bewahren wir "
        "zehn Jahre auf."
    )
    assert [(c.name, c.lifetime_days) for c in p.cookies] == [("st_a", 730.0), ("st_b", 1.0)]
    assert [r.days for r in p.retention] == [3650.0]


def test_no_transfers_except_one_is_a_transfer() -> None:
    p = extract(
        "Non vengono trasferiti dati verso paesi terzi, ad eccezione di un fornitore che può "
        "trasferire i dati negli Stati Uniti sulla base delle clausole contrattuali standard. "
        "I dati personali forniti per le prenotazioni sono conservati per 24 mesi."
    )
    assert [(t.countries, t.safeguards) for t in p.transfers] == [(["US"], ["scc"])]
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True


def test_plausible_is_a_vendor_only_beside_statistics() -> None:
    assert [v.name for v in extract("Le statistiche sono raccolte con Plausible.").vendors] == [
        "Plausible"
    ]
    assert extract("A plausible reason is given for every cookie we set.").vendors == []


def test_the_company_trata_los_datos_of_its_customers() -> None:
    p = extract("Facturín trata los datos de facturación de sus clientes para prestar el servicio.")
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True


def test_a_session_cookie_named_in_german_quotation_marks() -> None:
    p = extract("Für die Anmeldung ist das Sitzungscookie „ab_login“ erforderlich.")
    assert [(c.name, c.session) for c in p.cookies] == [("ab_login", True)]


def test_booking_data_that_is_kept_is_collected() -> None:
    p = extract("Booking data (name, email, phone) is kept for three years.")
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True


def test_a_short_cookie_list_with_a_line_of_prose_has_its_language() -> None:
    p = extract(
        "• ab_s – durata: sessione – finalità: tecnica\n"
        "I dati di Google possono essere trasferiti. Conserviamo i dati per 10 anni.\n"
    )
    assert p.language == "it"


# --- stage 4, phrasings probed one sentence at a time ----------------------------------------


@pytest.mark.parametrize(
    ("text", "countries", "safeguards"),
    [
        ("Your data may be transferred to the US by our e-mail provider.", ["US"], []),
        (
            "Our providers are located in the U.S. and process data under the EU-US DPF.",
            ["US"],
            ["dpf"],
        ),
        ("Data may be accessed from India by our support team.", ["IN"], []),
        ("We use standard data protection clauses when data leaves the EEA.", [], ["scc"]),
    ],
)
def test_transfers_written_many_ways(
    text: str, countries: list[str], safeguards: list[str]
) -> None:
    (t,) = extract(text).transfers
    assert (t.countries, t.safeguards) == (countries, safeguards)


@pytest.mark.parametrize(
    "text",
    [
        "Vos données ne quittent jamais l'Union européenne.",
        "Ihre Daten verlassen die EU nicht.",
        "Tus datos no salen del Espacio Económico Europeo.",
        "I tuoi dati non lasciano mai l'Unione europea.",
    ],
)
def test_data_that_never_leaves_the_eu_is_no_transfer(text: str) -> None:
    assert [t.kind for t in extract(text).transfers] == [TransferKind.NONE]


def test_data_that_stays_in_the_eu_is_stored_there() -> None:
    p = extract("Your data stays in the EU.")
    assert p.storage_in_eu is not None and p.storage_in_eu.value is True


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Este sitio web no recoge datos personales.", False),
        ("Questo sito non raccoglie dati personali.", False),
        ("When you create an account, you give us your name and email address.", True),
        ("Per la newsletter ci serve solo il tuo indirizzo email.", True),
        ("Zur Anmeldung benötigen wir Ihre E-Mail-Adresse.", True),
        ("Pour vous inscrire, vous devez renseigner votre nom.", True),
    ],
)
def test_personal_data_statements(text: str, value: bool) -> None:
    flag = extract(text).collects_personal_data
    assert flag is not None and flag.value is value


def test_a_data_clause_after_and_in_a_sentence_naming_a_cookie_is_retention() -> None:
    p = extract(
        "The st_x cookie expires after 2 years and the data collected is kept for 14 months. "
        "Los datos se suprimirán transcurridos 2 años."
    )
    assert [(c.name, c.lifetime_days) for c in p.cookies] == [("st_x", 730.0)]
    assert sorted(r.days for r in p.retention) == [426.16, 730.0]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Some cookies are set by third parties for marketing purposes.", Category.TRACKING),
        ("Wir setzen Cookies zu Analysezwecken ein.", Category.ANALYTICS),
        ("Utilizamos cookies de terceros con fines analíticos.", Category.ANALYTICS),
        ("Utilizziamo cookie per finalità statistiche.", Category.ANALYTICS),
        ("We use cookies that are essential for the site to work.", Category.TECHNICAL),
        ("Nous utilisons des cookies de statistiques.", Category.ANALYTICS),
    ],
)
def test_a_cookie_word_and_the_purpose_after_it(text: str, category: Category) -> None:
    assert {c.category for c in extract(text).categories} == {category}


@pytest.mark.parametrize(
    "text",
    [
        "Third-party cookies are often used for marketing by other websites.",
        "Non utilizziamo cookie per finalità di marketing.",
        "Wir verwenden keine Cookies zu Marketingzwecken.",
    ],
)
def test_general_statements_and_negations_declare_no_category(text: str) -> None:
    assert extract(text).categories == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("We use Mailbird for our newsletter.", "Mailbird"),
        ("Utilizamos Correonet para enviar nuestro boletín.", "Correonet"),
        ("Wir nutzen den Dienst Rundpost für unseren Newsletter.", "Rundpost"),
        ("Il sito è ospitato su Serverino.", "Serverino"),
    ],
)
def test_a_named_service_used_for_something_is_a_vendor(text: str, name: str) -> None:
    assert [v.name for v in extract(text).vendors] == [name]


@pytest.mark.parametrize(
    "text",
    [
        "We use SSL to protect your data.",
        "Wir nutzen Daten zur Verbesserung unseres Angebots.",
        "We use Cookies to improve the site.",
    ],
)
def test_capitalised_words_that_are_not_services(text: str) -> None:
    assert extract(text).vendors == []


def test_german_counts_with_einem_and_fields_separated_by_pipes() -> None:
    p = extract(
        "Das Cookie „ab_x“ wird nach einem Tag gelöscht.\n\n"
        "Cookie name: ab_y | Expiry: 2 years | Purpose: analytics\n"
    )
    assert [(c.name, c.lifetime_days) for c in p.cookies] == [("ab_y", 730.0), ("ab_x", 1.0)]


@pytest.mark.parametrize(
    "text",
    [
        "Marketing-Cookies verwenden wir nicht.",
        "Some websites use cookies to track visitors for advertising; we do not.",
    ],
)
def test_a_negation_at_the_end_of_the_clause_declares_nothing(text: str) -> None:
    assert extract(text).categories == []


def test_whole_policy_readings_recipients_authorities_and_international_transfers() -> None:
    p = extract(
        "## Who receives it\n- Parcelway (deliveries)\n\n"
        "You can complain to the Data Protection Commission (info@dataprotection.ie).\n\n"
        "A nuestro proveedor de software contable, Cuentas Nube S.L., que aloja los datos en "
        "España. No realizamos transferencias internacionales de datos.\n\n"
        "Con il tuo consenso usiamo un servizio per statistiche anonime.\n"
    )
    assert {"Parcelway", "Cuentas Nube"} <= {v.name for v in p.vendors}
    assert [(c.email, c.role) for c in p.contacts] == [("info@dataprotection.ie", "authority")]
    assert [t.kind for t in p.transfers] == [TransferKind.NONE]
    assert p.storage_in_eu is not None and p.storage_in_eu.value is True
    assert p.audience_anonymised is not None and p.audience_anonymised.value is True


def test_the_label_in_brackets_of_a_definition_line_is_the_cookies_kind() -> None:
    p = extract(
        "Cookies de terceros:\n- st_a (Contador, analíticas): 2 años.\n"
        "- ad_b (Anuncios, publicidad): 3 meses.\n"
    )
    assert [(c.name, c.category) for c in p.cookies] == [
        ("st_a", Category.ANALYTICS),
        ("ad_b", Category.TRACKING),
    ]


def test_a_category_line_answered_none_declares_nothing() -> None:
    assert extract("Cookie di marketing: nessuno.").categories == []


def test_hosted_in_a_country_by_a_company() -> None:
    p = extract(
        "Il sito è ospitato in Italia da Serverone.it. "
        "Der Blog wird bei Bergserver in Deutschland gehostet."
    )
    assert {v.name for v in p.vendors} == {"Serverone.it", "Bergserver"}
    assert p.storage_in_eu is not None and p.storage_in_eu.value is True


def test_transfer_stems_inside_german_compounds() -> None:
    p = extract("Eine Datenübermittlung in die USA erfolgt nur mit Standardvertragsklauseln.")
    assert [(t.countries, t.safeguards) for t in p.transfers] == [(["US"], ["scc"])]


def test_big_companies_named_bare_as_recipients_of_a_transfer() -> None:
    p = extract("Microsoft and Google may transfer data to the United States.")
    assert {(v.name, v.country) for v in p.vendors} == {("Microsoft", "US"), ("Google", "US")}
    p = extract("We use Google Analytics. Google may transfer data to the United States.")
    assert [v.name for v in p.vendors] == ["Google Analytics"]
    assert extract("You can sign in with your Google account.").vendors == []


def test_max_before_a_duration_does_not_end_the_sentence() -> None:
    p = extract("Wir setzen die Cookies st_a (max. 2 Jahre) und st_b (max. 24 Stunden) ein.")
    assert [(c.name, c.lifetime_days) for c in p.cookies] == [("st_a", 730.0), ("st_b", 1.0)]


def test_a_vendor_named_only_to_say_it_is_not_used_is_not_declared() -> None:
    p = extract("We do not use advertising cookies, and we do not use Google Analytics.")
    assert p.vendors == []
    assert p.categories == []


@pytest.mark.parametrize(
    "text",
    [
        "Les cookies publicitaires servent en général à suivre les internautes : nous n'en "
        "utilisons pas.",
        "I cookie di profilazione, in generale, servono a creare profili: noi non li usiamo.",
    ],
)
def test_what_a_kind_of_cookie_does_in_general_then_we_dont_use_them(text: str) -> None:
    assert extract(text).categories == []


def test_records_about_patients_or_customers_are_personal_data() -> None:
    p = extract("Nous conservons les dossiers des patients 20 ans après la dernière séance.")
    assert p.collects_personal_data is not None and p.collects_personal_data.value is True


def test_a_session_lifetime_a_little_further_after_the_name() -> None:
    p = extract(
        "We only use one cookie, ab_s, which keeps your basket while you shop and is deleted "
        "when you close your browser."
    )
    assert [(c.name, c.session) for c in p.cookies] == [("ab_s", True)]


@pytest.mark.parametrize(
    "text",
    [
        "Las cookies de terceros suelen utilizarse para mostrar publicidad personalizada.",
        "Un cookie peut servir à mesurer l'audience ou à afficher des publicités ciblées.",
        "I cookie di terze parti vengono spesso usati per mostrare pubblicità mirata.",
        "La CNIL impose de recueillir le consentement pour les cookies publicitaires.",
        "Werbenetzwerke nutzen Cookies häufig, um Nutzer über Websites hinweg zu verfolgen.",
    ],
)
def test_what_cookies_do_in_general_declares_nothing(text: str) -> None:
    p = extract(text)
    assert (p.categories, p.cookies) == ([], [])


def test_services_given_as_examples_or_used_by_other_sites_are_not_vendors() -> None:
    p = extract(
        "Analyse-Dienste wie Google Analytics erfassen das Nutzungsverhalten. "
        "Some websites use third-party services such as YouTube, which may set cookies. "
        "Google Analytics, Meta-Pixel oder andere Tracking-Dienste verwenden wir nicht."
    )
    assert (p.vendors, p.categories) == ([], [])
    p = extract("We use analytics services such as Matomo to count visits.")
    assert [v.name for v in p.vendors] == ["Matomo"]


def test_data_that_does_not_leave_the_eu_in_spanish() -> None:
    p = extract("Los datos no salen de la Unión Europea.")
    assert [t.kind for t in p.transfers] == [TransferKind.NONE]


def test_questions_and_neither_nor_declare_nothing() -> None:
    p = extract(
        "Do you use tracking cookies? No. Nutzt ihr Google Analytics? Nein. Wir setzen weder "
        "Google Analytics noch andere Werbedienste ein. Muchas webs las usan con fines "
        "publicitarios."
    )
    assert (p.vendors, p.categories) == ([], [])


# --- stage 5: prose a careful reader reads (batch R) ----------------------------------------


def test_an_exemption_that_names_consent_needs_no_cookie_word_around_it() -> None:
    p = extract(
        "We measure visits with Matomo on our own servers. IP addresses are truncated. "
        "Because these statistics are anonymous, they are exempt from the consent requirement."
    )
    assert p.consent_exemption is not None and p.consent_exemption.value
    assert "exempt from the consent" in (p.consent_exemption.quote or "")
    fr = extract(
        "La mesure d'audience est assurée par Matomo, configuré pour être exempté de "
        "consentement : les adresses IP sont anonymisées."
    )
    assert fr.consent_exemption is not None and fr.consent_exemption.value
    # an exemption from something else is none
    assert extract("Our statistics are exempt from VAT.").consent_exemption is None


def test_measurement_that_collects_no_personal_data_is_anonymised_not_a_site_wide_denial() -> None:
    p = extract(
        "When you book a class we ask for your name and e-mail address. We count visits with "
        "Plausible Analytics, which uses no cookies and does not collect personal data."
    )
    assert p.audience_anonymised is not None and p.audience_anonymised.value
    assert p.collects_personal_data is not None and p.collects_personal_data.value
    # "no personal data on this site", with no statistics tool: a denial, not anonymisation
    site = extract(
        "Nous ne collectons aucune donnée personnelle sur ce site : il n'y a ni formulaire, "
        "ni compte, ni outil de statistiques."
    )
    assert site.audience_anonymised is None
    assert site.collects_personal_data is not None and not site.collects_personal_data.value


def test_a_safeguard_named_after_a_country_is_not_a_destination() -> None:
    p = extract(
        "Intercom and Mailchimp are based in the United States. Transfers to them rely on the "
        "EU-US Data Privacy Framework and its UK extension."
    )
    countries = {c for t in p.transfers for c in t.countries}
    assert countries == {"US"}
    assert {s for t in p.transfers for s in t.safeguards} == {"dpf"}


def test_x_is_a_vendor_only_beside_other_social_networks() -> None:
    p = extract(
        "Chaque galerie propose des boutons de partage LinkedIn et X, qui ne se chargent "
        "qu'après votre accord."
    )
    assert {v.name for v in p.vendors} >= {"X (Twitter) pixel", "LinkedIn Insight Tag"}
    assert "X (Twitter) pixel" not in {
        v.name
        for v in extract(
            "Le cookie x dure 2 jours. Nos boutons de partage sont ceux de LinkedIn."
        ).vendors
    }


def test_a_cookie_takes_the_kind_its_paragraph_speaks_of() -> None:
    p = extract(
        "Per le statistiche usiamo Google Analytics con l'indirizzo IP anonimizzato: questi "
        "cookie sono assimilati ai cookie tecnici. Il cookie _ga dura 2 anni.\n\n"
        'Il sito è ospitato da Aruba. Il cookie tecnico "lingua" ricorda la lingua per 12 mesi.'
    )
    got = {c.name: (c.category, c.lifetime_days) for c in p.cookies}
    assert got["_ga"][0] in (Category.ANALYTICS, Category.GOOGLE_ANALYTICS)
    assert got["lingua"] == (Category.TECHNICAL, 365.28)
    # a sentence about another cookie is not the paragraph's topic
    de = extract(
        "Unsere Website verwendet ein Sitzungscookie (PHPSESSID). Außerdem speichert das "
        "Cookie „hinweis_gelesen“ für 30 Tage, dass Sie den Hinweis gelesen haben."
    )
    assert {c.name: c.category for c in de.cookies}["hinweis_gelesen"] is None


def test_names_in_prose_the_x_cookie_hyphenated_families_and_purposes() -> None:
    p = extract(
        "The cart cookie keeps the contents of your basket for 2 weeks. The checkout_session "
        "cookie lasts until the end of the session.\n"
        "The chat sets two functional cookies: intercom-id, which lets a conversation continue "
        "and lasts 9 months, and intercom-session, which lasts one week.\n"
        "The site sets a cookie called cw_session to keep you logged in. A second cookie, "
        "cw_consent, remembers your cookie choices for 6 months.\n"
        "Les cookies ci-dessous sont-ils nécessaires ?"
    )
    got = {c.name: (c.category, c.session, c.lifetime_days) for c in p.cookies}
    assert got == {
        "cart": (None, False, 14.0),
        # "until the end of the session" is a lifetime, not the session kind
        "checkout_session": (None, True, None),
        "intercom-id": (Category.TECHNICAL, False, 273.96),
        "intercom-session": (Category.TECHNICAL, False, 7.0),
        "cw_session": (Category.TECHNICAL, False, None),
        "cw_consent": (Category.TECHNICAL, False, 182.64),
    }
    assert not p.retention  # 2 weeks is the cart cookie's lifetime


# --- stage 5, batch S -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "countries", "safeguards"),
    [
        # a safeguard is named only for a transfer: no transfer verb needed
        (
            "Termine vereinbaren Sie über Calendly (USA, EU-Standardvertragsklauseln).",
            {"US"},
            {"scc"},
        ),
        (
            "We measure visits with Matomo Cloud, run by InnoCraft in New Zealand under an "
            "adequacy decision.",
            {"NZ"},
            {"adequacy"},
        ),
        (
            "Calendly is a US company: booking details sent to Calendly are covered by the "
            "EU-US Data Privacy Framework.",
            {"US"},
            {"dpf"},
        ),
    ],
)
def test_transfers_named_by_a_country_and_a_safeguard(
    text: str, countries: set[str], safeguards: set[str]
) -> None:
    p = extract(text)
    assert {c for t in p.transfers for c in t.countries} == countries
    assert {s for t in p.transfers for s in t.safeguards} == safeguards


@pytest.mark.parametrize(
    "text",
    [
        "Notre site est hébergé à Roubaix : toutes les données restent en France.",
        "Die Website liegt bei Hetzner in Nürnberg; die Daten bleiben in der EU.",
        "We do not transfer data from this website anywhere else.",
    ],
)
def test_data_that_stays_in_the_eu_or_goes_nowhere_is_no_transfer(text: str) -> None:
    p = extract(text)
    assert [t.kind for t in p.transfers] == [TransferKind.NONE]


def test_data_that_does_not_stay_is_not_a_no_transfer_promise() -> None:
    p = extract("Your data does not stay in the EU: it goes to our US provider.")
    assert TransferKind.NONE not in {t.kind for t in p.transfers}


def test_site_wide_denials_holding_data_and_consent_that_is_not_needed() -> None:
    denial = extract(
        "It does not use contact forms, accounts or analytics, and we do not collect any "
        "personal data through it."
    )
    assert denial.collects_personal_data is not None and not denial.collects_personal_data.value
    assert denial.audience_anonymised is None
    held = extract("If you subscribe to the newsletter, we will hold your email address.")
    assert held.collects_personal_data is not None and held.collects_personal_data.value
    deleted = extract("Your order details (name, phone number) are deleted after 90 days.")
    assert deleted.collects_personal_data is not None and deleted.collects_personal_data.value
    for text in (
        "Visitor statistics are collected with Fathom Analytics. Fathom is cookieless and "
        "anonymous, so no consent is needed for it.",
        "Nous comptons les visites avec Matomo, sans cookie et de façon anonyme, ce qui ne "
        "demande pas votre consentement.",
        "Für die Besucherstatistik nutzen wir Matomo ohne Cookies; daher ist keine "
        "Einwilligung nötig.",
    ):
        p = extract(text)
        assert p.consent_exemption is not None and p.consent_exemption.value, text


def test_vendors_used_in_place_of_others_and_named_in_passing_in_four_languages() -> None:
    p = extract("We host our fonts ourselves instead of loading them from Google Fonts.")
    assert not p.vendors
    for text, name in (
        ("Gehostet wird die Seite bei Uberspace in Mainz.", "Uberspace"),
        ("Il sito è ospitato su server di Register.it in Italia.", "Register.it"),
        ("Las citas se gestionan con Doctoralia.", "Doctoralia"),
        ("Les devis sont signés électroniquement via Yousign.", "Yousign"),
        ("Appointment requests are handled through Bookwell.", "Bookwell"),
    ):
        assert name in {v.name for v in extract(text).vendors}, text
    it = extract("Il sito è ospitato su server di Register.it in Italia.")
    assert it.storage_in_eu is not None and it.storage_in_eu.value
    feed = extract(
        "Nos photos sont publiées sur Instagram, dont le fil est affiché en bas de page."
    )
    assert "Meta Pixel" in {v.name for v in feed.vendors}


def test_prose_lifetimes_consent_keeping_and_names_of_other_cookies() -> None:
    p = extract(
        "Our website only uses cookies you need: kettle_session (expires after 24h) keeps your "
        "click-and-collect order, and kettle_ok remembers that you closed the cookie notice for "
        "a year.\n"
        "Cookies: la cookie fcb_sesion dura hasta que cierra el navegador y la cookie "
        "fcb_cookies guarda sus preferencias de cookies durante 1 año.\n"
        "Cookies: fs_sitzung gilt bis Sitzungsende, fs_consent speichert Ihre Cookie-Auswahl "
        "1 Jahr lang.\n"
        "Con su consentimiento usamos Google Analytics (_ga, 2 años) y el píxel de Meta "
        "(_fbp, 3 meses) para nuestras campañas.\n"
        "Non usiamo strumenti pubblicitari.\n"
        "Il cookie nella_lingua ricorda la lingua per 6 mesi."
    )
    got = {c.name: (c.category, c.session, c.lifetime_days) for c in p.cookies}
    assert got == {
        "kettle_session": (Category.TECHNICAL, False, 1.0),
        "kettle_ok": (Category.TECHNICAL, False, 365.0),
        "fcb_sesion": (None, True, None),
        "fcb_cookies": (Category.TECHNICAL, False, 365.0),
        "fs_sitzung": (None, True, None),
        "fs_consent": (Category.TECHNICAL, False, 365.0),
        "_ga": (Category.GOOGLE_ANALYTICS, False, 730.0),
        "_fbp": (Category.TRACKING, False, 91.32),
        # the sentence before it, in another paragraph, is not about it
        "nella_lingua": (None, False, 182.64),
    }


# --- stage 5, batch T -------------------------------------------------------------------------


def test_vendors_removed_or_no_longer_used_and_measurement_that_does_not_take_place() -> None:
    p = extract(
        "There are no Facebook pixels on this site, we removed Google Analytics in 2024, and we "
        "have never used Hotjar. Eine Reichweitenmessung findet nicht statt."
    )
    assert not p.vendors
    assert not p.categories


def test_an_exemption_for_necessary_cookies_is_not_exempt_measurement() -> None:
    p = extract(
        "The only cookie is sw_consent, which remembers your cookie choice for 6 months. "
        "Strictly necessary cookies like this one are exempt from consent."
    )
    assert p.consent_exemption is None
    it = extract(
        "Le statistiche sono raccolte con Matomo senza cookie e con IP anonimizzato; per questo "
        "non è richiesto il consenso."
    )
    assert it.consent_exemption is not None and it.consent_exemption.value


def test_a_framework_named_eu_us_is_not_storage_in_the_eu() -> None:
    p = extract(
        "We do not transfer personal data outside the EEA, with the exception of the server "
        "logs kept by Netlify, for which Netlify relies on the EU-US Data Privacy Framework."
    )
    assert p.storage_in_eu is None
    assert {s for t in p.transfers for s in t.safeguards} == {"dpf"}


def test_a_numbered_heading_with_an_address_is_a_contact() -> None:
    p = extract("We process your data.\n\n7. Data Protection Officer. privacy@brightloom.io")
    assert [(c.email, c.role) for c in p.contacts] == [("privacy@brightloom.io", "dpo")]


def test_more_ways_of_naming_a_vendor_in_passing() -> None:
    for text, name in (
        ("Comments are screened by Akismet, an anti-spam service.", "Akismet"),
        ("A scrambled version of your address may be sent to Gravatar.", "Gravatar"),
        ("Our collection pages embed 3D models from Sketchfab.", "Sketchfab"),
        ("Ticket sales are handled by Tessitura Network (US).", "Tessitura Network"),
        ("Le visite virtuali sono ospitate su Matterport.", "Matterport"),
        ("Our product analytics run on PostHog Cloud EU.", "PostHog"),
    ):
        assert name in {v.name for v in extract(text).vendors}, text
    # a place data is sent to, or the controller that manages the processing, is not one
    assert not extract("Your data may be sent to Ireland for processing.").vendors
    assert not extract(
        "For the processing of personal data managed by Cloud Temple, contact our DPO."
    ).vendors
    # Automattic runs more than WordPress.com
    p = extract("Comments are screened by Akismet, run by Automattic in the United States.")
    assert "WordPress.com" not in {v.name for v in p.vendors}
    assert {c for t in p.transfers for c in t.countries} == {"US"}


def test_american_companies_in_words_and_prose_cookie_details() -> None:
    fr = extract(
        "La prise de rendez-vous passe par Calendly, société américaine, dans le cadre du Data "
        "Privacy Framework."
    )
    assert {c for t in fr.transfers for c in t.countries} == {"US"}
    p = extract(
        "Our marketing site uses strictly necessary cookies only: bl_csrf (session) and "
        "bl_cookie_pref (12 months). The application sets bl_auth, which expires after 14 days.\n"
        "The mf_session cookie lasts only as long as your visit. Google Analytics sets _ga, "
        "which persists for 2 years, and _ga_J4K2P9 for the same period.\n"
        "Cookies: museum_lang keeps your language choice for 1 year.\n"
        "Con su consentimiento, Hotjar (cookies _hjSessionUser, 1 año, y _hjSession, 30 minutos) "
        "nos ayuda, y TikTok (cookie _ttp, 13 meses) mide nuestras campañas."
    )
    got = {c.name: (c.category, c.session, c.lifetime_days) for c in p.cookies}
    assert got["bl_csrf"] == (Category.TECHNICAL, True, None)
    assert got["bl_auth"] == (Category.TECHNICAL, False, 14.0)
    assert got["mf_session"][1:] == (True, None)
    assert got["_ga_J4K2P9"][2] == 730.0
    assert got["museum_lang"] == (None, False, 365.0)  # a language choice is not consent
    assert got["_hjSession"][0] is Category.ANALYTICS
    assert got["_ttp"][0] is Category.TRACKING


# --- stage 5, batch U -------------------------------------------------------------------------


def test_vendors_in_lists_of_providers_systems_and_joined_frames() -> None:
    p = extract(
        "We share information with vendors who perform services on our behalf, including "
        "Google Cloud Platform (hosting), Stripe (payments), Intercom (customer messaging) and "
        "Segment (product analytics)."
    )
    assert {"Stripe", "Intercom", "Segment"} <= {v.name for v in p.vendors}
    for text, name in (
        ("Prescription requests go to our clinical system, EMIS Web, and are kept.", "EMIS Web"),
        ("Our ticketing system is Spektrix, which stores booking data.", "Spektrix"),
        ("Donations are processed by Stripe and by GoCardless for direct debits.", "GoCardless"),
        ("Newsletters are sent with Constant Contact.", "Constant Contact"),
        ("Les paiements des cotisations passent par HelloAsso.", "HelloAsso"),
        ("Las reservas en línea funcionan con CoverManager.", "CoverManager"),
        ("Il sito è realizzato con Jimdo, che ospita i dati in Germania.", "Jimdo"),
        ("Die Anfragen werden per E-Mail über Posteo zugestellt.", "Posteo"),
        ("Google Translate is offered on every page.", "Google Translate"),
        ("Le prenotazioni possono arrivare anche da Airbnb e Booking.com.", "Airbnb"),
    ):
        assert name in {v.name for v in extract(text).vendors}, text
    # a vendor whose name is also a word, in a sentence naming declared cookies
    p = extract(
        "Marketing cookies: _pin_unauth (1 year). Marketing: Pinterest (_pin_unauth, 1 year) and "
        "Snapchat (_scid, 13 months) help us reach people like you."
    )
    assert "Snapchat Pixel" in {v.name for v in p.vendors}


def test_origins_are_not_destinations_and_american_companies() -> None:
    p = extract(
        "Fieldnote is based in the United States, and your information will be processed there. "
        "For users in the EEA, the UK and Switzerland, we rely on the Data Privacy Framework."
    )
    assert {c for t in p.transfers for c in t.countries} == {"US"}
    school = extract(
        "The website is hosted by Squarespace; newsletters are sent with Constant Contact. Both "
        "companies are American and use the EU-US Data Privacy Framework."
    )
    assert {c for t in school.transfers for c in t.countries} == {"US"}


def test_data_that_leaves_with_an_exception_and_storage_named_outside_the_eu() -> None:
    p = extract(
        "Aucune donnée ne sort de l'Union européenne, à l'exception des photos hébergées par "
        "Google (États-Unis, Data Privacy Framework)."
    )
    # (the exception is the transfer, as in "Non vengono trasferiti dati ..., ad eccezione di")
    assert [(t.kind, t.countries) for t in p.transfers] == [(TransferKind.SAFEGUARDS, ["US"])]
    assert (
        extract("Salesforce stores our data in its Frankfurt data centre.").storage_in_eu
        is not None
    )
    assert (
        extract(
            "Our ticketing partner stores booking data in the United Kingdom, which the EU "
            "recognises as adequate."
        ).storage_in_eu
        is None
    )


def test_personal_data_collected_unless_and_kept_or_taken() -> None:
    for text in (
        "This website does not collect any personal data unless you use the prescription form.",
        "We keep donor records for 6 years.",
        "When you book, we take your name, address and phone number.",
        "Para las reservas pedimos nombre y teléfono.",
    ):
        p = extract(text)
        assert p.collects_personal_data is not None and p.collects_personal_data.value, text


def test_prose_cookies_set_by_a_product_closing_the_tab_and_own_clauses() -> None:
    p = extract(
        "On our website we use Google Tag Manager to load Google Analytics 4. GA4 sets _ga "
        "(2 years) and _ga_<container-id> (2 years).\n"
        "Essential cookies: the box office sets a session cookie called SPXSESSION, which expires "
        "when your browser closes.\n"
        "Strictly necessary: tn_csrf protects forms; it is removed as soon as you close the tab.\n"
        "Le site dépose un cookie de session (PHPSESSID) et un cookie cn3r_cookies qui retient "
        "votre choix pendant 6 mois.\n"
        "Cookies: Ein Cookie namens ps_cookie speichert Ihre Zustimmung für 1 Jahr."
    )
    got = {c.name: (c.category, c.session, c.lifetime_days) for c in p.cookies}
    assert got["_ga"][1:] == (False, 730.0)
    assert got["_ga_<container-id>"][1:] == (False, 730.0)
    assert got["SPXSESSION"][0] in (Category.TECHNICAL, Category.SESSION)
    assert got["SPXSESSION"][1:] == (True, None)
    assert got["tn_csrf"] == (Category.TECHNICAL, True, None)
    assert got["PHPSESSID"][0] is Category.SESSION
    assert got["cn3r_cookies"] == (Category.TECHNICAL, False, 182.64)
    assert got["ps_cookie"] == (Category.TECHNICAL, False, 365.0)


# --- stage 5, batch V -------------------------------------------------------------------------


def test_a_negation_window_starts_at_a_word_and_number_words_need_a_space() -> None:
    # "fonctionne" cut to "ne" 40 characters before the name is not a negation
    p = extract("La boutique fonctionne avec PrestaShop et est hébergée chez o2switch.")
    assert "o2switch" in {v.name for v in p.vendors}
    # "und" is not "un d(ay)"
    de = extract(
        "Das Cookie tsv_hinweis hält fest, dass Sie den Cookie-Hinweis gelesen haben, und läuft "
        "nach 30 Tagen ab."
    )
    assert [(c.name, c.lifetime_days) for c in de.cookies] == [("tsv_hinweis", 30.0)]


def test_more_frames_for_vendors_in_passing() -> None:
    for text, name in (
        ("Reviews from adopters are shown in a Trustpilot widget.", "Trustpilot"),
        ("Our project gallery serves images through Cloudinary.", "Cloudinary"),
        ("Backups of the site are stored with Backblaze in Amsterdam.", "Backblaze"),
        ("In-app messages are delivered by OneSignal.", "OneSignal"),
        ("Episode downloads are measured by Podtrac.", "Podtrac"),
        ("Payments are made through Patreon.", "Patreon"),
        ("Les livraisons sont confiées à Colissimo.", "Colissimo"),
        ("Les avis clients sont recueillis par Avis Vérifiés.", "Avis Vérifiés"),
        ("Las reservas de vuelos pasan por Amadeus.", "Amadeus"),
        ("Los datos se alojan en servidores de Hostinger en Lituania.", "Hostinger"),
        ("La firma dei mandati avviene con Namirial.", "Namirial"),
        ("Für Kursanmeldungen nutzen wir das Tool Doodle.", "Doodle"),
    ):
        assert name in {v.name for v in extract(text).vendors}, text
    lt = extract("Los datos se alojan en servidores de Hostinger en Lituania.")
    assert lt.storage_in_eu is not None and lt.storage_in_eu.value
    # a company's seat is not where the data is stored
    assert extract("Typeform is based in Spain.").storage_in_eu is None


def test_flags_not_asking_for_consent_not_identifying_and_contact_details() -> None:
    p = extract(
        "We count visits with Simple Analytics, which does not use cookies and collects no "
        "personal data, so we do not ask for consent."
    )
    assert p.consent_exemption is not None and p.consent_exemption.value
    fathom = extract(
        "We use Fathom Analytics, which doesn't use cookies and doesn't identify visitors."
    )
    assert fathom.audience_anonymised is not None and fathom.audience_anonymised.value
    for text in (
        "When you contact us we keep your message and contact details for 12 months.",
        "Nous conservons vos commandes 10 ans.",
    ):
        got = extract(text).collects_personal_data
        assert got is not None and got.value, text


def test_session_cookies_in_prose_and_a_denied_kind_is_no_paragraph_topic() -> None:
    p = extract(
        "We set three cookies of our own. hp_sess is a session cookie that keeps the contact "
        "form working. hp_theme remembers whether you prefer the dark theme; it is a persistent "
        "cookie that lasts 1 year.\n"
        "We use one strictly necessary cookie, nb_csrf, which lasts for the session.\n"
        "Wir setzen keine Analyse-Tools ein. Das Cookie tsv_hinweis läuft nach 30 Tagen ab."
    )
    got = {c.name: (c.category, c.session, c.lifetime_days) for c in p.cookies}
    assert got["hp_sess"] == (Category.SESSION, True, None)
    assert got["hp_theme"] == (None, False, 365.0)
    assert got["nb_csrf"] == (Category.TECHNICAL, True, None)
    assert got["tsv_hinweis"] == (None, False, 30.0)
    assert not p.categories or {c.category for c in p.categories} <= {
        Category.TECHNICAL,
        Category.SESSION,
    }


# --- stage 5, batch W -------------------------------------------------------------------------


def test_legal_lists_of_cookies_and_the_words_that_belong_to_each() -> None:
    p = extract(
        "The website deploys the following cookies: (a) ald_sid, a strictly necessary session "
        "cookie, which expires at the end of the browsing session; (b) ald_pref, a functional "
        "cookie, which persists for a period of six (6) months; and (c) _ga, an analytics "
        "cookie deployed by Google Analytics, which persists for up to two (2) years.\n"
        "We keep the cookies we set to a minimum: a basket cookie (ml_basket) that lasts a "
        "fortnight, a login cookie (ml_auth) that lasts 30 days, and a cookie that records your "
        "consent choices (ml_cc) for 180 days."
    )
    got = {c.name: (c.category, c.session, c.lifetime_days) for c in p.cookies}
    assert got["ald_sid"][1:] == (True, None)
    assert got["ald_pref"] == (Category.TECHNICAL, False, 182.64)
    assert got["_ga"][0] in (Category.ANALYTICS, Category.GOOGLE_ANALYTICS)
    assert got["ml_basket"] == (None, False, 14.0)
    assert got["ml_auth"] == (None, False, 30.0)  # the next cookie's purpose is not its own
    assert got["ml_cc"] == (Category.TECHNICAL, False, 180.0)


def test_tracking_tags_places_and_articles_in_vendor_frames() -> None:
    p = extract(
        "Our website uses Google Tag Manager and, if you consent, Google Ads conversion tracking "
        "(_gcl_au, 90 days) and the Microsoft Advertising UET tag (_uetvid, 390 days)."
    )
    assert {(c.name, c.lifetime_days) for c in p.cookies} == {("_gcl_au", 90.0), ("_uetvid", 390.0)}
    assert not extract("Bookings may be handled in the United States.").vendors
    assert "United States" not in {
        v.name
        for v in extract("Data sent to Help Scout may be processed in the United States.").vendors
    }
    for text, name in (
        ("The service times are embedded from a Google Calendar.", "Google Calendar"),
        ("Le catalogue en ligne est fourni par la société Decalog.", "Decalog"),
        ("Les ressources numériques sont proposées via Cafeyn.", "Cafeyn"),
    ):
        assert name in {v.name for v in extract(text).vendors}, text
    eea = extract("Personal data is stored on servers located within the European Economic Area.")
    assert eea.storage_in_eu is not None and eea.storage_in_eu.value
    fr = extract("Pour l'inscription, la médiathèque enregistre votre nom et votre adresse.")
    assert fr.collects_personal_data is not None and fr.collects_personal_data.value


def test_the_addresses_after_the_dpo_are_contacts_unless_their_own_words_name_the_dpo() -> None:
    p = extract(
        "Your rights\n"
        "Our Data Protection Officer can be reached at privacy@harbour.example. For questions "
        "about an order, write to orders@harbour.example. To report a security issue, use "
        "security@harbour.example rather than the DPO address.\n"
        "Délégué à la protection des données : Mme C. Roux, delegue@harbour.example\n"
        "E-Mail: datenschutzbeauftragter@harbour.example\n"
        "Le richieste al Garante vanno inviate a protocollo@gpdp.it.\n"
    )
    assert [(c.email, c.role) for c in p.contacts] == [
        ("privacy@harbour.example", "dpo"),
        ("orders@harbour.example", "contact"),
        ("security@harbour.example", "contact"),
        ("delegue@harbour.example", "dpo"),
        ("datenschutzbeauftragter@harbour.example", "dpo"),
        ("protocollo@gpdp.it", "authority"),
    ]


def test_a_heading_over_contact_and_dpo_does_not_make_every_address_the_dpos() -> None:
    p = extract(
        "9. Contact and Data Protection Officer\n\n"
        "General enquiries go to office@lawfirm.example.\n\n"
        "We have appointed an external data protection officer, reachable at "
        "dsb@advisers.example.\n"
    )
    assert [(c.email, c.role) for c in p.contacts] == [
        ("office@lawfirm.example", "contact"),
        ("dsb@advisers.example", "dpo"),
    ]


def test_a_german_verb_second_negation_with_words_between_is_no_use() -> None:
    p = extract(
        "Den Facebook-Pixel setzen wir seit März 2025 nicht mehr ein. Für die Reichweitenmessung "
        "nutzen wir nicht nur Matomo, sondern auch Hotjar; beide setzen Cookies."
    )
    names = {v.name for v in p.vendors}
    assert "Meta Pixel" not in names
    assert {"Matomo", "Hotjar"} <= names


def test_processors_named_in_passing_carriers_payment_mail_and_monitoring() -> None:
    p = extract(
        "Les colis sont remis à DPD ou à Colissimo, qui reçoivent votre nom et votre adresse. "
        "I pagamenti avvengono tramite Nexi o Satispay. "
        "Transactional e-mails are sent via Mailgun and error logs are stored with Datadog. "
        "Los envíos los gestiona SEUR. We do not use FedEx."
    )
    got = {v.name: (v.kind, v.country) for v in p.vendors}
    assert {
        "DPD": ("other", "FR"),
        "Colissimo": ("other", "FR"),
        "Nexi": ("payment", "IT"),
        "Satispay": ("payment", "IT"),
        "Mailgun": ("crm", "US"),
        "Datadog": ("other", "US"),
        "SEUR": ("other", "ES"),
    }.items() <= got.items()
    assert "FedEx" not in got  # a vendor said not to be used stays out


@pytest.mark.parametrize(
    "text",
    [
        "Our teams answer your questions and we are in constant contact with our customers.",
        "You can zoom in on the map; cookies store the zoom level you chose.",
        "Puede enviarnos correos electrónicos o escribirnos por correo postal.",
        "Vous pouvez exercer vos droits par la poste ou par e-mail.",
        "Un ulteriore strato di protezione cifra i dati che ci invii.",
        "Cookies help us understand the ups and downs of traffic; a box shows your choice.",
    ],
)
def test_vendor_names_that_are_ordinary_words_are_not_vendors_in_prose(text: str) -> None:
    assert extract(text).vendors == []


def test_vendor_names_that_are_ordinary_words_are_vendors_when_qualified_or_listed() -> None:
    p = extract(
        "Meetings take place via Zoom and Microsoft Teams; parcels are shipped with DHL and UPS.\n"
        "Our sub-processors:\n- Slack (internal messaging)\n- Box (file storage)\n"
    )
    assert {"Zoom", "Microsoft Teams", "DHL", "UPS", "Slack", "Box"} <= {v.name for v in p.vendors}
