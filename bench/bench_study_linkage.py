"""The research dataset's linkage against truth at scale: how well each department found the cohort.

    .venv/bin/python -m bench.bench_study_linkage --world /tmp/national --study /tmp/national-study

Takes a world and a finished `famlink study run` on it (e.g. the one `bench.bench_study` leaves),
re-runs each department's linkage on the request the agent sent it with the current engine, and
scores every link against the world's truth (tests/e2e/linkage_truth.py, shared with the 80-family
test). The study's own match counts are shown beside the re-run's: they differ when the study ran
with an earlier engine. Results are appended to bench/results/bench_study_linkage.json and
summarised in bench_study_linkage.md. Targets (the linkage issue): precision >= 99.95%, recall >= 99.8%.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.e2e.linkage_truth import score_department, truth_connection

from famlink.roles.department.holdings import DEPARTMENTS

RESULTS = Path(__file__).parent / "results"
TARGETS = {"precision": 0.9995, "recall": 0.998}


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def _world(world: Path) -> dict[str, Any]:
    meta = json.loads((world / "world.json").read_text(encoding="utf-8"))
    parameters = meta.get("parameters", {})
    return {k: parameters.get(k) for k in ("families", "councils", "seed")}


def measure(world: Path, study: Path, as_of: dt.date, chosen: list[str]) -> dict[str, Any]:
    """Score the chosen departments; wall time per department (the re-run linkage dominates)."""
    con = truth_connection(world, study)
    departments = []
    for department in chosen:
        began = time.perf_counter()
        score = score_department(con, world, study, department, as_of)
        departments.append(
            {
                "department": department,
                "requests": score.requests,
                "traced": score.traced_requests,
                "findable": score.findable,
                "links": score.links,
                "false_links": score.links - score.correct,
                "missed": score.findable - score.found,
                "precision": round(score.precision, 6),
                "recall": round(score.recall, 6),
                "study_matched": score.department_matched,
                "missed_by_fate": score.missed_by_fate,
                "seconds": round(time.perf_counter() - began, 1),
                "met": score.precision >= TARGETS["precision"] and score.recall >= TARGETS["recall"],
            }
        )
        print(json.dumps(departments[-1]))
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "world": _world(world),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "targets": TARGETS,
        "departments": departments,
    }


def write_results(record: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "bench_study_linkage.json"
    records = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    records.append(record)
    path.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# bench_study_linkage results",
        "",
        "Written by `.venv/bin/python -m bench.bench_study_linkage --world W --study S`: each department's",
        "linkage re-run on the agent's request with the engine of the commit shown, scored against the",
        "world's truth. Targets: precision >= 99.95%, recall >= 99.8%.",
        "",
        "| date (UTC) | commit | world | department | requests | findable | links | false | missed "
        "| precision | recall | met | seconds | study's own matches "
        "| missed, by what became of the true pair |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in records:
        size = run["world"]
        label = f"{size['families']:,} families, {size['councils']} councils, seed {size['seed']}"
        for d in run["departments"]:
            lines.append(
                f"| {run['date'][:16]} | {run['commit']} | {label} | {d['department']} | {d['requests']:,} "
                f"| {d['findable']:,} | {d['links']:,} | {d['false_links']:,} | {d['missed']:,} "
                f"| {d['precision']:.4%} | {d['recall']:.4%} | {'yes' if d['met'] else 'no'} "
                f"| {d['seconds']} | {d['study_matched']:,} | {_fates(d.get('missed_by_fate'))} |"
            )
    (RESULTS / "bench_study_linkage.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _fates(fates: dict[str, int] | None) -> str:
    if not fates:
        return "not recorded" if fates is None else "none"
    return "; ".join(f"{fate}: {count:,}" for fate, count in sorted(fates.items(), key=lambda kv: -kv[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--world", type=Path, required=True)
    parser.add_argument("--study", type=Path, required=True, help="a finished study folder")
    parser.add_argument("--as-of", default="2026-11-21", help="the study's date (packages are checked at it)")
    parser.add_argument("--department", action="append", choices=sorted(DEPARTMENTS), help="default: all")
    args = parser.parse_args()
    chosen = args.department or sorted(DEPARTMENTS)
    write_results(measure(args.world, args.study, dt.date.fromisoformat(args.as_of), chosen))


if __name__ == "__main__":
    main()
