"""The request's way to the capture intake the app was built with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from barberbot.inquiries.intake import Intake


async def get_intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


IntakeDep = Annotated[Intake, Depends(get_intake)]
