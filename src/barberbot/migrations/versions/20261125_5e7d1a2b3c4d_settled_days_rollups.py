"""settled days, late marks and the dashboard's rollups

The dashboard reads a year of a busy shop from counts kept per block of whole days
(`rollup_counts`, `rollup_ages`) and per hour (`rollup_hours`) instead of from every inquiry;
`settled_marks` and `late_days` say which days a summary has taken in and which changed since.
A view filtered by gender reads that gender's inquiries of its period by their own index.

Revision ID: 5e7d1a2b3c4d
Revises: e164a0b1c2d3
Create Date: 2026-11-25 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from barberbot.models.base import UTCDateTime

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


def upgrade() -> None:
    op.create_index(
        "ix_inquiries_shop_gender_received",
        "inquiries",
        ["shop_id", "gender", "received_at", "age"],
    )
    op.create_table(
        "settled_marks",
        _shop(),
        sa.Column("reader", sa.String(16), primary_key=True),
        sa.Column("through_day", sa.Integer(), nullable=False),
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
    )
    op.create_table(
        "rollup_ages",
        _shop(),
        *_block(),
        sa.Column("gender", sa.String(24), primary_key=True),
        sa.Column("age", sa.SmallInteger(), primary_key=True),
        sa.Column("inquiries", sa.Integer(), nullable=False),
    )
    op.create_table(
        "rollup_hours",
        _shop(),
        sa.Column("hour", sa.Integer(), primary_key=True),
        *(sa.Column(f"q{n}", sa.Integer(), nullable=False) for n in range(4)),
    )


def downgrade() -> None:
    for table in ("rollup_hours", "rollup_ages", "rollup_counts"):
        op.drop_table(table)
    op.drop_table("late_days")
    op.drop_table("settled_marks")
    op.drop_index("ix_inquiries_shop_gender_received", table_name="inquiries")
