"""The inbox's tests: a shop with an owner and a staff member, and an inquiry of theirs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Role, Shop, User
from tests.factories import make_inquiry, make_token, make_user
from tests.support.smtp import SmtpServer


def inquiry_url(shop: Shop, inquiry: Inquiry | str, suffix: str = "") -> str:
    inquiry_id = inquiry if isinstance(inquiry, str) else inquiry.id
    return f"/api/v1/shops/{shop.slug}/inquiries/{inquiry_id}{suffix}"


def saved_url(shop: Shop, suffix: str = "") -> str:
    return f"/api/v1/shops/{shop.slug}/saved-replies{suffix}"


def bearer(session: Session, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(session, user)}"}


@pytest.fixture
def staff(session: Session, shop: Shop) -> User:
    return make_user(session, email="staff@kings.example", shops=[shop], role=Role.STAFF)


@pytest.fixture
def staff_headers(session: Session, staff: User) -> dict[str, str]:
    return bearer(session, staff)


@pytest.fixture
def inquiry(session: Session, shop: Shop) -> Inquiry:
    return make_inquiry(session, shop=shop, customer_name="Jamal Brooks")


def errors_of(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    errors: dict[str, str] = response.json()["errors"]
    return errors


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server
