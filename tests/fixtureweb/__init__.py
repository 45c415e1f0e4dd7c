"""The local test internet: every module in `sites/` contributes `SITES = {host: wsgi_app}`.

Add a site by adding a module; nothing else to register. Hosts may be real tracker names
(`www.google-analytics.com`) or fictional first parties (`www.shop.test`). `*.example.com`
matches any subdomain. Serve them with `scanner.demo.server.LocalWeb(all_sites())`.
"""

from __future__ import annotations

import importlib
import pkgutil

from scanner.demo.server import WSGIApp

from . import sites as _sites_pkg


def all_sites() -> dict[str, WSGIApp]:
    merged: dict[str, WSGIApp] = {}
    for info in sorted(pkgutil.iter_modules(_sites_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{_sites_pkg.__name__}.{info.name}")
        for host, app in getattr(module, "SITES", {}).items():
            if host in merged and merged[host] is not app:
                raise RuntimeError(f"fixture host {host} defined twice (in {info.name})")
            merged[host] = app
    return merged
