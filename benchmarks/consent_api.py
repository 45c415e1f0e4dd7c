"""Consent API under load: gunicorn on 127.0.0.1, wrk posting distinct consents (as the
banner posts them, ``client_ts`` included) for a bounded time, on SQLite and on PostgreSQL,
beside a hello-world Flask app under the same gunicorn settings (the ceiling on this
machine), one after the other in one run: hello-world, the targets, hello-world again (the
ratio is to the mean of the two, so that a drift of the machine's speed during the run does
not move it).

    python -m benchmarks consent_api [--duration 10] [--workers 2] [--threads 1]
        [--connections 16] [--repeat 1] [--skip-postgres]

Reports wrk's requests/s and p50/p99 latency, the consents actually stored per second
(counted in the database afterwards), the ratio to hello-world, the load average when the row
was measured, and CPU time per request: of the gunicorn processes, of wrk, and (PostgreSQL) of
every ``postgres`` process of the machine. On a machine other jobs load, wall-clock figures
measure the other jobs too; CPU per request does not. With ``--repeat`` above 1, a last table
gives each database's goal (GOALS) over the runs: its spread, and in how many runs it was met.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
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
        .. '"language":"fr-FR","page_url":"https://www.shop.test/products/42",'
        .. '"client_ts":' .. os.time() * 1000 .. '}'
      return wrk.format("POST", nil, {["Content-Type"]="application/json",
        ["Origin"]="https://www.shop.test"}, body)
    end
    """
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _postgres_pids(database: str | None) -> list[int]:
    """The PostgreSQL backends serving ``database`` (their process title names it), so that
    other people's use of the same server is not counted; the server's shared processes (WAL
    writer, checkpointer) are left out."""
    pids: list[int] = []
    if database is None:
        return pids
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, UnicodeDecodeError):
                continue
            if title.startswith("postgres: ") and f" {database} " in title:
                pids.append(int(entry.name))
    return pids


class CpuMeter:
    """CPU seconds spent by a process tree (gunicorn: master and workers) and by the
    PostgreSQL backends of one database between :meth:`start` and :meth:`stop` (gunicorn
    workers do not change during a run)."""

    def __init__(self, root: int, database: str | None) -> None:
        self.root = root
        self.database = database

    def _sample(self) -> tuple[dict[int, float], dict[int, float]]:
        tree = [self.root, *_children(self.root)]
        backends = _postgres_pids(self.database)
        return {p: _cpu_of(p) for p in tree}, {p: _cpu_of(p) for p in backends}

    def start(self) -> None:
        self.before = self._sample()

    def stop(self) -> tuple[float, float]:
        after = self._sample()
        server = sum(after[0].get(p, 0.0) - v for p, v in self.before[0].items())
        postgres = sum(after[1].get(p, v) - v for p, v in self.before[1].items())
        postgres += sum(v for p, v in after[1].items() if p not in self.before[1])
        return server, postgres


