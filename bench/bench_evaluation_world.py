"""Does the study's evaluation recover the synthetic world's true effect? Coverage over many seeds.

Run: `.venv/bin/python -m bench.bench_evaluation_world [--seeds 50] [--families 3000] [--councils 2]
[--bootstrap 100]`. Writes bench/results/bench_evaluation_world.json and .md after EVERY seed, so an
interrupted run still leaves its finished seeds (the count is in the files).

Per seed: an effect world and its no-effect twin (bench/eval_truth.py), linked from truth; the true
ATT of each outcome × window with a nonzero effect is the programme people's mean difference between
the two worlds. Each method then estimates it on the effect world, programme vs 'later' and vs 'never'.
Reported per method × comparison: coverage of the 95% interval, mean bias (estimate − truth), mean
interval width, and the naive (unadjusted) difference's bias.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bench.eval_truth import (
    Coverage,
    evaluate_against_truth,
    generate_pair,
    outcome_columns,
    people_from_world,
    same_cohort,
    true_att,
)
from famlink.evaluation import EvaluationSettings

RESULTS = Path(__file__).parent / "results"
NAME = "bench_evaluation_world"
METHODS: tuple[tuple[str, str], ...] = (
    ("aipw", "multiplier"),
    ("psm", "bootstrap"),
    ("ipw", "bootstrap"),
    ("did", "bootstrap"),
)


def run_seed(seed: int, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every method's estimates for one world pair, each beside its truth."""
    rows: list[dict[str, Any]] = []
    effect, no_effect = twin_people(seed, args)
    if not same_cohort(effect, no_effect):
        raise RuntimeError(f"seed {seed}: the twin worlds' cohorts differ")
    truth = true_att(effect, no_effect, outcome_columns(effect))
    for method, se in METHODS:
        settings = EvaluationSettings(
            method=method, se=se, bootstrap=args.bootstrap, seed=seed, placebo=False
        )
        started = time.perf_counter()
        found: list[Coverage] = evaluate_against_truth(effect, truth, settings=settings)
        seconds = time.perf_counter() - started
        rows += [
            asdict(c)
            | {
                "seed": seed,
                "se_method": se,
                "covered": c.covered,
                "wald_covered": c.wald_covered,
                "seconds": seconds,
            }
            for c in found
        ]
    return rows


def twin_people(seed: int, args: argparse.Namespace) -> tuple[pa.Table, pa.Table]:
    """Both worlds' people tables: generated, or read from `--cache` (written by the same two calls).

    The cache only saves the world generation (half of a seed's time on a loaded machine); a file
    there is `<seed>.effect.parquet` / `<seed>.noeffect.parquet` and is written when missing.
    """
    cache: Path | None = args.cache
    if cache is not None and (cache / f"{seed}.effect.parquet").exists():
        return tuple(pq.read_table(cache / f"{seed}.{w}.parquet") for w in ("effect", "noeffect"))
    with tempfile.TemporaryDirectory() as scratch:
        pair = generate_pair(Path(scratch), families=args.families, councils=args.councils, seed=seed)
        effect, no_effect = people_from_world(pair.effect), people_from_world(pair.no_effect)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        pq.write_table(effect, cache / f"{seed}.effect.parquet")
        pq.write_table(no_effect, cache / f"{seed}.noeffect.parquet")
    return effect, no_effect


