"""The counter window's status line, as text: what waits, what was refused, how sync goes."""

from __future__ import annotations

import time
from pathlib import Path

from barberbot.desktop.sync import SyncStatus


def _count(number: int, noun: str = "inquiry") -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {noun if number == 1 else plural}"


def status_line(
    *,
    waiting: int,
    refused: int,
    sync: SyncStatus | None,
    workbook: Path,
    workbook_error: str | None = None,
    now: float | None = None,
) -> str:
    """One line, most urgent first; `sync` is None when no server is set up."""
    if workbook_error:
        return workbook_error
    parts = [f"{_count(waiting)} waiting to sync"]
    if sync is None:
        parts.append("not syncing: no server set up (Settings)")
    elif sync.error and sync.stopped:
        parts.append(f"sync stopped — {sync.error}")
    elif sync.error:
        line = f"offline — {sync.error}"
        if sync.retry_at is not None:
            seconds = max(0, round(sync.retry_at - (time.monotonic() if now is None else now)))
            line += f" Next try in {seconds} s."
        parts.append(line)
    elif sync.last_synced is not None:
        parts.append(f"synced at {sync.last_synced:%H:%M:%S}")
    else:
        parts.append("connecting…")
    if refused:
        parts.append(f"{_count(refused)} refused by the server (see the workbook)")
    parts.append(f"workbook: {workbook}")
    return " · ".join(parts)
