"""The API's own documentation: Swagger UI at /docs, the schema at /openapi.json."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

INQUIRIES = "/api/v1/shops/{slug}/inquiries"


def test_docs_page_answers_and_loads_the_schema(client: TestClient) -> None:
    response = client.get("/docs")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "SwaggerUIBundle" in response.text
    assert "'/openapi.json'" in response.text or '"/openapi.json"' in response.text


def test_openapi_lists_capture_list_read_delete_and_exports(client: TestClient) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    spec: dict[str, Any] = response.json()
    operations = {(method, path) for path, methods in spec["paths"].items() for method in methods}
    assert {
        ("post", INQUIRIES),
        ("get", INQUIRIES),
        ("get", f"{INQUIRIES}/{{inquiry_id}}"),
        ("delete", f"{INQUIRIES}/{{inquiry_id}}"),
        ("get", f"{INQUIRIES}/export.csv"),
        ("get", f"{INQUIRIES}/export.xlsx"),
    } <= operations
    assert spec["info"]["title"] == "BarberBot"
    assert not any(path.startswith(("/login", "/s/", "/shops/")) for path in spec["paths"])


def test_the_capture_operation_documents_its_body_header_and_result(client: TestClient) -> None:
    spec: dict[str, Any] = client.get("/openapi.json").json()
    capture = spec["paths"][INQUIRIES]["post"]
    schemas = spec["components"]["schemas"]

    body_ref = capture["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schemas[body_ref.rsplit("/", 1)[1]]
    created_ref = capture["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    created = schemas[created_ref.rsplit("/", 1)[1]]
    headers = {p["name"] for p in capture["parameters"] if p["in"] == "header"}

    assert {"customer_name", "age", "gender", "inquiry_type"} <= set(body["required"])
    assert {"phone", "email", "message", "marketing_consent"} <= set(body["properties"])
    assert {"id", "received_at", "source"} <= set(created["properties"])
    assert "Idempotency-Key" in headers
    assert {"201", "409", "422"} <= set(capture["responses"])


def test_endpoints_that_need_a_user_document_the_bearer_token(client: TestClient) -> None:
    spec: dict[str, Any] = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    bearer = next(name for name, scheme in schemes.items() if scheme.get("scheme") == "bearer")

    listing = spec["paths"][INQUIRIES]["get"]
    capture = spec["paths"][INQUIRIES]["post"]

    assert {bearer: []} in listing["security"]
    assert "security" not in capture  # the public form's endpoint: anyone may capture
