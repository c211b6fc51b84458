"""The risk model reads the council's own tables and refuses anything from another role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from famlink.errors import InputFileError, StoreError
from famlink.risk.sources import load_council_sources
from famlink.risk.store import RiskStore
from tests.risk_support import write_local

CHILD = [{"record_id": "C1", "family_ref": "F1", "date_of_birth": "2010-01-01"}]


def _mark(folder: Path, role: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "store.json").write_text(json.dumps({"format": 1, "role": role, "party": "x"}))


@pytest.mark.parametrize("role", ["research", "agent", "department"])
def test_a_folder_inside_another_roles_store_is_refused(tmp_path: Path, role: str) -> None:
    _mark(tmp_path / "store", role)
    council = write_local(tmp_path / "store" / "copied", CHILD)
    with pytest.raises(StoreError, match=f"may not read a {role} store"):
        load_council_sources(council)
    with pytest.raises(StoreError):
        RiskStore.open(tmp_path / "store")


def test_research_linked_dataset_tables_are_refused_even_without_a_marker(tmp_path: Path) -> None:
    council = write_local(tmp_path / "council", CHILD)
    (council / "local" / "cohort.parquet").write_bytes(b"not read")
    with pytest.raises(StoreError, match="research linked-dataset"):
        load_council_sources(council)


def test_the_councils_own_store_and_tables_are_accepted(tmp_path: Path) -> None:
    _mark(tmp_path / "council-store", "council")
    council = write_local(tmp_path / "council-store" / "LA01", CHILD)
    loaded = load_council_sources(council)
    assert loaded.con.execute("SELECT count(*) FROM people").fetchall() == [(1,)]
    assert RiskStore.open(tmp_path / "council-store").models.parent.name == "risk"


def test_a_folder_without_the_person_index_is_a_clear_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="person index"):
        load_council_sources(tmp_path)
