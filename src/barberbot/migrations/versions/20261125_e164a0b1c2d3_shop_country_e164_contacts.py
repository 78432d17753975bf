"""shops.country; inquiries' phone numbers in E.164 and e-mail addresses casefolded

Capture now stores phones as E.164 (a number without its country code read in the shop's
country) and whole e-mail addresses casefolded. This gives every shop the country of its
timezone and rewrites the stored inquiries the same way; a number that cannot be read (a
national number of a shop without a country) is left as it was.

Customers are matched by the digits of the phone number, so '07700900123' and
'+447700900123' used to be two contacts and possibly two customers. Their phone contacts move
to the new digits, and customers who now share a number are merged into the oldest, exactly as
the customers' sync merged them at this revision. E-mail contacts were already casefolded.
Downgrading drops the country only: E.164 numbers and lower-case addresses are valid stored
values before this revision too, and merged customers stay merged.

The capture rules' reading of a number, the merge and the refresh of a customer are copied
here as they were at this revision: the live code goes on changing, this migration must not.

Revision ID: e164a0b1c2d3
Revises: f1c2d3e4a5b6
Create Date: 2026-11-25 11:30:00
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import phonenumbers
import sqlalchemy as sa
from alembic import op
from phonenumbers import NumberParseException, PhoneNumberFormat
from sqlalchemy.engine import Connection

from barberbot.core.countries import country_for_timezone
from barberbot.models.base import UTCDateTime

revision: str = "e164a0b1c2d3"
down_revision: str | None = "f1c2d3e4a5b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGE = 5000
EMAIL_MAX = 254
SHOPS = sa.table("shops", sa.column("id"), sa.column("timezone"), sa.column("country"))
INQUIRIES = sa.table(
    "inquiries",
    sa.column("id"),
    sa.column("shop_id"),
    sa.column("phone"),
    sa.column("email"),
    sa.column("received_at", UTCDateTime()),
    sa.column("customer_name"),
    sa.column("age"),
    sa.column("gender"),
    sa.column("location"),
)
LINKS = sa.table(
    "customer_inquiries",
    sa.column("inquiry_id"),
    sa.column("customer_id"),
    sa.column("received_at", UTCDateTime()),
)
CONTACTS = sa.table(
    "customer_contacts",
    sa.column("shop_id"),
    sa.column("kind"),
    sa.column("value"),
    sa.column("customer_id"),
)
CUSTOMERS = sa.table(
    "customers",
    sa.column("id"),
    sa.column("name"),
    sa.column("first_name"),
    sa.column("email"),
    sa.column("phone"),
    sa.column("age"),
    sa.column("gender"),
    sa.column("location"),
    sa.column("inquiry_count"),
    sa.column("first_inquiry_at", UTCDateTime()),
    sa.column("last_inquiry_at", UTCDateTime()),
    sa.column("email_consent"),
    sa.column("email_consent_at", UTCDateTime()),
    sa.column("sms_consent"),
    sa.column("sms_consent_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
CONSENT_EVENTS = sa.table(
    "consent_events",
    sa.column("id"),
    sa.column("customer_id"),
    sa.column("channel"),
    sa.column("state"),
    sa.column("at", UTCDateTime()),
)
RECIPIENTS = sa.table("campaign_recipients", sa.column("campaign_id"), sa.column("customer_id"))
# (shop id, inquiry id, old phone key, new phone key)
PhoneChange = tuple[int, str, str, str]


# Plain ALTER TABLE, not a batch copy: SQLite (3.35+) adds and drops a simple column itself,
# and copying `shops` would drop the old table, which with foreign keys on cascades to every
# row of every shop.
def upgrade() -> None:
    op.add_column("shops", sa.Column("country", sa.String(2), nullable=True))
    bind = op.get_bind()
    countries = _shop_countries(bind)
    changed, phones = _normalise_inquiries(bind, countries)
    if changed:
        _relink_customers(bind, changed, phones)


def downgrade() -> None:
    op.drop_column("shops", "country")


def _shop_countries(bind: Connection) -> dict[int, str | None]:
    countries = {}
    for shop_id, zone in bind.execute(sa.select(SHOPS.c.id, SHOPS.c.timezone)).all():
        countries[shop_id] = country = country_for_timezone(zone)
        if country is not None:
            bind.execute(sa.update(SHOPS).where(SHOPS.c.id == shop_id).values(country=country))
    return countries


def _key(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _normalise_inquiries(
    bind: Connection, countries: dict[int, str | None]
) -> tuple[list[str], list[PhoneChange]]:
    """Rewrite every inquiry's contacts, a page at a time in key order; the changed ids."""
    changed: list[str] = []
    phones: list[PhoneChange] = []
    statement = (
        sa.update(INQUIRIES)
        .where(INQUIRIES.c.id == sa.bindparam("inquiry_id"))
        .values(phone=sa.bindparam("new_phone"), email=sa.bindparam("new_email"))
    )
    last = ""
    while True:
        rows = bind.execute(
            sa.select(INQUIRIES)
            .where(
                INQUIRIES.c.id > last,
                (INQUIRIES.c.phone.is_not(None)) | (INQUIRIES.c.email.is_not(None)),
            )
            .order_by(INQUIRIES.c.id)
            .limit(PAGE)
        ).all()
        if not rows:
            return changed, phones
        updates: list[dict[str, Any]] = []
        for row in rows:
            phone = _phone(row.phone, countries.get(row.shop_id))
            email = _email(row.email)
            if (phone, email) == (row.phone, row.email):
                continue
            updates.append({"inquiry_id": row.id, "new_phone": phone, "new_email": email})
            changed.append(row.id)
            if phone and _key(phone) != _key(row.phone):
                phones.append((row.shop_id, row.id, _key(row.phone), _key(phone)))
        if updates:
            bind.execute(statement, updates)
        last = rows[-1].id


