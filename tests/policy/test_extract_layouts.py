"""Generic readings added while tuning on the team-written set (tests/policy/authored, tune
half): definition lists, processor lists, vendor-first tables, lead-ins naming several kinds,
cookie names containing "cookie", session cookies named as such, storage in an EU country,
transfers in every wording. Texts written for these tests, different from the set's."""

from __future__ import annotations

from scanner.model import Category
from scanner.policy import TransferKind, extract_policy


def extract(text: str, content_type: str = "text/plain"):  # type: ignore[no-untyped-def]
    return extract_policy(text, "policy", content_type)


def test_html_definition_lists_give_one_cookie_per_term_and_no_retention() -> None:
    p = extract(
        "<html><body><h2>Cookies de mesure d'audience</h2><dl>"
        "<dt>stat_uid</dt><dd>Identifie le navigateur. Durée : 6 mois.</dd>"
        "<dt>stat_visit</dt><dd>Regroupe une visite. Durée : 30 minutes.</dd>"
        "</dl></body></html>",
        "text/html",
    )
    assert [(c.name, c.lifetime_days, c.category) for c in p.cookies] == [
        ("stat_uid", 182.64, Category.ANALYTICS),
        ("stat_visit", 0.0208, Category.ANALYTICS),
    ]
    assert not p.retention  # "Durée : 6 mois." is the cookie's lifetime


def test_processors_listed_by_name_are_vendors_known_or_not() -> None:
    p = extract(
        "Nous faisons appel aux sous-traitants suivants :\n"
        "- Livrexpress (transport des colis) ;\n"
        "- Crisp (support client) ;\n"
        "- Hébergement : un serveur dédié.\n"
    )
    names = {v.name: v for v in p.vendors}
    assert set(names) == {"Livrexpress", "Crisp"}
    assert names["Crisp"].country == "FR" and names["Livrexpress"].country is None


def test_a_sub_processor_table_names_its_vendors_without_legal_suffixes() -> None:
    p = extract(
        "| Sub-processor | Purpose | Location |\n| --- | --- | --- |\n"
        "| Ticketwise, Inc. | Support tickets | United States |\n"
        "| Hetzner Online GmbH | Hosting | Germany |\n"
    )
    assert {v.name for v in p.vendors} == {"Ticketwise", "Hetzner"}


def test_internal_recipients_are_not_vendors() -> None:
    p = extract("Destinataires internes :\n- Direction\n- Equipe BI\n- Pôle RH\n")
    assert p.vendors == []


def test_a_provider_cell_gives_the_category_and_a_row_naming_the_company_the_product() -> None:
    p = extract(
        "| Service | Cookies | Duration |\n|---|---|---|\n"
        "| Our shop (strictly necessary) | shop_sid | session |\n"
        "| Hotjar | _hjSessionUser_77 | 1 year |\n"
        "| Google | _ga | 2 years |\n"
    )
    cats = {c.name: c.category for c in p.cookies}
    assert cats["shop_sid"] is Category.TECHNICAL
    assert cats["_hjSessionUser_77"] is Category.ANALYTICS
    assert "Google Analytics" in {v.name for v in p.vendors}
    assert Category.GOOGLE_ANALYTICS in {c.category for c in p.categories}


def test_a_lead_in_naming_several_kinds_does_not_label_every_row() -> None:
    p = extract(
        "Utilizziamo cookie necessari, statistici e di marketing.\n\n"
        "| Nome | Durata | Categoria |\n|---|---|---|\n"
        "| sess_x | Sessione | Necessario |\n"
        "| stat_y | 2 anni | Statistiche |\n"
        "| other_z | 1 anno | |\n"
    )
    cats = {c.name: c.category for c in p.cookies}
    assert cats == {
        "sess_x": Category.TECHNICAL,
        "stat_y": Category.ANALYTICS,
        "other_z": None,
    }


def test_names_with_cookie_in_them_and_words_about_cookies() -> None:
    p = extract(
        "Cookies\n"
        "- cookie_choice_state: keeps your choice (1 year).\n"
        "- acme-lb-cookie: load balancing (session).\n"
        "Read our cookie-policy and the Marketing-Cookies section.\n"
    )
    assert [c.name for c in p.cookies] == ["cookie_choice_state", "acme-lb-cookie"]


