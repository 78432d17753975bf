"""shops.country; inquiries' phone numbers in E.164 and e-mail addresses casefolded

Capture now stores phones as E.164 (a number without its country code read in the shop's
country) and whole e-mail addresses casefolded. This gives every shop the country of its
timezone and rewrites the stored inquiries the same way; a number that cannot be read (a
national number of a shop without a country) is left as it was.

Customers are matched by the digits of the phone number (`campaigns.contacts.phone_key`), so
'07700900123' and '+447700900123' used to be two contacts and possibly two customers. Their
phone contacts move to the new digits, and customers who now share a number are merged into
the oldest, exactly as `campaigns.customers.sync` merges them. E-mail contacts were already
casefolded. Downgrading drops the country only: E.164 numbers and lower-case addresses are
valid stored values before this revision too, and merged customers stay merged.

Revision ID: e164a0b1c2d3
Revises: f1c2d3e4a5b6
Create Date: 2026-11-25 11:30:00
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from barberbot.core.countries import country_for_timezone
from barberbot.inquiries.contacts import PhoneInvalid, email_normal, phone_e164

revision: str = "e164a0b1c2d3"
down_revision: str | None = "f1c2d3e4a5b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGE = 5000
EMAIL_MAX = 254
SHOPS = sa.table("shops", sa.column("id"), sa.column("timezone"), sa.column("country"))
INQUIRIES = sa.table(
    "inquiries", sa.column("id"), sa.column("shop_id"), sa.column("phone"), sa.column("email")
)
LINKS = sa.table("customer_inquiries", sa.column("inquiry_id"), sa.column("customer_id"))
CONTACTS = sa.table(
    "customer_contacts",
    sa.column("shop_id"),
    sa.column("kind"),
    sa.column("value"),
    sa.column("customer_id"),
)
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


def _phone(value: str | None, country: str | None) -> str | None:
    if not value:
        return value
    try:
        return phone_e164(value, country)
    except PhoneInvalid:
        return value


def _email(value: str | None) -> str | None:
    if not value:
        return value
    normal = email_normal(value)
    return normal if len(normal) <= EMAIL_MAX else value


def _relink_customers(bind: Connection, changed: list[str], phones: list[PhoneChange]) -> None:
    """Phone contacts under their new digits, customers sharing one merged, details refreshed."""
    # the app's own merge and refresh: the customer tables are as the models say at this head
    from barberbot.campaigns.customers import _merge, refresh

    owner_of = _customers_of(bind, changed)
    holders = _phone_contacts(bind, {(shop_id, new) for shop_id, _, _, new in phones})
    session = Session(bind=bind)
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
            _merge(session, loser, survivor)
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
    refresh(session, {current(customer_id) for customer_id in owner_of.values()})
    session.close()


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
