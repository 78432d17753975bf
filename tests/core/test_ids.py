"""Time-ordered ids: version 7, in time order across milliseconds, unique."""

from __future__ import annotations

import time
import uuid

from barberbot.core.ids import time_ordered_id


def test_an_id_is_a_version_7_uuid_of_the_rfc_variant() -> None:
    made = time_ordered_id()
    assert made.version == 7
    assert made.variant == uuid.RFC_4122


def test_the_id_starts_with_the_time_in_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    made = time_ordered_id()
    after = time.time_ns() // 1_000_000
    assert before <= made.int >> 80 <= after


def test_ids_of_later_milliseconds_sort_after_earlier_ones() -> None:
    earlier = time_ordered_id()
    time.sleep(0.002)
    later = time_ordered_id()
    assert str(earlier) < str(later)  # as stored: text in the primary key


def test_ids_are_unique() -> None:
    made = {time_ordered_id() for _ in range(10_000)}
    assert len(made) == 10_000
