"""Time `famlink study run` step by step, with peak memory per step, on a synthetic world.

The national-scale target (issue 4 §6): the whole study on the national world (400,000 programme
families in 150 councils, about 1.6 million programme people, departments holding several times more)
within 30 minutes and 16 GB on a 2-core machine, linkage on DuckDB. Usage:

    .venv/bin/famlink synth --out /tmp/national --families 400000 --councils 150 --seed 1
    .venv/bin/python -m bench.bench_study --world /tmp/national --out /tmp/national-study

The study runs in this process (as `famlink study run` would), so the peak resident memory sampled
here is the study's own. Writes bench/results/bench_study.json and .md (the `--label` keeps one
entry per world size; re-running a label replaces its entry).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from famlink.study.run import StudySettings, run_study

RESULTS = Path(__file__).parent / "results"
LIMITS = {"seconds": 1800, "peak_rss_mb": 16384}


def resident_mb() -> float:
    """This process's resident set now (Linux /proc), in MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@dataclass
class StepClock:
    """Wall time and peak resident memory per step, sampled by a background thread."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    _peak: float = 0.0
    _started: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def sample_forever(self) -> None:
        while not self._stop.wait(0.2):
            self._peak = max(self._peak, resident_mb())

    def start(self) -> None:
        threading.Thread(target=self.sample_forever, daemon=True).start()

    def step(self, text: str) -> None:
        self.close_step()
        self._started, self._peak = time.perf_counter(), resident_mb()
        self.steps.append({"step": text})
        print(f"{dt.datetime.now():%H:%M:%S} {text}", flush=True)

    def close_step(self) -> None:
        if self.steps and "seconds" not in self.steps[-1]:
            self._peak = max(self._peak, resident_mb())
            self.steps[-1] |= {
                "seconds": round(time.perf_counter() - self._started, 1),
                "peak_rss_mb": round(self._peak),
            }

    def stop(self) -> None:
        self.close_step()
        self._stop.set()


def grouped(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold the per-council steps into one row (the report would otherwise list 150 councils)."""
    rows: list[dict[str, Any]] = []
    councils = [s for s in steps if s["step"].startswith("council ")]
    for s in steps:
        if s["step"].startswith("council "):
            if s is councils[0]:
                rows.append(
                    {
                        "step": f"councils ({len(councils)}): load, eligibility, cohort, exports",
                        "seconds": round(sum(c["seconds"] for c in councils), 1),
                        "peak_rss_mb": max(c["peak_rss_mb"] for c in councils),
                        "slowest_council_seconds": max(c["seconds"] for c in councils),
                    }
                )
            continue
        rows.append(s)
    return rows


def world_size(world: Path) -> dict[str, Any]:
    meta = json.loads((world / "world.json").read_text())
    parameters = meta.get("parameters", {})
    size = {k: parameters.get(k) for k in ("families", "councils", "seed")}
    return size | {"counts": meta.get("counts", {})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--world", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="study folder (replaced)")
    parser.add_argument("--label", default="national")
    parser.add_argument("--note", default="quiet machine")
    parser.add_argument("--as-of", default="2026-11-21")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)

    clock = StepClock()
    clock.start()
    began = time.perf_counter()
    settings = StudySettings(as_of=dt.date.fromisoformat(args.as_of))
    summary = run_study(args.world, args.out, settings, step=clock.step)
    clock.stop()
    total = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "label": args.label,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "note": args.note,
        "world": world_size(args.world),
        "total_seconds": round(total, 1),
        "peak_rss_mb": round(peak),
        "limits": LIMITS,
        "met": total <= LIMITS["seconds"] and peak <= LIMITS["peak_rss_mb"],
        "steps": grouped(clock.steps),
        "agent": summary.agent,
        "departments": summary.departments,
        "research": summary.research,
    }
    write_results(result)
    print(json.dumps({k: result[k] for k in ("total_seconds", "peak_rss_mb", "met")}))


def write_results(result: dict[str, Any]) -> None:
    path = RESULTS / "bench_study.json"
    runs = json.loads(path.read_text()) if path.exists() else []
    runs = [r for r in runs if r["label"] != result["label"]] + [result]
    path.write_text(json.dumps(runs, indent=2) + "\n")
    (RESULTS / "bench_study.md").write_text(markdown(runs))


def markdown(runs: list[dict[str, Any]]) -> str:
    lines = ["# `famlink study run`, step by step", ""]
    for r in runs:
        w = r["world"]
        lines += [
            f"## {r['label']}: {w.get('families', 0):,} programme families, {w.get('councils')} councils",
            "",
            f"{r['date']} on {r['machine']} ({r['note']}). Total {r['total_seconds'] / 60:.1f} min, "
            f"peak memory {r['peak_rss_mb'] / 1024:.2f} GB; limits {r['limits']['seconds'] / 60:.0f} min "
            f"and {r['limits']['peak_rss_mb'] / 1024:.0f} GB: {'met' if r['met'] else 'NOT met'}.",
            "",
            "| step | seconds | peak memory MB |",
            "|---|---|---|",
        ]
        lines += [f"| {s['step']} | {s['seconds']} | {s['peak_rss_mb']} |" for s in r["steps"]]
        lines += ["", f"Department match rates: {json.dumps(r['departments'])}", ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
