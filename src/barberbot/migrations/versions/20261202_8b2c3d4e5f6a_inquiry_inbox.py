"""inquiry inbox: statuses, assignees, events, notes, saved replies and replies

Every inquiry gets a status (new, open, waiting, booked, closed, spam), an outcome (set only
when closed) and an assignee (a user; SET NULL when the user goes). Existing inquiries
become `new`, except those received more than 30 days before this migration runs, which
become `closed` with no outcome: a shop opening its inbox for the first time should not
find years of old inquiries waiting for an answer nobody will give. Nothing is written to
`inquiry_events` for this: the timeline of an old inquiry starts from its status as given.

Adds the tables `inquiry_events` (append-only), `inquiry_notes`, `saved_replies` and
`inquiry_replies`.

On SQLite, batch mode copies the inquiries table to add the assignee's foreign key (one that
SQLite's ALTER TABLE could add inline is reflected without its name and ON DELETE, so later
migrations would lose them). Dropping the old copy deletes, with foreign keys on, every
inquiry's answers by cascade, so they are kept aside and put back (`_keeping_answers`).

Revision ID: 8b2c3d4e5f6a
Revises: 7a1b2c3d4e5f
Create Date: 2026-12-02 12:00:00
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

from barberbot.models.base import UTCDateTime, UUIDString, utcnow

revision: str = "8b2c3d4e5f6a"
down_revision: str | None = "7a1b2c3d4e5f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MYSQL_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}
CLOSED_AFTER = timedelta(days=30)
ASSIGNEE_FK = "fk_inquiries_assignee_id_users"
STATUS_INDEX = "ix_inquiries_shop_status_received"


def upgrade() -> None:
    _add_inquiry_columns()
    inquiries = sa.table(
        "inquiries", sa.column("status", sa.String()), sa.column("received_at", UTCDateTime())
    )
    op.execute(
        inquiries.update()
        .where(inquiries.c.received_at < utcnow() - CLOSED_AFTER)
        .values(status="closed")
    )
    op.create_index(STATUS_INDEX, "inquiries", ["shop_id", "status", "received_at"])
    _create_tables()


def _add_inquiry_columns() -> None:
    with _keeping_answers(), op.batch_alter_table("inquiries") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=16), server_default="new", nullable=False)
        )
        batch.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(ASSIGNEE_FK, "users", ["assignee_id"], ["id"], ondelete="SET NULL")


@contextmanager
def _keeping_answers() -> Iterator[None]:
    """On SQLite, the inquiries' answers (the one table that refers to inquiries here) kept
    aside while batch mode drops the old inquiries table, and put back after."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    op.execute("CREATE TEMPORARY TABLE kept_inquiry_answers AS SELECT * FROM inquiry_answers")
    yield
    op.execute("DELETE FROM inquiry_answers")  # the cascade emptied it, if foreign keys are on
    op.execute("INSERT INTO inquiry_answers SELECT * FROM kept_inquiry_answers")
    op.execute("DROP TABLE kept_inquiry_answers")


def _inquiry_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["inquiry_id"],
        ["inquiries.id"],
        name=op.f(f"fk_{table}_inquiry_id_inquiries"),
        ondelete="CASCADE",
    )


def _shop_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["shop_id"], ["shops.id"], name=op.f(f"fk_{table}_shop_id_shops"), ondelete="CASCADE"
    )


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete="SET NULL"
    )


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _create_tables() -> None:
    op.create_table(
        "inquiry_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", UUIDString(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("from_value", sa.String(length=64), nullable=True),
        sa.Column("to_value", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.String(length=255), nullable=True),
        _inquiry_fk("inquiry_events"),
        _shop_fk("inquiry_events"),
        _user_fk("inquiry_events", "actor_id"),
        _pk("inquiry_events"),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index("ix_inquiry_events_inquiry_at", "inquiry_events", ["inquiry_id", "at"])
    op.create_index("ix_inquiry_events_shop_kind_at", "inquiry_events", ["shop_id", "kind", "at"])
    op.create_table(
        "inquiry_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", UUIDString(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _inquiry_fk("inquiry_notes"),
        _shop_fk("inquiry_notes"),
        _user_fk("inquiry_notes", "author_id"),
        _pk("inquiry_notes"),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index(
        "ix_inquiry_notes_inquiry_created", "inquiry_notes", ["inquiry_id", "created_at"]
    )
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _shop_fk("saved_replies"),
        _pk("saved_replies"),
        sa.UniqueConstraint("shop_id", "name", name=op.f("uq_saved_replies_shop_id_name")),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_table(
        "inquiry_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", UUIDString(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        _inquiry_fk("inquiry_replies"),
        _shop_fk("inquiry_replies"),
        _user_fk("inquiry_replies", "created_by"),
        _pk("inquiry_replies"),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index(
        "ix_inquiry_replies_inquiry_created", "inquiry_replies", ["inquiry_id", "created_at"]
    )
    op.create_index(
        "ix_inquiry_replies_status_created", "inquiry_replies", ["status", "created_at"]
    )


def downgrade() -> None:
    for table in ("inquiry_replies", "saved_replies", "inquiry_notes", "inquiry_events"):
        op.drop_table(table)
    op.drop_index(STATUS_INDEX, table_name="inquiries")
    with _keeping_answers(), op.batch_alter_table("inquiries") as batch:
        batch.drop_constraint(ASSIGNEE_FK, type_="foreignkey")
        for column in ("assignee_id", "outcome", "status"):
            batch.drop_column(column)
