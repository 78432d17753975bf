"""One capture pipeline: every entry point gives the same verdict with the same messages, and
judges a repeated inquiry by the same idempotency record."""

from __future__ import annotations

import ast
import csv
import html
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.imports.columns import LABELS
from barberbot.imports.importer import plan_import
from barberbot.imports.reader import read_table
from barberbot.inquiries.rules import InquiryInvalid
from barberbot.models import Inquiry, Shop
from barberbot.streaming.handler import Record, handle
from barberbot.streaming.messages import SCHEMA, VERSION
from tests.factories import inquiry_payload, make_shop
from tests.streaming.helpers import envelope

SRC = Path(__file__).resolve().parents[2] / "src" / "barberbot"

# (what is wrong, the inquiry's fields)
MISTAKES = {
    "bad age and no contact": inquiry_payload(age="old", phone="", email=""),
    "answers to a shop without a form": inquiry_payload(age=0, answers={"hair_type": "Curly"}),
    "bad phone and bad gender": inquiry_payload(phone="12", gender="robot"),
}


def _api(client: TestClient, shop: Shop, fields: dict[str, Any]) -> dict[str, str]:
    response = client.post(f"/api/v1/shops/{shop.slug}/inquiries", json=fields)
    assert response.status_code == 422
    errors: dict[str, str] = response.json()["errors"]
    return errors


def _sync(
    client: TestClient, shop: Shop, headers: dict[str, str], fields: dict[str, Any]
) -> dict[str, str]:
    item = {"id": str(uuid.uuid4()), "captured_at": datetime.now(UTC).isoformat()}
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries/sync",
        json={"inquiries": [item | {"inquiry": fields}]},
        headers=headers,
    )
    [result] = response.json()["results"]
    assert result["status"] == "rejected"
    errors: dict[str, str] = result["errors"]
    return errors


def _worker(session: Session, shop: Shop, fields: dict[str, Any]) -> str:
    message = {
        "schema": SCHEMA,
        "version": VERSION,
        "id": str(uuid.uuid4()),
        "shop": shop.slug,
        "received_at": datetime.now(UTC).isoformat(),
        "source": "api",
        "form_version": 0,
        "inquiry": fields,
    }
    result = handle(session, [Record(orjson.dumps(message))])
    [dead] = result.dead
    return dead.reason


def _import(tmp_path: Path, shop: Shop, fields: dict[str, Any]) -> dict[str, str]:
    """The fields as a one-row CSV file under the import's own column headers."""
    names = [name for name in LABELS if name in fields]
    path = tmp_path / "inquiries.csv"
    with path.open("w", newline="") as file:
        csv.writer(file).writerows([[LABELS[n] for n in names], [fields[n] for n in names]])
    [rejected] = plan_import(read_table(path), shop).rejected
    return rejected.errors


@pytest.mark.parametrize("mistake", MISTAKES)
def test_every_entry_point_reports_the_same_mistakes_in_the_same_words(
    client: TestClient,
    session: Session,
    shop: Shop,
    owner_headers: dict[str, str],
    mistake: str,
) -> None:
    fields = MISTAKES[mistake]

    from_api = _api(client, shop, fields)
    from_sync = _sync(client, shop, owner_headers, fields)
    from_worker = _worker(session, shop, fields)
    form_fields = {k: "" if v is None else str(v) for k, v in fields.items() if k != "answers"}
    form_fields |= {f"answers.{k}": v for k, v in fields.get("answers", {}).items()}
    page = client.post(f"/s/{shop.slug}/inquire", data=form_fields)

    assert len(from_api) >= 2
    assert from_sync == from_api
    assert from_worker == f"invalid inquiry: {InquiryInvalid(from_api)}"
    assert page.status_code == 422
    for message in from_api.values():
        assert html.escape(message) in page.text
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 0


@pytest.mark.parametrize("mistake", ["bad age and no contact", "bad phone and bad gender"])
def test_an_import_row_gets_the_same_messages(
    client: TestClient, shop: Shop, tmp_path: Path, mistake: str
) -> None:
    fields = MISTAKES[mistake]

    assert _import(tmp_path, shop, fields) == _api(client, shop, fields)


def test_the_worker_dead_letters_an_id_stored_with_other_content(
    session: Session, shop: Shop
) -> None:
    inquiry_id, value = envelope(shop, 1)
    handle(session, [Record(value)])
    session.commit()
    _, other = envelope(shop, 2, age=70)
    conflicting = orjson.loads(other) | {"id": str(inquiry_id)}

    result = handle(session, [Record(value), Record(orjson.dumps(conflicting))])
    session.commit()

    assert (result.stored, result.redelivered) == (0, 1)
    [dead] = result.dead
    assert dead.reason == (
        f"conflicting duplicate: inquiry {inquiry_id} was stored with other content"
    )
    assert session.scalars(select(Inquiry.age)).all() == [34]


def test_a_synced_id_of_another_shops_inquiry_is_refused_without_saying_whose(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    other = make_shop(session, slug="other")
    inquiry_id, value = envelope(other)
    handle(session, [Record(value)])
    session.commit()
    item = {"id": str(inquiry_id), "captured_at": datetime.now(UTC).isoformat()}

    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries/sync",
        json={"inquiries": [item | {"inquiry": inquiry_payload()}]},
        headers=owner_headers,
    )

    [result] = response.json()["results"]
    assert result == {
        "id": str(inquiry_id),
        "status": "rejected",
        "errors": {"id": "This id was already used for a different inquiry."},
    }


def _writes_inquiries(tree: ast.AST) -> list[int]:
    """Lines that insert inquiries other than through the writer: SQL text naming the table,
    `insert(Inquiry)`, or an `Inquiry(...)` row made for a session to add."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if "INSERT INTO inquiries " in node.value:
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called = node.func.id
            named = [a.id for a in node.args if isinstance(a, ast.Name)]
            if called == "Inquiry" or (called == "insert" and "Inquiry" in named):
                lines.append(node.lineno)
    return lines


def test_only_the_writer_inserts_inquiries_so_every_write_marks_late_days() -> None:
    writers = {
        str(path.relative_to(SRC)): lines
        for path in SRC.rglob("*.py")
        # migrations write no inquiries; the counter app's offline file has a table of its own
        if not {"migrations", "desktop"} & set(path.parts)
        and (lines := _writes_inquiries(ast.parse(path.read_text())))
    }

    assert list(writers) == ["inquiries/writer.py"]
