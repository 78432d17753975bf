"""The baseline: a bare FastAPI endpoint that returns a constant."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.post("/const")
async def const() -> dict[str, str]:
    return {"status": "ok"}