# digits, the usual separators, and one leading + (letters and extensions are refused)
_PHONE_ALLOWED_RE = re.compile(r"^\+?[\d\s().\-/]+$")


def _phone(value: str | None, country: str | None) -> str | None:
    """E.164 as the capture rules stored numbers from this revision on (a number without its
    country code read in the shop's country); as it was if it cannot be read so."""
    if not value:
        return value
    text = value.strip()
    if not _PHONE_ALLOWED_RE.match(text):
        return value
    if text.startswith("00"):  # the international prefix of most of the world
        text = "+" + text[2:]
    if not text.startswith("+") and country is None:
        return value
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else country)
    except NumberParseException:
        return value
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != phonenumbers.ValidationResult.IS_POSSIBLE:
        return value
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _email(value: str | None) -> str | None:
    """The whole address casefolded, as capture stores it from this revision on."""
    if not value:
        return value
    normal = value.strip().casefold()
    return normal if len(normal) <= EMAIL_MAX else value


def _relink_customers(bind: Connection, changed: list[str], phones: list[PhoneChange]) -> None:
    """Phone contacts under their new digits, customers sharing one merged, details refreshed."""
    owner_of = _customers_of(bind, changed)
    holders = _phone_contacts(bind, {(shop_id, new) for shop_id, _, _, new in phones})
    merged: dict[int, int] = {}  # a merged customer -> the one it became

    def current(customer_id: int) -> int:
        while customer_id in merged:
            customer_id = merged[customer_id]
        return customer_id

    known = set(holders)
    for shop_id, inquiry_id, _, new_key in phones:
        if inquiry_id not in owner_of:
            continue  # not linked to a customer yet: the next sync links it by its new number
        customer_id = current(owner_of[inquiry_id])
        holder = current(holders.setdefault((shop_id, new_key), customer_id))
        if holder != customer_id:
            survivor, loser = sorted((holder, customer_id))
            _merge(bind, loser, survivor)
            merged[loser] = survivor
    rows = [
        {"shop_id": shop_id, "kind": "phone", "value": key, "customer_id": current(holder)}
        for (shop_id, key), holder in holders.items()
        if (shop_id, key) not in known
    ]
    if rows:
        bind.execute(sa.insert(CONTACTS), rows)
    _drop_unused(bind, {(shop_id, old) for shop_id, _, old, _ in phones})
    # latest contacts, counts and consent of every customer whose inquiries changed
    _refresh(bind, {current(customer_id) for customer_id in owner_of.values()})


