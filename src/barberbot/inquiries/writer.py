"""The one writer of inquiries: a batch of captures stored idempotently, in the caller's
transaction (it flushes; the edge commits).

Every path that stores an inquiry ends here: the API's and the web form's group commit, the
desktop sync, the Kafka worker, imports and the demo loader. For each capture:

- an id not stored yet is inserted (one executemany for the batch, plain DBAPI values);
- an id stored for the same shop with the same fingerprint is a **replay**: the stored
  inquiry is returned and nothing is written (a row without a fingerprint, stored fresh or
  before fingerprints existed, replays too: there is nothing to compare with);
- an id stored with another fingerprint, or for another shop, is a **conflict**;
- the same id twice in one batch: the first is stored, the second judged against it.

Days that summaries may already have taken in are marked late (`settled.mark_late`), and
the custom answers' documents are saved in the same transaction, for replays too (saving
leaves an existing document alone), so an inquiry's row and its document converge whichever
a crash left behind. Another writer inserting the same id at the same moment makes the insert
fail (IntegrityError); written again, the batch finds the id stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from barberbot.forms.store import AnswerStore
from barberbot.inquiries import settled
from barberbot.inquiries.capture import Capture
from barberbot.models import Inquiry
from barberbot.models.base import UTCDateTime, UUIDString


class IdempotencyConflict(Exception):
    """The inquiry's id (its Idempotency-Key, its client's id) was used for a different one."""

    def __init__(self, message: str = "This id was already used for a different inquiry.") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class Written:
    row: dict[str, Any] | Inquiry  # what was written, or the inquiry stored earlier
    replayed: bool


Outcome = Written | IdempotencyConflict


def write(session: Session, captures: Sequence[Capture], answers: AnswerStore) -> list[Outcome]:
    """Store the captures not stored yet; an outcome per capture, in order. Flushes only."""
    earlier = _rows(session, [capture.id for capture in captures if not capture.fresh])
    outcomes: list[Outcome] = []
    new: dict[uuid.UUID, Capture] = {}
    for capture in captures:
        if capture.id in new:  # twice in this batch: judged against the first
            first = new[capture.id]
            outcomes.append(_judge(capture, first.shop_id, first.fingerprint, first.values))
        elif (row := earlier.get(capture.id)) is not None:
            outcomes.append(_judge(capture, row.shop_id, row.fingerprint, row))
        else:
            new[capture.id] = capture
            outcomes.append(Written(capture.values, replayed=False))
    insert_rows(session, [capture.values for capture in new.values()])
    documents = [
        capture.document
        for capture, outcome in zip(captures, outcomes, strict=True)
        if capture.document is not None and isinstance(outcome, Written)
    ]
    answers.save(session, documents)
    return outcomes


def shops_of(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """{id: its shop} for the ids among these that are stored (one query)."""
    wanted = [str(inquiry_id) for inquiry_id in ids]
    if not wanted:
        return {}
    return {
        uuid.UUID(row_id): shop_id for row_id, shop_id in session.execute(_SHOPS, {"ids": wanted})
    }


# Ids compared as the text they are stored as: no UUID round trip for each of a batch's ids.
_SHOPS = text("SELECT id, shop_id FROM inquiries WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)


def _judge(
    capture: Capture, shop_id: int, fingerprint: str | None, row: dict[str, Any] | Inquiry
) -> Outcome:
    """What the same id again is: a replay of `row`, or a conflict (another shop's id, or
    other content; a row without a fingerprint has nothing to compare with)."""
    if shop_id != capture.shop_id:
        return IdempotencyConflict()
    if fingerprint is not None and fingerprint != capture.fingerprint:
        return IdempotencyConflict()
    return Written(row, replayed=True)


def _rows(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Inquiry]:
    """The stored inquiries among a batch's ids, in one query (none for fresh captures)."""
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(select(Inquiry).where(Inquiry.id.in_(ids)))}


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany of plain DBAPI values (PyMySQL makes it multi-row INSERTs), instead of
    the ORM's per-row bookkeeping; marks the late days among them."""
    if not rows:
        return
    connection = session.connection()
    statement = _insert_statement(connection.dialect)
    connection.exec_driver_sql(statement, [_db_values(row) for row in rows])
    settled.mark_late(session, [(row["shop_id"], row["received_at"]) for row in rows])


def _db_values(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple([convert(row.get(column)) for column, convert in _CONVERTERS])


def _as_text(value: Any) -> str:
    return str(value)


def _as_utc_text(value: datetime | None) -> str | None:
    """What UTCDateTime stores: naive UTC, as text (cheaper for drivers than datetimes)."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _unchanged(value: Any) -> Any:
    return value


_CONVERTERS: tuple[tuple[str, Callable[[Any], Any]], ...] = tuple(
    (
        column.name,
        _as_text
        if isinstance(column.type, UUIDString)
        else _as_utc_text
        if isinstance(column.type, UTCDateTime)
        else _unchanged,
    )
    for column in Inquiry.__table__.columns
)


def _insert_statement(dialect: Dialect) -> str:
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    return (
        f"INSERT INTO inquiries ({', '.join(name for name, _ in _CONVERTERS)}) "
        f"VALUES ({', '.join([marker] * len(_CONVERTERS))})"
    )
