"""Which days of a shop's inquiries a summary (the dashboard's rollups, the customers table)
has taken in, and which of those days a late inquiry has changed since."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from barberbot.models.base import Base, UTCDateTime, utcnow


class SettledMark(Base):
    """A summary covers every day before `through_day` (UTC days since 1970-01-01), except the
    days a `LateDay` names."""

    __tablename__ = "settled_marks"

    shop_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    reader: Mapped[str] = mapped_column(String(16), primary_key=True)
    through_day: Mapped[int] = mapped_column(Integer)


class LateDay(Base):
    """An inquiry stored, or forgotten, for a day that summaries may already cover.

    Several rows may name one day: a reader deletes the rows it has read by id, so a mark
    written while it was summing the day stays for the next time.
    """

    __tablename__ = "late_days"
    __table_args__ = (Index("ix_late_days_shop_reader", "shop_id", "reader", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(Integer, ForeignKey("shops.id", ondelete="CASCADE"))
    reader: Mapped[str] = mapped_column(String(16))
    day: Mapped[int] = mapped_column(Integer)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
