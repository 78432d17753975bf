"""Imported rows go through the same phone rule: E.164 in the shop's country."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.imports.importer import plan_import, store_plan
from barberbot.imports.reader import read_table
from barberbot.models import Inquiry
from tests.factories import make_shop
from tests.imports.conftest import WriteXlsx

HEADER = ["Name", "Age", "Gender", "Inquiry type", "Phone", "E-mail"]


def test_imported_numbers_are_stored_in_e164_and_impossible_ones_rejected(
    session: Session, write_xlsx: WriteXlsx
) -> None:
    shop = make_shop(session, slug="london", timezone="Europe/London")
    path = write_xlsx(
        [
            HEADER,
            ["Ana Lima", 31, "female", "Haircut", "07700 900123", "Ana.Lima@Example.com"],
            ["Bo Chen", 45, "male", "Shave", 7700900124, None],  # a number cell lost its 0
            ["Cy Dee", 28, "male", "Shave", "+33 6 12 34 56 78", None],
            ["Di Eve", 52, "female", "Haircut", "12345", None],
        ]
    )

    plan = plan_import(read_table(path), shop)
    store_plan(session, plan)
    session.commit()

    assert [r.describe() for r in plan.rejected] == [
        "row 5: Phone: Enter a phone number like 07400 123456 (Britain (UK)) or with its "
        "country code, like +44 7400 123456."
    ]
    stored = {i.customer_name: (i.phone, i.email) for i in session.scalars(select(Inquiry))}
    assert stored == {
        "Ana Lima": ("+447700900123", "ana.lima@example.com"),
        "Bo Chen": ("+447700900124", None),
        "Cy Dee": ("+33612345678", None),
    }
