"""The closing summary a study run prints: families, people, match rates, where each store is."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from famlink.study.run import StudySummary


def print_summary(summary: StudySummary, console: Console) -> None:
    """Counts only: nothing here identifies anyone."""
    councils = Table(title="Councils")
    for column in ("council", "eligible families", "not eligible", "people exported", "left out (objected)"):
        councils.add_column(column, justify="right")
    for party, c in summary.councils.items():
        councils.add_row(
            party,
            str(c.get("families_eligible", 0)),
            str(c.get("families_not_eligible", 0)),
            str(c["exported_people"]),
            str(c["left_out_for_objection"]),
        )
    console.print(councils)
    if summary.agent:
        console.print(
            f"Linkage agent: {summary.agent['records']} council records → "
            f"{summary.agent['people']} people in "
            f"{summary.agent['families']} families"
        )
    depts = Table(title="Department matching")
    for column in ("department", "requests", "matched", "match rate"):
        depts.add_column(column, justify="right")
    for party, d in summary.departments.items():
        depts.add_row(party, f"{d['requests']:.0f}", f"{d['matched']:.0f}", f"{d['match_rate']:.1%}")
    console.print(depts)
    if summary.research:
        console.print(
            "Research linked dataset: " + ", ".join(f"{k} {v}" for k, v in summary.research.items())
        )
    if summary.outputs is not None:
        o = summary.outputs
        checks = ", ".join(f"{k} {v}" for k, v in o.output_check.items())
        console.print(
            f"Evaluation: {o.effects_published} effects published, {o.effects_clear} with intervals that "
            f"exclude zero; output checks: {checks}"
        )
        console.print(f"Report: {o.report_html}")
    console.print(
        f"Stores: {summary.root / 'stores'} (one folder per party); agreement: {summary.root / 'agreement'}"
    )
