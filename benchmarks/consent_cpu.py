"""Consent API, CPU per stored consent in one process: the real WSGI app called directly (no
HTTP, no gunicorn), beside a Flask hello-world called the same way in the same process.

    python -m benchmarks consent_cpu [--requests 1000] [--rounds 5] [--skip-postgres]
        [--profile sqlite|postgresql [--sort cumulative]] [--instructions]

Unlike the wrk benchmark (:mod:`benchmarks.consent_api`), this measures CPU time
(``time.process_time``) of this process only, which other jobs on a shared machine change less
than wall-clock rates (still by ~30 % on a loaded machine: caches, frequency). Each round posts
``--requests`` distinct consents (the WSGI environs are built before the clock starts) and the
best round is reported, with the ratio to hello-world. The work of the database server
(PostgreSQL's backend) is not counted; SQLite's is (it runs in this process).

``--instructions`` counts instructions per post instead, each target in a process of its own
under valgrind's callgrind (instrumented only while it posts): other jobs do not change that
figure at all, but it leaves out the kernel and cache misses. ``--profile`` prints cProfile's
top functions (by CPU time) of one more round.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ORIGIN = "https://www.shop.test"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def hello_app() -> Flask:
    """The same hello-world as the wrk benchmark's."""
    app = Flask("hello")

    @app.post("/v1/sites/<site_key>/consents")
    def hello(site_key: str) -> Any:
        body = request.get_json(force=True)
        return jsonify({"record_id": 1, "consent_id": body.get("consent_id")}), 201

    return app


def _body() -> bytes:
    return json.dumps(
        {
            "consent_id": str(uuid.uuid4()),
            "choices": {"analytics": True, "marketing": False},
            "action": "custom",
            "policy_version": "1",
            "banner_revision": 1,
            "language": "fr-FR",
            "page_url": "https://www.shop.test/products/42",
        },
        separators=(",", ":"),
    ).encode()


def _environ(path: str, body: bytes) -> dict[str, Any]:
    """What gunicorn hands the app for wrk's post (the same headers)."""
    return {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "RAW_URI": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "40000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ORIGIN": ORIGIN,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _callgrind(on: bool) -> None:
    """Switch valgrind's instrumentation of this process on or off (``--instructions``)."""
    subprocess.run(
        ["callgrind_control", "-i", "on" if on else "off", str(os.getpid())],
        check=True,
        capture_output=True,
    )


def one_round(
    app: WsgiApp, path: str, requests: int, around: Callable[[bool], None] | None = None
) -> float:
    """CPU seconds per request of ``requests`` posts of distinct consents."""
    environs = [_environ(path, _body()) for _ in range(requests)]
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        statuses.append(status)
        return None

    if around is not None:
        around(True)
    started = time.process_time()
    for environ in environs:
        result = app(environ, start_response)
        for _chunk in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()
    spent = time.process_time() - started
    if around is not None:
        around(False)
    bad = [s for s in statuses if not s.startswith("201")]
    if bad:
        raise SystemExit(f"{len(bad)} posts were not stored: {bad[0]}")
    return spent / requests


def consent_app(database_url: str, work: Path) -> tuple[Flask, str]:
    from consent_api import create_app
    from consent_api.sites import create_site

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SIGNING_KEY_FILE": str(work / "ledger-signing-key.pem"),
            "RATELIMIT_ENABLED": False,  # as in the wrk benchmark
            "CHECKPOINT_INTERVAL_SECONDS": 0,
        }
    )
    engine = app.extensions["consent_api"].engine
    with engine.begin() as conn:
        site = create_site(conn, {"name": "Bench", "origins": [ORIGIN]})
    return app, f"/v1/sites/{site.site_key}/consents"


def measure(name: str, app: WsgiApp, path: str, args: argparse.Namespace, profile: bool) -> float:
    one_round(app, path, min(200, args.requests))  # warm up: caches, connections
    if args.callgrind_child:
        one_round(app, path, args.requests, _callgrind)
        return 0.0
    best = min(one_round(app, path, args.requests) for _ in range(args.rounds))
    if profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is shared
        profiler.enable()
        one_round(app, path, args.requests)
        profiler.disable()
        print(f"-- profile of {name}, {args.requests} posts")
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(45)
    return best


