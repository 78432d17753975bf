"""Custom answers in the CSV and Excel exports, across form versions (both answer stores)."""

from __future__ import annotations

import io

import pandas as pd
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from barberbot.models import Shop
from tests.factories import form_fields, inquiry_payload, make_form


def _export(client: TestClient, shop: Shop, headers: dict[str, str], kind: str) -> bytes:
    response = client.get(f"/api/v1/shops/{shop.slug}/inquiries/export.{kind}", headers=headers)
    assert response.status_code == 200
    return response.content


def test_answers_to_a_retired_question_stay_readable_and_exportable(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    make_form(session, shop=shop)
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    first = client.post(
        url,
        json=inquiry_payload(
            customer_name="Old Form",
            answers={"barber": "Sam", "hair_type": "Wavy", "heard_from": ["Friend", "Instagram"]},
        ),
    ).json()
    without_barber = form_fields()[1:]  # version 2 retires "barber"
    client.put(
        f"/api/v1/shops/{shop.slug}/form", json={"fields": without_barber}, headers=owner_headers
    )
    second = client.post(
        url, json=inquiry_payload(customer_name="New Form", answers={"hair_type": "Curly"})
    ).json()

    assert (first["form_version"], second["form_version"]) == (1, 2)
    read = client.get(f"{url}/{first['id']}", headers=owner_headers).json()
    assert read["answers"]["barber"] == "Sam"
    frame = pd.read_csv(
        io.BytesIO(_export(client, shop, owner_headers, "csv")), encoding="utf-8-sig"
    )
    rows = frame.set_index("customer_name")
    assert list(frame.columns[-7:]) == [
        "answers.notes",
        "answers.visits",
        "answers.hair_type",
        "answers.heard_from",
        "answers.preferred_day",
        "answers.first_visit",
        "answers.barber",  # retired: after the questions still asked
    ]
    assert rows.loc["Old Form", "answers.barber"] == "Sam"
    assert rows.loc["Old Form", "answers.heard_from"] == "Friend; Instagram"
    assert rows.loc["New Form", "answers.hair_type"] == "Curly"
    assert rows["answers.barber"].isna().to_dict() == {"Old Form": False, "New Form": True}

    sheet = load_workbook(io.BytesIO(_export(client, shop, owner_headers, "xlsx"))).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    by_name = {
        row[header.index("customer_name")]: row
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert by_name["Old Form"][header.index("answers.barber")] == "Sam"
    assert by_name["Old Form"][header.index("answers.heard_from")] == "Friend; Instagram"


def test_yes_no_and_numbers_export_readably(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    make_form(session, shop=shop)
    answers = {"hair_type": "Straight", "first_visit": True, "visits": 2.5, "notes": "=1+1"}
    client.post(f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(answers=answers))

    frame = pd.read_csv(
        io.BytesIO(_export(client, shop, owner_headers, "csv")), encoding="utf-8-sig"
    )

    row = frame.iloc[0]
    assert (row["answers.first_visit"], row["answers.visits"]) == ("yes", 2.5)
    assert row["answers.notes"] == "'=1+1"  # text never runs as a formula


def test_an_export_without_a_form_has_only_the_standard_columns(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    client.post(f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload())

    frame = pd.read_csv(
        io.BytesIO(_export(client, shop, owner_headers, "csv")), encoding="utf-8-sig"
    )

    assert not [c for c in frame.columns if c.startswith("answers.")]
