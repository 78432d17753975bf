"""`barberbot import FILE`: real files (one written by LibreOffice), reports, all or nothing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from select import select as wait_readable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.cli import app
from barberbot.core.settings import Settings
from barberbot.inquiries import writer
from barberbot.models import Inquiry, Shop
from tests.imports.conftest import WriteXlsx
from tests.support.environment import settings_env

runner = CliRunner()
BARBERBOT = str(Path(sys.executable).parent / "barberbot")

# As a shop keeps it: its own column names and order, headers in odd cases, ages as text.
SHOP_CSV = """\
TYPE,customer name,e-mail,Age,phone number,SEX,Notes,Consent
Haircut,Ana Lima,ana@example.com,31,,Female,Fringe trim,yes
Beard trim,Bo Chen,,45,+44 7700 900222,male,,no
Kids' cut,Cai Jones,cai@example.com, 8 ,,M,With dad,
"""


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("BARBERBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BARBERBOT_DATA_DIR", str(tmp_path))


def _count(session: Session) -> int:
    session.rollback()  # a fresh snapshot (MariaDB reads are repeatable within one)
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


def _import(path: Path, *options: str) -> Any:
    return runner.invoke(app, ["import", str(path), "--shop", "kings-cuts", *options])


def libreoffice_xlsx(csv_path: Path) -> Path:
    """Convert with the real LibreOffice, as a shop's own spreadsheet would be written."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office, "LibreOffice is needed: apt-get install libreoffice-calc-nogui"
    profile = csv_path.parent / "lo-profile"
    subprocess.run(
        [office, f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "xlsx", "--outdir", str(csv_path.parent), str(csv_path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    converted = csv_path.with_suffix(".xlsx")
    assert converted.exists()
    return converted


def test_a_libreoffice_workbook_imports_once(session: Session, shop: Shop, tmp_path: Path) -> None:
    csv_path = tmp_path / "customers.csv"
    csv_path.write_text(SHOP_CSV)
    workbook = libreoffice_xlsx(csv_path)

    first = _import(workbook)
    again = _import(workbook)

    assert first.exit_code == 0, first.output
    assert "Imported 3 new inquiries into King's Cuts" in first.output
    assert "Columns not imported: Notes" not in first.output  # Notes is the message
    assert again.exit_code == 0, again.output
    assert "Imported 0 new inquiries" in again.output
    assert "3 were already there" in again.output
    assert _count(session) == 3
    cai = session.scalars(select(Inquiry).where(Inquiry.customer_name == "Cai Jones")).one()
    assert (cai.age, cai.gender, cai.inquiry_type, cai.message) == (
        8,
        "male",
        "kids_cut",
        "With dad",
    )


def test_the_csv_itself_imports_too(session: Session, shop: Shop, tmp_path: Path) -> None:
    csv_path = tmp_path / "customers.csv"
    csv_path.write_text(SHOP_CSV)

    result = _import(csv_path)

    assert result.exit_code == 0, result.output
    assert _count(session) == 3


def test_wrong_values_are_reported_by_row_and_nothing_is_imported(
    session: Session, shop: Shop, write_xlsx: WriteXlsx
) -> None:
    path = write_xlsx(
        [
            ["Name", "Age", "Gender", "Inquiry type", "Phone"],
            ["Ana Lima", 31, "female", "Haircut", "0123456789"],
            ["Bo Chen", "forty", "male", "Shave", "0123456788"],
            ["Cai Jones", 8, "male", "Tattoo", "not a phone"],
        ]
    )

    result = _import(path)

    assert result.exit_code == 1
    assert "row 3: Age: Age must be a whole number, like 34." in result.output
    assert "row 4: Inquiry type: Choose one of: Haircut" in result.output
    assert "row 4: Inquiry type: Choose one of: Haircut, Beard trim" in result.output
    assert "Phone: Enter a phone number" in result.output
    assert "Nothing imported: 2 of 3 rows are not valid" in result.output
    assert _count(session) == 0

    skipping = _import(path, "--skip-invalid")

    assert skipping.exit_code == 0, skipping.output
    assert "Imported 1 new inquiries" in skipping.output
    assert "2 rows skipped" in skipping.output
    assert _count(session) == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["Name", "Phone"], ["Ana", "0123456789"]], "has no column for Age, Gender, Inquiry type"),
        ([["Price list"], ["Haircut", 25], ["Shave", 15]], "is not a table of inquiries"),
        ([["Name", "Email", "E-mail"], ["Ana", "a@x.io", "b@x.io"]], "Two columns mean E-mail"),
    ],
)
def test_a_file_that_is_not_an_inquiry_table_is_refused_whole(
    session: Session,
    shop: Shop,
    write_xlsx: WriteXlsx,
    rows: list[list[Any]],
    message: str,
) -> None:
    result = _import(write_xlsx(rows))

    assert result.exit_code == 1
    assert "Nothing imported" in result.output
    assert message in result.output
    assert _count(session) == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused(
    session: Session, shop: Shop, tmp_path: Path
) -> None:
    fake = tmp_path / "inquiries.xlsx"
    fake.write_bytes(b"\x00\x01 not a zip")

    result = _import(fake)

    assert result.exit_code == 1
    assert "cannot be opened as an Excel workbook" in result.output
    assert "No file" in _import(tmp_path / "missing.csv").output


