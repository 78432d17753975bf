"""Checking rows against the shared rules and storing them: idempotent, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.core.choices import DEFAULT_INQUIRY_TYPES
from barberbot.desktop.store import LocalStore
from barberbot.desktop.workbook import write_workbook
from barberbot.imports.importer import plan_import, store_plan
from barberbot.imports.reader import read_table
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import Inquiry, Shop
from tests.factories import inquiry_payload, make_shop
from tests.imports.conftest import WriteXlsx

HEADER = ["Name", "Age", "Gender", "Inquiry type", "Phone", "Marketing consent", "Date"]
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


def test_rows_become_inquiries_in_the_shops_time_zone(
    session: Session, write_xlsx: WriteXlsx
) -> None:
    shop = make_shop(session, slug="paris", name="Paris Cuts", timezone="Europe/Paris")
    path = write_xlsx(
        [
            HEADER,
            ["Ana Lima", "31", "Female", "haircut", "+33 6 12 34 56 78", "yes", "24/11/2026 09:30"],
            ["Bo Chen", 45.0, "M", "Beard Trim", 33612345679, None, datetime(2026, 11, 20, 18)],
        ]
    )

    plan = plan_import(read_table(path), shop, now=NOW)
    added = store_plan(session, plan)
    session.commit()

    assert (added, plan.rejected) == (2, [])
    ana, bo = sorted(session.scalars(select(Inquiry)), key=lambda i: i.customer_name)
    assert ana.received_at == datetime(2026, 11, 24, 8, 30, tzinfo=UTC)  # 09:30 in Paris
    assert ana.marketing_consent
    assert "imported" in (ana.consent_text or "")
    assert (bo.age, bo.gender, bo.inquiry_type, bo.phone) == (
        45,
        "male",
        "beard_trim",
        "+33612345679",  # a number cell: its country code without the +, read in France
    )
    assert bo.source == "import"
    assert not bo.marketing_consent
    assert bo.consent_text is None


def test_the_same_file_twice_adds_nothing(
    session: Session, shop: Shop, write_xlsx: WriteXlsx
) -> None:
    path = write_xlsx([HEADER[:5], ["Ana Lima", 31, "female", "Haircut", "0123456789"]])

    first = store_plan(session, plan_import(read_table(path), shop))
    session.commit()
    again = store_plan(session, plan_import(read_table(path), shop))
    session.commit()

    assert (first, again, _count(session)) == (1, 0, 1)


def test_rejected_rows_are_reported_with_their_reasons(
    session: Session, shop: Shop, write_xlsx: WriteXlsx
) -> None:
    path = write_xlsx(
        [
            HEADER,
            ["Ana Lima", "thirty", "female", "Haircut", "0123456789", "yes", None],
            ["", 40, "robot", "Tattoo", None, "maybe", "next week"],
            ["Bo Chen", 45, "male", "Shave", "0123456788", "no", None],
        ]
    )

    plan = plan_import(read_table(path), shop, now=NOW)

    assert [r.row for r in plan.rejected] == [2, 3]
    assert plan.rejected[0].describe() == "row 2: Age: Age must be a whole number, like 34."
    errors = plan.rejected[1].errors
    assert set(errors) == {
        "customer_name", "gender", "inquiry_type", "marketing_consent", "contact", "received_at",
    }  # fmt: skip
    assert errors["received_at"].startswith("'next week' is not a date")
    assert [c.values["customer_name"] for c in plan.captures] == ["Bo Chen"]


def test_a_row_repeated_in_the_file_is_stored_once(
    session: Session, shop: Shop, write_xlsx: WriteXlsx
) -> None:
    row = ["Ana Lima", 31, "female", "Haircut", "0123456789"]
    plan = plan_import(read_table(write_xlsx([HEADER[:5], row, row])), shop)

    assert len(plan.captures) == 1
    assert plan.repeats == {3: 2}


def test_the_desktop_workbook_imports_under_its_own_ids(
    session: Session, shop: Shop, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "counter.db")
    types = dict(DEFAULT_INQUIRY_TYPES)
    saved = [
        store.save(validate_inquiry(inquiry_payload(customer_name=name), types))
        for name in ("Ana Lima", "Bo Chen")
    ]
    write_workbook(tmp_path / "inquiries.xlsx", store.all(), types)
    store.close()

    table = read_table(tmp_path / "inquiries.xlsx")
    plan = plan_import(table, shop)
    store_plan(session, plan)
    session.commit()

    assert table.columns.ignored == ["Synced"]
    assert sorted(str(i) for i in session.scalars(select(Inquiry.id))) == sorted(
        str(s.id) for s in saved
    )
    stored = session.get(Inquiry, saved[0].id)
    assert stored is not None
    assert stored.received_at.replace(microsecond=0) <= datetime.now(UTC)


def test_an_id_that_is_not_one_is_rejected(
    session: Session, shop: Shop, write_xlsx: WriteXlsx
) -> None:
    path = write_xlsx([[*HEADER[:5], "Id"], ["Ana", 31, "female", "Haircut", "0123456789", "x-1"]])

    [rejected] = plan_import(read_table(path), shop).rejected

    assert rejected.errors == {"id": "'x-1' is not an inquiry id; leave the Id column empty."}
