"""An example `StudyReportInputs` JSON for the tutorial, the docs and the tests.

Its figures are illustrative, shaped like a synthetic-world run (with the national evaluation's
published 19-24 month results for looked-after children and custody); the report's banner says so.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from famlink.report.inputs import StudyReportInputs

EXAMPLE_NAME = "study_inputs.json"


def example_inputs_text() -> str:
    return resources.files(__name__).joinpath(EXAMPLE_NAME).read_text(encoding="utf-8")


def example_inputs() -> StudyReportInputs:
    return StudyReportInputs.from_json(example_inputs_text(), source=EXAMPLE_NAME)


def write_example_inputs(path: str | Path) -> Path:
    """Write the example inputs (validated first, atomically)."""
    return example_inputs().save(path)
