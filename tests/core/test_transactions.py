"""The request owns the transaction: a failed commit is an error, and nothing half-stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.models import Inquiry, Shop
from tests.factories import inquiry_payload


class CommitRefused(Exception):
    pass


@pytest.fixture
def failing_commits(database: Database) -> Iterator[None]:
    def refuse(_: Session) -> None:
        raise CommitRefused("disk full")

    event.listen(database.sessions, "before_commit", refuse)
    yield
    event.remove(database.sessions, "before_commit", refuse)


def test_a_failed_commit_is_a_500_not_a_201(
    app: FastAPI, shop: Shop, session: Session, failing_commits: None
) -> None:
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post(
            f"/api/v1/shops/{shop.slug}/inquiries",
            json=inquiry_payload(),
            headers={"Idempotency-Key": "k"},
        )

    assert response.status_code == 500
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 0
