"""Accepting captured inquiries: the one place that decides between storing them now and
streaming them.

Every entry point hands its captures (`inquiries.capture.prepare`) to the app's `Intake`:
from the event loop one at a time with `submit` (the API and the web form), or a batch in the
caller's session with `accept` (the desktop sync). Without Kafka, `DirectIntake` stores them
through the one writer (`inquiries.writer`): `submit` through the group commit, `accept` in
the caller's transaction; the caller answers 201. With Kafka, `streaming.intake.StreamIntake`
queues them in the durable outbox for the worker to store; the caller answers 202.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from barberbot.inquiries import metrics, writer
from barberbot.inquiries.capture import Capture
from barberbot.inquiries.group_commit import GroupCommit
from barberbot.inquiries.writer import IdempotencyConflict, Written
from barberbot.models import Inquiry, Shop


@dataclass(frozen=True)
class Accepted:
    id: uuid.UUID
    # the stored inquiry (as a row or its column values) when stored at once; None when queued
    stored: Inquiry | dict[str, Any] | None
    replayed: bool = False

    @property
    def queued(self) -> bool:
        return self.stored is None


class Intake(Protocol):
    async def submit(self, shop: Shop, capture: Capture) -> Accepted:
        """Take one capture from the event loop; committed (or queued) on return. Raises
        `IdempotencyConflict` when its id was used for a different inquiry."""
        ...

    def accept(
        self, session: Session, shop: Shop, captures: Sequence[Capture]
    ) -> list[Accepted | IdempotencyConflict]:
        """Take a batch within the caller's session (the caller commits); an outcome each."""
        ...

    def close(self) -> None: ...


class DirectIntake:
    """The embedded default: store in the database (the caller's transaction, or the group
    commit's)."""

    def __init__(self, group_commit: GroupCommit) -> None:
        self.group_commit = group_commit

    async def submit(self, shop: Shop, capture: Capture) -> Accepted:
        written = await self.group_commit.write(capture)
        return _accepted(capture, written)

    def accept(
        self, session: Session, shop: Shop, captures: Sequence[Capture]
    ) -> list[Accepted | IdempotencyConflict]:
        outcomes = writer.write(session, captures, self.group_commit.answers)
        return [
            outcome if isinstance(outcome, IdempotencyConflict) else _accepted(capture, outcome)
            for capture, outcome in zip(captures, outcomes, strict=True)
        ]

    def close(self) -> None:
        self.group_commit.close()


_ACCEPTED_DIRECT = metrics.ACCEPTED.labels(mode="direct")  # looked up once, not per capture


def _accepted(capture: Capture, written: Written) -> Accepted:
    if not written.replayed:
        _ACCEPTED_DIRECT.inc()
    return Accepted(capture.id, written.row, replayed=written.replayed)
