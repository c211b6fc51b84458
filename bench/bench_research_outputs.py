"""Time the research role's outputs (evaluation, disclosure control, report) on a synthetic world.

`famlink study run` builds the research store through every role; while its linkage step is being
fixed this benchmark can instead build the spec-C linked dataset straight from the world's truth
(perfect linkage: every department record joined to its true person). That is test scaffolding only:
no pipeline code reads truth. Usage:

    .venv/bin/python -m bench.bench_research_outputs --world DIR [--store research.duckdb]
        [--bootstrap 200] [--out DIR]

Writes bench/results/bench_research_outputs.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import duckdb

from famlink.governance.store import RoleStore
from famlink.roles.research.outputs import produce_study_outputs

RESULTS = Path(__file__).parent / "results"

COHORT_FROM_TRUTH = """
CREATE OR REPLACE TABLE cohort AS
WITH fam AS (
    SELECT *, CASE status WHEN 'joined' THEN 'programme' WHEN 'waiting' THEN 'later' ELSE 'never' END AS grp,
           CASE status WHEN 'joined' THEN start_date WHEN 'waiting' THEN waiting_list_date
                ELSE assessed_date END AS start_at
    FROM '{w}/truth/families.parquet' WHERE status IS NOT NULL AND eligible
)
SELECT p.person_id, p.family_id, f.council, f.grp AS "group", f.start_at AS start_date,
       CASE WHEN f.status = 'waiting' THEN f.start_date END AS joined_later_on,
       p.role, p.sex, CAST(date_diff('year', p.date_of_birth, f.start_at) AS INTEGER) AS age_at_start,
       CAST(f.problems_at_assessment AS INTEGER) AS problems_met,
       f.problem_crime_asb AS crime_asb, f.problem_domestic_abuse AS domestic_abuse,
       f.problem_children_need_help AS children_need_help, f.problem_health AS health,
       f.problem_school AS school_attendance, f.problem_worklessness AS worklessness,
       p.ethnicity, p.disability, p.imd_decile
FROM '{w}/truth/persons.parquet' p JOIN fam f USING (family_id)
ORDER BY person_id
"""

OUTCOMES_FROM_TRUTH = {
    "moj_events": ("moj", "events", "date, event, juvenile"),
    "dwp_benefit_spells": ("dwp", "benefit_spells", "benefit, start_date, end_date"),
    "dwp_employment_spells": ("dwp", "employment_spells", "start_date, end_date"),
    "dfe_attendance": (
        "dfe",
        "attendance",
        "academic_year, term, term_start, sessions_possible, sessions_missed",
    ),
    "dfe_exclusions": ("dfe", "exclusions", "date, kind"),
    "dfe_attainment": ("dfe", "attainment", "key_stage, year, score"),
    "dfe_children_in_need": ("dfe", "children_in_need", "episode, start_date, end_date"),
}


def build_store_from_truth(world: Path, store: Path) -> None:
    """The spec-C linked dataset with perfect linkage (scaffolding while the study run is fixed)."""
    con = duckdb.connect(str(store))
    con.execute(COHORT_FROM_TRUTH.format(w=world))
    for table, (department, name, columns) in OUTCOMES_FROM_TRUTH.items():
        select = ", ".join(f"o.{c.strip()}" for c in columns.split(","))
        con.execute(
            f"""CREATE OR REPLACE TABLE {table} AS
            SELECT r.person_id, {select}
            FROM '{world}/departments/{department}/{name}.parquet' o
            JOIN '{world}/truth/records.parquet' r ON r.source = '{department}' AND r.record_id = o.record_id
            JOIN cohort c ON c.person_id = r.person_id"""
        )
    con.execute(
        f"""CREATE OR REPLACE TABLE linkage_quality AS
        SELECT d.department, m.measure, CASE m.measure WHEN 'requests' THEN count(*)
            WHEN 'matched' THEN count(r.person_id) ELSE 0 END AS value
        FROM cohort c CROSS JOIN (VALUES ('dwp'), ('moj'), ('dfe')) d(department)
        CROSS JOIN (VALUES ('requests'), ('matched'), ('review_pairs')) m(measure)
        LEFT JOIN (SELECT DISTINCT source, person_id FROM '{world}/truth/records.parquet') r
          ON r.source = d.department AND r.person_id = c.person_id
        GROUP BY d.department, m.measure"""
    )
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--world", type=Path, required=True)
    parser.add_argument("--store", type=Path, default=None, help="a DuckDB file holding spec C's tables")
    parser.add_argument("--study", type=Path, default=None, help="a `famlink study run --out` folder")
    parser.add_argument("--bootstrap", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("/tmp/famlink-research-outputs"))
    args = parser.parse_args()
    world = json.loads((args.world / "world.json").read_text(encoding="utf-8"))
    store = args.store
    if args.study is not None:
        research = RoleStore.open(args.study / "stores" / "research", role="research")
        with research.session(operator="bench", purpose="national-impact-study") as con:
            run(con, args, world, f"research store of {args.study}")
        research.close()
        return
    if store is None:
        store = args.out / "research-from-truth.duckdb"
        args.out.mkdir(parents=True, exist_ok=True)
        store.unlink(missing_ok=True)
        build_store_from_truth(args.world, store)
    con = duckdb.connect(str(store), read_only=True)
    run(con, args, world, "built from truth (perfect linkage)" if args.store is None else str(args.store))


def run(con: duckdb.DuckDBPyConnection, args: argparse.Namespace, world: dict[str, Any], source: str) -> None:
    """Produce the outputs from `con`, time them, and write the results files."""
    started = time.perf_counter()
    outputs = produce_study_outputs(
        con,
        args.out / "report",
        metadata={"world": f"synthetic world, seed {world['parameters']['seed']}", "synthetic": True},
        bootstrap=args.bootstrap,
        observed_until=dt.date(2022, 12, 31),
    )
    wall = time.perf_counter() - started
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "note": "shared machine: other engineers' work may have been running",
        "world": world["parameters"] | {"effects": None, "error_rates": None},
        "store": source,
        "bootstrap": args.bootstrap,
        "seconds_total": round(wall, 2),
        "seconds_by_step": {k: round(v, 2) for k, v in outputs.seconds.items()},
        "effects_published": outputs.effects_published,
        "not_estimable": outputs.not_estimable,
        "output_check": outputs.output_check,
        "report": str(outputs.report_html),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_research_outputs.json").write_text(
        json.dumps(result, indent=2) + "\n", encoding="utf-8"
    )
    lines = [
        "# Research outputs benchmark",
        "",
        f"{result['date']} on {result['machine']} ({result['note']}).",
        f"World: {world['parameters']['families']} families, {world['parameters']['councils']} councils; "
        f"store {result['store']}; {args.bootstrap} bootstrap replicates.",
        "",
        f"Total: {wall:.1f} s. By step: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in result["seconds_by_step"].items()),
    ]
    (RESULTS / "bench_research_outputs.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
