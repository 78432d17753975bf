"""The bounce receiver: an SMTP server for the VERP addresses campaign e-mail goes out with.

Point the bounce address's domain (its MX) here. Mail to an address that is not one of ours,
or whose signature is wrong, is refused at RCPT, and so is a second address (452: a report is
about one message, the server sends the others apart). A report is read off the event loop
and its recipient recorded in one transaction per message, which this edge owns; one that
comes before the sender recorded its message sent is answered 451, so it comes again.
Anything unreadable is accepted and ignored (refusing it would only bounce the bounce).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy.exc import SQLAlchemyError

from barberbot.campaigns import bounces, dsn
from barberbot.campaigns.verp import ReturnPaths
from barberbot.core.db import Database

log = logging.getLogger("barberbot.campaigns")
MAX_BYTES = 2 * 1024 * 1024  # reports quote the message, and campaign e-mails are small
REFUSED = "550 5.1.1 Not a bounce address of this server (unknown or wrong signature)"
ONE_ADDRESS = "452 4.5.3 One bounce address per message; send the others separately"


class BounceHandler:
    """aiosmtpd's hooks: check each recipient address, then read and record the report."""

    def __init__(self, db: Database, paths: ReturnPaths) -> None:
        self.db = db
        self.paths = paths

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.paths.read(address) is None:
            log.warning("bounce to an unknown address refused", extra={"address": address[:254]})
            return REFUSED
        if envelope.rcpt_tos:  # a report is about one message: the server sends it again
            return ONE_ADDRESS
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        recipient_id = self.paths.read(envelope.rcpt_tos[0])
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        failures = await asyncio.to_thread(dsn.read, raw)  # off the loop the other sessions use
        if recipient_id is None or not failures:
            log.info("mail to a bounce address that is no delivery report, ignored")
            return "250 OK: not a delivery status notification, ignored"
        try:
            marked = await asyncio.to_thread(self._record, recipient_id, failures)
        except bounces.StillSending:
            log.info("bounce report before the message was recorded sent, asked for again",
                     extra={"recipient_id": recipient_id})  # fmt: skip
            return "451 4.3.0 The message is still being sent; try again later"
        except SQLAlchemyError:
            log.exception("bounce not recorded")
            return "451 4.3.0 Cannot record the report now; try again later"
        return "250 OK: recorded bounced" if marked else "250 OK: nothing to record, ignored"

    def _record(self, recipient_id: int, failures: list[dsn.Failure]) -> bool:
        with self.db.transaction() as session:
            return bounces.record(session, recipient_id, failures)


@contextmanager
def serving(db: Database, paths: ReturnPaths, host: str, port: int) -> Iterator[Controller]:
    """The receiver on host:port in a background thread, while the block runs."""
    controller = Controller(
        BounceHandler(db, paths), hostname=host, port=port, data_size_limit=MAX_BYTES
    )
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()
