"""shop settings: the thank-you message, brand colour, logo, data retention, and versions

Every shop keeps its present settings (no thank-you message of its own, no colour, no logo,
nothing erased); the first saved change records version 1.

Revision ID: be6f7a8b9cad
Revises: ad5e6f7a8b9c
Create Date: 2026-12-02 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from barberbot.models.base import UTCDateTime

revision: str = "be6f7a8b9cad"
down_revision: str | None = "ad5e6f7a8b9c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def _shop_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["shop_id"], ["shops.id"], name=op.f(f"fk_{table}_shop_id_shops"), ondelete="CASCADE"
    )


# Plain ALTER TABLE, not a batch copy: SQLite (3.35+) adds and drops a simple column itself,
# and copying `shops` would drop the old table, which with foreign keys on cascades to every
# row of every shop.
def upgrade() -> None:
    op.add_column("shops", sa.Column("thanks_text", sa.Text(), nullable=False, server_default=""))
    op.add_column("shops", sa.Column("brand_colour", sa.String(length=7), nullable=True))
    op.add_column("shops", sa.Column("logo_digest", sa.String(length=16), nullable=True))
    op.add_column("shops", sa.Column("retention_months", sa.Integer(), nullable=True))
    op.create_table(
        "shop_logos",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=16), nullable=False),
        sa.Column(
            "data",
            sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb"),
            nullable=False,
        ),
        _shop_fk("shop_logos"),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_shop_logos")),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_table(
        "shop_settings_versions",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _shop_fk("shop_settings_versions"),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_shop_settings_versions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("shop_id", "version", name=op.f("pk_shop_settings_versions")),
        **MYSQL_TABLE_OPTIONS,
    )


def downgrade() -> None:
    op.drop_table("shop_settings_versions")
    op.drop_table("shop_logos")
    for column in ("retention_months", "logo_digest", "brand_colour", "thanks_text"):
        op.drop_column("shops", column)
