"""Where the tests put their screenshots: build/screenshots/, which git ignores.

A test run never touches the tracked docs/screenshots/ the README shows; `make screenshots`
copies these there when the pictures should change.
"""

from __future__ import annotations

import os
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def partial(path: Path) -> Path:
    """Where to write a screenshot before it replaces `path` whole: the SQLite and MariaDB
    runs go side by side, and may take the same picture at the same time."""
    return path.with_name(f".{os.getpid()}.{path.name}")
