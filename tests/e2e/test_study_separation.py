"""The separation principle, proven on a finished study run: open every store and every package.

No store or package holds identifiers and outcome content together; research holds no identifier
column and no identifier value from any source; departments hold no research id and no request;
councils receive nothing back. Each check also runs on a place that legitimately holds what is
looked for (the agent's identifiers, research's ids), so a scan that finds nothing is not vacuous.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from famlink.study.layout import AGENT, DEPARTMENTS, RESEARCH
from tests.conftest import STUDY_DATE, SmallStudy
from tests.e2e.study_checks import (
    Package,
    holds_outcomes,
    identifier_columns,
    normalised,
    store_tables,
    string_values,
    study_packages,
    world_identifier_values,
)

COUNCILS = ("LA01", "LA02")


@pytest.fixture(scope="module")
def stores(small_study: SmallStudy) -> dict[str, dict[str, pa.Table]]:
    parties = sorted(p.name for p in (small_study.root / "stores").iterdir())
    assert parties == sorted([*COUNCILS, AGENT, RESEARCH, *DEPARTMENTS])
    return {party: store_tables(small_study.store(party)) for party in parties}


@pytest.fixture(scope="module")
def packages(small_study: SmallStudy) -> list[Package]:
    return study_packages(small_study.root, STUDY_DATE)


@pytest.fixture(scope="module")
def identifier_values(small_study: SmallStudy) -> set[str]:
    values = world_identifier_values(small_study.world)
    assert len(values) > 1000
    return values


@pytest.fixture(scope="module")
def research_ids(stores: dict[str, dict[str, pa.Table]]) -> set[str]:
    keys = stores[RESEARCH]["main_db.council_key_map"]
    ids = normalised(keys["person_id"].to_pylist()) | normalised(keys["family_id"].to_pylist())
    assert len(ids) > 100
    return ids


def test_no_table_or_package_holds_identifiers_with_outcomes(
    stores: dict[str, dict[str, pa.Table]], packages: list[Package]
) -> None:
    for party, tables in stores.items():
        for name, table in tables.items():
            assert not (identifier_columns(table) and holds_outcomes(table)), f"{party} {name}"
    for package in packages:
        with_ids = any(identifier_columns(t) for t in package.tables.values())
        with_outcomes = any(holds_outcomes(t) for t in package.tables.values())
        assert not (with_ids and with_outcomes), package.manifest.flow
    flows = {p.manifest.flow for p in packages}
    assert {"council-identifiers-to-agent", "agent-request-to-dwp", "dfe-outcomes-to-research"} <= flows


def test_only_departments_own_holdings_mix_identifiers_and_outcomes(
    stores: dict[str, dict[str, pa.Table]],
) -> None:
    """Councils, the agent and research never hold outcome content next to identifiers; departments
    hold both only as their own administrative records, loaded from their own files."""
    for party, tables in stores.items():
        with_ids = {n for n, t in tables.items() if identifier_columns(t)}
        with_outcomes = {n for n, t in tables.items() if holds_outcomes(t)}
        if party in DEPARTMENTS:
            assert with_ids == {"main_db.people"}, party
            assert with_outcomes, party
        else:
            assert not (with_ids and with_outcomes), party
    assert not any(holds_outcomes(t) for t in stores[AGENT].values())
    assert any(identifier_columns(t) for t in stores[AGENT].values())


def test_research_holds_no_identifier_column_or_value(
    stores: dict[str, dict[str, pa.Table]], packages: list[Package], identifier_values: set[str]
) -> None:
    research = stores[RESEARCH]
    assert research["main_db.cohort"].num_rows > 100
    for linked in ("moj_events", "dwp_benefit_spells", "dfe_attendance"):
        assert research[f"main_db.{linked}"].num_rows > 0
    for name, table in research.items():
        assert not identifier_columns(table), name
        assert not string_values(table) & identifier_values, name
    for package in packages:
        if package.manifest.recipient == RESEARCH:
            for name, table in package.tables.items():
                assert not identifier_columns(table), (package.manifest.flow, name)
                assert not string_values(table) & identifier_values, (package.manifest.flow, name)
    # the same scan finds the identifiers the agent legitimately holds
    assert len(string_values(stores[AGENT]["main_db.identifiers"]) & identifier_values) > 500


def test_departments_hold_no_research_id_and_no_request(
    small_study: SmallStudy,
    stores: dict[str, dict[str, pa.Table]],
    packages: list[Package],
    research_ids: set[str],
) -> None:
    for party in DEPARTMENTS:
        tables = stores[party]
        assert {name.split(".")[0] for name in tables} == {"main_db"}, "request segment not destroyed"
        for name, table in tables.items():
            assert "_package_id" not in table.column_names, (party, name)
            assert not string_values(table) & research_ids, (party, name)
        audit = (small_study.store(party) / "audit.jsonl").read_text(encoding="utf-8")
        assert not _json_strings(audit) & research_ids, party
        left = [p.name for p in (small_study.store(party) / "inbox").iterdir()]
        assert left == [], f"{party} still holds sealed request packages"
    for package in packages:
        if package.manifest.recipient in DEPARTMENTS:
            for table in package.tables.values():
                assert not string_values(table) & research_ids, package.manifest.flow
    assert string_values(stores[RESEARCH]["main_db.cohort"]) & research_ids


def test_councils_receive_nothing_back(
    small_study: SmallStudy, stores: dict[str, dict[str, pa.Table]], packages: list[Package]
) -> None:
    assert not [p for p in packages if p.manifest.recipient in COUNCILS]
    for council in COUNCILS:
        assert list((small_study.store(council) / "inbox").iterdir()) == []
        for name, table in stores[council].items():
            assert "_package_id" not in table.column_names, (council, name)
            assert not holds_outcomes(table), (council, name)
            if name.endswith("famlink_imports"):
                assert table.num_rows == 0
        assert list((small_study.store(council) / "outbox").iterdir())


def test_no_audit_log_holds_an_identifier_value(small_study: SmallStudy, identifier_values: set[str]) -> None:
    for audit in sorted((small_study.root / "stores").glob("*/audit.jsonl")):
        found = _json_strings(audit.read_text(encoding="utf-8")) & identifier_values
        assert not found, f"{audit.parent.name}: {len(found)} identifier values in the audit log"


def _json_strings(lines: str) -> set[str]:
    """Every string value (at any depth) in a JSON-lines text, normalised."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            found.add(node)

    for line in lines.splitlines():
        if line.strip():
            walk(json.loads(line))
    return normalised(found)
