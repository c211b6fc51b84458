"""produce_study_outputs on a small linked dataset built here, with a known effect and known small cells.

The research store is written directly (spec C tables), so the test does not depend on the linkage
pipeline. Built in: programme families are looked after far less often than comparison families (a
large effect the evaluation must find); council LA04 has only a handful of 'never' families (a small
cell that must be suppressed); later-joiners join nine months after being listed, so after censoring
the 13-24 month windows have no comparison data against 'later'.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, cast

import duckdb
import numpy as np
import pandas as pd
import pytest

from famlink.disclosure import DisclosureRules, protect_proportion
from famlink.evaluation import person_outcomes
from famlink.report import StudyReportInputs
from famlink.report.guard import published_counts
from famlink.report.render import SECTIONS
from famlink.roles.research.outputs import StudyOutputs, produce_study_outputs

OBSERVED_UNTIL = dt.date(2020, 12, 31)
FAMILIES = {"programme": 160, "later": 90, "never": 90}
SMALL_NEVER_COUNCIL = "LA04"


def _families(rng: np.random.Generator, sizes: dict[str, int]) -> list[dict[str, Any]]:
    rows = []
    for group, n in sizes.items():
        for i in range(n):
            council = f"LA0{1 + i % 3}" if not (group == "never" and i < 4) else SMALL_NEVER_COUNCIL
            start = dt.date(2016, 1, 1) + dt.timedelta(days=int(rng.integers(0, 540)))
            rows.append(
                {"family_id": f"F{group[0]}{i:04d}", "group": group, "council": council, "start": start}
            )
    return rows


def _cohort(rng: np.random.Generator, sizes: dict[str, int]) -> pd.DataFrame:
    people: list[dict[str, Any]] = []
    for f in _families(rng, sizes):
        problems = rng.random(6) < 0.5
        problems[:2] = True
        for k in range(int(rng.integers(2, 5))):
            child = k > 0
            people.append(
                {
                    "person_id": f"P{len(people):05d}",
                    "family_id": f["family_id"],
                    "council": f["council"],
                    "group": f["group"],
                    "start_date": f["start"],
                    "joined_later_on": f["start"] + dt.timedelta(days=270) if f["group"] == "later" else None,
                    "role": "child" if child else "parent",
                    "sex": "F" if rng.random() < 0.5 else "M",
                    "age_at_start": int(rng.integers(5, 16)) if child else int(rng.integers(20, 50)),
                    "problems_met": int(problems.sum()),
                    "crime_asb": bool(problems[0]),
                    "domestic_abuse": bool(problems[1]),
                    "children_need_help": bool(problems[2]),
                    "health": bool(problems[3]),
                    "school_attendance": bool(problems[4]),
                    "worklessness": bool(problems[5]),
                    "ethnicity": "White",
                    "disability": False,
                    "imd_decile": int(rng.integers(1, 4)),
                }
            )
    cohort = pd.DataFrame(people)
    cohort.loc[cohort.index[:3], "age_at_start"] = None  # three people with an unknown age
    return cohort


def _events(rng: np.random.Generator, cohort: pd.DataFrame) -> dict[str, pd.DataFrame]:
    moj, cin, benefits, jobs, attendance, exclusions = [], [], [], [], [], []
    for p in cohort.itertuples():
        start = cast(dt.date, p.start_date)
        treated = p.group == "programme"
        for month in range(-12, 24, 3):
            day = start + dt.timedelta(days=30 * month + 10)
            if rng.random() < 0.12:
                moj.append((p.person_id, day, "offence", p.role == "child"))
            if p.role == "parent" and rng.random() < 0.02:
                moj.append((p.person_id, day, "custody", False))
            if p.role == "child" and rng.random() < (0.03 if treated and month >= 0 else 0.15):
                cin.append((p.person_id, "lac", day, day + dt.timedelta(days=60)))
            if p.role == "child" and rng.random() < 0.05:
                cin.append((p.person_id, "cin", day, day + dt.timedelta(days=90)))
                exclusions.append((p.person_id, day, "fixed"))
            if p.role == "child":
                attendance.append((p.person_id, 2016, 1, day, 60, int(rng.integers(0, 12))))
        if p.role == "parent":
            benefits.append(
                (
                    p.person_id,
                    "UC",
                    start - dt.timedelta(days=400),
                    start + dt.timedelta(days=int(rng.integers(0, 700))),
                )
            )
            if rng.random() < 0.4:
                jobs.append((p.person_id, start + dt.timedelta(days=int(rng.integers(-300, 300))), None))
    return {
        "moj_events": pd.DataFrame(moj, columns=["person_id", "date", "event", "juvenile"]),
        "dfe_children_in_need": pd.DataFrame(cin, columns=["person_id", "episode", "start_date", "end_date"]),
        "dwp_benefit_spells": pd.DataFrame(
            benefits, columns=["person_id", "benefit", "start_date", "end_date"]
        ),
        "dwp_employment_spells": pd.DataFrame(jobs, columns=["person_id", "start_date", "end_date"]).astype(
            {"end_date": "datetime64[s]"}
        ),
        "dfe_attendance": pd.DataFrame(
            attendance,
            columns=[
                "person_id",
                "academic_year",
                "term",
                "term_start",
                "sessions_possible",
                "sessions_missed",
            ],
        ),
        "dfe_exclusions": pd.DataFrame(exclusions, columns=["person_id", "date", "kind"]),
    }


def build_store(
    path: Path, seed: int = 7, families: dict[str, int] | None = None
) -> duckdb.DuckDBPyConnection:
    """A research store holding spec C's tables and a match-quality summary."""
    rng = np.random.default_rng(seed)
    con = duckdb.connect(str(path))
    cohort = _cohort(rng, families or FAMILIES)
    con.register("cohort_df", cohort)
    con.execute(
        "CREATE TABLE cohort AS "
        "SELECT * REPLACE (CAST(age_at_start AS INTEGER) AS age_at_start) FROM cohort_df"
    )
    for name, frame in _events(rng, cohort).items():
        con.register("frame", frame)
        casts = ", ".join(
            f"CAST({c} AS DATE) AS {c}"
            for c in frame.columns
            if c in ("date", "start_date", "end_date", "term_start")
        )
        con.execute(f"CREATE TABLE {name} AS SELECT * REPLACE ({casts}) FROM frame")
        con.unregister("frame")
    con.execute(
        "CREATE TABLE linkage_quality AS SELECT * FROM (VALUES "
        "('dwp', 'requests', 640), ('dwp', 'matched', 601), ('dwp', 'review_pairs', 23), "
        "('moj', 'requests', 1100), ('moj', 'matched', 1093), ('moj', 'review_pairs', 4), "
        "('dfe', 'requests', 700), ('dfe', 'matched', 650), ('dfe', 'review_pairs', 0)"
        ") v(department, measure, value)"
    )
    return con


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return build_store(tmp_path_factory.mktemp("research") / "research.duckdb")


