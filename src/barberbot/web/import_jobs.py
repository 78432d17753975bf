"""Imports started in the browser, run in a thread of the server: one transaction, committed
when every row is stored, rolled back (new inquiry types too) on any refusal or failure. The
progress goes to the upload's folder, where the page's status requests read it."""

from __future__ import annotations

import logging
import threading

from barberbot.core.db import Database
from barberbot.forms import service as forms
from barberbot.forms.store import AnswerStore, AnswersUnavailable
from barberbot.imports.review import ImportRefused, import_upload
from barberbot.imports.uploads import Upload
from barberbot.models import Shop

log = logging.getLogger("barberbot.imports")
STEPS = 50  # status writes per import, at most (besides the first and the last)


class ImportJobs:
    """The imports running in this server, one per upload at most."""

    def __init__(self) -> None:
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def start(self, db: Database, answers: AnswerStore, upload: Upload, rows: int) -> bool:
        """Start importing the upload; False if it is running already."""
        with self._lock:
            running = self._threads.get(upload.id)
            if running is not None and running.is_alive():
                return False
            upload.set_status(state="running", phase="Checking the rows", done=0, total=2 * rows)
            thread = threading.Thread(
                target=run_import, args=(db, answers, upload, rows), name=f"import-{upload.id}"
            )
            thread.daemon = True  # a stopped server leaves the transaction uncommitted
            self._threads[upload.id] = thread
            thread.start()
            return True

    def wait(self) -> None:
        """Until every import started so far has ended."""
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join()


class _Progress:
    """Counts rows checked, then stored, writing the status every so often."""

    def __init__(self, upload: Upload, rows: int) -> None:
        self.upload, self.total, self.done = upload, max(2 * rows, 1), 0
        self._every = max(self.total // STEPS, 1)
        self._next = self._every

    def __call__(self, count: int) -> None:
        self.done += count
        if self.done >= self._next:
            self._next = self.done + self._every
            checking = self.done <= self.total // 2
            phase = "Checking the rows" if checking else "Saving the inquiries"
            self.upload.set_status(state="running", phase=phase, done=self.done, total=self.total)


def run_import(db: Database, answers: AnswerStore, upload: Upload, rows: int) -> None:
    progress = _Progress(upload, rows)
    try:
        with db.transaction() as session:
            shop = session.get(Shop, upload.shop_id)
            if shop is None:
                raise ImportRefused("The shop is gone.")
            form = forms.current(session, shop)
            result = import_upload(session, upload, shop, form, answers, progress)
    except ImportRefused as refused:
        upload.set_status(state="failed", message=str(refused))
        return
    except AnswersUnavailable:
        upload.set_status(
            state="failed",
            message="The store of your customers' answers cannot be reached just now, so "
            "nothing was imported. Try again in a few minutes.",
        )
        return
    except Exception:
        log.exception("import %s failed", upload.id)
        upload.set_status(
            state="failed", message="Something went wrong, so nothing was imported. Try again."
        )
        return
    upload.forget_file()
    upload.set_status(
        state="done",
        added=result.added,
        known=len(result.plan.captures) - result.added,
        repeats=len(result.plan.repeats),
        new_types=list(result.new_types.values()),
    )
