"""indexes for the dashboard: a covering index by shop and time, and one by location

The dashboard aggregates a shop's inquiries over a period. With only (shop_id, received_at, id)
every inquiry in the period was fetched from the table by its random UUID key (≈4 µs a row on
MariaDB); the covering index holds every column the dashboard reads, so a period is one ordered
index range. It starts with the old index's columns, so it also serves what that one did
(listing a shop's inquiries newest first), and replaces it. (shop_id, location) lets MariaDB
list a shop's locations by skipping through the index instead of reading every inquiry.

Revision ID: b3f18d6c2a47
Revises: 7c2e9b4a1d30
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "b3f18d6c2a47"
down_revision: str | None = "7c2e9b4a1d30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COVER = ["shop_id", "received_at", "id", "inquiry_type", "gender", "age", "marketing_consent",
         "location", "email", "phone"]  # fmt: skip


def upgrade() -> None:
    op.create_index("ix_inquiries_shop_received_cover", "inquiries", COVER)
    op.drop_index("ix_inquiries_shop_received", table_name="inquiries")
    op.create_index("ix_inquiries_shop_location", "inquiries", ["shop_id", "location"])


def downgrade() -> None:
    op.drop_index("ix_inquiries_shop_location", table_name="inquiries")
    op.create_index("ix_inquiries_shop_received", "inquiries", ["shop_id", "received_at", "id"])
    op.drop_index("ix_inquiries_shop_received_cover", table_name="inquiries")
