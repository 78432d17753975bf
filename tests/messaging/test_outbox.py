"""The local outbox: each message one whole file, read back per shop, newest first."""

from __future__ import annotations

import email
import email.policy
import json
import os
from pathlib import Path

import pytest

from barberbot.messaging.errors import Unavailable
from barberbot.messaging.messages import Email, Sms
from barberbot.messaging.outbox import SHOP_HEADER, LocalOutbox
from barberbot.models import Channel

FROM = "King's Cuts <offers@kings.example>"


@pytest.fixture
def outbox(tmp_path: Path) -> LocalOutbox:
    return LocalOutbox(tmp_path / "outbox", FROM)


def test_an_email_is_one_eml_file_with_its_shop_in_a_header(outbox: LocalOutbox) -> None:
    entry = outbox.send_email(
        Email("al@x.example", "Beard week", "Hello Al", reply_to="desk@kings.example", shop_id=7)
    )

    files = os.listdir(outbox.folder)
    assert files == [f"{entry}.eml"]  # nothing else: no temporary file left behind
    message = email.message_from_bytes(
        (outbox.folder / files[0]).read_bytes(), policy=email.policy.default
    )
    assert message[SHOP_HEADER] == "7"
    assert message["To"] == "al@x.example"
    assert message["From"] == FROM
    assert message["Reply-To"] == "desk@kings.example"
    assert message["Message-ID"].endswith("@barberbot.local>")


def test_an_sms_is_one_json_file_with_its_shop(outbox: LocalOutbox) -> None:
    entry = outbox.send_sms(Sms("+447700900101", "20% off\nReply STOP to opt out.", shop_id=7))

    record = json.loads((outbox.folder / f"{entry}.sms.json").read_text())
    assert {k: record[k] for k in ("to", "body", "shop")} == {
        "to": "+447700900101",
        "body": "20% off\nReply STOP to opt out.",
        "shop": 7,
    }


def test_the_list_holds_only_the_shops_asked_for_newest_first(outbox: LocalOutbox) -> None:
    first = outbox.send_email(Email("al@x.example", "First", "1", shop_id=1))
    other = outbox.send_email(Email("zed@y.example", "Another shop's", "2", shop_id=2))
    sms = outbox.send_sms(Sms("+447700900101", "Third\nsecond line", shop_id=1))
    no_shop = outbox.send_email(Email("x@x.example", "No shop", "4"))

    listed = outbox.entries({1}, limit=10)

    assert [(e.id, e.channel, e.to, e.summary) for e in listed] == [
        (sms, Channel.SMS, "+447700900101", "Third"),
        (first, Channel.EMAIL, "al@x.example", "First"),
    ]
    assert [e.id for e in outbox.entries({1, 2}, limit=2)] == [sms, other]
    assert outbox.entries(set(), limit=10) == []
    assert no_shop not in [e.id for e in outbox.entries({0, 1, 2}, limit=10)]


def test_a_message_is_read_whole_only_for_its_own_shop(outbox: LocalOutbox) -> None:
    entry = outbox.send_email(
        Email("al@x.example", "Hi", "Plain words", shop_id=1, html="<p>Rich <b>words</b></p>")
    )

    kept = outbox.read(entry, {1})
    assert kept is not None
    assert kept.text.strip() == "Plain words"
    assert kept.html is not None
    assert kept.html.strip() == "<p>Rich <b>words</b></p>"
    assert ("Subject", "Hi") in kept.headers
    assert outbox.read(entry, {2}) is None
    assert outbox.read("../../etc/passwd", {1}) is None
    assert outbox.read(entry.replace("-s1-", "-s2-"), {2}) is None  # no such file


def test_a_file_renamed_into_another_shops_name_is_not_shown_there(outbox: LocalOutbox) -> None:
    """The name only narrows the search: the shop in the message itself decides."""
    entry = outbox.send_email(Email("al@x.example", "Hi", "For shop 1", shop_id=1))
    moved = entry.replace("-s1-", "-s2-")
    (outbox.folder / f"{entry}.eml").rename(outbox.folder / f"{moved}.eml")

    assert outbox.read(moved, {2}) is None
    assert outbox.entries({2}, limit=10) == []


def test_files_that_are_not_messages_are_passed_over(outbox: LocalOutbox) -> None:
    entry = outbox.send_email(Email("al@x.example", "Hi", "Kept", shop_id=1))
    (outbox.folder / ".20991231T000000000000Z-s1-00000000.eml.tmp").write_text("half a mess")
    (outbox.folder / "notes.txt").write_text("mine")
    (outbox.folder / "20991231T000000000000Z-s1-0000000a.sms.json").write_text("{not json")

    assert [e.id for e in outbox.entries({1}, limit=10)] == [entry]


def test_a_folder_that_cannot_be_written_is_unavailable_not_lost(tmp_path: Path) -> None:
    """Nothing kept is nothing sent: the sender hands the message back to wait."""
    (tmp_path / "outbox").write_text("a file where the folder should be")
    outbox = LocalOutbox(tmp_path / "outbox", FROM)

    with pytest.raises(Unavailable, match="cannot be written"):
        outbox.send_email(Email("al@x.example", "Hi", "Kept", shop_id=1))
    assert outbox.entries({1}, limit=10) == []


def test_an_empty_outbox_lists_nothing(outbox: LocalOutbox) -> None:
    assert not outbox.folder.exists()
    assert outbox.entries({1}, limit=10) == []
    assert outbox.read("20991231T000000000000Z-s1-00000000", {1}) is None
