"""The API's one answer to invalid fields: a message for each, keyed by the field."""

from __future__ import annotations

from fastapi import status
from fastapi.responses import JSONResponse


def invalid_response(errors: dict[str, str]) -> JSONResponse:
    return JSONResponse(
        {"detail": "Some fields are not valid.", "errors": errors},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )
