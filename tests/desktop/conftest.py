from __future__ import annotations

import gc
import tkinter as tk
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from barberbot.core.choices import DEFAULT_INQUIRY_TYPES
from barberbot.desktop.app import CounterApp
from barberbot.desktop.config import DesktopConfig
from barberbot.desktop.store import LocalStore
from barberbot.desktop.window import InquiryWindow
from barberbot.desktop.workbook import WorkbookKeeper
from barberbot.forms.definition import NO_FORM, FormDefinition
from barberbot.models import Shop, User
from tests.factories import form_fields, make_token
from tests.support.xvfb import VirtualDisplay

MakeApp = Callable[[DesktopConfig], CounterApp]


@pytest.fixture(scope="package", autouse=True)
def _tk_garbage_freed_on_this_thread() -> Iterator[None]:
    """Tk variables in reference cycles are freed only by collections run here, on Tk's
    thread: one run by a test's server thread would make each raise "main thread is not in
    main loop" (an unraisable error that fails that test). So no automatic collection while
    the desktop tests run; each window's teardown collects, and so does the end."""
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()


@pytest.fixture(autouse=True)
def _previous_tests_garbage_freed() -> None:
    """What the test before left (its arguments are let go after its teardown)."""
    gc.collect()


@pytest.fixture(scope="session")
def display() -> Iterator[VirtualDisplay]:
    with VirtualDisplay(1024, 768) as display:
        yield display


@pytest.fixture
def counter(display: VirtualDisplay, tmp_path: Path) -> Iterator[InquiryWindow]:
    """The real Tk window on the virtual screen, with its own store and workbook."""
    with open_window(tmp_path) as window:
        yield window


@pytest.fixture
def asking(display: VirtualDisplay, tmp_path: Path) -> Iterator[InquiryWindow]:
    """The window of a shop with a form of every question type (cached for offline use)."""
    with open_window(tmp_path, FormDefinition.from_stored(3, form_fields())) as window:
        yield window


@contextmanager
def open_window(tmp_path: Path, form: FormDefinition = NO_FORM) -> Iterator[InquiryWindow]:
    store = LocalStore(tmp_path / "counter.db")
    types = dict(DEFAULT_INQUIRY_TYPES)
    keeper = WorkbookKeeper(tmp_path / "inquiries.xlsx", store, types, form)
    root = tk.Tk()
    window = InquiryWindow(root, store, keeper, types, form=form)
    root.update()
    yield window
    window.close()
    root.destroy()
    gc.collect()  # Tk variables in reference cycles must be freed on this (Tk's) thread
    keeper.close()
    store.close()


@pytest.fixture
def make_app(display: VirtualDisplay, tmp_path: Path) -> Iterator[MakeApp]:
    apps: list[CounterApp] = []

    def make(config: DesktopConfig) -> CounterApp:
        root = tk.Tk()
        app = CounterApp(root, tmp_path / "data", config, tmp_path / "desktop.json")
        root.update()
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.quit()
    gc.collect()  # Tk variables in reference cycles must be freed on this (Tk's) thread


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    store = LocalStore(tmp_path / "counter.db")
    yield store
    store.close()


@pytest.fixture
def config(session: Session, shop: Shop, owner: User) -> Callable[[int], DesktopConfig]:
    """The counter's settings for a server on a port, with a token of the shop's owner."""
    token = make_token(session, owner, "counter")

    def for_port(port: int) -> DesktopConfig:
        return DesktopConfig(server_url=f"http://127.0.0.1:{port}", shop=shop.slug, api_token=token)

    return for_port
