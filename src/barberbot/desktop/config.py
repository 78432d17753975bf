"""The counter app's own settings, kept in the user's config folder.

`desktop.json` in `$XDG_CONFIG_HOME/barberbot` (Linux), `%APPDATA%\\BarberBot` (Windows) or
`~/Library/Application Support/BarberBot` (macOS). It holds an API token, so it is written
readable by its owner only, and atomically: a crash mid-save keeps the previous settings.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError, field_validator

from barberbot.forms.definition import NO_FORM, FormDefinition
from barberbot.inquiries.rules import field_errors

FILE_NAME = "desktop.json"


class ConfigInvalid(ValueError):
    """The settings cannot be used; `errors` has a message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class DesktopConfig(BaseModel):
    """Where to sync to (all three or none) and what this counter records."""

    server_url: str = ""
    shop: str = ""
    api_token: str = ""
    location: str = Field(default="front-counter", max_length=64)
    workbook: str = Field(default="", description="Empty: inquiries.xlsx in the data folder.")
    # The shop's inquiry types (key -> label), as last fetched from the server.
    inquiry_types: dict[str, str] = Field(default_factory=dict)
    # The shop's form ({"version": n, "fields": [...]}), as last fetched: asked offline too.
    form: dict[str, Any] = Field(default_factory=dict)
    # The shop's country, as last fetched: phone numbers without a +country code are read as
    # its, offline too (None: numbers need their country code).
    country: str | None = None

    @field_validator("server_url", "shop", "api_token", "location", "workbook", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("server_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value:
            return ""
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("Enter the server's address, like https://barberbot.example.com.")
        return value.rstrip("/")

    @property
    def syncs(self) -> bool:
        return bool(self.server_url and self.shop and self.api_token)

    @property
    def cached_form(self) -> FormDefinition:
        if not self.form:
            return NO_FORM
        try:
            return FormDefinition.from_stored(int(self.form["version"]), self.form["fields"])
        except (KeyError, TypeError, ValueError):  # a hand-edited file: ask no questions
            return NO_FORM


def form_cache(form: FormDefinition) -> dict[str, Any]:
    """The form as `DesktopConfig.form` keeps it."""
    return {"version": form.version, "fields": [f.model_dump(mode="json") for f in form.fields]}


def config_dir() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "BarberBot"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "BarberBot"
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "barberbot"


def config_path() -> Path:
    return config_dir() / FILE_NAME


_SYNC_FIELDS = ("server_url", "shop", "api_token")


def parse_config(raw: dict[str, object]) -> DesktopConfig:
    """Checked settings; every mistake at once, each beside its field."""
    errors = _incomplete(raw)
    try:
        config = DesktopConfig.model_validate(raw)
    except ValidationError as error:
        errors = field_errors(error.errors()) | errors
    if errors:
        raise ConfigInvalid(errors)
    return config


def _incomplete(raw: dict[str, object]) -> dict[str, str]:
    """Sync needs the server, the shop and a token together (or none of them)."""
    given = {name: str(raw.get(name) or "").strip() for name in _SYNC_FIELDS}
    if not any(given.values()):
        return {}
    return {name: "Needed to sync with the server." for name, value in given.items() if not value}


def load_config(path: Path | None = None) -> DesktopConfig:
    """The saved settings; defaults when there are none yet."""
    path = path or config_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DesktopConfig()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigInvalid({"file": f"{path} cannot be read ({error})."}) from None
    if not isinstance(raw, dict):
        raise ConfigInvalid({"file": f"{path} does not hold settings."})
    return parse_config(raw)


def save_config(config: DesktopConfig, path: Path | None = None) -> Path:
    """Write the settings owner-only and atomically."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".~", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:  # mkstemp: mode 0600
            json.dump(config.model_dump(), file, indent=2, ensure_ascii=False)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
