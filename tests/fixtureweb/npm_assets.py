"""Where the real consent banners from npm live, and a tiny WSGI app that serves them.

`scripts/test-setup.sh` installs them (pinned) into `<repo>/.cache/npm/node_modules`; the test
fixtures run it once per session so the folder is never missing (see `ensure_npm_banners`).
"""

from __future__ import annotations

import mimetypes
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / ".cache" / "npm" / "node_modules"
PACKAGES = ("tarteaucitronjs", "klaro", "vanilla-cookieconsent", "cookieconsent")


class NpmBannersMissing(RuntimeError):
    pass


def ensure_npm_banners() -> Path:
    """Run scripts/test-setup.sh when a banner package is missing; fail clearly if it cannot."""
    if all((NODE_MODULES / p / "package.json").is_file() for p in PACKAGES):
        return NODE_MODULES
    proc = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "test-setup.sh")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    missing = [p for p in PACKAGES if not (NODE_MODULES / p / "package.json").is_file()]
    if missing:
        raise NpmBannersMissing(
            f"consent banners from npm are missing ({', '.join(missing)}) in {NODE_MODULES}: "
            f"run `make test` (it runs scripts/test-setup.sh). Setup said: {proc.stderr.strip()}"
        )
    return NODE_MODULES


def serve_npm(
    environ: dict[str, Any], start_response: Callable[..., Any], subpath: str
) -> Iterable[bytes]:
    """Serve `node_modules/<subpath>` (only the four banner packages, no path escapes)."""
    target = (NODE_MODULES / subpath).resolve()
    allowed = any(target.is_relative_to(NODE_MODULES / p) for p in PACKAGES)
    if not allowed or not target.is_file():
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [f"not found: {subpath} (run scripts/test-setup.sh)".encode()]
    kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if target.suffix == ".js":
        kind = "application/javascript"
    start_response("200 OK", [("Content-Type", kind), ("Cache-Control", "max-age=3600")])
    return [target.read_bytes()]
