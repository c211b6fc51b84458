"""Score a finished study's department linkage against the synthetic world's truth.

Test and benchmark code only: it opens every party's store and the world's truth, which no real party
can. Departments destroy their links once they answer, so each department's linkage is re-run on
exactly what it was sent (the agent's sealed request, opened with the department's keys) against its
people file, and each link is scored against truth. A request's true person is found through
research's key maps and the council's export references back to the council record the request was
copied from. Used by `tests/e2e/test_study_linkage_truth.py` (80 families) and
`bench/bench_study_linkage.py` (national scale).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from famlink.agreement import load_agreement
from famlink.exchange.keys import load_party_keys
from famlink.exchange.manifest import PACKAGE_SUFFIX, read_header
from famlink.exchange.package import open_package
from famlink.governance.store import RoleStore
from famlink.linkage.api import LinkResult, link_tables
from famlink.linkage.options import LinkOptions
from famlink.roles.department.holdings import DEPARTMENTS
from famlink.study.layout import AGENT, RESEARCH

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

MISSED_BY_FATE_SQL = """
    WITH dept AS (SELECT record_id, person_id FROM truth WHERE source = $department),
    missed AS (
        SELECT r.request_ref, d.record_id AS true_record
        FROM request_truth r JOIN dept d ON d.person_id = r.true_person
        WHERE NOT EXISTS (SELECT 1 FROM links l JOIN dept d2 ON d2.record_id = l.right_id
                          WHERE l.left_id = r.request_ref AND d2.person_id = r.true_person)
    )
    SELECT coalesce(
               (SELECT min(v.reason) FROM review v
                WHERE v.left_id = m.request_ref AND v.right_id = m.true_record),
               CASE WHEN EXISTS (SELECT 1 FROM links l WHERE l.left_id = m.request_ref)
                    THEN 'linked to another record' ELSE 'not scored above the review band' END
           ) AS fate,
           count(DISTINCT m.request_ref) AS missed
    FROM missed m GROUP BY ALL ORDER BY ALL
"""
"""Why each missed request was missed: its true pair went to review (and why), the request was linked
to someone else, or the true pair was never blocked or scored below the review band."""


@dataclass(frozen=True)
class DepartmentScore:
    """How well one department's re-run linkage found the cohort, judged against truth."""

    department: str
    requests: int
    traced_rows: int
    traced_requests: int
    """Every request should trace to exactly one true person: rows = requests = traced requests."""
    findable: int
    """Requests whose true person has a record in the department."""
    links: int
    correct: int
    found: int
    department_matched: int
    """The department's own match count in the study (its quality summary)."""
    missed_by_fate: dict[str, int]

    @property
    def precision(self) -> float:
        return self.correct / self.links if self.links else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.findable if self.findable else 1.0


def store_table(path: Path, table: str) -> pa.Table:
    """One table of a role store, read through the store's own keys (all segments attached)."""
    store = RoleStore.open(path)
    try:
        with store.session() as con:
            (where,) = con.execute(
                "SELECT database_name, schema_name FROM duckdb_tables() WHERE table_name = ? "
                "AND database_name NOT IN ('system', 'temp')",
                [table],
            ).fetchall()
            return con.sql(f'SELECT * FROM {where[0]}.{where[1]}."{table}"').to_arrow_table()
    finally:
        store.close()


def truth_connection(world: Path, root: Path) -> duckdb.DuckDBPyConnection:
    """A connection holding what tracing needs: key maps, export references, case lists, truth."""
    con = duckdb.connect()
    research = root / "stores" / RESEARCH
    for table in ("request_key_map", "council_key_map", "linkage_quality"):
        con.register(f"_{table}", store_table(research, table))
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM _{table}")
        con.unregister(f"_{table}")
    councils = sorted(p.name for p in (world / "councils").iterdir() if p.is_dir())
    con.execute("CREATE TABLE export_refs (council VARCHAR, council_ref VARCHAR, record_id VARCHAR)")
    for council in councils:
        refs = store_table(root / "stores" / council, "export_refs")
        con.register("_refs", refs)
        con.execute(f"INSERT INTO export_refs SELECT '{council}', council_ref, record_id FROM _refs")
        con.unregister("_refs")
    con.execute(
        f"""CREATE VIEW case_list AS
            SELECT *, regexp_extract(filename, 'councils/([^/]+)/', 1) AS council
            FROM read_parquet('{world}/councils/*/case_list.parquet', filename = true,
                              union_by_name = true)"""
    )
    con.execute(f"CREATE VIEW truth AS SELECT * FROM read_parquet('{world}/truth/records.parquet')")
    return con


def match_request(root: Path, department: str, as_of: date) -> pa.Table:
    """The agent's match request to `department`, opened with the department's keys."""
    agreement = load_agreement(root / "agreement" / "agreement.yaml")
    keys = load_party_keys(root / "stores" / department / "keys")
    for file in sorted((root / "stores").glob(f"*/*box/*{PACKAGE_SUFFIX}")):
        manifest = read_header(file).manifest
        if manifest.sender == AGENT and manifest.recipient == department:
            package = open_package(
                file, agreement=agreement, recipient_keys=keys, already_imported=lambda _: False, as_of=as_of
            )
            return package.tables["match_request"]
    raise LookupError(f"no match request to {department} in {root}")


def relink(world: Path, request: pa.Table, department: str, options: LinkOptions) -> LinkResult:
    """The department's linkage re-run: its request against its people file."""
    people = pq.read_table(world / "departments" / department / "people.parquet")
    people = people.select([c for c in DEPARTMENTS[department].people_columns if c in people.column_names])
    left = request.rename_columns(["record_id" if c == "request_ref" else c for c in request.column_names])
    return link_tables(left, people, options, left_source="request", right_source=department)


def score_department(
    con: duckdb.DuckDBPyConnection,
    world: Path,
    root: Path,
    department: str,
    as_of: date,
    options: LinkOptions | None = None,
) -> DepartmentScore:
    """Re-run `department`'s linkage and judge every link and every findable request against truth."""
    request = match_request(root, department, as_of)
    result = relink(world, request, department, options or LinkOptions())
    con.register("request", request)
    con.register("links", result.links)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE request_truth AS {REQUEST_TRUTH_SQL}", {"department": department}
    )
    traced_rows, traced_requests = con.execute(
        "SELECT count(*), count(DISTINCT request_ref) FROM request_truth"
    ).fetchall()[0]
    matched = con.execute(
        "SELECT value FROM linkage_quality WHERE department = ? AND measure = 'matched'", [department]
    ).fetchall()[0][0]
    links, correct, findable, found = con.execute(SCORE_SQL, {"department": department}).fetchall()[0]
    con.register("review", result.review)
    fates = dict(con.execute(MISSED_BY_FATE_SQL, {"department": department}).fetchall())
    con.unregister("review")
    con.unregister("request")
    con.unregister("links")
    return DepartmentScore(
        department=department,
        requests=request.num_rows,
        traced_rows=int(traced_rows),
        traced_requests=int(traced_requests),
        findable=int(findable),
        links=int(links),
        correct=int(correct),
        found=int(found),
        department_matched=int(matched),
        missed_by_fate={str(k): int(v) for k, v in fates.items()},
    )
