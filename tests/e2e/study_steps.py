"""The study's data flow up to the research linked dataset, without the research outputs step.

The separation, truth and crash tests are about how data moves, not about the report, so they run
every role exactly as `famlink study run` does and stop once research has built the linked dataset.
Run as a script (`python -m tests.e2e.study_steps WORLD ROOT`) it is the process the crash test kills.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from famlink.governance.store import RoleStore
from famlink.roles.research import service as research
from famlink.study.layout import RESEARCH, set_up_study
from famlink.study.run import (
    PURPOSE,
    StudySettings,
    StudySummary,
    councils_in,
    run_agent,
    run_councils,
    run_departments,
)

STUDY_DATE = date(2026, 6, 1)


def run_data_flow(world: Path, root: Path, as_of: date = STUDY_DATE) -> StudySummary:
    """Councils, agent, departments, then research ingest and linked dataset; safe to re-run."""
    settings = StudySettings(operator="pytest", as_of=as_of)
    councils = councils_in(world)
    layout = set_up_study(root, councils, settings.operator)
    summary = StudySummary(root)
    quiet = lambda _: None  # noqa: E731
    run_councils(layout, world, councils, settings, summary, quiet)
    run_agent(layout, settings, summary, quiet)
    run_departments(layout, world, settings, summary, quiet)
    actor = research.Actor("evaluation-researcher", PURPOSE)
    with RoleStore.open(layout.store_path(RESEARCH), role="research") as store:
        research.ingest_packages(store, layout.agreement(), actor, as_of=as_of)
        summary.research = research.build_linked_dataset(store, actor)
    return summary


if __name__ == "__main__":
    run_data_flow(Path(sys.argv[1]), Path(sys.argv[2]))
