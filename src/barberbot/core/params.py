"""Path and query parameters bounded where they enter: an id the database cannot hold is a
422 naming the parameter, not an overflow deep in the driver."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

# The largest Integer a column holds on every backend (MariaDB's INT): an id above it names
# nothing, and SQLite's driver cannot even send one above 2**63.
INT_MAX = 2**31 - 1

RowId = Annotated[int, Path(ge=1, le=INT_MAX, description="A number from 1 to 2147483647.")]
RowIdQuery = Annotated[
    int | None, Query(ge=1, le=INT_MAX, description="A number from 1 to 2147483647.")
]
