"""The evaluation checked against the synthetic world's known counterfactual (shared by test and bench).

A world generated with the programme's effects and its no-effect twin (same seed, every effect 0)
hold the same people, families, programme membership and start dates; the no-effect world's events
are the effect world's plus the ones the programme prevented. So for each programme person the
outcome *without* the programme is known exactly, and the true ATT of an outcome column is the mean,
over programme people with a non-NULL value, of (effect-world outcome − no-effect-world outcome).

The linked dataset is built from truth (perfect linkage, `bench.bench_research_outputs`), so any
miss measures the evaluation, not the linkage. Truth is test/benchmark scaffolding only.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from bench.bench_research_outputs import build_store_from_truth
from famlink.evaluation import EvaluationSettings, evaluate_study, person_outcomes
from famlink.evaluation.outcomes import SOURCE_COLUMNS, outcome_column
from famlink.roles.research.censor import censor_after_joining
from famlink.synth import DEFAULT_EFFECTS, SynthConfig, generate_world

OBSERVED_UNTIL = dt.date(2022, 12, 31)
EFFECT_OUTCOMES = tuple(name for name, effect in DEFAULT_EFFECTS.items() if effect != 0.0)
"""Outcomes the synthetic programme changes: looked_after, adult_custody, juvenile_custody, ..."""
WINDOWS = ("m0_6", "m7_12", "m13_18", "m19_24")
COMPARISONS = ("later", "never")
WALD_Z = 1.959964
COHORT_KEYS = ("person_id", "family_id", "group", "start_date", "joined_later_on", "role", "age_at_start")


@dataclass(frozen=True)
class WorldPair:
    effect: Path
    no_effect: Path


@dataclass(frozen=True)
class Coverage:
    """One estimate set against the truth."""

    comparison: str
    outcome: str
    method: str
    truth: float
    att: float
    se: float
    ci_low: float
    ci_high: float
    naive_att: float
    n_treated: int

    @property
    def covered(self) -> bool:
        return self.ci_low <= self.truth <= self.ci_high

    @property
    def wald_covered(self) -> bool:
        """Would the symmetric estimate ± 1.96·SE have covered? (the interval used before 2026-11-22)"""
        return abs(self.att - self.truth) <= WALD_Z * self.se


def generate_pair(out: Path, *, families: int, councils: int, seed: int) -> WorldPair:
    """The effect world and its no-effect twin under `out` (same seed, same people)."""
    pair = WorldPair(out / "effect", out / "no_effect")
    generate_world(SynthConfig(families=families, councils=councils, seed=seed).validate(), pair.effect)
    nothing = dict.fromkeys(DEFAULT_EFFECTS, 0.0)
    generate_world(
        SynthConfig(families=families, councils=councils, seed=seed, effects=nothing).validate(),
        pair.no_effect,
    )
    return pair


def people_from_world(world: Path) -> pa.Table:
    """Spec C built from truth, then each person's outcomes per window, later-joiners censored."""
    with tempfile.TemporaryDirectory() as scratch:
        store = Path(scratch) / "linked.duckdb"
        build_store_from_truth(world, store)
        con = duckdb.connect(str(store), read_only=True)
        cohort = con.sql(
            "SELECT * FROM cohort WHERE age_at_start IS NOT NULL ORDER BY person_id"
        ).to_arrow_table()
        sources = {
            name: con.sql(f"SELECT {', '.join(columns)} FROM {name}").to_arrow_table()
            for name, columns in SOURCE_COLUMNS.items()
            if name != "dfe_attainment"
        }
        con.close()
    people: pa.Table = censor_after_joining(person_outcomes(cohort, sources, observed_until=OBSERVED_UNTIL))
    return people


def outcome_columns(people: pa.Table, outcomes: Sequence[str] = EFFECT_OUTCOMES) -> list[str]:
    """The outcome × window columns present (windows past the observation end are absent/NULL)."""
    columns = [outcome_column(o, w) for o in outcomes for w in WINDOWS]
    return [c for c in columns if c in people.column_names]


def same_cohort(effect: pa.Table, no_effect: pa.Table) -> bool:
    """Both worlds hold the same people, groups, start dates and covariates (the twin premise)."""
    return effect.select(list(COHORT_KEYS)).equals(no_effect.select(list(COHORT_KEYS)))


def true_att(effect: pa.Table, no_effect: pa.Table, columns: Sequence[str]) -> dict[str, float | None]:
    """Mean over programme people (non-NULL in both worlds) of effect − no-effect outcome."""
    con = duckdb.connect()
    con.register("with_effect", effect.select(["person_id", "group", *columns]))
    con.register("without_effect", no_effect.select(["person_id", *columns]))
    means = ", ".join(f'avg(CAST(e."{c}" AS DOUBLE) - CAST(n."{c}" AS DOUBLE))' for c in columns)
    row = con.execute(
        f"SELECT {means} FROM with_effect e JOIN without_effect n USING (person_id) "
        "WHERE e.\"group\" = 'programme'"
    ).fetchall()[0]
    con.close()
    return dict(zip(columns, row, strict=True))


def evaluate_against_truth(
    effect: pa.Table,
    truth: dict[str, float | None],
    *,
    settings: EvaluationSettings,
    comparisons: Sequence[str] = COMPARISONS,
) -> list[Coverage]:
    """Run the study's evaluation on the effect world and set each estimate beside the truth."""
    outcomes = sorted({c.rsplit("_", 2)[0] for c in truth})
    rows: list[Coverage] = []
    for comparison in comparisons:
        results = evaluate_study(effect, comparisons=(comparison,), outcomes=outcomes, settings=settings)
        for estimate in results[comparison].estimates:
            value = truth.get(estimate.outcome)
            if value is None:
                continue
            rows.append(
                Coverage(
                    comparison,
                    estimate.outcome,
                    estimate.method,
                    float(value),
                    estimate.att,
                    estimate.se,
                    estimate.ci_low,
                    estimate.ci_high,
                    estimate.naive_att,
                    estimate.n_treated,
                )
            )
    return rows
