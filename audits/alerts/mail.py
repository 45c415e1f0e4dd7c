"""E-mail delivery: a multipart message (plain text and HTML) sent over SMTP with STARTTLS or
implicit TLS and AUTH from the settings.

The HTML part is rendered by Jinja2 with autoescape: what a scanned site controls (cookie
names, hosts) is text, never markup. Header values pass through `present.one_line`, so no
site can add a header. The Message-ID derives from the alert's id: a retry after a lost
answer is the same message to the receiving server.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from audits.alerts.errors import DeliveryError
from audits.alerts.messages import AlertTranslator
from audits.alerts.model import Alert
from audits.alerts.present import AlertView, present
from audits.alerts.settings import AlertSettings
from audits.alerts.targets import EmailTarget
from scanner.model import Severity

_SEVERITY_COLOURS = {
    Severity.CRITICAL: "#8c1d18",
    Severity.HIGH: "#b3261e",
    Severity.MEDIUM: "#935800",
    Severity.LOW: "#3b6a99",
    Severity.INFO: "#2f6f3e",
}
_TONES = {"bad": "#b3261e", "good": "#2f6f3e", "neutral": "#4a4a4a"}


@cache
def _environment() -> Environment:
    """Autoescape for the HTML template (`.html.j2`); the text part is plain text."""
    return Environment(
        loader=PackageLoader("audits.alerts", "templates"),
        autoescape=select_autoescape(["html.j2"], default_for_string=True, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_bodies(alert: Alert, view: AlertView) -> tuple[str, str]:
    """(text, html) of the e-mail."""
    context = {
        "alert": alert,
        "view": view,
        "t": AlertTranslator(view.lang),
        "colour": _SEVERITY_COLOURS[alert.severity],
        "tones": _TONES,
    }
    text = _environment().get_template("alert.txt.j2").render(context)
    html = _environment().get_template("alert.html.j2").render(context)
    return text, html


def build_message(alert: Alert, target: EmailTarget, settings: AlertSettings) -> EmailMessage:
    if not settings.smtp_from:
        raise DeliveryError("e-mail alerts need COOKIE_AUDIT_SMTP_FROM", retryable=False)
    view = present(alert, target.lang or settings.lang, limit=50)
    text, html = render_bodies(alert, view)
    message = EmailMessage(policy=SMTP)
    message["Subject"] = view.subject
    message["From"] = settings.smtp_from
    message["To"] = target.address
    message["Date"] = format_datetime(datetime.now(UTC))
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "cookie-audit.invalid"
    recipient = hashlib.sha256(target.address.encode()).hexdigest()[:8]
    message["Message-ID"] = f"<{alert.id}.{recipient}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send_email(alert: Alert, target: EmailTarget, settings: AlertSettings) -> None:
    """One attempt; raises `DeliveryError`, retryable for 4xx answers and network trouble."""
    if not settings.smtp_host:
        raise DeliveryError("e-mail alerts need COOKIE_AUDIT_SMTP_HOST", retryable=False)
    message = build_message(alert, target, settings)
    where = f"SMTP {settings.smtp_host}:{settings.smtp_port}"
    context = ssl.create_default_context(cafile=settings.smtp_ca_file)
    try:
        smtp: smtplib.SMTP
        if settings.smtp_ssl:
            smtp = smtplib.SMTP_SSL(
                settings.smtp_host,
                settings.smtp_port,
                timeout=settings.smtp_timeout,
                context=context,
            )
        else:
            smtp = smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
            )
        with smtp:
            smtp.ehlo()
            if settings.smtp_starttls:
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(
                        f"{where}: the server does not offer STARTTLS (set "
                        "COOKIE_AUDIT_SMTP_STARTTLS=false only for a relay on a trusted network)",
                        retryable=False,
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.smtp_user is not None and settings.smtp_password is not None:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    except DeliveryError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{where}: authentication refused ({exc.smtp_code})", retryable=False
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(f"{where}: the server does not support AUTH", retryable=False) from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise DeliveryError(
            f"{where}: recipient refused ({', '.join(map(str, codes))})",
            retryable=all(400 <= c < 500 for c in codes),
        ) from None
    except smtplib.SMTPResponseException as exc:
        reply = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        raise DeliveryError(
            f"{where}: answered {exc.smtp_code} {reply[:120]}".strip(),
            retryable=400 <= exc.smtp_code < 500,
        ) from None
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(
            f"{where}: certificate not trusted ({exc.verify_message}; see "
            "COOKIE_AUDIT_SMTP_CA_FILE)",
            retryable=False,
        ) from None
    except TimeoutError:
        raise DeliveryError(
            f"{where}: no answer within {settings.smtp_timeout:g} s", retryable=True
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(
            f"{where}: connection failed ({type(exc).__name__})", retryable=True
        ) from None