def test_a_session_cookie_named_as_such_is_a_session_cookie() -> None:
    p = extract(
        "Solo usamos la cookie de sesión app_sid, que mantiene tu sesión iniciada. "
        "Das Cookie fe_x wird am Ende der Sitzung gelöscht."
    )
    assert {c.name: c.session for c in p.cookies} == {"app_sid": True, "fe_x": True}


def test_known_plain_name_listed_before_a_cookie_name() -> None:
    p = extract("La boutique dépose des cookies nécessaires, dont cart et _shop_token.")
    assert [c.name for c in p.cookies] == ["cart", "_shop_token"]
    assert {c.category for c in p.cookies} == {Category.TECHNICAL}


def test_storage_in_an_eu_country_and_a_negated_transfer_in_the_same_sentence() -> None:
    p = extract(
        "I dati sono conservati su server situati in Italia e non vengono trasferiti fuori "
        "dall'Unione europea."
    )
    assert p.storage_in_eu is not None and p.storage_in_eu.value is True
    assert [t.kind for t in p.transfers] == [TransferKind.NONE]
    q = extract("Der Shop wird bei einem Anbieter in Deutschland gehostet.")
    assert q.storage_in_eu is not None


def test_transfers_in_other_wordings() -> None:
    p = extract(
        "Estas empresas pueden transferir datos a EE. UU.; están adheridas al Marco de "
        "Privacidad de Datos UE-EE. UU."
    )
    assert [(t.countries, t.safeguards) for t in p.transfers] == [(["US"], ["dpf"])]
    q = extract("Wir geben keine Daten in Drittländer außerhalb der EU weiter.")
    assert [t.kind for t in q.transfers] == [TransferKind.NONE]
    r = extract("Your data is not transferred outside the UK or the EU.")
    assert [t.kind for t in r.transfers] == [TransferKind.NONE]


def test_no_personal_data_on_this_site_is_site_wide() -> None:
    p = extract(
        "Nous ne collectons aucune donnée personnelle sur ce site : il n'y a ni formulaire "
        "ni outil de statistiques."
    )
    assert p.collects_personal_data is not None and p.collects_personal_data.value is False
    q = extract("Für die Mitgliederverwaltung verarbeiten wir Name und Anschrift.")
    assert q.collects_personal_data is not None and q.collects_personal_data.value is True


def test_generated_declarations_name_blocks_under_category_headings() -> None:
    p = extract(
        "Marketing (1)\n"
        "Marketing cookies are used to follow visitors across websites.\n\n"
        "Name: ad_uid\nProvider: Adnet\nPurpose: Shows relevant offers.\nExpiry: 1 year\n"
        "Type: HTTP Cookie\n\n"
        "Statistics (1)\n\n"
        "Name: st_vis\nProvider: Counter\nPurpose: Counts visits.\nExpiry: 30 minutes\n"
        "Type: HTTP Cookie\n"
    )
    assert [(c.name, c.lifetime_days, c.category) for c in p.cookies] == [
        ("ad_uid", 365.0, Category.TRACKING),
        ("st_vis", 0.0208, Category.ANALYTICS),
    ]
    assert not p.retention


def test_one_line_per_cookie_with_its_fields_separated_by_semicolons() -> None:
    p = extract(
        "Il sito installa i seguenti cookie:\n"
        "– nome: sid_x; fornitore: noi; finalità: sessione dell'area riservata; durata: sessione\n"
        "– nome: ad_y; fornitore: Adnet; finalità: pubblicità mirata; durata: 3 mesi\n"
    )
    assert [(c.name, c.session, c.lifetime_days, c.category) for c in p.cookies] == [
        ("sid_x", True, None, Category.SESSION),
        ("ad_y", False, 91.32, Category.TRACKING),
    ]


def test_a_sentence_starting_with_a_pronoun_takes_the_kind_of_the_one_before() -> None:
    p = extract(
        "Für Werbung nutzen wir ein Pixel. Es setzt das Cookie „_px_id“ für 3 Monate. "
        "Die IP-Adresse wird für die Reichweitenmessung vor der Speicherung gekürzt."
    )
    assert [(c.name, c.category) for c in p.cookies] == [("_px_id", Category.TRACKING)]
    assert Category.TRACKING in {c.category for c in p.categories}
    assert p.audience_anonymised is not None and p.audience_anonymised.value is True


