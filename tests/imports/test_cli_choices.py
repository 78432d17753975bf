"""`barberbot import` of another system's file (tests/imports/sheets.py): ten inquiry types
the shop does not have, `Other` genders, numbers of other countries and no dates. With
--add-types every row is imported and the same rows again (as Excel) add nothing; --map-type
maps; without a choice, or with a bad one, nothing is stored and the message says what to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.cli import app
from barberbot.models import Inquiry, Shop
from tests.imports.sheets import FOREIGN, NEW_TYPES, OTHER_GENDERS, ROWS, write_csv, write_xlsx

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("BARBERBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BARBERBOT_DATA_DIR", str(tmp_path))


def _import(path: Path, *options: str) -> Any:
    return runner.invoke(app, ["import", str(path), "--shop", "kings-cuts", *options])


def _stored(session: Session) -> dict[str, tuple[str, str]]:
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    rows = session.execute(select(Inquiry.customer_name, Inquiry.gender, Inquiry.inquiry_type))
    return {name: (gender, kind) for name, gender, kind in rows}


def _types(session: Session, shop: Shop) -> list[str]:
    session.refresh(shop)
    return list(shop.type_labels().values())


def test_with_add_types_every_row_is_imported_once(
    session: Session, shop: Shop, tmp_path: Path
) -> None:
    before = _types(session, shop)

    first = _import(write_csv(tmp_path / "export.csv"), "--add-types")
    again = _import(write_xlsx(tmp_path / "export.xlsx"), "--add-types")

    assert first.exit_code == 0, first.output
    assert f"Imported {len(ROWS)} new inquiries into King's Cuts" in first.output
    assert "Inquiry types added: Beard Trim Inquiry (beard_trim_inquiry), Discount Query" in (
        first.output
    )
    assert "No date column: every inquiry is dated at the time of the import." in first.output
    assert "Phone numbers of another country (4 rows, imported as they are):" in first.output
    assert "row 3: +49 176 12345678 is a number in another country (Germany); the shop is in " \
        "Britain (UK)." in first.output  # fmt: skip
    assert "row 8: 06 12 34 56 79 has no country code and is not a phone number in Britain " \
        "(UK), but would be one in" in first.output  # fmt: skip
    assert again.exit_code == 0, again.output
    assert f"Imported 0 new inquiries into King's Cuts from export.xlsx (sheet 'Export'); " \
        f"{len(ROWS)} were already there." in again.output  # fmt: skip
    assert "Inquiry types added" not in again.output
    stored = _stored(session)
    assert len(stored) == len(ROWS)
    assert sum(gender == "other" for gender, _ in stored.values()) == OTHER_GENDERS
    assert stored["Dee Patel"] == ("non_binary", "wedding_party_booking")
    assert stored["Eli Novak"][1] == "loyalty_card"
    assert stored["Kit Lowe"] == ("other", "haircut")
    assert _types(session, shop) == [*before, *(t if t != "Loyalty Card" else "loyalty card"
                                                for t in NEW_TYPES)]  # fmt: skip
    phones = set(session.scalars(select(Inquiry.phone)))
    assert {f.replace(" ", "") for f in FOREIGN} <= phones


def test_map_type_imports_a_files_type_as_one_of_the_shops(
    session: Session, shop: Shop, tmp_path: Path
) -> None:
    result = _import(
        write_csv(tmp_path / "export.csv"),
        "--map-type", "beard trim inquiry=beard_trim",
        "--map-type", "Discount Query=Pricing question",
        "--add-types",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    stored = _stored(session)
    assert stored["Ana Lima"][1] == stored["Lou Baker"][1] == "beard_trim"
    assert stored["Bo Chen"][1] == "pricing_question"
    added = set(_types(session, shop)) - {"Haircut", "Beard trim", "Pricing question"}
    assert not {"Beard Trim Inquiry", "Discount Query"} & added


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("export.csv", [], "Inquiry types the shop does not have: 'Beard Trim Inquiry' (2 rows), "
         "'Discount Query' (1 row)"),
        ("export.csv", ["--map-type", "Gift Voucher=vouchers"],
         "Nothing imported: --map-type 'Gift Voucher=vouchers': the shop has no inquiry type "
         "'vouchers'. Its types are: haircut (Haircut), beard_trim (Beard trim)"),
        ("export.csv", ["--map-type", "Gift Voucher"], 'write it as "Label in the file=type key"'),
        ("export.pdf", ["--add-types"], "reads Excel (.xlsx) and CSV (.csv) files, not .pdf"),
        ("empty.csv", ["--add-types"], "Nothing imported: empty.csv is empty."),
    ],
)  # fmt: skip
def test_bad_input_is_refused_and_nothing_is_stored(
    session: Session, shop: Shop, tmp_path: Path, name: str, options: list[str], message: str
) -> None:
    before = _types(session, shop)
    path = tmp_path / name
    if name == "empty.csv":
        path.write_bytes(b"")
    else:
        path.write_bytes(write_csv(tmp_path / "rows.csv").read_bytes())

    result = _import(path, *options)

    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert _stored(session) == {}
    assert _types(session, shop) == before
