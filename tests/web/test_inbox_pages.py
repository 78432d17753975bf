"""The inbox pages through the test client: the list's filters, search and paging, the nav
bar's counts, the inquiry page and its forms (status, assignee, note, reply) with their
errors, and another shop's inquiries answering 404."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from barberbot.auth import service as auth
from barberbot.customers import service as customers
from barberbot.forms.store import AnswerDocument, SqlAnswerStore
from barberbot.inbox import listing, saved_replies, transitions
from barberbot.inquiries import writer
from barberbot.inquiries.capture import prepare
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import (
    CampaignRecipient,
    Customer,
    Inquiry,
    InquiryReply,
    Role,
    Shop,
    Source,
    User,
)
from tests.campaigns.factories import make_campaign, make_segment
from tests.factories import PASSWORD, inquiry_payload, make_form, make_inquiry, make_shop, make_user

NOW = datetime.now(UTC).replace(microsecond=0)
DASH = "\N{EN DASH}"  # between the first and last row shown


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(client: TestClient, user: User) -> None:
    token = _csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def fresh(session: Session, inquiry: Inquiry) -> None:
    """The inquiry as the app left it: a new transaction, as MariaDB reads repeatably."""
    session.rollback()
    session.refresh(inquiry)


def names(html: str) -> list[str]:
    """The customers listed, in order (each row's link to its inquiry)."""
    return re.findall(r'<a href="/shops/[^/]+/inquiries/[0-9a-f-]+">([^<]+)</a>', html)


def showing(html: str) -> str:
    match = re.search(r"<h2 id=\"list-h\">([^<]+)</h2>", html)
    assert match
    return unescape(match.group(1))


def link(html: str, rel: str) -> str:
    match = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    assert match, f"no {rel} link"
    return unescape(match.group(1))


@pytest.fixture
def staff(session: Session, shop: Shop) -> User:
    return make_user(session, email="sam@kings.example", shops=[shop], role=Role.STAFF)


@pytest.fixture
def signed_in(client: TestClient, owner: User) -> TestClient:
    sign_in(client, owner)
    return client


def _bulk(session: Session, shop: Shop, count: int, start: datetime, **fields: Any) -> None:
    """`count` inquiries a minute apart from `start`, in one write (as an import does)."""
    data = [
        validate_inquiry(
            inquiry_payload(customer_name=f"Bulk {n:03d}", **fields),
            shop.type_labels(),
            country=shop.country,
        )
        for n in range(count)
    ]
    captures = [
        prepare(shop, each, source=Source.IMPORT, received_at=start + timedelta(minutes=n))
        for n, each in enumerate(data)
    ]
    writer.write(session, captures, SqlAnswerStore())
    session.commit()


@pytest.fixture
def inbox(session: Session, shop: Shop, owner: User, staff: User) -> dict[str, Inquiry]:
    """Ann new (haircut, high-street), Ben open and the owner's (beard trim), Cy waiting and
    Sam's (shave, station-road), Di closed, Ed spam: an hour apart, Ann the oldest."""
    made: dict[str, Inquiry] = {}
    people = [
        ("Ann Archer", "haircut", "high-street", "+44 7700 900111", "ann@example.com"),
        ("Ben Baker", "beard_trim", "high-street", None, "ben@example.com"),
        ("Cy Cole", "shave", "station-road", "+44 7700 900333", None),
        ("Di Dean", "haircut", "high-street", None, "di@example.com"),
        ("Ed Eel", "other", None, None, "ed@spam.example"),
    ]
    for n, (name, kind, place, phone, email) in enumerate(people):
        made[name.split()[0]] = make_inquiry(
            session,
            shop=shop,
            customer_name=name,
            inquiry_type=kind,
            location=place,
            phone=phone,
            email=email,
            message=f"{name.split()[0]}'s question",
            received_at=NOW - timedelta(days=3) + timedelta(hours=n),
        )
    transitions.change(session, shop, made["Ben"], owner, assignee=owner.id)
    transitions.change(session, shop, made["Cy"], owner, status="waiting", assignee=staff.id)
    transitions.change(session, shop, made["Di"], owner, status="closed", outcome="booked")
    transitions.change(session, shop, made["Ed"], owner, status="spam")
    session.commit()
    return made


def _listed(client: TestClient, shop: Shop, **params: Any) -> list[str]:
    response = client.get(f"/shops/{shop.slug}/inbox", params=params)
    assert response.status_code == 200, response.text
    return [name.split()[0] for name in names(response.text)]


FILTERED: list[tuple[dict[str, Any], list[str]]] = [
    ({}, ["Cy", "Ben", "Ann"]),  # not closed or spam, newest first
    ({"order": "oldest"}, ["Ann", "Ben", "Cy"]),
    ({"status": "closed"}, ["Di"]),
    ({"status": ["closed", "spam"]}, ["Ed", "Di"]),
    ({"status": "all"}, ["Ed", "Di", "Cy", "Ben", "Ann"]),
    ({"assignee": "me"}, ["Ben"]),
    ({"assignee": "none"}, ["Ann"]),
    ({"type": "haircut", "status": "all"}, ["Di", "Ann"]),
    ({"location": "station-road"}, ["Cy"]),
    ({"q": "07700 900333"}, ["Cy"]),  # a phone as the shop writes it
    ({"q": "ben@"}, ["Ben"]),
    ({"q": "ann's question"}, ["Ann"]),
    ({"q": "nobody like this"}, []),
]


def test_the_inbox_filters(signed_in: TestClient, shop: Shop, inbox: dict[str, Inquiry]) -> None:
    """One set of inquiries, every filter (one sign-in: the password hash is slow on purpose)."""
    for params, expected in FILTERED:
        assert _listed(signed_in, shop, **params) == expected, params


def test_a_members_filter_and_dates_in_the_shops_zone(
    signed_in: TestClient,
    session: Session,
    shop: Shop,
    owner: User,
    staff: User,
    inbox: dict[str, Inquiry],
) -> None:
    nyc = make_shop(session, slug="nyc", name="NYC Cuts", timezone="America/New_York")
    auth.grant(session, owner, nyc)
    # 23:30 in New York on 1 March is 04:30 UTC on 2 March
    make_inquiry(session, shop=nyc, customer_name="Late Larry",
                 received_at=datetime(2026, 3, 2, 4, 30, tzinfo=UTC))  # fmt: skip
    make_inquiry(session, shop=nyc, customer_name="Early Eve",
                 received_at=datetime(2026, 3, 2, 5, 30, tzinfo=UTC))  # fmt: skip
    session.commit()

    assert _listed(signed_in, nyc, **{"from": "2026-03-01", "to": "2026-03-01"}) == ["Late"]
    assert _listed(signed_in, nyc, **{"from": "2026-03-02"}) == ["Early"]
    assert _listed(signed_in, nyc, to="2026-02-28") == []
    assert _listed(signed_in, shop, assignee=str(staff.id)) == ["Cy"]


def test_bad_filters_are_named_beside_their_field(
    signed_in: TestClient, shop: Shop, inbox: dict[str, Inquiry]
) -> None:
    response = signed_in.get(
        f"/shops/{shop.slug}/inbox",
        params={"status": "lost", "from": "31/02/2026", "assignee": "999", "type": "perm"},
    )

    assert response.status_code == 422
    page = response.text
    assert 'id="f-status-error">Choose a status from the list.' in page
    assert 'id="f-from-error">Give the date as YYYY-MM-DD' in page
    assert 'id="f-assignee-error">Choose someone from the list.' in page
    assert 'id="f-type-error">Choose a kind of inquiry from the list.' in page
    assert [n.split()[0] for n in names(page)] == ["Cy", "Ben", "Ann"]  # the default view


def test_paging_keeps_the_filters_both_ways(
    signed_in: TestClient, session: Session, shop: Shop
) -> None:
    start = NOW - timedelta(days=2)
    _bulk(session, shop, listing.PAGE_SIZE + 3, start, inquiry_type="shave")
    _bulk(session, shop, 4, start, inquiry_type="haircut", email="other@example.com")

    first = signed_in.get(f"/shops/{shop.slug}/inbox", params={"type": "shave"}).text
    assert showing(first) == f"Showing 1{DASH}50 of {listing.PAGE_SIZE + 3}"
    assert names(first)[0] == "Bulk 052"
    assert names(first)[-1] == "Bulk 003"
    assert 'rel="prev"' not in first
    second_url = link(first, "next")
    assert "type=shave" in second_url
    assert "after=" in second_url

    second = signed_in.get(second_url).text
    assert showing(second) == f"Showing 51{DASH}53 of 53"
    assert names(second) == ["Bulk 002", "Bulk 001", "Bulk 000"]
    assert 'rel="next"' not in second
    back = signed_in.get(link(second, "prev")).text
    assert showing(back) == f"Showing 1{DASH}50 of 53"
    assert names(back) == names(first)

    oldest = signed_in.get(
        f"/shops/{shop.slug}/inbox", params={"type": "shave", "order": "oldest"}
    ).text
    assert names(oldest)[0] == "Bulk 000"
    later = signed_in.get(link(oldest, "next")).text
    assert names(later) == ["Bulk 050", "Bulk 051", "Bulk 052"]
    assert "order=oldest" in link(later, "prev")


def test_the_empty_inbox_says_so_in_the_owners_words(signed_in: TestClient, shop: Shop) -> None:
    page = signed_in.get(f"/shops/{shop.slug}/inbox").text
    assert "No inquiries waiting. New ones appear here as they arrive." in page

    page = signed_in.get(f"/shops/{shop.slug}/inbox", params={"q": "fade"}).text
    assert "No inquiries match these filters." in page


def test_rows_show_status_assignee_time_and_contacts(
    signed_in: TestClient, shop: Shop, inbox: dict[str, Inquiry]
) -> None:
    page = signed_in.get(f"/shops/{shop.slug}/inbox", params={"status": "all"}).text

    assert 'href="tel:+447700900111">07700 900111</a>' in page
    assert 'href="mailto:ben@example.com">ben@example.com</a>' in page
    assert "Waiting on customer" in page
    assert "Closed — booked" in page
    assert "sam@kings.example" in page  # Cy's assignee
    assert "3 days ago" in page
    assert re.search(
        r'<time class="meta" datetime="[^"]+" title="\w{3} \d+ \w{3} \d{4}, \d\d:\d\d">', page
    )
    assert "Overdue" in page  # Ann has waited three days


def test_the_inbox_across_all_my_shops(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    second = make_shop(session, slug="fade-house", name="Fade House")
    theirs = make_shop(session, slug="rival", name="Rival Cuts")
    auth.grant(session, owner, second)
    session.commit()
    make_inquiry(
        session, shop=shop, customer_name="Kim Kings", received_at=NOW - timedelta(hours=2)
    )
    make_inquiry(
        session, shop=second, customer_name="Fay Fade", received_at=NOW - timedelta(hours=1)
    )
    make_inquiry(session, shop=theirs, customer_name="Ron Rival")
    sign_in(client, owner)

    page = client.get("/inbox").text

    assert names(page) == ["Fay Fade", "Kim Kings"]
    assert "Fade House" in page
    assert "/shops/fade-house/inquiries/" in page
    assert "Ron Rival" not in page
    assert names(client.get("/inbox", params={"q": "fay"}).text) == ["Fay Fade"]
    assert names(client.get("/inbox", params={"q": "ron"}).text) == []
    nav = re.search(r'<a id="nav-inbox" href="([^"]+)"', page)
    assert nav
    assert nav.group(1) == "/inbox"


def test_the_nav_bar_counts_new_and_overdue_on_every_owner_page(
    signed_in: TestClient, session: Session, shop: Shop
) -> None:
    make_inquiry(session, shop=shop, received_at=NOW - timedelta(days=10))  # overdue anyway
    make_inquiry(session, shop=shop, received_at=NOW)  # a moment old: never overdue yet
    rival = make_shop(session, slug="rival", name="Rival")
    make_inquiry(session, shop=rival, received_at=NOW - timedelta(days=10))

    for path in (f"/shops/{shop.slug}", f"/shops/{shop.slug}/campaigns", "/inbox"):
        page = signed_in.get(path).text
        assert re.search(r'<span class="badge" id="nav-unread">2 new</span>', page), path
        assert re.search(r'<span class="badge late" id="nav-overdue">1 overdue</span>', page)
        assert f'href="/shops/{shop.slug}/inbox"' in page


def test_the_updates_endpoint_counts_what_arrived_since(
    signed_in: TestClient, session: Session, shop: Shop
) -> None:
    seen = make_inquiry(session, shop=shop, received_at=NOW - timedelta(minutes=5))
    assert signed_in.get("/api/v1/inbox/updates", params={"since": str(seen.id)}).json() == {
        "unread": 1, "overdue": 0, "newest": str(seen.id), "arrived": 0,
    }  # fmt: skip
    first = make_inquiry(session, shop=shop, received_at=NOW - timedelta(minutes=1))
    latest = make_inquiry(session, shop=shop, received_at=NOW)
    make_inquiry(session, shop=make_shop(session, slug="rival"), received_at=NOW)

    found = signed_in.get(
        "/api/v1/inbox/updates", params={"since": str(seen.id), "shop": shop.slug}
    ).json()

    assert found == {"unread": 3, "overdue": 0, "newest": str(latest.id), "arrived": 2}
    assert first.id != latest.id
    assert signed_in.get("/api/v1/inbox/updates", params={"shop": "rival"}).status_code == 404
    signed_in.cookies.clear()
    assert signed_in.get("/api/v1/inbox/updates").status_code == 401


# --- the inquiry page -------------------------------------------------------------------


def page_of(shop: Shop, inquiry: Inquiry, suffix: str = "") -> str:
    return f"/shops/{shop.slug}/inquiries/{inquiry.id}{suffix}"


def test_the_inquiry_page_shows_every_field_answers_and_history(
    signed_in: TestClient, session: Session, shop: Shop
) -> None:
    form = make_form(session, shop=shop)
    earlier = make_inquiry(
        session,
        shop=shop,
        customer_name="Zoë Núñez",
        email="zoe@example.com",
        phone=None,
        received_at=NOW - timedelta(days=40),
    )
    inquiry = make_inquiry(
        session, shop=shop, customer_name="Zoë Núñez", email="ZOE@example.com",
        phone="07700 900555", message="Skin fade on Saturday?", location="high-street",
    )  # fmt: skip
    make_inquiry(session, shop=shop, customer_name="Someone Else", email="else@example.com")
    SqlAnswerStore().save(
        session,
        [AnswerDocument(inquiry.id, shop.id, form.version, inquiry.received_at,
                        {"hair_type": "Curly", "heard_from": ["Friend", "Instagram"]})],
    )  # fmt: skip
    customers.sync(session, shop)
    segment = make_segment(
        session, shop=shop, rule={"all": [{"field": "consent", "channel": "email"}]}
    )
    campaign = make_campaign(session, shop=shop, segment=segment, name="Spring fades")
    customer = session.query(Customer).filter_by(shop_id=shop.id, email="zoe@example.com").one()
    sent = {"address": "zoe@example.com", "status": "sent", "sent_at": NOW}
    session.add(CampaignRecipient(campaign_id=campaign.id, customer_id=customer.id, **sent))
    session.commit()

    response = signed_in.get(page_of(shop, inquiry))

    assert response.status_code == 200
    page = response.text
    assert "<h1>Zoë Núñez</h1>" in page
    assert "Skin fade on Saturday?" in page
    assert 'href="tel:+447700900555">07700 900555</a>' in page
    assert 'href="mailto:zoe@example.com"' in page
    assert "high-street" in page
    assert "Beard trim" in page
    assert "<dt>Hair type</dt><dd>Curly</dd>" in page
    assert "Friend; Instagram" in page
    assert f'href="/shops/{shop.slug}/inquiries/{earlier.id}"' in page
    assert "Someone Else" not in page
    assert f'href="/shops/{shop.slug}/campaigns/{campaign.id}">Spring fades</a>' in page
    assert "Received through the API." in page
    assert "New" in page
    assert response.headers["x-frame-options"] == "DENY"


def test_another_shops_inquiry_is_404_everywhere(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    rival = make_shop(session, slug="rival", name="Rival")
    theirs = make_inquiry(session, shop=rival)
    mine = make_inquiry(session, shop=shop)
    rival_owner = make_user(session, email="boss@rival.example", shops=[rival])
    sign_in(client, owner)
    token = _csrf(client.get(page_of(shop, mine)).text)

    assert client.get(page_of(shop, theirs)).status_code == 404  # their id on my shop
    assert client.get(page_of(rival, theirs)).status_code == 404  # their shop
    assert client.get(f"/shops/{shop.slug}/inquiries/not-an-id").status_code == 404
    assert client.get(f"/shops/{rival.slug}/inbox").status_code == 404
    for action, data in (("status", {"status": "open"}), ("assign", {"assignee": "me"}),
                         ("notes", {"body": "x"}), ("replies", {"body": "x"})):  # fmt: skip
        response = client.post(page_of(shop, theirs, f"/{action}"), data={**data, "csrf": token})
        assert response.status_code == 404, action
    fresh(session, theirs)
    assert theirs.status == "new"
    assert theirs.assignee_id is None

    client.cookies.clear()
    sign_in(client, rival_owner)
    assert client.get(page_of(shop, mine)).status_code == 404
    assert client.get(f"/shops/{shop.slug}/inbox").status_code == 404


def _post(client: TestClient, shop: Shop, inquiry: Inquiry, action: str, **data: str) -> Any:
    token = _csrf(client.get(page_of(shop, inquiry)).text)
    return client.post(
        page_of(shop, inquiry, f"/{action}"), data={**data, "csrf": token}, follow_redirects=False
    )


def test_changing_the_status_closes_with_an_outcome(
    signed_in: TestClient, session: Session, shop: Shop
) -> None:
    inquiry = make_inquiry(session, shop=shop)

    response = _post(signed_in, shop, inquiry, "status", status="closed:not_interested")

    assert response.status_code == 303
    assert response.headers["location"].startswith(page_of(shop, inquiry, "?done=status"))
    page = signed_in.get(response.headers["location"]).text
    assert 'id="inquiry-status">Closed — not interested</span>' in page
    assert "changed the status from New to <strong>Closed — not interested</strong>" in page
    assert "Status changed." in page
    fresh(session, inquiry)
    assert (inquiry.status, inquiry.outcome) == ("closed", "not_interested")


def test_a_refused_status_is_named_beside_the_field(
    signed_in: TestClient, session: Session, shop: Shop
) -> None:
    inquiry = make_inquiry(session, shop=shop)
    transitions.change(session, shop, inquiry, None, status="open")
    session.commit()

    back = _post(signed_in, shop, inquiry, "status", status="new")
    closed = _post(signed_in, shop, inquiry, "status", status="closed")
    unknown = _post(signed_in, shop, inquiry, "status", status="lost")

    assert back.status_code == 422
    assert 'id="status-choice-error">An inquiry cannot go back to new' in back.text
    assert closed.status_code == 422
    assert "Say how it ended" in closed.text
    assert unknown.status_code == 422
    assert "Unknown status" in unknown.text
    fresh(session, inquiry)
    assert inquiry.status == "open"


def test_forms_need_the_csrf_token(signed_in: TestClient, session: Session, shop: Shop) -> None:
    inquiry = make_inquiry(session, shop=shop)

    response = signed_in.post(page_of(shop, inquiry, "/status"), data={"status": "spam"})

    assert response.status_code == 403
    fresh(session, inquiry)
    assert inquiry.status == "new"


def test_assigning_a_member_who_then_sees_it_as_mine(
    client: TestClient, session: Session, shop: Shop, owner: User, staff: User
) -> None:
    inquiry = make_inquiry(session, shop=shop, customer_name="Kwame Mensah")
    stranger = make_user(session, email="nope@example.com")
    sign_in(client, owner)

    refused = _post(client, shop, inquiry, "assign", assignee=str(stranger.id))
    junk = _post(client, shop, inquiry, "assign", assignee="sam")
    response = _post(client, shop, inquiry, "assign", assignee=str(staff.id))

    assert refused.status_code == 422
    assert 'id="assignee-error">This person is not a member of this shop' in refused.text
    assert junk.status_code == 422
    assert "Choose someone from the list." in junk.text
    assert response.status_code == 303
    page = client.get(page_of(shop, inquiry)).text
    assert "gave it to <strong>sam@kings.example</strong>" in page
    assert 'id="inquiry-status">Open</span>' in page  # assigning a new inquiry opens it

    client.cookies.clear()
    sign_in(client, staff)
    assert _listed(client, shop, assignee="me") == ["Kwame"]
    assert _post(client, shop, inquiry, "assign", assignee="").status_code == 303
    fresh(session, inquiry)
    assert inquiry.assignee_id is None


def test_notes_and_their_errors_keep_what_was_typed(
    signed_in: TestClient, session: Session, shop: Shop
) -> None:
    inquiry = make_inquiry(session, shop=shop)
    long = "Called twice. " * 200

    empty = _post(signed_in, shop, inquiry, "notes", body="   ")
    too_long = _post(signed_in, shop, inquiry, "notes", body=long)
    added = _post(signed_in, shop, inquiry, "notes", body="Prefers Sam <b>on Saturdays</b>")

    assert empty.status_code == 422
    assert 'id="note-body-error">Write something in the note.' in empty.text
    assert too_long.status_code == 422
    assert "at most 2,000 characters" in too_long.text
    assert long.strip() in unescape(too_long.text)  # what was typed is still in the box
    assert added.status_code == 303
    page = signed_in.get(added.headers["location"]).text
    assert "<blockquote>Prefers Sam &lt;b&gt;on Saturdays&lt;/b&gt;</blockquote>" in page


def test_a_saved_reply_fills_the_box_without_javascript_and_the_reply_is_queued(
    signed_in: TestClient, session: Session, shop: Shop
) -> None:
    inquiry = make_inquiry(session, shop=shop, customer_name="Jamal Brooks")
    saved = saved_replies.create(
        session, shop, "Saturday", "Thanks {{ first_name }}, we have Saturday 10:30 free."
    )
    session.commit()

    nothing = _post(signed_in, shop, inquiry, "replies", fill="1", saved_reply="")
    filled = _post(signed_in, shop, inquiry, "replies", fill="1", saved_reply=str(saved.id))
    empty = _post(signed_in, shop, inquiry, "replies", body=" ", subject="Hi")
    sent = _post(signed_in, shop, inquiry, "replies", body="Thanks Jamal, Saturday 10:30?")

    assert nothing.status_code == 422
    assert "Choose one of your saved replies." in nothing.text
    assert filled.status_code == 200
    box = re.search(r'<textarea id="reply-body"[^>]*>([^<]*)</textarea>', filled.text)
    assert box
    assert box.group(1) == "Thanks Jamal, we have Saturday 10:30 free."
    assert 'data-body="Thanks Jamal, we have Saturday 10:30 free."' in filled.text
    assert empty.status_code == 422
    assert 'id="reply-body-error">Write a reply, or choose a saved reply.' in empty.text
    assert 'id="reply-subject" name="subject" value="Hi"' in empty.text
    assert sent.status_code == 303
    page = signed_in.get(sent.headers["location"]).text
    assert "replied by e-mail" in page
    assert "Queued — waiting to be sent" in page
    assert 'id="inquiry-status">Waiting on customer</span>' in page
    fresh(session, inquiry)
    assert inquiry.status == "waiting"


def test_a_failed_reply_says_why_and_no_contact_means_no_reply_form(
    signed_in: TestClient, session: Session, shop: Shop
) -> None:
    inquiry = make_inquiry(session, shop=shop)
    assert _post(signed_in, shop, inquiry, "replies", body="Hello").status_code == 303
    session.execute(
        update(InquiryReply).values(
            status="failed", error="The mail server refused the address: no such mailbox."
        )
    )
    session.execute(update(Inquiry).where(Inquiry.id == inquiry.id).values(email=None, phone=None))
    session.commit()

    page = signed_in.get(page_of(shop, inquiry)).text

    assert "It could not be sent: The mail server refused the address: no such mailbox." in page
    assert "This customer left no e-mail or phone, so there is nothing to reply to." in page
    assert 'id="reply-form"' not in page
    refused = _post(signed_in, shop, inquiry, "replies", body="Hello?")
    assert refused.status_code == 422
    assert "nothing to reply to" in refused.text
    session.rollback()  # a new snapshot (MariaDB reads repeatably within a transaction)
    assert session.scalar(select(func.count()).select_from(InquiryReply)) == 1


def test_the_shop_page_links_the_inbox_phones_and_emails(
    signed_in: TestClient, session: Session, shop: Shop
) -> None:
    inquiry = make_inquiry(session, shop=shop, phone="+44 7700 900123", email="jamal@example.com")

    page = signed_in.get(f"/shops/{shop.slug}").text

    assert f'href="/shops/{shop.slug}/inbox"' in page
    assert '<a href="tel:+447700900123">07700 900123</a>' in page
    assert '<a href="mailto:jamal@example.com">jamal@example.com</a>' in page
    assert f'href="/shops/{shop.slug}/inquiries/{inquiry.id}"' in page
