"""Run the benchmarks: `python -m benchmarks` (all), `python -m benchmarks classify crawl`, or one
benchmark with its own options: `python -m benchmarks findings --show all`."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks


def main(argv: list[str]) -> int:
    known = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if not m.name.startswith("_")
    )
    options: list[str] = []
    if any(a.startswith("-") for a in argv):
        # one benchmark and its options
        argv, options = argv[:1], argv[1:]
    names = argv or known
    unknown = [n for n in names if n not in known]
    if unknown:
        print(
            f"usage: python -m benchmarks [NAME ...] | NAME --options; "
            f"no benchmark {', '.join(unknown)}; there are: {', '.join(known)}",
            file=sys.stderr,
        )
        return 2
    status = 0
    for name in names:
        print(f"== benchmark: {name}", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        status |= int(module.main(options) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
