"""Run the study's evaluation on the research store's linked dataset (spec C).

Why this lives in the research role and not in `famlink.evaluation`: the evaluation package works on
any table; only research knows which tables the linked dataset holds, that later-joiners must stop
counting as comparisons once they join, and which outcomes the study publishes. Everything here stays
inside the research store: its results are microdata-derived and reach the public only through
`famlink.roles.research.outputs.release`.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from famlink.errors import AnalysisError, InputFileError
from famlink.evaluation import EvaluationResult, EvaluationSettings, evaluate_study, person_outcomes
from famlink.evaluation.outcomes import SOURCE_COLUMNS, outcome_column
from famlink.roles.research.censor import censor_after_joining

PROGRAMME = "programme"
PRIMARY_COMPARISON = "later"
COMPARISONS = ("later", "never")
POST_WINDOWS = ("m0_6", "m7_12", "m13_18", "m19_24")
HEADLINE_OUTCOMES = (
    "looked_after",
    "child_protection_plan",
    "child_in_need",
    "adult_custody",
    "juvenile_custody",
    "juvenile_conviction",
    "offence",
    "out_of_work_benefit",
    "employment",
    "persistent_absence",
    "exclusion",
)


@dataclass
class StudyAnalysis:
    """The evaluation's results and what the report must say about how they were reached."""

    people: pa.Table
    results: dict[str, EvaluationResult]
    settings: EvaluationSettings
    dropped_unknown_age: int
    skipped_comparisons: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def not_estimable(self, comparison: str) -> list[tuple[str, str]]:
        """(outcome, window) pairs with no estimate against `comparison` (e.g. censored windows)."""
        result = self.results.get(comparison)
        if result is None:
            return [(o, w) for o in HEADLINE_OUTCOMES for w in POST_WINDOWS]
        found = {e.outcome: e for e in result.estimates}
        missing = []
        for outcome in HEADLINE_OUTCOMES:
            for window in POST_WINDOWS:
                estimate = found.get(outcome_column(outcome, window))
                if estimate is None or not math.isfinite(estimate.att) or not math.isfinite(estimate.se):
                    missing.append((outcome, window))
        return missing


def load_linked_dataset(con: duckdb.DuckDBPyConnection) -> tuple[pa.Table, dict[str, pa.Table]]:
    """The cohort and every spec-C outcome table the store holds (absent tables are simply missing)."""
    tables = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name = current_schema()"
        ).fetchall()
    }
    if "cohort" not in tables:
        raise InputFileError(
            "the research store has no linked dataset (table 'cohort' is missing)",
            where="research store",
            fix="build the linked dataset first (famlink study run, or the research role's assemble step)",
        )
    cohort = con.sql("SELECT * FROM cohort ORDER BY person_id").to_arrow_table()
    sources = {
        name: con.sql(f"SELECT {', '.join(columns)} FROM {name}").to_arrow_table()
        for name, columns in SOURCE_COLUMNS.items()
        if name in tables
    }
    if not sources:
        raise InputFileError("the research store holds no outcome tables", where="research store")
    return cohort, sources


def analyse_study(
    con: duckdb.DuckDBPyConnection,
    *,
    observed_until: dt.date,
    seed: int,
    bootstrap: int,
) -> StudyAnalysis:
    """Outcomes, censoring of later-joiners, then programme vs each comparison group, side by side."""
    clock = time.perf_counter()
    cohort, sources = load_linked_dataset(con)
    known_age = pc.is_valid(cohort.column("age_at_start"))
    dropped = cohort.num_rows - int(pc.sum(known_age).as_py() or 0)
    cohort = cohort.filter(known_age)
    people = censor_after_joining(person_outcomes(cohort, sources, observed_until=observed_until))
    seconds = {"outcomes": time.perf_counter() - clock}
    settings = EvaluationSettings(seed=seed, bootstrap=bootstrap)
    results: dict[str, EvaluationResult] = {}
    skipped: dict[str, str] = {}
    for comparison in COMPARISONS:
        started = time.perf_counter()
        try:
            results |= evaluate_study(
                people, comparisons=(comparison,), outcomes=HEADLINE_OUTCOMES, settings=settings
            )
        except (AnalysisError, InputFileError) as err:  # e.g. no 'never' families in this cohort
            skipped[comparison] = err.what
        seconds[f"evaluate_{comparison}"] = time.perf_counter() - started
    if not results:
        raise AnalysisError(
            "no comparison group could be evaluated: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()),
            where="research store",
            fix="check that the cohort holds programme families and at least one comparison group",
        )
    return StudyAnalysis(people, results, settings, dropped, skipped, seconds)
