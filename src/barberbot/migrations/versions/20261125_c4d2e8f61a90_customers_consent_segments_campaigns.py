"""campaigns: customers derived from inquiries, consent evidence, segments, campaigns

Customers are kept incrementally from inquiries by `customers.service.sync`: contacts map a
shop's e-mails and phones to their customer, customer_inquiries carry each inquiry's type and
time so segment rules on inquiry history are index lookups. consent_events is append-only
evidence; the consent columns on customers are its latest word, for filtering in SQL.
campaign_recipients has one row per (campaign, customer): the unique constraint is what makes
"never the same campaign twice" hold across crashes and concurrent senders.

Revision ID: c4d2e8f61a90
Revises: b3f18d6c2a47
Create Date: 2026-11-25 08:33:39.361518
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import barberbot.models.base

MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


revision: str = "c4d2e8f61a90"
down_revision: str | None = "b3f18d6c2a47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaign_settings",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("email_double_opt_in", sa.Boolean(), nullable=False),
        sa.Column("reply_to", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_campaign_settings_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_campaign_settings")),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("first_name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("age", sa.SmallInteger(), nullable=False),
        sa.Column("gender", sa.String(length=24), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=True),
        sa.Column("inquiry_count", sa.Integer(), nullable=False),
        sa.Column("first_inquiry_at", barberbot.models.base.UTCDateTime(), nullable=False),
        sa.Column("last_inquiry_at", barberbot.models.base.UTCDateTime(), nullable=False),
        sa.Column("email_consent", sa.String(length=16), nullable=False),
        sa.Column("email_consent_at", barberbot.models.base.UTCDateTime(), nullable=True),
        sa.Column("sms_consent", sa.String(length=16), nullable=False),
        sa.Column("sms_consent_at", barberbot.models.base.UTCDateTime(), nullable=True),
        sa.Column("confirmation_sent_at", barberbot.models.base.UTCDateTime(), nullable=True),
        sa.Column("updated_at", barberbot.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_customers_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        **MYSQL_TABLE_OPTIONS,
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customers_shop_email_consent", ["shop_id", "email_consent"], unique=False
        )
        batch_op.create_index(
            "ix_customers_shop_gender_age", ["shop_id", "gender", "age"], unique=False
        )
        batch_op.create_index(
            "ix_customers_shop_last", ["shop_id", "last_inquiry_at"], unique=False
        )
        batch_op.create_index(
            "ix_customers_shop_sms_consent", ["shop_id", "sms_consent"], unique=False
        )

    op.create_table(
        "segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("created_at", barberbot.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", barberbot.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_segments_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
        sa.UniqueConstraint("shop_id", "name", name=op.f("uq_segments_shop_id_name")),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("promo_code", sa.String(length=40), nullable=True),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("send_at", barberbot.models.base.UTCDateTime(), nullable=True),
        sa.Column("quiet_start", sa.SmallInteger(), nullable=True),
        sa.Column("quiet_end", sa.SmallInteger(), nullable=True),
        sa.Column("attribution_days", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", barberbot.models.base.UTCDateTime(), nullable=False),
        sa.Column("started_at", barberbot.models.base.UTCDateTime(), nullable=True),
        sa.Column("finished_at", barberbot.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_campaigns_segment_id_segments")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_campaigns_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("token", name=op.f("uq_campaigns_token")),
        **MYSQL_TABLE_OPTIONS,
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index("ix_campaigns_shop_id", ["shop_id"], unique=False)
        batch_op.create_index("ix_campaigns_status_send_at", ["status", "send_at"], unique=False)

    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("at", barberbot.models.base.UTCDateTime(), nullable=False),
        sa.Column("inquiry_id", barberbot.models.base.UUIDString(length=36), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_consent_events_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_consent_events_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
        **MYSQL_TABLE_OPTIONS,
    )
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_events_customer_channel", ["customer_id", "channel", "at"], unique=False
        )
        batch_op.create_index("ix_consent_events_inquiry_id", ["inquiry_id"], unique=False)

    op.create_table(
        "customer_contacts",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=254), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_contacts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_customer_contacts_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "kind", "value", name=op.f("pk_customer_contacts")),
        **MYSQL_TABLE_OPTIONS,
    )
    with op.batch_alter_table("customer_contacts", schema=None) as batch_op:
        batch_op.create_index("ix_customer_contacts_customer_id", ["customer_id"], unique=False)

    op.create_table(
        "customer_inquiries",
        sa.Column("inquiry_id", barberbot.models.base.UUIDString(length=36), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("inquiry_type", sa.String(length=64), nullable=False),
        sa.Column("received_at", barberbot.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_inquiries_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_customer_inquiries_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inquiry_id", name=op.f("pk_customer_inquiries")),
        **MYSQL_TABLE_OPTIONS,
    )
    with op.batch_alter_table("customer_inquiries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_inquiries_customer_type",
            ["customer_id", "inquiry_type", "received_at"],
            unique=False,
        )
        batch_op.create_index("ix_customer_inquiries_shop_id", ["shop_id"], unique=False)

    op.create_table(
        "campaign_attributions",
        sa.Column("inquiry_id", barberbot.models.base.UUIDString(length=36), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("at", barberbot.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_attributions_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inquiry_id", name=op.f("pk_campaign_attributions")),
        **MYSQL_TABLE_OPTIONS,
    )
    with op.batch_alter_table("campaign_attributions", schema=None) as batch_op:
        batch_op.create_index("ix_campaign_attributions_campaign_id", ["campaign_id"], unique=False)

    op.create_table(
        "campaign_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("claimed_at", barberbot.models.base.UTCDateTime(), nullable=True),
        sa.Column("sent_at", barberbot.models.base.UTCDateTime(), nullable=True),
        sa.Column("unsubscribed_at", barberbot.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_recipients_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_campaign_recipients_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_recipients")),
        sa.UniqueConstraint(
            "campaign_id",
            "customer_id",
            name=op.f("uq_campaign_recipients_campaign_id_customer_id"),
        ),
        **MYSQL_TABLE_OPTIONS,
    )
    with op.batch_alter_table("campaign_recipients", schema=None) as batch_op:
        batch_op.create_index(
            "ix_campaign_recipients_campaign_status", ["campaign_id", "status"], unique=False
        )
        batch_op.create_index("ix_campaign_recipients_customer_id", ["customer_id"], unique=False)


def downgrade() -> None:
    # Tables only, children first: their indexes go with them. Dropping an index first fails on
    # MySQL when a foreign key still needs it.
    for table in (
        "campaign_recipients",
        "campaign_attributions",
        "customer_inquiries",
        "customer_contacts",
        "consent_events",
        "campaigns",
        "segments",
        "customers",
        "campaign_settings",
    ):
        op.drop_table(table)
