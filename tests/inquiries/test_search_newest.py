"""A search for common words, read newest first (`search_newest`), gives the inbox the same
pages as the ids-first search, in both orders and both directions, with a total that stops
at "many" when a full window holds a page of them, and lets the ids lead when its window holds
too few. The limits
are made small so a few dozen inquiries are "many"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.inbox import listing
from barberbot.inbox.listing import Order
from barberbot.inquiries import search, search_index, search_newest, service
from barberbot.inquiries.filters import InquiryFilters
from barberbot.models import Shop, User
from barberbot.models.base import utcnow
from tests.factories import make_inquiry
from tests.web.test_inbox_pages import DASH, showing, sign_in


@pytest.fixture
def busy(session: Session, shop: Shop) -> Shop:
    """40 inquiries, indexed but for the newest 4 (today's): every other one asks for a skin
    fade, every fifth for a beard trim on a Saturday."""
    now = utcnow()
    for n in range(40):
        message = "Skin fade please" if n % 2 == 0 else "Price list?"
        message += " Beard trim Saturday" if n % 5 == 0 else ""
        age = timedelta(hours=n) if n < 4 else timedelta(days=2, hours=n)
        make_inquiry(session, shop=shop, customer_name=f"Customer {n:02d}",
                     message=message, received_at=now - age)  # fmt: skip
    search_index.settle(session, shop.id, most=1000)
    session.commit()
    return shop


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "COMMON", 5)
    monkeypatch.setattr(search_newest, "WINDOW", 12)
    monkeypatch.setattr(search_newest, "MANY", 4)


def _walk(session: Session, shop: Shop, text: str, order: Order) -> list[tuple[list[str], int]]:
    """Every page of 3 forward, then back from the last: (names, first position)."""
    filters = InquiryFilters(q=text)
    pages = [listing.page(session, [shop.id], filters, order=order, size=3)]
    while pages[-1].has_next:
        after = pages[-1].rows[-1]
        pages.append(listing.page(session, [shop.id], filters, order=order, size=3,
                                  after=(after.received_at, after.id)))  # fmt: skip
    back = [pages[-1]]
    while back[-1].has_previous:
        before = back[-1].rows[0]
        back.append(listing.page(session, [shop.id], filters, order=order, size=3,
                                 before=(before.received_at, before.id)))  # fmt: skip
    return [([r.customer_name for r in p.rows], p.first) for p in pages + back]


@pytest.mark.parametrize("order", list(Order))
@pytest.mark.parametrize("text", ["fade", "skin fade", "saturday beard", "nobody"])
def test_common_words_give_the_same_pages_as_the_ids_first_search(
    session: Session, busy: Shop, monkeypatch: pytest.MonkeyPatch, text: str, order: Order
) -> None:
    led = _walk(session, busy, text, order)
    monkeypatch.setattr(search, "COMMON", 5)
    monkeypatch.setattr(search_newest, "WINDOW", 12)
    newest = _walk(session, busy, text, order)

    assert search.common(session, [busy.id], text) == (text != "nobody")
    assert newest == led
    expected = {"fade": 20, "skin fade": 20, "saturday beard": 8, "nobody": 0}[text]
    assert sum(len(names) for names, _ in led[: (expected + 2) // 3]) == expected


def test_a_total_past_the_cap_is_more_than_and_a_sparse_window_counts_in_full(
    session: Session, busy: Shop, small: None
) -> None:
    common = listing.page(session, [busy.id], InquiryFilters(q="fade"), size=3)
    sparse = listing.page(session, [busy.id], InquiryFilters(q="saturday beard"), size=3)
    second = listing.page(session, [busy.id], InquiryFilters(q="fade"), size=3,
                          after=(common.rows[-1].received_at, common.rows[-1].id))  # fmt: skip

    assert (common.total, common.more, common.first, common.last) == (6, True, 1, 3)  # 6 in 12
    assert [r.customer_name for r in common.rows] == ["Customer 00", "Customer 02", "Customer 04"]
    assert (sparse.total, sparse.more) == (8, False)  # 3 in the window of 12: counted in full
    assert [r.customer_name for r in sparse.rows] == ["Customer 00", "Customer 05", "Customer 10"]
    assert (second.first, second.last, second.total, second.more) == (4, 6, 6, True)


def test_the_apis_search_pages_the_same_with_common_words(
    session: Session, busy: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    def names(text: str) -> list[str]:
        return [
            r.customer_name for r in service.page(session, busy, InquiryFilters(q=text), limit=30)
        ]

    led = {text: names(text) for text in ["fade", "saturday beard"]}
    monkeypatch.setattr(search, "COMMON", 5)
    monkeypatch.setattr(search_newest, "WINDOW", 12)

    assert {text: names(text) for text in led} == led
    assert len(led["fade"]) == 20
    assert len(led["saturday beard"]) == 8


def test_the_inbox_page_says_more_than(
    client: TestClient, busy: Shop, owner: User, small: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, owner)
    url = f"/shops/{busy.slug}/inbox"
    whole = client.get(url, params={"q": "fade"})
    monkeypatch.setattr(listing, "PAGE_SIZE", 5)
    common = client.get(url, params={"q": "fade"})
    sparse = client.get(url, params={"q": "saturday"})

    assert showing(whole.text) == f"Showing 1{DASH}20 of 20"  # all on one page: count known
    assert showing(common.text) == f"Showing 1{DASH}5 of many"  # 6 in the newest 12
    assert showing(sparse.text) == f"Showing 1{DASH}5 of 8"  # 3 in the newest 12: all counted
