"""Stop counting a later-joining family as a comparison once it has joined the programme.

Families awaiting a place are a good comparison group only until they get one. For a person in the
`later` group, an outcome window that ends after their own join date would mix treated time into the
comparison, so the whole window is set to missing (NULL) for them — the conservative choice: their
earlier windows still count.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from famlink.evaluation.outcomes import WINDOWS


def censor_after_joining(people: pa.Table) -> pa.Table:
    """NULL every post-start outcome window that ends after a later-joiner's own start."""
    if "joined_later_on" not in people.column_names:
        return people
    con = duckdb.connect()
    con.register("people_in", people)
    replaced = []
    for column in people.column_names:
        window = next((w for w in WINDOWS if column.endswith(f"_{w}") and w != "pre12"), None)
        if window is None:
            continue
        months = WINDOWS[window][1]
        replaced.append(
            "CASE WHEN joined_later_on IS NOT NULL "
            f"AND joined_later_on < start_date + INTERVAL {months} MONTH "
            f'THEN NULL ELSE "{column}" END AS "{column}"'
        )
    if not replaced:
        return people
    result: pa.Table = con.sql(f"SELECT * REPLACE ({', '.join(replaced)}) FROM people_in").to_arrow_table()
    return result
