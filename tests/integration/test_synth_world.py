"""The synthetic world: layout (spec A), record-to-truth mapping, households and the programme."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from famlink.contracts.person import PERSON_COLUMNS
from tests.synth_checks import nhs_ok, nino_ok, postcode_ok, upn_ok

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


def _values(con: duckdb.DuckDBPyConnection, path: Path, column: str) -> list[str]:
    return [r[0] for r in con.execute(f"select {column} from '{path}' where {column} is not null").fetchall()]


def test_all_identifiers_pass_their_format_checks(small_world: Path) -> None:
    con = duckdb.connect()
    truth = small_world / "truth" / "persons.parquet"
    nhs = _values(con, truth, "nhs_number")
    assert nhs and all(n.startswith("999") and nhs_ok(n) for n in nhs)
    assert all(nino_ok(n) for n in _values(con, truth, "nino"))
    assert all(upn_ok(u) for u in _values(con, truth, "upn"))
    assert all(postcode_ok(p) for p in _values(con, truth, "postcode"))
    for path in (
        small_world / "councils" / "LA01" / "case_list.parquet",
        small_world / "councils" / "LA02" / "local" / "people.parquet",
        small_world / "departments" / "dwp" / "people.parquet",
        small_world / "departments" / "moj" / "people.parquet",
    ):
        assert all(postcode_ok(p) for p in _values(con, path, "postcode")), path
        assert all(nhs_ok(n) for n in _values(con, path, "nhs_number")), path
        assert all(nino_ok(n) for n in _values(con, path, "nino")), path
    las = {"LA01": "201", "LA02": "204"}
    for council, la in las.items():
        upns = _values(con, small_world / "councils" / council / "case_list.parquet", "upn")
        assert upns and all(upn_ok(u) for u in upns)
        assert sum(u[1:4] == la for u in upns) > 0.95 * len(upns)


def test_nino_only_for_adults_by_2022_and_upn_only_for_school_age_children(small_world: Path) -> None:
    con = duckdb.connect()
    truth = f"'{small_world}/truth/persons.parquet'"
    young_with_nino = con.execute(
        f"select count(*) from {truth} where nino is not null and date_of_birth > '2006-12-31'"
    )
    assert young_with_nino.fetchall() == [(0,)]
    old_with_upn = con.execute(
        f"select count(*) from {truth} where upn is not null and date_of_birth < '1995-09-01'"
    )
    assert old_with_upn.fetchall() == [(0,)]


def test_siblings_twins_juniors_and_step_children_exist_and_are_marked(small_world: Path) -> None:
    con = duckdb.connect()
    truth = f"'{small_world}/truth/persons.parquet'"
    twins = con.execute(
        f"select count(*), count(*) filter (where a.family_id = b.family_id "
        f"and a.date_of_birth = b.date_of_birth and a.surname = b.surname), "
        f"(select count(*) from {truth} where role = 'child') "
        f"from {truth} a join {truth} b on a.twin_of = b.person_id"
    ).fetchall()[0]
    assert twins[0] > 0 and twins[0] == twins[1]
    assert 0.015 < 2 * twins[0] / twins[2] < 0.06
    juniors = con.execute(
        f"select count(*), count(*) filter (where a.first_name = b.first_name and b.role = 'parent' "
        f"and a.family_id = b.family_id and a.sex = b.sex) "
        f"from {truth} a join {truth} b on a.junior_of = b.person_id"
    ).fetchall()[0]
    assert juniors[0] > 0 and juniors[0] == juniors[1]
    siblings = con.execute(
        f"select count(*) from "
        f"(select family_id from {truth} where role = 'child' group by 1 having count(*) > 1)"
    ).fetchall()[0][0]
    other_surname = con.execute(
        f"select count(distinct c.family_id) from {truth} c join {truth} p using (family_id) "
        f"where c.role = 'child' and p.role = 'parent' and c.surname <> p.surname"
    ).fetchall()[0][0]
    assert siblings > 50 and other_surname > 20


def test_members_of_a_family_share_a_first_name_only_as_junior_and_parent(small_world: Path) -> None:
    con = duckdb.connect()
    truth = f"'{small_world}/truth/persons.parquet'"
    shared = con.execute(
        f"select count(*), count(*) filter (where b.junior_of is distinct from a.person_id) "
        f"from {truth} a join {truth} b on a.family_id = b.family_id and a.person_id <> b.person_id "
        f"and a.first_name = b.first_name and a.date_of_birth < b.date_of_birth"
    ).fetchall()[0]
    assert shared[0] > 0 and shared[1] == 0  # juniors exist; no other pair does, twins included
    same_day = con.execute(
        f"select count(*) from {truth} a join {truth} b on a.family_id = b.family_id "
        f"and a.person_id < b.person_id and a.first_name = b.first_name "
        f"and a.date_of_birth = b.date_of_birth"
    ).fetchall()
    assert same_day == [(0,)]


def test_programme_families_are_larger_and_the_statuses_follow_the_settings(small_world: Path) -> None:
    con = duckdb.connect()
    families = f"'{small_world}/truth/families.parquet'"
    prog, background = con.execute(
        f"select avg((children >= 3)::int) filter (where programme), avg((children >= 3)::int) "
        f"filter (where not programme) from {families}"
    ).fetchall()[0]
    assert 0.3 < prog < 0.5 and background < prog
    rows = dict(
        con.execute(
            f"select status, count(*) from {families} where programme and eligible group by 1"
        ).fetchall()
    )
    eligible = sum(rows.values())
    assert abs(rows["joined"] / eligible - 0.6) < 0.01 and abs(rows["waiting"] / eligible - 0.2) < 0.01
    bad = con.execute(
        f"select count(*) from {families} where programme and (eligible <> (problems_at_assessment >= 2) "
        f"or (status = 'waiting') <> (waiting_list_date is not null) "
        f"or (status = 'never') <> (start_date is null) "
        f"or start_date <= assessed_date or start_date < '2015-01-01')"
    ).fetchall()
    assert bad == [(0,)]


def test_realised_error_rates_fall_within_the_configured_ranges(small_world: Path) -> None:
    info = json.loads((small_world / "world.json").read_text())
    counts, configured = info["realised_error_counts"], info["error_rates"]
    checks = {
        "dob_missing": ("dob_missing", "records"),
        "postcode_missing": ("postcode_missing", "records"),
        "nhs_missing": ("nhs_number_missing", "nhs_number_held"),
        "nino_missing": ("nino_missing", "nino_held"),
        "upn_missing": ("upn_missing", "upn_held"),
        "name_typo": ("first_name_typo", "records"),
        "nickname": ("nickname", "records"),
    }
    for source, source_counts in counts.items():
        for setting, (count_key, denominator_key) in checks.items():
            n, rate = source_counts.get(denominator_key, 0), configured[source][setting]
            if n == 0:
                continue
            expected, spread = n * rate, 4 * (n * rate * (1 - rate)) ** 0.5 + 2
            assert abs(source_counts[count_key] - expected) <= spread, (source, setting)
    assert counts["dwp"]["nickname"] == 0 and counts["dfe"]["nickname"] == 0
    assert counts["case_list"]["nickname"] > 0 and counts["moj"]["nickname"] > 0


def test_recorded_values_differ_from_the_truth_at_about_the_configured_rates(small_world: Path) -> None:
    con = duckdb.connect()
    dob_differs, nino_missing, total = con.execute(
        f"select count(*) filter "
        f"(where d.date_of_birth is distinct from strftime(p.date_of_birth, '%Y-%m-%d')), "
        f"count(*) filter (where d.nino is null), count(*) "
        f"from '{small_world}/departments/dwp/people.parquet' d "
        f"join '{small_world}/truth/records.parquet' r on r.source = 'dwp' and r.record_id = d.record_id "
        f"join '{small_world}/truth/persons.parquet' p on p.person_id = r.person_id"
    ).fetchall()[0]
    assert 0 < dob_differs < 0.02 * total
    assert 0.01 * total < nino_missing < 0.06 * total


def test_people_move_so_sources_disagree_on_addresses(small_world: Path) -> None:
    con = duckdb.connect()
    differ, total = con.execute(
        f"select count(*) filter (where c.postcode <> d.postcode), count(*) "
        f"from '{small_world}/councils/LA01/case_list.parquet' c "
        f"join '{small_world}/truth/records.parquet' rc on rc.source = 'council/LA01/case_list' "
        f"and rc.record_id = c.record_id "
        f"join '{small_world}/truth/records.parquet' rd on rd.source = 'dwp' and rd.person_id = rc.person_id "
        f"join '{small_world}/departments/dwp/people.parquet' d on d.record_id = rd.record_id"
    ).fetchall()[0]
    assert total > 100 and 0.1 < differ / total < 0.7
