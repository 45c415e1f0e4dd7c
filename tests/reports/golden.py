"""Golden files: whole expected outputs kept in tests/reports/golden/.

Run with REPORTS_UPDATE_GOLDEN=1 to rewrite them after an intended change, then read the
diff in git before committing: the golden file is the review.
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, actual: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("REPORTS_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual)
    expected = path.read_bytes()
    assert actual == expected, f"{name} differs from its golden file (see {path})"
