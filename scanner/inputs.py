"""Reading the files a person names on the command line or in audits.yaml.

Two guards that a size check and ``yaml.safe_load`` alone miss: ``stat`` reports no size for a
pipe or a device (``--policy /dev/zero`` read until the machine ran out of memory), and PyYAML's
composer recurses once per nesting level (``a: [[[[...`` ended in a ``RecursionError``
traceback instead of "not valid YAML").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class FileTooLargeError(ValueError):
    def __init__(self, path: Path, limit: int) -> None:
        super().__init__(f"{path}: larger than {limit:,} bytes")
        self.limit = limit


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, or FileTooLargeError once more than ``limit`` come; OSError as
    ``open`` raises it."""
    with Path(path).open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLargeError(Path(path), limit)
    return data


def load_yaml(text: str) -> Any:
    """``yaml.safe_load``; a document nested too deeply for the parser is a YAMLError too."""
    try:
        return yaml.safe_load(text)
    except RecursionError:
        raise yaml.YAMLError("nested too deeply") from None
