"""The streamed downloads hold exactly the filtered inquiries, as `barberbot export` writes them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.dashboard import downloads
from barberbot.dashboard.state import ViewState
from barberbot.forms.store import AnswerDocument, AnswerStore
from barberbot.inquiries import export
from barberbot.models import Inquiry, Shop, User
from tests.factories import PASSWORD, make_form, make_inquiry, make_shop, make_user
from tests.support.dashboard import sign_in

NOW = datetime.now(UTC)


@pytest.fixture
def awkward(session: Session, shop: Shop) -> list[Inquiry]:
    """Inquiries with what a CSV or a spreadsheet can get wrong, newest first."""
    rows: list[dict[str, Any]] = [
        dict(customer_name="=HYPERLINK(\"x\")", gender="male", message='say "hi"\nthen go'),
        dict(customer_name="Zoë Núñez 💈", gender="female", email=None, phone="07700 900123"),
        dict(customer_name="Bo", gender="male", marketing_consent=False, location=None),
        dict(customer_name="Old", gender="male", days=40),  # outside the last 30 days
    ]  # fmt: skip
    made = [
        make_inquiry(session, shop=shop, received_at=NOW - timedelta(days=fields.pop("days", n),
                                                                     minutes=n), **fields)
        for n, fields in enumerate(rows)
    ]  # fmt: skip
    return made[:3]


def _expected(shop: Shop, inquiries: list[Inquiry]) -> pd.DataFrame:
    return export.to_frame(shop, inquiries)


def test_the_csv_is_what_the_export_command_writes(
    client: TestClient, owner: User, shop: Shop, awkward: list[Inquiry]
) -> None:
    sign_in(client, owner.email, PASSWORD)
    men = [inquiry for inquiry in awkward if inquiry.gender == "male"]

    everything = client.get("/dashboard/export.csv")
    filtered = client.get("/dashboard/export.csv?gender=male")

    assert everything.status_code == 200
    assert everything.headers["content-disposition"].startswith('attachment; filename="inq')
    assert everything.content == export.to_csv(_expected(shop, awkward))
    assert filtered.content == export.to_csv(_expected(shop, men))
    names = [row["customer_name"] for row in csv.DictReader(io.StringIO(filtered.text))]
    assert names == ['\'=HYPERLINK("x")', "Bo"]  # a formula is defused


def test_the_excel_file_is_what_the_export_command_writes(
    client: TestClient, owner: User, shop: Shop, awkward: list[Inquiry]
) -> None:
    sign_in(client, owner.email, PASSWORD)

    response = client.get("/dashboard/export.xlsx?gender=female")

    ours = openpyxl.load_workbook(io.BytesIO(response.content))["Inquiries"]
    theirs = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(_expected(shop, awkward[1:2]))))[
        "Inquiries"
    ]
    assert [[c.value for c in row] for row in ours.iter_rows()] == [
        [c.value for c in row] for row in theirs.iter_rows()
    ]
    assert ours.max_row == 2
    assert ours["D2"].value == "Zoë Núñez 💈"
    assert ours.freeze_panes == "A2"
    assert ours.column_dimensions["A"].width == theirs.column_dimensions["A"].width


def test_nobody_downloads_another_owners_inquiries(
    client: TestClient, session: Session, shop: Shop, awkward: list[Inquiry]
) -> None:
    make_user(session, email="rival@example.com", shops=[make_shop(session, slug="rival")])

    signed_out = client.get("/dashboard/export.csv?shop=kings-cuts", follow_redirects=False)
    sign_in(client, "rival@example.com", PASSWORD)
    rival = client.get("/dashboard/export.csv?shop=kings-cuts")
    unknown = client.get("/dashboard/export.pdf")

    assert signed_out.status_code == 303
    assert rival.status_code == 200
    assert rival.content.decode("utf-8-sig").strip() == ",".join(export.COLUMNS)  # no rows
    assert unknown.status_code == 404


def test_a_choice_filter_narrows_the_download_with_either_answer_store(
    database: Database, session: Session, owner: User, shop: Shop, answer_store: AnswerStore
) -> None:
    form = make_form(session, shop=shop)
    documents = []
    for name, hair in (("Ana", "Curly"), ("Bo", "Straight"), ("Cy", "Curly"), ("Di", None)):
        inquiry = make_inquiry(session, shop=shop, customer_name=name, received_at=NOW)
        if hair is not None:
            answers = {"hair_type": hair}
            documents.append(AnswerDocument(inquiry.id, shop.id, form.version, NOW, answers))
    answer_store.save(session, documents)
    session.commit()
    curly = ViewState(shop=shop.slug, answers={"hair_type": ["Curly"]})

    text = b"".join(downloads.csv_chunks(database, owner.id, curly, answer_store))

    rows = csv.DictReader(io.StringIO(text.decode("utf-8-sig")))
    assert sorted(row["customer_name"] for row in rows) == ["Ana", "Cy"]
