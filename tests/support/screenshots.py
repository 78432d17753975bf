"""Where the tests put their screenshots: build/screenshots/, which git ignores.

A test run never touches the tracked docs/screenshots/ the README shows; `make screenshots`
copies these there when the pictures should change.
"""

from __future__ import annotations

from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
