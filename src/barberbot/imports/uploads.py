"""Files an owner uploads to import in the browser, kept between the steps (match the columns,
choose the inquiry types, import) on the server, under the data dir: one folder per upload,
named by a random id, holding the file, the owner's choices and the import's progress.

The file goes once it is imported; a folder goes a day after its upload (`sweep`, run at
each new upload), imported or not. Only what the folder's shop id names may read it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from barberbot.imports.reader import SUFFIXES
from barberbot.models.base import utcnow

FOLDER = "imports"  # under the data dir
MAX_BYTES = 10 * 1024 * 1024
KEPT = timedelta(days=1)
CHUNK = 64 * 1024
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_UNSAFE = re.compile(r"[^\w. ()-]+")


class UploadInvalid(ValueError):
    """The upload is refused; the message says why, for the owner."""


@dataclass
class Upload:
    id: str
    folder: Path
    shop_id: int
    filename: str
    created: str  # ISO 8601, UTC
    columns: dict[int, str] | None = None  # column index -> a field, as the owner matched them
    types: dict[str, str] = field(default_factory=dict)  # a sheet type's words -> key or ADD

    @property
    def file(self) -> Path:
        return self.folder / self.filename

    def save(self) -> None:
        """Keep the owner's choices (columns, types) for the next step."""
        record = {k: v for k, v in asdict(self).items() if k not in ("id", "folder")}
        _write_json(self.folder / "upload.json", record)

    def status(self) -> dict[str, Any]:
        """The import's progress: `state` is absent (not started), running, done or failed."""
        try:
            loaded: dict[str, Any] = json.loads((self.folder / "status.json").read_text())
        except (OSError, ValueError):
            return {}
        return loaded

    def set_status(self, **status: Any) -> None:
        _write_json(self.folder / "status.json", status)

    def forget_file(self) -> None:
        """The customers' data goes once imported; the status stays for the page to show."""
        self.file.unlink(missing_ok=True)


def save(root: Path, shop_id: int, filename: str, source: BinaryIO) -> Upload:
    """Keep an uploaded file, refusing other kinds of file, empty ones and big ones."""
    name = _safe_name(filename)
    suffix = Path(name).suffix.lower()
    if not name or suffix not in SUFFIXES:
        raise UploadInvalid(
            f"{filename or 'That'} is not a spreadsheet we can read: choose an Excel (.xlsx) "
            "or CSV (.csv) file. In another program, save or export it as one of these first."
        )
    upload_id = secrets.token_urlsafe(16)
    folder = root / upload_id
    folder.mkdir(parents=True)
    upload = Upload(upload_id, folder, shop_id, name, utcnow().isoformat())
    try:
        size = _copy(source, upload.file)
    except UploadInvalid:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if size == 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise UploadInvalid(f"{name} is empty: choose the file with your inquiries in it.")
    upload.save()
    return upload


def load(root: Path, upload_id: str, shop_id: int) -> Upload | None:
    """The shop's upload; None for another shop's, a gone one or an id that is no id."""
    if not _ID.match(upload_id):
        return None
    folder = root / upload_id
    try:
        record = json.loads((folder / "upload.json").read_text())
    except (OSError, ValueError):
        return None
    if record.get("shop_id") != shop_id:
        return None
    columns = record.get("columns")
    return Upload(
        upload_id,
        folder,
        shop_id,
        record["filename"],
        record["created"],
        {int(k): v for k, v in columns.items()} if columns is not None else None,
        dict(record.get("types") or {}),
    )


def forget(upload: Upload) -> None:
    """The upload and all it kept, gone."""
    shutil.rmtree(upload.folder, ignore_errors=True)


def sweep(root: Path, now: datetime | None = None) -> int:
    """Remove the uploads older than KEPT; how many went."""
    now = now or utcnow()
    removed = 0
    folders = [path for path in root.iterdir() if path.is_dir()] if root.is_dir() else []
    for folder in folders:
        try:
            record = json.loads((folder / "upload.json").read_text())
            created = datetime.fromisoformat(record["created"])
        except (OSError, ValueError, KeyError):
            created = datetime.fromtimestamp(folder.stat().st_mtime, now.tzinfo)
        if now - created > KEPT:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _copy(source: BinaryIO, target: Path) -> int:
    size = 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > MAX_BYTES:
                raise UploadInvalid(
                    f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB, the most an "
                    "import takes. Split it into smaller files and import them one by one."
                )
            out.write(chunk)
    return size


def _safe_name(filename: str) -> str:
    """The name without folders or odd characters, as the messages and the folder show it."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", base).strip(" .")[-120:]
    return name if name not in ("upload.json", "status.json") else "_" + name


def _write_json(path: Path, record: dict[str, Any]) -> None:
    """Whole or not at all: the page may read it while the import writes it."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    partial.write_text(json.dumps(record))
    partial.replace(path)
