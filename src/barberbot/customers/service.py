"""Customers kept up to date from a shop's inquiries, incrementally.

Same e-mail or same phone means same customer, transitively: an inquiry giving Ana's e-mail
and Ben's phone makes Ana and Ben one customer (the older id survives, the other is merged
into it). Only inquiries not yet linked are read; aggregates are recomputed in SQL for the
customers a batch touched, and `customer_days` follows their first and last inquiry days.

A full `sync` anti-joins the whole shop; `sync_recent` reads only what arrived since the
settled mark it leaves (`inquiries.settled`, reader "customers") and the days marked late;
`is_current` asks, without writing, whether it would find anything to do.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Exists,
    Row,
    Table,
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import InstrumentedAttribute, Session

from barberbot.customers import consent
from barberbot.customers.contacts import EMAIL, PHONE, email_key, first_name, phone_key
from barberbot.inquiries import settled
from barberbot.models import (
    CampaignRecipient,
    Channel,
    ConsentEvent,
    ConsentState,
    Customer,
    CustomerContact,
    CustomerDay,
    CustomerInquiry,
    Inquiry,
    Shop,
)
from barberbot.models.base import Base, utcnow

BATCH = 2000
READER = "customers"  # this table's name among the settled readers


def table_of(model: type[Base]) -> Table:
    """The Core table of a model: inserts without the ORM's per-row bookkeeping."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


CUSTOMERS = table_of(Customer)
Key = tuple[str, str]
Span = tuple[int, int]  # a customer's first and last inquiry day

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
    anti-join; the sender always syncs fully before it picks a campaign's recipients. A full
    sync leaves the settled mark that `sync_recent` goes on from.
    """
    if quick and _counts_match(session, shop):
        return 0
    began, late = utcnow(), settled.late_days(session, shop.id, READER)
    _drop_forgotten(session, shop)
    linked = _link(session, shop)
    _settle(session, shop, began, late)
    return linked


def sync_recent(session: Session, shop: Shop, *, most: int | None = None) -> int | None:
    """Like `sync`, reading only the inquiries of the days since the settled mark and of the
    days marked late. None, and nothing done, if the shop has no mark yet (a full `sync`
    leaves one) or more than `most` inquiries wait to be linked (a large import)."""
    through = settled.through(session, shop.id, READER)
    if through is None:
        return None
    began, late = utcnow(), settled.late_days(session, shop.id, READER)
    recent = _days(Inquiry.received_at, through, late.values())
    if most is not None and _unlinked(session, shop, recent, most + 1) > most:
        return None
    _drop_forgotten(session, shop, _days(CustomerInquiry.received_at, through, late.values()))
    linked = _link(session, shop, recent)
    _settle(session, shop, began, late)
    return linked


def is_current(session: Session, shop: Shop) -> bool:
    """Whether the shop's customers take in every inquiry it has and no forgotten one, so a
    read may count them as they are: `sync_recent` would find nothing to do. Reads only."""
    through = settled.through(session, shop.id, READER)
    if through is None or settled.late_days(session, shop.id, READER):
        return False
    since = settled.start_of(through)
    if _unlinked(session, shop, Inquiry.received_at >= since, 1):
        return False
    forgotten = exists().where(
        CustomerInquiry.shop_id == shop.id,
        CustomerInquiry.received_at >= since,
        ~exists().where(Inquiry.id == CustomerInquiry.inquiry_id),
    )
    return not session.scalar(select(forgotten))


def _unlinked(session: Session, shop: Shop, within: ColumnElement[bool], limit: int) -> int:
    """The shop's inquiries (`within` these times) not linked yet, counted up to `limit`."""
    waiting = (
        select(Inquiry.id)
        .where(Inquiry.shop_id == shop.id, within, ~_is_linked())
        .limit(limit)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(waiting)) or 0


def _days(
    column: InstrumentedAttribute[datetime], through: int, late: Collection[int]
) -> ColumnElement[bool]:
    """The column falls on or after the day `through`, or on one of the late days."""
    return or_(
        column >= settled.start_of(through),
        *(
            and_(column >= settled.start_of(first), column < settled.start_of(end))
            for first, end in settled.runs(day for day in late if day < through)
        ),
    )


def _is_linked() -> Exists:
    return exists().where(CustomerInquiry.inquiry_id == Inquiry.id)


def _settle(session: Session, shop: Shop, began: datetime, late: dict[int, int]) -> None:
    """Everything before the days not settled when the sync began is linked, late days too."""
    settled.advance(session, shop.id, READER, settled.settled_before(began))
    settled.clear_late(session, late)


