"""Alerts: what an alert costs the run that raises it (building it from a diff and handing it
to the dispatcher) against what delivering it costs (rendering every channel, a webhook POST
to a loopback receiver), and that a hanging webhook costs the run nothing.

    python -m benchmarks alerts [--n 200]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from audits.alerts import (
    Alert,
    AlertDispatcher,
    AlertSettings,
    RunOutcome,
    build_alert,
    parse_target,
)
from audits.alerts.delivery import deliver_to
from audits.alerts.mail import build_message
from audits.alerts.payloads import encode, slack_payload, teams_payload
from audits.alerts.targets import EmailTarget
from reports import Lang, compare
from tests.reports.sample_scans import before_after


def _receiver(hang: threading.Event) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            if self.path == "/hang":
                hang.wait(30)
                return
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _ms(fn: Callable[[], object], n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks alerts")
    parser.add_argument("--n", type=int, default=200)
    n = parser.parse_args(argv).n
    old, new = before_after()
    diff = compare(old, new)

    def build() -> Alert | None:
        return build_alert(
            audit="shop",
            site_url=new.target,
            run_id=2,
            previous_run_id=1,
            state=RunOutcome.SUCCEEDED,
            diff=diff,
            report_url="https://audit.example.com/runs/2",
        )

    alert = build()
    assert alert is not None
    settings = AlertSettings(
        smtp_from="audit@example.com", allow_private=True, retries=0, webhook_timeout=5.0
    )
    hang = threading.Event()
    server = _receiver(hang)
    port = server.server_address[1]
    ok = parse_target(f"webhook:http://127.0.0.1:{port}/ok kind=slack")
    stuck = parse_target(f"webhook:http://127.0.0.1:{port}/hang")
    rows = [
        ("build_alert from a ScanDiff", _ms(build, n)),
        ("Slack payload (EN)", _ms(lambda: encode(slack_payload(alert, Lang.EN)), n)),
        ("Teams card (FR)", _ms(lambda: encode(teams_payload(alert, Lang.FR)), n)),
        (
            "e-mail, text + HTML (FR)",
            _ms(lambda: build_message(alert, EmailTarget("a@b.example", Lang.FR), settings), n),
        ),
        (
            "webhook POST to loopback (one attempt)",
            _ms(lambda: deliver_to(alert, ok, settings), max(10, n // 10)),
        ),
    ]
    quiet = logging.getLogger("cookie_audit.alerts")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    hanging = AlertSettings(allow_private=True, retries=0, webhook_timeout=1.0)
    with AlertDispatcher(hanging, max_workers=8) as dispatcher:
        rows.append(
            (
                "submit to a hanging webhook (the run's cost)",
                _ms(lambda: dispatcher.submit(alert, [stuck]), 8),
            )
        )
    hang.set()
    server.shutdown()
    print(f"{'what':48} {'median ms':>10} {'p99 ms':>8}")
    for label, (median, p99) in rows:
        print(f"{label:48} {median:10.3f} {p99:8.3f}")
    return 0
