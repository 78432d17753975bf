"""Customers kept up to date from a shop's inquiries, incrementally.

Same e-mail or same phone means same customer, transitively: an inquiry giving Ana's e-mail
and Ben's phone makes Ana and Ben one customer (the older id survives, the other is merged
into it). Only inquiries not yet linked are read; aggregates are recomputed in SQL for the
customers a batch touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Table, delete, exists, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from barberbot.campaigns import consent
from barberbot.campaigns.contacts import EMAIL, PHONE, email_key, first_name, phone_key
from barberbot.models import (
    CampaignRecipient,
    Channel,
    ConsentEvent,
    ConsentState,
    Customer,
    CustomerContact,
    CustomerInquiry,
    Inquiry,
    Shop,
)
from barberbot.models.base import Base, utcnow

BATCH = 2000


def table_of(model: type[Base]) -> Table:
    """The Core table of a model: inserts without the ORM's per-row bookkeeping."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


CUSTOMERS = table_of(Customer)
Key = tuple[str, str]

_COLUMNS = (
    Inquiry.id,
    Inquiry.received_at,
    Inquiry.customer_name,
    Inquiry.age,
    Inquiry.gender,
    Inquiry.inquiry_type,
    Inquiry.email,
    Inquiry.phone,
    Inquiry.location,
    Inquiry.marketing_consent,
    Inquiry.consent_at,
    Inquiry.consent_text,
    Inquiry.source,
)


def sync(session: Session, shop: Shop, *, quick: bool = False) -> int:
    """Link the shop's new inquiries to customers; returns how many were linked.

    `quick` trusts equal counts of inquiries and links (two index counts) and skips the
    anti-join; the sender always syncs fully before it picks a campaign's recipients.
    """
    if quick and _counts_match(session, shop):
        return 0
    _drop_forgotten(session, shop)
    linked = 0
    while True:
        rows = session.execute(
            select(*_COLUMNS)
            .where(
                Inquiry.shop_id == shop.id,
                ~exists().where(CustomerInquiry.inquiry_id == Inquiry.id),
            )
            .order_by(Inquiry.received_at, Inquiry.id)
            .limit(BATCH)
        ).all()
        if rows:
            _absorb(session, shop, rows)
            linked += len(rows)
        if len(rows) < BATCH:
            return linked


def sync_for_reading(session: Session, shop: Shop) -> None:
    """Best effort before a count or a preview: if another request or the sender is linking
    the same inquiries right now, it wins, and this read sees the customers as they were."""
    try:
        with session.begin_nested():
            sync(session, shop, quick=True)
    except DBAPIError:
        session.rollback()


def _counts_match(session: Session, shop: Shop) -> bool:
    inquiries = session.scalar(select(func.count()).where(Inquiry.shop_id == shop.id))
    links = session.scalar(select(func.count()).where(CustomerInquiry.shop_id == shop.id))
    return inquiries == links


def _keys(row: Row[Any]) -> list[Key]:
    keys = []
    if row.email:
        keys.append((EMAIL, email_key(row.email)))
    if row.phone:
        keys.append((PHONE, phone_key(row.phone)))
    return keys


class _Groups:
    """Union-find over contacts and existing customers."""

    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def find(self, node: object) -> object:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, a: object, b: object) -> None:
        self.parent[self.find(a)] = self.find(b)


