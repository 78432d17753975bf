"""A view filtered by gender, inquiry type or location reads only those inquiries of its period
by their own index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
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
    query = select(func.count()).select_from(Inquiry).where(*queries.conditions(selection))
    return queries.narrowed(selection, query)


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


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({"genders": ("male",), "age_bands": ("25-34",)}, "ix_inquiries_shop_gender_received"),
        ({"genders": ("male",), "inquiry_types": ("shave",)}, "ix_inquiries_shop_gender_received"),
        ({"inquiry_types": ("shave",), "locations": ("station",)}, "ix_inquiries_shop_type"),
        ({"locations": ("station",)}, "ix_inquiries_shop_location"),
    ],
)
def test_a_filtered_view_reads_by_its_filter_s_index(
    session: Session,
    shop: Shop,
    database: Database,
    backend: str,
    filters: dict[str, Any],
    index: str,
) -> None:
    chosen = Selection(shop_ids=(shop.id,), period=YEAR, **filters)
    everyone = Selection(shop_ids=(shop.id,), period=YEAR)

    plan = _plan(database, backend, chosen)

    if backend == "mariadb":
        assert plan == index
    else:  # SQLite chooses by itself: the hint is MariaDB's only
        assert "FORCE INDEX" not in plan
    assert f"FORCE INDEX ({index})" in str(_count(chosen).compile(dialect=mysql.dialect()))
    assert "FORCE INDEX" not in str(_count(everyone).compile(dialect=mysql.dialect()))
    assert session.scalar(_count(chosen)) == 0
