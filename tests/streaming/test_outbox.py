from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from barberbot.streaming.outbox import IdempotencyMismatch, Outbox


def test_messages_wait_in_order_and_survive_a_reopen(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    for n in range(3):
        outbox.add(b"kings", f"message {n}".encode())
    outbox.close()

    reopened = Outbox(tmp_path / "outbox.db")
    pending = reopened.peek(10)

    assert [p.value for p in pending] == [b"message 0", b"message 1", b"message 2"]
    assert reopened.backlog() == 3


def test_remove_deletes_only_the_acknowledged(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    for n in range(3):
        outbox.add(b"k", str(n).encode())
    first, _, third = outbox.peek(10)

    outbox.remove([first.seq, third.seq])

    assert [p.value for p in outbox.peek(10)] == [b"1"]


def test_an_idempotency_key_returns_the_first_id(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    first_id, second_id = uuid.uuid4(), uuid.uuid4()

    assert outbox.add(b"k", b"v1", idempotency=("kings", "key-1", "fp", first_id)) is None
    assert outbox.add(b"k", b"v2", idempotency=("kings", "key-1", "fp", second_id)) == first_id
    assert outbox.backlog() == 1


def test_an_idempotency_key_reused_for_other_content_is_refused(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    outbox.add(b"k", b"v1", idempotency=("kings", "key-1", "fp-a", uuid.uuid4()))

    with pytest.raises(IdempotencyMismatch):
        outbox.add(b"k", b"v2", idempotency=("kings", "key-1", "fp-b", uuid.uuid4()))

    assert outbox.backlog() == 1
