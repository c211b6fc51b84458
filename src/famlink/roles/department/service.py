"""A department's steps: load its holdings, answer match requests, purge the request identifiers.

A request is imported into its own separately keyed segment (`match_request`), matched to the
holdings with famlink's linkage engine, answered with outcome records for the study window keyed by
request reference and stripped of every identifier, and then destroyed: departments keep no record
that a person was part of the research (the agreement allows at most a month; famlink purges as soon
as the answer is sealed, and `famlink retention sweep` catches anything older).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from famlink.agreement.model import Agreement
from famlink.errors import InputFileError
from famlink.exchange.manifest import PACKAGE_SUFFIX, read_header
from famlink.governance.audit import Actor
from famlink.governance.store import RoleStore
from famlink.linkage.api import link_tables
from famlink.linkage.options import LinkOptions
from famlink.roles.department.holdings import DEPARTMENTS, Department, OutcomeTable
from famlink.tabular import first_duplicate_rows, read_table, require_columns

STUDY_PURPOSE = "national-impact-study"
REQUEST_SEGMENT = "match_request"


@dataclass(frozen=True)
class Answer:
    """One answered request: the package returned and the match rate."""

    package: Path
    requests: int
    matched: int


def load_holdings(store: RoleStore, folder: Path, actor: Actor) -> dict[str, int]:
    """Read the department's people and outcome files, then replace its copies in one transaction."""
    dept = DEPARTMENTS[store.party]
    tables = {"people": _read_people(folder / "people.parquet", dept)}
    for outcome in dept.tables:
        path = folder / f"{outcome.name}.parquet"
        table = read_table(path)
        require_columns(table, ("record_id", *outcome.columns), str(path))
        tables[outcome.name] = table
    with store.session(operator=actor.operator, purpose=actor.purpose) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            for name, table in tables.items():
                con.register("incoming", table)
                con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM incoming")
                con.unregister("incoming")
            con.execute("COMMIT")
        except duckdb.Error:
            con.execute("ROLLBACK")
            raise
    rows = {name: t.num_rows for name, t in tables.items()}
    store.record("load", operator=actor.operator, purpose=actor.purpose, rows=sum(rows.values()), tables=rows)
    return rows


def _read_people(path: Path, dept: Department) -> pa.Table:
    table = read_table(path)
    require_columns(table, ("record_id",), str(path))
    duplicate = first_duplicate_rows(table.column("record_id"))
    if duplicate:
        raise InputFileError(
            "record_id must be unique but two rows share one",
            where=f"{path}, rows {duplicate[0]} and {duplicate[1]}, column record_id",
        )
    return table.select([c for c in dept.people_columns if c in table.column_names])


def _outcome_sql(outcome: OutcomeTable) -> str:
    cols = ", ".join(f"o.{c}" for c in outcome.columns)
    return (
        f"SELECT l.request_ref, {cols} FROM {outcome.name} o "
        f"JOIN answer_links l ON l.record_id = o.record_id WHERE {outcome.window_sql} ORDER BY ALL"
    )


def answer_requests(
    store: RoleStore,
    agreement: Agreement,
    actor: Actor,
    *,
    research: str,
    as_of: date,
    options: LinkOptions | None = None,
) -> list[Answer]:
    """Import, match and answer every pending request, then purge the request identifiers."""
    dept = DEPARTMENTS[store.party]
    for package in store.pending_packages(f"agent-request-to-{dept.party}"):  # purges: their own step
        if REQUEST_SEGMENT not in store.segments:
            store.add_segment(REQUEST_SEGMENT, operator=actor.operator, purpose=actor.purpose)
        store.import_package(
            package,
            agreement,
            operator=actor.operator,
            purpose=actor.purpose,
            segment=REQUEST_SEGMENT,
            as_of=as_of,
        )
    answers = [
        _answer(store, agreement, actor, dept, package_id, research, as_of, options)
        for package_id in _requests_held(store)
    ]
    purge_request_identifiers(store, actor, reason="requests answered")
    return answers