@pytest.fixture(scope="module")
def outputs(store: duckdb.DuckDBPyConnection, tmp_path_factory: pytest.TempPathFactory) -> StudyOutputs:
    return produce_study_outputs(
        store,
        tmp_path_factory.mktemp("out"),
        metadata={"world": "small synthetic linked dataset (test)", "agreement_id": "DSA-TEST"},
        bootstrap=50,
        observed_until=OBSERVED_UNTIL,
    )


@pytest.fixture(scope="module")
def inputs(outputs: StudyOutputs) -> StudyReportInputs:
    return StudyReportInputs.load(outputs.report_inputs_json)


def test_every_count_in_the_inputs_is_a_multiple_of_five_of_at_least_ten_or_suppressed(
    inputs: StudyReportInputs,
) -> None:
    sites = list(published_counts(inputs))
    assert len(sites) > 50
    for site in sites:
        if site.count == "[c]":
            continue
        value = int(site.count.replace(",", ""))
        assert value % 5 == 0 and value >= 10, site.where


def test_every_published_table_cell_is_rounded_and_above_the_threshold(outputs: StudyOutputs) -> None:
    tables = sorted(outputs.tables_dir.glob("*.csv"))
    assert {"cohort-families.csv", "cohort-people.csv", "linkage.csv"} <= {t.name for t in tables}
    for table in tables:
        frame = pd.read_csv(table, index_col=0, dtype=str)
        for cell in frame.to_numpy().ravel():
            assert cell == "[c]" or (int(cell) % 5 == 0 and int(cell) >= 10), table.name


