"""Does each estimator recover a known effect? Coverage, bias and interval width over many seeds.

Run: `.venv/bin/python -m bench.bench_evaluation [--seeds 50] [--families 2500] [--bootstrap 100]`
Writes bench/results/bench_evaluation.json and .md.

The data-generating process mirrors the programme (see docs/explanation/evaluation-methods.md):
families of 1–2 adults and 0–4 children in 8 councils; families join the programme ("programme")
or join later ("later", the comparison group) with a probability that rises with the number of
headline problems met, deprivation and the family's prior offending and social-care contact, which
also drive the outcomes (selection on observables, so the naive comparison is biased); a shared family
effect makes members' outcomes correlate (clustering); binary outcomes with the base rates and relative
effects the 2019 evaluation reported (children looked after 2.5% → −32%, adult custody 1.6% → −25%,
juvenile convictions 4.6% → −15%) plus a common one (out-of-work benefit, ~45%, −10%).

The truth for each outcome is the conditional ATT: the mean over programme people of p1 − p0, their
own probabilities with and without the programme. `evaluate_dataset` takes any cohort table with
outcomes and the true effects, so the synthetic world's research dataset can replace `simulate` later.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from famlink.errors import AnalysisError
from famlink.evaluation.data import prepare_data
from famlink.evaluation.run import EvaluationSettings, evaluate

RESULTS = Path(__file__).parent / "results"
COVARIATES = ("problems_met", "imd_decile", "prior_offending", "prior_social_care", "council", "role", "age")


@dataclass(frozen=True)
class OutcomeSpec:
    name: str
    eligible: str  # 'child', 'adult', 'juvenile', 'all'
    base_rate: float
    relative_effect: float


OUTCOMES = (
    OutcomeSpec("looked_after", "child", 0.025, -0.32),
    OutcomeSpec("adult_custody", "adult", 0.016, -0.25),
    OutcomeSpec("juvenile_conviction", "juvenile", 0.046, -0.15),
    OutcomeSpec("out_of_work_benefit", "adult", 0.45, -0.10),
)
RUNS: tuple[tuple[str, str], ...] = (
    ("naive", "ai"),
    ("psm", "ai"),
    ("psm", "multiplier"),
    ("psm_bc", "ai"),
    ("psm_bc", "multiplier"),
    ("ipw", "bootstrap"),
    ("aipw", "ai"),
    ("aipw", "multiplier"),
    ("aipw", "bootstrap"),
    ("did", "bootstrap"),
    ("ipw_did", "bootstrap"),
    ("psm", "bootstrap"),
    ("psm_bc", "bootstrap"),
)


def simulate(families: int, seed: int) -> tuple[pa.Table, dict[str, float]]:
    """A programme cohort with outcomes, and the true ATT of each outcome."""
    rng = np.random.default_rng(seed)
    problems = rng.integers(2, 7, families)
    imd = rng.integers(1, 11, families)
    council = rng.integers(1, 9, families)
    need = rng.normal(0, 1, families) + 0.35 * (problems - 4)
    prior_off = rng.binomial(1, _expit(-1.0 + 0.8 * need))
    prior_care = rng.binomial(1, _expit(-1.2 + 0.8 * need))
    join = 0.45 * (problems - 4) - 0.08 * (imd - 5) + 0.5 * prior_off + 0.4 * prior_care
    treated_family = rng.binomial(1, _expit(-0.2 + join + 0.1 * (council - 4.5))).astype(bool)
    adults = rng.integers(1, 3, families)
    children = rng.integers(0, 5, families)
    size = adults + children
    family = np.repeat(np.arange(families), size)
    is_adult = np.concatenate([np.arange(s) < a for s, a in zip(size, adults, strict=True)])
    age = np.where(is_adult, rng.integers(19, 60, len(family)), rng.integers(0, 18, len(family)))
    frailty = rng.normal(0, 0.6, families)[family]
    risk = 0.35 * need[family] + 0.4 * prior_off[family] + 0.3 * prior_care[family] - 0.05 * (imd[family] - 5)
    table: dict[str, Any] = {
        "family_id": family,
        "treated": treated_family[family].astype(int),
        "problems_met": problems[family],
        "imd_decile": imd[family],
        "prior_offending": prior_off[family],
        "prior_social_care": prior_care[family],
        "council": np.asarray([f"LA{c:02d}" for c in council])[family],
        "role": np.where(is_adult, "adult", "child"),
        "age": age,
    }
    truth: dict[str, float] = {}
    treated = table["treated"] == 1
    for spec in OUTCOMES:
        eligible = _eligible(spec.eligible, is_adult, age)
        base = np.log(spec.base_rate / (1 - spec.base_rate)) - 0.4
        p0 = _expit(base + risk + frailty)
        p1 = p0 * (1 + spec.relative_effect)
        p_pre = _expit(base + risk + frailty + rng.normal(0, 0.3, len(family)))
        observed = np.where(treated, p1, p0)
        table[spec.name] = np.where(eligible, rng.binomial(1, observed), np.nan)
        table[f"{spec.name}_pre"] = np.where(eligible, rng.binomial(1, p_pre), np.nan)
        truth[spec.name] = float((p1 - p0)[treated & eligible].mean())
    return pa.table(table), truth


def _eligible(kind: str, is_adult: np.ndarray, age: np.ndarray) -> np.ndarray:
    if kind == "child":
        return ~is_adult
    if kind == "adult":
        return is_adult
    if kind == "juvenile":
        return (age >= 10) & (age < 18)
    return np.ones_like(is_adult)


def _expit(x: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-x)))


def evaluate_dataset(
    table: pa.Table,
    truth: dict[str, float],
    *,
    runs: Sequence[tuple[str, str]] = RUNS,
    bootstrap: int = 100,
    seed: int = 0,
    covariates: Sequence[str] = COVARIATES,
) -> list[dict[str, Any]]:
    """Run every (method, se) on one cohort table and compare each estimate with the truth."""
    outcomes = list(truth)
    data = prepare_data(
        table,
        treatment="treated",
        outcomes=outcomes,
        covariates=list(covariates),
        cluster="family_id",
        pre_outcomes=[f"{o}_pre" for o in outcomes],
    )
    rows: list[dict[str, Any]] = []
    for method, se in runs:
        settings = EvaluationSettings(method=method, se=se, bootstrap=bootstrap, seed=seed, placebo=False)
        started = time.perf_counter()
        try:
            result = evaluate(data, settings)
        except AnalysisError as err:
            rows.append({"method": method, "se_method": se, "failed": err.what})
            continue
        seconds = time.perf_counter() - started
        worst_smd = max((abs(b.smd_after) for b in result.balance), default=0.0)
        for e in result.estimates:
            rows.append(
                {
                    "method": method,
                    "se_method": se,
                    "outcome": e.outcome,
                    "truth": truth[e.outcome],
                    "att": e.att,
                    "naive_att": e.naive_att,
                    "covered": bool(e.ci_low <= truth[e.outcome] <= e.ci_high),
                    "width": e.ci_high - e.ci_low,
                    "seconds": seconds,
                    "max_abs_smd_after": worst_smd,
                }
            )
    return rows


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Coverage, bias, RMSE and mean width per (method, se, outcome), with the naive bias beside."""
    summary = []
    keys = sorted({(r["method"], r["se_method"], r["outcome"]) for r in rows if "outcome" in r})
    for method, se, outcome in keys:
        sel = [
            r
            for r in rows
            if (r.get("method"), r.get("se_method"), r.get("outcome")) == (method, se, outcome)
        ]
        sel = [r for r in sel if np.isfinite(r["att"]) and np.isfinite(r["width"])]
        errors = np.asarray([r["att"] - r["truth"] for r in sel])
        naive = np.asarray([r["naive_att"] - r["truth"] for r in sel])
        summary.append(
            {
                "method": method,
                "se_method": se,
                "outcome": outcome,
                "replicates": len(sel),
                "mean_truth": float(np.mean([r["truth"] for r in sel])),
                "coverage": float(np.mean([r["covered"] for r in sel])),
                "bias": float(errors.mean()),
                "rmse": float(np.sqrt((errors**2).mean())),
                "mean_width": float(np.mean([r["width"] for r in sel])),
                "naive_bias": float(naive.mean()),
                "mean_seconds_per_run": float(np.mean([r["seconds"] for r in sel])),
                "mean_max_abs_smd_after": float(np.mean([r["max_abs_smd_after"] for r in sel])),
            }
        )
    return summary


