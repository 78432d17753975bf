"""Every campaigns route, for the app to include in one line."""

from __future__ import annotations

from fastapi import APIRouter

from barberbot.campaigns import api, pages, public

router = APIRouter()
router.include_router(api.router)
router.include_router(public.router)
router.include_router(pages.router)
