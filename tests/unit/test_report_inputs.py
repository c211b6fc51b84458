"""The report's input contract: JSON round trip, validation errors that name fields but never values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from famlink.errors import InputFileError
from famlink.report import StudyReportInputs
from famlink.report.counts import count_value, format_count, is_suppressed
from famlink.report.examples import example_inputs, example_inputs_text


def _example_dict() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(example_inputs_text())
    return raw


def test_json_round_trip_keeps_every_field() -> None:
    inputs = example_inputs()
    again = StudyReportInputs.from_json(inputs.to_json())
    assert again == inputs
    assert again.to_json() == inputs.to_json()
    assert json.loads(inputs.to_json())["effects"][0].keys() >= {
        "outcome", "window", "method", "comparison_group", "att", "ci_low", "ci_high",
        "treated_rate", "comparison_rate", "n_treated", "n_comparison",
    }  # fmt: skip


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    inputs = example_inputs()
    path = inputs.save(tmp_path / "inputs.json")
    assert StudyReportInputs.load(path) == inputs


def test_counts_stay_text_and_marks_survive() -> None:
    inputs = example_inputs()
    never = inputs.cohort.problems_met.rows[4].counts[2] if inputs.cohort.problems_met else ""
    assert never == "[c]" and is_suppressed(never) and count_value(never) is None
    assert inputs.cohort.groups[0].families == "4,870"
    assert count_value("4,870") == 4870 and format_count("12345") == "12,345"


@pytest.mark.parametrize("bad", ["12a", "-5", "1.5", "", "<10", True])
def test_a_count_that_is_neither_a_number_nor_a_mark_is_refused(bad: object) -> None:
    raw = _example_dict()
    raw["cohort"]["groups"][1]["families"] = bad
    with pytest.raises(InputFileError) as caught:
        StudyReportInputs.from_dict(raw, source="inputs.json")
    assert "cohort.groups[1].families" in str(caught.value.where)


def test_validation_error_names_the_field_and_not_the_value() -> None:
    raw = _example_dict()
    raw["effects"][5]["ci_low"] = "Secret Value 42"
    with pytest.raises(InputFileError) as caught:
        StudyReportInputs.from_dict(raw, source="inputs.json")
    assert "effects[5].ci_low" in str(caught.value.where)
    assert "Secret" not in str(caught.value)


def test_results_must_refer_to_described_outcomes_and_groups() -> None:
    raw = _example_dict()
    raw["effects"][0]["comparison_group"] = "elsewhere"
    with pytest.raises(InputFileError, match=r"the comparison group of effects\[0\] is not described"):
        StudyReportInputs.from_dict(raw)
    raw = _example_dict()
    raw["statements"][0]["outcome"] = "unheard_of"
    with pytest.raises(InputFileError, match=r"the outcome of statements\[0\] is not described"):
        StudyReportInputs.from_dict(raw)


def test_interval_out_of_order_is_refused() -> None:
    raw = _example_dict()
    raw["effects"][0]["ci_low"], raw["effects"][0]["ci_high"] = 0.5, -0.5
    with pytest.raises(InputFileError, match="ci_low is above ci_high"):
        StudyReportInputs.from_dict(raw)


def test_unknown_fields_are_refused_so_extra_columns_cannot_slip_in() -> None:
    raw = _example_dict()
    raw["balance"][0]["rows"][0]["weight"] = 1.0
    with pytest.raises(InputFileError) as caught:
        StudyReportInputs.from_dict(raw)
    assert "balance[0].rows[0].weight" in str(caught.value.where)


def test_broken_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "inputs.json"
    path.write_text('{"metadata": \n  oops}', encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        StudyReportInputs.load(path)
    assert "line 2" in str(caught.value.where)
