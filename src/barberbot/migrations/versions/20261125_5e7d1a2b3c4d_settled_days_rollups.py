"""settled days, late marks and the dashboard's rollups

The dashboard reads a year of a busy shop from counts kept per block of whole days
(`rollup_counts`, `rollup_ages`) and per hour (`rollup_hours`) instead of from every inquiry;
`settled_marks` and `late_days` say which days a summary has taken in and which changed since.
A view filtered by gender, inquiry type or location reads only those inquiries of its period:
by (shop, gender, received_at, age), and by the (shop, type) and (shop, location) indexes with
received_at added.

Revision ID: 5e7d1a2b3c4d
Revises: e164a0b1c2d3
Create Date: 2026-11-25 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from barberbot.models.base import UTCDateTime

# utf8mb4 whatever the database's default, as every table (keys of names and locations)
MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}

revision: str = "5e7d1a2b3c4d"
down_revision: str | None = "e164a0b1c2d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _shop() -> sa.Column[int]:
    return sa.Column(
        "shop_id",
        sa.Integer(),
        sa.ForeignKey("shops.id", ondelete="CASCADE"),
        primary_key=True,
    )


def _block() -> list[sa.Column[int]]:
    return [
        sa.Column("level", sa.SmallInteger(), primary_key=True),
        sa.Column("first_day", sa.Integer(), primary_key=True),
    ]


NARROWED = {"ix_inquiries_shop_location": "location", "ix_inquiries_shop_type": "inquiry_type"}


def _index_by(column: str, name: str, *, with_time: bool) -> None:
    # MariaDB keeps the foreign key on shop_id served by the other (shop_id, ...) indexes
    op.drop_index(name, table_name="inquiries")
    op.create_index(name, "inquiries", ["shop_id", column, *(["received_at"] if with_time else [])])


def upgrade() -> None:
    op.create_index(
        "ix_inquiries_shop_gender_received",
        "inquiries",
        ["shop_id", "gender", "received_at", "age"],
    )
    for name, column in NARROWED.items():
        _index_by(column, name, with_time=True)
    op.create_table(
        "settled_marks",
        _shop(),
        sa.Column("reader", sa.String(16), primary_key=True),
        sa.Column("through_day", sa.Integer(), nullable=False),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_table(
        "late_days",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "shop_id", sa.Integer(), sa.ForeignKey("shops.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("reader", sa.String(16), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("marked_at", UTCDateTime(), nullable=False),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index("ix_late_days_shop_reader", "late_days", ["shop_id", "reader", "day"])
    op.create_table(
        "rollup_counts",
        _shop(),
        *_block(),
        sa.Column("inquiry_type", sa.String(64), primary_key=True),
        sa.Column("gender", sa.String(24), primary_key=True),
        sa.Column("age_band", sa.String(8), primary_key=True),
        sa.Column("location", sa.String(64), primary_key=True),
        sa.Column("inquiries", sa.Integer(), nullable=False),
        sa.Column("consenting", sa.Integer(), nullable=False),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_table(
        "rollup_ages",
        _shop(),
        *_block(),
        sa.Column("inquiry_type", sa.String(64), primary_key=True),
        sa.Column("location", sa.String(64), primary_key=True),
        sa.Column("gender", sa.String(24), primary_key=True),
        sa.Column("age", sa.SmallInteger(), primary_key=True),
        sa.Column("inquiries", sa.Integer(), nullable=False),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_table(
        "rollup_hours",
        _shop(),
        sa.Column("hour", sa.Integer(), primary_key=True),
        *(sa.Column(f"q{n}", sa.Integer(), nullable=False) for n in range(4)),
        **MYSQL_TABLE_OPTIONS,
    )


def downgrade() -> None:
    for table in ("rollup_hours", "rollup_ages", "rollup_counts"):
        op.drop_table(table)
    op.drop_table("late_days")
    op.drop_table("settled_marks")
    for name, column in NARROWED.items():
        _index_by(column, name, with_time=False)
    op.drop_index("ix_inquiries_shop_gender_received", table_name="inquiries")
