"""A demo shop with a few hundred realistic inquiries and an owner who can sign in."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from barberbot.auth import service as auth
from barberbot.forms.store import SqlAnswerStore
from barberbot.inquiries import writer
from barberbot.inquiries.capture import Capture, prepare
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import Shop, Source
from barberbot.shops import service as shops

DEMO_SLUG = "demo"
DEMO_EMAIL = "owner@demo.barberbot.local"
DEMO_PASSWORD = "demo-barber-2026"

FIRST = {
    "male": [
        "James",
        "Mohammed",
        "Oliver",
        "José",
        "Liam",
        "Kwame",
        "Tomasz",
        "Ethan",
        "Arjun",
        "Noah",
        "Chen",
        "Dmitri",
        "Luca",
        "Kofi",
        "Mateo",
        "Yusuf",
        "Harry",
        "Björn",
    ],
    "female": [
        "Amelia",
        "Olivia",
        "Zoë",
        "Aisha",
        "Sofía",
        "Mia",
        "Chloé",
        "Priya",
        "Grace",
        "Léa",
        "Hannah",
        "Fatima",
    ],
    "other": ["Alex", "Sam", "Jordan", "Robin", "Charlie", "Kai"],
}
LAST = [
    "Smith",
    "Khan",
    "García",
    "Nowak",
    "Okafor",
    "Jones",
    "Müller",
    "Brown",
    "Patel",
    "O'Connor",
    "Rossi",
    "Nguyen",
    "Dubois",
    "Williams",
    "Kowalski",
    "Silva",
    "Mensah",
]
# Inquiry types by who tends to ask for them, weighted like a men's barbershop with a kids' corner.
TYPE_WEIGHTS = {
    "male": {
        "haircut": 40,
        "beard_trim": 22,
        "shave": 10,
        "styling": 6,
        "hair_colouring": 3,
        "pricing_question": 7,
        "booking_request": 10,
        "other": 2,
    },
    "female": {
        "haircut": 25,
        "hair_colouring": 20,
        "styling": 20,
        "kids_cut": 15,
        "pricing_question": 10,
        "booking_request": 8,
        "other": 2,
    },
    "other": {
        "haircut": 35,
        "styling": 15,
        "hair_colouring": 12,
        "pricing_question": 13,
        "booking_request": 20,
        "other": 5,
    },
}
MESSAGES = {
    "haircut": [
        "Can I get a skin fade on Saturday?",
        "Short back and sides, any time Thursday?",
        "Walk-in possible after work?",
        "",
    ],
    "beard_trim": ["Beard getting out of hand 😅 need a tidy-up", "Do you do beard oil too?", ""],
    "shave": ["Hot towel shave before my wedding", "How long does a traditional shave take?"],
    "hair_colouring": ["Thinking of going platinum, is that possible?", "Grey coverage price?"],
    "kids_cut": ["My son is 6, do you have a kids' chair?", "Two kids, back to back please"],
    "styling": ["Styling for a wedding party of 5", "Do you sell pomade?"],
    "pricing_question": ["How much is a cut and beard combo?", "Student discount?"],
    "booking_request": ["Can I book for next Friday at 5?", "Regular slot every 3 weeks?"],
    "other": ["Are you hiring barbers?", "Do you accept gift cards?"],
}
LOCATIONS = ["high-street", "station-road"]
RETURNING = 0.3  # the share of inquiries from someone who asked before
PERSON = ("customer_name", "age", "gender", "email", "phone")  # what a returning customer keeps


@dataclass(frozen=True)
class DemoSummary:
    shop: Shop
    inquiries: int
    created: bool


def _pick_gender(rng: random.Random) -> str:
    return rng.choices(["male", "female", "non_binary", "prefer_not_to_say"], [62, 30, 4, 4])[0]


def _age_for(rng: random.Random, inquiry_type: str) -> int:
    if inquiry_type == "kids_cut":
        return rng.randint(25, 45)  # the parent asks
    return max(14, min(85, int(rng.gauss(33, 12))))


def _fake_inquiry(rng: random.Random, shop: Shop) -> dict[str, object]:
    gender = _pick_gender(rng)
    pool = gender if gender in ("male", "female") else "other"
    weights = TYPE_WEIGHTS[pool]
    inquiry_type = rng.choices(list(weights), list(weights.values()))[0]
    first, last = rng.choice(FIRST[pool]), rng.choice(LAST)
    has_email, has_phone = rng.random() < 0.75, rng.random() < 0.6
    if not (has_email or has_phone):
        has_phone = True
    handle = f"{first}.{last}".lower().replace("'", "")
    return {
        "customer_name": f"{first} {last}",
        "age": _age_for(rng, inquiry_type),
        "gender": gender,
        "inquiry_type": inquiry_type,
        "email": f"{handle}{rng.randint(1, 99)}@example.com" if has_email else None,
        "phone": f"+44 7700 9{rng.randint(0, 99999):05d}" if has_phone else None,
        "message": rng.choice(MESSAGES[inquiry_type]),
        "marketing_consent": rng.random() < 0.55,
        "location": rng.choice(LOCATIONS),
    }


def _received_at(rng: random.Random, now: datetime, days: int) -> datetime:
    day = now - timedelta(days=rng.triangular(0, days, 0))
    hour = rng.choices(range(8, 21), [2, 4, 6, 7, 8, 7, 6, 6, 8, 10, 9, 6, 3])[0]
    at = day.replace(hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59))
    return min(at, now)


def load_demo(session: Session, *, count: int = 300, days: int = 90, seed: int = 7) -> DemoSummary:
    """Create the demo shop and owner, once; running it again changes nothing."""
    shop = shops.by_slug(session, DEMO_SLUG)
    if shop is not None:
        return DemoSummary(shop, 0, created=False)
    shop = shops.create(session, slug=DEMO_SLUG, name="Demo Barbers", timezone="Europe/London")
    owner = auth.by_email(session, DEMO_EMAIL) or auth.create_user(
        session, email=DEMO_EMAIL, password=DEMO_PASSWORD, name="Demo Owner"
    )
    auth.grant(session, owner, shop)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    offered = shop.type_labels()
    people: list[dict[str, object]] = []
    captures: list[Capture] = []
    for _ in range(count):
        inquiry = _fake_inquiry(rng, shop)
        if people and rng.random() < RETURNING:  # someone who asked before asks again
            inquiry |= rng.choice(people)
        else:
            people.append({key: inquiry[key] for key in PERSON})
        data = validate_inquiry(inquiry, offered, country=shop.country)
        source = rng.choices([Source.WEB_FORM, Source.API, Source.DESKTOP], [70, 10, 20])[0]
        received_at = _received_at(rng, now, days)
        captures.append(prepare(shop, data, source=source, received_at=received_at))
    writer.write(session, captures, SqlAnswerStore())  # no form: no answers to keep
    return DemoSummary(shop, count, created=True)
