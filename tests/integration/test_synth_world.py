"""The synthetic world: layout (spec A), record-to-truth mapping, households and the programme."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from famlink.contracts.person import PERSON_COLUMNS

COUNCIL_FILES = ["case_list.parquet", "objections.parquet"] + [
    f"local/{name}.parquet"
    for name in (
        "people",
        "school",
        "police",
        "social_care",
        "domestic_abuse",
        "housing",
        "benefits_debt",
        "health",
    )
]
DEPARTMENT_FILES = {
    "dwp": ["people", "benefit_spells", "employment_spells"],
    "moj": ["people", "events"],
    "dfe": ["people", "attendance", "exclusions", "attainment", "children_in_need"],
}


def test_every_file_of_the_layout_exists(small_world: Path) -> None:
    for council in ("LA01", "LA02"):
        for name in COUNCIL_FILES:
            assert (small_world / "councils" / council / name).is_file(), name
    for department, names in DEPARTMENT_FILES.items():
        for name in names:
            assert (small_world / "departments" / department / f"{name}.parquet").is_file()
    for name in ("persons", "families", "records", "objections"):
        assert (small_world / "truth" / f"{name}.parquet").is_file()
    info = json.loads((small_world / "world.json").read_text())
    assert info["parameters"]["seed"] == 7
    assert json.loads((small_world / "truth" / "effects.json").read_text())["effects"]["looked_after"] < 0


def test_person_files_follow_the_person_schema(small_world: Path) -> None:
    case_list = pq.read_schema(small_world / "councils" / "LA01" / "case_list.parquet")
    assert case_list.names[: len(PERSON_COLUMNS)] == PERSON_COLUMNS
    dwp = pq.read_schema(small_world / "departments" / "dwp" / "people.parquet")
    assert dwp.names == [c for c in PERSON_COLUMNS if c != "upn"]
    assert str(
        pq.read_schema(small_world / "councils" / "LA01" / "case_list.parquet").field("start_date").type
    ) == ("date32[day]")


def test_every_source_record_maps_to_exactly_one_truth_person(small_world: Path) -> None:
    con = duckdb.connect()
    records = f"'{small_world}/truth/records.parquet'"
    persons = f"'{small_world}/truth/persons.parquet'"
    dup = con.execute(
        f"select count(*) from (select source, record_id from {records} group by all having count(*) > 1)"
    )
    assert dup.fetchall() == [(0,)]
    orphans = con.execute(
        f"select count(*) from {records} where person_id not in (select person_id from {persons})"
    )
    assert orphans.fetchall() == [(0,)]
    files = {
        "dwp": "departments/dwp/people.parquet",
        "moj": "departments/moj/people.parquet",
        "dfe": "departments/dfe/people.parquet",
        "council/LA01/case_list": "councils/LA01/case_list.parquet",
        "council/LA02/local": "councils/LA02/local/people.parquet",
    }
    for source, path in files.items():
        table = f"'{small_world}/{path}'"
        unmapped = con.execute(
            f"select count(*) from {table} t where not exists "
            f"(select 1 from {records} r where r.source = '{source}' and r.record_id = t.record_id)"
        ).fetchall()
        same_size = con.execute(
            f"select (select count(*) from {table}) = "
            f"(select count(*) from {records} where source = '{source}')"
        ).fetchall()
        assert unmapped == [(0,)] and same_size == [(True,)], source
    clash = con.execute(f"select count(*) from {records} r join {persons} p on r.record_id = p.person_id")
    assert clash.fetchall() == [(0,)]
