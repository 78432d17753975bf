"""The Excel workbook the owner can open at any time, kept up to date in the background.

Saving an inquiry only writes the local store (constant time). The workbook is then rebuilt
from the store by a child process (write-only openpyxl into a temporary file, then an atomic
rename), several quick saves coalescing into one rebuild. A process, not a thread: the rebuild
grows with the workbook and must not take the window's interpreter lock. So the 10,000th save
is as quick as the first, and a crash mid-write leaves the previous workbook intact.

    python -m barberbot.desktop.workbook STORE.db WORKBOOK.xlsx TYPES.json [FORM.json]

The shop's own questions follow the standard columns, headed by their labels (which
`barberbot import` reads back as answers): the cached form's questions in order, then any
other question an earlier inquiry answered, headed by its key.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from barberbot.core.choices import Gender
from barberbot.desktop.config import form_cache
from barberbot.desktop.store import LocalStore, SavedInquiry
from barberbot.forms.answers import readable
from barberbot.forms.definition import NO_FORM, FormDefinition

log = logging.getLogger("barberbot.desktop.workbook")

# (header, width, value of a saved inquiry)
Column = tuple[str, int, Callable[[SavedInquiry, Mapping[str, str]], Any]]
COLUMNS: tuple[Column, ...] = (
    ("Saved at", 20, lambda s, _: s.saved_at.astimezone().replace(tzinfo=None)),
    ("Name", 28, lambda s, _: s.data["customer_name"]),
    ("Age", 6, lambda s, _: s.data["age"]),
    ("Gender", 18, lambda s, _: Gender(s.data["gender"]).label),
    (
        "Inquiry type",
        20,
        lambda s, types: types.get(s.data["inquiry_type"], s.data["inquiry_type"]),
    ),
    ("Phone", 18, lambda s, _: s.data.get("phone")),
    ("E-mail", 30, lambda s, _: s.data.get("email")),
    ("Message", 50, lambda s, _: s.data.get("message") or None),
    ("Marketing consent", 10, lambda s, _: "yes" if s.data.get("marketing_consent") else "no"),
    ("Location", 16, lambda s, _: s.data.get("location")),
    ("Synced", 12, lambda s, _: _synced(s)),
    ("Id", 38, lambda s, _: str(s.id)),
)


def _synced(saved: SavedInquiry) -> str:
    if saved.rejected:
        return "refused: " + " ".join(saved.rejected.values())
    return "yes" if saved.synced else "no"


def _temporary_name(path: Path) -> tuple[str, str]:
    """(prefix, suffix) of the temporary files a rebuild of `path` writes beside it."""
    return f".~{path.stem}.", path.suffix


def _remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete the half-written files of rebuilds a crash or a power cut stopped."""
    prefix, suffix = _temporary_name(path)
    if not path.parent.is_dir():
        return []
    stale = [
        p for p in path.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(suffix)
    ]
    for temporary in stale:
        temporary.unlink(missing_ok=True)
    return stale


STANDARD_BEFORE_ANSWERS = 10  # the answers go between Location and Synced


def columns(inquiries: list[SavedInquiry], form: FormDefinition = NO_FORM) -> list[Column]:
    """The standard columns with one per question answered or asked."""
    headers = {f.key: f.label for f in form.fields}
    keys = list(headers)
    for saved in inquiries:
        keys += [key for key in saved.data.get("answers") or {} if key not in keys]
    answers = [(headers.get(key, key), 24, _answer(key)) for key in keys]
    before, after = COLUMNS[:STANDARD_BEFORE_ANSWERS], COLUMNS[STANDARD_BEFORE_ANSWERS:]
    return [*before, *answers, *after]


def _answer(key: str) -> Callable[[SavedInquiry, Mapping[str, str]], Any]:
    def value(saved: SavedInquiry, _: Mapping[str, str]) -> Any:
        answer = (saved.data.get("answers") or {}).get(key)
        return None if answer is None else readable(answer)

    return value


def write_workbook(
    path: Path,
    inquiries: list[SavedInquiry],
    types: Mapping[str, str],
    form: FormDefinition = NO_FORM,
) -> None:
    """Write the whole workbook to a temporary file beside `path`, then swap it in atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Inquiries")
    shown = columns(inquiries, form)
    for index, (_, width, _) in enumerate(shown, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_header(sheet, title) for title, _, _ in shown])
    for saved in inquiries:
        sheet.append([_cell(sheet, value(saved, types)) for _, _, value in shown])
    prefix, suffix = _temporary_name(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=suffix)
    os.close(handle)
    try:
        workbook.save(temporary)
        _fsync(temporary)  # the new workbook's bytes on disk before the rename points at them
        os.replace(temporary, path)
        _fsync(path.parent)  # and the rename itself, so a power cut cannot undo it
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _fsync(path: Path | str) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _header(sheet: WriteOnlyWorksheet, title: str) -> Any:
    cell = WriteOnlyCell(sheet, value=title)
    cell.font = Font(bold=True)
    return cell


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """Plain values (fast), except text openpyxl would take for a formula."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value  # datetimes get openpyxl's date format: real dates in Excel


class WorkbookKeeper:
    """Rebuilds the workbook after saves, in the background, coalescing bursts."""

    def __init__(
        self,
        path: Path,
        store: LocalStore,
        types: Mapping[str, str],
        form: FormDefinition = NO_FORM,
    ) -> None:
        self.path = path
        self.store = store
        self.types = dict(types)
        self.form = form
        self.last_error: str | None = None
        removed = _remove_stale_temporaries(path)  # none of this keeper's rebuilds runs yet
        if removed:
            log.info("removed half-written workbooks", extra={"files": len(removed)})
        self._wanted = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="workbook", daemon=True)
        self._thread.start()

    def refresh(self) -> None:
        """Ask for a rebuild soon; returns at once."""
        self._idle.clear()
        self._wanted.set()

    def write_now(self) -> None:
        """Rebuild the workbook in a child process and wait for it."""
        done = subprocess.run(
            [sys.executable, "-m", __name__, str(self.store.path), str(self.path),
             json.dumps(self.types), form_json(self.form)],
            capture_output=True,
            text=True,
        )  # fmt: skip
        if done.returncode == 0:
            self.last_error = None
            return
        # e.g. the workbook is open, and so locked, in Excel on Windows
        reason = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        self.last_error = f"Could not update {self.path.name}: {reason}"
        log.warning("workbook not written", extra={"error": reason})

    def wait_idle(self, timeout: float = 30.0) -> bool:
        return self._idle.wait(timeout)

    def close(self) -> None:
        self._stopping = True
        self._wanted.set()
        self._thread.join(30)
        self.write_now()

    def _run(self) -> None:  # the keeper's thread: it mostly waits for the child process
        while not self._stopping:
            self._wanted.wait()
            if self._stopping:
                return
            self._wanted.clear()
            self.write_now()
            if not self._wanted.is_set():
                self._idle.set()


def form_json(form: FormDefinition) -> str:
    return json.dumps(form_cache(form))


def form_from_json(text: str) -> FormDefinition:
    body = json.loads(text)
    return FormDefinition.from_stored(body["version"], body["fields"])


def main(arguments: list[str]) -> None:
    store_path, workbook_path, types, *rest = arguments
    form = form_from_json(rest[0]) if rest else NO_FORM
    store = LocalStore(Path(store_path))
    try:
        write_workbook(Path(workbook_path), store.all(), json.loads(types), form)
    finally:
        store.close()


if __name__ == "__main__":
    main(sys.argv[1:])
