"""Crash-safe sending of queued rows, one at a time: claim, send, record.

The rule every sender keeps (campaigns, replies, acknowledgements, notifications): a row goes
`queued` -> `sending` (with `claimed_at`, and whatever must be on record first, such as the
e-mail's Message-ID) in a committed transaction before its message is handed to the
transport, then `sent` or `failed` is recorded. Only `queued` rows are claimed, so a row
reaches the transport at most once. A claim left `sending` (the process died in between: the
message may have gone) becomes `failed` with the "interrupted" reason once older than the
claim timeout, and is never sent again: at most once, never twice. The transport being down
(`Unavailable`: nothing went) hands the claim back to `queued`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.messaging.errors import SendFailed, Unavailable
from barberbot.messaging.messages import Email, Message
from barberbot.messaging.transport import Transport

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
INTERRUPTED = "Interrupted while sending (the sender stopped); not sent again in case it arrived."


class Cycler(Protocol):
    """One kind of sending the background sender runs, round after round."""

    def cycle(self) -> bool:
        """One round over everything due; True if it did anything."""
        ...

    def claims_open(self) -> bool:
        """Whether some of its rows are claimed and not recorded yet."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Ready:
    """A message to send, and the values recorded with its claim, before it goes."""

    message: Message
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refused:
    """Not to be sent (a STOP, nobody to write to): recorded at once with the reason."""

    reason: str | None
    status: str = FAILED


Composed = Ready | Refused | None  # None: the row is gone or no longer queued


class Claims:
    """The claim bookkeeping of one table with `id`, `status`, `claimed_at`, `sent_at` and a
    reason column."""

    def __init__(
        self,
        db: Database,
        table: Table,
        *,
        timeout_seconds: float,
        now: Callable[[], datetime],
        reason: str = "error",
        interrupted: str = INTERRUPTED,
    ) -> None:
        self.db = db
        self.table = table
        self.timeout = timedelta(seconds=timeout_seconds)
        self.now = now
        self.reason = reason
        self.interrupted = interrupted

    def queued(self, limit: int) -> list[int]:
        """The oldest queued rows (on the table's index on status, created_at)."""
        t = self.table
        with self.db.transaction() as session:
            return list(
                session.scalars(
                    select(t.c.id).where(t.c.status == QUEUED).order_by(t.c.created_at, t.c.id)
                    .limit(limit)
                )
            )  # fmt: skip

    def claim(self, session: Session, row_id: int, **values: Any) -> bool:
        """queued -> sending, in the caller's transaction (committed before the send)."""
        t = self.table
        won = session.execute(
            update(t)
            .where(t.c.id == row_id, t.c.status == QUEUED)
            .values(status=SENDING, claimed_at=self.now(), **values)
        )
        return bool(won.rowcount == 1)  # type: ignore[attr-defined]

    def refuse(self, session: Session, row_id: int, refused: Refused) -> None:
        t = self.table
        session.execute(
            update(t)
            .where(t.c.id == row_id, t.c.status == QUEUED)
            .values({"status": refused.status, self.reason: refused.reason})
        )

    def record(
        self, row_id: int, status: str, reason: str | None, sent_at: datetime | None
    ) -> None:
        with self.db.transaction() as session:
            session.execute(
                update(self.table)
                .where(self.table.c.id == row_id)
                .values({"status": status, self.reason: reason, "sent_at": sent_at})
            )

    def release(self, row_id: int) -> None:
        """Nothing was sent (the transport is down): back in the queue."""
        with self.db.transaction() as session:
            session.execute(
                update(self.table)
                .where(self.table.c.id == row_id)
                .values(status=QUEUED, claimed_at=None)
            )

    def expire(self) -> bool:
        """Claims older than the timeout: failed, interrupted, never sent again."""
        t = self.table
        with self.db.transaction() as session:
            expired = session.execute(
                update(t)
                .where(t.c.status == SENDING, t.c.claimed_at < self.now() - self.timeout)
                .values({"status": FAILED, self.reason: self.interrupted})
            )
            return bool(expired.rowcount)  # type: ignore[attr-defined]

    def open(self) -> bool:
        t = self.table
        with self.db.transaction() as session:
            return session.scalar(select(t.c.id).where(t.c.status == SENDING).limit(1)) is not None


def failure_words(message: Message, failed: SendFailed) -> str:
    """Why a message did not go, in the owner's words."""
    if isinstance(message, Email):
        if failed.bounced:
            return f"The mail server refused the address: {failed.reason}"
        return f"The mail server did not take the e-mail: {failed.reason}"
    if failed.bounced:
        return f"The text message provider refused the number: {failed.reason}"
    return f"The text message provider did not take the text: {failed.reason}"


def send_each(
    claims: Claims,
    transport: Transport,
    row_ids: Iterable[int],
    compose: Callable[[Session, int], Composed],
    stopping: threading.Event,
    pause: float = 0.0,
) -> bool:
    """Each row composed and claimed in one committed transaction, then sent, then recorded,
    `pause` seconds apart (a sender in the API's process leaves it to the captures).
    Stops at the first `Unavailable` (that row back in the queue); True if it did anything."""
    worked = False
    for row_id in row_ids:
        if stopping.is_set():
            break
        with claims.db.transaction() as session:
            composed = compose(session, row_id)
            if isinstance(composed, Refused):
                claims.refuse(session, row_id, composed)
                worked = True
                continue
            if composed is None or not claims.claim(session, row_id, **composed.values):
                continue
        worked = True
        try:
            transport.send(composed.message)
        except Unavailable:
            claims.release(row_id)
            raise
        except SendFailed as failed:
            claims.record(row_id, FAILED, failure_words(composed.message, failed), None)
        else:
            claims.record(row_id, SENT, None, claims.now())
        if pause:
            stopping.wait(pause)
    return worked
