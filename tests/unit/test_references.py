"""Fresh references are distinct and unguessable-looking; bulk inserts land every row in order."""

from __future__ import annotations

import duckdb

from famlink.governance.references import fresh_references, insert_rows


def test_fresh_references_retry_clashes_until_all_are_distinct() -> None:
    refs = fresh_references("CR", 200, nbytes=1)  # 200 draws from 256 values: clashes are certain
    assert len(refs) == len(set(refs)) == 200


def test_fresh_references_never_repeat_at_study_scale() -> None:
    refs = fresh_references("Q", 20_000)
    assert len(set(refs)) == 20_000
    assert all(r.startswith("Q") and len(r) == 17 for r in refs)


def test_insert_rows_appends_every_row_and_respects_the_primary_key() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a VARCHAR, b VARCHAR, PRIMARY KEY (a))")
    insert_rows(con, "t", {"a": ["x", "y"], "b": ["1", "2"]})
    assert con.execute("SELECT * FROM t ORDER BY a").fetchall() == [("x", "1"), ("y", "2")]
    try:
        insert_rows(con, "t", {"a": ["x"], "b": ["3"]})
    except duckdb.ConstraintException:
        pass
    else:
        raise AssertionError("a duplicate key must be refused")
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(2,)]


def test_fresh_references_avoid_those_already_given() -> None:
    taken = {f"Q{i:02x}" for i in range(200)}  # 200 of the 256 one-byte references
    refs = fresh_references("Q", 56, nbytes=1, taken=taken)
    assert set(refs) == {f"Q{i:02x}" for i in range(200, 256)}
