"""Time-ordered ids (UUID version 7, RFC 9562) for the rows written most often.

A random (version 4) id lands anywhere in the primary key's B-tree: every insert dirties a page
of its own, which the commit then writes out (SQLite's write-ahead log, InnoDB's clustered
index). A version 7 id starts with the time in milliseconds, so new ids go to the end of the
index, next to each other, and a batch of them dirties a page or two. The other 74 bits are
random, so ids stay unguessable and unique across processes.
"""

from __future__ import annotations

import os
import time
import uuid

_VERSION_7 = 0x7 << 76
_VARIANT_RFC = 0b10 << 62


def time_ordered_id() -> uuid.UUID:
    """A new UUID version 7: 48 bits of Unix time in ms, then 74 random bits."""
    milliseconds = time.time_ns() // 1_000_000
    random_bits = int.from_bytes(os.urandom(10), "big")  # 80 bits; 74 are used
    rand_a = (random_bits >> 62) & 0xFFF
    rand_b = random_bits & ((1 << 62) - 1)
    timestamp = (milliseconds & ((1 << 48) - 1)) << 80
    return uuid.UUID(int=timestamp | _VERSION_7 | rand_a << 64 | _VARIANT_RFC | rand_b)
