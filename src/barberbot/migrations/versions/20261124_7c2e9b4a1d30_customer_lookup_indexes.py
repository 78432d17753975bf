"""indexes to find a customer's earlier inquiries (new vs returning)

Revision ID: 7c2e9b4a1d30
Revises: 4d88a01c58ee
Create Date: 2026-11-24 19:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "7c2e9b4a1d30"
down_revision: str | None = "4d88a01c58ee"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_inquiries_shop_email", "inquiries", ["shop_id", "email", "received_at"])
    op.create_index("ix_inquiries_shop_phone", "inquiries", ["shop_id", "phone", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_inquiries_shop_phone", table_name="inquiries")
    op.drop_index("ix_inquiries_shop_email", table_name="inquiries")
