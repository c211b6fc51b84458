"""The linkage agent's steps: ingest identifiers, find people across councils, ask departments.

The agent is the only party that holds identifiers from every council, and it never receives outcome
data. It assigns random research ids (person and family), sends each department a match request
with fresh request references and only the identifiers that department needs, and sends research the
key maps that let outcomes and council attributes be joined by research id.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from famlink.agreement.model import Agreement
from famlink.contracts.person import PERSON_COLUMNS
from famlink.governance.audit import Actor
from famlink.governance.references import fresh_references, insert_rows
from famlink.governance.store import RoleStore
from famlink.identifiers import standardise_people
from famlink.linkage.api import dedupe_table
from famlink.linkage.options import LinkOptions
from famlink.roles.agent.families import family_ids_for
from famlink.roles.agent.requests import BEST_RECORDS_SQL, REQUEST_RULES, request_sql

STUDY_PURPOSE = "national-impact-study"
KEYMAP_FLOW = "agent-keymaps-to-research"
IDENTIFIER_FLOW = "council-identifiers-to-agent"


def ingest_identifiers(
    store: RoleStore, agreement: Agreement, actor: Actor, *, as_of: date | None = None
) -> int:
    """Import every pending identifier package in the inbox; returns how many were imported."""
    pending = store.pending_packages(IDENTIFIER_FLOW)  # withdrawals have their own step
    for package in pending:
        store.import_package(package, agreement, operator=actor.operator, purpose=actor.purpose, as_of=as_of)
    return len(pending)


_IDENTITY = tuple(c for c in PERSON_COLUMNS if c != "record_id")
"""The person-schema fields the agent deduplicates on (every identifier councils send)."""


def _people_for_dedupe(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Every council record, with `record_id` (council/ref) and `same_as`: the first record holding
    exactly the same identifiers from the same council (a re-export in a later cycle, usually)."""
    fields = ", ".join(f"i.{c}" for c in _IDENTITY)
    same = ", ".join(f"coalesce(i.{c}, '')" for c in _IDENTITY)
    table: pa.Table = con.sql(
        f"""
        SELECT m.party || '/' || i.council_ref AS record_id, i.council_ref AS record_ref, m.party AS council,
               i.family_ref, {fields},
               first_value(m.party || '/' || i.council_ref) OVER (
                   PARTITION BY m.party, {same} ORDER BY m.recorded_at, i.council_ref) AS same_as
        FROM identifiers i JOIN famlink_imports m ON m.package_id = i._package_id
        ORDER BY council, record_ref
        """
    ).to_arrow_table()
    return table


def _clusters_for_all(people: pa.Table, distinct_clusters: pa.Table) -> pa.Table:
    """Give each record the cluster of the identical record that stood in for it in deduplication."""
    con = duckdb.connect()
    con.register("people_in", people.select(["record_id", "same_as"]))
    con.register("clusters_in", distinct_clusters)
    result: pa.Table = con.sql(
        "SELECT p.record_id, c.cluster_id FROM people_in p JOIN clusters_in c ON c.record_id = p.same_as "
        "ORDER BY p.record_id"
    ).to_arrow_table()
    return result


def assign_research_ids(store: RoleStore, actor: Actor, options: LinkOptions | None = None) -> dict[str, int]:
    """Deduplicate people across councils and give each person and family a random research id.

    Ids already given (an earlier cycle, or a run interrupted after this step) are kept: a record
    that clusters with an already-numbered record takes that person's id.
    """
    with store.session(operator=actor.operator, purpose=actor.purpose) as con:
        people = _people_for_dedupe(con)
    distinct = people.filter(pc.equal(people["record_id"], people["same_as"]))
    result = dedupe_table(
        distinct.select(["record_id", *_IDENTITY]),
        options or LinkOptions(),
        source="agent identifiers",
    )
    with store.session(operator=actor.operator, purpose=actor.purpose) as con:
        con.register("clusters_in", _clusters_for_all(people, result.clusters))
        con.register("people_in", people.select(["record_id", "council", "record_ref", "family_ref"]))
        con.execute(
            "CREATE TABLE IF NOT EXISTS person_ids (council VARCHAR, council_ref VARCHAR, person_id VARCHAR, "
            "family_id VARCHAR, PRIMARY KEY (council, council_ref))"
        )
        assignments = _person_assignments(con)
        families = family_ids_for(assignments, _existing_families(con))
        con.execute("BEGIN TRANSACTION")
        con.register("assign_in", assignments)
        con.register("families_in", families)
        con.execute(
            """
            INSERT INTO person_ids
            SELECT a.council, a.council_ref, a.person_id, f.family_id
            FROM assign_in a JOIN families_in f ON f.council = a.council AND f.family_ref = a.family_ref
            WHERE NOT EXISTS (SELECT 1 FROM person_ids p
                              WHERE p.council = a.council AND p.council_ref = a.council_ref)
            """
        )
        con.execute("COMMIT")
        counts = con.execute(
            "SELECT count(*), count(DISTINCT person_id), count(DISTINCT family_id) FROM person_ids"
        ).fetchall()[0]
    summary = {
        "records": int(counts[0]),
        "people": int(counts[1]),
        "families": int(counts[2]),
        "review_pairs": result.review.num_rows,
    }
    store.record("research_ids_assigned", operator=actor.operator, purpose=actor.purpose, **summary)
    return summary


