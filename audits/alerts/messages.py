"""The words of alerts in English and French; the words reports already have (severities,
categories, "what changed" headings) come from `reports.i18n`, so an alert and the report it
links to say the same thing the same way."""

from __future__ import annotations

from reports.i18n import Lang, Translator

EN: dict[str, str] = {
    "subject.changed": "[cookie-audit] {audit}: {severity} \u2014 what changed on {site}",
    "subject.resolved": "[cookie-audit] {audit}: findings resolved on {site}",
    "subject.failed": "[cookie-audit] {audit}: the audit of {site} failed",
    "subject.timed_out": "[cookie-audit] {audit}: the audit of {site} timed out",
    "subject.partial": "[cookie-audit] {audit}: the audit of {site} is incomplete",
    "headline.changed": "What changed on {site}",
    "headline.failed": "The audit of {site} failed",
    "headline.timed_out": "The audit of {site} timed out",
    "headline.partial": "The audit of {site} is incomplete",
    "state": "Run",
    "state.succeeded": "succeeded",
    "state.partial": "incomplete",
    "state.failed": "failed",
    "state.timed_out": "timed out",
    "audit": "Audit",
    "site": "Site",
    "run": "Run",
    "run_of": "run {run}, compared with run {previous}",
    "run_first": "run {run}",
    "reason": "Reason",
    "alert_severity": "Severity",
    "reject_now_failing": "\u201cReject all\u201d worked in the previous run and fails now: "
    "visitors can no longer refuse cookies.",
    "open_report": "Open the report",
    "open_diff": "See what changed",
    "cli_hint": "See the report with: {command}",
    "no_changes": "Nothing changed since the previous run.",
    "more": "\u2026 and {n} more",
    "test_prefix": "TEST \u2014 ",
    "footer": "Sent by cookie-audit because the audit \u201c{audit}\u201d alerts this address "
    "when something changes or a run fails. Alert {id}.",
}

FR: dict[str, str] = {
    "subject.changed": "[cookie-audit] {audit} : {severity} \u2014 ce qui a changé sur {site}",
    "subject.resolved": "[cookie-audit] {audit} : constats résolus sur {site}",
    "subject.failed": "[cookie-audit] {audit} : l\u2019audit de {site} a échoué",
    "subject.timed_out": "[cookie-audit] {audit} : l\u2019audit de {site} a dépassé son délai",
    "subject.partial": "[cookie-audit] {audit} : l\u2019audit de {site} est incomplet",
    "headline.changed": "Ce qui a changé sur {site}",
    "headline.failed": "L\u2019audit de {site} a échoué",
    "headline.timed_out": "L\u2019audit de {site} a dépassé son délai",
    "headline.partial": "L\u2019audit de {site} est incomplet",
    "state": "Exécution",
    "state.succeeded": "réussie",
    "state.partial": "incomplète",
    "state.failed": "échouée",
    "state.timed_out": "délai dépassé",
    "audit": "Audit",
    "site": "Site",
    "run": "Exécution",
    "run_of": "exécution {run}, comparée à l\u2019exécution {previous}",
    "run_first": "exécution {run}",
    "reason": "Raison",
    "alert_severity": "Gravité",
    "reject_now_failing": "« Tout refuser » fonctionnait lors de l\u2019exécution précédente et "
    "échoue maintenant : les visiteurs ne peuvent plus refuser les cookies.",
    "open_report": "Ouvrir le rapport",
    "open_diff": "Voir les changements",
    "cli_hint": "Voir le rapport avec : {command}",
    "no_changes": "Rien n\u2019a changé depuis l\u2019exécution précédente.",
    "more": "\u2026 et {n} autres",
    "test_prefix": "TEST \u2014 ",
    "footer": "Envoyé par cookie-audit car l\u2019audit « {audit} » alerte cette adresse quand "
    "quelque chose change ou qu\u2019une exécution échoue. Alerte {id}.",
}

CATALOGUES: dict[Lang, dict[str, str]] = {Lang.EN: EN, Lang.FR: FR}


class AlertTranslator:
    """`t("key", n=3)`: the alert's own words first, then the reports' catalogue."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self._messages = CATALOGUES[lang]
        self._reports = Translator(lang)

    def __call__(self, key: str, **values: object) -> str:
        message = self._messages.get(key)
        if message is not None:
            return message.format(**values) if values else message
        try:
            return self._reports(key, **values)
        except KeyError:  # a category or severity word no catalogue knows: show it as it is
            return key.partition(".")[2] or key
