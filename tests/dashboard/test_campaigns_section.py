"""The dashboard's campaigns section: results per campaign, the user's shops only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from barberbot.campaigns import results
from barberbot.core.db import Database
from barberbot.dashboard.views import campaign_rows, recent_campaigns
from barberbot.models import Campaign, CampaignStatus, Shop, User
from tests.dashboard.campaign_data import SPRING, SUMMER, WINTER, make_campaigns
from tests.factories import PASSWORD, make_inquiry, make_user
from tests.support.dashboard import Callbacks, sign_in


def _numbers(results: Any) -> dict[str, int]:
    return {key: getattr(results, key) for key in WINTER}


def test_rows_count_every_outcome_and_attribution_by_hand(
    session: Session, shop: Shop, database: Database
) -> None:
    made = make_campaigns(session, shop)
    statements: list[str] = []

    def listen(connection: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    listed = recent_campaigns(session, [shop])
    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        rows = campaign_rows(session, [shop], listed)
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)

    assert [row.name for row in rows] == ["Summer", "Spring", "Winter"]  # newest first
    by_name = {row.name: row for row in rows}
    assert _numbers(by_name["Winter"].results) == WINTER
    assert _numbers(by_name["Spring"].results) == SPRING
    assert _numbers(by_name["Summer"].results) == SUMMER
    assert by_name["Winter"].url == f"/shops/{shop.slug}/campaigns/{made.winter.id}"
    assert by_name["Spring"].channel == "sms"
    assert by_name["Spring"].status == "draft"
    assert len(statements) == 3  # for all campaigns at once: recipients, links, codes


def test_campaigns_of_several_shops_count_each_shops_inquiries(
    session: Session, shop: Shop, database: Database
) -> None:
    made = make_campaigns(session, shop)

    counted = results.overview(session, [made.winter, made.elsewhere])

    assert _numbers(counted[made.winter.id]) == WINTER
    # the rival's one inquiry quoting BEARD20 in the same days, none of King's Cuts'
    assert counted[made.elsewhere.id].attributed_by_promo_code == 1
    assert counted[made.elsewhere.id].recipients == 0


def _section(client: TestClient, search: str, seen: str | None = None, tick: int = 0) -> Any:
    """The section's callback as the page calls it: on load, or (`tick`) on a live tick."""
    values: dict[str, Any] = {"live.n_intervals": tick} if tick else {}
    values |= {"url.search": search, "seen-campaigns.data": seen}
    return Callbacks(client).post("campaigns.children", values)


def _cell(tree: Any, component_id: str) -> Any:
    """The children of the component with that id in a callback's answer, or None."""
    if isinstance(tree, dict):
        props = tree.get("props", {})
        if props.get("id") == component_id:
            return props.get("children")
        tree = list(tree.values())
    if isinstance(tree, list):
        for item in tree:
            if (found := _cell(item, component_id)) is not None:
                return found
    return None


def test_the_section_shows_the_users_shops_only_and_follows_new_inquiries(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    made = make_campaigns(session, shop)
    sign_in(client, owner.email, PASSWORD)

    first = _section(client, "").json()["response"]
    text = str(first["campaigns"]["children"])
    mark = first["seen-campaigns"]["data"]
    quiet = _section(client, "", mark, tick=1)
    make_inquiry(session, shop=shop, message="BEARD20 again")
    news = _section(client, "", mark, tick=2).json()["response"]

    assert "Winter" in text
    assert "Rival offer" not in text
    assert f"/shops/{shop.slug}/campaigns/{made.winter.id}" in text
    assert f"campaign-{made.elsewhere.id}" not in text
    assert quiet.status_code == 204  # nothing changed: the table is left as it is
    by_code = f"campaign-{made.winter.id}-attributed_by_promo_code"
    assert _cell(first, by_code) == "1"
    assert _cell(news, by_code) == "2"
    assert _cell(news, f"campaign-{made.winter.id}-delivered") == "2"


def test_a_campaign_being_sent_is_followed_every_tick(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    made = make_campaigns(session, shop)
    sign_in(client, owner.email, PASSWORD)
    mark = _section(client, "").json()["response"]["seen-campaigns"]["data"]

    def status(value: CampaignStatus) -> None:
        session.execute(update(Campaign).where(Campaign.id == made.spring.id).values(status=value))
        session.commit()

    status(CampaignStatus.SENDING)
    started = _section(client, "", mark, tick=1)
    mark = started.json()["response"]["seen-campaigns"]["data"]
    sending = _section(client, "", mark, tick=2)  # nothing else changed, but it is sending
    status(CampaignStatus.SENT)
    done = _section(client, "", mark, tick=3)
    mark = done.json()["response"]["seen-campaigns"]["data"]
    quiet = _section(client, "", mark, tick=4)

    assert [r.status_code for r in (started, sending, done, quiet)] == [200, 200, 200, 204]


def test_a_campaign_scheduled_for_later_is_not_recounted_every_tick(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    made = make_campaigns(session, shop)
    sign_in(client, owner.email, PASSWORD)

    def schedule(days: float) -> None:
        at = datetime.now(UTC) + timedelta(days=days)
        values = {"status": CampaignStatus.SCHEDULED, "send_at": at}
        session.execute(update(Campaign).where(Campaign.id == made.spring.id).values(**values))
        session.commit()

    schedule(7)
    mark = _section(client, "", tick=1).json()["response"]["seen-campaigns"]["data"]
    next_week = _section(client, "", mark, tick=2)  # scheduled, but not due: nothing to redraw
    schedule(-0.001)  # now due: the sender may pick it up at any moment
    due = _section(client, "", mark, tick=3)

    assert (next_week.status_code, due.status_code) == (204, 200)


def test_no_campaigns_explains_how_to_create_one(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    sign_in(client, owner.email, PASSWORD)

    shown = _section(client, "").json()["response"]["campaigns"]["children"]

    assert "No campaigns yet" in str(shown)
    assert f"/shops/{shop.slug}/campaigns" in str(shown)


def test_a_shop_of_someone_else_shows_no_campaigns(
    client: TestClient, session: Session, shop: Shop
) -> None:
    make_campaigns(session, shop)
    make_user(session, email="rival@example.com")
    sign_in(client, "rival@example.com", PASSWORD)

    shown = str(_section(client, "?shop=kings-cuts").json()["response"]["campaigns"])

    assert "Winter" not in shown
    assert "No campaigns yet" in shown
