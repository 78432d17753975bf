"""One customer is every inquiry linked by the same e-mail or the same phone number."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.orm import Session

from barberbot.analytics import queries
from barberbot.analytics.filters import Selection, period_for
from barberbot.analytics.summary import summarise
from barberbot.models import Shop
from tests.factories import make_inquiry
from tests.support.customers import customer_ids

UTC_ZONE = ZoneInfo("UTC")
WEEK = period_for(None, zone=UTC_ZONE, now=datetime.now(UTC), start=date(2026, 11, 2),
                  end=date(2026, 11, 8))  # fmt: skip
IN_THE_WEEK = datetime(2026, 11, 4, 12, tzinfo=UTC)
BEFORE = datetime(2026, 10, 1, 12, tzinfo=UTC)
P1, P3, P5, P7 = "+447000000001", "+447000000003", "+447000000005", "+447000000007"

# (e-mail, phone) of each inquiry in the week
Contacts = list[tuple[str | None, str | None]]
THE_WEEK: Contacts = [
    ("ana@x.io", None), (None, P1), ("ana@x.io", P1),  # Ana: by e-mail, by phone, then both
    ("bo@x.io", None), ("bo@x.io", None),  # Bo, twice
    ("cai@x.io", P3), ("dee@x.io", P3),  # one phone shared: one customer by the rule
    (None, P5),  # Eve, whose phone was given with another e-mail before the week
    ("gus2@x.io", P7),  # Gus, with a new e-mail and the phone he used before
]  # fmt: skip
EARLIER: Contacts = [("eve@x.io", P5), ("gus@x.io", P7)]


def _add(session: Session, shop: Shop, contacts: Contacts,
         when: datetime) -> None:  # fmt: skip
    for email, phone in contacts:
        make_inquiry(session, shop=shop, email=email, phone=phone, received_at=when)


def test_customers_are_linked_by_email_or_phone(session: Session, shop: Shop) -> None:
    _add(session, shop, THE_WEEK, IN_THE_WEEK)
    _add(session, shop, EARLIER, BEFORE)
    selection = Selection(shop_ids=(shop.id,), period=WEEK)

    found = queries.customers(session, selection)

    # Ana, Bo, Cai-and-Dee, Eve, Gus; Eve and Gus had inquired before (by the same phone)
    assert found == {"customers": 5, "new": 3, "returning": 2}
    summary = summarise(session, selection, UTC_ZONE, shop.type_labels())
    assert summary.totals["customers"] == 5
    assert summary.customers == {"new": 3, "returning": 2}


def test_the_sql_counts_what_the_cleaning_step_counts(session: Session, shop: Shop) -> None:
    _add(session, shop, THE_WEEK, IN_THE_WEEK)
    frame = pd.DataFrame(THE_WEEK, columns=["email", "phone"])

    in_sql = queries.customers(session, Selection(shop_ids=(shop.id,), period=WEEK))

    assert in_sql["customers"] == customer_ids(frame).nunique() == 5


def test_a_chain_of_contacts_is_one_customer(session: Session, shop: Shop) -> None:
    # e-mail a with phone 1, phone 1 with e-mail b, e-mail b with phone 3: one person
    _add(session, shop, [("a@x.io", P1), ("b@x.io", P1), ("b@x.io", P3)], IN_THE_WEEK)
    _add(session, shop, [("c@x.io", None)], IN_THE_WEEK)

    found = queries.customers(session, Selection(shop_ids=(shop.id,), period=WEEK))

    assert found == {"customers": 2, "new": 2, "returning": 0}
