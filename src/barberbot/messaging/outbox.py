"""The local outbox: where messages are kept, one file each, when no mail server (or no SMS
provider) is set up, for the owners to read at /outbox.

    <folder>/<entry>.eml        an e-mail as it would have gone out, with X-BarberBot-Shop
    <folder>/<entry>.sms.json   an SMS: {"to", "body", "shop", "at"}

An entry's name starts with the UTC time it was kept (sorted by name, newest last) and names
its shop, so a shop's own are found without opening every file. Each file is written under a
hidden temporary name and renamed into place: a crash never leaves half a message.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import logging
import os
import re
import secrets
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from barberbot.messaging.errors import Unavailable
from barberbot.messaging.messages import Email, Sms, build
from barberbot.models import Channel
from barberbot.models.base import utcnow

log = logging.getLogger("barberbot.messaging")
SHOP_HEADER = "X-BarberBot-Shop"
EMAIL_SUFFIX, SMS_SUFFIX = ".eml", ".sms.json"
STAMP = "%Y%m%dT%H%M%S%fZ"
# e.g. 20261202T101112123456Z-s7-1f2e3d4c; "-x-" for a message of no shop
ENTRY = re.compile(r"^(?P<at>\d{8}T\d{12}Z)-(?:s(?P<shop>\d+)|x)-[0-9a-f]{8}$")


@dataclass(frozen=True)
class Entry:
    """One kept message as the list shows it."""

    id: str
    channel: Channel
    shop_id: int | None
    to: str
    summary: str  # the e-mail's subject, or the SMS's first line
    at: datetime


@dataclass(frozen=True)
class KeptMessage:
    """One kept message in full."""

    entry: Entry
    text: str  # the plain-text body
    html: str | None  # the HTML part, if any: to be shown only where no script can run
    headers: list[tuple[str, str]]


class LocalOutbox:
    """Both an e-mail and an SMS backend, and the reader of what it kept."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender  # the From of the e-mail, as SMTP would have sent it

    # -- keeping (the transport's side) -----------------------------------------------------

    def send_email(self, email: Email) -> str:
        message = build(email, self.sender)
        if email.shop_id is not None:
            message[SHOP_HEADER] = str(email.shop_id)
        return self._keep(email.shop_id, EMAIL_SUFFIX, message.as_bytes())

    def send_sms(self, sms: Sms) -> str:
        at = utcnow()
        record = {"to": sms.to, "body": sms.body, "shop": sms.shop_id, "at": at.isoformat()}
        return self._keep(sms.shop_id, SMS_SUFFIX, json.dumps(record).encode(), at)

    def close(self) -> None:
        pass  # every message is written and closed as it is kept

    def _keep(
        self, shop_id: int | None, suffix: str, data: bytes, at: datetime | None = None
    ) -> str:
        shop = "x" if shop_id is None else f"s{shop_id}"
        entry = f"{(at or utcnow()).strftime(STAMP)}-{shop}-{secrets.token_hex(4)}"
        temporary = self.folder / f".{entry}{suffix}.tmp"  # hidden: never listed
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with temporary.open("xb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())  # the data on disk before the name points at it
            os.replace(temporary, self.folder / f"{entry}{suffix}")
            _sync_folder(self.folder)
        except OSError as error:  # nothing was kept: the message waits, as for a server down
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise Unavailable(
                f"the local outbox {self.folder} cannot be written: {error}"
            ) from None
        return entry

    # -- reading (the /outbox page's side) --------------------------------------------------

    def entries(self, shop_ids: Collection[int], limit: int) -> list[Entry]:
        """The newest `limit` messages kept for these shops, newest first."""
        found = []
        for path in self._paths(shop_ids):
            read = self._read(path)
            if read is not None and read.entry.shop_id in shop_ids:  # its header agrees
                found.append(read.entry)
                if len(found) == limit:
                    break
        return found

    def read(self, entry_id: str, shop_ids: Collection[int]) -> KeptMessage | None:
        """The whole message, if it is one of these shops' (else None, as if not there)."""
        match = ENTRY.match(entry_id)
        if match is None or not _of(match, shop_ids):
            return None
        for suffix in (EMAIL_SUFFIX, SMS_SUFFIX):
            path = self.folder / f"{entry_id}{suffix}"
            if path.is_file():
                kept = self._read(path)
                return kept if kept is not None and kept.entry.shop_id in shop_ids else None
        return None

    def _paths(self, shop_ids: Collection[int]) -> Iterator[Path]:
        try:
            names = sorted(os.listdir(self.folder), reverse=True)
        except FileNotFoundError:  # nothing kept yet
            return
        except OSError as error:  # not a folder, not ours to read: the page shows nothing
            log.warning("the local outbox cannot be read", extra={"error": str(error)})
            return
        for name in names:
            stem, suffix = _split(name)
            match = ENTRY.match(stem) if suffix else None
            if match is not None and _of(match, shop_ids):
                yield self.folder / name

    @staticmethod
    def _read(path: Path) -> KeptMessage | None:
        """None for a file that is not a message kept here (left by hand, say)."""
        stem, suffix = _split(path.name)
        match = ENTRY.match(stem)
        if match is None:
            return None
        at = datetime.strptime(match["at"], STAMP).replace(tzinfo=UTC)
        try:
            data = path.read_bytes()
            if suffix == SMS_SUFFIX:
                return _sms(stem, at, json.loads(data))
            parsed = email.message_from_bytes(data, policy=email.policy.default)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        assert isinstance(parsed, EmailMessage)
        return _email(stem, at, parsed)


def _split(name: str) -> tuple[str, str]:
    for suffix in (EMAIL_SUFFIX, SMS_SUFFIX):
        if name.endswith(suffix):
            return name.removesuffix(suffix), suffix
    return name, ""


def _of(match: re.Match[str], shop_ids: Collection[int]) -> bool:
    return match["shop"] is not None and int(match["shop"]) in shop_ids


def _shop(value: object) -> int | None:
    return int(str(value)) if value is not None and str(value).isdigit() else None


def _sms(stem: str, at: datetime, record: dict[str, object]) -> KeptMessage:
    body = str(record["body"])
    entry = Entry(stem, Channel.SMS, _shop(record.get("shop")), str(record["to"]),
                  body.splitlines()[0] if body else "", at)  # fmt: skip
    return KeptMessage(entry, body, None, [("To", entry.to)])


def _email(stem: str, at: datetime, message: EmailMessage) -> KeptMessage:
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    entry = Entry(stem, Channel.EMAIL, _shop(message[SHOP_HEADER]), str(message["To"] or ""),
                  str(message["Subject"] or ""), at)  # fmt: skip
    return KeptMessage(
        entry,
        "" if plain is None else str(plain.get_content()),
        None if html is None else str(html.get_content()),
        [(name, str(value)) for name, value in message.items()],
    )


def _sync_folder(folder: Path) -> None:
    """The rename itself on disk (POSIX); where a folder cannot be opened, it is skipped."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
