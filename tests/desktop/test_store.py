"""The counter's local store survives crashes at any moment."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from barberbot.desktop.store import LocalStore
from barberbot.inquiries.rules import InquiryCreate
from tests.factories import inquiry_payload

SAVE_FOREVER = """
import sys
from pathlib import Path
from barberbot.desktop.store import LocalStore
from barberbot.inquiries.rules import InquiryCreate
store = LocalStore(Path(sys.argv[1]))
n = 0
while True:
    n += 1
    saved = store.save(InquiryCreate.model_validate({
        "customer_name": f"Customer {n}", "age": 30, "gender": "male",
        "inquiry_type": "haircut", "phone": "+44 7700 900123"}))
    print(saved.id, flush=True)  # confirmed: the form would now say "Saved"
"""


def _inquiry(**overrides: object) -> InquiryCreate:
    return InquiryCreate.model_validate(inquiry_payload(**overrides))


def test_saved_inquiries_are_there_after_a_restart(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "counter.db")
    first = store.save(_inquiry(customer_name="Zoë Núñez 💈"))
    store.save(_inquiry(customer_name="Second"))
    store.close()

    reopened = LocalStore(tmp_path / "counter.db")

    saved = reopened.all()
    assert [s.data["customer_name"] for s in saved] == ["Zoë Núñez 💈", "Second"]
    assert saved[0].id == first.id
    assert reopened.pending_count() == 2


def test_marking_synced_leaves_only_the_rest_pending(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "counter.db")
    first = store.save(_inquiry())
    store.save(_inquiry(customer_name="Later"))

    store.mark_synced([first.id])

    assert [p.data["customer_name"] for p in store.pending()] == ["Later"]
    assert store.pending_count() == 1


def test_every_confirmed_save_survives_a_kill_mid_write(tmp_path: Path) -> None:
    path = tmp_path / "counter.db"
    confirmed: list[str] = []
    for _ in range(3):  # killed three times, at whatever it was doing
        child = subprocess.Popen(
            [sys.executable, "-c", SAVE_FOREVER, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        deadline = time.monotonic() + 0.8
        while time.monotonic() < deadline:
            confirmed.append(child.stdout.readline().strip())
        child.send_signal(signal.SIGKILL)
        child.wait()
        confirmed += [line.strip() for line in child.stdout if line.strip()]

    stored = {str(s.id) for s in LocalStore(path).all()}

    assert len(confirmed) > 30
    assert set(confirmed) <= stored
