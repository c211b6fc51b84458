"""How long does standardising 1.5 million person records take? (Target: seconds, not minutes.)

Run: `.venv/bin/python -m bench.bench_identifiers [--rows 1500000] [--repeats 3] [--seed 7]`
Writes bench/results/bench_identifiers.json and .md.

The rows are generated here with numpy (the synthetic world is not needed to time standardisation):
names with accents, hyphens, apostrophes and nicknames; dates of birth in the seven formats councils
send, with a share of impossible dates; postcodes in mixed case and spacing; NHS numbers from the
never-issued 999 range (about 5% with a typo), NINOs, UPNs and sexes in several codings; about 2% of
each identifier missing. Only `standardise_people` is timed; generation and loading are not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from famlink.identifiers import invalid_counts, missing_counts, standardise_people
from famlink.identifiers.rules import NHS_WEIGHTS, UPN_ALPHABET

RESULTS = Path(__file__).parent / "results"
FIRST_NAMES = np.array(
    ["Bill", "William", "Peggy", "Margaret", "Zoë", "Chloé", "Mary-Jane", "Mohammed", "Muhammad", "Kasia",
     "Femi", "Oliver", "Amelia", "Jack", "Ellie", "José", "Siobhán", "Aaliyah", "Jakub", "Ngozi"]
)  # fmt: skip
SURNAMES = np.array(
    ["Smith", "O'Brien", "Smith-Jones", "Nowak", "Khan", "Okafor", "van der Berg", "Müller", "Patel",
     "D'Souza", "Brown", "Wilson-Taylor", "McDonald", "Ali", "Kowalski", "Adeyemi", "Jones", "Ó Ceallaigh"]
)  # fmt: skip
SEXES = np.array(["M", "F", "male", "Female", "1", "2", "U", ""])
DOB_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y", "%d-%m-%Y", "%Y%m%d", "%d-%b-%Y", "%d %B %Y")
OUTWARD = np.array(["SW1A", "EC1A", "W1A", "CR2", "DN55", "M1", "B33", "LS11", "NE1", "BS8", "QA1", "G2"])
UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZC"))


def generate(rows: int, seed: int) -> pa.Table:
    """Random person-schema rows (all strings), with the mess real extracts carry."""
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "record_id": [f"R{i:08d}" for i in range(rows)],
            "first_name": _with_missing(rng, rng.choice(FIRST_NAMES, rows)),
            "middle_names": _with_missing(rng, rng.choice(FIRST_NAMES, rows), 0.6),
            "surname": _with_missing(rng, rng.choice(SURNAMES, rows)),
            "sex": _with_missing(rng, rng.choice(SEXES, rows)),
            "date_of_birth": _with_missing(rng, _dates_of_birth(rng, rows)),
            "postcode": _with_missing(rng, _postcodes(rng, rows)),
            "address": _with_missing(rng, np.char.add(rng.integers(1, 300, rows).astype(str), " High St.")),
            "nhs_number": _with_missing(rng, _nhs_numbers(rng, rows)),
            "nino": _with_missing(rng, _ninos(rng, rows)),
            "upn": _with_missing(rng, _upns(rng, rows)),
        }
    )


def _with_missing(rng: np.random.Generator, values: np.ndarray, share: float = 0.02) -> pa.Array:
    return pa.array(values.astype(str), pa.string(), mask=rng.random(len(values)) < share)


def _dates_of_birth(rng: np.random.Generator, rows: int) -> np.ndarray:
    days = rng.integers(0, 80 * 365, rows)
    formats = rng.integers(0, len(DOB_FORMATS), rows)
    start = dt.date(1940, 1, 1)
    text = [
        (start + dt.timedelta(days=int(d))).strftime(DOB_FORMATS[f])
        for d, f in zip(days, formats, strict=True)
    ]
    impossible = rng.random(rows) < 0.003
    out = np.array(text, dtype=object)
    out[impossible] = "31/02/2001"
    return out


def _postcodes(rng: np.random.Generator, rows: int) -> np.ndarray:
    inward = np.char.add(
        rng.integers(0, 10, rows).astype(str),
        np.char.add(rng.choice(UNIT_LETTERS, rows), rng.choice(UNIT_LETTERS, rows)),
    )
    spaced = np.where(rng.random(rows) < 0.5, " ", "")
    code = np.char.add(np.char.add(rng.choice(OUTWARD, rows), spaced), inward)
    return np.where(rng.random(rows) < 0.3, np.char.lower(code), code)


def _nhs_numbers(rng: np.random.Generator, rows: int) -> np.ndarray:
    digits = np.concatenate([np.full((rows, 3), 9), rng.integers(0, 10, (rows, 6))], axis=1)
    check = (11 - (digits * np.array(NHS_WEIGHTS)).sum(axis=1) % 11) % 11  # 11 -> 0; 10 stays invalid
    typo = rng.random(rows) < 0.05
    check = np.where(typo, (check + 1) % 10, check % 10)
    text = ["".join(map(str, d)) + str(c) for d, c in zip(digits, check, strict=True)]
    spaced = [f"{t[:3]} {t[3:6]} {t[6:]}" if i % 4 == 0 else t for i, t in enumerate(text)]
    return np.array(spaced)


def _ninos(rng: np.random.Generator, rows: int) -> np.ndarray:
    letters = np.array(list("ABCEGHJKLMNPRSTWXYZQ"))
    prefix = np.char.add(rng.choice(letters, rows), rng.choice(letters, rows))
    number = np.char.zfill(rng.integers(0, 1_000_000, rows).astype(str), 6)
    return np.char.add(np.char.add(prefix, number), rng.choice(np.array(list("ABCDE")), rows))


def _upns(rng: np.random.Generator, rows: int) -> np.ndarray:
    body = rng.integers(0, 10, (rows, 12))
    weights = np.arange(2, 14)
    check = (body * weights).sum(axis=1) % 23
    letters = np.array(list(UPN_ALPHABET))[check]
    return np.array([letter + "".join(map(str, b)) for letter, b in zip(letters, body, strict=True)])


def measure(rows: int, repeats: int, seed: int) -> dict[str, Any]:
    table = generate(rows, seed)
    con = duckdb.connect()
    con.from_arrow(table).create("people")
    load_before = os.getloadavg()[0]
    timings, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        standardise_people(con, "people", "people_std", as_of=dt.date(2026, 11, 21))
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    out_rows = con.execute("SELECT count(*) FROM people_std").fetchall()[0][0]
    return {
        "rows": rows,
        "output_rows": out_rows,
        "repeats": repeats,
        "seconds": [round(t, 3) for t in timings],
        "median_seconds": round(statistics.median(timings), 3),
        "rows_per_second": round(rows / statistics.median(timings)),
        "cpu_seconds": [round(t, 3) for t in cpu],
        "median_cpu_seconds": round(statistics.median(cpu), 3),
        "load_average_before": round(load_before, 2),
        "invalid_counts": invalid_counts(con, "people_std"),
        "missing_counts": missing_counts(con, "people_std"),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "duckdb_threads": con.execute("SELECT current_setting('threads')").fetchall()[0][0],
    }


def write_results(result: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_identifiers.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# bench_identifiers: standardising person records",
        "",
        f"Run {result['date']} on {result['machine']}; {result['note']}",
        "",
        f"Command: `{result['command']}`",
        "",
        "| rows | median wall s | all runs wall (s) | median CPU s (all threads) | rows per second "
        "| peak RSS (MB) | DuckDB threads | load average before |",
        "|---|---|---|---|---|---|---|---|",
        f"| {result['rows']:,} | {result['median_seconds']} | {', '.join(map(str, result['seconds']))} | "
        f"{result['median_cpu_seconds']} | {result['rows_per_second']:,} | {result['peak_rss_mb']} | "
        f"{result['duckdb_threads']} | {result['load_average_before']} |",
        "",
        "CPU seconds are summed over DuckDB's threads: on an otherwise idle machine the wall time is about",
        "CPU seconds divided by the thread count. When the load average exceeds the core count, other",
        "processes were competing for the CPUs and the wall time is inflated accordingly.",
        "",
        f"Invalid values flagged: {result['invalid_counts']}",
        f"Missing values: {result['missing_counts']}",
        "",
    ]
    (RESULTS / "bench_identifiers.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_500_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = measure(args.rows, args.repeats, args.seed)
    result.update(
        date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        machine=f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}",
        note="shared machine: other engineers' tests and benchmarks may have been running; "
        f"load average at the end {os.getloadavg()[0]:.2f}",
        command=f"python -m bench.bench_identifiers --rows {args.rows} --repeats {args.repeats} "
        f"--seed {args.seed}",
    )
    write_results(result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
