"""Verify a consent ledger: the server's own check, and a standalone verifier for auditors.

This file depends on the Python standard library and, for signatures, on ``cryptography``
only: an outside auditor can copy it alone and run it on an export, without our database or
our code::

    python verifier.py ledger.jsonl [--checkpoint their-copy.jsonl] [--public-key KEY]

The server's ``consents verify`` and ``GET /v1/admin/sites/KEY/verify`` run the same
:func:`verify_chain` on the database's entries, so the two can never disagree (the server
hashes a record the quick way first, and takes :func:`record_hash`'s answer whenever that way
does not give the stored hash).

The chain of a site is a sequence of entries numbered 1, 2, 3...: consent records and purge
entries. Each entry's ``hash`` is SHA-256 over the canonical JSON (sorted keys, no spaces,
UTF-8) of its fields and the previous entry's hash (64 zeros before the first). A purge deletes
a prefix of the chain and is itself an entry, signed (Ed25519) by the ledger's key; the first
entry kept links to its ``anchor_hash``. Checkpoints are signed statements "entry ``seq`` of
site ``site`` has hash ``hash``", published outside the database.

The export (``cookie-audit consents export SITE --format ledger``) is JSON lines: a header
(``kind: header``), the purge entries, the checkpoints, then every record in chain order.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import heapq
import json
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GENESIS_HASH = "0" * 64
EXPORT_FORMAT = "cookie-audit-ledger"
EXPORT_VERSION = 1

V1_RECORD_FIELDS = (
    "site_id",
    "seq",
    "consent_id",
    "recorded_at",
    "choices",
    "action",
    "policy_version",
    "banner_revision",
    "language",
    "page_url",
    "user_agent",
    "gpc",
    "ip",
    "client_ts",
    "prev_hash",
)
V2_RECORD_FIELDS = (
    "seq",
    "consent_id",
    "recorded_at",
    "choices",
    "action",
    "policy_version",
    "banner_revision",
    "language",
    "page_url",
    "user_agent",
    "gpc",
    "ip",
    "client_ts",
    "source",
    "prev_hash",
)
PURGE_FIELDS = (
    "seq",
    "from_seq",
    "up_to_seq",
    "deleted",
    "anchor_hash",
    "cutoff",
    "purged_at",
    "prev_hash",
)


_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def dumps(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept as is. (One encoder for every call:
    ``json.dumps`` with options builds a new one each time.)"""
    return _CANONICAL.encode(value)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def record_hash(record: Mapping[str, Any], site_key: str, site_id: int | None) -> str:
    """The hash of a consent record (version 1 records hashed the site's internal id, version 2
    its public key, the source and the version itself)."""
    if int(record.get("hash_version") or 1) == 1:
        body = {name: record.get(name) for name in V1_RECORD_FIELDS if name != "site_id"}
        body["site_id"] = site_id
    else:
        body = {name: record.get(name) for name in V2_RECORD_FIELDS}
        body["v"] = 2
        body["site"] = site_key
    if isinstance(body["choices"], str):
        body["choices"] = json.loads(body["choices"])
    body["gpc"] = bool(body["gpc"])
    return _sha256(dumps(body))


def purge_hash(purge: Mapping[str, Any], site_key: str) -> str:
    body = {name: purge.get(name) for name in PURGE_FIELDS}
    body.update(v=2, kind="purge", site=site_key)
    return _sha256(dumps(body))


def statement(kind: str, site_key: str, seq: int, digest: str, at: str, key_id: str) -> bytes:
    """What a signature covers: a purge entry or a checkpoint of one site's chain."""
    return dumps(
        {
            "statement": f"cookie-audit-ledger/{kind}",
            "site": site_key,
            "seq": seq,
            "hash": digest,
            "at": at,
            "key_id": key_id,
        }
    ).encode()


def key_id_of(public_key_b64: str) -> str:
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:16]


