"""Where cookies get their category: knowledge base first, then heuristics that say they guess.

Categories are those of a real policy (technical, session, tracking, google_analytics) plus
other `analytics` and `unknown`; see `classifier.py` for the order of evidence.
"""

from __future__ import annotations

from scanner.classify.classifier import Classifier, default_user_dirs
from scanner.classify.knowledge import KnowledgeBase, KnowledgeError
from scanner.classify.ocd import import_open_cookie_database
from scanner.classify.scan import classify_scan

__all__ = [
    "Classifier",
    "KnowledgeBase",
    "KnowledgeError",
    "classify_scan",
    "default_user_dirs",
    "import_open_cookie_database",
]
