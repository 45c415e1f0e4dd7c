"""`cookie-audit users ...` through the real entry point, on a real SQLite file."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import make_url

from dashboard.errors import ConfigError
from dashboard.settings import load_settings
from scanner.cli import main

PASSWORD = "correct horse battery staple"


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_users_lifecycle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'c.db'}"]
    code, out, _ = run(capsys, monkeypatch, "users", "list", *db)
    assert code == 0 and "no users yet" in out
    code, out, _ = run(
        capsys,
        monkeypatch,
        "users", "add", "Ada", "--role", "admin", "--password-stdin", *db,
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert (code, out.strip()) == (0, "added ada (admin)")
    code, out, _ = run(
        capsys, monkeypatch, "users", "add", "vera", "--password-stdin", *db, stdin=PASSWORD
    )
    assert (code, out.strip()) == (0, "added vera (viewer)")
    code, out, _ = run(capsys, monkeypatch, "users", "list", *db)
    lines = out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [["ada", "admin"], ["vera", "viewer"]]
    assert "last sign-in never" in lines[0]
    code, out, _ = run(capsys, monkeypatch, "users", "set-role", "vera", "editor", *db)
    assert (code, out.strip()) == (0, "vera is now editor")
    code, out, _ = run(capsys, monkeypatch, "users", "reset-password", "vera", "--generate", *db)
    assert code == 0 and out.startswith("new password for vera: ") and "(shown once)" in out
    code, out, _ = run(
        capsys,
        monkeypatch,
        "users", "reset-password", "vera", "--password-stdin", *db,
        stdin=PASSWORD + "2\n",
    )  # fmt: skip
    assert code == 0 and "their sessions ended" in out
    code, out, _ = run(capsys, monkeypatch, "users", "remove", "vera", *db)
    assert (code, out.strip()) == (0, "removed vera")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["users", "add", "bad name", "--password-stdin"], PASSWORD, "username: 1-64 characters"),
        (["users", "add", "shorty", "--password-stdin"], "short", "password: at least 12"),
        (["users", "add", "nopass", "--password-stdin"], "", "nothing on standard input"),
        (["users", "set-role", "ghost", "admin"], "", "no user named 'ghost'"),
        (["users", "remove", "ghost"], "", "no user named 'ghost'"),
        (["users", "reset-password", "ghost", "--generate"], "", "no user named 'ghost'"),
        (["users", "set-role", "ada", "viewer"], "", "ada is the last admin"),
        (["users", "add", "ada", "--password-stdin"], PASSWORD, "already exists"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    stdin: str,
    message: str,
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'c.db'}"]
    run(
        capsys, monkeypatch, "users", "add", "ada", "--role", "admin", "--password-stdin", *db,
        stdin=PASSWORD,
    )  # fmt: skip
    code, _, err = run(capsys, monkeypatch, *args, *db, stdin=stdin)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_unknown_role_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(
        capsys, monkeypatch, "users", "add", "x", "--role", "owner", "--db",
        f"sqlite:///{tmp_path / 'c.db'}",
    )  # fmt: skip
    assert code == 2 and "owner" in err


def test_bad_database_url_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, "users", "list", "--db", "mysql://x/y")
    assert code == 2 and "DATABASE_URL" in err
    code, _, err = run(capsys, monkeypatch, "users", "list", "--db", "mysql://u:s3cr3t@x/y")
    assert code == 2 and "DATABASE_URL" in err and "s3cr3t" not in err


def test_bad_settings_never_repeat_a_password_of_a_url() -> None:
    for config in (
        {"DATABASE_URL": "mysql://u:s3cr3t@x/y"},
        {"DATABASE_URL": "sqlite:///x.db", "RATELIMIT_STORAGE_URI": "s3cr3t"},
    ):
        with pytest.raises(ConfigError) as info:
            load_settings(config, "sqlite:///unused.db")
        assert "s3cr3t" not in str(info.value)


@pytest.mark.postgres
def test_serve_never_prints_the_database_password(pg_database: str) -> None:
    """`serve` printed its database URL as given, password included, for any terminal or log
    to keep. The test server trusts loopback, so any password connects."""
    url = make_url(pg_database).set(password="s3cret-pass").render_as_string(hide_password=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "scanner", "serve", "--port", str(port), "--db", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    output = []
    # `select` on the pipe would miss the second line when both arrive in one read (it then
    # sits in the file object's buffer): read lines as they come, and stop the server at the
    # deadline should it never print one
    deadline = threading.Timer(60, process.terminate)
    deadline.start()
    try:
        for line in process.stdout:
            output.append(line)
            if line.startswith("database:"):
                break
    finally:
        deadline.cancel()
        process.terminate()
        process.wait(timeout=30)
    text = "".join(output)
    assert "database: postgresql+psycopg://" in text, text
    assert "s3cret-pass" not in text and ":***@" in text, text