def signature_ok(public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        key.verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


@dataclass
class Report:
    """What verification found. ``problems`` name each entry and what is wrong with it."""

    site_key: str
    entries: int = 0
    records: int = 0
    purges: int = 0
    first_seq: int | None = None
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    checkpoints_checked: int = 0
    latest_checkpoint: dict[str, Any] | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    problem_count: int = 0
    notes: list[str] = field(default_factory=list)
    max_problems: int = 100

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def problem(self, seq: int | None, code: str, text: str, kind: str = "record") -> None:
        self.problem_count += 1
        if len(self.problems) < self.max_problems:
            self.problems.append({"seq": seq, "kind": kind, "code": code, "problem": text})

    def json(self) -> dict[str, Any]:
        return {
            "site_key": self.site_key,
            "ok": self.ok,
            "entries": self.entries,
            "records": self.records,
            "purges": self.purges,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "last_hash": self.last_hash,
            "checkpoints_checked": self.checkpoints_checked,
            "latest_checkpoint": self.latest_checkpoint,
            "problem_count": self.problem_count,
            "problems": self.problems,
            "notes": self.notes,
        }


def _check_purges(
    purges: list[dict[str, Any]], site_key: str, keys: Mapping[str, str], report: Report
) -> tuple[int, str]:
    """Each purge: its hash, its signature, and that purges delete successive prefixes.
    Returns (last purged seq, the anchor the first kept entry links to)."""
    purged_to, anchor = 0, GENESIS_HASH
    for purge in purges:
        seq = purge.get("seq")
        if seq is None:
            report.problem(
                None,
                "unsigned_purge",
                f"purge of entries up to {purge.get('up_to_seq')} is not part of the chain "
                "(made before purges were chained, or inserted by hand): it cannot be told "
                "from a forgery",
                "purge",
            )
            end = purge.get("up_to_seq")
            if isinstance(end, int) and end > purged_to:
                purged_to, anchor = end, str(purge.get("anchor_hash"))
            continue
        if purge_hash(purge, site_key) != purge.get("hash"):
            report.problem(seq, "altered", "purge entry does not match its hash", "purge")
        key = keys.get(str(purge.get("key_id")))
        message = statement(
            "purge",
            site_key,
            seq,
            str(purge.get("hash")),
            str(purge.get("purged_at")),
            str(purge.get("key_id")),
        )
        if key is None:
            report.problem(seq, "forged_purge", "purge entry is signed by an unknown key", "purge")
        elif not signature_ok(key, str(purge.get("signature")), message):
            report.problem(
                seq, "forged_purge", "purge entry's signature is not valid (forged)", "purge"
            )
        start, end = purge.get("from_seq"), purge.get("up_to_seq")
        if (
            not isinstance(start, int)
            or not isinstance(end, int)
            or start != purged_to + 1
            or end < start
            or end >= seq
        ):
            report.problem(
                seq,
                "purge_range",
                f"purge claims entries {start}..{end}, but the previous purge ended at "
                f"{purged_to}: purges only ever delete the oldest entries",
                "purge",
            )
        if isinstance(end, int) and end > purged_to:
            purged_to, anchor = end, str(purge.get("anchor_hash"))
    return purged_to, anchor


def verify_chain(
    site_key: str,
    site_id: int | None,
    purges: Iterable[Mapping[str, Any]],
    records: Iterable[Mapping[str, Any]],
    *,
    keys: Mapping[str, str],
    checkpoints: Iterable[Mapping[str, Any]] = (),
    head: tuple[int, str] | None = None,
    start: tuple[int, str] | None = None,
    max_problems: int = 100,
    hash_record: Callable[[Mapping[str, Any], str, int | None], str] = record_hash,
) -> Report:
    """Walk one site's chain.

    ``purges`` (all of them) and ``records`` (streamed) each in ``seq`` order; ``keys`` maps
    key ids to base64 public keys trusted for signatures; ``checkpoints`` are signed heads to
    hold the chain against (the auditor's own copy, say); ``head`` is the head the site claims.
    ``start`` (seq, hash) resumes after an entry already verified (a checkpoint): ``records``
    then only need to hold the entries after it. ``hash_record`` computes a record's hash: the
    server passes a quicker one that gives :func:`record_hash`'s answer.
    """
    report = Report(site_key=site_key, max_problems=max_problems)
    purge_list = sorted((dict(p) for p in purges), key=lambda p: p.get("seq") or 0)
    report.purges = len(purge_list)
    purged_to, anchor = _check_purges(purge_list, site_key, keys, report)
    expected_seq, expected_prev = purged_to + 1, anchor
    if start is not None and start[0] >= purged_to:
        expected_seq, expected_prev = start[0] + 1, start[1]
        report.last_seq, report.last_hash = start
    first = expected_seq
    pinned = _check_checkpoint_signatures(checkpoints, site_key, keys, report)
    recent: OrderedDict[str, int] = OrderedDict()  # hash -> seq, to name moved entries

    chained = (
        dict(p, kind="purge")
        for p in purge_list
        if p.get("seq") is not None and (int(p["seq"]) <= purged_to or int(p["seq"]) >= first)
    )
    stream = heapq.merge(
        chained, (dict(r, kind="record") for r in records), key=lambda e: int(e["seq"])
    )
    for entry in stream:
        seq, kind = int(entry["seq"]), entry["kind"]
        report.entries += 1
        if kind == "record":
            report.records += 1
        if report.first_seq is None:
            report.first_seq = seq
        if seq <= purged_to:
            if kind == "record":
                report.problem(seq, "not_purged", "record lies in a purged range but is present")
            continue
        if seq < expected_seq:
            report.problem(
                seq, "renumbered", f"entry number {seq} appears twice or out of order", kind
            )
            continue
        gap = seq > expected_seq
        if gap:
            report.problem(
                expected_seq,
                "missing",
                f"entries {expected_seq}..{seq - 1} are missing (deleted)"
                if seq - 1 > expected_seq
                else f"entry {expected_seq} is missing (deleted)",
                "gap",
            )
        digest = str(entry.get("hash"))
        if kind == "record":
            computed = hash_record(entry, site_key, site_id)
            if computed != digest:
                report.problem(seq, *_diagnose(entry, site_key, site_id, recent))
            elif not gap and entry.get("prev_hash") != expected_prev:
                report.problem(seq, "relinked", "entry does not link to the previous entry's hash")
        elif not gap and entry.get("prev_hash") != expected_prev:
            report.problem(seq, "relinked", "entry does not link to the previous entry", kind)
        if seq in pinned and pinned[seq] != digest:
            report.problem(
                seq,
                "checkpoint_mismatch",
                "entry differs from the signed checkpoint of that position (rewritten)",
                kind,
            )
        recent[digest] = seq
        if len(recent) > 4096:
            recent.popitem(last=False)
        expected_seq, expected_prev = seq + 1, digest
        report.last_seq, report.last_hash = seq, digest
    if report.last_seq < purged_to:
        report.last_seq, report.last_hash = purged_to, anchor
    for seq, digest in sorted(pinned.items()):
        if seq > report.last_seq:
            report.problem(
                seq,
                "tail_deleted",
                f"a signed checkpoint covers entries up to {seq}, but the chain ends at "
                f"{report.last_seq}: entries {report.last_seq + 1}..{seq} were deleted",
                "checkpoint",
            )
            break
        if seq == purged_to and digest != anchor:
            report.problem(
                seq, "checkpoint_mismatch", "purge anchor differs from the checkpoint", "purge"
            )
        elif seq < purged_to:
            report.notes.append(f"checkpoint at {seq} precedes the retained chain (purged)")
    if head is not None and head != (report.last_seq, report.last_hash):
        report.problem(
            head[0],
            "head_mismatch",
            f"the chain ends at entry {report.last_seq} but the site's head is entry {head[0]}",
            "head",
        )
    return report


def _check_checkpoint_signatures(
    checkpoints: Iterable[Mapping[str, Any]],
    site_key: str,
    keys: Mapping[str, str],
    report: Report,
) -> dict[int, str]:
    """Checkpoints with a valid signature by a trusted key, as {seq: hash}."""
    pinned: dict[int, str] = {}
    for cp in checkpoints:
        if cp.get("site") not in (None, site_key):
            continue
        report.checkpoints_checked += 1
        seq, digest = int(cp["seq"]), str(cp["hash"])
        key = keys.get(str(cp.get("key_id")))
        message = statement(
            "checkpoint", site_key, seq, digest, str(cp.get("signed_at")), str(cp.get("key_id"))
        )
        if key is None:
            report.problem(
                seq, "bad_checkpoint", "checkpoint signed by an unknown key", "checkpoint"
            )
            continue
        if not signature_ok(key, str(cp.get("signature")), message):
            report.problem(seq, "bad_checkpoint", "checkpoint signature is not valid", "checkpoint")
            continue
        if pinned.get(seq, digest) != digest:
            report.problem(
                seq, "checkpoint_mismatch", "two signed checkpoints disagree", "checkpoint"
            )
        pinned[seq] = digest
        latest = report.latest_checkpoint
        if latest is None or seq >= int(latest["seq"]):
            report.latest_checkpoint = {k: cp.get(k) for k in CHECKPOINT_FIELDS}
    return pinned


CHECKPOINT_FIELDS = ("site", "seq", "hash", "signed_at", "key_id", "public_key", "signature")


def _diagnose(
    entry: Mapping[str, Any], site_key: str, site_id: int | None, recent: Mapping[str, int]
) -> tuple[str, str]:
    """A record whose hash does not match: renumbered (its content hashes right at another
    position) or edited?"""
    seq = int(entry["seq"])
    origin = recent.get(str(entry.get("prev_hash")))
    candidates = [origin + 1] if origin is not None else []
    for distance in range(1, RENUMBER_SEARCH + 1):
        candidates += [seq + distance, seq - distance]
    for candidate in candidates:
        if candidate > 0 and candidate != seq:
            moved = dict(entry, seq=candidate)
            if record_hash(moved, site_key, site_id) == entry.get("hash"):
                return "renumbered", f"record was entry {candidate}: renumbered or reordered"
    return "altered", "record content does not match its hash (edited)"


#: how far from its place a renumbered record is looked for (each try is one SHA-256)
RENUMBER_SEARCH = 64


# --- the standalone command ---------------------------------------------------------------


@dataclass
class Export:
    header: dict[str, Any]
    purges: list[dict[str, Any]]
    checkpoints: list[dict[str, Any]]
    path: Path


class ExportError(ValueError):
    """The file is not a ledger export (the message says where and why)."""


def read_export(path: Path) -> Export:
    """Read the header, purges and checkpoints; records are streamed by :func:`records_of`."""
    header: dict[str, Any] | None = None
    purges: list[dict[str, Any]] = []
    checkpoints: list[dict[str, Any]] = []
    for number, line in _lines(path):
        kind = line.get("kind")
        if number == 1:
            if kind != "header" or line.get("format") != EXPORT_FORMAT:
                raise ExportError(f"{path}: line 1 is not a {EXPORT_FORMAT} header")
            header = line
        elif kind == "purge":
            purges.append(line)
        elif kind == "checkpoint":
            checkpoints.append(line)
        elif kind == "record":
            break
        else:
            raise ExportError(f"{path}:{number}: unknown kind {kind!r}")
    if header is None:
        raise ExportError(f"{path}: empty file")
    return Export(header, purges, checkpoints, path)


def records_of(export: Export) -> Iterator[dict[str, Any]]:
    for number, line in _lines(export.path):
        if line.get("kind") == "record":
            if not isinstance(line.get("seq"), int):
                raise ExportError(f"{export.path}:{number}: record without a numeric seq")
            yield line


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        with path.open(encoding="utf-8") as handle:
            for number, text in enumerate(handle, 1):
                if not text.strip():
                    continue
                try:
                    value = json.loads(text)
                except (ValueError, RecursionError):  # a line nested too deeply is not JSON
                    raise ExportError(f"{path}:{number}: not JSON") from None
                if not isinstance(value, dict):
                    raise ExportError(f"{path}:{number}: not a JSON object")
                yield number, value
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: cannot read ({exc})") from None


def read_checkpoints(path: Path) -> list[dict[str, Any]]:
    """A checkpoint file: JSON lines (or one JSON object or list) of signed checkpoints."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: cannot read ({exc})") from None
    try:
        value = json.loads(text)
        items = value if isinstance(value, list) else [value]
    except (ValueError, RecursionError):
        items = [value for _, value in _lines(path)]
    out: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict) or not {"seq", "hash", "signature", "public_key"} <= set(
            item
        ):
            raise ExportError(f"{path}: not a checkpoint: {str(item)[:80]}")
        out.append(item)
    return out


def verify_export(
    export: Export,
    checkpoint_files: Iterable[Path] = (),
    public_keys: Iterable[str] = (),
) -> Report:
    """Verify an export; signatures are checked against the pinned ``public_keys`` and the
    keys in the auditor's own checkpoint files (never only against the export's own keys: whoever
    wrote a forged export could have signed it with a key of their own)."""
    header = export.header
    site_key = str(header.get("site_key"))
    site_id = header.get("site_id")
    own: list[dict[str, Any]] = []
    for path in checkpoint_files:
        own.extend(read_checkpoints(path))
    trusted = {key_id_of(k): k for k in public_keys}
    trusted.update({str(cp["key_id"]): str(cp["public_key"]) for cp in own if cp.get("key_id")})
    notes: list[str] = []
    if not trusted:
        trusted = {
            str(k["key_id"]): str(k["public_key"])
            for k in header.get("public_keys", [])
            if isinstance(k, dict)
        }
        notes.append(
            "no key pinned (--public-key) and no checkpoint file of your own (--checkpoint): "
            "signatures were checked against the keys the export itself names"
        )
    head = header.get("head") or {}
    report = verify_chain(
        site_key,
        site_id if isinstance(site_id, int) else None,
        export.purges,
        records_of(export),
        keys=trusted,
        checkpoints=[*export.checkpoints, *own],
        head=(int(head["seq"]), str(head["hash"])) if head else None,
    )
    report.notes[:0] = notes
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="verifier.py",
        description="Verify a cookie-audit consent ledger export (exit 0 intact, 1 tampered, "
        "2 unreadable input).",
    )
    parser.add_argument("export", type=Path, help="the export (consents export --format ledger)")
    parser.add_argument(
        "--checkpoint",
        type=Path,
        action="append",
        default=[],
        help="your own copy of signed checkpoints (JSON lines); repeatable",
    )
    parser.add_argument(
        "--public-key",
        action="append",
        default=[],
        help="the ledger's public key (base64), pinned; repeatable",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        report = verify_export(read_export(args.export), args.checkpoint, args.public_key)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print_report(report, as_json=args.json)
    return 0 if report.ok else 1


def print_report(report: Report, *, as_json: bool = False, out: Any = None) -> None:
    stream = out or sys.stdout
    if as_json:
        print(json.dumps(report.json(), indent=2), file=stream)
        return
    for problem in report.problems:
        where = f"entry {problem['seq']}" if problem["seq"] is not None else "purge log"
        print(f"{where} [{problem['code']}]: {problem['problem']}", file=stream)
    if report.problem_count > len(report.problems):
        print(f"... and {report.problem_count - len(report.problems)} more", file=stream)
    for note in report.notes:
        print(f"note: {note}", file=stream)
    latest = report.latest_checkpoint
    anchored = f", latest checkpoint {latest['seq']} ({latest['signed_at']})" if latest else ""
    status = "ok" if report.ok else f"TAMPERED ({report.problem_count} problem(s))"
    print(
        f"{status}: site {report.site_key}, {report.records} records, {report.purges} purges, "
        f"head {report.last_seq} {report.last_hash}{anchored}",
        file=stream,
    )


if __name__ == "__main__":
    sys.exit(main())
