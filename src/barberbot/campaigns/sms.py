"""What every campaign SMS carries: the way to opt out."""

from __future__ import annotations

STOP_FOOTER = "Reply STOP to opt out."


def with_footer(body: str) -> str:
    return body if "STOP" in body.upper() else f"{body.rstrip()}\n{STOP_FOOTER}"
