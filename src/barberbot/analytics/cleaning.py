"""Cleaning inquiries for analysis: one spelling per value, and one id per customer.

For data that did not come through the capture rules as they are today (old imports, other
systems' exports): names trimmed, e-mails lower-cased, phone numbers in E.164, free-form gender
and inquiry-type spellings mapped onto the canonical values, impossible ages flagged, and the
same customer recognised across inquiries by a shared e-mail or phone number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import pandas as pd

from barberbot.inquiries.contacts import PhoneInvalid, email_normal, phone_e164
from barberbot.inquiries.rules import AGE_MAX, AGE_MIN

GENDER_SPELLINGS = {
    "female": "female", "f": "female", "woman": "female", "w": "female", "girl": "female",
    "male": "male", "m": "male", "man": "male", "boy": "male",
    "non binary": "non_binary", "nonbinary": "non_binary", "nb": "non_binary", "enby": "non_binary",
    "prefer not to say": "prefer_not_to_say", "not said": "prefer_not_to_say",
    "unknown": "prefer_not_to_say", "": "prefer_not_to_say",
}  # fmt: skip


def clean_name(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    words = unicodedata.normalize("NFC", value).split()
    # a word typed all in one case gets a capital; "McLean" and "DiCaprio" keep theirs
    name = " ".join(w.title() if w.islower() or w.isupper() else w for w in words)
    return name or None


def clean_email(value: Any) -> str | None:
    if not isinstance(value, str) or "@" not in value:
        return None
    return email_normal(value) or None


def to_e164(value: Any, region: str | None) -> str | None:
    """+447700900123 from '07700 900123' (in GB) or '+44 7700 900123'; None if not a number.

    The capture rules' normaliser; a spreadsheet's number cell (7700900123.0) is read as text.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(int(value)) if isinstance(value, float) else str(value).strip()
    if not text:
        return None
    try:
        return phone_e164(text, region)
    except PhoneInvalid:
        return None


def canonical_gender(value: Any) -> str | None:
    text = re.sub(r"[\s_\-]+", " ", str(value or "")).strip().casefold()
    return GENDER_SPELLINGS.get(text)


def canonical_type(value: Any, types: Mapping[str, str]) -> str | None:
    text = re.sub(r"[\s_\-]+", " ", str(value or "")).strip().casefold()
    for key, label in types.items():
        if text in (key.replace("_", " "), label.casefold(), label.casefold().replace("'", "")):
            return key
    return None


def clean(frame: pd.DataFrame, *, region: str | None, types: Mapping[str, str]) -> pd.DataFrame:
    """A cleaned copy with `age_ok`, `gender_ok`, `type_ok` flags and a `customer_id`."""
    out = frame.copy()
    out["customer_name"] = out["customer_name"].map(clean_name)
    out["email"] = out["email"].map(clean_email)
    out["phone"] = out["phone"].map(lambda v: to_e164(v, region))
    out["gender"] = out["gender"].map(canonical_gender)
    out["inquiry_type"] = out["inquiry_type"].map(lambda v: canonical_type(v, types))
    ages = pd.to_numeric(out["age"], errors="coerce")
    out["age_ok"] = ages.between(AGE_MIN, AGE_MAX) & (ages == ages.round())
    out["age"] = ages.where(out["age_ok"]).astype("Int64")
    out["gender_ok"] = out["gender"].notna()
    out["type_ok"] = out["inquiry_type"].notna()
    out["customer_id"] = customer_ids(out)
    return out


def customer_ids(frame: pd.DataFrame) -> pd.Series:
    """The same number for rows that share an e-mail or a phone, directly or through others."""
    parent = list(range(len(frame)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_row: dict[tuple[str, str], int] = {}
    for i, (email, phone) in enumerate(zip(frame["email"], frame["phone"], strict=True)):
        for kind, value in (("email", email), ("phone", phone)):
            if not isinstance(value, str) or not value:
                continue
            seen = first_row.setdefault((kind, value), i)
            parent[root(i)] = root(seen)
    roots = [root(i) for i in range(len(frame))]
    numbering = {r: n for n, r in enumerate(dict.fromkeys(roots), start=1)}
    return pd.Series([numbering[r] for r in roots], index=frame.index, name="customer_id")
