"""OpenAPI for endpoints that read their own JSON body (the capture hot path)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

_COMPONENT = "#/components/schemas/{model}"


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """An operation's `openapi_extra`: the body is `model` as JSON (see `document_models`)."""
    schema = {"$ref": _COMPONENT.format(model=model.__name__)}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def document_models(app: FastAPI, *models: type[BaseModel]) -> None:
    """Add models that no endpoint signature names to the schema's components."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        components = spec.setdefault("components", {}).setdefault("schemas", {})
        for model in models:
            schema = model.model_json_schema(ref_template=_COMPONENT)
            components.update(schema.pop("$defs", {}))
            components[model.__name__] = schema
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "What went wrong, in words."}},
    "required": ["detail"],
}
INVALID = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "example": "Some fields are not valid."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "A message for each field that is not valid, keyed by the field.",
        },
    },
    "required": ["detail", "errors"],
}
WHEN = {
    "401": "No valid API token or session: sign in, or send `Authorization: Bearer <token>`.",
    "403": "Signed in, but not allowed to do this (some actions are the owners' only).",
    "404": "Nothing of this shop by that name or id (another shop's answers the same).",
    "413": "The request is too large.",
    "422": "Some fields are not valid: a message for each.",
    "503": "A service it needs is down (the database or another store); try again shortly.",
}


def document_errors(app: FastAPI) -> None:
    """Every API operation's error answers as the app gives them: the 422 of `errors.py`
    (`detail` and a message per field, not FastAPI's default), 401 wherever a token may be
    sent, 403 where signing in is needed, 404 where the path names something, 413 where there
    is a body, 503 everywhere (the database may be down). Answers particular to an operation
    (409, 429) are declared on it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas.update({"ErrorMessage": ERROR, "InvalidFields": INVALID})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        for path, operations in spec.get("paths", {}).items():
            for operation in operations.values():
                if path.startswith("/api/"):
                    _document(path, operation)
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _document(path: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    codes = ["401", "503"]
    if operation.get("security"):
        codes.append("403")
    names = {parameter.get("name") for parameter in operation.get("parameters", [])}
    if "{" in path or "shop" in names:
        codes.append("404")
    if "requestBody" in operation:
        codes.append("413")
    if operation.get("parameters") or "requestBody" in operation:
        codes.append("422")
    for code in codes:
        schema = "InvalidFields" if code == "422" else "ErrorMessage"
        responses[code] = {
            "description": responses.get(code, {}).get("description") or WHEN[code],
            "content": {"application/json": {"schema": {"$ref": _COMPONENT.format(model=schema)}}},
        }