def synthetic_research_dataset(people: int, seed: int) -> tuple[pa.Table, dict[str, pa.Table]]:
    """A spec-C-shaped cohort and outcome tables of about `people` people, for timing at scale."""
    rng = np.random.default_rng(seed)
    families = max(people // 3, 10)
    size = rng.integers(1, 6, families)
    family = np.repeat(np.arange(families), size)[:people]
    n = len(family)
    age = np.where(rng.random(n) < 0.4, rng.integers(19, 60, n), rng.integers(0, 18, n))
    start = np.datetime64("2016-01-01") + rng.integers(0, 730, families)[family]
    group = np.asarray(["programme", "later", "never"])[rng.choice(3, families, p=[0.5, 0.3, 0.2])][family]
    cohort = pa.table(
        {
            "person_id": np.arange(n),
            "family_id": family,
            "council": np.asarray([f"LA{c:02d}" for c in range(1, 21)])[rng.integers(0, 20, families)][
                family
            ],
            "group": group,
            "start_date": pa.array(start.astype("datetime64[D]"), pa.date32()),
            "role": np.where(age >= 18, "parent", "child"),
            "sex": np.where(rng.random(n) < 0.5, "F", "M"),
            "age_at_start": age,
            "problems_met": rng.integers(2, 7, families)[family],
        }
    )

    def dates(rows: int) -> pa.Array:
        days = np.datetime64("2014-06-01") + rng.integers(0, 1800, rows)
        return pa.array(days.astype("datetime64[D]"), pa.date32())

    def owners(rows: int) -> np.ndarray:
        return np.asarray(rng.integers(0, n, rows))

    events = n // 2
    moj = pa.table(
        {
            "person_id": owners(events),
            "date": dates(events),
            "event": rng.choice(
                ["offence", "caution", "conviction", "custody"], events, p=[0.5, 0.2, 0.25, 0.05]
            ),
            "juvenile": rng.random(events) < 0.3,
        }
    )
    spells = n // 2
    benefit = pa.table(
        {
            "person_id": owners(spells),
            "benefit": rng.choice(["JSA", "ESA", "IS", "UC"], spells),
            "start_date": dates(spells),
            "end_date": dates(spells),
        }
    )
    employment = pa.table(
        {"person_id": owners(spells), "start_date": dates(spells), "end_date": dates(spells)}
    )
    children = np.flatnonzero((age >= 4) & (age < 16))
    terms = np.repeat(children, 12)
    term_start = np.tile(np.datetime64("2014-09-01") + np.arange(12) * 121, len(children))
    attendance = pa.table(
        {
            "person_id": terms,
            "term_start": pa.array(term_start.astype("datetime64[D]"), pa.date32()),
            "sessions_possible": np.full(len(terms), 120),
            "sessions_missed": rng.integers(0, 30, len(terms)),
        }
    )
    few = n // 20
    exclusions = pa.table(
        {"person_id": owners(few), "date": dates(few), "kind": rng.choice(["fixed", "permanent"], few)}
    )
    cin = pa.table(
        {
            "person_id": owners(few),
            "episode": rng.choice(["cin", "cpp", "lac"], few),
            "start_date": dates(few),
            "end_date": dates(few),
        }
    )
    sources = {
        "moj_events": moj,
        "dwp_benefit_spells": benefit,
        "dwp_employment_spells": employment,
        "dfe_attendance": attendance,
        "dfe_exclusions": exclusions,
        "dfe_children_in_need": cin,
    }
    return cohort, sources


def time_at_scale(people: int, bootstrap: int, seed: int = 0) -> dict[str, Any]:
    """Seconds for outcomes and for the default study evaluation (programme vs later) at this size."""
    from famlink.evaluation.outcomes import person_outcomes
    from famlink.evaluation.study import evaluate_study

    cohort, sources = synthetic_research_dataset(people, seed)
    started, cpu = time.perf_counter(), time.process_time()
    wide = person_outcomes(cohort, sources)
    outcomes_seconds = time.perf_counter() - started
    outcomes_cpu = time.process_time() - cpu
    settings = EvaluationSettings(bootstrap=bootstrap, seed=seed)
    started, cpu = time.perf_counter(), time.process_time()
    results = evaluate_study(wide, comparisons=("later",), settings=settings)
    evaluation_seconds = time.perf_counter() - started
    evaluation_cpu = time.process_time() - cpu
    estimates = len(results["later"].estimates)
    return {
        "people": cohort.num_rows,
        "event_rows": sum(t.num_rows for t in sources.values()),
        "outcome_columns": estimates,
        "method": settings.method,
        "se": settings.se,
        "bootstrap_replicates": bootstrap,
        "outcomes_seconds": round(outcomes_seconds, 1),
        "evaluation_seconds": round(evaluation_seconds, 1),
        "outcomes_cpu_seconds": round(outcomes_cpu, 1),
        "evaluation_cpu_seconds": round(evaluation_cpu, 1),
        "cpu_note": "CPU seconds of this process (all threads); wall time was inflated by other work",
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--families", type=int, default=2500)
    parser.add_argument("--bootstrap", type=int, default=100)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--scale", type=int, default=0, help="time the default run at this many people")
    parser.add_argument("--only", default="", help="comma-separated method:se pairs (default: all RUNS)")
    parser.add_argument("--append", action="store_true", help="merge into the existing results file")
    args = parser.parse_args(argv)
    runs = [(p.split(":")[0], p.split(":")[1]) for p in args.only.split(",")] if args.only else list(RUNS)
    if args.scale:
        timing = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": _machine(),
            "note": "shared 2-core machine; other engineers' work may have been running",
            **time_at_scale(args.scale, args.bootstrap),
        }
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "bench_evaluation.scale.json").write_text(json.dumps(timing, indent=2))
        print(json.dumps(timing, indent=2))
        return
    target = args.out / "bench_evaluation.json"
    previous = json.loads(target.read_text()) if args.append and target.exists() else None
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for seed in range(args.seeds):
        table, truth = simulate(args.families, seed)
        rows += [
            {**r, "seed": seed}
            for r in evaluate_dataset(table, truth, runs=runs, bootstrap=args.bootstrap, seed=seed)
        ]
        meta = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": _machine(),
            "note": "shared 2-core machine; other engineers' work was running (load average 5-15)",
            "seeds": seed + 1,
            "families_per_seed": args.families,
            "bootstrap_replicates": args.bootstrap,
            "runs": [f"{m}:{e}" for m, e in runs],
            "total_seconds": round(time.perf_counter() - started, 1),
        }
        _write(args.out, previous, meta, summarise(rows))  # after every seed: a cut-short run still counts
        print(f"seed {seed + 1}/{args.seeds} done at {time.perf_counter() - started:.0f}s", flush=True)


