from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from barberbot.core import migrate
from barberbot.core.db import Database
from barberbot.models import Base, Inquiry, Shop
from tests.factories import inquiry_payload, make_inquiry, make_shop


def _count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


def test_create_returns_201_with_the_stored_inquiry(
    client: TestClient, shop: Shop, session: Session
) -> None:
    response = client.post(f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload())

    assert response.status_code == 201
    body = response.json()
    stored = session.get(Inquiry, uuid.UUID(body["id"]))
    assert stored is not None
    assert stored.customer_name == body["customer_name"] == "Jamal Brooks"
    assert stored.source == body["source"] == "api"
    assert stored.phone == "+447700900123"
    assert response.headers["location"].endswith(body["id"])


def test_consent_keeps_time_and_exact_text(client: TestClient, shop: Shop) -> None:
    body = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(marketing_consent=True)
    ).json()

    assert body["consent_at"] == body["received_at"]
    assert body["consent_text"] == shop.effective_consent_text()
    assert "King's Cuts" in body["consent_text"]


def test_no_consent_stores_no_consent_evidence(client: TestClient, shop: Shop) -> None:
    body = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(marketing_consent=False)
    ).json()

    assert body["marketing_consent"] is False
    assert body["consent_at"] is None
    assert body["consent_text"] is None


def test_invalid_fields_get_422_with_a_message_per_field(
    client: TestClient, shop: Shop, session: Session
) -> None:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries",
        json=inquiry_payload(age=300, gender="robot", email="not-an-email"),
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"age", "gender", "email"}
    assert "between 1 and 120" in errors["age"]
    assert _count(session) == 0


def test_unknown_inquiry_type_for_the_shop_is_422(
    client: TestClient, shop: Shop, session: Session
) -> None:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(inquiry_type="tattoo")
    )

    assert response.status_code == 422
    assert "Haircut" in response.json()["errors"]["inquiry_type"]
    assert _count(session) == 0


def test_missing_contact_is_422(client: TestClient, shop: Shop) -> None:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(phone=None, email="")
    )

    assert response.status_code == 422
    assert "phone number or an e-mail" in response.json()["errors"]["contact"]


def test_malformed_json_is_422_on_body(client: TestClient, shop: Shop) -> None:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"body": "The request body is not valid JSON."}


def test_unknown_shop_is_404(client: TestClient) -> None:
    response = client.post("/api/v1/shops/nowhere/inquiries", json=inquiry_payload())

    assert response.status_code == 404
    assert response.json() == {"detail": "Unknown shop 'nowhere'."}


def test_body_over_the_limit_is_413_and_nothing_is_stored(
    client: TestClient, shop: Shop, session: Session
) -> None:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(message="x" * 100_000)
    )

    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert _count(session) == 0


def test_idempotent_retry_returns_the_first_result(
    client: TestClient, shop: Shop, session: Session
) -> None:
    headers = {"Idempotency-Key": "desk-42"}
    url = f"/api/v1/shops/{shop.slug}/inquiries"

    first = client.post(url, json=inquiry_payload(), headers=headers)
    second = client.post(url, json=inquiry_payload(), headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert _count(session) == 1


def test_idempotency_key_reused_for_another_inquiry_is_409(
    client: TestClient, shop: Shop, session: Session
) -> None:
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    client.post(url, json=inquiry_payload(), headers={"Idempotency-Key": "k1"})

    response = client.post(
        url, json=inquiry_payload(customer_name="Someone Else"), headers={"Idempotency-Key": "k1"}
    )

    assert response.status_code == 409
    assert _count(session) == 1
    assert session.scalars(select(Inquiry.customer_name)).all() == ["Jamal Brooks"]


def test_accents_and_emoji_survive_the_round_trip(
    client: TestClient,
    shop: Shop,
    owner_headers: dict[str, str],
    backend: str,
    database: Database,
) -> None:
    name = "Zoë Łukasiewicz-Núñez 💈✂️"
    created = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries",
        json=inquiry_payload(customer_name=name, message="Danke schön 🙏 — 今日は"),
    ).json()

    fetched = client.get(
        f"/api/v1/shops/{shop.slug}/inquiries/{created['id']}", headers=owner_headers
    ).json()

    assert fetched["customer_name"] == name
    assert fetched["message"] == "Danke schön 🙏 — 今日は"
    if backend == "mariadb":
        _assert_utf8mb4(_table_charsets(database.engine))
        _migrated_into_a_latin1_database_stays_utf8mb4(database.engine, name)


def _table_charsets(engine: Engine) -> dict[str, str]:
    """The character set MariaDB reports for each table and text column (not alembic's)."""
    with engine.connect() as connection:
        tables = connection.execute(
            text(
                "SELECT t.TABLE_NAME, c.CHARACTER_SET_NAME FROM information_schema.TABLES t "
                "JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY c "
                "ON c.COLLATION_NAME = t.TABLE_COLLATION "
                "WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_NAME != 'alembic_version'"
            )
        ).all()
        columns = connection.execute(
            text(
                "SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME), CHARACTER_SET_NAME "
                "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                "AND CHARACTER_SET_NAME IS NOT NULL AND TABLE_NAME != 'alembic_version'"
            )
        ).all()
    return {str(name): str(charset) for name, charset in [*tables, *columns]}


def _assert_utf8mb4(charsets: dict[str, str]) -> None:
    assert set(Base.metadata.tables) <= set(charsets)
    assert {"inquiries.customer_name", "inquiries.message", "shops.name", "users.name"} <= set(
        charsets
    )
    assert {n: c for n, c in charsets.items() if c != "utf8mb4"} == {}


def _migrated_into_a_latin1_database_stays_utf8mb4(engine: Engine, name: str) -> None:
    """The test server defaults to utf8mb4; a production one may not. The migrations must
    make utf8mb4 tables whatever the database's default, so migrate one that defaults to
    latin1 and look."""
    with engine.connect() as connection:
        connection.exec_driver_sql("DROP DATABASE IF EXISTS barberbot_latin1")
        connection.exec_driver_sql("CREATE DATABASE barberbot_latin1 CHARACTER SET latin1")
    url = engine.url.set(database="barberbot_latin1").render_as_string(hide_password=False)
    latin1 = Database.from_url(url)
    try:
        migrate.upgrade(latin1.engine)
        _assert_utf8mb4(_table_charsets(latin1.engine))
        with latin1.sessions() as session:
            stored = make_inquiry(session, shop=make_shop(session), customer_name=name)
        with latin1.sessions() as session:
            found = session.get(Inquiry, stored.id)
    finally:
        latin1.engine.dispose()
        with engine.connect() as connection:
            connection.exec_driver_sql("DROP DATABASE barberbot_latin1")

    assert found is not None
    assert found.customer_name == name
