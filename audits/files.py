"""`audit apply FILE` and `audit export`: audits kept as YAML in git.

    audits:
      - name: shop
        url: https://www.shop.test/
        every: weekly              # hourly | daily | weekly | monthly | 5-field cron (UTC)
        policy: policies/shop.yaml # a file beside this one, or the declaration inline
        alerts: [email:dpo@shop.test]

The whole file is validated before anything is applied; the first problem is one line naming
the file, the audit and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from audits.errors import AuditInputError
from audits.spec import AuditSpec, build_spec
from scanner.inputs import FileTooLargeError, load_yaml, read_limited
from scanner.policy.declaration import MAX_DECLARATION_BYTES

MAX_FILE_BYTES = 2_000_000


def load_file(path: Path) -> list[AuditSpec]:
    where = str(path)
    try:
        text = read_limited(path, MAX_FILE_BYTES).decode("utf-8")
    except FileTooLargeError:
        raise AuditInputError(f"{where}: larger than {MAX_FILE_BYTES // 1_000_000} MB") from None
    except FileNotFoundError:
        raise AuditInputError(f"{where}: no such file") from None
    except UnicodeDecodeError:
        raise AuditInputError(f"{where}: not UTF-8 text") from None
    except IsADirectoryError:
        raise AuditInputError(f"{where}: is a directory") from None
    except OSError as exc:
        raise AuditInputError(f"{where}: cannot be read: {exc.strerror}") from None
    try:
        raw: Any = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise AuditInputError(f"{where}: not valid YAML{at}: {problem}") from None
    if isinstance(raw, dict) and set(raw) <= {"audits"}:
        raw = raw.get("audits") or []
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise AuditInputError(f"{where}: expected a list of audits under `audits:`")
    specs = []
    for index, item in enumerate(raw, start=1):
        label = f"{where}: audit {index}"
        if not isinstance(item, dict):
            raise AuditInputError(f"{label}: expected a mapping (name, url, every, ...)")
        if isinstance(item.get("name"), str):
            label += f" ({item['name']})"
        item = dict(item)
        policy = item.get("policy")
        if isinstance(policy, str) and "\n" not in policy:
            item["policy"] = _policy_file(path.parent / policy, label)
        specs.append(build_spec(item, f"{label}: "))
    return specs


def _policy_file(path: Path, label: str) -> str:
    try:
        return read_limited(path, MAX_DECLARATION_BYTES).decode("utf-8")
    except FileTooLargeError:
        raise AuditInputError(
            f"{label}: policy: {path} is larger than {MAX_DECLARATION_BYTES:,} bytes"
        ) from None
    except FileNotFoundError:
        raise AuditInputError(f"{label}: policy: no such file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditInputError(f"{label}: policy: cannot read {path}: {exc}") from None


def dump(specs: list[AuditSpec]) -> str:
    """The YAML of `audit export`: `audit apply` of it changes nothing."""
    documents = [s.to_document() for s in specs]
    header = "# cookie-audit audits (cookie-audit audit export); apply with `audit apply FILE`\n"
    return header + yaml.safe_dump(
        {"audits": documents}, sort_keys=False, allow_unicode=True, width=100
    )
