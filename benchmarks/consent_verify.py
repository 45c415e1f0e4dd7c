"""Consent ledger verification, CPU per record: what ``consents verify``, the admin's verify
and every signed checkpoint spend walking a chain read from the database.

    python -m benchmarks consent_verify [--records 20000] [--rounds 3]

One SQLite ledger of ``--records`` consents (posted through the real WSGI app, in this process)
is walked, best of ``--rounds``, three ways in turn: reading the records only; the server's
walk (:func:`consent_api.chain.verify`, its quick record hash); the same walk with the
standalone verifier's own :func:`consent_api.verifier.record_hash` for every record (what an
auditor's copy of ``verifier.py`` computes). CPU time of this process (``time.process_time``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.consent_cpu import consent_app, one_round


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks consent_verify")
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    records: int = args.records

    from consent_api import chain
    from consent_api.sites import get_site
    from consent_api.verifier import Report, record_hash, verify_chain

    with tempfile.TemporaryDirectory(prefix="bench-consent-verify-") as tmp:
        work = Path(tmp)
        app, path = consent_app(f"sqlite:///{work / 'consent.db'}", work)
        one_round(app, path, records)
        state = app.extensions["consent_api"]
        engine, keys = state.engine, state.trusted_keys
        site_key = path.split("/")[3]
        with engine.connect() as conn:
            site = get_site(conn, site_key)
            purges = chain.purge_entries(conn, site)

        def read() -> bool:
            return sum(1 for _ in chain.chain_records(engine, site)) == records

        def server() -> bool:
            return chain.verify(engine, site_key, keys).ok

        def auditor() -> bool:
            report: Report = verify_chain(
                site_key,
                site.id,
                purges,
                chain.chain_records(engine, site),
                keys=keys,
                head=(site.head_seq, site.head_hash),
                hash_record=record_hash,
            )
            return report.ok

        walks: dict[str, Callable[[], bool]] = {
            "read only": read,
            "server": server,
            "record_hash": auditor,
        }
        best = {name: float("inf") for name in walks}
        for _ in range(args.rounds):
            for name, walk in walks.items():
                started = time.process_time()
                ok = walk()
                best[name] = min(best[name], time.process_time() - started)
                if not ok:
                    print(f"{name}: the chain did not verify")
                    return 1
        state.close()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, SQLite, {records} records,"
        f" best of {args.rounds} rounds, CPU of this process"
    )
    print(f"{'walk':<12} {'us/record':>9} {'x record_hash':>13}")
    for name, seconds in best.items():
        print(f"{name:<12} {1e6 * seconds / records:>9.1f} {seconds / best['record_hash']:>13.2f}")
    return 0
