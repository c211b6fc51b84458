"""How long the synthetic world takes to generate, and how much memory it needs.

Run: `.venv/bin/python -m bench.bench_synth [--scales default,national] [--out-dir /tmp/famlink-bench]`
Writes bench/results/bench_synth.json and .md.

Scales: `default` is `famlink synth`'s default (2,000 programme families, 4 councils) and must take
well under a minute; `national` is the national study (400,000 programme families in 150 councils,
about 1.5 million programme people, departments holding three times as many background families)
and must take under 10 minutes and 8 GB. Each scale runs in a fresh process; its peak memory is the
largest summed resident memory of that process and its worker processes (sampled from /proc every
0.5 s), and its CPU time includes the workers'. The machine's load average is recorded beside each
run because the machine may be shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
SCALES: dict[str, dict[str, int]] = {
    "default": {"families": 2000, "councils": 4, "seed": 1},
    "national": {"families": 400_000, "councils": 150, "seed": 1},
}
LIMITS = {"default": {"seconds": 60, "peak_rss_mb": 8192}, "national": {"seconds": 600, "peak_rss_mb": 8192}}

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from famlink.synth.config import SynthConfig
from famlink.synth.world import generate_world
args = json.loads(sys.argv[1])
start = time.perf_counter()
info = generate_world(SynthConfig(families=args["families"], councils=args["councils"], seed=args["seed"]),
                      Path(args["out"]), overwrite=True)
wall = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF)
workers = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
print(json.dumps({"wall_seconds": wall, "cpu_seconds": cpu, "main_process_peak_rss_mb": own.ru_maxrss / 1024,
                  "counts": info["counts"]}))
"""


class TreeMemory:
    """Samples the summed resident memory of a process and all its descendants (the worker processes
    count too), from /proc, every half second; `peak_mb` is the largest sum seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_mb, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.peak_mb = max(self.peak_mb, sum(_rss_mb(pid) for pid in _tree(self.pid)))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def _tree(root: int) -> list[int]:
    pids, frontier = [root], [root]
    while frontier:
        pid = frontier.pop()
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                children = (task / "children").read_text().split()
                pids += [int(c) for c in children]
                frontier += [int(c) for c in children]
        except OSError:
            continue
    return pids


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_scale(name: str, out_dir: Path) -> dict[str, Any]:
    """Generate one scale in a fresh Python process and return its measurements."""
    settings = SCALES[name]
    target = out_dir / name
    load_before = os.getloadavg()
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, json.dumps({**settings, "out": str(target)})],
        stdout=subprocess.PIPE,
        text=True,
    )
    memory = TreeMemory(child.pid)
    stdout, _ = child.communicate()
    peak_mb = memory.stop()
    if child.returncode != 0:
        raise SystemExit(f"generation failed for scale {name} (exit {child.returncode})")
    process_seconds = time.perf_counter() - started
    measured = json.loads(stdout.strip().splitlines()[-1])
    measured["peak_rss_mb"] = peak_mb
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    counts = measured.pop("counts")
    rows = counts["rows"]
    result = {
        "scale": name,
        "settings": settings,
        **{k: round(v, 2) for k, v in measured.items()},
        "process_seconds_including_imports": round(process_seconds, 2),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "programme_families": counts["programme_families"],
        "background_families": counts["background_families"],
        "people": counts["people"],
        "programme_people": rows.get("truth/records.parquet", 0) and _programme_people(target),
        "department_people": {
            d: rows.get(f"departments/{d}/people.parquet", 0) for d in ("dwp", "moj", "dfe")
        },
        "total_rows": sum(rows.values()),
        "output_mb": round(size / 2**20, 1),
        "limits": LIMITS[name],
    }
    result["within_limits"] = (
        result["wall_seconds"] < LIMITS[name]["seconds"]
        and result["peak_rss_mb"] < LIMITS[name]["peak_rss_mb"]
    )
    return result


def _programme_people(world: Path) -> int:
    import duckdb

    query = f"select count(*) from '{world}/truth/persons.parquet' where programme"
    return int(duckdb.connect().execute(query).fetchall()[0][0])


def machine() -> dict[str, Any]:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
    }


def write_results(results: list[dict[str, Any]]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "bench_synth",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "note": "Load averages before and after each run are recorded: a load well above 2 means other "
        "work shared the 2 cores and the wall time is an upper bound.",
        "runs": results,
    }
    (RESULTS / "bench_synth.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# bench_synth: synthetic world generation",
        "",
        f"Run {payload['date']} on {payload['machine']['platform']} "
        f"({payload['machine']['cpus']} CPUs, {payload['machine']['memory_gb']} GB). {payload['note']}",
        "",
        "| scale | families (programme + background) | people | wall s | CPU s (all processes) "
        "| CPU s / wall s | peak RSS MB (all processes) | output MB | load before / after | within limits |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        share = r["cpu_seconds"] / max(r["wall_seconds"], 1e-9)
        lines.append(
            f"| {r['scale']} | {r['programme_families']:,} + {r['background_families']:,} | {r['people']:,} "
            f"| {r['wall_seconds']} | {r['cpu_seconds']} | {share:.2f} | {r['peak_rss_mb']:.0f} "
            f"| {r['output_mb']} "
            f"| {r['load_average_before'][0]} / {r['load_average_after'][0]} | {r['within_limits']} |"
        )
    lines += [
        "",
        "How to read this: a process that had the machine to itself would show CPU s / wall s near 1 (one "
        "process) or up to 2 (two workers). A much lower figure means the run waited for CPU behind other "
        "work (the load average counts runnable processes; this machine has 2 cores), so its wall time says "
        "more about the machine's load than about the generator.",
    ]
    lines += [
        "",
        "Command: `.venv/bin/python -m bench.bench_synth` (`--scales default` for the quick one).",
        "",
    ]
    (RESULTS / "bench_synth.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scales", default="default,national")
    parser.add_argument("--out-dir", default="/tmp/famlink-bench-synth")
    parser.add_argument("--keep", action="store_true", help="keep the generated worlds")
    args = parser.parse_args(argv)
    out_dir = Path(args.out_dir)
    results = []
    for name in args.scales.split(","):
        result = run_scale(name, out_dir)
        print(json.dumps(result))
        results.append(result)
        if not args.keep:
            shutil.rmtree(out_dir / name, ignore_errors=True)
    write_results(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
