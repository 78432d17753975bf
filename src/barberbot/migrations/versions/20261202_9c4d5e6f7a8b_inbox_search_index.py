"""inbox search: the terms of each inquiry, and how far each shop is indexed

The index starts empty: the next settling round (`barberbot settle`, `serve`'s periodic task
or the worker) indexes each shop's inquiries; until then a search reads the inquiries
themselves, as before. Readers of late days gain a third name, "search".

Revision ID: 9c4d5e6f7a8b
Revises: 8b2c3d4e5f6a
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from barberbot.models.base import UTCDateTime, UUIDString

revision: str = "9c4d5e6f7a8b"
down_revision: str | None = "8b2c3d4e5f6a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}
TERM = sa.String(length=64).with_variant(
    mysql.VARCHAR(64, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
)


def upgrade() -> None:
    op.create_table(
        "inquiry_terms",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("term", TERM, nullable=False),
        sa.Column("inquiry_id", UUIDString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_inquiry_terms_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_inquiry_terms_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "term", "inquiry_id", name=op.f("pk_inquiry_terms")),
        sqlite_with_rowid=False,
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index("ix_inquiry_terms_inquiry", "inquiry_terms", ["inquiry_id"])
    op.create_table(
        "search_marks",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("indexed_before", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_search_marks_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_search_marks")),
        **MYSQL_TABLE_OPTIONS,
    )


def downgrade() -> None:
    op.drop_table("search_marks")
    op.drop_table("inquiry_terms")
    op.execute(sa.text("DELETE FROM late_days WHERE reader = 'search'"))