def _absorb(session: Session, shop: Shop, rows: Sequence[Any]) -> None:
    keys = {key for row in rows for key in _keys(row)}
    known = _known_contacts(session, shop, keys)
    groups = _Groups()
    for row in rows:
        row_keys = _keys(row)
        for key in row_keys:
            groups.union(row_keys[0], key)
            if key in known:
                groups.union(key, ("customer", known[key]))
    # each group's customer: the oldest existing one, or a new one
    owners: dict[object, list[int]] = {}
    for key, customer_id in known.items():
        owners.setdefault(groups.find(key), []).append(customer_id)
    target: dict[object, int] = {}
    touched: set[int] = set()
    for root, ids in owners.items():
        survivor, *others = sorted(set(ids))
        for loser in others:
            _merge(session, loser, survivor)
        target[root] = survivor
        touched.add(survivor)
    opt_in = consent.double_opt_in(session, shop.id)
    fresh: dict[object, dict[str, Any]] = {}
    for row in rows:
        root = groups.find(_keys(row)[0])
        if root not in target and root not in fresh:
            fresh[root] = _new_customer(shop, row)
    if fresh:  # one batched INSERT ... RETURNING for the new customers' ids
        made = session.execute(
            insert(CUSTOMERS).returning(CUSTOMERS.c.id, sort_by_parameter_order=True),
            list(fresh.values()),
        )
        target |= dict(zip(fresh, made.scalars(), strict=True))
    links, events = [], []
    for row in rows:
        root = groups.find(_keys(row)[0])
        customer_id = target[root]
        touched.add(customer_id)
        links.append(
            {
                "inquiry_id": row.id,
                "shop_id": shop.id,
                "customer_id": customer_id,
                "inquiry_type": row.inquiry_type,
                "received_at": row.received_at,
            }
        )
        events += _consent_events(shop, row, customer_id, opt_in)
    new_contacts = [
        {"shop_id": shop.id, "kind": kind, "value": value, "customer_id": target[groups.find(k)]}
        for k in keys - known.keys()
        for kind, value in [k]
    ]
    if new_contacts:
        session.execute(insert(table_of(CustomerContact)), new_contacts)
    session.execute(insert(table_of(CustomerInquiry)), links)
    if events:
        session.execute(insert(table_of(ConsentEvent)), events)
    refresh(session, touched)


def _known_contacts(session: Session, shop: Shop, keys: set[Key]) -> dict[Key, int]:
    known: dict[Key, int] = {}
    for kind in (EMAIL, PHONE):
        values = [value for k, value in keys if k == kind]
        for start in range(0, len(values), 500):
            query = select(CustomerContact.value, CustomerContact.customer_id).where(
                CustomerContact.shop_id == shop.id,
                CustomerContact.kind == kind,
                CustomerContact.value.in_(values[start : start + 500]),
            )
            known.update({(kind, value): cid for value, cid in session.execute(query)})
    return known


def _new_customer(shop: Shop, row: Row[Any]) -> dict[str, Any]:
    """Placeholders from its first inquiry; `refresh` fills in the rest."""
    return {
        "shop_id": shop.id,
        "name": row.customer_name,
        "first_name": first_name(row.customer_name),
        "age": row.age,
        "gender": row.gender,
        "inquiry_count": 0,
        "first_inquiry_at": row.received_at,
        "last_inquiry_at": row.received_at,
        "email_consent": ConsentState.NONE.value,
        "sms_consent": ConsentState.NONE.value,
        "updated_at": row.received_at,
    }


def _consent_events(
    shop: Shop, row: Row[Any], customer_id: int, opt_in: bool
) -> list[dict[str, Any]]:
    if not row.marketing_consent:
        return []  # not ticking the box withdraws nothing; only an unsubscribe does
    base = {
        "shop_id": shop.id,
        "customer_id": customer_id,
        "method": f"inquiry:{row.source}",
        "at": row.consent_at or row.received_at,
        "inquiry_id": row.id,
        "campaign_id": None,
    }
    events = []
    if row.email:
        state = ConsentState.PENDING if opt_in else ConsentState.GRANTED
        detail = {"consent_text": row.consent_text, "address": row.email}
        events.append(
            base | {"channel": Channel.EMAIL.value, "state": state.value} | {"detail": detail}
        )
    if row.phone:
        detail = {"consent_text": row.consent_text, "address": row.phone}
        events.append(
            base
            | {"channel": Channel.SMS.value, "state": ConsentState.GRANTED.value}
            | {"detail": detail}
        )
    return events


def _merge(session: Session, loser: int, survivor: int) -> None:
    """Fold one customer into another: contacts, inquiries, evidence and campaign rows."""
    for model in (CustomerContact, CustomerInquiry, ConsentEvent):
        session.execute(
            update(model).where(model.customer_id == loser).values(customer_id=survivor)
        )
    shared = list(
        session.scalars(
            select(CampaignRecipient.campaign_id).where(CampaignRecipient.customer_id == survivor)
        )
    )
    if shared:  # one row per campaign and customer: the survivor's stands
        session.execute(
            delete(CampaignRecipient).where(
                CampaignRecipient.customer_id == loser,
                CampaignRecipient.campaign_id.in_(shared),
            )
        )
    session.execute(
        update(CampaignRecipient)
        .where(CampaignRecipient.customer_id == loser)
        .values(customer_id=survivor)
    )
    session.execute(delete(Customer).where(Customer.id == loser))


def refresh(session: Session, customer_ids: set[int]) -> None:
    """Recompute aggregates (in SQL), latest details and consent of these customers, and
    write them back in one executemany per 500 customers."""
    ids = sorted(customer_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        values = _details(session, chunk)
        for customer_id, count, first, last in session.execute(
            select(
                CustomerInquiry.customer_id,
                func.count(),
                func.min(CustomerInquiry.received_at),
                func.max(CustomerInquiry.received_at),
            )
            .where(CustomerInquiry.customer_id.in_(chunk))
            .group_by(CustomerInquiry.customer_id)
        ):
            values[customer_id].update(
                inquiry_count=count, first_inquiry_at=first, last_inquiry_at=last
            )
        for customer_id, states in consent.states(session, chunk).items():
            if customer_id in values:
                values[customer_id].update(states)
        if values:
            session.execute(update(Customer), list(values.values()))
    session.flush()


def _details(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Name, age, gender from the latest inquiry; contacts and location: the latest given."""
    query = (
        select(CustomerInquiry.customer_id, *_COLUMNS)
        .join(Inquiry, Inquiry.id == CustomerInquiry.inquiry_id)
        .where(CustomerInquiry.customer_id.in_(ids))
        .order_by(CustomerInquiry.customer_id, Inquiry.received_at, Inquiry.id)
    )
    now = utcnow()
    latest: dict[int, dict[str, Any]] = {}
    for row in session.execute(query):
        values = latest.setdefault(
            row.customer_id,
            {"id": row.customer_id, "email": None, "phone": None, "location": None},
        )
        values.update(
            name=row.customer_name,
            first_name=first_name(row.customer_name),
            age=row.age,
            gender=row.gender,
            updated_at=now,
        )
        values.update({k: v for k in ("email", "phone", "location") if (v := getattr(row, k))})
    return latest


def _drop_forgotten(session: Session, shop: Shop) -> None:
    """Inquiries erased at the customer's request: their links, evidence, and empty customers."""
    orphans = session.execute(
        select(CustomerInquiry.inquiry_id, CustomerInquiry.customer_id).where(
            CustomerInquiry.shop_id == shop.id,
            ~exists().where(Inquiry.id == CustomerInquiry.inquiry_id),
        )
    ).all()
    if not orphans:
        return
    inquiry_ids = [inquiry_id for inquiry_id, _ in orphans]
    customer_ids = {customer_id for _, customer_id in orphans}
    session.execute(delete(CustomerInquiry).where(CustomerInquiry.inquiry_id.in_(inquiry_ids)))
    session.execute(delete(ConsentEvent).where(ConsentEvent.inquiry_id.in_(inquiry_ids)))
    remaining = set(
        session.scalars(
            select(CustomerInquiry.customer_id).where(CustomerInquiry.customer_id.in_(customer_ids))
        )
    )
    empty = customer_ids - remaining
    if empty:
        for model in (CustomerContact, ConsentEvent, CampaignRecipient):
            session.execute(delete(model).where(model.customer_id.in_(empty)))
        session.execute(delete(Customer).where(Customer.id.in_(empty)))
    refresh(session, remaining)


def contacts_of(session: Session, customer: Customer) -> list[Key]:
    query = select(CustomerContact.kind, CustomerContact.value).where(
        CustomerContact.customer_id == customer.id
    )
    return [(kind, value) for kind, value in session.execute(query)]
