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
    "error.back": "Back to the sites",
    "overview.title": "Sites",
}

FR: dict[str, str] = {
    "skip": "Aller au contenu",
    "nav.overview": "Sites",
    "nav.manage": "Gérer les audits",
    "nav.account": "Mon compte",
    "nav.logout": "Se déconnecter",
    "nav.main": "Principal",
    "nav.lang": "Langue",
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
    "error.back": "Retour aux sites",
    "overview.title": "Sites",
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
