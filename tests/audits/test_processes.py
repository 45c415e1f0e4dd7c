"""The commands as an operator starts them, as real processes on SQLite: a scheduler started
while the broker is down (a closed loopback port) keeps the due runs in the database, `audit
run --due` runs them without any broker, and `audit daemon` started in the background stops on
SIGTERM after the run it has in hand."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from audits import AuditSettings, AuditStore, History, RunState
from scanner.demo.server import LocalWeb
from tests.audits.cluster import BIN, audit_spec, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOKIE_AUDIT_")}
    if "COOKIE_AUDIT_CHROMIUM" in os.environ:
        env["COOKIE_AUDIT_CHROMIUM"] = os.environ["COOKIE_AUDIT_CHROMIUM"]
    env["COOKIE_AUDIT_DATABASE_URL"] = database_url
    env["COOKIE_AUDIT_BROKER_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    return env


def stop(proc: subprocess.Popen[bytes], timeout: float = 120) -> int:
    """SIGTERM, then wait (killed and failed if it does not exit)."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"still running {timeout:g} s after SIGTERM") from None


def test_broker_down_the_scheduler_keeps_due_runs_and_run_due_runs_them(
    tmp_path: Path, local_web: LocalWeb
) -> None:
    url = f"sqlite:///{tmp_path / 'audits.db'}"
    env = environment(url)
    store = AuditStore.open(AuditSettings(database_url=url))
    name = store.add(audit_spec(local_web, "www.shop.test")).name
    history = History(store.engine)
    log = tmp_path / "scheduler.log"
    with log.open("wb") as out:
        scheduler = subprocess.Popen(
            [str(BIN), "scheduler", "--tick", "0.5", "--loglevel", "INFO"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(
            lambda: b"wait for the next tick" in log.read_bytes(),
            90,
            lambda: f"the scheduler never tried the broker: {log.read_text()[-2000:]}",
        )
        [run] = history.runs(name)
        assert run.state is RunState.QUEUED  # the due slot is in the database, not lost
        assert scheduler.poll() is None  # and the scheduler keeps going
    finally:
        stop(scheduler)
    done = subprocess.run(
        [str(BIN), "audit", "run", "--due"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [run] = history.runs(name)
    assert run.state is RunState.SUCCEEDED and run.attempts == 1, run.error
    store.close()


def test_the_daemon_in_the_background_stops_on_sigterm_after_its_run(
    tmp_path: Path, local_web: LocalWeb
) -> None:
    url = f"sqlite:///{tmp_path / 'audits.db'}"
    store = AuditStore.open(AuditSettings(database_url=url))
    name = store.add(audit_spec(local_web, "www.shop.test", phases="none,reject,accept")).name
    history = History(store.engine)
    log = tmp_path / "daemon.log"
    # as a shell starts `cookie-audit audit daemon &`: SIGINT ignored, SIGTERM is the way
    script = f'"{BIN}" audit daemon --tick 1 > "{log}" 2>&1 & wait $!'
    daemon = subprocess.Popen(["bash", "-c", script], env=environment(url))
    children: list[str] = []
    try:
        wait_for(
            lambda: [r.state for r in history.runs(name)] == [RunState.RUNNING],
            120,
            lambda: f"no run started: {log.read_text()[-2000:]}",
        )
        # bash waits for its background job: signal the daemon itself, bash's only child
        children = Path(f"/proc/{daemon.pid}/task/{daemon.pid}/children").read_text().split()
        assert len(children) == 1, children
        os.kill(int(children[0]), signal.SIGTERM)
        assert daemon.wait(timeout=240) == 0, log.read_text()[-2000:]
    finally:
        if daemon.poll() is None:
            for pid in children:
                os.kill(int(pid), signal.SIGKILL)
            daemon.kill()
            daemon.wait()
    [run] = history.runs(name)
    assert run.state is RunState.SUCCEEDED, run.error  # the run in hand was finished
    assert "stopping" in log.read_text()
    store.close()
