from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from barberbot.inquiries.writer import IdempotencyConflict
from barberbot.streaming.outbox import REMEMBER_SECONDS, Outbox


def test_messages_wait_in_order_and_survive_a_reopen(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    for n in range(3):
        outbox.add(b"kings", f"message {n}".encode(), inquiry_id=uuid.uuid4(), fingerprint="f")
    outbox.close()

    reopened = Outbox(tmp_path / "outbox.db")
    pending = reopened.peek(10)

    assert [p.value for p in pending] == [b"message 0", b"message 1", b"message 2"]
    assert reopened.backlog() == 3


def test_remove_deletes_only_the_acknowledged(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    for n in range(3):
        outbox.add(b"k", str(n).encode(), inquiry_id=uuid.uuid4(), fingerprint="f")
    first, _, third = outbox.peek(10)

    outbox.remove([first.seq, third.seq])

    assert [p.value for p in outbox.peek(10)] == [b"1"]


def test_an_id_accepted_again_with_the_same_fingerprint_is_not_queued_again(
    tmp_path: Path,
) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    inquiry_id = uuid.uuid4()

    assert outbox.add(b"k", b"v1", inquiry_id=inquiry_id, fingerprint="fp") is True
    assert outbox.add(b"k", b"v2", inquiry_id=inquiry_id, fingerprint="fp") is False
    assert outbox.backlog() == 1


def test_an_id_accepted_again_with_other_content_is_refused(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    inquiry_id = uuid.uuid4()
    outbox.add(b"k", b"v1", inquiry_id=inquiry_id, fingerprint="fp-a")

    with pytest.raises(IdempotencyConflict):
        outbox.add(b"k", b"v2", inquiry_id=inquiry_id, fingerprint="fp-b")

    assert outbox.backlog() == 1


def test_accepted_ids_are_remembered_for_a_day_after_they_are_sent(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    old, recent = uuid.uuid4(), uuid.uuid4()
    outbox.add(b"k", b"old", inquiry_id=old, fingerprint="f")
    outbox.add(b"k", b"recent", inquiry_id=recent, fingerprint="f")
    outbox._db.execute(
        "UPDATE accepted SET at = at - ? WHERE inquiry_id = ?", (REMEMBER_SECONDS + 1, str(old))
    )

    outbox.remove([pending.seq for pending in outbox.peek(10)])

    assert outbox.add(b"k", b"old again", inquiry_id=old, fingerprint="f") is True
    assert outbox.add(b"k", b"recent again", inquiry_id=recent, fingerprint="f") is False
