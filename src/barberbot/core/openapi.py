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
