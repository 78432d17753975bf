"""A test run leaves the tracked docs/screenshots/ alone: pictures go to an ignored build folder."""

from __future__ import annotations

from pathlib import Path

from tests.support.screenshots import SCREENSHOTS

ROOT = Path(__file__).resolve().parents[1]


def test_screenshots_go_to_a_folder_git_ignores() -> None:
    assert SCREENSHOTS.is_relative_to(ROOT / "build")
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "build/" in ignored or "/build/" in ignored
