"""Simulated trackers on their real host names (see the contracts): shared with the demo site.

The apps live in the package (`scanner.demo.trackers`) because `cookie-audit demo` serves them
too, offline; the fixture web serves the very same apps.
"""

from __future__ import annotations

from scanner.demo.trackers import SITES

__all__ = ["SITES"]
