"""Concurrent retries with one Idempotency-Key store one row, over real HTTP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx2
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Shop
from tests.factories import inquiry_payload
from tests.support.live import LiveServer


def test_parallel_retries_store_one_inquiry(app: FastAPI, shop: Shop, session: Session) -> None:
    with LiveServer(app) as server:

        def submit(_: int) -> tuple[int, str]:
            response = httpx2.post(
                f"{server.url}/api/v1/shops/{shop.slug}/inquiries",
                json=inquiry_payload(),
                headers={"Idempotency-Key": "same-key"},
                timeout=30,
            )
            return response.status_code, response.json()["id"]

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(submit, range(16)))

    assert {status for status, _ in results} == {201}
    assert len({inquiry_id for _, inquiry_id in results}) == 1
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 1
