"""`cookie-audit sites ...` and `cookie-audit consents ...` through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from consent_api.cli import consents, sites
from scanner.cli import main
from tests.consent_api.conftest import make_app


def test_sites_add_list_key_and_consents_export(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    added = runner.invoke(
        sites,
        [
            "add",
            "Shop",
            "--origin",
            "https://www.shop.test",
            "--ip-policy",
            "truncated",
            "--db",
            url,
        ],
    )
    assert added.exit_code == 0, added.output
    site_key = added.output.split("site_key:")[1].split()[0]
    admin_key = added.output.split("admin_key:")[1].split()[0]
    assert admin_key.startswith("ca_") and "shown once" in added.output
    listed = runner.invoke(sites, ["list", "--db", url])
    assert site_key in listed.output and "https://www.shop.test" in listed.output
    key = runner.invoke(sites, ["key", "--db", url]).output.strip()
    assert key.startswith("ca_")

    app = make_app(url)
    client = app.test_client()
    body = {
        "consent_id": "3f1c9c3e-8d43-4c55-9a3b-6d1c2a0b9e11",
        "choices": {},
        "action": "reject_all",
        "policy_version": "1",
        "banner_revision": 1,
    }
    origin = {"Origin": "https://www.shop.test"}
    response = client.post(f"/v1/sites/{site_key}/consents", json=body, headers=origin)
    assert response.status_code == 201
    assert (
        client.get(
            f"/v1/admin/sites/{site_key}", headers={"Authorization": f"Bearer {key}"}
        ).status_code
        == 200
    )
    app.extensions["consent_api"].close()

    exported = runner.invoke(consents, ["export", site_key, "--db", url])
    assert exported.exit_code == 0, exported.output
    record = json.loads(exported.output.splitlines()[0])
    assert record["action"] == "reject_all" and record["ip"] == "127.0.0.0/24"
    csv_out = runner.invoke(consents, ["export", site_key, "--format", "csv", "--db", url])
    assert csv_out.output.startswith("seq,recorded_at,")
    assert runner.invoke(consents, ["verify", site_key, "--db", url]).exit_code == 0
    purge = runner.invoke(consents, ["purge", site_key, "--db", url])
    assert "deleted 0 record(s)" in purge.output


def test_errors_are_one_line_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    assert main(["consents", "verify", "pk_missing", "--db", url]) == 2
    assert "No site is registered" in capsys.readouterr().err
    assert main(["sites", "add", "X", "--origin", "ftp://x", "--db", url]) == 2
    assert main(["consents", "migrate", "--db", "mysql://nope"]) == 2
    assert main(["consents", "migrate", "--db", url]) == 0


def test_serve_help_documents_gunicorn() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scanner.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "gunicorn" in result.stdout and "--port" in result.stdout


@pytest.mark.parametrize("name", ["a%b.db", "it's.db", "50%' off/x%%y.db"])
def test_every_command_works_on_a_database_path_with_percent_and_quote(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A '%' or "'" in the path used to crash every command with a ValueError from the Alembic
    configuration's interpolation; the signing key's path gets both characters too."""
    path = tmp_path / name
    url = f"sqlite:///{path}"
    monkeypatch.setenv("COOKIE_AUDIT_SIGNING_KEY_FILE", str(path.parent / "key%'s.pem"))

    def run(*args: str) -> str:
        code = main([*args, "--db", url]) if args[0] != "consents-file" else main(list(args[1:]))
        out, err = capsys.readouterr()
        assert code == 0, (args, out, err)
        assert "Traceback" not in err
        return out

    run("consents", "migrate")
    added = run("sites", "add", "Shop", "--origin", "https://www.shop.test")
    site_key = added.split("site_key:")[1].split()[0]
    assert run("sites", "key").startswith("ca_")
    assert run("sites", "key", "--site", site_key).startswith("ca_")
    assert run("sites", "server-key", site_key).startswith("ss_")
    assert site_key in run("sites", "list")
    app = make_app(url)
    for action in ("accept_all", "reject_all"):
        body = {
            "consent_id": str(uuid.uuid4()),
            "choices": {},
            "action": action,
            "policy_version": "1",
            "banner_revision": 1,
        }
        response = app.test_client().post(
            f"/v1/sites/{site_key}/consents", json=body, headers={"Origin": "https://www.shop.test"}
        )
        assert response.status_code == 201, response.get_json()
    app.extensions["consent_api"].close()
    assert run("consents", "verify", site_key).startswith("ok: site")
    assert json.loads(run("consents", "checkpoint", site_key))["seq"] == 2
    checkpoints = tmp_path / "my%'checkpoints.jsonl"
    checkpoints.write_text(run("consents", "checkpoints", site_key))
    assert run("consents", "export", site_key).count("\n") == 2
    assert run("consents", "export", site_key, "--format", "csv").count("\n") == 3
    ledger = tmp_path / "ledger%'.jsonl"
    ledger.write_text(run("consents", "export", site_key, "--format", "ledger"))
    verified = run(
        "consents-file", "consents", "verify-export", str(ledger), "--checkpoint", str(checkpoints)
    )
    assert verified.startswith("ok: site") and "2 records" in verified
    assert "deleted 0 record(s)" in run("consents", "purge", site_key)
    assert main(["consents", "verify", "pk_none", "--db", url]) == 2
    assert "No site is registered" in capsys.readouterr().err
