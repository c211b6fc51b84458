"""A subject access request to the council: find the person, gather everything the store holds.

Everything means: every row of every table keyed by the person's record reference (case list, the
local multi-agency data, standardised copies), the family's eligibility with the evidence for each
criterion, the help given, each export that included them (when, to whom, under which clause),
their objections, erasure and rectification requests, and the withdrawals sent. The response also
explains, from the agreement, what the agent and research hold in pseudonymised form. The response
itself holds personal data, so it is written to files for the data protection officer and only
counts reach the audit log.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from famlink.agreement.model import Agreement
from famlink.errors import InputFileError
from famlink.governance.erase import tables_with_column
from famlink.governance.objections import REGISTER
from famlink.governance.sar import RESEARCH_EXEMPTION, pseudonymised_holdings
from famlink.governance.store import RoleStore
from famlink.roles.council.eligibility import explain_family
from famlink.roles.council.rights import RECTIFICATIONS, Who
from famlink.roles.council.withdrawals import ERASURES, EXPORT_LOG, WITHDRAWN, ensure_withdrawal_tables

REGISTERS = frozenset({REGISTER, ERASURES, RECTIFICATIONS, "export_refs", EXPORT_LOG, WITHDRAWN})


@dataclass(frozen=True)
class PersonQuery:
    """How the person identified themselves: a record reference, or identifiers."""

    record_ref: str | None = None
    nhs_number: str | None = None
    surname: str | None = None
    date_of_birth: str | None = None
    first_name: str | None = None


def _norm(column: str) -> str:
    return f"upper(regexp_replace(coalesce(CAST({column} AS VARCHAR), ''), '[^A-Za-z0-9]', '', 'g'))"


def find_people(con: duckdb.DuckDBPyConnection, query: PersonQuery) -> list[str]:
    """Record references matching the query in the case list or the local person index."""
    conditions: list[str] = []
    params: list[str] = []
    if query.record_ref:
        conditions.append("record_id = ?")
        params.append(query.record_ref)
    if query.nhs_number:
        conditions.append(f"{_norm('nhs_number')} = upper(regexp_replace(?, '[^A-Za-z0-9]', '', 'g'))")
        params.append(query.nhs_number)
    if query.surname and query.date_of_birth:
        conditions.append(
            f"{_norm('surname')} = upper(regexp_replace(?, '[^A-Za-z0-9]', '', 'g')) "
            "AND CAST(date_of_birth AS VARCHAR) = ?"
        )
        params.extend([query.surname, query.date_of_birth])
        if query.first_name:
            conditions.append(f"{_norm('first_name')} = upper(regexp_replace(?, '[^A-Za-z0-9]', '', 'g'))")
            params.append(query.first_name)
    if not conditions:
        raise InputFileError(
            "not enough to find a person",
            fix="give --record-ref, or --nhs-number, or --surname with --date-of-birth",
        )
    where = " AND ".join(conditions) if not query.record_ref else conditions[0]
    found: set[str] = set()
    for table in ("case_list", "people"):
        if table in tables_with_column(con, "main_db", "record_id"):
            rows = con.execute(f"SELECT record_id FROM {table} WHERE {where}", params[: where.count("?")])
            found.update(r[0] for r in rows.fetchall())
    return sorted(found)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    result = con.execute(sql, params)
    columns = [d[0] for d in result.description or []]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def _records(con: duckdb.DuckDBPyConnection, record_id: str) -> dict[str, list[dict[str, Any]]]:
    records: dict[str, list[dict[str, Any]]] = {}
    for table in tables_with_column(con, "main_db", "record_id"):
        if table in REGISTERS or table.startswith("famlink_"):
            continue
        rows = _rows(con, f'SELECT * FROM "{table}" WHERE record_id = ?', [record_id])
        if rows:
            records[table] = rows
    return records


def _family(con: duckdb.DuckDBPyConnection, record_id: str) -> dict[str, Any]:
    refs = _rows(con, "SELECT DISTINCT family_ref FROM case_list WHERE record_id = ?", [record_id])
    if not refs:
        return {"family_ref": None, "evidence": [], "problems_met": 0, "eligible": False}
    family_ref = refs[0]["family_ref"]
    decided = (
        _rows(con, "SELECT * FROM eligibility WHERE family_ref = ?", [family_ref])
        if _has(con, "eligibility")
        else []
    )
    evidence = (
        [line.sentence() for line in explain_family(con, family_ref)]
        if _has(con, "criteria_evidence")
        else []
    )
    row = decided[0] if decided else {}
    return {
        "family_ref": family_ref,
        "criteria": {k: v for k, v in row.items() if k not in ("family_ref", "assessed_date")},
        "problems_met": row.get("problems_met", 0),
        "eligible": bool(row.get("eligible", False)),
        "evidence": evidence,
    }


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'main_db' AND table_name = ?", [table]
        ).fetchall()[0][0]
    )


def _help_given(con: duckdb.DuckDBPyConnection, record_id: str) -> dict[str, Any]:
    rows = _rows(
        con,
        "SELECT status, assessed_date, start_date, waiting_list_date FROM case_list WHERE record_id = ?",
        [record_id],
    )
    if not rows:
        return {"summary": "We hold no programme record for you."}
    row = rows[0]
    summary = {
        "joined": f"Your family was assessed on {row['assessed_date']} and joined the programme on "
        f"{row['start_date']}.",
        "waiting": f"Your family was assessed on {row['assessed_date']}, put on the waiting list on "
        f"{row['waiting_list_date']} and joined on {row['start_date']}.",
        "never": f"Your family was assessed on {row['assessed_date']} and did not join the programme.",
    }.get(str(row["status"]), f"Programme status: {row['status']}.")
    return {**row, "summary": summary}


def _exports(con: duckdb.DuckDBPyConnection, record_id: str) -> list[dict[str, Any]]:
    if not _has(con, "famlink_exports"):
        return []
    return _rows(
        con,
        f"""
        SELECT CAST(e.recorded_at AS VARCHAR) AS "when", e.party AS recipient, e.flow, e.clause, e.purpose,
               e.package_id, i.export_id
        FROM {EXPORT_LOG} i JOIN export_refs r ON r.export_id = i.export_id AND r.council_ref = i.council_ref
        JOIN famlink_exports e
          ON e.export_key IN (i.export_id || '/identifiers', i.export_id || '/attributes')
        WHERE r.record_id = ? ORDER BY e.recorded_at, e.flow
        """,
        [record_id],
    )


def _requests(con: duckdb.DuckDBPyConnection, record_id: str) -> dict[str, list[dict[str, Any]]]:
    found = {
        "objections": _rows(con, f"SELECT * FROM {REGISTER} WHERE record_id = ? ORDER BY 1", [record_id]),
        "erasures": _rows(con, f"SELECT * FROM {ERASURES} WHERE record_id = ? ORDER BY 1", [record_id]),
        "withdrawals_sent": _rows(
            con,
            f"SELECT DISTINCT w.reason, w.received_on, w.package_id FROM {WITHDRAWN} w "
            "JOIN export_refs r ON r.council_ref = w.council_ref WHERE r.record_id = ?",
            [record_id],
        )
        if _has(con, "export_refs")
        else [],
    }
    if _has(con, RECTIFICATIONS):
        found["rectifications"] = _rows(
            con, f"SELECT * FROM {RECTIFICATIONS} WHERE record_id = ? ORDER BY 1", [record_id]
        )
    return found


def _objection_status(requests: dict[str, list[dict[str, Any]]]) -> str:
    active = [o for o in requests["objections"] if o["withdrawn_on"] is None]
    if requests["erasures"]:
        return (
            "You asked us to erase your information; we did, and asked every organisation we shared "
            "it with to delete it."
        )
    if active:
        first = active[0]
        return (
            f"You objected on {first['objected_on']} (by {first['channel']}) to "
            f"{str(first['scope']).replace('_', ' ')}. "
            "We no longer share your information, and what we shared before has been withdrawn."
        )
    if requests["objections"]:
        return "You objected before and later withdrew your objection."
    return "You have not objected. You can object at any time; see how to object in our privacy notice."


def subject_access(store: RoleStore, agreement: Agreement, who: Who, query: PersonQuery) -> dict[str, Any]:
    """Everything the council store holds about the person(s) matching `query`, ready for the letter."""
    with store.session(operator=who.operator, purpose=who.purpose) as con:
        ensure_withdrawal_tables(con)
        record_ids = find_people(con, query)
        if not record_ids:
            raise InputFileError(
                "no person in the council store matches these details",
                fix="check the details with the requester, or search by record reference",
            )
        people: list[dict[str, Any]] = []
        records_found = 0
        for record_id in record_ids:
            records = _records(con, record_id)
            records_found += sum(len(rows) for rows in records.values())
            requests = _requests(con, record_id)
            people.append(
                {
                    "record_ref": record_id,
                    "records": records,
                    "family": _family(con, record_id),
                    "help_given": _help_given(con, record_id),
                    "exports": _exports(con, record_id),
                    "requests": requests,
                    "objection_status": _objection_status(requests),
                }
            )
    response: dict[str, Any] = {
        "sar_id": "SAR" + secrets.token_hex(5),
        "produced_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "council": store.party,
        "people": people,
        "held_elsewhere": pseudonymised_holdings(agreement, store.party),
        "research_exemption": RESEARCH_EXEMPTION,
    }
    store.record(
        "subject_access",
        operator=who.operator,
        purpose=who.purpose,
        rows=len(people),
        sar_id=response["sar_id"],
        records=records_found,
    )
    return response
