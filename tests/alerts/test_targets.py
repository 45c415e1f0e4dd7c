"""Alert targets: the text syntax, its one-line errors, round trips and redaction."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.alerts import (
    AlertTargetError,
    DeliveryError,
    EmailTarget,
    SecretRef,
    WebhookKind,
    WebhookTarget,
    parse_secret_ref,
    parse_target,
    parse_targets,
    redact_url,
)
from reports import Lang
from scanner.cli import main

SLACK = "https://hooks.slack.com/services/T0001/B0002/XXXXsecretTOKENxxxx"
TEAMS = "https://prod-12.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=SeCrEt"


def test_webhook_kinds_are_detected_from_the_host() -> None:
    slack = parse_target(f"webhook:{SLACK}")
    assert isinstance(slack, WebhookTarget)
    assert slack.resolve_kind(SLACK) is WebhookKind.SLACK
    teams = parse_target(f"webhook:{TEAMS}")
    assert isinstance(teams, WebhookTarget)
    assert teams.resolve_kind(TEAMS) is WebhookKind.TEAMS
    for url in (
        "https://contoso.webhook.office.com/webhookb2/x/IncomingWebhook/y/z",
        "https://default1.environment.api.powerplatform.com/powerautomate/automations/x",
    ):
        assert WebhookTarget(url=url).resolve_kind(url) is WebhookKind.TEAMS
    generic = "https://tickets.example.com/hooks/cookies"
    assert WebhookTarget(url=generic).resolve_kind(generic) is WebhookKind.GENERIC


def test_options_kind_secret_lang() -> None:
    target = parse_target(
        "webhook:https://chat.example.com/hooks/abc kind=slack secret=env:HOOK_SECRET lang=fr"
    )
    assert target == WebhookTarget(
        url="https://chat.example.com/hooks/abc",
        kind=WebhookKind.SLACK,
        secret=SecretRef("env", "HOOK_SECRET"),
        lang=Lang.FR,
    )
    by_ref = parse_target("webhook:env:SLACK_URL secret=file:/run/secrets/hook")
    assert by_ref == WebhookTarget(
        url_ref=SecretRef("env", "SLACK_URL"), secret=SecretRef("file", "/run/secrets/hook")
    )
    assert parse_target("email:dpo@example.com lang=fr") == EmailTarget("dpo@example.com", Lang.FR)
    assert parse_target("EMAIL:dpo@example.com") == EmailTarget("dpo@example.com")


def test_a_kind_equal_to_the_detected_one_is_the_same_target() -> None:
    assert parse_target(f"webhook:{SLACK} kind=slack") == parse_target(f"webhook:{SLACK}")
    assert parse_target(f"webhook:{SLACK} kind=slack").spec() == f"webhook:{SLACK}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "alert target is empty"),
        ("slack:https://x.example", "must start with webhook: or email:"),
        ("https://x.example", "must start with webhook: or email:"),
        ("webhook:", "nothing after 'webhook:'"),
        ("webhook:ftp://x.example/", "expected an http:// or https:// URL"),
        ("webhook:https:///nohost", "expected an http:// or https:// URL"),
        ("webhook:https://x.example:99999/", "malformed URL"),
        ("webhook:https://user:pw@x.example/", "credentials in the URL"),
        ("webhook:https://x.example/#frag", "no #fragment"),
        ("webhook:https://x.example/ kind=discord", "kind must be one of generic, slack, teams"),
        ("webhook:https://x.example/ secret=hunter2", "expected env:NAME or file:PATH"),
        ("webhook:https://x.example/ secret=env:1BAD", "takes the name of an environment"),
        ("webhook:https://x.example/ colour=red", "unknown option (expected key=value with a"),
        ("webhook:https://x.example/ lang=de", "lang must be one of en, fr"),
        ("webhook:https://x.example/ lang", "expected options as key=value"),
        ("webhook:https://x.example/ lang=fr lang=en", "option 'lang' given twice"),
        ("webhook:env:not-a-name", "takes the name of an environment variable"),
        ("email:not-an-address", "is not an e-mail address"),
        ("email:a@b.example secret=env:X", "a key among lang"),
        ("email:<a@b.example>", "is not an e-mail address"),
    ],
)
def test_bad_targets_say_what_is_wrong_in_one_line(text: str, message: str) -> None:
    with pytest.raises(AlertTargetError) as info:
        parse_target(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_errors_never_repeat_a_token_in_the_url() -> None:
    for bad in (f"webhook:{SLACK}#x", f"webhook:{SLACK} kind=nope", f"webhook:{SLACK} secret=raw"):
        with pytest.raises(AlertTargetError) as info:
            parse_target(bad)
        assert "XXXXsecretTOKENxxxx" not in str(info.value)


PASTED = "whsec_MfKQ9r8GKYqrTwJg0vEXAMPLE9Kx/s+Ab=="  # a signing secret, base64 with '='


@pytest.mark.parametrize(
    "bad",
    [
        f"webhook:https://x.example/ secret=env:{PASTED}",  # the secret where its name goes
        f"webhook:env:{PASTED}",
        f"webhook:https://x.example/ {PASTED}",  # a word with '=' in it: not an option
        f"webhook:https://x.example/ secret={PASTED}",
    ],
)
def test_errors_never_repeat_a_secret_pasted_for_a_reference(bad: str) -> None:
    with pytest.raises(AlertTargetError) as info:
        parse_target(bad)
    assert "MfKQ9r8GKYqrTwJg0v" not in str(info.value)
    assert "env:" in str(info.value) or "key=value" in str(info.value)  # says what is expected
    with pytest.raises(AlertTargetError) as ref:
        parse_secret_ref(f"env:{PASTED}", "consent_api_key")
    assert "MfKQ9r8GKYqrTwJg0v" not in str(ref.value)


def test_redaction_hides_path_and_query_but_tells_targets_apart() -> None:
    target = parse_target(f"webhook:{SLACK} secret=env:HOOK")
    shown = [str(target), repr(target), target.redacted(), f"{target}"]
    for text in shown:
        assert "XXXXsecretTOKENxxxx" not in text
        assert "T0001" not in text
        assert "hooks.slack.com" in text
    assert "secret=env:HOOK" in target.redacted()  # a reference is not a secret
    assert redact_url(SLACK) != redact_url(SLACK.replace("XXXX", "YYYY"))
    assert "SeCrEt" not in redact_url(TEAMS)
    assert redact_url("http://127.0.0.1:8123/hook").startswith("http://127.0.0.1:8123/")
    assert str(parse_target("webhook:env:SLACK_URL")) == "webhook:env:SLACK_URL"


_words = st.sampled_from(["", " kind=generic", " kind=slack", " kind=teams"])
_secrets = st.sampled_from(["", " secret=env:HOOK_SECRET", " secret=file:/run/secrets/s"])
_langs = st.sampled_from(["", " lang=en", " lang=fr"])
_urls = st.sampled_from(
    [SLACK, TEAMS, "https://example.com/hook?a=1&b=2", "http://127.0.0.1:9000/x", "env:HOOK_URL"]
)


@given(_urls, _words, _secrets, _langs)
def test_spec_round_trips(url: str, kind: str, secret: str, lang: str) -> None:
    target = parse_target(f"webhook:{url}{kind}{secret}{lang}")
    assert parse_target(target.spec()) == target
    assert parse_target(target.spec()).spec() == target.spec()


def test_parse_targets_is_all_or_nothing_and_drops_duplicates() -> None:
    targets = parse_targets(["email:a@example.com", "email:a@example.com", f"webhook:{SLACK}"])
    assert len(targets) == 2
    with pytest.raises(AlertTargetError):
        parse_targets(["email:a@example.com", "webhook:nope"])


def test_secret_refs_resolve_at_delivery(tmp_path: Path) -> None:
    assert SecretRef("env", "HOOK").resolve({"HOOK": "s3cret"}) == "s3cret"
    with pytest.raises(DeliveryError, match="environment variable HOOK is not set") as info:
        SecretRef("env", "HOOK").resolve({})
    assert not info.value.retryable
    path = tmp_path / "secret"
    path.write_text("from-a-file\n")
    assert SecretRef("file", str(path)).resolve() == "from-a-file"
    with pytest.raises(DeliveryError, match="secret file"):
        SecretRef("file", str(tmp_path / "missing")).resolve()
    target = parse_target("webhook:env:HOOK_URL")
    assert isinstance(target, WebhookTarget)
    assert target.resolve_url({"HOOK_URL": SLACK}) == SLACK
    with pytest.raises(DeliveryError, match="expected an http"):
        target.resolve_url({"HOOK_URL": "notaurl"})


def test_cli_maps_a_bad_target_to_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """The error type is the scanner's UsageError: any command that parses targets exits 2."""
    import click

    from scanner import cli

    @click.command()
    @click.option("--alert", multiple=True)
    def probe(alert: tuple[str, ...]) -> None:
        parse_targets(list(alert))

    cli.COMMANDS["alert-probe"] = ("tests.alerts.test_targets:_PROBE", "")
    globals()["_PROBE"] = probe
    try:
        assert main(["alert-probe", "--alert", "webhook:ftp://x"]) == 2
    finally:
        del cli.COMMANDS["alert-probe"]
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0
    assert "expected an http:// or https:// URL" in err
