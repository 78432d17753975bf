"""Text compared as people mean it: case and accents aside ("Zoë" is "zoe").

`folded` in Python (the search index's terms); `Folded(column)` in SQL: on SQLite the same
function, registered on every connection (`core.db`); MySQL's utf8mb4 collation already
compares that way, so there it is the column itself.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

SQLITE_NAME = "barberbot_fold"


def folded(text: str) -> str:
    """Lower case without accents: 'Zoë Núñez' -> 'zoe nunez'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def folded_or_none(text: str | None) -> str | None:
    return None if text is None else folded(text)


class Folded(FunctionElement[str]):
    """A text column folded like `folded`, to compare with folded words."""

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(Folded)
def _as_collated(element: Folded, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(Folded, "sqlite")
def _by_function(element: Folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQLITE_NAME}({compiler.process(element.clauses, **kw)})"
