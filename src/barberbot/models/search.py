"""The inbox's search index: the words of each inquiry, kept by the writers' side.

Each inquiry's name, e-mail, phone and message are cut into terms (`inquiries.search`) and
stored one row per term, ordered by (shop, term), so a word typed in the inbox's search box is
a range of that index whatever the shop's size. The settling rounds index the inquiries of
whole days (`SearchMark.indexed_before`); a search reads the rest from the inquiries.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from barberbot.models.base import Base, UTCDateTime, UUIDString

TERM_MAX = 64
# compared byte by byte: a prefix is a range of the index on MySQL as on SQLite
TERM_TYPE = String(TERM_MAX).with_variant(
    mysql.VARCHAR(TERM_MAX, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
)


class InquiryTerm(Base):
    __tablename__ = "inquiry_terms"
    # the key is the table (SQLite: no rowid and a second copy of every term); the index by
    # inquiry serves the other words of a search and the cascade of a forgotten inquiry
    __table_args__ = (Index("ix_inquiry_terms_inquiry", "inquiry_id"), {"sqlite_with_rowid": False})

    shop_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(TERM_TYPE, primary_key=True)
    inquiry_id: Mapped[uuid.UUID] = mapped_column(
        UUIDString, ForeignKey("inquiries.id", ondelete="CASCADE"), primary_key=True
    )


class SearchMark(Base):
    """Every inquiry of the shop received before `indexed_before` is in the index (those
    stored late for those days are indexed by the next round: `settled.LateDay`)."""

    __tablename__ = "search_marks"

    shop_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    indexed_before: Mapped[datetime] = mapped_column(UTCDateTime)
