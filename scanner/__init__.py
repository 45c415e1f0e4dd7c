"""Observe and judge a site: crawl it in three consent states, classify cookies, check policy."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
