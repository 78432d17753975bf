"""The dashboard's rollups: inquiries counted per shop and block of whole UTC days.

A block of level k covers the 2**k days from `first_day` (a multiple of 2**k, in UTC days since
1970-01-01), so any run of whole days is at most two blocks per level. Kept by
`analytics.rollups` for settled days only; rows absent mean no inquiries.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from barberbot.models.base import Base


def _shop() -> Mapped[int]:
    return mapped_column(Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True)


class RollupCount(Base):
    """Inquiries and consenting ones per inquiry type, gender, age band and location."""

    __tablename__ = "rollup_counts"

    shop_id: Mapped[int] = _shop()
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    first_day: Mapped[int] = mapped_column(Integer, primary_key=True)
    inquiry_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    gender: Mapped[str] = mapped_column(String(24), primary_key=True)
    age_band: Mapped[str] = mapped_column(String(8), primary_key=True)
    location: Mapped[str] = mapped_column(String(64), primary_key=True)  # "" for none
    inquiries: Mapped[int] = mapped_column(Integer)
    consenting: Mapped[int] = mapped_column(Integer)


class RollupAge(Base):
    """Inquiries per inquiry type, location, gender and age: the age histogram, filtered or not
    (by type first: a type filter reads only its rows of each block)."""

    __tablename__ = "rollup_ages"

    shop_id: Mapped[int] = _shop()
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    first_day: Mapped[int] = mapped_column(Integer, primary_key=True)
    inquiry_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    location: Mapped[str] = mapped_column(String(64), primary_key=True)  # "" for none
    gender: Mapped[str] = mapped_column(String(24), primary_key=True)
    age: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    inquiries: Mapped[int] = mapped_column(Integer)


class RollupHour(Base):
    """Inquiries per UTC hour, by quarter of the hour, so local hours come out right in zones
    30 or 45 minutes off UTC. Only for settled days; an hour without inquiries has no row."""

    __tablename__ = "rollup_hours"

    shop_id: Mapped[int] = _shop()
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)  # UTC hours since 1970
    q0: Mapped[int] = mapped_column(Integer)
    q1: Mapped[int] = mapped_column(Integer)
    q2: Mapped[int] = mapped_column(Integer)
    q3: Mapped[int] = mapped_column(Integer)
