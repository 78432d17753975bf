"""customers: index for the double opt-in poll (pending e-mail consent, no confirmation sent)

`Confirmations.send_due` asks every 5 s for customers whose e-mail consent is pending and who
have not been sent a confirmation yet. No index started with `email_consent`, so each poll
scanned every customer of every shop. With (email_consent, confirmation_sent_at) the poll reads
only the pending, unsent rows.

Revision ID: f1c2d3e4a5b6
Revises: a8d3e5f70b12
Create Date: 2026-11-25 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "f1c2d3e4a5b6"
down_revision: str | None = "a8d3e5f70b12"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_customers_email_consent_confirmation",
        "customers",
        ["email_consent", "confirmation_sent_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_customers_email_consent_confirmation", table_name="customers")