def summarise(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Coverage, bias and width per method × comparison (pooled over outcomes and windows)."""
    keys = sorted({(r["method"], r["se_method"], r["comparison"]) for r in rows})
    summary = []
    for method, se, comparison in keys:
        chosen = [
            r for r in rows if (r["method"], r["se_method"], r["comparison"]) == (method, se, comparison)
        ]
        summary.append(
            {
                "method": method,
                "se": se,
                "comparison": comparison,
                "estimates": len(chosen),
                "coverage": statistics.fmean(r["covered"] for r in chosen),
                "wald_coverage": statistics.fmean(r["wald_covered"] for r in chosen),
                "coverage_of_pooled_truth": _coverage_of_pooled_truth(chosen),
                "ci_above_truth": statistics.fmean(r["ci_low"] > r["truth"] for r in chosen),
                "ci_below_truth": statistics.fmean(r["ci_high"] < r["truth"] for r in chosen),
                "error_se_correlation": _error_se_correlation(chosen),
                "mean_bias": statistics.fmean(r["att"] - r["truth"] for r in chosen),
                "mean_abs_bias": statistics.fmean(abs(r["att"] - r["truth"]) for r in chosen),
                "mean_width": statistics.fmean(r["ci_high"] - r["ci_low"] for r in chosen),
                "sd_error_over_mean_se": _sd_error_over_se(chosen),
                "naive_mean_bias": statistics.fmean(r["naive_att"] - r["truth"] for r in chosen),
                "mean_truth": statistics.fmean(r["truth"] for r in chosen),
            }
        )
    return summary


def _by_column(rows: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows grouped per outcome column (across seeds), columns with at least 3 seeds."""
    columns = sorted({r["outcome"] for r in rows})
    parts = [[r for r in rows if r["outcome"] == column] for column in columns]
    return [part for part in parts if len(part) >= 3]


def _sd_error_over_se(rows: Sequence[dict[str, Any]]) -> float:
    """Spread of (estimate − truth) per outcome column over the mean SE: > 1 means the SE is too small.

    Computed per outcome column (across seeds) so the columns' different truths do not inflate it,
    then averaged.
    """
    ratios = []
    for part in _by_column(rows):
        spread = statistics.stdev(r["att"] - r["truth"] for r in part)
        se = statistics.fmean(r["se"] for r in part)
        if se > 0:
            ratios.append(spread / se)
    return statistics.fmean(ratios) if ratios else float("nan")


def _error_se_correlation(rows: Sequence[dict[str, Any]]) -> float:
    """Mean over outcome columns of corr(estimate − truth, SE) across seeds.

    Near 0 for a well-behaved estimator. Strongly negative means the estimate errs upwards exactly
    when its SE is small: the signature of a rare outcome whose comparison group happened to have few
    events (fewer events → estimate too close to 0 *and* a smaller SE).
    """
    values = []
    for part in _by_column(rows):
        errors, ses = [r["att"] - r["truth"] for r in part], [r["se"] for r in part]
        if statistics.pstdev(errors) > 0 and statistics.pstdev(ses) > 0:
            values.append(statistics.correlation(errors, ses))
    return statistics.fmean(values) if values else float("nan")


def _coverage_of_pooled_truth(rows: Sequence[dict[str, Any]]) -> float:
    """Coverage of each column's truth averaged over all seeds (≈ the population ATT, not the sample's).

    The per-seed truth is a sample ATT: it carries the sampled programme people's own outcome noise.
    If coverage of the pooled truth is the same, that noise is not what the intervals miss.
    """
    hits = []
    for part in _by_column(rows):
        pooled = statistics.fmean(r["truth"] for r in part)
        hits += [r["ci_low"] <= pooled <= r["ci_high"] for r in part]
    return statistics.fmean(hits) if hits else float("nan")


def by_outcome(rows: Sequence[dict[str, Any]], method: str = "aipw") -> list[dict[str, Any]]:
    """The default method's coverage per comparison × outcome family (windows pooled)."""
    chosen = [r for r in rows if r["method"] == method]
    keys = sorted({(r["comparison"], r["outcome"].rsplit("_", 2)[0]) for r in chosen})
    result = []
    for comparison, outcome in keys:
        part = [
            r for r in chosen if r["comparison"] == comparison and r["outcome"].startswith(outcome + "_m")
        ]
        result.append(
            {
                "comparison": comparison,
                "outcome": outcome,
                "estimates": len(part),
                "coverage": statistics.fmean(r["covered"] for r in part),
                "wald_coverage": statistics.fmean(r["wald_covered"] for r in part),
                "mean_bias": statistics.fmean(r["att"] - r["truth"] for r in part),
                "mean_truth": statistics.fmean(r["truth"] for r in part),
                "mean_width": statistics.fmean(r["ci_high"] - r["ci_low"] for r in part),
            }
        )
    return result


def write_results(
    rows: list[dict[str, Any]], seeds_done: list[int], args: argparse.Namespace, began: str
) -> None:
    """The JSON (every row) and a short Markdown table; rewritten after each seed."""
    summary = summarise(rows)
    result = {
        "date_started": began,
        "date_written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "note": "shared 2-core machine, run under nice -n 19 while other engineers' work (including a "
        "national-scale timing run) was running; load average "
        + " / ".join(f"{v:.1f}" for v in os.getloadavg())
        + " (1/5/15 min) when written",
        "families": args.families,
        "councils": args.councils,
        "bootstrap": args.bootstrap,
        "seeds_requested": args.seeds,
        "seeds_done": seeds_done,
        "summary": summary,
        "aipw_by_outcome": by_outcome(rows),
        "rows": [{k: round(v, 6) if isinstance(v, float) else v for k, v in r.items()} for r in rows],
    }
    out: Path = args.results
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{NAME}.json").write_text(json.dumps(result, separators=(",", ":")) + "\n", encoding="utf-8")
    lines = [
        "# Evaluation against the synthetic world's truth",
        "",
        f"Started {began}, written {result['date_written']} on {result['machine']} ({result['note']}).",
        f"{len(seeds_done)} of {args.seeds} seeds done; {args.families} families, "
        f"{args.councils} councils per world; bootstrap {args.bootstrap} replicates. "
        "Truth = programme people's mean outcome difference between the effect world and its "
        "no-effect twin; outcomes with a nonzero effect, windows m0_6..m19_24.",
        "",
        "| method | SE | vs | estimates | coverage | CI above / below truth | Wald ±1.96·SE coverage "
        "| coverage of pooled truth | mean bias | mean abs bias | mean CI width | sd(error)/SE "
        "| corr(error, SE) | naive bias |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {s['method']} | {s['se']} | {s['comparison']} | {s['estimates']} | {s['coverage']:.3f} | "
        f"{s['ci_above_truth']:.3f} / {s['ci_below_truth']:.3f} | {s['wald_coverage']:.3f} | "
        f"{s['coverage_of_pooled_truth']:.3f} | "
        f"{s['mean_bias']:+.4f} | {s['mean_abs_bias']:.4f} | {s['mean_width']:.4f} | "
        f"{s['sd_error_over_mean_se']:.2f} | {s['error_se_correlation']:+.2f} | "
        f"{s['naive_mean_bias']:+.4f} |"
        for s in summary
    ]
    lines += [
        "",
        "AIPW (default) by outcome, windows pooled:",
        "",
        "| vs | outcome | n | coverage | Wald coverage | bias | truth | mean CI width |",
    ]
    lines += ["|---|---|---|---|---|---|---|---|"]
    lines += [
        f"| {o['comparison']} | {o['outcome']} | {o['estimates']} | {o['coverage']:.3f} | "
        f"{o['wald_coverage']:.3f} | {o['mean_bias']:+.4f} | {o['mean_truth']:+.4f} | "
        f"{o['mean_width']:.4f} |"
        for o in result["aipw_by_outcome"]
    ]
    lines += [
        "",
        "Coverage: of the method's own interval (0/1 outcomes: MOVER with Korn–Graubard exact intervals, "
        "src/famlink/evaluation/intervals.py; did: ±1.96·SE). CI above / below truth: share of intervals "
        "wholly above the truth (estimate erred upwards) / wholly below it. Wald coverage: the "
        "symmetric estimate ± 1.96·SE from the same run, the interval used before. "
        "Coverage of pooled truth: against each column's truth averaged "
        "over the seeds (≈ population ATT) instead of the seed's own sample ATT. "
        "sd(error)/SE: spread of estimate − truth across seeds per outcome column over the mean SE "
        "(> 1: SE too small). corr(error, SE): per column across seeds, averaged (strongly negative: "
        "rare-event skew). Naive bias: the unadjusted difference in means (for did, the "
        "unadjusted difference-in-differences, which is the estimate itself).",
    ]
    (out / f"{NAME}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _merged(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs' results as one (seeds run in parallel processes, each into its own folder)."""
    first = runs[0]
    seeds = sorted(s for r in runs for s in r["seeds_done"])
    if len(set(seeds)) != len(seeds):
        raise SystemExit("the runs to merge share seeds")
    return first | {
        "date_started": min(r["date_started"] for r in runs),
        "seeds_done": seeds,
        "seeds_requested": len(seeds),
        "rows": [row for r in runs for row in r["rows"]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--families", type=int, default=3000)
    parser.add_argument("--councils", type=int, default=2)
    parser.add_argument("--bootstrap", type=int, default=100)
    parser.add_argument("--cache", type=Path, help="folder of the worlds' people tables, per seed")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the JSON and .md")
    parser.add_argument("--resummarise", action="store_true", help="rewrite the summary from the JSON rows")
    parser.add_argument(
        "--merge",
        type=Path,
        nargs="*",
        default=[RESULTS],
        help="with --resummarise: results folders whose rows to combine (runs of disjoint seeds)",
    )
    args = parser.parse_args()
    if args.resummarise:
        saved = _merged([json.loads((d / f"{NAME}.json").read_text(encoding="utf-8")) for d in args.merge])
        for key in ("families", "councils", "bootstrap"):
            setattr(args, key, saved[key])
        args.seeds = saved["seeds_requested"]
        write_results(saved["rows"], saved["seeds_done"], args, saved["date_started"])
        return
    began = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    rows: list[dict[str, Any]] = []
    done: list[int] = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        started = time.perf_counter()
        rows += run_seed(seed, args)
        done.append(seed)
        write_results(rows, done, args, began)
        print(f"seed {seed} done in {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