def test_a_failure_mid_import_leaves_nothing_half_imported(
    session: Session, shop: Shop, write_xlsx: WriteXlsx, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = ["Name", "Age", "Gender", "Inquiry type", "Phone"]
    rows = [[f"Customer {n}", 30, "male", "Haircut", f"01234{n:05d}"] for n in range(1200)]
    path = write_xlsx([header, *rows])
    real_write = writer.write
    calls: list[int] = []

    def write_failing_on_the_third_chunk(session: Session, chunk: Any, answers: Any) -> Any:
        calls.append(len(chunk))
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real_write(session, chunk, answers)

    monkeypatch.setattr(writer, "write", write_failing_on_the_third_chunk)

    result = _import(path)

    assert result.exit_code != 0
    assert calls == [500, 500, 200]
    assert _count(session) == 0  # the first two chunks were rolled back with the third


def test_an_unknown_shop_is_refused(session: Session, tmp_path: Path) -> None:
    csv_path = tmp_path / "customers.csv"
    csv_path.write_text(SHOP_CSV)

    result = _import(csv_path)

    assert result.exit_code == 1
    assert "Unknown shop 'kings-cuts'" in result.output


def _run_in_a_terminal(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run a command with a pseudo-terminal for its output, as a person at a shell would."""
    leader, follower = os.openpty()
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    seen = bytearray()
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if not wait_readable([leader], [], [], 1)[0]:
                continue
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the command has exited and its terminal closed
                break
            if not data:
                break
            seen += data
        return process.wait(10), seen.decode(errors="replace")
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_few_hundred_rows_show_progress_bars_in_a_terminal(
    session: Session, shop: Shop, write_xlsx: WriteXlsx, settings: Settings
) -> None:
    header = ["Name", "Age", "Gender", "Inquiry type", "Phone"]
    rows = [[f"Customer {n}", 30, "male", "Haircut", f"01234{n:05d}"] for n in range(300)]
    path = write_xlsx([header, *rows])

    exit_code, shown = _run_in_a_terminal(
        [BARBERBOT, "import", str(path), "--shop", shop.slug],
        env=settings_env(settings) | {"COLUMNS": "120", "TERM": "xterm"},
    )

    assert exit_code == 0, shown
    checking = {int(p) for p in re.findall(r"Checking  \[[#-]+\] +(\d+)%", shown)}
    importing = {int(p) for p in re.findall(r"Importing  \[[#-]+\] +(\d+)%", shown)}
    assert set(range(0, 101, 10)) <= checking, shown  # moves row by row, not only at the end
    assert {0, 100} <= importing, shown
    assert "Imported 300 new inquiries into King's Cuts" in shown
    assert _count(session) == 300
