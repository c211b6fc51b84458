"""Crash safety: a study killed with SIGKILL and run again ends with exactly the rows of an
uninterrupted run — nothing duplicated, nothing lost.

The run is a separate process (`python -m tests.e2e.study_steps`), killed the moment a chosen audit
entry appears in a chosen store's log (e.g. DWP has sealed its answer but not yet purged), then run
again on the same folder. Research ids are random per run, so the comparison is by counts per
cohort group and by the multiset of every row with the ids left out.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest

from famlink.study.layout import RESEARCH
from tests.conftest import SmallStudy
from tests.e2e.study_checks import store_tables
from tests.e2e.study_steps import run_data_flow

REPO = Path(__file__).resolve().parents[2]
ID_COLUMNS = {"person_id", "family_id", "request_ref", "council_ref", "_package_id"}
BOOKKEEPING = ("famlink_imports", "famlink_exports")


def run_until(world: Path, root: Path, party: str, action: str, timeout: float = 600) -> None:
    """Start the study, SIGKILL it as soon as `party`'s audit log records `action`."""
    audit = root / "stores" / party / "audit.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.study_steps", str(world), str(root)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if audit.is_file() and f'"action": "{action}"' in audit.read_text(encoding="utf-8"):
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                return
            assert process.poll() is None, f"the run ended before {party} recorded {action}"
            time.sleep(0.05)
        raise AssertionError(f"{party} did not record {action} in time")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def research_rows(root: Path) -> dict[str, collections.Counter[tuple[object, ...]]]:
    """Every research table as a multiset of rows without ids (bookkeeping registers left out)."""
    rows: dict[str, collections.Counter[tuple[object, ...]]] = {}
    for name, table in store_tables(root / "stores" / RESEARCH).items():
        if name.endswith(BOOKKEEPING):
            continue
        kept = table.select(sorted(set(table.column_names) - ID_COLUMNS))
        rows[name] = collections.Counter(zip(*(kept[c].to_pylist() for c in kept.column_names), strict=True))
        rows[f"{name} (rows)"] = collections.Counter({("count",): table.num_rows})
    return rows


def groups(root: Path) -> dict[tuple[str, str], int]:
    cohort: pa.Table = store_tables(root / "stores" / RESEARCH)["main_db.cohort"]
    return dict(
        collections.Counter(zip(cohort["council"].to_pylist(), cohort["group"].to_pylist(), strict=True))
    )


def assert_same_as_uninterrupted(root: Path, small_study: SmallStudy) -> None:
    expected, got = research_rows(small_study.root), research_rows(root)
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name
    assert groups(root) == groups(small_study.root)
    assert sum(expected["main_db.dfe_attendance (rows)"].values()) > 0


def test_killed_after_a_department_answered_finishes_with_the_same_rows(
    small_study: SmallStudy, tmp_path: Path
) -> None:
    """Killed as DWP seals its answer (before its purge): the re-run neither answers twice nor loses it."""
    root = tmp_path / "study"
    run_until(small_study.world, root, "dwp", "export")
    run_data_flow(small_study.world, root)
    assert not (root / "stores" / "dwp" / "data" / "match_request.duckdb").exists()
    assert_same_as_uninterrupted(root, small_study)


@pytest.mark.slow
def test_killed_at_several_points_finishes_with_the_same_rows(
    small_study: SmallStudy, tmp_path: Path
) -> None:
    """Killed again and again on one folder, each time further on, then finished."""
    root = tmp_path / "study"
    for party, action in [
        ("LA01", "export"),
        ("ons", "import"),
        ("ons", "research_ids_assigned"),
        ("ons", "export"),
        ("moj", "import"),
        ("dfe", "export"),
        ("research", "import"),
    ]:
        run_until(small_study.world, root, party, action)
    run_data_flow(small_study.world, root)
    assert_same_as_uninterrupted(root, small_study)
