"""Durability: a real gunicorn on SQLite is killed with SIGKILL (master and workers) in the
middle of a stream of posts; after a restart every post that got a receipt is stored and the
chain verifies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from consent_api import chain, export
from consent_api.sites import get_site
from tests.consent_api.conftest import KEY_FILE, ORIGIN, make_app, register

GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(database_url: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "COOKIE_AUDIT_DATABASE_URL": database_url,
        "COOKIE_AUDIT_RATELIMIT_ENABLED": "false",
        "COOKIE_AUDIT_SIGNING_KEY_FILE": str(KEY_FILE),
        "COOKIE_AUDIT_CHECKPOINT_INTERVAL_SECONDS": "1",
    }
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "consent_api:create_app()",
        ],
        env=env,
        start_new_session=True,  # its own process group: SIGKILL reaches master and workers
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None  # a pipe, as asked
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {process.stderr.read()!r}")
            time.sleep(0.05)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        if process.stderr:
            process.stderr.close()


@pytest.mark.slow
def test_every_receipt_survives_kill_9(tmp_path: Path) -> None:
    assert GUNICORN.exists(), "gunicorn is a dependency of the project: run `make install`"
    url = f"sqlite:///{tmp_path / 'consent.db'}"
    setup = make_app(url)
    site_key, _, _ = register(setup)
    setup.extensions["consent_api"].close()
    port = free_port()
    receipts: dict[int, str] = {}
    failures: list[str] = []
    stop = threading.Event()
    enough = threading.Event()

    def post_stream() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            for _ in range(5000):
                if stop.is_set():
                    return
                body = {
                    "consent_id": str(uuid.uuid4()),
                    "choices": {"analytics": True},
                    "action": "custom",
                    "policy_version": "1",
                    "banner_revision": 1,
                }
                try:
                    response = client.post(
                        f"/v1/sites/{site_key}/consents", json=body, headers={"Origin": ORIGIN}
                    )
                except httpx.TransportError as exc:
                    failures.append(type(exc).__name__)
                    if stop.is_set() or len(failures) > 50:
                        return
                    continue
                if response.status_code == 201:
                    receipt = response.json()
                    receipts[receipt["seq"]] = receipt["hash"]
                    if len(receipts) >= 200:
                        enough.set()
                else:
                    failures.append(str(response.status_code))

    with gunicorn(url, port) as server:
        thread = threading.Thread(target=post_stream)
        thread.start()
        assert enough.wait(60), f"too few receipts before the kill: {failures[:5]}"
        # and a checkpoint signed by the running servers (every second), so that the chain
        # checked after the kill is anchored too; the stream goes on meanwhile
        latest = f"http://127.0.0.1:{port}/v1/sites/{site_key}/checkpoints/latest"
        deadline = time.monotonic() + 30
        while httpx.get(latest, timeout=5).status_code != 200:
            assert time.monotonic() < deadline, "no checkpoint signed within 30 s"
            time.sleep(0.05)
        os.killpg(server.pid, signal.SIGKILL)  # mid-stream: the poster is still posting
        server.wait(10)
        time.sleep(0.2)
        stop.set()
        thread.join(30)
    assert len(receipts) >= 200
    assert failures, "the kill should have interrupted the stream"

    with gunicorn(url, port):
        response = httpx.post(
            f"http://127.0.0.1:{port}/v1/sites/{site_key}/consents",
            json={
                "consent_id": str(uuid.uuid4()),
                "choices": {},
                "action": "reject_all",
                "policy_version": "1",
                "banner_revision": 1,
            },
            headers={"Origin": ORIGIN},
        )
        assert response.status_code == 201

    app = make_app(url)
    state = app.extensions["consent_api"]
    with state.engine.connect() as conn:
        site = get_site(conn, site_key)
    stored = {r["seq"]: r["hash"] for r in export.records(state.engine, site, None, None)}
    missing = {seq for seq, digest in receipts.items() if stored.get(seq) != digest}
    assert not missing, f"{len(missing)} acknowledged records lost"
    result = chain.verify(state.engine, site_key, state.trusted_keys)
    assert result.ok is True, result.problems[:3]
    assert result.records >= len(receipts) + 1
    assert result.checkpoints_checked >= 1, "the running servers signed checkpoints"
    state.close()
