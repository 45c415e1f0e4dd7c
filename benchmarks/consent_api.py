"""Consent API under load: gunicorn on 127.0.0.1, wrk posting distinct consents for a bounded
time, on SQLite and on PostgreSQL, beside a hello-world Flask app under the same gunicorn
settings (the ceiling on this machine).

    python -m benchmarks consent_api [--duration 10] [--workers 4] [--threads 1]
        [--connections 16] [--skip-postgres]

Reports wrk's requests/s and p50/p99 latency, the consents actually stored per second
(counted in the database afterwards), and the ratio to hello-world.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
POSTGRES = os.environ.get(
    "COOKIE_AUDIT_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

HELLO_APP = textwrap.dedent(
    """
    from flask import Flask, request, jsonify
    app = Flask("hello")

    @app.post("/v1/sites/<site_key>/consents")
    def hello(site_key):
        body = request.get_json(force=True)
        return jsonify({"record_id": 1, "consent_id": body.get("consent_id")}), 201

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}
    """
)

WRK_SCRIPT = textwrap.dedent(
    """
    local counter = 0
    local tid = 0
    local threads = 0
    function setup(thread)
      thread:set("tid", threads)
      threads = threads + 1
    end
    function init(args)
      math.randomseed(os.time() + tid * 7919)
    end
    request = function()
      counter = counter + 1
      local id = string.format("%08x-%04x-4%03x-8%03x-%012x",
        math.random(0, 0x7fffffff), math.random(0, 0xffff), math.random(0, 0xfff),
        math.random(0, 0xfff), tid * 1000000000 + counter)
      local body = '{"consent_id":"' .. id .. '","choices":{"analytics":true,'
        .. '"marketing":false},"action":"custom","policy_version":"1","banner_revision":1,'
        .. '"language":"fr-FR","page_url":"https://www.shop.test/products/42"}'
      return wrk.format("POST", nil, {["Content-Type"]="application/json",
        ["Origin"]="https://www.shop.test"}, body)
    end
    """
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A gunicorn process group on loopback, stopped on exit."""

    def __init__(
        self, target: str, env: dict[str, str], args: argparse.Namespace, cwd: Path
    ) -> None:
        self.port = free_port()
        command = [
            str(GUNICORN),
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ]
        if args.threads > 1:
            command += ["-k", "gthread", "--threads", str(args.threads)]
        self.process = subprocess.Popen(
            [*command, target],
            env={**os.environ, **env},
            cwd=cwd,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc: object) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def run_wrk(url: str, script: Path, args: argparse.Namespace) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(args.wrk_threads),
            "-c",
            str(args.connections),
            "-d",
            f"{args.duration}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def unit(value: str, suffix: str) -> float:
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[suffix]

    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    parsed = {}
    for key, text in latency.items():
        number, suffix = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
        parsed[key] = unit(number, suffix)
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": parsed.get("50", float("nan")),
        "p99": parsed.get("99", float("nan")),
        "requests": total,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",  # type: ignore[dict-item]
    }


def consent_run(
    database_url: str, args: argparse.Namespace, work: Path, script: Path
) -> dict[str, float]:
    from sqlalchemy import text

    from consent_api import create_app
    from consent_api.sites import create_site

    key_file = str(work / "ledger-signing-key.pem")
    app = create_app({"DATABASE_URL": database_url, "SIGNING_KEY_FILE": key_file})
    engine = app.extensions["consent_api"].engine
    with engine.begin() as conn:
        site = create_site(conn, {"name": "Bench", "origins": ["https://www.shop.test"]})
    env = {
        "COOKIE_AUDIT_DATABASE_URL": database_url,
        "COOKIE_AUDIT_RATELIMIT_ENABLED": "false",
        "COOKIE_AUDIT_SIGNING_KEY_FILE": key_file,
    }
    with Server("consent_api:create_app()", env, args, ROOT) as server:
        result = run_wrk(
            f"http://127.0.0.1:{server.port}/v1/sites/{site.site_key}/consents", script, args
        )
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT count(*) FROM consent_records WHERE site_id = :s"), {"s": site.id}
        ).scalar_one()
    from consent_api import chain

    state = app.extensions["consent_api"]
    verified = chain.verify(engine, site.site_key, state.trusted_keys)
    state.close()
    result["stored"] = stored
    result["stored_per_s"] = stored / args.duration
    result["chain_ok"] = verified.ok
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks consent_api")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args(argv)
    if not shutil.which("wrk") or not GUNICORN.exists():
        print("wrk and gunicorn are needed (apt install wrk; pip install gunicorn)")
        return 1
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-consent-") as tmp:
        work = Path(tmp)
        script = work / "post.lua"
        script.write_text(WRK_SCRIPT)
        (work / "hello_app.py").write_text(HELLO_APP)
        with Server("hello_app:app", {}, args, work) as server:
            results["hello-world"] = run_wrk(
                f"http://127.0.0.1:{server.port}/v1/sites/x/consents", script, args
            )
        if not args.skip_sqlite:
            results["sqlite"] = consent_run(f"sqlite:///{work / 'consent.db'}", args, work, script)
        if not args.skip_postgres:
            results["postgresql"] = postgres_run(args, work, script)
    ceiling = results["hello-world"]["rps"]
    settings = (
        f"gunicorn -w {args.workers}"
        + (f" -k gthread --threads {args.threads}" if args.threads > 1 else "")
        + f"; wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s"
    )
    print(f"settings: {settings}")
    print(
        f"{'target':<12} {'req/s':>8} {'stored/s':>9} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'non-2xx':>8} {'ratio':>6} chain"
    )
    for name, r in results.items():
        stored = r.get("stored_per_s")
        print(
            f"{name:<12} {r['rps']:>8.0f} "
            f"{(f'{stored:.0f}' if stored is not None else '-'):>9} {r['p50']:>7.1f} "
            f"{r['p99']:>7.1f} {r['non2xx']:>8.0f} {r['rps'] / ceiling:>6.2f} "
            f"{'ok' if r.get('chain_ok', True) else 'BROKEN'}"
        )
    return 0


def postgres_run(args: argparse.Namespace, work: Path, script: Path) -> dict[str, float]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(POSTGRES)
    name = f"cookie_audit_bench_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = base.set(database=name).render_as_string(hide_password=False)
        return consent_run(url, args, work, script)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