def _person_assignments(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Each record's person id: reuse an id already held by its cluster, else a fresh random one."""
    rows = con.execute(
        """
        SELECT p.council, p.record_ref, p.family_ref, c.cluster_id,
               min(o.person_id) OVER (PARTITION BY c.cluster_id) AS known_id
        FROM people_in p JOIN clusters_in c USING (record_id)
        LEFT JOIN person_ids o ON o.council = p.council AND o.council_ref = p.record_ref
        ORDER BY c.cluster_id, p.council, p.record_ref
        """
    ).fetchall()
    new_clusters = sorted({cluster for _, _, _, cluster, known in rows if known is None})
    taken = {r[0] for r in con.execute("SELECT DISTINCT person_id FROM person_ids").fetchall()}
    fresh = dict(zip(new_clusters, fresh_references("RP", len(new_clusters), taken=taken), strict=True))
    councils, refs, family_refs, person_ids = [], [], [], []
    for council, ref, family_ref, cluster, known in rows:
        councils.append(council)
        refs.append(ref)
        family_refs.append(family_ref)
        person_ids.append(known or fresh[cluster])
    return pa.table(
        {"council": councils, "council_ref": refs, "family_ref": family_refs, "person_id": person_ids}
    )


def _existing_families(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    rows = con.execute(
        "SELECT DISTINCT m.party, i.family_ref, p.family_id FROM person_ids p "
        "JOIN identifiers i ON i.council_ref = p.council_ref "
        "JOIN famlink_imports m ON m.package_id = i._package_id AND m.party = p.council"
    ).fetchall()
    return {(c, f): fid for c, f, fid in rows}


def send_requests(
    store: RoleStore, agreement: Agreement, actor: Actor, *, cycle: str, as_of: date
) -> dict[str, Path]:
    """One match request per department: fresh references, only the identifiers it needs."""
    packages: dict[str, Path] = {}
    for rule in REQUEST_RULES:
        with store.session(operator=actor.operator, purpose=actor.purpose) as con:
            _prepare_best_records(con)
            _ensure_requests(con, rule.department, cycle, rule.eligible_sql)
            table = con.sql(request_sql(rule, cycle)).to_arrow_table()
        exported = store.export_package(
            {"match_request": table},
            agreement=agreement,
            recipient=rule.department,
            purpose=STUDY_PURPOSE,
            flow=rule.flow,
            operator=actor.operator,
            as_of=as_of,
            export_key=f"{cycle}/request/{rule.department}",
        )
        packages[rule.department] = exported.path
    return packages


def _prepare_best_records(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP VIEW agent_people AS SELECT council_ref AS record_id, * EXCLUDE "
        "(council_ref, family_ref, _package_id) FROM identifiers"
    )
    standardise_people(con, "agent_people", "identifiers_std")
    con.execute(BEST_RECORDS_SQL)


def _ensure_requests(con: duckdb.DuckDBPyConnection, department: str, cycle: str, eligible_sql: str) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS requests (cycle VARCHAR, department VARCHAR, request_ref VARCHAR, "
        "person_id VARCHAR, PRIMARY KEY (cycle, department, person_id))"
    )
    done = con.execute(
        "SELECT count(*) FROM requests WHERE cycle = ? AND department = ?", [cycle, department]
    ).fetchall()[0][0]
    if done:
        return
    people = [r[0] for r in con.execute(eligible_sql).fetchall()]
    refs = fresh_references("Q", len(people))
    n = len(people)
    insert_rows(
        con,
        "requests",
        {"cycle": [cycle] * n, "department": [department] * n, "request_ref": refs, "person_id": people},
    )


def send_key_maps(
    store: RoleStore, agreement: Agreement, actor: Actor, *, cycle: str, research: str, as_of: date
) -> Path:
    """Send research the maps from council and request references to research ids (no identifiers)."""
    tables = {
        "council_key_map": "SELECT council, council_ref, person_id, family_id FROM person_ids",
        "request_key_map": f"SELECT department, request_ref, person_id FROM requests WHERE cycle = '{cycle}'",
    }
    exported = store.export_package(
        tables,
        agreement=agreement,
        recipient=research,
        purpose=STUDY_PURPOSE,
        flow=KEYMAP_FLOW,
        operator=actor.operator,
        as_of=as_of,
        export_key=f"{cycle}/keymaps",
    )
    return exported.path
