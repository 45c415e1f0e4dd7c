"""The dashboard's words in English and French, on top of the reports' catalogue.

Keys the dashboard does not define (categories, severities, phases, column names...) come from
:mod:`reports.i18n`, so a cookie category reads the same in a report and on a page. Site data
(cookie names, URLs, finding texts) is never translated.
"""

from __future__ import annotations

from flask import current_app, g, request, session

from reports.i18n import Lang, Translator

EN: dict[str, str] = {
    "app.name": "cookie-audit",
    "skip": "Skip to the content",
    "nav.overview": "Sites",
    "nav.manage": "Manage audits",
    "nav.account": "My account",
    "nav.logout": "Sign out",
    "nav.main": "Main",
    "nav.lang": "Language",
    "lang.en": "English",
    "lang.fr": "Français",
    "signed_in_as": "Signed in as {name} ({role})",
    "role.viewer": "viewer",
    "role.editor": "editor",
    "role.admin": "admin",
    "login.title": "Sign in",
    "login.username": "User name",
    "login.password": "Password",
    "login.submit": "Sign in",
    "login.failed": "Wrong user name or password.",
    "login.intro": "Sign in with the account an administrator made for you "
    "(cookie-audit users add).",
    "form.invalid": "Please correct this field.",
    "form.required": "This field is required.",
    "account.title": "My account",
    "account.password": "Change my password",
    "account.current": "Current password",
    "account.new": "New password (at least 12 characters)",
    "account.confirm": "New password again",
    "account.submit": "Change password",
    "account.wrong_password": "The current password is wrong.",
    "account.weak_password": "This password cannot be used: {rule}.",
    "account.mismatch": "The two new passwords differ.",
    "account.password_changed": "Your password was changed: every session ended. Sign in "
    "with the new password.",
    "account.sessions_note": "Changing your password signs you out everywhere.",
    "error.title": "Error {status}",
    "error.400": "The request could not be understood (a form may have expired: reload the "
    "page and try again).",
    "error.403": "Your account may not do this. Ask an administrator for the editor role.",
    "error.404": "There is nothing here.",
    "error.405": "This address does not accept this kind of request.",
    "error.413": "The request is too large.",
    "error.422": "Some values are not valid.",
    "error.429": "Too many attempts. Wait a little and try again.",
    "error.500": "The server failed; the error is logged.",
    "error.503": "The database is unavailable. Retry in a few seconds.",
    "error.unavailable": "This is not available on this server right now.",
    "error.back": "Back to the sites",
    "overview.title": "Sites",
    "overview.filters": "Filter the sites",
    "overview.search": "Site or address",
    "overview.verdict": "Verdict",
    "overview.changed_only": "Changed since the last run",
    "overview.sort": "Sort by",
    "overview.apply": "Apply",
    "overview.count": "{shown} of {total} sites",
    "overview.pages": "Pages of the list",
    "overview.previous": "Previous page",
    "overview.next_page": "Next page",
    "overview.page": "Page {page} of {pages}",
    "overview.empty": "No site is audited yet. An editor adds one under \u201cManage audits\u201d "
    "(or: cookie-audit audit add URL).",
    "overview.site": "Site",
    "overview.runs": "Runs",
    "overview.findings": "Findings",
    "overview.trends": "Recent runs",
    "overview.acceptance": "Accepted all (30 days)",
    "overview.changed": "changed",
    "overview.last": "last",
    "overview.next": "next",
    "overview.paused": "paused",
    "overview.no_findings": "none",
    "overview.spark_findings": "findings",
    "overview.spark_consent": "cookies needing consent",
    "overview.no_banner": "no banner linked",
    "verdict.problems": "Problems found",
    "verdict.attention": "Needs attention",
    "verdict.ok": "No problems found",
    "verdict.failed": "Run failed",
    "verdict.never": "Not run yet",
    "sort.verdict": "verdict (worst first)",
    "sort.name": "name",
    "sort.last_run": "last run",
    "sort.next_run": "next run",
    "sort.findings": "findings",
    "sort.acceptance": "acceptance",
    "site.every": "runs {every}",
    "site.consent_api": "consent records read back from {url} (admin key from {ref})",
    "site.links": "Reports and statistics",
    "site.consent": "Consent statistics",
    "site.report_html": "Full report (HTML)",
    "site.report_pdf": "PDF",
    "site.report_csv": "Cookies (CSV)",
    "site.report_json": "Scan (JSON)",
    "site.manage": "Edit the audit",
    "site.timeline": "Runs over time",
    "site.phase": "Consent state",
    "site.cookies_chart": "Cookies by category per run: {phase}",
    "site.cookies_chart_desc": "Stacked columns, one per succeeded run, oldest first: cookies of "
    "each category in the chosen consent state.",
    "site.findings_chart": "Findings by severity per run",
    "site.findings_chart_desc": "Stacked columns, one per succeeded run, oldest first: findings of "
    "each severity.",
    "site.no_runs": "No run yet.",
    "site.runs": "Runs",
    "site.compare": "Compare",
    "site.compare_from": "Older run",
    "site.compare_to": "Newer run",
    "site.run": "Run",
    "site.state": "State",
    "site.finished": "When (UTC)",
    "site.reports": "Reports",
    "site.latest": "Latest run: #{number}, {date} UTC",
    "compare.title": "{name}: what changed from run #{old} to run #{new}",
    "compare.between": "Between {old} and {new} (UTC)",
    "state.queued": "queued",
    "manage.add": "Add an audit",
    "manage.schedule": "Schedule",
    "manage.alerts": "Alerts",
    "manage.actions": "Actions",
    "manage.edit": "Edit",
    "manage.run_now": "Run now",
    "manage.pause": "Pause",
    "manage.resume": "Resume",
    "manage.remove": "Remove",
    "manage.remove_confirm": "Remove the audit {name}? Its history is kept.",
    "manage.min_severity_short": "from {severity}",
    "manage.no_alerts": "no alert target",
    "manage.edit_title": "Edit the audit {name}",
    "manage.name": "Name",
    "manage.name_hint": "Letters, digits, '.', '_' or '-' (it names the site on every page).",
    "manage.url": "Start address",
    "manage.every": "Schedule",
    "manage.every_hint": "hourly, daily, weekly, monthly, or a cron expression (UTC).",
    "manage.max_pages": "Pages per consent state",
    "manage.phases": "Consent states to visit",
    "manage.lang": "Report language",
    "manage.consent_site": "Consent API site key (optional)",
    "manage.consent_site_hint": "Links the site to its banner's consent statistics (pk_...).",
    "manage.consent_api": "Consent API to read the records back from (optional)",
    "manage.consent_api_hint": "The URL of the consent API the site's banner posts to: each run "
    "reads the records of the banner's clicks back from it and checks them against the clicks.",
    "manage.consent_api_key": "Where an admin key of the site in that API is kept",
    "manage.consent_api_key_hint": "env:NAME or file:PATH on the machines that run the audits, "
    "read when a run starts; never the key itself. Give both settings or neither.",
    "manage.alert_targets": "Alert targets, one per line",
    "manage.alerts_hint": "webhook:https://... or email:someone@example.com; secrets are shown "
    "hidden and kept when left unchanged.",
    "manage.min_severity": "Alert from this severity",
    "manage.save": "Save",
    "manage.cancel": "Cancel",
    "manage.added": "Audit {name} added: its first run is due now.",
    "manage.saved": "Audit {name} saved.",
    "manage.paused": "Audit {name} paused.",
    "manage.resumed": "Audit {name} resumed.",
    "manage.queued": "A run of {name} is queued: the daemon or a worker runs it next.",
    "manage.removed": "Audit {name} removed (its history is kept).",
    "state.running": "running",
    "state.succeeded": "succeeded",
    "state.failed": "failed",
    "state.cancelled": "cancelled",
    "trigger.schedule": "scheduled",
    "trigger.manual": "run now",
    "consent.title": "Consent statistics: {site}",
    "consent.intro": "How visitors answered the banner, counted from the consent ledger. Counts "
    "only: no visitor\u2019s data is shown. Days are UTC days.",
    "consent.range": "Period shown",
    "consent.from": "From",
    "consent.to": "To",
    "consent.period": "Per",
    "consent.period.day": "Day",
    "consent.period.week": "Week",
    "consent.show": "Show",
    "consent.impressions": "banner shown",
    "consent.records": "choices recorded",
    "consent.acceptance": "accepted all",
    "consent.per_day": "Per day",
    "consent.per_week": "Per week",
    "consent.chart_title": "Choices recorded per period, by action",
    "consent.chart_desc": "Stacked columns: accept all, reject all, custom, GPC and withdrawals "
    "per period; the same numbers are in the table below.",
    "consent.csv_day": "Download per day (CSV)",
    "consent.csv_week": "Download per week (CSV)",
    "consent.csv": "Download (CSV)",
    "consent.opt_in": "Opt-in per category",
    "consent.opt_in_intro": "Of the recorded choices that include a category, how many granted "
    "it (reject all and GPC count as refusals, accept all as consent).",
    "consent.granted": "granted",
    "consent.denied": "refused",
    "consent.opt_in_rate": "opt-in rate",
    "consent.opt_in_of": "opt-in {category}",
    "consent.no_categories": "The site has no optional category.",
    "consent.split.banner_revision": "By banner revision",
    "consent.split.policy_version": "By policy version",
    "consent.split.language": "By language",
    "consent.value.banner_revision": "Revision",
    "consent.value.policy_version": "Policy version",
    "consent.value.language": "Language",
    "consent.unknown": "not given",
    "consent.none": "No choice recorded in this period.",
    "action.accept_all": "accept all",
    "action.reject_all": "reject all",
    "action.custom": "custom",
    "action.gpc": "GPC",
    "action.withdraw": "withdrawn",
}

