"""Subject access, rectification and erasure at the council, through the commands a DPO runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from famlink.agreement import load_agreement
from famlink.cli.main import main
from famlink.governance.store import RoleStore
from tests.integration.rights_fixtures import loaded_council, open_all, tiny_world

WHO = ["--operator", "dpo-smith", "--purpose", "subject-access"]


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LA01 loaded, with one export sealed (so requests can show and withdraw what was shared)."""
    root = loaded_council(tmp_path_factory, tmp_path_factory.mktemp("sar") / "study")
    assert main(["council", "export", "--store", str(root / "stores" / "LA01"), "--agreement",
                 str(root / "agreement" / "agreement.yaml"), "--export-id", "cycle-1",
                 "--as-of", "2020-06-01", *WHO]) == 0  # fmt: skip
    return root


def _person(root: Path, nth: int) -> dict[str, str]:
    """The nth exported, eligible person with an NHS number (as the council holds them)."""
    with RoleStore.open(root / "stores" / "LA01") as store, store.session() as con:
        result = con.execute(
            "SELECT c.record_id, c.nhs_number, c.first_name, c.surname, c.family_ref FROM case_list c "
            "JOIN export_refs r USING (record_id) JOIN export_included i USING (export_id, council_ref) "
            "WHERE c.nhs_number IS NOT NULL ORDER BY c.record_id LIMIT 1 OFFSET ?",
            [nth],
        )
        columns = [d[0] for d in result.description or []]
        return dict(zip(columns, result.fetchall()[0], strict=True))


def test_sar_by_nhs_number_gives_everything_the_council_holds(council: Path, tmp_path: Path) -> None:
    person = _person(council, 0)
    store = str(council / "stores" / "LA01")
    agreement = str(council / "agreement" / "agreement.yaml")
    assert main(["council", "objection", "add", "--store", store, "--record-ref", person["record_id"],
                 "--date", "2020-07-01", "--channel", "email", *WHO]) == 0  # fmt: skip
    assert main(["council", "sar", "--store", store, "--agreement", agreement, "--nhs-number",
                 person["nhs_number"], "--out", str(tmp_path), *WHO]) == 0  # fmt: skip
    [json_file] = tmp_path.glob("SAR*.json")
    response = json.loads(json_file.read_text(encoding="utf-8"))
    [found] = response["people"]
    assert found["record_ref"] == person["record_id"]
    assert {"case_list", "people"} <= set(found["records"])
    assert found["family"]["family_ref"] == person["family_ref"] and found["family"]["eligible"]
    assert found["family"]["evidence"], "the criteria met come with their evidence"
    assert {(e["recipient"], e["clause"]) for e in found["exports"]} == {("ons", "4.1"), ("research", "4.2")}
    assert "You objected on 2020-07-01" in found["objection_status"]
    assert {h["role"] for h in response["held_elsewhere"]} >= {"agent", "research"}
    assert "paragraph 27" in response["research_exemption"]
    letter = json_file.with_suffix(".html").read_text(encoding="utf-8")
    assert person["first_name"] in letter and "Why your family was included" in letter
    audit = (council / "stores" / "LA01" / "audit.jsonl").read_text(encoding="utf-8")
    assert '"action": "subject_access"' in audit and '"operator": "dpo-smith"' in audit
    assert person["nhs_number"] not in audit and person["surname"] not in audit


def test_sar_that_matches_nobody_is_a_clear_error(council: Path, tmp_path: Path) -> None:
    code = main(["council", "sar", "--store", str(council / "stores" / "LA01"), "--agreement",
                 str(council / "agreement" / "agreement.yaml"), "--nhs-number", "9990000000",
                 "--out", str(tmp_path), *WHO])  # fmt: skip
    assert code == 3
    assert not list(tmp_path.iterdir()), "nothing written"


def test_rectification_is_applied_and_survives_a_reload(
    council: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    person = _person(council, 1)
    store = str(council / "stores" / "LA01")
    assert main(["council", "rectify", "--store", store, "--record-ref", person["record_id"], "--field",
                 "surname", "--value", "Corrected-Name", "--date", "2020-07-02", *WHO]) == 0  # fmt: skip
    world = tiny_world(tmp_path_factory)
    assert main(["council", "load", "--store", store, "--data", str(world / "councils" / "LA01"), *WHO]) == 0
    with RoleStore.open(store) as opened, opened.session() as con:
        names = con.execute(
            "SELECT surname FROM case_list WHERE record_id = ? UNION ALL SELECT surname FROM people "
            "WHERE record_id = ?",
            [person["record_id"]] * 2,
        ).fetchall()
    assert names and {n[0] for n in names} == {"Corrected-Name"}


def test_erasure_removes_the_person_and_withdraws_what_was_shared(council: Path) -> None:
    person = _person(council, 2)
    store = str(council / "stores" / "LA01")
    agreement = str(council / "agreement" / "agreement.yaml")
    assert main(["council", "erase", "--store", store, "--agreement", agreement, "--record-ref",
                 person["record_id"], "--date", "2020-07-03", *WHO]) == 0  # fmt: skip
    with RoleStore.open(store) as opened, opened.session() as con:
        left = con.execute(
            "SELECT (SELECT count(*) FROM case_list WHERE record_id = $1) + (SELECT count(*) FROM people "
            "WHERE record_id = $1) + (SELECT count(*) FROM school WHERE record_id = $1)",
            [person["record_id"]],
        ).fetchall()[0][0]
        shared_refs = {
            r[0]
            for r in con.execute(
                "SELECT council_ref FROM export_refs JOIN export_included USING (export_id, council_ref) "
                "WHERE record_id = ?",
                [person["record_id"]],
            ).fetchall()
        }
    assert left == 0
    outbox = council / "stores" / "LA01" / "outbox"
    before = {p.name for p in outbox.iterdir()}
    assert (
        main(
            ["council", "withdraw", "--store", store, "--agreement", agreement, "--as-of", "2020-07-04", *WHO]
        )
        == 0
    )
    new = {p.name for p in outbox.iterdir()} - before
    assert len(new) == 1
    stores = {p.name: p for p in (council / "stores").iterdir()}
    [package] = open_all(outbox, load_agreement(agreement), stores, only=new)
    withdrawals = package["withdrawals"]
    assert withdrawals.column_names == ["council_ref", "received_on", "scope"]
    assert shared_refs <= set(withdrawals["council_ref"].to_pylist())
    assert (
        main(
            ["council", "withdraw", "--store", store, "--agreement", agreement, "--as-of", "2020-07-04", *WHO]
        )
        == 0
    )
    assert {p.name for p in outbox.iterdir()} - before == new, "nothing new to withdraw the second time"
