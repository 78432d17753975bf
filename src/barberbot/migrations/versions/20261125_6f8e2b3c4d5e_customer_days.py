"""customer_days: customers per first and last inquiry day, for the dashboard's counts

The dashboard counts a view's unique and new customers from the customers table: a sum over
`customer_days` and one day's look-up in the new index on `first_inquiry_at` (the one on
`last_inquiry_at` exists). The table is filled here from the customers as they are; from then
on `customers.service` keeps it. An incremental sync drops forgotten links by day, on the
new index of `customer_inquiries`.

Revision ID: 6f8e2b3c4d5e
Revises: 5e7d1a2b3c4d
Create Date: 2026-11-25 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# utf8mb4 whatever the database's default, as every table (keys of names and locations)
MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}

revision: str = "6f8e2b3c4d5e"
down_revision: str | None = "5e7d1a2b3c4d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the UTC day (days since 1970-01-01) of a naive UTC column, as `settled.day_of` counts it
DAY_OF = {
    "mysql": "DATEDIFF({column}, '1970-01-01')",
    "sqlite": "CAST(strftime('%s', {column}) AS INTEGER) / 86400",
}
FILL = """
INSERT INTO customer_days (shop_id, day, firsts, lasts)
SELECT shop_id, day, SUM(firsts), SUM(lasts) FROM (
    SELECT shop_id, {first} AS day, 1 AS firsts, 0 AS lasts FROM customers
    UNION ALL
    SELECT shop_id, {last} AS day, 0 AS firsts, 1 AS lasts FROM customers
) spans
GROUP BY shop_id, day
"""


def upgrade() -> None:
    op.create_table(
        "customer_days",
        sa.Column(
            "shop_id",
            sa.Integer(),
            sa.ForeignKey("shops.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("day", sa.Integer(), primary_key=True),
        sa.Column("firsts", sa.Integer(), nullable=False),
        sa.Column("lasts", sa.Integer(), nullable=False),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index("ix_customers_shop_first", "customers", ["shop_id", "first_inquiry_at"])
    op.create_index(
        "ix_customer_inquiries_shop_received", "customer_inquiries", ["shop_id", "received_at"]
    )
    day_of = DAY_OF[op.get_bind().dialect.name]
    first, last = (day_of.format(column=c) for c in ("first_inquiry_at", "last_inquiry_at"))
    op.execute(FILL.format(first=first, last=last))


def downgrade() -> None:
    op.drop_index("ix_customer_inquiries_shop_received", table_name="customer_inquiries")
    op.drop_index("ix_customers_shop_first", table_name="customers")
    op.drop_table("customer_days")
