"""inbox sending: replies claimed and threaded, acknowledgements, notifications to members

Each shop gets its inbox settings (acknowledgements on, answered within 4 hours) with every
mark at the migration's time: only inquiries received from then on are acknowledged, notified
or reminded, so an upgrade sends nothing about older ones.

Revision ID: ad5e6f7a8b9c
Revises: 9c4d5e6f7a8b
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from barberbot.models.base import UTCDateTime, UUIDString

revision: str = "ad5e6f7a8b9c"
down_revision: str | None = "9c4d5e6f7a8b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def _sending_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("inquiry_replies") as batch:
        batch.add_column(sa.Column("claimed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
    with op.batch_alter_table("memberships") as batch:
        batch.add_column(sa.Column("notify", sa.String(length=8), nullable=True))

    settings = op.create_table(
        "inbox_settings",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("acknowledge", sa.Boolean(), nullable=False),
        sa.Column("answer_within_hours", sa.Integer(), nullable=False),
        sa.Column("acknowledge_since", UTCDateTime(), nullable=False),
        sa.Column("scanned_at", UTCDateTime(), nullable=False),
        sa.Column("scanned_id", sa.String(length=36), nullable=False),
        sa.Column("overdue_at", UTCDateTime(), nullable=False),
        sa.Column("overdue_id", sa.String(length=36), nullable=False),
        sa.Column("digest_through", UTCDateTime(), nullable=False),
        _fk("inbox_settings", "shop_id", "shops"),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_inbox_settings")),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_table(
        "inquiry_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", UUIDString(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        *_sending_columns(),
        _fk("inquiry_acknowledgements", "inquiry_id", "inquiries"),
        _fk("inquiry_acknowledgements", "shop_id", "shops"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_acknowledgements")),
        sa.UniqueConstraint("inquiry_id", name=op.f("uq_inquiry_acknowledgements_inquiry_id")),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index(
        "ix_inquiry_acknowledgements_status_created",
        "inquiry_acknowledgements",
        ["status", "created_at"],
    )
    op.create_table(
        "inbox_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("inquiry_id", UUIDString(), nullable=True),
        sa.Column("period_start", UTCDateTime(), nullable=True),
        *_sending_columns(),
        _fk("inbox_notifications", "shop_id", "shops"),
        _fk("inbox_notifications", "user_id", "users"),
        _fk("inbox_notifications", "inquiry_id", "inquiries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_notifications")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_inbox_notifications_user_id_key")),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index(
        "ix_inbox_notifications_status_created", "inbox_notifications", ["status", "created_at"]
    )

    now = datetime.now(UTC)
    hour = now.replace(minute=0, second=0, microsecond=0)
    shops = op.get_bind().execute(sa.text("SELECT id FROM shops")).scalars().all()
    if shops:
        op.bulk_insert(
            settings,
            [
                {
                    "shop_id": shop_id,
                    "acknowledge": True,
                    "answer_within_hours": 4,
                    "acknowledge_since": now,
                    "scanned_at": now,
                    "scanned_id": "",
                    "overdue_at": now,
                    "overdue_id": "",
                    "digest_through": hour,
                }
                for shop_id in shops
            ],
        )


def downgrade() -> None:
    op.drop_table("inbox_notifications")
    op.drop_table("inquiry_acknowledgements")
    op.drop_table("inbox_settings")
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("notify")
    with op.batch_alter_table("inquiry_replies") as batch:
        batch.drop_column("message_id")
        batch.drop_column("claimed_at")
