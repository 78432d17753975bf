"""A per-session token that every owner-page POST must echo back."""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request, status


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str) -> None:
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not secrets.compare_digest(expected, submitted):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "This form has expired; reload the page and try again."
        )