def _link(session: Session, shop: Shop, within: ColumnElement[bool] | None = None) -> int:
    """Absorb the shop's unlinked inquiries (`within` these times), a batch at a time."""
    linked = 0
    after: ColumnElement[bool] = true()
    while True:
        rows = session.execute(
            select(*_COLUMNS)
            .where(
                Inquiry.shop_id == shop.id,
                within if within is not None else true(),
                after,
                ~_is_linked(),
            )
            .order_by(Inquiry.received_at, Inquiry.id)
            .limit(BATCH)
        ).all()
        if rows:
            _absorb(session, shop, rows)
            linked += len(rows)
            after = _after(rows[-1].received_at, rows[-1].id)
        if len(rows) < BATCH:
            return linked


def _after(received_at: datetime, inquiry_id: uuid.UUID) -> ColumnElement[bool]:
    """Inquiries after this one in (received_at, id) order: each batch goes on where the last
    stopped, instead of reading again every inquiry the batches before it linked."""
    return or_(
        Inquiry.received_at > received_at,
        and_(Inquiry.received_at == received_at, Inquiry.id > inquiry_id),
    )


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
    before = _spans(session, set(known.values()), lock=True)
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
    _shift(session, shop.id, before, _spans(session, touched))


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


def _drop_forgotten(
    session: Session, shop: Shop, within: ColumnElement[bool] | None = None
) -> None:
    """Inquiries erased at the customer's request (linked `within` these times): their links,
    evidence, and empty customers."""
    orphans = session.execute(
        select(CustomerInquiry.inquiry_id, CustomerInquiry.customer_id).where(
            CustomerInquiry.shop_id == shop.id,
            within if within is not None else true(),
            ~exists().where(Inquiry.id == CustomerInquiry.inquiry_id),
        )
    ).all()
    if not orphans:
        return
    inquiry_ids = [inquiry_id for inquiry_id, _ in orphans]
    customer_ids = {customer_id for _, customer_id in orphans}
    before = _spans(session, customer_ids, lock=True)
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
    _shift(session, shop.id, before, _spans(session, remaining))


def _spans(session: Session, customer_ids: Collection[int], *, lock: bool = False) -> list[Span]:
    """The first and last inquiry days of those of these customers that exist. `lock`: read
    the rows about to change as committed, and hold them, so the shift they make is exact."""
    ids = sorted(customer_ids)
    spans: list[Span] = []
    for start in range(0, len(ids), 500):
        query = select(Customer.first_inquiry_at, Customer.last_inquiry_at).where(
            Customer.id.in_(ids[start : start + 500])
        )
        rows = session.execute(query.with_for_update() if lock else query)
        spans += [(settled.day_of(first), settled.day_of(last)) for first, last in rows]
    return spans


def _shift(session: Session, shop_id: int, before: list[Span], after: list[Span]) -> None:
    """Move customers in `customer_days` from the days they had to the days they have."""
    firsts, lasts = Counter[int](), Counter[int]()
    for sign, spans in ((-1, before), (1, after)):
        for first, last in spans:
            firsts[first] += sign
            lasts[last] += sign
    days = sorted(day for day in firsts.keys() | lasts.keys() if firsts[day] or lasts[day])
    if not days:
        return
    rows = [{"shop_id": shop_id, "day": d, "firsts": firsts[d], "lasts": lasts[d]} for d in days]
    session.execute(_add_to_days(session), rows)
    session.execute(
        delete(CustomerDay).where(
            CustomerDay.shop_id == shop_id,
            CustomerDay.day.in_(days),
            CustomerDay.firsts == 0,
            CustomerDay.lasts == 0,
        )
    )


def _add_to_days(session: Session) -> Any:
    """INSERT of (shop, day, firsts, lasts) that adds to the counts of a day already there."""
    table = table_of(CustomerDay)
    if session.get_bind().dialect.name == "mysql":
        upsert = mysql.insert(table)
        return upsert.on_duplicate_key_update(
            firsts=table.c.firsts + upsert.inserted.firsts,
            lasts=table.c.lasts + upsert.inserted.lasts,
        )
    statement = sqlite.insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.shop_id, table.c.day],
        set_={
            "firsts": table.c.firsts + statement.excluded.firsts,
            "lasts": table.c.lasts + statement.excluded.lasts,
        },
    )


def contacts_of(session: Session, customer: Customer) -> list[Key]:
    query = select(CustomerContact.kind, CustomerContact.value).where(
        CustomerContact.customer_id == customer.id
    )
    return [(kind, value) for kind, value in session.execute(query)]
