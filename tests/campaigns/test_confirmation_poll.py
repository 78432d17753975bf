"""The double opt-in poll reads only the pending customers, through its index."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from barberbot.campaigns.confirmations import due
from barberbot.core.db import Database
from barberbot.models import ConsentState, Customer, Shop
from tests.campaigns.factories import NOW

INDEX = "ix_customers_email_consent_confirmation"


def _customers(session: Session, shop: Shop) -> None:
    """2,000 customers who gave or refused consent, 10 pending (3 of them already asked)."""
    rows = [
        {
            "shop_id": shop.id,
            "name": f"Customer {n}",
            "first_name": "Customer",
            "email": f"c{n}@example.com",
            "age": 30,
            "gender": "male",
            "first_inquiry_at": NOW,
            "last_inquiry_at": NOW,
            "email_consent": ConsentState.PENDING
            if n < 10
            else (ConsentState.GRANTED if n % 2 else ConsentState.NONE),
            "confirmation_sent_at": NOW if n < 3 else None,
        }
        for n in range(2000)
    ]
    session.execute(insert(Customer), rows)
    session.commit()


def _plan(database: Database, backend: str) -> str:
    sql = str(
        due().compile(dialect=database.engine.dialect, compile_kwargs={"literal_binds": True})
    )
    with database.engine.connect() as connection:
        if backend == "mariadb":
            connection.exec_driver_sql("ANALYZE TABLE customers")
            plan = connection.exec_driver_sql(f"EXPLAIN {sql}").mappings().all()
            return " | ".join(f"{row['type']} {row['key']} rows={row['rows']}" for row in plan)
        steps = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
        return " | ".join(str(step[-1]) for step in steps)


def test_the_poll_finds_the_pending_customers_not_yet_asked(
    session: Session, shop: Shop, database: Database
) -> None:
    _customers(session, shop)

    found = session.scalars(due()).all()

    assert len(found) == 7


def test_the_poll_uses_its_index_not_a_scan(
    session: Session, shop: Shop, database: Database, backend: str
) -> None:
    _customers(session, shop)

    plan = _plan(database, backend)

    assert INDEX in plan, plan
    if backend == "mariadb":
        assert plan.startswith("ref ")  # an index lookup, not a full scan ("ALL"/"index")
    else:
        assert plan.startswith("SEARCH "), plan
