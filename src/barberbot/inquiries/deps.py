"""The request's way to the capture intake the app was built with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from barberbot.inquiries.intake import Intake


def intake_of(request: Request) -> Intake:
    """The app's intake (for endpoints that resolve no dependencies: the capture hot path)."""
    intake: Intake = request.app.state.intake
    return intake


async def get_intake(request: Request) -> Intake:
    return intake_of(request)


IntakeDep = Annotated[Intake, Depends(get_intake)]
