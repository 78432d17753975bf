"""inquiries: one idempotency record, the inquiry's id and fingerprint

Every path that stores an inquiry now judges a repeat the same way: by the inquiry's id (the
client's own, or the one its Idempotency-Key names) and a fingerprint of its content, kept on
the inquiry itself. The separate idempotency_keys table goes.

Keys given before this upgrade named random ids, which no key leads back to: a retry that
crosses the upgrade is stored as a new inquiry (retries come within minutes; the table's rows
are dropped, not carried over). Inquiries stored before it have no fingerprint: the same id
again replays them (there is nothing to compare with).

Revision ID: 7a1b2c3d4e5f
Revises: 6f8e2b3c4d5e
Create Date: 2026-12-02 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "7a1b2c3d4e5f"
down_revision: str | None = "6f8e2b3c4d5e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def upgrade() -> None:
    op.add_column("inquiries", sa.Column("fingerprint", sa.String(length=64), nullable=True))
    op.drop_table("idempotency_keys")


def downgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("inquiry_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_idempotency_keys_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_idempotency_keys_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "key", name=op.f("pk_idempotency_keys")),
        **MYSQL_TABLE_OPTIONS,
    )
    with op.batch_alter_table("inquiries") as batch:
        batch.drop_column("fingerprint")
