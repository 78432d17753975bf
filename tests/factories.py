"""Plain keyword factories: each saves (commits) and returns what it made."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from barberbot.auth import service as auth
from barberbot.core.countries import country_for_timezone
from barberbot.forms import service as forms
from barberbot.forms.definition import FormDefinition
from barberbot.forms.schemas import FormUpdate
from barberbot.forms.store import SqlAnswerStore
from barberbot.inquiries import writer
from barberbot.inquiries.capture import prepare
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import Inquiry, Role, Shop, Source, User
from barberbot.shops import service as shops

PASSWORD = "correct horse battery"


def inquiry_payload(**overrides: Any) -> dict[str, Any]:
    """A valid API/form body; override any field."""
    payload: dict[str, Any] = {
        "customer_name": "Jamal Brooks",
        "age": 34,
        "gender": "male",
        "inquiry_type": "beard_trim",
        "phone": "+44 7700 900123",
        "email": "jamal@example.com",
        "message": "Saturday morning?",
        "marketing_consent": True,
        "location": "high-street",
    }
    payload.update(overrides)
    return payload


def make_shop(
    session: Session,
    *,
    slug: str = "shop",
    name: str = "Test Shop",
    timezone: str = "UTC",
    country: str | None = shops.DEFAULT_COUNTRY,
) -> Shop:
    """A shop in its timezone's country, or in GB for UTC (the tests' numbers are British)."""
    if country == shops.DEFAULT_COUNTRY:
        country = country_for_timezone(timezone) or "GB"
    shop = shops.create(session, slug=slug, name=name, timezone=timezone, country=country)
    session.commit()
    return shop


def make_user(
    session: Session,
    *,
    email: str = "owner@example.com",
    password: str = PASSWORD,
    shops: Sequence[Shop] = (),
    role: Role = Role.OWNER,
) -> User:
    user = auth.create_user(session, email=email, password=password)
    for shop in shops:
        auth.grant(session, user, shop, role)
    session.commit()
    return user


def make_token(session: Session, user: User, name: str = "tests") -> str:
    token = auth.create_token(session, user, name)
    session.commit()
    return token


def make_inquiry(
    session: Session,
    *,
    shop: Shop,
    source: Source = Source.API,
    received_at: datetime | None = None,
    **overrides: Any,
) -> Inquiry:
    data = validate_inquiry(inquiry_payload(**overrides), shop.type_labels(), country=shop.country)
    capture = prepare(shop, data, source=source, received_at=received_at)
    writer.write(session, [capture], SqlAnswerStore())  # the path every entry point takes
    session.commit()
    inquiry = session.get(Inquiry, capture.id)
    assert inquiry is not None
    return inquiry


def form_fields(**overrides: Any) -> list[dict[str, Any]]:
    """A form of every question type (an API/PUT body's `fields`)."""
    fields: list[dict[str, Any]] = [
        {"key": "barber", "label": "Which barber do you prefer?", "type": "short_text"},
        {"key": "notes", "label": "Anything else?", "type": "long_text"},
        {"key": "visits", "label": "Visits a year", "type": "number", "min": 0, "max": 52},
        {
            "key": "hair_type",
            "label": "Hair type",
            "type": "single_choice",
            "options": ["Straight", "Wavy", "Curly"],
            "required": True,
            "help_text": "So we can book the right barber.",
        },
        {
            "key": "heard_from",
            "label": "How did you hear about us?",
            "type": "multiple_choice",
            "options": ["Friend", "Instagram", "Walked past"],
        },
        {"key": "preferred_day", "label": "Preferred day", "type": "date"},
        {"key": "first_visit", "label": "First visit?", "type": "yes_no"},
    ]
    return [field | overrides.get(field["key"], {}) for field in fields]


def make_form(
    session: Session, *, shop: Shop, fields: Sequence[dict[str, Any]] | None = None
) -> FormDefinition:
    update = FormUpdate.model_validate({"fields": form_fields() if fields is None else fields})
    form = forms.save(session, shop, update)
    session.commit()
    return form