def _write(
    out: Path, previous: dict[str, Any] | None, meta: dict[str, Any], summary: list[dict[str, Any]]
) -> None:
    if previous is not None:
        meta, summary = _merge(previous, meta, summary)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_evaluation.json").write_text(json.dumps({"meta": meta, "summary": summary}, indent=2))
    (out / "bench_evaluation.md").write_text(render_markdown(meta, summary))


def _merge(
    old: dict[str, Any], meta: dict[str, Any], summary: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Old results plus new runs (new ones replace old rows for the same method, se and outcome)."""
    fresh = {(s["method"], s["se_method"], s["outcome"]) for s in summary}
    kept = [s for s in old["summary"] if (s["method"], s["se_method"], s["outcome"]) not in fresh]
    merged_meta = {**old["meta"], "appended": [*old["meta"].get("appended", []), meta]}
    return merged_meta, sorted(kept + summary, key=lambda s: (s["method"], s["se_method"], s["outcome"]))


def render_markdown(meta: dict[str, Any], summary: list[dict[str, Any]]) -> str:
    lines = [
        "# bench_evaluation",
        "",
        *(f"- {k}: {v}" for k, v in meta.items() if k != "appended"),
        *(f"- appended run: {a}" for a in meta.get("appended", [])),
        "",
        "| method | se | outcome | seeds | truth | coverage | bias | naive bias | RMSE | CI width | s/run |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summary:
        lines.append(
            f"| {s['method']} | {s['se_method']} | {s['outcome']} | {s['replicates']} | "
            f"{s['mean_truth']:.4f} | "
            f"{s['coverage']:.2f} | {s['bias']:+.4f} | {s['naive_bias']:+.4f} | {s['rmse']:.4f} | "
            f"{s['mean_width']:.4f} | {s['mean_seconds_per_run']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def _machine() -> str:
    import os

    return f"{platform.node()} {platform.machine()} cpus={os.cpu_count()} python={platform.python_version()}"


if __name__ == "__main__":
    main()
