"""The request's way to the answer store the app was built with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from barberbot.forms.store import AnswerStore


async def get_answer_store(request: Request) -> AnswerStore:
    store: AnswerStore = request.app.state.answer_store
    return store


AnswerStoreDep = Annotated[AnswerStore, Depends(get_answer_store)]