def verified(app: Flask, path: str) -> bool:
    from consent_api import chain

    state = app.extensions["consent_api"]
    site_key = path.split("/")[3]
    ok = chain.verify(state.engine, site_key, state.trusted_keys).ok
    state.close()
    return ok


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks consent_cpu")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--profile", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--sort", default="tottime", help="cProfile order (tottime, cumulative)")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions per post under valgrind's callgrind instead (deterministic)",
    )
    parser.add_argument("--only", choices=TARGETS, help=argparse.SUPPRESS)
    parser.add_argument("--callgrind-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.instructions:
        return instructions(args)
    if args.only:
        args.skip_sqlite = args.only != "sqlite"
        args.skip_postgres = args.only != "postgresql"
    results: dict[str, float] = {}
    chains: dict[str, bool] = {}
    if args.only in (None, "hello-world"):
        results["hello-world"] = measure(
            "hello-world", hello_app(), "/v1/sites/x/consents", args, False
        )
    if args.callgrind_child and args.only == "hello-world":
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-consent-cpu-") as tmp:
        work = Path(tmp)
        if not args.skip_sqlite:
            app, path = consent_app(f"sqlite:///{work / 'consent.db'}", work)
            results["sqlite"] = measure("sqlite", app, path, args, args.profile == "sqlite")
            chains["sqlite"] = verified(app, path)
        if not args.skip_postgres:
            results["postgresql"], chains["postgresql"] = postgres_measure(
                args, work, args.profile == "postgresql"
            )
    if args.callgrind_child:
        return 0 if all(chains.values()) else 1
    ceiling = results["hello-world"]
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, best of {args.rounds} rounds"
        f" of {args.requests} posts, CPU of this process (WSGI app called directly)"
    )
    print(f"{'target':<11} {'CPU ms/post':>11} {'x hello':>7} chain")
    for name, value in results.items():
        chain_ok = chains.get(name)
        mark = "-" if chain_ok is None else ("ok" if chain_ok else "BROKEN")
        print(f"{name:<11} {1000 * value:>11.3f} {value / ceiling:>7.2f} {mark}")
    return 0 if all(chains.values()) else 1


TARGETS = ("hello-world", "sqlite", "postgresql")


def instructions(args: argparse.Namespace) -> int:
    """Each target in a process of its own under callgrind, instrumented only while it posts
    (``--instr-atstart=no``, then ``callgrind_control``): instructions per post, which other
    jobs on the machine do not change."""
    if not shutil.which("valgrind"):
        print("valgrind is needed (apt install valgrind)")
        return 1
    python = sys.executable
    counts: dict[str, float] = {}
    for target in TARGETS:
        if (target == "sqlite" and args.skip_sqlite) or (
            target == "postgresql" and args.skip_postgres
        ):
            continue
        with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as tmp:
            out = subprocess.run(
                [
                    "valgrind",
                    "--tool=callgrind",
                    "--instr-atstart=no",
                    f"--callgrind-out-file={tmp}/callgrind.out",
                    python,
                    "-m",
                    "benchmarks.consent_cpu",
                    "--only",
                    target,
                    "--callgrind-child",
                    "--requests",
                    str(args.requests),
                ],
                capture_output=True,
                text=True,
                check=False,
                cwd=ROOT,
            )
        collected = re.search(r"Collected : (\d+)", out.stderr)
        if out.returncode != 0 or collected is None:
            print(out.stdout[-2000:], out.stderr[-2000:])
            return 1
        counts[target] = int(collected.group(1)) / args.requests
    ceiling = counts["hello-world"]
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {args.requests} posts under"
        " callgrind (instructions of the app's process while it posts)"
    )
    print(f"{'target':<11} {'instr/post':>10} {'x hello':>7}")
    for name, value in counts.items():
        print(f"{name:<11} {value:>10,.0f} {value / ceiling:>7.2f}")
    return 0


def postgres_measure(args: argparse.Namespace, work: Path, profile: bool) -> tuple[float, bool]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(POSTGRES)
    name = f"cookie_audit_cpu_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = base.set(database=name).render_as_string(hide_password=False)
        app, path = consent_app(url, work)
        value = measure("postgresql", app, path, args, profile)
        ok = verified(app, path)
        _close_raw_connections()
        return value, ok
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _close_raw_connections() -> None:
    """The hot path's own per-thread psycopg connection (see ``database.postgres_autocommit``)."""
    from database import engine as database_engine

    for connection in getattr(database_engine._RAW, "pg", {}).values():
        connection.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
