"""How long do sealing a package and importing it into an encrypted store take at national scale?

Run: `.venv/bin/python -m bench.bench_packages [--rows 1500000] [--seed 7]`
Writes bench/results/bench_packages.json and .md.

A council-to-agent identifiers table (12 string columns, synthetic values, NHS numbers from the 999
range) is exported from one encrypted store and imported into another, with every check of the real
path (agreement, signature, checksums, replay register, one transaction). Timed separately: sealing
(Parquet + tar + age encryption + signature), opening and importing, and the package size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from famlink.agreement import DEMO_AGREEMENT, load_agreement
from famlink.agreement.public_keys import add_key_to_agreement
from famlink.governance.store import RoleStore

RESULTS = Path(__file__).parent / "results"
PURPOSE = "national-impact-study"


def identifiers(rows: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)

    def pick(prefix: str, n: int) -> pa.Array:
        return pa.array(np.char.add(prefix, rng.integers(0, n, rows).astype(str)))

    return pa.table(
        {
            "council_ref": pa.array([f"C{i:08d}" for i in range(rows)]),
            "family_ref": pick("F", rows // 3 + 1),
            "first_name": pick("FIRST", 5000),
            "middle_names": pick("MIDDLE", 5000),
            "surname": pick("SURNAME", 20000),
            "sex": pa.array(rng.choice(np.array(["M", "F"]), rows)),
            "date_of_birth": pick("19", 99999),
            "postcode": pick("ZZ", 99999),
            "address": pick("STREET ", 99999),
            "nhs_number": pick("999", 9_999_999),
            "nino": pick("QQ", 999_999),
            "upn": pick("A99", 999_999_999),
        }
    )


def run(rows: int, seed: int) -> dict[str, object]:
    root = Path(tempfile.mkdtemp(prefix="famlink-bench-"))
    try:
        shutil.copyfile(DEMO_AGREEMENT, root / "agreement.yaml")
        council = RoleStore.create(root / "LA01", role="council", party="LA01", operator="bench")
        agent = RoleStore.create(root / "ons", role="agent", party="ons", operator="bench")
        bare = load_agreement(root / "agreement.yaml", with_keys=False)
        for store in (council, agent):
            add_key_to_agreement(bare, store.keys_dir / f"{store.party}.pub")
        agreement = load_agreement(root / "agreement.yaml")
        table = identifiers(rows, seed)
        start = time.perf_counter()
        sealed = council.export_package(
            {"identifiers": table}, agreement=agreement, recipient="ons", purpose=PURPOSE,
            flow="council-identifiers-to-agent", operator="bench",
        )  # fmt: skip
        seal_seconds = time.perf_counter() - start
        start = time.perf_counter()
        agent.import_package(sealed.path, agreement, operator="bench", purpose=PURPOSE)
        import_seconds = time.perf_counter() - start
        with agent.session() as con:
            stored = con.execute("SELECT count(*) FROM identifiers").fetchall()[0][0]
        return {
            "rows": rows,
            "seal_seconds": round(seal_seconds, 2),
            "open_and_import_seconds": round(import_seconds, 2),
            "package_mb": round(sealed.path.stat().st_size / 1e6, 1),
            "store_mb": round(sum(p.stat().st_size for p in (root / "ons" / "data").iterdir()) / 1e6, 1),
            "rows_in_store": stored,
            "database_crypto": agent.crypto_module,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 1_500_000])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    results = [run(rows, args.seed) for rows in args.rows]
    meta = {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}",
        "note": "shared machine: other engineers' tests and benchmarks may have been running",
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "command": "python -m bench.bench_packages --rows "
        + " ".join(map(str, args.rows))
        + f" --seed {args.seed}",
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_packages.json").write_text(json.dumps({**meta, "results": results}, indent=2) + "\n")
    lines = [
        "# bench_packages: sealing and importing an identifiers package",
        "",
        f"Run {meta['run_at']} on {meta['machine']}; {meta['note']}; load average at the end "
        f"{meta['load_average_at_end']}",
        "",
        f"Command: `{meta['command']}`",
        "",
        "| rows | seal (s) | open + import (s) | package (MB) | store (MB) | peak RSS (MB) |",
        "|---|---|---|---|---|---|",
        *(
            f"| {r['rows']:,} | {r['seal_seconds']} | {r['open_and_import_seconds']} | {r['package_mb']} "
            f"| {r['store_mb']} | {r['peak_rss_mb']} |"
            for r in results
        ),
        "",
        f"Database encryption module: {results[0]['database_crypto']}",
    ]
    (RESULTS / "bench_packages.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
