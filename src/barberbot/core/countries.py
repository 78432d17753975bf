"""Countries (ISO 3166-1 alpha-2) from the IANA time zone tables: names, and a zone's country.

The tables come with the time zone database: the system's (`/usr/share/zoneinfo`) or, where
there is none (Windows), the `tzdata` package's copy.
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from importlib import resources
from pathlib import Path


def _table(name: str) -> list[list[str]]:
    """The rows of one of the database's tab-separated tables, without comments."""
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            break
    else:
        try:
            text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
        except (ModuleNotFoundError, OSError):
            return []
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def names() -> dict[str, str]:
    """Country code -> English name, e.g. 'GB' -> 'Britain (UK)'."""
    return {row[0]: row[1] for row in _table("iso3166.tab") if len(row) >= 2}


@cache
def _zone_countries() -> dict[str, str]:
    # zone.tab names one country per zone (zone1970.tab several, for zones shared since 1970)
    return {row[2]: row[0] for row in _table("zone.tab") if len(row) >= 3}


def country_for_timezone(zone: str) -> str | None:
    """The country of an IANA time zone (Europe/London -> GB); None for UTC and the like."""
    return _zone_countries().get(zone)


def country_name(code: str) -> str:
    return names().get(code, code)
