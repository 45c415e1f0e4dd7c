"""The Alert record built from a real diff, its severity rules, and the typed settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.alerts import (
    Alert,
    AlertSettingsError,
    RunOutcome,
    build_alert,
    load_alert_settings,
)
from reports import Lang, compare
from scanner.model import Severity
from tests.reports.sample_scans import before_after


def test_alert_from_a_real_diff() -> None:
    old, new = before_after()
    diff = compare(old, new)
    alert = build_alert(
        audit="shop",
        site_url=new.target,
        run_id=2,
        previous_run_id=1,
        state=RunOutcome.SUCCEEDED,
        diff=diff,
        report_url="https://audit.example/runs/2",
    )
    assert alert is not None
    assert alert.findings_new or alert.cookies_added or alert.hosts_added
    assert {c.name for c in alert.cookies_added} == {c.name for c in diff.cookies_added}
    assert alert.hosts_added == diff.hosts_added
    worst = max((f.severity for f in diff.findings_new), key=lambda s: s.rank, default=None)
    if worst is not None:
        assert alert.severity.rank >= worst.rank
    # the generic webhook payload is this document; it survives a JSON round trip
    assert Alert.model_validate_json(alert.model_dump_json()) == alert


def test_nothing_to_say_when_nothing_changed() -> None:
    old, _ = before_after()
    same = compare(old, old)
    assert (
        build_alert(
            audit="a", site_url="https://x", run_id=1, state=RunOutcome.SUCCEEDED, diff=same
        )
        is None
    )
    assert (
        build_alert(
            audit="a", site_url="https://x", run_id=1, state=RunOutcome.SUCCEEDED, diff=None
        )
        is None
    )


def test_min_severity_filters_changes_but_never_a_failed_run() -> None:
    old, new = before_after()
    diff = compare(old, new)
    high_only = build_alert(
        audit="a",
        site_url="https://x",
        run_id=2,
        state=RunOutcome.SUCCEEDED,
        diff=diff,
        min_severity=Severity.CRITICAL,
    )
    if high_only is not None:
        assert all(f.severity is Severity.CRITICAL for f in high_only.findings_new)
    failed = build_alert(
        audit="a",
        site_url="https://x",
        run_id=3,
        state=RunOutcome.FAILED,
        reason="dns: host name not found",
        min_severity=Severity.CRITICAL,
    )
    assert failed is not None and failed.severity is Severity.HIGH and failed.run_failed
    partial = build_alert(audit="a", site_url="https://x", run_id=3, state=RunOutcome.PARTIAL)
    assert partial is not None and partial.severity is Severity.MEDIUM
    broken_reject = build_alert(
        audit="a",
        site_url="https://x",
        run_id=4,
        state=RunOutcome.SUCCEEDED,
        reject_now_failing=True,
        diff=compare(old, old),
    )
    assert broken_reject is not None and broken_reject.severity is Severity.HIGH
    resolved_only = build_alert(
        audit="a",
        site_url="https://x",
        run_id=5,
        state=RunOutcome.SUCCEEDED,
        diff=compare(new, old),
        min_severity=Severity.INFO,
    )
    assert resolved_only is not None


def test_settings_defaults_and_env() -> None:
    s = load_alert_settings({})
    assert s.smtp_host is None and s.smtp_port == 587 and s.smtp_starttls and not s.smtp_ssl
    assert s.retries == 3 and s.lang is Lang.EN and not s.allow_private
    s = load_alert_settings(
        {
            "COOKIE_AUDIT_SMTP_HOST": "mail.example.com",
            "COOKIE_AUDIT_SMTP_SSL": "true",
            "COOKIE_AUDIT_SMTP_USER": "audit",
            "COOKIE_AUDIT_SMTP_PASSWORD": "pa55word-xyz",
            "COOKIE_AUDIT_SMTP_FROM": "audit@example.com",
            "COOKIE_AUDIT_PUBLIC_URL": "https://audit.example.com/",
            "COOKIE_AUDIT_ALERT_LANG": "FR",
            "COOKIE_AUDIT_WEBHOOK_SECRET": "whsec_c2VjcmV0",
        }
    )
    assert s.smtp_port == 465 and s.smtp_ssl and not s.smtp_starttls
    assert s.smtp_password is not None and s.smtp_password.get_secret_value() == "pa55word-xyz"
    assert s.link("/audits/shop/runs/2") == "https://audit.example.com/audits/shop/runs/2"
    assert s.lang is Lang.FR
    assert "pa55word-xyz" not in repr(s) and "pa55word-xyz" not in str(s)
    assert "c2VjcmV0" not in repr(s)


def test_secrets_from_files(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("from-file\n")
    s = load_alert_settings(
        {"COOKIE_AUDIT_SMTP_USER": "u", "COOKIE_AUDIT_SMTP_PASSWORD_FILE": str(secret)}
    )
    assert s.smtp_password is not None
    assert s.smtp_password.get_secret_value() == "from-file"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"COOKIE_AUDIT_SMTP_PORT": "smtp"}, "COOKIE_AUDIT_SMTP_PORT: expected an integer"),
        ({"COOKIE_AUDIT_SMTP_PORT": "70000"}, "expected a port 1-65535"),
        ({"COOKIE_AUDIT_SMTP_SSL": "yes", "COOKIE_AUDIT_SMTP_STARTTLS": "yes"}, "choose one"),
        ({"COOKIE_AUDIT_SMTP_STARTTLS": "maybe"}, "expected true or false"),
        ({"COOKIE_AUDIT_SMTP_PASSWORD": "topsecret-1"}, "set both for AUTH"),
        ({"COOKIE_AUDIT_SMTP_USER": "u"}, "set both for AUTH"),
        (
            {
                "COOKIE_AUDIT_SMTP_PASSWORD": "topsecret-1",
                "COOKIE_AUDIT_SMTP_PASSWORD_FILE": "/x",
                "COOKIE_AUDIT_SMTP_USER": "u",
            },
            "set only one",
        ),
        ({"COOKIE_AUDIT_SMTP_PASSWORD_FILE": "/nonexistent/pw"}, "cannot read"),
        ({"COOKIE_AUDIT_SMTP_FROM": "nobody"}, "expected an e-mail address"),
        ({"COOKIE_AUDIT_SMTP_CA_FILE": "/nonexistent.pem"}, "no such file"),
        ({"COOKIE_AUDIT_WEBHOOK_TIMEOUT": "0"}, "expected a number >= 0.1"),
        ({"COOKIE_AUDIT_WEBHOOK_TIMEOUT": "nan"}, "expected a number"),
        ({"COOKIE_AUDIT_ALERT_RETRIES": "-1"}, "expected an integer >= 0"),
        ({"COOKIE_AUDIT_PUBLIC_URL": "audit.example.com"}, "expected an http(s) URL"),
        ({"COOKIE_AUDIT_ALERT_LANG": "de"}, "expected en or fr"),
        ({"COOKIE_AUDIT_ALERT_ALLOW_PRIVATE": "2"}, "expected true or false"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(AlertSettingsError) as info:
        load_alert_settings(env)
    assert message in str(info.value)
    assert "topsecret-1" not in str(info.value)
