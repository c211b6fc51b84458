"""On the small synthetic world, council people link to DWP accurately and never to a relative."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from famlink.linkage.api import link_tables
from famlink.linkage.options import LinkOptions


def test_council_to_dwp_links_are_accurate_and_never_join_two_family_members(small_world: Path) -> None:
    council = pq.read_table(small_world / "councils" / "LA01" / "local" / "people.parquet")
    dwp = pq.read_table(small_world / "departments" / "dwp" / "people.parquet")
    con = duckdb.connect()
    truth = con.sql(
        f"""SELECT a.record_id AS left_id, b.record_id AS right_id
            FROM '{small_world}/truth/records.parquet' a JOIN '{small_world}/truth/records.parquet' b
            USING (person_id) WHERE a.source = 'council/LA01/local' AND b.source = 'dwp'"""
    ).to_arrow_table()

    result = link_tables(council, dwp, LinkOptions(), truth=truth)

    scores = result.quality["truth"]
    assert scores["precision"] >= 0.995 and scores["recall"] >= 0.99
    con.register("links", result.links)
    relatives = con.sql(
        f"""SELECT count(*) FROM links k
            JOIN '{small_world}/truth/records.parquet' a ON a.record_id = k.left_id
                 AND a.source = 'council/LA01/local'
            JOIN '{small_world}/truth/records.parquet' b ON b.record_id = k.right_id AND b.source = 'dwp'
            JOIN '{small_world}/truth/persons.parquet' pa ON pa.person_id = a.person_id
            JOIN '{small_world}/truth/persons.parquet' pb ON pb.person_id = b.person_id
            WHERE pa.person_id <> pb.person_id AND pa.family_id = pb.family_id"""
    ).fetchall()[0][0]
    assert relatives == 0