def _requests_held(store: RoleStore) -> list[str]:
    """Request packages imported but not yet purged (a crash between import and purge leaves some)."""
    if REQUEST_SEGMENT not in store.segments:
        return []
    with store.session() as con:
        rows = con.execute(
            f"SELECT DISTINCT _package_id FROM {store.alias(REQUEST_SEGMENT)}.match_request ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


def _answer(
    store: RoleStore,
    agreement: Agreement,
    actor: Actor,
    dept: Department,
    package_id: str,
    research: str,
    as_of: date,
    options: LinkOptions | None,
) -> Answer:
    seg = store.alias(REQUEST_SEGMENT)
    with store.session(operator=actor.operator, purpose=actor.purpose) as con:
        request = con.sql(
            f"SELECT request_ref AS record_id, * EXCLUDE (request_ref, _package_id) FROM {seg}.match_request "
            f"WHERE _package_id = '{package_id}'"
        ).to_arrow_table()
        holdings = con.sql("SELECT * FROM people").to_arrow_table()
    result = link_tables(
        request,
        holdings,
        options or LinkOptions(),
        left_source="match request",
        right_source=f"{dept.party} holdings",
    )
    links = result.links.select(["left_id", "right_id"]).rename_columns(["request_ref", "record_id"])
    with store.session(operator=actor.operator, purpose=actor.purpose) as con:
        con.register("answer_links", links)
        tables: dict[str, pa.Table] = {o.name: con.sql(_outcome_sql(o)).to_arrow_table() for o in dept.tables}
    tables["match_quality"] = _match_quality(dept.party, request.num_rows, links.num_rows, result)
    exported = store.export_package(
        tables,
        agreement=agreement,
        recipient=research,
        purpose=STUDY_PURPOSE,
        flow=dept.return_flow,
        operator=actor.operator,
        as_of=as_of,
        export_key=f"answer/{package_id}",
    )
    store.record(
        "match",
        operator=actor.operator,
        purpose=actor.purpose,
        package_id=package_id,
        rows=request.num_rows,
        matched=links.num_rows,
        review_pairs=result.review.num_rows,
    )
    return Answer(exported.path, request.num_rows, links.num_rows)


def _match_quality(party: str, requests: int, matched: int, result: object) -> pa.Table:
    review = getattr(result, "review", None)
    measures = {
        "requests": float(requests),
        "matched": float(matched),
        "match_rate": matched / requests if requests else 0.0,
        "review_pairs": float(review.num_rows if review is not None else 0),
    }
    return pa.table(
        {"department": [party] * len(measures), "measure": list(measures), "value": list(measures.values())}
    )


def purge_request_identifiers(store: RoleStore, actor: Actor, *, reason: str) -> bool:
    """Crypto-shred the request segment (identifiers and links); False if there was nothing to purge.

    The sealed request packages in the inbox go too: they are encrypted to this department, so
    keeping them would keep the identifiers the segment's shredding was meant to destroy.
    """
    held = REQUEST_SEGMENT in store.segments
    if held:
        store.destroy_segment(REQUEST_SEGMENT, operator=actor.operator, purpose=actor.purpose, reason=reason)
    _remove_imported_request_packages(store, actor, reason)
    return held


def _remove_imported_request_packages(store: RoleStore, actor: Actor, reason: str) -> None:
    imported = store.imported_package_ids()
    removed = 0
    for package in sorted(store.inbox.glob(f"*{PACKAGE_SUFFIX}")):
        manifest = read_header(package).manifest
        if manifest.flow == f"agent-request-to-{store.party}" and manifest.package_id in imported:
            package.unlink()
            removed += 1
    if removed:
        store.record(
            "destroyed",
            operator=actor.operator,
            purpose=actor.purpose,
            what="sealed match request packages in the inbox",
            packages=removed,
            reason=reason,
        )
