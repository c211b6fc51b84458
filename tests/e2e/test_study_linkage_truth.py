"""The research dataset's linkage against truth: how well each department found the cohort.

Departments destroy their links once they answer, so the test re-runs a department's linkage on
exactly what it was sent (the sealed request, opened with the department's keys) against its people
file, checks it reproduces the department's own match count, and scores each link against the
world's truth. A request's true person is found through research's key maps and the council's
export references to the council record the request was copied from.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from famlink.linkage.api import link_tables
from famlink.linkage.options import LinkOptions
from famlink.roles.department.holdings import DEPARTMENTS
from famlink.study.layout import AGENT, RESEARCH
from tests.conftest import STUDY_DATE, SmallStudy
from tests.e2e.study_checks import store_tables, study_packages

COUNCILS = ("LA01", "LA02")
# Floors asserted on the 80-family world; the targets are precision 99.95% and recall 99.8%
# (measured figures are printed, see the module's report in docs/explanation/data-flow.md).
PRECISION_FLOOR = 0.99
RECALL_FLOOR = 0.95

REQUEST_TRUTH_SQL = """
    SELECT DISTINCT q.request_ref, t.person_id AS true_person
    FROM request q
    JOIN request_key_map rk ON rk.request_ref = q.request_ref AND rk.department = $department
    JOIN council_key_map ck ON ck.person_id = rk.person_id
    JOIN export_refs er ON er.council = ck.council AND er.council_ref = ck.council_ref
    JOIN case_list cl ON cl.council = er.council AND cl.record_id = er.record_id
         AND cl.first_name IS NOT DISTINCT FROM q.first_name AND cl.surname IS NOT DISTINCT FROM q.surname
         AND cl.date_of_birth IS NOT DISTINCT FROM q.date_of_birth
         AND cl.postcode IS NOT DISTINCT FROM q.postcode
    JOIN truth t ON t.source = 'council/' || cl.council || '/case_list' AND t.record_id = cl.record_id
"""

SCORE_SQL = """
    WITH dept AS (SELECT record_id, person_id FROM truth WHERE source = $department),
    judged AS (
        SELECT l.left_id, d.person_id = r.true_person AS correct
        FROM links l JOIN request_truth r ON r.request_ref = l.left_id
        LEFT JOIN dept d ON d.record_id = l.right_id
    )
    SELECT (SELECT count(*) FROM links),
           (SELECT count(*) FILTER (WHERE correct) FROM judged),
           (SELECT count(*) FROM request_truth WHERE true_person IN (SELECT person_id FROM dept)),
           (SELECT count(DISTINCT left_id) FILTER (WHERE correct) FROM judged)
"""


@pytest.fixture(scope="module")
def truth_tables(small_study: SmallStudy) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    research = store_tables(small_study.store(RESEARCH))
    con.register("request_key_map", research["main_db.request_key_map"])
    con.register("council_key_map", research["main_db.council_key_map"])
    con.register("linkage_quality", research["main_db.linkage_quality"])
    refs, cases = [], []
    for council in COUNCILS:
        er = store_tables(small_study.store(council))["main_db.export_refs"]
        refs.append(er.append_column("council", pa.array([council] * er.num_rows)))
        cl = pq.read_table(small_study.world / "councils" / council / "case_list.parquet")
        cases.append(cl.append_column("council", pa.array([council] * cl.num_rows)))
    con.register("export_refs", pa.concat_tables(refs))
    con.register("case_list", pa.concat_tables(cases, promote_options="permissive"))
    con.register("truth", pq.read_table(small_study.world / "truth" / "records.parquet"))
    return con


@pytest.mark.parametrize("department", sorted(DEPARTMENTS))
def test_department_linkage_meets_floors(
    small_study: SmallStudy, truth_tables: duckdb.DuckDBPyConnection, department: str
) -> None:
    con = truth_tables
    (request,) = [
        p.tables["match_request"]
        for p in study_packages(small_study.root, STUDY_DATE)
        if p.manifest.sender == AGENT and p.manifest.recipient == department
    ]
    people = pq.read_table(small_study.world / "departments" / department / "people.parquet")
    people = people.select([c for c in DEPARTMENTS[department].people_columns if c in people.column_names])
    left = request.rename_columns(["record_id" if c == "request_ref" else c for c in request.column_names])
    result = link_tables(left, people, LinkOptions(), left_source="request", right_source=department)
    con.register("request", request)
    con.register("links", result.links)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE request_truth AS {REQUEST_TRUTH_SQL}", {"department": department}
    )
    per_request = con.execute("SELECT count(*), count(DISTINCT request_ref) FROM request_truth").fetchall()[0]
    assert per_request[0] == per_request[1] == request.num_rows, "every request traced to one true person"
    matched = con.execute(
        "SELECT value FROM linkage_quality WHERE department = ? AND measure = 'matched'", [department]
    ).fetchall()[0][0]
    assert result.links.num_rows == matched, "the re-run reproduces the department's own match count"
    links, correct, findable, found = con.execute(SCORE_SQL, {"department": department}).fetchall()[0]
    precision, recall = correct / links, found / findable
    print(
        f"\n{department}: {request.num_rows} requests, {findable} with a true record, {links} links, "
        f"{correct} correct: precision {precision:.4%}, recall {recall:.4%}"
    )
    assert precision >= PRECISION_FLOOR
    assert recall >= RECALL_FLOOR
