"""The import page (`/shops/{shop}/import`, owners): upload a CSV or Excel file, see how its
columns are matched (and change any match), what becomes of the inquiry types the shop does
not have, a preview and each row's problems; then import it all, or nothing, in a thread of
the server (web/import_jobs.py) while the page shows the progress.

The upload is kept on the server between the steps (imports/uploads.py). Every form posts,
then redirects (or shows the page again with what to fix, 422)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException

from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser
from barberbot.core.db import Database
from barberbot.core.deps import SessionDep, SettingsDep
from barberbot.core.http import BodyTooLarge
from barberbot.core.settings import Settings
from barberbot.forms import service as forms
from barberbot.imports import uploads
from barberbot.imports.importer import undated_note
from barberbot.imports.reader import FileInvalid, read_table
from barberbot.imports.review import Review, column_options, review
from barberbot.imports.type_choices import ADD, words
from barberbot.models import Role, Shop, User
from barberbot.shops import inquiry_types
from barberbot.shops.deps import MemberShop
from barberbot.web.csrf import check_csrf
from barberbot.web.import_jobs import ImportJobs
from barberbot.web.templating import shop_page

router = APIRouter(include_in_schema=False)
PAGE = "/shops/{slug}/import"
ONE = PAGE + "/{upload_id}"
# the upload's route takes bodies this large (app.py); the file's own limit is checked inside
UPLOAD_PATH = r"^/shops/[^/]+/import$"
UPLOAD_BODY_BYTES = uploads.MAX_BYTES + 1024 * 1024
PROBLEMS_SHOWN = 100
TOO_LARGE = (
    f"The file is larger than {uploads.MAX_BYTES // (1024 * 1024)} MB, the most an import "
    "takes. Split it into smaller files and import them one by one."
)


def _owner_only(user: User, shop: Shop) -> None:
    if auth.role_in(user, shop) != Role.OWNER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only the shop's owners can import.")


def _root(settings: Settings) -> Path:
    return settings.data_dir / uploads.FOLDER


def _jobs(request: Request) -> ImportJobs:
    jobs: ImportJobs = request.app.state.import_jobs
    return jobs


def _upload(settings: Settings, shop: Shop, upload_id: str) -> uploads.Upload:
    """The shop's upload; another shop's, or a gone one, is 404 as if it never was."""
    found = uploads.load(_root(settings), upload_id, shop.id)
    if found is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, "No such upload: it was imported or is over a day old."
        )
    return found


@router.get(PAGE, response_class=HTMLResponse, name="import_page")
def import_page(request: Request, shop: MemberShop, user: CurrentUser) -> Response:
    _owner_only(user, shop)
    return _upload_page(request, user, shop)


def _upload_page(
    request: Request, user: User, shop: Shop, errors: dict[str, str] | None = None
) -> HTMLResponse:
    return shop_page(request, "import.html", user, shop, errors, step="upload", max_mb=_max_mb())


def _max_mb() -> int:
    return uploads.MAX_BYTES // (1024 * 1024)


@router.post(PAGE, name="import_upload")
async def upload_file(
    request: Request, shop: MemberShop, user: CurrentUser, settings: SettingsDep
) -> Response:
    _owner_only(user, shop)
    try:
        form = await request.form(max_files=1, max_fields=4)
    except BodyTooLarge:
        return _upload_page(request, user, shop, {"file": TOO_LARGE})
    except MultiPartException:
        return _upload_page(request, user, shop, {"file": "Choose a file, then upload it."})
    try:
        check_csrf(request, str(form.get("csrf", "")))
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            return _upload_page(request, user, shop, {"file": "Choose a file, then upload it."})
        try:
            kept = await run_in_threadpool(_keep, _root(settings), shop.id, file)
        except uploads.UploadInvalid as invalid:
            return _upload_page(request, user, shop, {"file": str(invalid)})
    finally:
        await form.close()
    return RedirectResponse(f"/shops/{shop.slug}/import/{kept.id}", status.HTTP_303_SEE_OTHER)


def _keep(root: Path, shop_id: int, file: UploadFile) -> uploads.Upload:
    """Keep the file if it reads as a table (the day-old uploads go now)."""
    uploads.sweep(root)
    kept = uploads.save(root, shop_id, file.filename or "", file.file)
    try:
        read_table(kept.file, lenient=True)
    except FileInvalid as invalid:
        uploads.forget(kept)
        raise uploads.UploadInvalid(str(invalid)) from None
    return kept


@router.get(ONE, response_class=HTMLResponse, name="import_review")
def review_page(
    request: Request,
    upload_id: str,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    _owner_only(user, shop)
    upload = _upload(settings, shop, upload_id)
    state = upload.status()
    if state:
        return shop_page(request, "import.html", user, shop, step="status", upload=upload,
                         state=state, percent=_percent(state))  # fmt: skip
    return _review_page(request, session, user, shop, upload)


def _review_page(
    request: Request,
    session: Session,
    user: User,
    shop: Shop,
    upload: uploads.Upload,
    problem: str = "",
) -> HTMLResponse:
    form = forms.current(session, shop)
    try:
        found = review(session, upload, shop, form)
    except FileInvalid as invalid:  # read before; a file changed or gone since
        return _upload_page(request, user, shop, {"file": str(invalid)})
    context = _review_context(found, shop)
    errors = {"import": problem} if problem else None
    return shop_page(request, "import.html", user, shop, errors, step="review", upload=upload,
                     review=found, options=column_options(form), **context)  # fmt: skip


def _review_context(found: Review, shop: Shop) -> dict[str, Any]:
    plan = found.plan
    return {
        "undated": undated_note(plan) if plan is not None and plan.undated else "",
        "problems": plan.rejected[:PROBLEMS_SHOWN] if plan else [],
        "more_problems": max(len(plan.rejected) - PROBLEMS_SHOWN, 0) if plan else 0,
        "shop_types": list(shop.type_labels().items()),
        "offered": inquiry_types.offered(shop),
        "add": ADD,
    }


@router.post(ONE, name="import_choose")
async def choose(
    request: Request,
    upload_id: str,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Keep the owner's matches and type choices; then check again, or start the import."""
    _owner_only(user, shop)
    form = await request.form(max_files=0, max_fields=1000)
    check_csrf(request, str(form.get("csrf", "")))
    upload = _upload(settings, shop, upload_id)
    if upload.status():  # started already: show how it goes
        return RedirectResponse(request.url.path, status.HTTP_303_SEE_OTHER)
    await run_in_threadpool(_keep_choices, upload, form)
    if form.get("action") != "import":
        return RedirectResponse(request.url.path, status.HTTP_303_SEE_OTHER)
    return await run_in_threadpool(_start, request, session, user, shop, upload)