def test_a_cookie_that_keeps_consent_is_technical_whatever_its_purpose_names() -> None:
    p = extract(
        "| Cookie | Finalidad | Duración |\n| --- | --- | --- |\n"
        "| consent_stats | Guarda el consentimiento para las cookies analíticas | 1 año |\n"
        "| st_uid | Cookies analíticas: distingue a los usuarios | 1 año |\n"
    )
    assert [(c.name, c.category) for c in p.cookies] == [
        ("consent_stats", Category.TECHNICAL),
        ("st_uid", Category.ANALYTICS),
    ]


def test_preference_categories_in_german_spanish_and_italian_are_technical() -> None:
    p = extract(
        "| Name | Kategorie | Laufzeit |\n| --- | --- | --- |\n"
        "| ui_lang | Präferenzen | 1 Jahr |\n"
        "| ui_theme | Preferencias | 1 año |\n"
        "| ui_font | Preferenze | 1 anno |\n"
        "| ui_view | Cookies de personalización | 1 año |\n"
    )
    assert {c.category for c in p.cookies} == {Category.TECHNICAL}


def test_labels_alone_on_their_line_read_with_the_value_below() -> None:
    p = extract(
        "Statistiken\n"
        "Statistik Cookies zählen Besuche.\n\n"
        "Cookie Name\nst_a, st_b\nCookie Laufzeit\n6 Monate / 2 Stunden\n"
    )
    assert [(c.name, c.lifetime_days, c.category) for c in p.cookies] == [
        ("st_a", 182.64, Category.ANALYTICS),
        ("st_b", 0.0833, Category.ANALYTICS),
    ]


def test_a_what_it_does_column_with_the_kind_in_brackets_and_a_set_by_column() -> None:
    p = extract(
        "| Name | Set by | What it does | Expires |\n| --- | --- | --- | --- |\n"
        "| ab_login | Us | Keeps you signed in (strictly necessary) | When you close the browser"
        " |\n"
        "| ab_ads | Adnet | Measures our campaigns (advertising) | 1 year |\n"
    )
    assert [(c.name, c.session, c.lifetime_days, c.category) for c in p.cookies] == [
        ("ab_login", True, None, Category.TECHNICAL),
        ("ab_ads", False, 365.0, Category.TRACKING),
    ]


def test_a_short_line_naming_one_category_is_a_heading_for_what_follows() -> None:
    p = extract(
        "Analytics cookies\n"
        "With your permission a counter sets st_q, which expires after one day.\n"
    )
    assert [(c.name, c.category, c.lifetime_days) for c in p.cookies] == [
        ("st_q", Category.ANALYTICS, 1.0)
    ]


def test_trackers_exempt_from_consent_are_in_the_exempt_group() -> None:
    p = extract(
        "Traceurs exemptés de consentement\n\n"
        "| Nom du traceur | Finalité | Durée de conservation |\n| --- | --- | --- |\n"
        "| ab_conn | Maintien de la connexion | Fin de session |\n"
    )
    assert [(c.name, c.session, c.category) for c in p.cookies] == [
        ("ab_conn", True, Category.TECHNICAL)
    ]


def test_a_consent_platforms_section_wins_over_the_words_of_a_purpose() -> None:
    p = extract(
        "Statistiche (1)\n"
        "Nome: st_state\nFornitore: Contatore\nScopo: Conserva lo stato della sessione.\n"
        "Scadenza: 1 anno\nTipo: HTTP\n"
    )
    assert [(c.name, c.category) for c in p.cookies] == [("st_state", Category.ANALYTICS)]


def test_preferences_alone_in_a_type_column_is_technical() -> None:
    p = extract(
        "| Cookie name | Type | Duration |\n| --- | --- | --- |\n"
        "| ui_lang | Preferences | 6 months |\n"
    )
    assert [(c.name, c.category) for c in p.cookies] == [("ui_lang", Category.TECHNICAL)]


def test_anonymous_in_a_cookie_name_is_not_an_anonymisation_claim() -> None:
    p = extract(
        "| Cookie name | Type | Duration | Purpose |\n| --- | --- | --- | --- |\n"
        "| st_anonymous_id | Analytics | 1 year | usage statistics |\n"
    )
    assert p.audience_anonymised is None


