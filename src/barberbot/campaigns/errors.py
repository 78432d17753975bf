"""One error for bad input anywhere in campaigns: a message per field, nothing changed."""

from __future__ import annotations

from collections.abc import Mapping


class Invalid(Exception):
    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))
