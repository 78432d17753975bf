from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pandas as pd
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from openpyxl.cell import Cell
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Shop
from tests.factories import make_inquiry

BASE = datetime(2026, 9, 1, 9, 30, tzinfo=UTC)


def _stored(session: Session, shop: Shop) -> list[Inquiry]:
    made = [
        make_inquiry(session, shop=shop, received_at=BASE, customer_name="Émile Zoë 💈"),
        make_inquiry(
            session,
            shop=shop,
            received_at=BASE + timedelta(days=3),
            customer_name="Ana Kowalska",
            gender="female",
            inquiry_type="hair_colouring",
            phone=None,
            marketing_consent=False,
            message='=HYPERLINK("http://evil")',
        ),
    ]
    return sorted(made, key=lambda i: i.received_at, reverse=True)


def _expected_rows(inquiries: list[Inquiry]) -> list[dict[str, object]]:
    return [
        {
            "id": str(i.id),
            "customer_name": i.customer_name,
            "age": i.age,
            "gender": i.gender,
            "inquiry_type": i.inquiry_type,
            "email": i.email,
            "marketing_consent": i.marketing_consent,
            "source": i.source,
        }
        for i in inquiries
    ]


def test_csv_export_rows_match_what_was_stored(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    stored = _stored(session, shop)

    response = client.get(f"/api/v1/shops/{shop.slug}/inquiries/export.csv", headers=owner_headers)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig", dtype={"age": int})
    rows = frame[list(_expected_rows(stored)[0])].to_dict("records")
    assert rows == _expected_rows(stored)
    assert frame["received_at_utc"].tolist() == [
        i.received_at.strftime("%Y-%m-%dT%H:%M:%S.%f") for i in stored
    ]
    # A formula-looking message is defused for spreadsheet programs.
    assert frame["message"].tolist()[0] == '\'=HYPERLINK("http://evil")'


def test_xlsx_export_rows_match_what_was_stored(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    stored = _stored(session, shop)

    response = client.get(f"/api/v1/shops/{shop.slug}/inquiries/export.xlsx", headers=owner_headers)

    assert response.status_code == 200
    frame = pd.read_excel(io.BytesIO(response.content), engine="openpyxl")
    rows = frame[list(_expected_rows(stored)[0])].to_dict("records")
    assert rows == _expected_rows(stored)
    assert [ts.to_pydatetime() for ts in frame["received_at_utc"]] == [
        i.received_at.replace(tzinfo=None) for i in stored
    ]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    message_cell = sheet.cell(row=2, column=10)
    assert message_cell.data_type == "s"  # stored as text: it never runs as a formula
    assert message_cell.value == '=HYPERLINK("http://evil")'
    received = sheet.cell(row=2, column=2)
    assert isinstance(received, Cell)
    assert received.is_date


def test_export_honours_filters(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    _stored(session, shop)

    response = client.get(
        f"/api/v1/shops/{shop.slug}/inquiries/export.csv",
        params={"gender": "female"},
        headers=owner_headers,
    )

    frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")
    assert frame["customer_name"].tolist() == ["Ana Kowalska"]
