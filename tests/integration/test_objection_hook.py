"""Every council export goes through the objection hook: proven by opening what the council seals.

A person who objects is recorded with `famlink council objection add`; `famlink council export` then
seals identifiers to the agent and attributes to research. Opening both packages with the
recipients' own keys shows neither the objector's reference nor any of their identifier values.
A source check shows the council role has no other way to seal a data package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pyarrow as pa
import pytest

from famlink.cli.main import main
from famlink.governance.store import RoleStore
from tests.integration.rights_fixtures import loaded_council, open_all, values_in_tables

COUNCIL_ROLE = Path(__file__).parents[2] / "src" / "famlink" / "roles" / "council"


@pytest.fixture(autouse=True)
def _who(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAMLINK_OPERATOR", "la01-data-officer")
    monkeypatch.setenv("FAMLINK_PURPOSE", "national-impact-study")


@pytest.fixture(scope="module")
def council_ready(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One council store, loaded and with its cohort decided; each test uses different people."""
    return loaded_council(tmp_path_factory, tmp_path_factory.mktemp("hook") / "study")


def _cohort_person(store_path: Path) -> tuple[str, list[str]]:
    """A cohort member without an objection, and their NHS number and full name with date of birth.

    Surnames and postcodes are shared within a family, so only values unique to the person count.
    """
    with RoleStore.open(store_path, role="council") as store, store.session() as con:
        row = con.execute(
            "SELECT c.record_id, c.nhs_number, c.first_name || '|' || c.surname || '|' || c.date_of_birth "
            "FROM cohort k JOIN case_list c USING (record_id) "
            "WHERE c.record_id NOT IN (SELECT record_id FROM objections) "
            "AND c.nhs_number IS NOT NULL AND c.date_of_birth IS NOT NULL ORDER BY c.record_id LIMIT 1"
        ).fetchall()[0]
    return row[0], [v for v in row[1:] if v]


def test_an_objector_is_in_no_package_the_council_seals(council_ready: Path) -> None:
    root = council_ready
    store = root / "stores" / "LA01"
    objector, identifiers = _cohort_person(store)
    assert main(["council", "objection", "add", "--store", str(store), "--record-ref", objector,
                 "--date", "2020-01-15", "--channel", "letter"]) == 0  # fmt: skip
    agreement_file = str(root / "agreement" / "agreement.yaml")
    assert main(["council", "export", "--store", str(store), "--agreement", agreement_file,
                 "--export-id", "cycle-1", "--as-of", "2020-06-01"]) == 0  # fmt: skip
    with RoleStore.open(store, role="council") as opened, opened.session() as con:
        objector_ref = con.execute(
            "SELECT council_ref FROM export_refs WHERE record_id = ?", [objector]
        ).fetchall()[0][0]
        others = con.execute("SELECT count(*) FROM export_included").fetchall()[0][0]
    from famlink.agreement import load_agreement

    agreement = load_agreement(root / "agreement" / "agreement.yaml")
    stores = {p.name: p for p in (root / "stores").iterdir()}
    packages = open_all(store / "outbox", agreement, stores)
    assert len(packages) == 2
    sealed = values_in_tables(t for package in packages for t in package.values())
    people = {
        f"{r['first_name']}|{r['surname']}|{r['date_of_birth']}"
        for package in packages
        for r in package.get("identifiers", pa.table({})).to_pylist()
    }
    assert objector_ref not in sealed
    assert identifiers[0] not in sealed
    assert identifiers[1] not in people
    assert others > 0, "the export sealed the other cohort members"


def test_an_objection_withdrawn_lets_sharing_resume(council_ready: Path) -> None:
    store = council_ready / "stores" / "LA01"
    person, _ = _cohort_person(store)
    assert main(["council", "objection", "add", "--store", str(store), "--record-ref", person,
                 "--date", "2020-01-15", "--channel", "phone"]) == 0  # fmt: skip
    with RoleStore.open(store, role="council") as opened, opened.session() as con:
        objection_id = con.execute(
            "SELECT objection_id FROM objections WHERE record_id = ?", [person]
        ).fetchall()[0][0]
    assert (
        main(
            ["council", "objection", "withdraw", objection_id, "--store", str(store), "--date", "2020-03-01"]
        )
        == 0
    )
    assert main(["council", "export", "--store", str(store), "--agreement",
                 str(council_ready / "agreement" / "agreement.yaml"), "--export-id", "e1",
                 "--as-of", "2020-06-01"]) == 0  # fmt: skip
    with RoleStore.open(store, role="council") as opened, opened.session() as con:
        included = con.execute(
            "SELECT count(*) FROM export_included i JOIN export_refs r USING (export_id, council_ref) "
            "WHERE r.record_id = ? AND export_id = 'e1'",
            [person],
        ).fetchall()[0][0]
        register = con.execute(
            "SELECT withdrawn_on IS NOT NULL FROM objections WHERE objection_id = ?", [objection_id]
        ).fetchall()[0][0]
    assert included == 1
    assert register, "the withdrawn objection stays in the register as history"


def test_objection_commands_audit_operator_and_purpose_without_identifiers(council_ready: Path) -> None:
    store = council_ready / "stores" / "LA01"
    person, identifiers = _cohort_person(store)
    assert main(["council", "objection", "add", "--store", str(store), "--record-ref", person,
                 "--operator", "dpo-jones", "--purpose", "objection"]) == 0  # fmt: skip
    log = (store / "audit.jsonl").read_text(encoding="utf-8")
    last = log.strip().splitlines()[-1]
    assert '"operator": "dpo-jones"' in last and '"purpose": "objection"' in last
    assert not any(value in log for value in identifiers)


def _functions_sealing(source: Path) -> set[str]:
    """Names of functions in `source` that call `export_package`."""
    tree = ast.parse(source.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            calls = [
                c for c in ast.walk(node)
                if isinstance(c, ast.Call) and getattr(c.func, "attr", None) == "export_package"
            ]  # fmt: skip
            if calls:
                found.add(node.name)
    return found


def test_the_council_role_seals_data_only_through_the_hooked_export() -> None:
    sealing = {f"{p.stem}.{name}" for p in COUNCIL_ROLE.glob("*.py") for name in _functions_sealing(p)}
    assert sealing == {"service.export_cohort", "withdrawals.send_withdrawals"}
    export_source = ast.get_source_segment(
        (COUNCIL_ROLE / "service.py").read_text(encoding="utf-8"),
        next(
            n for n in ast.parse((COUNCIL_ROLE / "service.py").read_text(encoding="utf-8")).body
            if isinstance(n, ast.FunctionDef) and n.name == "export_cohort"
        ),
    )  # fmt: skip
    assert export_source is not None
    assert export_source.count("without_objectors(") == 2, "identifiers and attributes both pass the hook"
