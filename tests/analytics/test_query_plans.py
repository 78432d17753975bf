"""A view filtered by gender reads that gender's inquiries of its period by their own index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Session

from barberbot.analytics import queries
from barberbot.analytics.filters import Period, Selection
from barberbot.core.db import Database
from barberbot.models import Inquiry, Shop

NOW = datetime.now(UTC)
YEAR = Period(NOW - timedelta(days=365), NOW)


def _count(selection: Selection) -> Select[int]:
    query = queries.by_gender(
        selection, select(func.count()).select_from(Inquiry).where(*queries.conditions(selection))
    )
    return query


def _plan(database: Database, backend: str, selection: Selection) -> str:
    sql = str(
        _count(selection).compile(
            dialect=database.engine.dialect, compile_kwargs={"literal_binds": True}
        )
    )
    with database.engine.connect() as connection:
        if backend == "mariadb":
            plan = connection.exec_driver_sql(f"EXPLAIN {sql}").mappings().all()
            return " | ".join(str(row["key"]) for row in plan)
        return sql


def test_a_gender_filter_reads_by_the_gender_index(
    session: Session, shop: Shop, database: Database, backend: str
) -> None:
    men = Selection(shop_ids=(shop.id,), period=YEAR, genders=("male",), age_bands=("25-34",))
    everyone = Selection(shop_ids=(shop.id,), period=YEAR)

    plan = _plan(database, backend, men)

    if backend == "mariadb":
        assert plan == "ix_inquiries_shop_gender_received"
    else:  # SQLite chooses by itself: the hint is MariaDB's only
        assert "FORCE INDEX" not in plan
    forced = "FORCE INDEX (ix_inquiries_shop_gender_received)"
    assert forced in str(_count(men).compile(dialect=mysql.dialect()))
    assert "FORCE INDEX" not in str(_count(everyone).compile(dialect=mysql.dialect()))
    assert session.scalar(_count(men)) == 0
