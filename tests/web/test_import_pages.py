"""The import page through the test client: another system's Excel file (tests/imports/
sheets.py) uploaded, its columns and unknown inquiry types shown with their choices, the
numbers of other countries and the missing dates said; a choice changed; the import run in the
server's thread, every row stored once and the same file again adding nothing. Refusals (not a
spreadsheet, empty, too big) are said beside the file field and keep nothing; staff are
refused, and another shop's upload is 404."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.core.settings import Settings
from barberbot.imports import uploads
from barberbot.models import Inquiry, Role, Shop, User
from tests.factories import make_shop, make_user
from tests.imports.sheets import NEW_TYPES, ROWS, write_xlsx
from tests.web.test_inbox_pages import sign_in

PAGE = "/shops/kings-cuts/import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def signed_in(client: TestClient, owner: User) -> TestClient:
    sign_in(client, owner)
    return client


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def _upload(client: TestClient, name: str, content: bytes, kind: str = XLSX) -> Any:
    token = _csrf(client.get(PAGE).text)
    return client.post(
        PAGE, data={"csrf": token}, files={"file": (name, content, kind)}, follow_redirects=False
    )


def _choices(html: str) -> dict[str, str]:
    """The review form as the page fills it: every select's chosen option, hidden fields."""
    chosen = dict(re.findall(r'name="(type-name-\d+)" value="([^"]*)"', html))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)" selected', options)
        chosen[name] = selected.group(1) if selected else ""
    return chosen


def _import(client: TestClient, app: FastAPI, review_url: str, **changes: str) -> str:
    page = client.get(review_url).text
    form = _choices(page) | changes | {"csrf": _csrf(page), "action": "import"}
    started = client.post(review_url, data=form, follow_redirects=False)
    assert started.status_code == 303, started.text
    app.state.import_jobs.wait()
    return client.get(review_url).text


def _count(session: Session) -> int:
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


def test_a_file_from_another_system_is_reviewed_then_imported_once(
    signed_in: TestClient, app: FastAPI, session: Session, shop: Shop, tmp_path: Path
) -> None:
    content = write_xlsx(tmp_path / "export.xlsx").read_bytes()

    uploaded = _upload(signed_in, "Export from Salonbook.xlsx", content)
    review_url = uploaded.headers["location"]
    review = signed_in.get(review_url).text
    done = _import(signed_in, app, review_url, **{"type-0": "beard_trim"})
    status = signed_in.get(review_url + "/status").json()
    again_url = _upload(signed_in, "again.xlsx", content).headers["location"]
    again = _import(signed_in, app, again_url, **{"type-0": "beard_trim"})  # the same choice

    assert uploaded.status_code == 303
    assert f"{len(ROWS)} inquiries ready to import." in review
    assert "No date column: every inquiry is dated at the time of the import." in review
    assert "10 inquiry types you do not have yet" in review
    assert all(f"Add as a new type: “{t}”" in review for t in NEW_TYPES if t != "Loyalty Card")
    assert "+49 176 12345678 is a number in another country (Germany)" in review
    assert 'value="customer_name" selected>Name (needed)' in review  # Client Name
    assert 'value="" selected>Not imported' in review  # Stylist
    assert 'name="type-name-0" value="Beard Trim Inquiry"' in review
    assert f"{len(ROWS)} new inquiries imported from Export from Salonbook.xlsx" in done
    assert "New inquiry types: Discount Query, Gift Voucher" in done
    assert status == {"state": "done", "phase": "", "percent": 100}
    assert f"0 new inquiries imported from again.xlsx; {len(ROWS)} were already here" in again
    assert _count(session) == len(ROWS)
    kinds = set(session.scalars(select(Inquiry.inquiry_type).where(
        Inquiry.customer_name.in_(["Ana Lima", "Lou Baker"]))))  # fmt: skip
    assert kinds == {"beard_trim"}
    session.refresh(shop)
    assert "Beard Trim Inquiry" not in shop.type_labels().values()
    assert len(shop.type_labels()) == 9 + 9
    assert not any((uploads_root(app) / review_url.rsplit("/", 1)[1]).glob("*.xlsx"))