FR: dict[str, str] = {
    "skip": "Aller au contenu",
    "nav.overview": "Sites",
    "nav.manage": "Gérer les audits",
    "nav.account": "Mon compte",
    "nav.logout": "Se déconnecter",
    "nav.main": "Principal",
    "nav.lang": "Langue",
    "lang.en": "English",  # each language is named in itself
    "lang.fr": "Français",
    "signed_in_as": "Connecté en tant que {name} ({role})",
    "role.viewer": "lecteur",
    "role.editor": "éditeur",
    "role.admin": "administrateur",
    "login.title": "Connexion",
    "login.username": "Nom d’utilisateur",
    "login.password": "Mot de passe",
    "login.submit": "Se connecter",
    "login.failed": "Nom d’utilisateur ou mot de passe incorrect.",
    "login.intro": "Connectez-vous avec le compte qu’un administrateur a créé pour vous "
    "(cookie-audit users add).",
    "form.invalid": "Veuillez corriger ce champ.",
    "form.required": "Ce champ est obligatoire.",
    "account.title": "Mon compte",
    "account.password": "Changer mon mot de passe",
    "account.current": "Mot de passe actuel",
    "account.new": "Nouveau mot de passe (12 caractères au moins)",
    "account.confirm": "Nouveau mot de passe, à nouveau",
    "account.submit": "Changer le mot de passe",
    "account.wrong_password": "Le mot de passe actuel est incorrect.",
    "account.weak_password": "Ce mot de passe ne peut pas être utilisé : {rule}.",
    "account.mismatch": "Les deux nouveaux mots de passe diffèrent.",
    "account.password_changed": "Votre mot de passe a été changé : toutes les sessions sont "
    "terminées. Connectez-vous avec le nouveau mot de passe.",
    "account.sessions_note": "Changer de mot de passe vous déconnecte partout.",
    "error.title": "Erreur {status}",
    "error.400": "La requête n’a pas pu être comprise (un formulaire a peut-être expiré : "
    "rechargez la page et recommencez).",
    "error.403": "Votre compte ne peut pas faire cela. Demandez le rôle éditeur à un "
    "administrateur.",
    "error.404": "Il n’y a rien ici.",
    "error.405": "Cette adresse n’accepte pas ce type de requête.",
    "error.413": "La requête est trop grande.",
    "error.422": "Certaines valeurs ne sont pas valides.",
    "error.429": "Trop de tentatives. Patientez un peu et recommencez.",
    "error.500": "Le serveur a échoué ; l’erreur est journalisée.",
    "error.503": "La base de données est indisponible. Réessayez dans quelques secondes.",
    "error.unavailable": "Ce n’est pas disponible sur ce serveur pour le moment.",
    "error.back": "Retour aux sites",
    "overview.title": "Sites",
    "overview.filters": "Filtrer les sites",
    "overview.search": "Site ou adresse",
    "overview.verdict": "Verdict",
    "overview.changed_only": "Changé depuis la dernière exécution",
    "overview.sort": "Trier par",
    "overview.apply": "Appliquer",
    "overview.count": "{shown} sites sur {total}",
    "overview.pages": "Pages de la liste",
    "overview.previous": "Page précédente",
    "overview.next_page": "Page suivante",
    "overview.page": "Page {page} sur {pages}",
    "overview.empty": "Aucun site n\u2019est audité pour l\u2019instant. Un éditeur en ajoute un "
    "dans « Gérer les audits » (ou : cookie-audit audit add URL).",
    "overview.site": "Site",
    "overview.runs": "Exécutions",
    "overview.findings": "Constats",
    "overview.trends": "Exécutions récentes",
    "overview.acceptance": "Tout accepté (30 jours)",
    "overview.changed": "changé",
    "overview.last": "dernière",
    "overview.next": "prochaine",
    "overview.paused": "en pause",
    "overview.no_findings": "aucun",
    "overview.spark_findings": "constats",
    "overview.spark_consent": "cookies soumis au consentement",
    "overview.no_banner": "pas de bandeau lié",
    "verdict.problems": "Problèmes trouvés",
    "verdict.attention": "À surveiller",
    "verdict.ok": "Aucun problème",
    "verdict.failed": "Exécution échouée",
    "verdict.never": "Pas encore exécuté",
    "sort.verdict": "verdict (le pire d\u2019abord)",
    "sort.name": "nom",
    "sort.last_run": "dernière exécution",
    "sort.next_run": "prochaine exécution",
    "sort.findings": "constats",
    "sort.acceptance": "acceptation",
    "site.every": "exécuté {every}",
    "site.consent_api": "enregistrements de consentement relus sur {url} (clé "
    "d\u2019administration lue depuis {ref})",
    "site.links": "Rapports et statistiques",
    "site.consent": "Statistiques de consentement",
    "site.report_html": "Rapport complet (HTML)",
    "site.report_pdf": "PDF",
    "site.report_csv": "Cookies (CSV)",
    "site.report_json": "Analyse (JSON)",
    "site.manage": "Modifier l\u2019audit",
    "site.timeline": "Exécutions dans le temps",
    "site.phase": "État du consentement",
    "site.cookies_chart": "Cookies par catégorie et par exécution : {phase}",
    "site.cookies_chart_desc": "Colonnes empilées, une par exécution réussie, de la plus ancienne "
    "à la plus récente : cookies de chaque catégorie dans l\u2019état choisi.",
    "site.findings_chart": "Constats par gravité et par exécution",
    "site.findings_chart_desc": "Colonnes empilées, une par exécution réussie, de la plus "
    "ancienne à la plus récente : constats de chaque gravité.",
    "site.no_runs": "Aucune exécution pour l\u2019instant.",
    "site.runs": "Exécutions",
    "site.compare": "Comparer",
    "site.compare_from": "Exécution la plus ancienne",
    "site.compare_to": "Exécution la plus récente",
    "site.run": "Exécution",
    "site.state": "État",
    "site.finished": "Quand (UTC)",
    "site.reports": "Rapports",
    "site.latest": "Dernière exécution : n° {number}, {date} UTC",
    "compare.title": "{name} : ce qui a changé de l\u2019exécution n° {old} à la n° {new}",
    "compare.between": "Entre {old} et {new} (UTC)",
    "state.queued": "en attente",
    "manage.add": "Ajouter un audit",
    "manage.schedule": "Planification",
    "manage.alerts": "Alertes",
    "manage.actions": "Actions",
    "manage.edit": "Modifier",
    "manage.run_now": "Exécuter maintenant",
    "manage.pause": "Suspendre",
    "manage.resume": "Reprendre",
    "manage.remove": "Supprimer",
    "manage.remove_confirm": "Supprimer l\u2019audit {name} ? Son historique est conservé.",
    "manage.min_severity_short": "à partir de {severity}",
    "manage.no_alerts": "aucun destinataire",
    "manage.edit_title": "Modifier l\u2019audit {name}",
    "manage.name": "Nom",
    "manage.name_hint": "Lettres, chiffres, « . », « _ » ou « - » (il nomme le site sur chaque "
    "page).",
    "manage.url": "Adresse de départ",
    "manage.every": "Planification",
    "manage.every_hint": "hourly, daily, weekly, monthly ou une expression cron (UTC).",
    "manage.max_pages": "Pages par état du consentement",
    "manage.phases": "États du consentement à visiter",
    "manage.lang": "Langue du rapport",
    "manage.consent_site": "Clé de site de l\u2019API de consentement (facultatif)",
    "manage.consent_site_hint": "Relie le site aux statistiques de consentement de son bandeau "
    "(pk_...).",
    "manage.consent_api": "API de consentement où relire les enregistrements (facultatif)",
    "manage.consent_api_hint": "L\u2019URL de l\u2019API de consentement à laquelle le bandeau "
    "du site envoie les choix : chaque exécution y relit les enregistrements des clics du "
    "bandeau et les compare aux clics.",
    "manage.consent_api_key": "Où est gardée une clé d\u2019administration du site dans cette API",
    "manage.consent_api_key_hint": "env:NOM ou file:CHEMIN sur les machines qui exécutent les "
    "audits, lu au début de chaque exécution ; jamais la clé elle-même. Les deux réglages "
    "ensemble ou aucun.",
    "manage.alert_targets": "Destinataires des alertes, un par ligne",
    "manage.alerts_hint": "webhook:https://... ou email:quelquun@example.com ; les secrets sont "
    "masqués et conservés s\u2019ils ne sont pas modifiés.",
    "manage.min_severity": "Alerter à partir de cette gravité",
    "manage.save": "Enregistrer",
    "manage.cancel": "Annuler",
    "manage.added": "Audit {name} ajouté : sa première exécution est due maintenant.",
    "manage.saved": "Audit {name} enregistré.",
    "manage.paused": "Audit {name} suspendu.",
    "manage.resumed": "Audit {name} repris.",
    "manage.queued": "Une exécution de {name} est en attente : le démon ou un worker la lance.",
    "manage.removed": "Audit {name} supprimé (son historique est conservé).",
    "state.running": "en cours",
    "state.succeeded": "réussie",
    "state.failed": "échouée",
    "state.cancelled": "annulée",
    "trigger.schedule": "planifiée",
    "trigger.manual": "lancée à la main",
    "consent.title": "Statistiques de consentement : {site}",
    "consent.intro": "Comment les visiteurs ont répondu au bandeau, compté dans le registre des "
    "consentements. Des comptes uniquement : aucune donnée de visiteur n\u2019est affichée. Jours "
    "en UTC.",
    "consent.range": "Période affichée",
    "consent.from": "Du",
    "consent.to": "Au",
    "consent.period": "Par",
    "consent.period.day": "Jour",
    "consent.period.week": "Semaine",
    "consent.show": "Afficher",
    "consent.impressions": "affichages du bandeau",
    "consent.records": "choix enregistrés",
    "consent.acceptance": "tout accepté",
    "consent.per_day": "Par jour",
    "consent.per_week": "Par semaine",
    "consent.chart_title": "Choix enregistrés par période, par action",
    "consent.chart_desc": "Colonnes empilées : tout accepter, tout refuser, personnalisé, GPC et "
    "retraits par période ; les mêmes nombres sont dans le tableau ci-dessous.",
    "consent.csv_day": "Télécharger par jour (CSV)",
    "consent.csv_week": "Télécharger par semaine (CSV)",
    "consent.csv": "Télécharger (CSV)",
    "consent.opt_in": "Taux d\u2019acceptation par catégorie",
    "consent.opt_in_intro": "Parmi les choix enregistrés qui comprennent une catégorie, combien "
    "l\u2019ont acceptée (tout refuser et GPC comptent comme refus, tout accepter comme "
    "consentement).",
    "consent.granted": "acceptée",
    "consent.denied": "refusée",
    "consent.opt_in_rate": "taux d\u2019acceptation",
    "consent.opt_in_of": "acceptation {category}",
    "consent.no_categories": "Le site n\u2019a aucune catégorie facultative.",
    "consent.split.banner_revision": "Par révision du bandeau",
    "consent.split.policy_version": "Par version de la politique",
    "consent.split.language": "Par langue",
    "consent.value.banner_revision": "Révision",
    "consent.value.policy_version": "Version de la politique",
    "consent.value.language": "Langue",
    "consent.unknown": "non indiquée",
    "consent.none": "Aucun choix enregistré sur cette période.",
    "action.accept_all": "tout accepter",
    "action.reject_all": "tout refuser",
    "action.custom": "personnalisé",
    "action.gpc": "GPC",
    "action.withdraw": "retiré",
}

