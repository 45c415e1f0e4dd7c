"""`cookie-audit audit` registry commands: one line and exit 2 on bad input, secrets hidden."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audits.errors import AuditInputError
from audits.settings import load_settings
from scanner.cli import main

SECRET = "https://hooks.example.com/services/T000/B000/XXXXSECRETXXXX"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'a.db'}"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["audit", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_show_export_never_print_secrets(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys,
        "add",
        "https://www.shop.test/",
        "--every",
        "daily",
        "--alert",
        f"webhook:{SECRET}",
        "--alert",
        "email:dpo@shop.test",
        "--db",
        db,
    )
    assert code == 0 and out.startswith("added shop.test: https://www.shop.test/, daily at ")
    for args in (
        ("list",),
        ("list", "--json"),
        ("show", "shop.test"),
        ("show", "shop.test", "--json"),
    ):
        code, out, _ = run(capsys, *args, "--db", db)
        assert code == 0 and "SECRET" not in out and "shop.test" in out
    code, out, _ = run(capsys, "show", "shop.test", "--json", "--db", db)
    alerts = json.loads(out)["spec"]["alerts"]
    assert alerts[0].startswith("webhook:https://hooks.example.com/… [") and alerts[1] == (
        "email:dpo@shop.test"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "notaurl"), "error: url: expected an http(s) URL"),
        (("add", "https://a.test/", "--every", "fortnightly"), "error: every: expected hourly"),
        (("add", "https://a.test/", "--alert", "sms:0600"), "error: alerts"),
        (("add", "https://a.test/", "--alert", "email:nobody"), "is not an e-mail address"),
        (("add", "https://a.test/", "--phases", "none,maybe"), "error: phases"),
        (("add", "https://a.test/", "--resolve", "bad"), "error: resolve"),
        (("add", "https://a.test/", "--policy", "missing.yaml"), "error: policy: no such file"),
        (("add", "https://a.test/", "--max-pages", "0"), "error: max_pages"),
        (("add", "http://10.0.0.1/"), "private or loopback"),
        (("edit", "nobody", "--every", "daily"), "error: no audit named 'nobody'"),
        (("show", "nobody"), "error: no audit named 'nobody'"),
        (("apply", "missing.yaml"), "missing.yaml: no such file"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], db: str, args: tuple[str, ...], message: str
) -> None:
    code, out, err = run(capsys, *args, "--db", db)
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1, err
    code, out, _ = run(capsys, "list", "--json", "--db", db)
    assert json.loads(out) == []  # nothing stored


@pytest.mark.parametrize("url", ["mysql://x", "not a url"])
def test_an_unusable_database_url_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """`audit list --db mysql://x` (or the same in COOKIE_AUDIT_DATABASE_URL) ended in a
    DatabaseConfigError traceback; the other commands say it in one line."""
    code, _, err = run(capsys, "list", "--db", url)
    assert code == 2, err
    assert "error: DATABASE_URL: expected sqlite:///PATH" in err, err
    assert len(err.strip().splitlines()) == 1, err
    # the Celery commands read the same settings before they start a worker or beat
    with pytest.raises(AuditInputError, match="DATABASE_URL: expected"):
        load_settings({}, database_url=url)
    with pytest.raises(AuditInputError, match="DATABASE_URL: expected"):
        load_settings({"COOKIE_AUDIT_DATABASE_URL": url})


def test_edit_pause_resume_remove(capsys: pytest.CaptureFixture[str], db: str) -> None:
    assert run(capsys, "add", "https://www.shop.test/", "--name", "shop", "--db", db)[0] == 0
    code, out, _ = run(
        capsys, "edit", "shop", "--every", "0 4 * * 1", "--max-pages", "5", "--db", db
    )
    assert code == 0 and "cron 0 4 * * 1" in out
    assert run(capsys, "edit", "shop", "--db", db)[0] == 2  # nothing to change
    assert run(capsys, "pause", "shop", "--db", db)[1] == "paused shop\n"
    code, out, _ = run(capsys, "list", "--db", db)
    assert "paused" in out
    assert run(capsys, "resume", "shop", "--db", db)[1].startswith("resumed shop: next run")
    assert "history kept" in run(capsys, "remove", "shop", "--db", db)[1]
    assert "0 run(s) deleted" in run(capsys, "remove", "shop", "--purge", "--db", db)[1]


def test_apply_dry_run_then_apply_then_export(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    file = tmp_path / "audits.yaml"
    file.write_text("audits:\n  - name: shop\n    url: https://www.shop.test/\n    every: daily\n")
    code, out, _ = run(capsys, "apply", str(file), "--dry-run", "--db", db)
    assert code == 0 and "would add 1" in out
    assert run(capsys, "list", "--json", "--db", db)[1].strip() == "[]"
    assert "1 added" in run(capsys, "apply", str(file), "--db", db)[1]
    assert "1 unchanged" in run(capsys, "apply", str(file), "--db", db)[1]
    code, out, _ = run(capsys, "export", "--db", db)
    assert "name: shop" in out and "every: daily" in out