def test_an_art_column_gives_the_category_and_security_is_technical() -> None:
    p = extract(
        "| Cookie | Zweck | Speicherdauer | Art |\n| --- | --- | --- | --- |\n"
        "| ab_f | Kursfilter | 1 Jahr | Funktional |\n| ab_m | Werbung | 3 Monate | Marketing |\n"
        "| ab_s | Sécurité de l'espace membres | Session | |\n"
    )
    assert [(c.name, c.category) for c in p.cookies] == [
        ("ab_f", Category.TECHNICAL),
        ("ab_m", Category.TRACKING),
        ("ab_s", Category.TECHNICAL),
    ]


def test_a_onetrust_cookie_list_copied_as_tab_separated_text() -> None:
    p = extract(
        "Performance Cookies\nThese cookies allow us to count visits.\n"
        "Cookie Subgroup\tCookies\tCookies used\tLifetime\n"
        "example.co.uk\tst_a, st_b\tFirst Party\t730 Days, 1 Days\n"
    )
    assert [(c.name, c.lifetime_days, c.category) for c in p.cookies] == [
        ("st_a", 730.0, Category.ANALYTICS),
        ("st_b", 1.0, Category.ANALYTICS),
    ]
    assert p.transfers == []  # "example.co.uk" is a domain, not the United Kingdom


def test_a_service_sheet_with_tab_separated_labels_under_a_category_title() -> None:
    p = extract(
        "Statistiques\n\nCompteur\nUtilisation\nNous comptons les visites.\nCookies\n"
        "Nom\tst_v\nExpiration\t2 ans\nFonction\tCompter les pages vues\n"
    )
    assert [(c.name, c.lifetime_days, c.category) for c in p.cookies] == [
        ("st_v", 730.0, Category.ANALYTICS)
    ]
    assert not p.retention


def test_consent_platform_service_sheets_with_a_cookies_line_and_a_duration_line() -> None:
    p = extract(
        "Mesure d'audience\n\nCompteur\nCookies déposés : st_a, st_b\nDurée de vie : 13 mois\n\n"
        "Requis\n\nOutil\nCookie déposé : ok_c\nDurée de vie : 6 mois\n\n"
        "Marketing\n\nWerbedienst\nCookies: ad_c\nSpeicherdauer: 3 Monate\n"
    )
    assert [(c.name, c.lifetime_days, c.category) for c in p.cookies] == [
        ("st_a", 395.72, Category.ANALYTICS),
        ("st_b", 395.72, Category.ANALYTICS),
        ("ok_c", 182.64, Category.TECHNICAL),
        ("ad_c", 91.32, Category.TRACKING),
    ]
    assert not p.retention


def test_markdown_bold_labels_in_cookie_blocks() -> None:
    p = extract(
        "### Analytics\n\n**Cookie:** `st_a`\n**Provider:** Counter\n**Expires:** 2 years\n\n"
        "**Cookie:** `st_b`\n**Expires:** at the end of the session\n",
        "text/markdown",
    )
    assert [(c.name, c.lifetime_days, c.session) for c in p.cookies] == [
        ("st_a", 730.0, False),
        ("st_b", None, True),
    ]
    assert not p.retention


def test_abbreviated_units_in_a_lifetime_column() -> None:
    p = extract(
        "| Cookie | Type | Expiry |\n| --- | --- | --- |\n"
        "| ab_a | Necessary | 7 d |\n| ab_b | Necessary | 1 yr |\n| ab_c | Analytics | 13 mo |\n"
        "| ab_d | Analytics | 24 h |\n| ab_e | Necessary | 180 j |\n"
    )
    assert [c.lifetime_days for c in p.cookies] == [7.0, 365.0, 395.72, 1.0, 180.0]


def test_a_tables_own_heading_ends_the_search_for_its_category() -> None:
    p = extract(
        "## Advertisement\n| Cookie | Duration |\n| --- | --- |\n| ad_x | 3 months |\n\n"
        "## Others\n| Cookie | Duration |\n| --- | --- |\n| ot_y | 7 days |\n"
    )
    assert [(c.name, c.category) for c in p.cookies] == [
        ("ad_x", Category.TRACKING),
        ("ot_y", None),
    ]
