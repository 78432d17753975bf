"""The dashboard in headless Chromium: sign in, filter, see the numbers, download, live.

Every number the test expects is counted from the data below by `_count`, not copied from
the screen.
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from barberbot.analytics.bands import band_of
from barberbot.analytics.summary import GENDER_LABELS
from barberbot.auth import service as auth
from barberbot.forms.store import AnswerDocument, SqlAnswerStore
from barberbot.models import Role, Shop, User
from tests.browser import screenshot
from tests.factories import PASSWORD, make_form, make_inquiry, make_shop, make_user

pytestmark = pytest.mark.browser
NOW = datetime.now(UTC)
expect.set_options(timeout=30_000)  # a busy 2-core machine runs the server, MariaDB and Chromium


@dataclass(frozen=True)
class Row:
    shop: str
    name: str
    gender: str
    age: int
    kind: str
    consent: bool
    days_ago: float


ROWS = [
    Row("kings-cuts", "Zoë Núñez", "female", 29, "hair_colouring", True, 0.1),
    Row("kings-cuts", "Kwame Mensah", "male", 41, "beard_trim", True, 3.1),
    Row("kings-cuts", "Liam O'Connor", "male", 36, "haircut", False, 6.1),
    Row("kings-cuts", "Alex Kim", "non_binary", 23, "styling", True, 9.1),
    Row("kings-cuts", "Tom Hardy", "male", 52, "shave", False, 12.1),
    Row("kings-cuts", "Ana Lima", "female", 31, "haircut", True, 15.1),
    Row("kings-cuts", "Ivy Chen", "female", 27, "haircut", True, 50.1),  # last 90 days only
    Row("kings-cuts", "Old Timer", "male", 67, "shave", False, 70.1),
    Row("queens", "Queenie Ade", "female", 33, "haircut", True, 1.1),  # the owner's other shop
    Row("queens", "Rex Ruiz", "male", 30, "beard_trim", False, 4.1),
]


def _count(*, shop: str | None = None, days: int = 30, band: str | None = None,
           kind: str | None = None, gender: str | None = None,
           between: tuple[date, date] | None = None) -> list[Row]:  # fmt: skip
    """The rows a view shows (newest first)."""

    def shown(row: Row) -> bool:
        day = (NOW - timedelta(days=row.days_ago)).date()
        in_time = between[0] <= day <= between[1] if between else row.days_ago < days
        return (
            in_time
            and shop in (None, row.shop)
            and band in (None, band_of(row.age))
            and kind in (None, row.kind)
            and gender in (None, row.gender)
        )

    return sorted(filter(shown, ROWS), key=lambda row: row.days_ago)


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


# King's Cuts' custom answers (SQL answer store), by customer name
HAIR = {"Zoë Núñez": "Curly", "Kwame Mensah": "Straight", "Liam O'Connor": "Curly",
        "Alex Kim": "Wavy", "Ivy Chen": "Curly"}  # fmt: skip


@pytest.fixture
def customers(session: Session, shop: Shop, owner: User) -> Shop:
    queens = make_shop(session, slug="queens", name="Queen's")
    auth.grant(session, owner, queens, Role.OWNER)
    session.commit()
    shops = {"kings-cuts": shop, "queens": queens}
    form = make_form(session, shop=shop)
    documents = []
    for n, row in enumerate(ROWS):
        inquiry = make_inquiry(
            session,
            shop=shops[row.shop],
            customer_name=row.name,
            gender=row.gender,
            age=row.age,
            inquiry_type=row.kind,
            marketing_consent=row.consent,
            email=f"customer{n}@example.com",
            phone=f"+44 7700 9000{n:02d}",
            received_at=NOW - timedelta(days=row.days_ago),
        )
        if row.shop == "kings-cuts" and row.name in HAIR:
            answers = {"hair_type": HAIR[row.name]}
            documents.append(
                AnswerDocument(inquiry.id, shop.id, form.version, inquiry.received_at, answers)
            )
    SqlAnswerStore().save(session, documents)
    session.commit()
    return shop


def _sign_in(page: Page, live_url: str, email: str) -> None:
    page.goto(f"{live_url}/dashboard/")  # signed out: sent to the login, then back
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_url}/dashboard/")


def _kpi(page: Page, name: str, value: object) -> None:
    expect(page.locator(f"#kpi-{name} .bb-kpi-value")).to_have_text(str(value))


def _choose(page: Page, dropdown: str, option: str) -> None:
    control = page.locator(f"#{dropdown}")
    control.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(control).to_contain_text(option)  # chosen before the menu closes
    page.keyboard.press("Escape")
    expect(page.get_by_role("option")).to_have_count(0)
    expect(control).to_contain_text(option)


def _trace(page: Page, chart: str, name: str | None = None) -> dict[str, Any]:
    """A chart's first trace (or the one called `name`) as the browser's plotly holds it."""
    traces: list[dict[str, Any]] = page.locator(f"#chart-{chart} .js-plotly-plot").evaluate(
        "el => el.data.map(t => ({name: t.name, x: t.x, y: t.y, labels: t.labels,"
        " values: t.values}))"
    )
    return next(t for t in traces if name in (None, t["name"]))


def _eventually(check: Callable[[], Any], expected: Any, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while (found := check()) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    assert found == expected


def _bands(rows: list[Row]) -> list[int]:
    labels = ["under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
    return [sum(band_of(row.age) == label for row in rows) for label in labels]


def test_filters_change_the_numbers_and_the_url(
    desk: Page, live_url: str, customers: Shop, owner: User
) -> None:
    _sign_in(desk, live_url, owner.email)
    everyone = _count()
    _kpi(desk, "inquiries", len(everyone))  # both shops, the last 30 days
    _kpi(desk, "consent", f"{sum(r.consent for r in everyone) / len(everyone):.0%}")
    before = [row for row in ROWS if 30 <= row.days_ago < 60]
    expect(desk.locator("#insights li").first).to_have_text(
        f"Inquiries are up {len(everyone) / len(before) - 1:.0%} on the previous 30 days "
        f"({len(everyone)} against {len(before)})."
    )
    expect(desk.locator("#by-location tbody tr")).to_have_count(2)  # King's and Queen's

    _choose(desk, "shop", "King's Cuts")
    kings = _count(shop="kings-cuts")
    _kpi(desk, "inquiries", len(kings))
    _eventually(lambda: _trace(desk, "bands")["y"], _bands(kings))
    assert "shop=kings-cuts" in desk.url

    _choose(desk, "period", "Last 90 days")
    quarter = _count(shop="kings-cuts", days=90)
    _kpi(desk, "inquiries", len(quarter))
    assert "period=90d" in desk.url

    _choose(desk, "age-band", "25-34")
    young = _count(shop="kings-cuts", days=90, band="25-34")
    _kpi(desk, "inquiries", len(young))
    _eventually(lambda: sum(_trace(desk, "types")["x"]), len(young))

    _choose(desk, "inquiry-type", "Haircut")
    haircuts = _count(shop="kings-cuts", days=90, band="25-34", kind="haircut")
    _kpi(desk, "inquiries", len(haircuts))
    _eventually(lambda: _trace(desk, "types")["x"], [len(haircuts)])
    _eventually(lambda: _trace(desk, "bands")["y"], _bands(haircuts))
    genders = _trace(desk, "genders")
    assert dict(zip(genders["labels"], genders["values"], strict=True)) == Counter(
        GENDER_LABELS[row.gender] for row in haircuts
    )
    assert "age=25-34" in desk.url
    assert "type=haircut" in desk.url
    expect(desk.locator("#latest tbody tr")).to_have_count(len(haircuts))

    with desk.expect_download() as download_info:
        desk.get_by_role("link", name="Download Excel").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    sheet = workbook["Inquiries"]
    records = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [record[3] for record in records] == [row.name for row in haircuts]
    assert {record[6] for record in records} == {"haircut"}

    desk.goto(desk.url)  # the bookmark brings the same view back
    _kpi(desk, "inquiries", len(haircuts))


def test_choice_question_counts_and_filter(
    desk: Page, live_url: str, customers: Shop, owner: User
) -> None:
    _sign_in(desk, live_url, owner.email)
    expect(desk.locator("#answers-section")).to_be_hidden()  # two shops shown: no one form

    desk.goto(f"{live_url}/dashboard/?shop=kings-cuts")
    kings = _count(shop="kings-cuts")
    curly = [row for row in kings if HAIR.get(row.name) == "Curly"]
    table = desk.locator("#answer-chart-hair_type")
    expect(table.locator("h2")).to_have_text("Hair type")
    bands = ["under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
    expected = [str(n) for n in _bands(curly)] + [str(len(curly))]
    expect(table.locator("tbody tr", has_text="Curly").locator("td")).to_have_text(expected)
    assert len(expected) == len(bands) + 1
    expect(desk.locator("#answer-chart-heard_from tbody tr")).to_have_count(3)  # no answers

    control = desk.locator("""[id='{"key":"hair_type","type":"answer-filter"}']""")
    control.click()
    desk.get_by_role("option", name="Curly", exact=True).click()
    expect(control).to_contain_text("Curly")
    desk.keyboard.press("Escape")
    _kpi(desk, "inquiries", len(curly))
    expect(desk.locator("#latest tbody tr")).to_have_count(len(curly))
    assert "a.hair_type=Curly" in desk.url
    # the straight-haired customer is filtered out of the table too
    expect(table.locator("tbody tr", has_text="Straight").locator("td").last).to_have_text("0")

    desk.goto(desk.url)  # the bookmark keeps the choice filter
    _kpi(desk, "inquiries", len(curly))
    expect(control).to_contain_text("Curly")

    # the browser's back and forward redraw the choice filter with the numbers
    control.click()
    desk.get_by_role("option", name="Straight", exact=True).click()
    desk.keyboard.press("Escape")
    straight_or_curly = [r for r in kings if HAIR.get(r.name) in ("Curly", "Straight")]
    _kpi(desk, "inquiries", len(straight_or_curly))
    desk.go_back()
    _kpi(desk, "inquiries", len(curly))
    expect(control).not_to_contain_text("Straight")
    desk.go_forward()
    _kpi(desk, "inquiries", len(straight_or_curly))
    expect(control).to_contain_text("Straight")


def test_custom_dates_gender_download_and_sorting(
    desk: Page, live_url: str, customers: Shop, owner: User
) -> None:
    _sign_in(desk, live_url, owner.email)
    first, last = (NOW - timedelta(days=13)).date(), (NOW - timedelta(days=2)).date()

    desk.locator("#dates-start").fill(first.isoformat())
    desk.locator("#dates-start").press("Enter")
    desk.locator("#dates-end").fill(last.isoformat())
    desk.locator("#dates-end").press("Enter")
    desk.keyboard.press("Escape")

    chosen = _count(between=(first, last))
    _kpi(desk, "inquiries", len(chosen))
    assert f"start={first}" in desk.url
    assert f"end={last}" in desk.url
    days = _trace(desk, "per-day", "inquiries")
    assert days["x"][0] == first.isoformat()
    assert days["x"][-1] == last.isoformat()
    assert sum(days["y"]) == len(chosen)

    _choose(desk, "gender", "Male")
    men = _count(between=(first, last), gender="male")
    _kpi(desk, "inquiries", len(men))
    with desk.expect_download() as download_info:
        desk.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(download_info.value.path().read_text("utf-8-sig"))))
    assert [row["customer_name"] for row in rows] == [row.name for row in men]

    _choose(desk, "latest-sort", "Youngest first")
    expect(desk.locator("#latest tbody tr").first).to_contain_text(
        min(men, key=lambda row: row.age).name
    )
    assert desk.url.endswith("#sort=age:asc")
    desk.goto(desk.url)
    expect(desk.locator("#latest-sort")).to_contain_text("Youngest first")
    _kpi(desk, "inquiries", len(men))


def test_another_user_cannot_see_the_shop(
    browser: Browser, live_url: str, customers: Shop, session: Session
) -> None:
    rival = make_shop(session, slug="rival", name="Rival Cuts")
    make_user(session, email="rival@example.com", shops=[rival])
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    _sign_in(page, live_url, "rival@example.com")

    page.goto(f"{live_url}/dashboard/?shop=kings-cuts&period=365d")

    # not a shop of theirs: the page shows their own (empty) shop instead, and says so
    expect(page.locator("#empty")).to_contain_text("No inquiries match this view yet")
    expect(page).to_have_url(f"{live_url}/dashboard/?period=365d")
    _kpi(page, "inquiries", 0)
    expect(page.locator("#latest tbody tr")).to_have_count(0)
    expect(page.locator("#by-location tbody tr")).to_have_count(0)
    page.locator("#shop").click()
    expect(page.get_by_role("option")).to_have_text(["All my shops", "Rival Cuts"])
    page.keyboard.press("Escape")
    # nor can the address of a download name it: the file has the header only
    download = page.request.get(f"{live_url}/dashboard/export.csv?shop=kings-cuts&period=365d")
    assert download.ok
    assert len(download.text().splitlines()) == 1
    screenshot(page, "dashboard-other-user.png")
    context.close()


def test_new_inquiries_appear_without_a_reload(
    desk: Page, live_url: str, customers: Shop, owner: User, session: Session
) -> None:
    _sign_in(desk, live_url, owner.email)
    _kpi(desk, "inquiries", len(_count()))

    make_inquiry(session, shop=customers, customer_name="Walk In", received_at=datetime.now(UTC))

    expect(desk.locator("#kpi-inquiries .bb-kpi-value")).to_have_text(
        str(len(_count()) + 1), timeout=8000
    )
    expect(desk.locator("#latest tbody tr").first).to_contain_text("Walk In")


def test_readable_on_a_phone(page: Page, live_url: str, customers: Shop, owner: User) -> None:
    _sign_in(page, live_url, owner.email)
    _kpi(page, "inquiries", len(_count()))

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 480  # no sideways scrolling of the page itself


def test_an_empty_shop_explains_what_to_do(desk: Page, live_url: str, owner: User) -> None:
    _sign_in(desk, live_url, owner.email)

    expect(desk.locator("#empty")).to_contain_text("No inquiries match this view yet")
    _kpi(desk, "inquiries", 0)