def test_the_small_council_cell_is_suppressed_with_a_complement(outputs: StudyOutputs) -> None:
    families = pd.read_csv(outputs.tables_dir / "cohort-families.csv", index_col=0, dtype=str)
    assert families.loc[SMALL_NEVER_COUNCIL, "never"] == "[c]"
    # a second cell in the same row and column hides it from subtraction
    assert (families.loc[SMALL_NEVER_COUNCIL] == "[c]").sum() >= 2
    assert (families["never"] == "[c]").sum() >= 2


def test_the_report_renders_with_every_section(outputs: StudyOutputs) -> None:
    html = outputs.report_html.read_text(encoding="utf-8")
    for anchor, heading in SECTIONS:
        assert f'id="{anchor}"' in html, anchor
        assert heading in html


def test_the_log_lists_every_output_the_inputs_name_and_none_failed(
    inputs: StudyReportInputs, outputs: StudyOutputs
) -> None:
    log = json.loads(outputs.output_log_json.read_text(encoding="utf-8"))
    logged = {entry["output"] for entry in log["outputs"]}
    named = {e.output_id for e in inputs.effects} | {s.output_id for s in inputs.statements}
    assert named <= logged
    assert {"balance-later", "effects-later", "placebo-never", "cohort-criteria"} <= logged
    assert log["summary"]["fail"] == 0


def test_statements_quote_the_protected_proportions(
    store: duckdb.DuckDBPyConnection, inputs: StudyReportInputs
) -> None:
    cohort = store.sql("SELECT * FROM cohort WHERE age_at_start IS NOT NULL").to_arrow_table()
    moj = store.sql("SELECT * FROM moj_events").to_arrow_table()
    people = person_outcomes(cohort, {"moj_events": moj}, observed_until=OBSERVED_UNTIL).to_pandas()
    families = people.groupby("family_id").agg(
        group=("group", "first"), pre=("offence_pre12", "max"), post=("offence_m0_6", "max")
    )
    statement = next(s for s in inputs.statements if s.outcome == "offence" and s.comparison_group == "never")
    for group, rate, shown in (
        ("programme", statement.programme_rate, statement.programme_families),
        ("never", statement.comparison_rate, statement.comparison_families),
    ):
        had = families[(families["group"] == group) & (families["pre"] == 1) & families["post"].notna()]
        expected = protect_proportion(int((had["post"] == 0).sum()), len(had), DisclosureRules())
        assert expected.percent is not None
        assert rate == pytest.approx(expected.percent / 100)
        assert shown == str(expected.denominator)


def test_windows_without_comparison_data_are_reported_not_estimable(
    inputs: StudyReportInputs, outputs: StudyOutputs
) -> None:
    later_windows = {e.window for e in inputs.effects if e.comparison_group == "later"}
    assert later_windows and later_windows <= {"m0_6", "m7_12"}
    assert {e.window for e in inputs.effects if e.comparison_group == "never"} >= {"m13_18", "m19_24"}
    assert outputs.not_estimable["later"] >= 22
    assert any("not estimable" in text and "19-24 months" in text for text in inputs.limitations)


def test_the_built_in_effect_on_being_looked_after_is_found(inputs: StudyReportInputs) -> None:
    effect = next(
        e
        for e in inputs.effects
        if (e.outcome, e.window, e.comparison_group) == ("looked_after", "m0_6", "never")
    )
    assert effect.ci_high < 0
    assert effect.treated_rate < effect.comparison_rate


def test_effects_show_the_rate_from_rounded_counts(inputs: StudyReportInputs) -> None:
    for effect in inputs.effects:
        shown_with_outcome = effect.treated_rate * int(effect.n_treated)
        assert round(shown_with_outcome) % 5 == 0
        assert shown_with_outcome == pytest.approx(round(shown_with_outcome), abs=0.05)
        expected = max(0.0, min(1.0, effect.treated_rate - effect.att))
        assert effect.comparison_rate == pytest.approx(expected, abs=1e-3)


def test_people_with_unknown_age_are_counted_as_a_protected_figure(inputs: StudyReportInputs) -> None:
    assert any("unknown age" in text and "[c]" in text for text in inputs.limitations)
