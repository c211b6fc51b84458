"""`famlink evaluate`: impact estimates (ATT) on any table, with balance and a JSON record."""

from __future__ import annotations

from pathlib import Path

import typer

from famlink.console import out_console, progress
from famlink.evaluation import EvaluationSettings, evaluate_file, render_result, write_result_json
from famlink.evaluation.estimators import METHODS
from famlink.evaluation.run import DEFAULT_METHOD, DEFAULT_SE


def register(app: typer.Typer) -> None:
    """Add `famlink evaluate` to `app`."""
    app.command("evaluate")(evaluate_command)


def evaluate_command(
    data: Path = typer.Option(..., "--data", help="CSV or Parquet file, one row per unit."),
    treatment: str = typer.Option(..., "--treatment", help="Binary column: 1 = treated (programme)."),
    outcome: list[str] = typer.Option(..., "--outcome", help="Outcome column (repeat for several)."),
    covariates: str = typer.Option(..., "--covariates", help="Comma-separated covariate columns."),
    method: str = typer.Option(DEFAULT_METHOD, "--method", help=f"One of: {', '.join(METHODS)}."),
    cluster: str | None = typer.Option(None, "--cluster", help="Cluster column (e.g. family id)."),
    seed: int = typer.Option(0, "--seed", help="Seed for the bootstrap and matching order."),
    json_out: Path = typer.Option(..., "--json", help="Where to write the results as JSON."),
    pre: list[str] | None = typer.Option(
        None, "--pre", help="Pre-period column per outcome (same order): for did/ipw_did and placebo."
    ),
    se: str = typer.Option(
        DEFAULT_SE,
        "--se",
        help="multiplier (wild cluster bootstrap), bootstrap (resample clusters, refit) or ai (analytic).",
    ),
    bootstrap: int = typer.Option(200, "--bootstrap", help="Bootstrap replicates."),
    propensity: str = typer.Option("logistic", "--propensity", help="logistic or gbm."),
    k: int = typer.Option(1, "--k", help="Matches per treated unit (psm, psm_bc)."),
    caliper: float = typer.Option(0.2, "--caliper", help="Caliper in SDs of the logit score; 0 = none."),
    without_replacement: bool = typer.Option(
        False, "--without-replacement", help="Match without replacement."
    ),
    subgroup: str | None = typer.Option(None, "--subgroup", help="Also estimate within each level of COL."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the common-support plot (PNG) here."),
) -> None:
    """Estimate the effect of a treatment on the treated, with balance diagnostics."""
    settings = EvaluationSettings(
        method=method,
        propensity=propensity,
        k=k,
        caliper_sd=caliper or None,
        replace=not without_replacement,
        se=se,
        bootstrap=bootstrap,
        seed=seed,
    )
    with progress() as bar:
        task = bar.add_task("bootstrap replicates", total=bootstrap if se == "bootstrap" else 0)
        run = evaluate_file(
            data,
            treatment=treatment,
            outcomes=outcome,
            covariates=[c.strip() for c in covariates.split(",") if c.strip()],
            cluster=cluster,
            pre_outcomes=pre or None,
            settings=settings,
            subgroup=subgroup,
            plot=plot,
            on_step=lambda: bar.advance(task),
        )
    write_result_json(run, json_out)
    render_result(run, out_console)
    out_console.print(f"results written to {json_out}")
