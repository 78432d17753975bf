"""custom forms: versioned form definitions and the custom answers of inquiries

The answers table is the default answer store (a JSON column in the SQL database); with
BARBERBOT_MONGODB_URL the answers go to MongoDB instead and this table stays empty. The form
version an inquiry answered is kept beside its answers, so the inquiries table is unchanged.

Revision ID: e5a9c7d41f08
Revises: c4d2e8f61a90
Create Date: 2026-11-25 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from barberbot.models.base import UTCDateTime, UUIDString

revision: str = "e5a9c7d41f08"
down_revision: str | None = "c4d2e8f61a90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# utf8mb4 whatever the database's default (and the same as the inquiries' id, for its key)
MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def upgrade() -> None:
    op.create_table(
        "form_versions",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_form_versions_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_form_versions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("shop_id", "version", name=op.f("pk_form_versions")),
        **MYSQL_TABLE_OPTIONS,
    )  # fmt: skip
    op.create_table(
        "inquiry_answers",
        sa.Column("inquiry_id", UUIDString(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inquiry_id"], ["inquiries.id"], name=op.f("fk_inquiry_answers_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_inquiry_answers_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inquiry_id", name=op.f("pk_inquiry_answers")),
        **MYSQL_TABLE_OPTIONS,
    )  # fmt: skip
    op.create_index(
        "ix_inquiry_answers_shop_received", "inquiry_answers", ["shop_id", "received_at"]
    )


def downgrade() -> None:
    op.drop_table("inquiry_answers")  # with its index (MySQL will not drop one a key needs)
    op.drop_table("form_versions")