def _keep_choices(upload: uploads.Upload, form: FormData) -> None:
    columns: dict[int, str] = {}
    types: dict[str, str] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str):
            continue
        if name.startswith("column-") and name.removeprefix("column-").isdigit():
            columns[int(name.removeprefix("column-"))] = value
        elif name.startswith("type-") and name.removeprefix("type-").isdigit():
            label = form.get("type-name-" + name.removeprefix("type-"))
            if isinstance(label, str):
                types[words(label)] = value
    if columns:
        upload.columns = columns
    upload.types |= types
    upload.save()


def _start(
    request: Request, session: Session, user: User, shop: Shop, upload: uploads.Upload
) -> Response:
    found = review(session, upload, shop, forms.current(session, shop))
    if not found.ready:
        problem = "Nothing to import yet: fix what is marked below, then import."
        return _review_page(request, session, user, shop, upload, problem)
    db: Database = request.app.state.db
    _jobs(request).start(db, request.app.state.answer_store, upload, len(found.table.rows))
    return RedirectResponse(request.url.path, status.HTTP_303_SEE_OTHER)


@router.get(ONE + "/status", name="import_status")
def import_status(
    upload_id: str, shop: MemberShop, user: CurrentUser, settings: SettingsDep
) -> JSONResponse:
    """How the import goes, for the page to poll: state, phase, percent."""
    _owner_only(user, shop)
    state = _upload(settings, shop, upload_id).status()
    return JSONResponse(
        {
            "state": state.get("state", "waiting"),
            "phase": state.get("phase", ""),
            "percent": _percent(state),
        },
        headers={"Cache-Control": "no-store"},
    )


def _percent(state: dict[str, Any]) -> int:
    if state.get("state") in ("done", "failed"):
        return 100
    total = int(state.get("total") or 0)
    return min(int(100 * int(state.get("done") or 0) / total), 99) if total else 0
