"""The research dataset's linkage against truth: how well each department found the cohort.

Each department's linkage is re-run on exactly the request it was sent and scored against the
world's truth (see `tests/e2e/linkage_truth.py`); the re-run must reproduce the department's own
match count, so the score is the study's.
"""

from __future__ import annotations

import duckdb
import pytest

from famlink.roles.department.holdings import DEPARTMENTS
from tests.conftest import STUDY_DATE, SmallStudy
from tests.e2e.linkage_truth import score_department, truth_connection

# The linkage issue's targets are precision 99.95% and recall 99.8%. On the 80-family world (about 150
# requests per department) the precision target allows no false link, and the recall target no miss.
# One MoJ person of 132 is missed here: recorded by the council without a date of birth, since moved,
# with nothing but names in common (see docs/explanation/linkage-method.md, "Known limits"). The
# recall target is checked at national scale by bench/bench_study_linkage.py; here at most one miss.
PRECISION_FLOOR = 0.9995
MISSED_AT_MOST = 1


@pytest.fixture(scope="module")
def truth(small_study: SmallStudy) -> duckdb.DuckDBPyConnection:
    return truth_connection(small_study.world, small_study.root)


@pytest.mark.parametrize("department", sorted(DEPARTMENTS))
def test_department_linkage_meets_the_linkage_targets(
    small_study: SmallStudy, truth: duckdb.DuckDBPyConnection, department: str
) -> None:
    score = score_department(truth, small_study.world, small_study.root, department, STUDY_DATE)
    assert score.traced_rows == score.traced_requests == score.requests, "each request traced to one person"
    assert score.links == score.department_matched, "the re-run reproduces the department's own match count"
    print(
        f"\n{department}: {score.requests} requests, {score.findable} with a true record, "
        f"{score.links} links, {score.correct} correct: "
        f"precision {score.precision:.4%}, recall {score.recall:.4%}"
    )
    assert score.precision >= PRECISION_FLOOR
    assert score.findable - score.found <= MISSED_AT_MOST
