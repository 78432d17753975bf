"""Members hear of new inquiries as each chose: one e-mail each, an hourly digest, or none;
and once of an inquiry still new after the shop's response target."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.inbox.overdue_reminders import hours_later
from barberbot.inbox.preferences import settings_of
from barberbot.models import Inquiry, Membership, Role, Shop, User
from barberbot.models.base import utcnow
from tests.factories import make_inquiry, make_user
from tests.inbox.sending import run, smtp_settings
from tests.support.smtp import SmtpServer


def at(when: datetime) -> Callable[[], datetime]:
    return lambda: when


def subjects(smtp: SmtpServer, address: str) -> list[str]:
    return sorted(str(m.message["Subject"]) for m in smtp.to(address))


def test_owners_get_one_email_per_inquiry_and_staff_the_hourly_digest(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop,
    owner: User, staff: User,
) -> None:  # fmt: skip
    asked = smtp_settings(settings, smtp)
    make_inquiry(session, shop=shop, customer_name="Jo Bloggs", email=None, phone="+447700900123")
    make_inquiry(session, shop=shop, customer_name="Al Green", email=None, phone="+447700900124")
    now = utcnow()

    run(database, asked, now=at(now))
    run(database, asked, now=at(now))

    assert subjects(smtp, owner.email) == [
        "New inquiry: Al Green - King's Cuts",
        "New inquiry: Jo Bloggs - King's Cuts",
    ]
    [one] = [m for m in smtp.to(owner.email) if "Jo Bloggs" in str(m.message["Subject"])]
    assert f"http://testserver/shops/{shop.slug}/inquiries/" in one.body
    assert smtp.to(staff.email) == []

    next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1, minutes=1)
    run(database, asked, now=at(next_hour))
    run(database, asked, now=at(next_hour + timedelta(minutes=10)))

    [digest] = smtp.to(staff.email)
    assert digest.message["Subject"] == "2 new inquiries - King's Cuts"
    assert "Jo Bloggs" in digest.body
    assert "Al Green" in digest.body
    assert len(smtp.to(owner.email)) == 2  # the owner chose one each: no digest


def test_a_member_who_chose_none_hears_nothing_and_one_may_choose_the_digest(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop,
    owner: User,
) -> None:  # fmt: skip
    quiet = make_user(session, email="quiet@kings.example", shops=[shop], role=Role.OWNER)
    session.execute(update(Membership).where(Membership.user_id == quiet.id).values(notify="none"))
    session.execute(
        update(Membership).where(Membership.user_id == owner.id).values(notify="digest")
    )
    session.commit()
    make_inquiry(session, shop=shop, email=None, phone="+447700900123")
    now = utcnow()

    run(database, smtp_settings(settings, smtp), now=at(now))
    run(database, smtp_settings(settings, smtp), now=at(now + timedelta(hours=1)))

    assert smtp.to(quiet.email) == []
    assert subjects(smtp, owner.email) == ["1 new inquiry - King's Cuts"]


def test_an_inquiry_still_new_after_the_target_is_reminded_once(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop,
    owner: User, staff: User,
) -> None:  # fmt: skip
    asked = smtp_settings(settings, smtp)
    now = utcnow()
    waiting = make_inquiry(
        session, shop=shop, customer_name="Jo Bloggs", email=None, phone="+447700900123"
    )
    taken = make_inquiry(
        session, shop=shop, customer_name="Al Green", email=None, phone="+447700900124"
    )
    session.execute(update(Inquiry).where(Inquiry.id == taken.id).values(status="open"))
    session.commit()

    four = hours_later(4)  # on the clock: the test is the same on any day
    run(database, asked, now=at(now + timedelta(hours=3)), due_at=four)  # not due yet
    assert not any("Still waiting" in s for s in subjects(smtp, owner.email))
    for later in (5, 6):
        run(database, asked, now=at(now + timedelta(hours=later)), due_at=four)

    reminder = "Still waiting for an answer: Jo Bloggs - King's Cuts"
    assert subjects(smtp, owner.email).count(reminder) == 1
    assert subjects(smtp, staff.email).count(reminder) == 1
    assert not any("Al Green" in s and "Still" in s for s in subjects(smtp, owner.email))
    assert waiting.status == "new"


def test_the_reminder_waits_for_the_due_time_it_is_given(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop,
    owner: User,
) -> None:  # fmt: skip
    """Any target plugs in as `due_at`."""
    asked = smtp_settings(settings, smtp)
    now = utcnow()
    make_inquiry(session, shop=shop, customer_name="Jo Bloggs", email=None, phone="+447700900123")

    def due_at(received_at: datetime, _: Shop) -> datetime:
        return received_at + timedelta(hours=20)

    run(database, asked, now=at(now + timedelta(hours=6)), due_at=due_at)
    assert not any("Still" in s for s in subjects(smtp, owner.email))
    run(database, asked, now=at(now + timedelta(hours=21)), due_at=due_at)
    assert sum("Still" in s for s in subjects(smtp, owner.email)) == 1


def test_by_default_the_reminder_counts_the_shops_working_hours(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop,
    owner: User,
) -> None:  # fmt: skip
    """Monday 16:00 in a shop working 09:00-18:00: 4 working hours end on Tuesday at 11:00."""
    monday = datetime(2026, 11, 30, 16, tzinfo=UTC)
    marks = settings_of(session, shop)
    marks.overdue_at = monday - timedelta(days=1)
    session.commit()
    make_inquiry(session, shop=shop, customer_name="Jo Bloggs", email=None, received_at=monday,
                 phone="+447700900123")  # fmt: skip
    asked = smtp_settings(settings, smtp)

    run(database, asked, now=at(datetime(2026, 11, 30, 23, tzinfo=UTC)))
    run(database, asked, now=at(datetime(2026, 12, 1, 10, 59, tzinfo=UTC)))
    assert not any("Still" in s for s in subjects(smtp, owner.email))
    run(database, asked, now=at(datetime(2026, 12, 1, 11, 1, tzinfo=UTC)))
    assert sum("Still" in s for s in subjects(smtp, owner.email)) == 1