def uploads_root(app: FastAPI) -> Path:
    settings: Settings = app.state.settings
    return settings.data_dir / uploads.FOLDER


def test_columns_matched_by_the_owner_and_a_row_with_a_problem(
    signed_in: TestClient, app: FastAPI, session: Session, tmp_path: Path
) -> None:
    """A heading not known as the age is matched by the owner, Notes left out; a row with a
    bad age then stops the import whole."""
    path = tmp_path / "own.csv"
    path.write_text("Name,Yrs,Gender,Type,Phone,Notes\nAna,31,F,Haircut,07700 900123,Hi\n"
                    "Bo,forty,M,Shave,07700 900124,\n")  # fmt: skip
    review_url = _upload(signed_in, "own.csv", path.read_bytes(), "text/csv").headers["location"]
    unmatched = signed_in.get(review_url).text
    form = _choices(unmatched) | {"column-1": "age", "column-5": "", "csrf": _csrf(unmatched)}
    checked = signed_in.post(review_url, data=form | {"action": "check"})

    refused = signed_in.post(review_url, data=form | {"action": "import"}, follow_redirects=False)

    assert "No column is matched to Age: choose below which column holds it" in unmatched
    assert "Import " not in re.sub(r"Import inquiries|Imported as", "", unmatched)
    assert "Row 3: Age: Age must be a whole number, like 34." in checked.text
    assert re.search(r'name="column-1".*?<option value="age" selected>', checked.text, re.S)
    assert re.search(r'name="column-5".*?<option value="" selected>', checked.text, re.S)
    assert refused.status_code == 422
    assert "Nothing to import yet: fix what is marked below, then import." in refused.text
    assert _count(session) == 0


REFUSED = [
    ("prices.pdf", b"%PDF-1.4", "prices.pdf is not a spreadsheet we can read: choose an "
     "Excel (.xlsx) or CSV (.csv) file."),
    ("empty.csv", b"", "empty.csv is empty: choose the file with your inquiries in it."),
    ("broken.xlsx", b"PK not really", "broken.xlsx cannot be opened as an Excel workbook"),
    ("big.csv", b"x" * (uploads.MAX_BYTES + 1), "The file is larger than 10 MB"),
]  # fmt: skip


def test_files_that_cannot_be_imported_are_refused_beside_the_field(
    signed_in: TestClient, app: FastAPI
) -> None:
    answers = [_upload(signed_in, name, content, "application/octet-stream")
               for name, content, _ in REFUSED]  # fmt: skip

    for response, (_, _, message) in zip(answers, REFUSED, strict=True):
        assert response.status_code == 422
        assert message in response.text
        assert 'aria-invalid="true"' in response.text
    assert not list(uploads_root(app).glob("*/*"))


def test_staff_and_other_shops_are_refused(
    client: TestClient, app: FastAPI, session: Session, shop: Shop, owner: User, tmp_path: Path
) -> None:
    other = make_shop(session, slug="other-shop", name="Other Shop")
    staff = make_user(session, email="staff@kings.example", shops=[shop], role=Role.STAFF)
    sign_in(client, owner)
    review_url = _upload(client, "export.xlsx", write_xlsx(tmp_path / "e.xlsx").read_bytes())
    upload_id = review_url.headers["location"].rsplit("/", 1)[1]
    owners_shop_page = client.get("/shops/kings-cuts").text
    owner_of_other = make_user(session, email="boss@other.example", shops=[other])

    sign_in(client, owner_of_other)
    elsewhere = client.get(f"/shops/other-shop/import/{upload_id}")
    status_elsewhere = client.get(f"/shops/other-shop/import/{upload_id}/status")
    sign_in(client, staff)
    as_staff = client.get(PAGE)
    shop_page = client.get("/shops/kings-cuts").text

    assert elsewhere.status_code == 404
    assert status_elsewhere.status_code == 404
    assert as_staff.status_code == 403
    assert f'href="{PAGE}"' in owners_shop_page
    assert f'href="{PAGE}"' not in shop_page