class Server:
    """A gunicorn process group on loopback, stopped on exit."""

    def __init__(
        self, target: str, env: dict[str, str], args: argparse.Namespace, cwd: Path
    ) -> None:
        self.port = free_port()
        self.workers = args.workers
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
        """Once a worker answers and every worker is forked: the first answer can come
        before gunicorn has forked the others, and a worker forked after the CPU meter's
        first sample would go uncounted (and the run would start with fewer workers)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                answered = (
                    httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200
                )
            except httpx.TransportError:
                answered = False
            if answered and len(_children(self.process.pid)) >= self.workers:
                return self
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc: object) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def run_wrk(
    url: str,
    script: Path,
    args: argparse.Namespace,
    server: Server,
    database: str | None = None,
) -> dict[str, float]:
    meter = CpuMeter(server.process.pid, database)
    load = os.getloadavg()[0]
    meter.start()
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu, postgres_cpu = meter.stop()
    wrk_cpu = (wrk_after.ru_utime + wrk_after.ru_stime) - (
        wrk_before.ru_utime + wrk_before.ru_stime
    )

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
        "load": (load + os.getloadavg()[0]) / 2,
        "server_ms": 1000 * server_cpu / max(total, 1),
        "wrk_ms": 1000 * wrk_cpu / max(total, 1),
        "postgres_ms": 1000 * postgres_cpu / max(total, 1),
    }


def consent_run(
    database_url: str, args: argparse.Namespace, work: Path, script: Path
) -> dict[str, float]:
    from sqlalchemy import text

    from consent_api import create_app
    from consent_api.sites import create_site

    key_file = str(work / "ledger-signing-key.pem")
    # this process only sets up and checks: its own checkpoint thread (a chain verified in
    # Python at a random moment) would take CPU from the server under test; the workers
    # sign checkpoints as in production
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SIGNING_KEY_FILE": key_file,
            "CHECKPOINT_INTERVAL_SECONDS": 0,
        }
    )
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
            f"http://127.0.0.1:{server.port}/v1/sites/{site.site_key}/consents",
            script,
            args,
            server,
            engine.url.database if engine.dialect.name == "postgresql" else None,
        )
    with engine.connect() as conn:
        # a batch of the group commit shares one recorded_at
        stored, batches = conn.execute(
            text(
                "SELECT count(*), count(DISTINCT recorded_at) FROM consent_records"
                " WHERE site_id = :s"
            ),
            {"s": site.id},
        ).one()
    from consent_api import chain

    state = app.extensions["consent_api"]
    verified = chain.verify(engine, site.site_key, state.trusted_keys)
    state.close()
    result["stored"] = stored
    result["stored_per_s"] = stored / args.duration
    result["batch"] = stored / max(batches, 1)
    result["chain_ok"] = verified.ok
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks consent_api")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=1, help="gthread threads per worker (1: sync workers)"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="run the three targets N times")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args(argv)
    if not shutil.which("wrk") or not GUNICORN.exists():
        print("wrk and gunicorn are needed (apt install wrk; pip install gunicorn)")
        return 1
    settings = (
        f"gunicorn -w {args.workers}"
        + (f" -k gthread --threads {args.threads}" if args.threads > 1 else " (sync)")
        + f"; wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s"
    )
    runs = []
    for run in range(1, args.repeat + 1):
        results = one_run(args)
        print(f"run {run}/{args.repeat}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        print(f"settings: {settings}")
        print_table(results)
        runs.append(results)
    if len(runs) > 1:
        print_goals(runs)
    return 0


#: The issue's goals under gunicorn -w 2 on these 2 cores: SQLite's requests/s as a share of
#: hello-world's, PostgreSQL's stored consents/s; p99 latency for both; 0 errors, the chain
#: verifying afterwards.
GOALS = {"sqlite": ("ratio", 0.5), "postgresql": ("stored_per_s", 1500.0)}
P99_GOAL_MS = 50.0
#: hello-world measured again after the targets
HELLO_AFTER = "hello-again"


def print_goals(runs: list[dict[str, dict[str, float]]]) -> None:
    """Each target over the runs: the spread of what its goal measures, and in how many runs
    the goal was met (with p99, errors and the chain's verification)."""
    print(f"over {len(runs)} runs:")
    for name, (measure, goal) in GOALS.items():
        rows = [run[name] for run in runs if name in run]
        if not rows:
            continue
        values = [row[measure] for row in rows]
        met = sum(
            row[measure] >= goal
            and row["p99"] < P99_GOAL_MS
            and row["non2xx"] == 0
            and not row["socket_errors"]
            and bool(row.get("chain_ok", True))
            for row in rows
        )
        digits = 2 if measure == "ratio" else 0
        low, high, mean = min(values), max(values), sum(values) / len(values)
        print(
            f"{name:<11} {measure} {low:.{digits}f}-{high:.{digits}f} "
            f"(mean {mean:.{digits}f}), p99 <= {max(r['p99'] for r in rows):.1f} ms;"
            f" goal {measure} >= {goal:g}, p99 < {P99_GOAL_MS:g} ms, no error, chain ok:"
            f" met in {met} of {len(rows)} runs"
        )


def one_run(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """hello-world, the targets, and hello-world again: each target's ratio is to the mean of
    the two hello-world rates, so that the machine's speed drifting during the run (other
    jobs, the host) moves the ceiling with the targets instead of the ratio."""
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-consent-") as tmp:
        work = Path(tmp)
        script = work / "post.lua"
        script.write_text(WRK_SCRIPT)
        (work / "hello_app.py").write_text(HELLO_APP)

        def hello() -> dict[str, float]:
            with Server("hello_app:app", {}, args, work) as server:
                return run_wrk(
                    f"http://127.0.0.1:{server.port}/v1/sites/x/consents", script, args, server
                )

        results["hello-world"] = hello()
        if not args.skip_sqlite:
            results["sqlite"] = consent_run(f"sqlite:///{work / 'consent.db'}", args, work, script)
        if not args.skip_postgres:
            results["postgresql"] = postgres_run(args, work, script)
        results[HELLO_AFTER] = hello()
    ceiling = (results["hello-world"]["rps"] + results[HELLO_AFTER]["rps"]) / 2
    for result in results.values():  # requests/s as a share of hello-world's
        result["ratio"] = result["rps"] / ceiling
    return results


def print_table(results: dict[str, dict[str, float]]) -> None:
    """Ratios to hello-world (the mean of its two measurements): of requests/s (wall clock),
    and of CPU per request (server + wrk + PostgreSQL: what the two cores spend per request,
    whatever else runs)."""
    ceilings = (results["hello-world"], results[HELLO_AFTER])
    ceiling_cpu = sum(c["server_ms"] + c["wrk_ms"] for c in ceilings) / 2
    print(
        f"{'target':<11} {'req/s':>6} {'stored/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'non-2xx':>7} {'ratio':>5} {'load':>5} {'cpu ms/req: server':>19} {'wrk':>5} "
        f"{'pg':>5} {'cpu ratio':>9} {'batch':>5} chain"
    )
    for name, r in results.items():
        stored = r.get("stored_per_s")
        pg = r["postgres_ms"] if name == "postgresql" else 0.0
        cpu = r["server_ms"] + r["wrk_ms"] + pg
        batch = f"{r['batch']:.1f}" if "batch" in r else "-"
        print(
            f"{name:<11} {r['rps']:>6.0f} "
            f"{(f'{stored:.0f}' if stored is not None else '-'):>8} {r['p50']:>7.1f} "
            f"{r['p99']:>7.1f} {r['non2xx']:>7.0f} {r['ratio']:>5.2f} "
            f"{r['load']:>5.1f} {r['server_ms']:>19.3f} {r['wrk_ms']:>5.3f} "
            f"{(f'{pg:.3f}' if name == 'postgresql' else '-'):>5} {ceiling_cpu / cpu:>9.2f} "
            f"{batch:>5} "
            f"{'ok' if r.get('chain_ok', True) else 'BROKEN'}"
        )


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
