"""The customer rule in pandas, row by row: what the SQL is checked against and benchmarked on.

One customer is every row linked by the same e-mail or the same phone number, directly or
through other rows. The product counts customers in SQL (`analytics/queries.py`) and keeps
them in the customers table (`customers/service.py`); this is the plain reading of the rule,
for comparing.
"""

from __future__ import annotations

import pandas as pd


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
