"""The Alembic history builds the same schema as the models, up and down."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from barberbot.core import migrate
from barberbot.core.db import Database
from barberbot.models import Base


def test_migrations_match_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)

    assert differences == []


def test_downgrade_to_nothing_and_back(database: Database) -> None:
    migrate.downgrade(database.engine, "base")
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}

    migrate.upgrade(database.engine)

    assert set(Base.metadata.tables) <= set(inspect(database.engine).get_table_names())
