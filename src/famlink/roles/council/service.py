"""The council's steps: load its data, decide eligibility, build the cohort, export.

Exports are the only way data leaves a council store, and each is built by
`famlink.governance.objections.without_objectors`: people with an objection in force are removed
before any package is sealed. Each export gets fresh per-export references (`council_ref`), so the
agent and research can join an export's identifiers and attributes but cannot link two exports of
the same council without the agent's key maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from famlink.agreement.model import Agreement
from famlink.governance.audit import Actor
from famlink.governance.objections import RESEARCH_SHARING, ensure_register, without_objectors
from famlink.governance.references import fresh_references, insert_rows
from famlink.governance.store import RoleStore
from famlink.identifiers import standardise_people
from famlink.roles.council.cohort import build_cohort
from famlink.roles.council.eligibility import decide_eligibility
from famlink.roles.council.sources import read_council_folder
from famlink.roles.council.withdrawals import record_included

IDENTIFIER_FLOW = "council-identifiers-to-agent"
ATTRIBUTE_FLOW = "council-attributes-to-research"
STUDY_PURPOSE = "national-impact-study"


@dataclass(frozen=True)
class CouncilExport:
    """The two packages one export produced, and how many people objected and were left out."""

    identifiers: Path
    attributes: Path
    people: int
    left_out_for_objection: int


def load_council_data(store: RoleStore, folder: Path, actor: Actor) -> dict[str, int]:
    """Read every council file, then replace the store's copies in one transaction (all-or-nothing)."""
    tables = read_council_folder(folder)
    with store.session(operator=actor.operator, purpose=actor.purpose) as con:
        ensure_register(con)
        con.execute("BEGIN TRANSACTION")
        try:
            for name, table in tables.items():
                con.register("incoming", table)
                con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM incoming")
                con.unregister("incoming")
            _merge_objection_file(con, "objection_file" in tables)
            con.execute(
                "CREATE OR REPLACE TABLE assessments AS SELECT family_ref, "
                "min(assessed_date) AS assessed_date FROM case_list GROUP BY family_ref"
            )
            con.execute("COMMIT")
        except duckdb.Error:
            con.execute("ROLLBACK")
            raise
    rows = {name: table.num_rows for name, table in tables.items()}
    store.record("load", operator=actor.operator, purpose=actor.purpose, rows=sum(rows.values()), tables=rows)
    return rows


def _merge_objection_file(con: duckdb.DuckDBPyConnection, present: bool) -> None:
    """Objections the council received through its own channels join the register once each."""
    if not present:
        return
    con.execute(
        """
        INSERT INTO objections
        SELECT 'OBJ' || lpad(CAST((SELECT count(*) FROM objections) + row_number() OVER (ORDER BY f.record_id,
               f.objected_on) AS VARCHAR), 6, '0'), f.record_id, f.objected_on, f.channel, f.scope, NULL
        FROM objection_file f
        WHERE NOT EXISTS (SELECT 1 FROM objections o WHERE o.record_id = f.record_id
                          AND o.objected_on = f.objected_on AND o.scope = f.scope)
        """
    )


def decide_cohort(store: RoleStore, actor: Actor) -> dict[str, int]:
    """Eligibility with evidence, then the cohort; returns families by decision and people by group."""
    with store.session(operator=actor.operator, purpose=actor.purpose) as con:
        decide_eligibility(con)
        build_cohort(con)
        eligible = con.execute("SELECT eligible, count(*) FROM eligibility GROUP BY ALL").fetchall()
        groups = con.execute('SELECT "group", count(*) FROM cohort GROUP BY ALL').fetchall()
    counts = {f"families_{'eligible' if e else 'not_eligible'}": int(n) for e, n in eligible}
    counts.update({f"people_{g}": int(n) for g, n in groups})
    store.record("eligibility_decided", operator=actor.operator, purpose=actor.purpose, **counts)
    return counts


