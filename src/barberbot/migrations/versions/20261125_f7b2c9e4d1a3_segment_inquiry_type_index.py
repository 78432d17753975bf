"""an index for segment rules on inquiry types: by shop, type and time, covering the customer

A rule "asked about beard trims in the last 60 days" reads the shop's inquiries of those types
in that period, once, and matches customers against that set. With only (customer_id,
inquiry_type, received_at) MariaDB scanned every link of every shop for it, or looked up each
customer in turn inside an OR group: 0.5-0.9 s over 1M customers (bench/campaigns.py); with
this one, a short index range, 0.08-0.25 s.

Revision ID: f7b2c9e4d1a3
Revises: e5a9c7d41f08
Create Date: 2026-11-25 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "f7b2c9e4d1a3"
down_revision: str | None = "e5a9c7d41f08"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["shop_id", "inquiry_type", "received_at", "customer_id"]


def upgrade() -> None:
    op.create_index("ix_customer_inquiries_shop_type_received", "customer_inquiries", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_customer_inquiries_shop_type_received", table_name="customer_inquiries")
