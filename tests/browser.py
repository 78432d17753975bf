"""Headless Chromium (Debian's, driven by Playwright) against the app served by uvicorn.

A pytest plugin (see tests/conftest.py): the web form's and the dashboard's tests share it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.support.live import LiveServer
from tests.support.screenshots import SCREENSHOTS, partial

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def live_url(app: FastAPI) -> Iterator[str]:
    with LiveServer(app) as server:
        yield server.url


def _page(browser: Browser, width: int, height: int) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": width, "height": height})
    yield context.new_page()
    context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A phone-sized page, like the form embedded on a shop's website."""
    yield from _page(browser, 480, 1000)


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    """A desktop-sized page, like an owner's screen."""
    yield from _page(browser, 1280, 900)


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    written = partial(path)
    page.screenshot(path=str(written), full_page=True)
    written.replace(path)
    return path