CATALOGUES: dict[Lang, dict[str, str]] = {Lang.EN: EN, Lang.FR: FR}


class DashboardTranslator:
    """``t("key", n=3)``: the dashboard's catalogue first, then the reports' one."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self.reports = Translator(lang)
        self._messages = CATALOGUES[lang]

    def decimal(self, number: float) -> str:
        return self.reports.decimal(number)

    def percent(self, rate: float | None) -> str:
        if rate is None:
            return "–"
        text = f"{rate * 100:.1f}"
        return (text.replace(".", ",") + "\u00a0%") if self.lang == Lang.FR else text + "%"

    def __call__(self, key: str, **values: object) -> str:
        message = self._messages.get(key)
        if message is None:
            message = EN.get(key)
        if message is None:
            return self.reports(key, **values)
        return message.format(**values) if values else message


def current_lang() -> Lang:
    """The ``lang`` the visitor chose (session, then account), else the browser's, else the
    configured default."""
    chosen = session.get("lang")
    if chosen in {"en", "fr"}:
        return Lang(chosen)
    best = request.accept_languages.best_match(["en", "fr"]) if request else None
    if best:
        return Lang(best)
    return Lang(current_app.extensions["dashboard"].settings.default_lang)


def translator() -> DashboardTranslator:
    if "translator" not in g:
        g.translator = DashboardTranslator(current_lang())
    value = g.translator
    assert isinstance(value, DashboardTranslator)
    return value


def translate(key: str, **values: object) -> str:
    return translator()(key, **values)
