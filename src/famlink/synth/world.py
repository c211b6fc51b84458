"""`generate_world`: the synthetic England on disk, council by council, all or nothing.

The world is written into a hidden temporary folder beside the target and renamed into place only
when every file is complete, so a failed or interrupted run leaves no partial world behind.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from famlink.errors import ConfigError
from famlink.synth.config import SynthConfig
from famlink.synth.council_sources import write_council
from famlink.synth.council_world import CouncilWorld, Offsets, build_council
from famlink.synth.department_sources import DepartmentCounters, append_departments
from famlink.synth.ids import POSTCODE_AREAS, council_codes, la_codes, nhs_pool
from famlink.synth.programme import STATUS_NAMES
from famlink.synth.sink import TableSink
from famlink.synth.truth import append_truth, ids_for

FORMAT = "famlink-synth/1"
Progress = Callable[[int, int], None]


def generate_world(
    config: SynthConfig, out: Path, *, overwrite: bool = False, on_council: Progress | None = None
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
        info = _generate_into(config, tmp, on_council)
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


def _generate_into(config: SynthConfig, root: Path, on_council: Progress | None) -> dict[str, Any]:
    codes, las = council_codes(config.councils), la_codes(config.councils)
    pool = nhs_pool(config.seed)
    quota = len(pool) // config.councils
    sink = TableSink(root)
    counters = DepartmentCounters()
    offsets = Offsets(0, 0, 0)
    councils: list[dict[str, Any]] = []
    errors: dict[str, dict[str, int]] = {}
    removed: dict[str, int] = {}
    try:
        for index, families in enumerate(families_per_council(config.families, config.councils)):
            cw = build_council(
                config,
                index,
                families,
                offsets,
                pool[index * quota : (index + 1) * quota],
                codes[index],
                las[index],
            )
            person_ids, family_ids = ids_for(cw)
            maps, council_errors = write_council(cw, config, root, person_ids)
            dept_maps, dept_errors = append_departments(cw, config, sink, counters, person_ids)
            append_truth(cw, sink, person_ids, family_ids, maps + dept_maps)
            _add(errors, {**council_errors, **dept_errors})
            _add({"all": removed}, {"all": cw.removed})
            councils.append(_council_info(cw))
            offsets = Offsets(
                offsets.person + len(cw.people),
                offsets.family + len(cw.fam),
                offsets.nino + int(np.asarray(cw.nino.is_valid()).sum()),
            )
            if on_council:
                on_council(index + 1, config.councils)
    finally:
        sink.close()
    info = _world_info(config, councils, errors, removed, sink.rows)
    _write_json(root / "world.json", info)
    _write_json(root / "truth" / "effects.json", _effects_info(config, removed))
    return info


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
