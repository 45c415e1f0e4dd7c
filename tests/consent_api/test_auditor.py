"""The outside auditor: an export verified without our database or our code (verifier.py copied
alone, run by a fresh interpreter), against the auditor's own copy of signed checkpoints.
Receipts and checkpoints are evidence a visitor or the company holds."""

from __future__ import annotations

import ast
import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from consent_api import chain
from consent_api.cli import consents
from consent_api.verifier import (
    key_id_of,
    record_hash,
    signature_ok,
    statement,
)
from tests.consent_api.conftest import Api
from tests.consent_api.test_ledger import _checkpoint, _fill, _later

VERIFIER = Path(chain.__file__).with_name("verifier.py")


@pytest.fixture
def standalone(tmp_path: Path) -> Path:
    """verifier.py alone in an empty folder: nothing of the product beside it."""
    folder = tmp_path / "auditor"
    folder.mkdir()
    return Path(shutil.copy(VERIFIER, folder / "verifier.py"))


#: What the auditor's machine does not have: our code, a database, a database driver.
ABSENT = ("consent_api", "database", "scanner", "sqlalchemy", "psycopg", "sqlite3", "flask")

RUN = """
import runpy, sys
for name in {absent!r}:
    sys.modules[name] = None  # any import of it raises ImportError
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_verifier(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A separate process in isolated mode (-I: neither the checkout nor PYTHONPATH), with no
    database setting in its environment and the product and every database module made
    unimportable: what it verifies, it verifies from the files alone."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COOKIE_AUDIT")}
    return subprocess.run(
        [sys.executable, "-I", "-c", RUN.format(absent=ABSENT), str(script), *args],
        capture_output=True,
        text=True,
        cwd=script.parent,
        env=environment,
        check=False,
    )


def test_the_verifier_imports_only_the_standard_library_and_cryptography() -> None:
    tree = ast.parse(VERIFIER.read_text())
    imported = {
        ((node.module or "") if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported - sys.stdlib_module_names == {"cryptography"}


def _export(api: Api, path: Path) -> list[dict[str, Any]]:
    response = api.admin("GET", f"/sites/{api.site_key}/export?format=ledger")
    assert response.status_code == 200
    path.write_text(response.get_data(as_text=True))
    return [json.loads(line) for line in path.read_text().splitlines()]


def _write(path: Path, lines: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_auditor_verifies_an_export_alone_and_names_tampering(
    api: Api, tmp_path: Path, standalone: Path
) -> None:
    _fill(api, 6)
    state = api.state
    chain.purge(api.engine, api.site_key, state.key, state.trusted_keys, now=_later(api, 2))
    _fill(api, 3)
    checkpoint = _checkpoint(api)
    own = tmp_path / "my-checkpoints.jsonl"  # the auditor's own copy, kept at their office
    own.write_text(api.admin("GET", f"/sites/{api.site_key}/checkpoints").get_data(as_text=True))
    assert json.loads(own.read_text().splitlines()[-1]) == checkpoint

    export = tmp_path / "ledger.jsonl"
    lines = _export(api, export)
    kinds = [line["kind"] for line in lines]
    assert kinds[0] == "header" and "purge" in kinds and "checkpoint" in kinds
    header = lines[0]
    assert header["site_key"] == api.site_key and header["head"]["seq"] == checkpoint["seq"]

    ok = run_verifier(standalone, str(export), "--checkpoint", str(own))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("ok: site") and "1 purges" in ok.stdout

    # an edited record
    edited = [dict(x) for x in lines]
    record = next(x for x in edited if x["kind"] == "record" and x["seq"] == 8)
    record["action"] = "reject_all"
    _write(tmp_path / "edited.jsonl", edited)
    result = run_verifier(standalone, str(tmp_path / "edited.jsonl"), "--checkpoint", str(own))
    assert result.returncode == 1 and "entry 8 [altered]" in result.stdout

    # a deleted record
    deleted = [x for x in lines if not (x["kind"] == "record" and x["seq"] == 9)]
    _write(tmp_path / "deleted.jsonl", deleted)
    result = run_verifier(standalone, str(tmp_path / "deleted.jsonl"))
    assert result.returncode == 1 and "entry 9 [missing]" in result.stdout

    # a deleted tail, the export's header rewritten to match: the auditor's checkpoint knows
    cut = [x for x in lines if not (x["kind"] == "record" and x["seq"] >= 9)]
    cut = [x for x in cut if x["kind"] != "checkpoint"]
    cut[0] = dict(
        cut[0], head={"seq": 8, "hash": next(x for x in cut if x.get("seq") == 8)["hash"]}
    )
    _write(tmp_path / "cut.jsonl", cut)
    assert run_verifier(standalone, str(tmp_path / "cut.jsonl")).returncode == 0
    result = run_verifier(standalone, str(tmp_path / "cut.jsonl"), "--checkpoint", str(own))
    assert result.returncode == 1 and "[tail_deleted]" in result.stdout

    # not an export at all: exit 2 with one line
    (tmp_path / "junk.jsonl").write_text("hello\n")
    result = run_verifier(standalone, str(tmp_path / "junk.jsonl"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_a_forged_export_signed_with_another_key_fails_against_the_pinned_key(
    api: Api, tmp_path: Path, standalone: Path
) -> None:
    """The attacker rewrites the whole export and signs it with a key of their own: the
    auditor who pinned the ledger's public key (from /v1/ledger/keys) is not fooled."""
    _fill(api, 3)
    _checkpoint(api)
    lines = _export(api, tmp_path / "ledger.jsonl")
    site_id = lines[0]["site_id"]
    forger = Ed25519PrivateKey.generate()
    public = base64.b64encode(forger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    key_id = key_id_of(public.decode())
    forged, previous = [], "0" * 64
    for line in lines:
        line = dict(line)
        if line["kind"] == "record":
            if line["seq"] == 2:
                line["action"], line["choices"] = (
                    "reject_all",
                    {k: k == "necessary" for k in line["choices"]},
                )
            line["prev_hash"] = previous
            line["hash"] = record_hash(line, api.site_key, site_id)
            previous = line["hash"]
        forged.append(line)
    head = {"seq": 3, "hash": previous}
    message = statement(
        "checkpoint", api.site_key, 3, previous, "2026-01-01T00:00:00.000000Z", key_id
    )
    forged = [
        dict(forged[0], head=head, public_keys=[{"key_id": key_id, "public_key": public.decode()}]),
        {
            "kind": "checkpoint",
            "site": api.site_key,
            "seq": 3,
            "hash": previous,
            "signed_at": "2026-01-01T00:00:00.000000Z",
            "key_id": key_id,
            "public_key": public.decode(),
            "signature": base64.b64encode(forger.sign(message)).decode(),
        },
        *[x for x in forged[1:] if x["kind"] == "record"],
    ]
    _write(tmp_path / "forged.jsonl", forged)
    naive = run_verifier(standalone, str(tmp_path / "forged.jsonl"))
    assert naive.returncode == 0 and "no key pinned" in naive.stdout  # says what it could not check
    keys = api.client.get("/v1/ledger/keys").get_json()["keys"]
    pinned = run_verifier(
        standalone, str(tmp_path / "forged.jsonl"), "--public-key", keys[0]["public_key"]
    )
    assert pinned.returncode == 1 and "[bad_checkpoint]" in pinned.stdout


def test_receipt_carries_the_hash_and_a_checkpoint_a_visitor_can_check(api: Api) -> None:
    _fill(api, 2)
    signed = _checkpoint(api)
    receipt = api.post(api.body()).get_json()
    checkpoint = receipt["checkpoint"]
    assert checkpoint == signed
    message = statement(
        "checkpoint",
        api.site_key,
        checkpoint["seq"],
        checkpoint["hash"],
        checkpoint["signed_at"],
        checkpoint["key_id"],
    )
    assert signature_ok(checkpoint["public_key"], checkpoint["signature"], message)
    # the receipt's hash is the record's hash at its place in the exported chain
    exported = [
        json.loads(line)
        for line in api.admin("GET", f"/sites/{api.site_key}/export?format=ledger")
        .get_data(as_text=True)
        .splitlines()
    ]
    (mine,) = [x for x in exported if x.get("kind") == "record" and x["seq"] == receipt["seq"]]
    assert mine["hash"] == receipt["hash"]
    latest = api.client.get(f"/v1/sites/{api.site_key}/checkpoints/latest")
    assert latest.get_json() == signed and "Origin" in latest.headers["Vary"]


def test_cli_export_and_verify_export(api: Api, database_url: str, tmp_path: Path) -> None:
    _fill(api, 3)
    runner = CliRunner()
    checkpoint = runner.invoke(consents, ["checkpoint", api.site_key, "--db", database_url])
    assert checkpoint.exit_code == 0, checkpoint.output
    assert json.loads(checkpoint.output)["seq"] == 3
    listed = runner.invoke(consents, ["checkpoints", api.site_key, "--db", database_url])
    (tmp_path / "cps.jsonl").write_text(listed.output)
    exported = runner.invoke(
        consents, ["export", api.site_key, "--format", "ledger", "--db", database_url]
    )
    assert exported.exit_code == 0
    (tmp_path / "ledger.jsonl").write_text(exported.output)
    verified = runner.invoke(
        consents,
        [
            "verify-export",
            str(tmp_path / "ledger.jsonl"),
            "--checkpoint",
            str(tmp_path / "cps.jsonl"),
        ],
    )
    assert verified.exit_code == 0, verified.output
    missing = runner.invoke(consents, ["verify-export", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code != 0 and "cannot read" in str(missing.exception)


def test_verify_export_of_json_nested_too_deeply(tmp_path: Path) -> None:
    """A line nested deeper than the JSON parser goes raised RecursionError (a traceback)."""
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 100_000 + "\n")
    result = CliRunner().invoke(consents, ["verify-export", str(deep)])
    assert result.exit_code != 0
    assert not isinstance(result.exception, RecursionError), result.exception
    assert "not JSON" in f"{result.output}{result.exception}"
