"""The wheel installed alone (no dev extras) in a fresh virtualenv runs what the README and the
Docker image run: `demo` (Chromium, the local HTTPS web's certificate, the templates),
`serve` (start, GET /healthz, stop) and the alert e-mail templates, from package data only.

Slow (builds a wheel, installs every runtime dependency; pip may use its local cache): the
install is made once per session and shared by pytest-xdist's workers."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# browser: `demo` needs Chromium, and quick runs (`-m "not browser"`) skip these minutes
# timeout: an item may wait for the other xdist worker's install (the lock) before its own work
pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.xdist_group("packaging"),
    pytest.mark.timeout(900),
]

#: data files the code loads at run time; a wheel without one of them is broken
PACKAGE_DATA = [
    "scanner/classify/data/cookies.csv",
    "scanner/classify/data/ocd_cookies.csv",
    "scanner/classify/data/roles.csv",
    "scanner/classify/data/NOTICE.txt",
    "reports/templates/report.html.j2",
    "consent_api/static/banner.js",
    "consent_api/static/adapters/_shared.js",
    "consent_api/static/adapters/klaro.js",
    "consent_api/openapi.json",
    "audits/alerts/templates/alert.html.j2",
    "audits/alerts/templates/alert.txt.j2",
]


def _run(
    args: list[str | Path],
    env: dict[str, str] | None = None,
    timeout: float = 300,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd
    )
    assert done.returncode == 0, f"{args[:3]} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done


def _install(tmp: Path) -> Path:
    source = tmp / "source"  # a copy: building never writes build/ or *.egg-info into the tree
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            ".cache",
            "build",
            "dist",
            "results",
            "instance",
            "node_modules",
            "*.egg-info",
            "__pycache__",
            ".*_cache",
            ".hypothesis",
            "*.db",
        ),
    )
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp / "dist", source])
    (wheel,) = (tmp / "dist").glob("cookie_audit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in PACKAGE_DATA if name not in names]
    assert not missing, f"the wheel lacks {missing}"
    assert not any(n.startswith("tests/") for n in names)
    _run([sys.executable, "-m", "venv", tmp / "venv"])
    bin_dir = tmp / "venv" / "bin"
    _run(
        [
            bin_dir / "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            wheel,
        ],
        timeout=900,
    )
    return bin_dir


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """One fresh install per test session, shared by pytest-xdist's workers (a file lock)."""
    base = tmp_path_factory.getbasetemp()
    # under pytest-xdist each worker's base is a folder of the session's: share that one
    tmp = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "packaging"
    tmp.mkdir(exist_ok=True)
    with (tmp / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = tmp / "installed"
        if not done.exists():
            shutil.rmtree(tmp / "venv", ignore_errors=True)
            done.write_text(str(_install(tmp)))
        bin_dir = Path(done.read_text())
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "COOKIE_AUDIT_DATABASE_URL")
    }
    env |= {
        "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        "HOME": str(tmp / "home"),
        "XDG_DATA_HOME": str(tmp / "share"),
    }
    return bin_dir, env


def test_only_runtime_dependencies_are_installed(installed: tuple[Path, dict[str, str]]) -> None:
    bin_dir, env = installed
    probe = (
        "import importlib.util as u; "
        "print(*(m for m in ('pytest','jsonschema','hypothesis','aiosmtpd','mypy') "
        "if u.find_spec(m)))"
    )
    assert _run([bin_dir / "python", "-c", probe], env=env).stdout.strip() == ""
    _run([bin_dir / "python", "-c", "import cryptography, celery, playwright, gunicorn"], env=env)


def test_demo_runs_from_the_wheel(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    bin_dir, env = installed
    done = _run(
        [bin_dir / "cookie-audit", "demo", "--out", tmp_path / "demo"],
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert (tmp_path / "demo" / "scan.json").is_file()
    assert (tmp_path / "demo" / "report.html").stat().st_size > 10_000
    assert "scan.json" in done.stdout


def test_db_upgrade_from_the_wheel(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """Every package's migrations ship in the wheel and apply to a new database."""
    bin_dir, env = installed
    db = f"sqlite:///{tmp_path / 'fresh.db'}"
    _run([bin_dir / "cookie-audit", "db", "upgrade", "--db", db], env=env)
    tables = _run(
        [
            bin_dir / "python",
            "-c",
            "import sqlite3, sys; print(*sorted(r[0] for r in sqlite3.connect(sys.argv[1])"
            ".execute(\"select name from sqlite_master where type='table'\")))",
            tmp_path / "fresh.db",
        ],
        env=env,
    ).stdout.split()
    assert "alembic_version" in tables or any("version" in t for t in tables)
    assert len(tables) >= 5, tables


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_healthz(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    bin_dir, env = installed
    port = _free_port()  # `serve` takes 1-65535: ask the OS for a free one, then hand it over
    server = subprocess.Popen(
        [
            bin_dir / "cookie-audit",
            "serve",
            "--port",
            str(port),
            "--db",
            f"sqlite:///{tmp_path / 'product.db'}",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, answer = time.monotonic() + 180, None
        while answer is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    answer = (r.status, r.read())
            except OSError:
                time.sleep(0.2)
        assert answer is not None, f"serve never answered: {server.poll()}"
        assert answer[0] == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/banner.js", timeout=5) as r:
            assert r.status == 200 and b"CookieAuditConsent" in r.read()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout:
            server.stdout.close()


def test_alert_mail_renders_from_the_wheel(installed: tuple[Path, dict[str, str]]) -> None:
    bin_dir, env = installed
    code = (
        "from audits.alerts import Alert, AlertSettings, RunOutcome, EmailTarget;"
        "from audits.alerts.mail import build_message;"
        "from scanner.model import Severity;"
        "a = Alert(audit='a', site_url='https://x.test/', run_id=1, state=RunOutcome.FAILED,"
        " severity=Severity.HIGH, reason='dns');"
        "m = build_message(a, EmailTarget('dpo@x.test'), AlertSettings(smtp_from='a@x.test'));"
        "print(m.get_body(('html',)).get_content()[:15])"
    )
    assert _run([bin_dir / "python", "-c", code], env=env).stdout.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_celery_commands_start_from_the_wheel(
    installed: tuple[Path, dict[str, str]], command: str
) -> None:
    bin_dir, env = installed
    done = _run([bin_dir / "cookie-audit", command, "--help"], env=env)
    assert "--broker" in done.stdout
