"""Results: delivered, failed, unsubscribed, and inquiries brought by the link or the code."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import Shop
from tests.campaigns.factories import make_campaign, make_person, make_segment
from tests.campaigns.helpers import run_sender, unsubscribe_path
from tests.factories import inquiry_payload, make_inquiry
from tests.support.smtp import SmtpServer


def test_results_count_outcomes_and_attributed_inquiries(
    session: Session,
    shop: Shop,
    database: Database,
    settings: Settings,
    smtp: SmtpServer,
    client: TestClient,
    owner_headers: dict[str, str],
) -> None:
    for name in ("Al", "Bo", "Cy"):
        make_person(session, shop=shop, name=name, email=f"{name.lower()}@x.example")
    smtp.refuse.add("cy@x.example")
    segment = make_segment(session, shop=shop, rule={"field": "consent", "channel": "email"})
    campaign = make_campaign(session, shop=shop, segment=segment, promo_code="BEARD20", send=True)
    run_sender(database, settings)
    client.post(unsubscribe_path(smtp.to("bo@x.example")[0].body))
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    session.refresh(campaign)
    assert campaign.started_at is not None

    # through the tracked link: the form keeps the token on to its POST
    form = client.get(f"/s/{shop.slug}/inquire?c={campaign.token}")
    action = re.search(r'<form[^>]+action="([^"]+)"', form.text)
    assert action is not None
    assert f"c={campaign.token}" in action.group(1)
    fields = inquiry_payload(customer_name="Linked", email="new@x.example", marketing_consent="")
    posted = client.post(action.group(1).replace("&amp;", "&"), data=fields, follow_redirects=False)
    assert posted.status_code == 303, posted.text
    # quoting the code, in any case, inside the window; and one before the campaign
    make_inquiry(session, shop=shop, message="I have code beard20 :)")
    make_inquiry(
        session, shop=shop, message="BEARD20 please",
        received_at=campaign.started_at - timedelta(days=1),
    )  # fmt: skip
    make_inquiry(session, shop=shop, message="no code here")

    response = client.get(
        f"/api/v1/shops/{shop.slug}/campaigns/{campaign.id}/results", headers=owner_headers
    )

    assert response.status_code == 200
    results = response.json()
    assert {k: results[k] for k in ("recipients", "sent", "delivered", "bounced", "failed")} == {
        "recipients": 3, "sent": 2, "delivered": 2, "bounced": 1, "failed": 0,
    }  # fmt: skip
    assert results["unsubscribed"] == 1
    assert results["attributed_by_link"] == 1
    assert results["attributed_by_promo_code"] == 1
    assert results["attributed_inquiries"] == 2
    assert "550" in next(iter(results["failures"]))