def _ensure_export_refs(con: duckdb.DuckDBPyConnection, export_id: str) -> None:
    """Fresh random references for this export, made once (a re-run after a crash reuses them)."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS export_refs (export_id VARCHAR, record_id VARCHAR, council_ref VARCHAR, "
        "PRIMARY KEY (export_id, record_id))"
    )
    done = con.execute("SELECT count(*) FROM export_refs WHERE export_id = ?", [export_id]).fetchall()[0][0]
    if done:
        return
    ids = [r[0] for r in con.execute("SELECT record_id FROM cohort ORDER BY record_id").fetchall()]
    refs = fresh_references("CR", len(ids))
    columns = {"export_id": [export_id] * len(ids), "record_id": ids, "council_ref": refs}
    insert_rows(con, "export_refs", columns)


def _identifier_sql(export_id: str) -> str:
    return f"""
        SELECT r.council_ref, c.family_ref, c.first_name, c.middle_names, c.surname, c.sex,
               c.date_of_birth, c.postcode, c.address, c.nhs_number, c.nino, c.upn, c.record_id
        FROM cohort k JOIN case_list c USING (record_id)
        JOIN export_refs r ON r.record_id = k.record_id AND r.export_id = '{export_id}'
    """


def _attribute_sql(export_id: str, council: str) -> str:
    return f"""
        SELECT r.council_ref, '{council}' AS council, k."group", k.start_date, k.joined_later_on,
               k.relationship, s.sex_std AS sex,
               CAST(date_diff('year', s.dob, k.start_date) - CASE WHEN strftime(s.dob, '%m%d') >
                    strftime(k.start_date, '%m%d') THEN 1 ELSE 0 END AS INTEGER) AS age_at_start,
               k.problems_met, k.crime_asb, k.domestic_abuse, k.children_need_help, k.health,
               k.school AS school_attendance, k.worklessness,
               p.ethnicity, p.disability, p.imd_decile, k.record_id
        FROM cohort k
        JOIN export_refs r ON r.record_id = k.record_id AND r.export_id = '{export_id}'
        LEFT JOIN case_list_std s ON s.record_id = k.record_id
        LEFT JOIN people p ON p.record_id = k.record_id
    """


def export_cohort(
    store: RoleStore,
    agreement: Agreement,
    actor: Actor,
    *,
    agent: str,
    research: str,
    export_id: str,
    as_of: date,
) -> CouncilExport:
    """Seal identifiers to the agent and attributes to research, both without objectors."""
    with store.session(operator=actor.operator, purpose=actor.purpose) as con:
        standardise_people(con, "case_list", "case_list_std")
        _ensure_export_refs(con, export_id)
        wanted = con.execute("SELECT count(*) FROM cohort").fetchall()[0][0]
        idents = con.sql(
            without_objectors(_identifier_sql(export_id), scope=RESEARCH_SHARING, as_of=as_of)
        ).to_arrow_table()
        attrs = con.sql(
            without_objectors(_attribute_sql(export_id, store.party), scope=RESEARCH_SHARING, as_of=as_of)
        ).to_arrow_table()
        record_included(con, export_id, idents["council_ref"].combine_chunks())
    idents = idents.drop_columns(["record_id"])
    attrs = attrs.drop_columns(["record_id"])
    ident_pkg = store.export_package(
        {"identifiers": idents},
        agreement=agreement,
        recipient=agent,
        purpose=STUDY_PURPOSE,
        flow=IDENTIFIER_FLOW,
        operator=actor.operator,
        as_of=as_of,
        export_key=f"{export_id}/identifiers",
    )
    attr_pkg = store.export_package(
        {"attributes": attrs},
        agreement=agreement,
        recipient=research,
        purpose=STUDY_PURPOSE,
        flow=ATTRIBUTE_FLOW,
        operator=actor.operator,
        as_of=as_of,
        export_key=f"{export_id}/attributes",
    )
    return CouncilExport(ident_pkg.path, attr_pkg.path, idents.num_rows, int(wanted) - idents.num_rows)
