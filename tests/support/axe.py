"""axe-core (the rules a browser's accessibility audit uses) on a Playwright page."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

_axe = Axe()


def assert_accessible(page: Page) -> None:
    """No axe-core violation on the page as it stands (every rule, every impact)."""
    results = _axe.run(page)
    assert results.violations_count == 0, results.generate_report()