def _merge(bind: Connection, loser: int, survivor: int) -> None:
    """Fold one customer into another: contacts, inquiries, evidence and campaign rows."""
    for table in (CONTACTS, LINKS, CONSENT_EVENTS):
        bind.execute(
            sa.update(table).where(table.c.customer_id == loser).values(customer_id=survivor)
        )
    shared = list(
        bind.scalars(
            sa.select(RECIPIENTS.c.campaign_id).where(RECIPIENTS.c.customer_id == survivor)
        )
    )
    if shared:  # one row per campaign and customer: the survivor's stands
        bind.execute(
            sa.delete(RECIPIENTS).where(
                RECIPIENTS.c.customer_id == loser, RECIPIENTS.c.campaign_id.in_(shared)
            )
        )
    bind.execute(
        sa.update(RECIPIENTS).where(RECIPIENTS.c.customer_id == loser).values(customer_id=survivor)
    )
    bind.execute(sa.delete(CUSTOMERS).where(CUSTOMERS.c.id == loser))


def _refresh(bind: Connection, customer_ids: set[int]) -> None:
    """Recompute the counts and dates, latest details and consent of these customers."""
    ids = sorted(customer_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        values = _details(bind, chunk)
        for customer_id, count, first, last in bind.execute(
            sa.select(
                LINKS.c.customer_id,
                sa.func.count(),
                sa.func.min(LINKS.c.received_at),
                sa.func.max(LINKS.c.received_at),
            )
            .where(LINKS.c.customer_id.in_(chunk))
            .group_by(LINKS.c.customer_id)
        ):
            values[customer_id].update(
                inquiry_count=count, first_inquiry_at=first, last_inquiry_at=last
            )
        for customer_id, states in _consent_states(bind, chunk).items():
            if customer_id in values:
                values[customer_id].update(states)
        _update_customers(bind, list(values.values()))


def _details(bind: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Name, age, gender from the latest inquiry; contacts and location: the latest given."""
    query = (
        sa.select(
            LINKS.c.customer_id,
            INQUIRIES.c.customer_name,
            INQUIRIES.c.age,
            INQUIRIES.c.gender,
            INQUIRIES.c.email,
            INQUIRIES.c.phone,
            INQUIRIES.c.location,
        )
        .join(INQUIRIES, INQUIRIES.c.id == LINKS.c.inquiry_id)
        .where(LINKS.c.customer_id.in_(ids))
        .order_by(LINKS.c.customer_id, INQUIRIES.c.received_at, INQUIRIES.c.id)
    )
    now = datetime.now(UTC)
    latest: dict[int, dict[str, Any]] = {}
    for row in bind.execute(query):
        values = latest.setdefault(
            row.customer_id,
            {"id": row.customer_id, "email": None, "phone": None, "location": None},
        )
        parts = row.customer_name.split()
        values.update(
            name=row.customer_name,
            first_name=parts[0] if parts else row.customer_name,
            age=row.age,
            gender=row.gender,
            updated_at=now,
        )
        values.update({k: v for k in ("email", "phone", "location") if (v := getattr(row, k))})
    return latest


def _consent_states(bind: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The consent columns of these customers, folded from their events in time order."""
    events: dict[tuple[int, str], list[tuple[str, datetime]]] = {}
    query = (
        sa.select(
            CONSENT_EVENTS.c.customer_id,
            CONSENT_EVENTS.c.channel,
            CONSENT_EVENTS.c.state,
            CONSENT_EVENTS.c.at,
        )
        .where(CONSENT_EVENTS.c.customer_id.in_(ids))
        .order_by(CONSENT_EVENTS.c.at, CONSENT_EVENTS.c.id)
    )
    for customer_id, channel, state, at in bind.execute(query):
        events.setdefault((customer_id, channel), []).append((state, at))
    found = {}
    for customer_id in ids:
        email = _fold(events.get((customer_id, "email"), []))
        sms = _fold(events.get((customer_id, "sms"), []))
        found[customer_id] = {
            "email_consent": email[0],
            "email_consent_at": email[1],
            "sms_consent": sms[0],
            "sms_consent_at": sms[1],
        }
    return found


def _fold(states: list[tuple[str, datetime]]) -> tuple[str, datetime | None]:
    """The state after these events: a pending request never undoes a grant."""
    state: str = "none"
    at: datetime | None = None
    for new, when in states:
        if new == "pending" and state == "granted":
            continue
        state, at = new, when
    return state, at


def _update_customers(bind: Connection, rows: list[dict[str, Any]]) -> None:
    """One executemany per set of columns (every customer refreshed has the same, in practice):
    each row's keys but its id are the columns it sets."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        values = {key: value for key, value in row.items() if key != "id"}
        by_columns.setdefault(tuple(sorted(values)), []).append({"b_id": row["id"], **values})
    statement = sa.update(CUSTOMERS).where(CUSTOMERS.c.id == sa.bindparam("b_id"))
    for group in by_columns.values():
        bind.execute(statement, group)


def _customers_of(bind: Connection, inquiry_ids: list[str]) -> dict[str, int]:
    owners: dict[str, int] = {}
    for start in range(0, len(inquiry_ids), 500):
        chunk = inquiry_ids[start : start + 500]
        query = sa.select(LINKS.c.inquiry_id, LINKS.c.customer_id).where(
            LINKS.c.inquiry_id.in_(chunk)
        )
        owners.update({inquiry_id: customer_id for inquiry_id, customer_id in bind.execute(query)})
    return owners


def _by_shop(keys: set[tuple[int, str]]) -> dict[int, list[str]]:
    shops: dict[int, list[str]] = {}
    for shop_id, key in sorted(keys):
        shops.setdefault(shop_id, []).append(key)
    return shops


def _phone_contacts(bind: Connection, keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """The customers already known by these (shop, phone digits)."""
    found: dict[tuple[int, str], int] = {}
    for shop_id, values in _by_shop(keys).items():
        for start in range(0, len(values), 500):
            query = sa.select(CONTACTS.c.value, CONTACTS.c.customer_id).where(
                CONTACTS.c.shop_id == shop_id,
                CONTACTS.c.kind == "phone",
                CONTACTS.c.value.in_(values[start : start + 500]),
            )
            found.update({(shop_id, value): cid for value, cid in bind.execute(query)})
    return found


def _drop_unused(bind: Connection, keys: set[tuple[int, str]]) -> None:
    """Delete the old phone contacts no inquiry has any more (stored as 'digits' or '+digits')."""
    for shop_id, values in _by_shop(keys).items():
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            stored = INQUIRIES.c.phone.in_(chunk + ["+" + key for key in chunk])
            query = sa.select(INQUIRIES.c.phone).where(INQUIRIES.c.shop_id == shop_id, stored)
            used = {phone.lstrip("+") for phone in bind.scalars(query.distinct())}
            unused = [key for key in chunk if key not in used]
            if unused:
                bind.execute(
                    sa.delete(CONTACTS).where(
                        CONTACTS.c.shop_id == shop_id,
                        CONTACTS.c.kind == "phone",
                        CONTACTS.c.value.in_(unused),
                    )
                )
