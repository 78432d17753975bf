"""A shop's inquiry types: added, renamed (the label only: a key never changes, it is what
inquiries, exports, filters and segments hold), moved, retired (no longer offered on the form
or accepted in new inquiries, still named on the inquiries that have it) and brought back.

Stored on the shop as a list in display order: `{"key", "label"}`, and `"retired": true` once
retired. `Shop.type_labels()` names every type, retired or not; `offered` the ones a new
inquiry may have.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from barberbot.core.folding import folded
from barberbot.models import Shop

LABEL_MAX = 60
KEY_MAX = 64


class TypeInvalid(ValueError):
    """A change refused, with a message per field; nothing is changed."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def offered(shop: Shop) -> dict[str, str]:
    """key -> label of the types a new inquiry may have, in display order."""
    return {t["key"]: t["label"] for t in shop.inquiry_types if not t.get("retired")}


def listed(shop: Shop) -> dict[str, str]:
    """key -> label of every type, for filters: a retired one's label says so."""
    return {
        t["key"]: f"{t['label']} (retired)" if t.get("retired") else t["label"]
        for t in shop.inquiry_types
    }


def retired(shop: Shop) -> dict[str, str]:
    return {t["key"]: t["label"] for t in shop.inquiry_types if t.get("retired")}


def key_for(label: str, taken: Sequence[str]) -> str:
    """A key made from the label ('Beard Trim Inquiry' -> 'beard_trim_inquiry'), unique."""
    base = re.sub(r"[^a-z0-9]+", "_", folded(label)).strip("_")[: KEY_MAX - 4] or "type"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def add(session: Session, shop: Shop, label: str) -> str:
    """A new type at the end of the list; its key."""
    label = _checked_label(shop, label)
    key = key_for(label, [t["key"] for t in shop.inquiry_types])
    _store(session, shop, [*shop.inquiry_types, {"key": key, "label": label}])
    return key


def rename(session: Session, shop: Shop, key: str, label: str) -> None:
    label = _checked_label(shop, label, ignoring=key)
    _store(
        session, shop, [_with(t, label=label) if t["key"] == key else t for t in _known(shop, key)]
    )


def move(session: Session, shop: Shop, keys: Sequence[str]) -> None:
    """Put the types in this order (every key of the shop's, each once)."""
    current = {t["key"]: t for t in shop.inquiry_types}
    if sorted(keys) != sorted(current):
        raise TypeInvalid({"order": "List every inquiry type once to reorder them."})
    _store(session, shop, [current[key] for key in keys])


def retire(session: Session, shop: Shop, key: str) -> None:
    """No longer offered; the inquiries that have it keep it."""
    types = _known(shop, key)
    if list(offered(shop)) == [key]:
        raise TypeInvalid({"inquiry_type": "Keep at least one inquiry type on the form."})
    _store(session, shop, [_with(t, retired=True) if t["key"] == key else t for t in types])


def restore(session: Session, shop: Shop, key: str) -> None:
    types = _known(shop, key)
    _store(session, shop, [_without_retired(t) if t["key"] == key else t for t in types])


def _known(shop: Shop, key: str) -> list[dict[str, Any]]:
    if key not in {t["key"] for t in shop.inquiry_types}:
        raise TypeInvalid({"inquiry_type": f"{shop.name} has no inquiry type {key!r}."})
    return list(shop.inquiry_types)


def _checked_label(shop: Shop, label: str, ignoring: str | None = None) -> str:
    label = " ".join(label.split())
    if not label:
        raise TypeInvalid({"label": "Give the inquiry type a name."})
    if len(label) > LABEL_MAX:
        raise TypeInvalid({"label": f"Keep the name to {LABEL_MAX} characters."})
    for t in shop.inquiry_types:
        if t["key"] != ignoring and folded(t["label"]) == folded(label):
            raise TypeInvalid({"label": f"There is already an inquiry type {t['label']!r}."})
    return label


def _with(entry: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**entry, **changes}


def _without_retired(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != "retired"}


def _store(session: Session, shop: Shop, types: list[dict[str, Any]]) -> None:
    shop.inquiry_types = types  # a new list: the JSON column sees the change
    session.flush()
