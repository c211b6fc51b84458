"""`famlink link` and `famlink dedupe`: parse flags, call `famlink.linkage.files`, print a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from famlink.console import err_console, out_console, progress
from famlink.linkage.files import OutputPaths, dedupe_file, link_files
from famlink.linkage.options import DEFAULT_THRESHOLD, LinkOptions, parse_column_map, parse_review_band

_OUT = typer.Option(
    ..., "--out", help="Output table (.csv or .parquet); other outputs are written beside it."
)
_MODEL = typer.Option(None, "--model", help="Reuse this trained model (JSON) instead of training.")
_THRESHOLD = typer.Option(
    DEFAULT_THRESHOLD, "--threshold", help="Accept pairs with match probability at least P."
)
_BAND = typer.Option(None, "--review-band", help="LO:HI probabilities sent to clerical review.")
_ENGINE = typer.Option("duckdb", "--engine", help="duckdb (default) or spark.")
_MAP = typer.Option(None, "--map", help="Rename input columns: SRC=DEST,... onto the person schema.")
_TRUTH = typer.Option(None, "--truth", help="CSV of true pairs (left_id,right_id) for precision/recall.")
_SEED = typer.Option(42, "--seed", help="Seed for every random sample taken while training.")
_GUARD = typer.Option(
    True, "--household-guard/--no-household-guard", help="Hold back same-household pairs (siblings, twins)."
)
_DATES = typer.Option("refuse", "--impossible-dates", help="refuse (default) or ignore impossible dates.")


def _options(
    threshold: float,
    band: str | None,
    many: bool,
    engine: str,
    mapping: str | None,
    seed: int,
    guard: bool,
    dates: str,
) -> LinkOptions:
    low, high = parse_review_band(band) if band else (min(0.5, threshold / 2), None)
    settings: dict[str, Any] = {
        "threshold": threshold,
        "review_low": low,
        "review_high": high,
        "many": many,
        "engine": engine,
        "seed": seed,
        "column_map": parse_column_map(mapping),
        "household_guard": guard,
        "impossible_dates": dates,
    }
    return LinkOptions(**settings)


def _run_with_progress(work: Any) -> Any:
    with progress() as bar:
        task = bar.add_task("linking", total=None)

        def on_step(step: str) -> None:
            bar.update(task, description=step)
            if not err_console.is_terminal:
                err_console.print(f"· {step}")

        return work(on_step)


def register(app: typer.Typer) -> None:
    """Add `link` and `dedupe`."""

    @app.command("link")
    def link(
        left: Path = typer.Argument(..., help="Left people file (CSV or Parquet, person schema)."),
        right: Path = typer.Argument(..., help="Right people file."),
        out: Path = _OUT,
        model: Path | None = _MODEL,
        threshold: float = _THRESHOLD,
        review_band: str | None = _BAND,
        many: bool = typer.Option(False, "--many", help="Allow several links per person (no one-to-one)."),
        engine: str = _ENGINE,
        map_columns: str | None = _MAP,
        truth: Path | None = _TRUTH,
        seed: int = _SEED,
        household_guard: bool = _GUARD,
        impossible_dates: str = _DATES,
    ) -> None:
        """Link two people files: exact identifier pass, then Splink; one row per accepted link."""
        options = _options(
            threshold, review_band, many, engine, map_columns, seed, household_guard, impossible_dates
        )
        result = _run_with_progress(
            lambda step: link_files(left, right, out, options, model=model, truth=truth, on_step=step)
        )
        counts = result.quality["counts"]
        paths = OutputPaths.beside(out)
        out_console.print(
            f"{counts['links']} links ({counts['exact_links']} exact, {counts['probabilistic_links']} "
            f"probabilistic), {sum(counts['review_pairs'].values())} pairs for review"
        )
        if "truth" in result.quality:
            t = result.quality["truth"]
            out_console.print(f"precision {t['precision']:.4f}  recall {t['recall']:.4f}  F1 {t['f1']:.4f}")
        out_console.print(
            f"wrote {paths.main}, {paths.review.name}, {paths.model.name}, "
            f"{paths.quality_html.name}, {paths.quality_json.name}"
        )

    @app.command("dedupe")
    def dedupe(
        source: Path = typer.Argument(..., help="People file to deduplicate (CSV or Parquet)."),
        out: Path = _OUT,
        model: Path | None = _MODEL,
        threshold: float = _THRESHOLD,
        review_band: str | None = _BAND,
        engine: str = _ENGINE,
        map_columns: str | None = _MAP,
        truth: Path | None = _TRUTH,
        seed: int = _SEED,
        household_guard: bool = _GUARD,
        impossible_dates: str = _DATES,
    ) -> None:
        """Find records of the same person within one file; writes record_id, cluster_id."""
        options = _options(
            threshold, review_band, True, engine, map_columns, seed, household_guard, impossible_dates
        )
        result = _run_with_progress(
            lambda step: dedupe_file(source, out, options, model=model, truth=truth, on_step=step)
        )
        counts = result.quality["counts"]
        out_console.print(
            f"{counts['records']} records in {counts['clusters']} clusters, "
            f"{sum(counts['review_pairs'].values())} pairs for review; wrote {out}"
        )
