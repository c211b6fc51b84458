"""`generate_world`: the synthetic England on disk, council by council, all or nothing.

The world is written into a hidden temporary folder beside the target and renamed into place only
when every file is complete, so a failed or interrupted run leaves no partial world behind.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from famlink.errors import ConfigError
from famlink.synth.config import SynthConfig
from famlink.synth.council_sources import write_council
from famlink.synth.council_world import CouncilWorld, Offsets, build_council
from famlink.synth.department_sources import append_departments
from famlink.synth.ids import POSTCODE_AREAS, council_codes, la_codes, nhs_pool
from famlink.synth.programme import STATUS_NAMES
from famlink.synth.sink import Collector, TableSink
from famlink.synth.truth import append_truth, ids_for

FORMAT = "famlink-synth/1"
Progress = Callable[[int, int], None]


def generate_world(
    config: SynthConfig,
    out: Path,
    *,
    overwrite: bool = False,
    on_council: Progress | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Generate the world into `out`; return the summary also written to `out/world.json`."""
    config.validate()
    out = Path(out)
    _check_target(out, overwrite)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        info = _generate_into(config, tmp, on_council, workers or default_workers(config))
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return info


def _check_target(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ConfigError(
            "the output path is a file, not a folder", where=str(out), fix="choose a folder path"
        )
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ConfigError(
            "the output folder already exists and is not empty",
            where=str(out),
            fix="choose a new folder, or pass --overwrite to replace it",
        )


def families_per_council(families: int, councils: int) -> list[int]:
    base, extra = divmod(families, councils)
    return [base + (1 if i < extra else 0) for i in range(councils)]


@dataclass
class CouncilJob:
    """Everything a worker needs to generate one council (picklable, so it can cross processes)."""

    config: SynthConfig
    index: int
    families: int
    nhs_numbers: np.ndarray
    root: Path


@dataclass
class CouncilResult:
    appended: Collector
    errors: dict[str, dict[str, int]]
    removed: dict[str, int]
    info: dict[str, Any]


def run_council(job: CouncilJob) -> CouncilResult:
    """Generate one council: write its own files, and return the rows of the shared files."""
    config = job.config
    code, la_code = council_codes(config.councils)[job.index], la_codes(config.councils)[job.index]
    offsets = Offsets.for_council(job.index, config.councils)
    cw = build_council(config, job.index, job.families, offsets, job.nhs_numbers, code, la_code)
    person_ids, family_ids = ids_for(cw)
    maps, council_errors = write_council(cw, config, job.root, person_ids)
    collector = Collector()
    dept_maps, dept_errors = append_departments(cw, config, collector, person_ids)
    append_truth(cw, collector, person_ids, family_ids, maps + dept_maps)
    return CouncilResult(collector, {**council_errors, **dept_errors}, cw.removed, _council_info(cw))


def default_workers(config: SynthConfig) -> int:
    """Two processes for big worlds on a multi-core machine; one otherwise (start-up costs more)."""
    return 2 if config.families >= 20_000 and config.councils > 1 and (os.cpu_count() or 1) > 1 else 1


def _generate_into(
    config: SynthConfig, root: Path, on_council: Progress | None, workers: int
) -> dict[str, Any]:
    pool = nhs_pool(config.seed)
    quota = len(pool) // config.councils
    jobs = [
        CouncilJob(config, index, families, pool[index * quota : (index + 1) * quota], root)
        for index, families in enumerate(families_per_council(config.families, config.councils))
    ]
    sink = TableSink(root)
    councils: list[dict[str, Any]] = []
    errors: dict[str, dict[str, int]] = {}
    removed: dict[str, int] = {}
    try:
        for done, result in enumerate(_run_jobs(jobs, workers), start=1):
            result.appended.replay(sink)
            _add(errors, result.errors)
            for key, value in result.removed.items():
                removed[key] = removed.get(key, 0) + value
            councils.append(result.info)
            if on_council:
                on_council(done, config.councils)
    finally:
        sink.close()
    info = _world_info(config, councils, errors, removed, sink.rows)
    _write_json(root / "world.json", info)
    _write_json(root / "truth" / "effects.json", _effects_info(config, removed))
    return info


def _run_jobs(jobs: list[CouncilJob], workers: int) -> Iterator[CouncilResult]:
    """Results in council order, whether computed here or in worker processes."""
    if workers <= 1:
        yield from map(run_council, jobs)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as executor:
        pending: deque[Future[CouncilResult]] = deque()
        for job in jobs:
            pending.append(executor.submit(run_council, job))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _add(total: dict[str, dict[str, int]], part: dict[str, dict[str, int]]) -> None:
    for source, counts in part.items():
        bucket = total.setdefault(source, {})
        for key, value in counts.items():
            bucket[key] = bucket.get(key, 0) + value


def _council_info(cw: CouncilWorld) -> dict[str, Any]:
    fam, status = cw.fam, cw.prog.status
    return {
        "code": cw.code,
        "la_code": cw.la_code,
        "postcode_area": POSTCODE_AREAS[cw.index % len(POSTCODE_AREAS)],
        "programme_families": int(fam.programme.sum()),
        "background_families": int((~fam.programme).sum()),
        "known_background_families": int((fam.known & ~fam.programme).sum()),
        "people": len(cw.people),
        "families_by_status": {name: int((status == i).sum()) for i, name in enumerate(STATUS_NAMES)},
    }


def _world_info(
    config: SynthConfig,
    councils: list[dict[str, Any]],
    errors: dict[str, dict[str, int]],
    removed: dict[str, int],
    rows: dict[str, int],
) -> dict[str, Any]:
    realised = {source: realised_rates(counts) for source, counts in sorted(errors.items())}
    return {
        "format": FORMAT,
        "parameters": config.to_json(),
        "councils": councils,
        "counts": {
            "programme_families": sum(c["programme_families"] for c in councils),
            "background_families": sum(c["background_families"] for c in councils),
            "people": sum(c["people"] for c in councils),
            "rows": dict(sorted(rows.items())),
        },
        "error_rates": config.to_json()["error_rates"],
        "realised_error_counts": {s: dict(sorted(c.items())) for s, c in sorted(errors.items())},
        "realised_error_rates": realised,
        "true_effects": config.to_json()["effects"],
        "events_removed_by_programme": dict(sorted(removed.items())),
    }


DENOMINATORS = {
    "nhs_number_missing": "nhs_number_held",
    "nhs_number_wrong": "nhs_number_held",
    "nino_missing": "nino_held",
    "nino_wrong": "nino_held",
    "upn_missing": "upn_held",
    "upn_wrong": "upn_held",
    "hyphen_variant": "hyphenated_surnames",
    "previous_surname": "previous_surname_held",
    "dob_day_month_swap": "dob_swappable",
}
"""Rates whose denominator is not every record: missing identifiers among those held, and so on."""


def realised_rates(counts: dict[str, int]) -> dict[str, float]:
    """Each error's count over its denominator (see DENOMINATORS; otherwise all records)."""
    rates = {}
    for key, value in counts.items():
        if key == "records" or key.endswith("_held") or key in ("hyphenated_surnames", "dob_swappable"):
            continue
        rates[key] = round(value / max(counts.get(DENOMINATORS.get(key, "records"), 0), 1), 6)
    return dict(sorted(rates.items()))


def _effects_info(config: SynthConfig, removed: dict[str, int]) -> dict[str, Any]:
    return {
        "effects": config.to_json()["effects"],
        "meaning": "relative change in the rate of each outcome after a family's start date; "
        "applied to families that joined and to waiting families after their later start",
        "applies_to": {
            "looked_after": "social_care lac_start and DfE children_in_need 'lac' episodes",
            "child_protection": "social_care cpp_start and DfE 'cpp' episodes",
            "child_in_need": "social_care cin_start and DfE 'cin' episodes",
            "adult_custody": "MoJ custody, juvenile = false",
            "juvenile_custody": "MoJ custody, juvenile = true",
            "juvenile_conviction": "MoJ conviction, juvenile = true (its custody goes with it)",
            "adult_conviction": "MoJ conviction, juvenile = false (its custody goes with it)",
            "offence": "police offence and MoJ offence (its caution, conviction, custody go with it)",
            "school_absence": "sessions_missed in DfE attendance and council school data",
            "exclusion": "DfE exclusions",
            "out_of_work_benefit": "DWP benefit spells and council out_of_work_benefit events",
        },
        "events_removed": dict(sorted(removed.items())),
    }


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
