"""The report refuses anything that could not have passed disclosure control (DisclosureError, exit 9)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from famlink.errors import DisclosureError
from famlink.report import StudyReportInputs, check_publishable, render_report
from famlink.report.examples import example_inputs, example_inputs_text
from famlink.report.guard import published_counts


def _raw() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(example_inputs_text())
    return raw


def _set(raw: Any, path: str, value: object) -> None:
    """Set e.g. 'effects[3].n_treated' in a JSON-like document."""
    keys: list[str | int] = [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]
    target = raw
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value


def _checked(raw: dict[str, Any]) -> None:
    check_publishable(StudyReportInputs.from_dict(raw))


def test_the_example_passes() -> None:
    check_publishable(example_inputs())


def test_every_kind_of_published_count_below_the_threshold_is_refused_where_it_sits() -> None:
    sites = list(published_counts(example_inputs()))
    assert len(sites) > 200  # cohort, linkage, balance, effects, statements, payment by results
    kinds = {re.sub(r"\[\d+\]", "[]", site.where): site for site in reversed(sites)}
    assert len(kinds) >= 15
    for site in kinds.values():
        raw = _raw()
        _set(raw, site.where, "5")
        with pytest.raises(DisclosureError, match="below the disclosure threshold") as caught:
            _checked(raw)
        assert site.where in str(caught.value.where)


def test_zero_is_small_unless_the_rules_publish_zeros() -> None:
    raw = _raw()
    _set(raw, "effects[0].n_comparison", 0)
    with pytest.raises(DisclosureError):
        _checked(raw)
    raw["disclosure"]["zeros_disclosive"] = False
    _checked(raw)


def test_a_small_count_passes_only_with_the_checkers_reason() -> None:
    raw = _raw()
    _set(raw, "linkage.departments[2].clerical_review", "0")
    with pytest.raises(DisclosureError):
        _checked(raw)
    raw["linkage"]["departments"][2]["small_counts_reason"] = "Structural zero: no DfE records needed review."
    _checked(raw)  # the rendered report prints the reason: tests/e2e/test_report_cli.py


def test_an_unrounded_count_is_refused() -> None:
    raw = _raw()
    _set(raw, "cohort.groups[0].families", "4,871")
    with pytest.raises(DisclosureError, match="not rounded to base 5"):
        _checked(raw)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("cohort.criteria_met.columns", "person_id"),
        ("cohort.criteria_met.row_header", "Record ID"),
        ("balance[0].rows[0].covariate", "nhs_number"),
    ],
)
def test_a_table_with_an_identifier_column_is_refused(path: str, name: str) -> None:
    raw = _raw()
    value: object = (
        [*raw["cohort"]["criteria_met"]["columns"][:2], name] if path.endswith("columns") else name
    )
    _set(raw, path, value)
    with pytest.raises(DisclosureError, match="identifier") as caught:
        StudyReportInputs.from_dict(raw)
    assert path in str(caught.value.where)


def test_microdata_rows_are_refused_before_validation() -> None:
    raw = _raw()
    raw["cohort"]["people"] = [{"person_id": "R0001", "council": "LA01", "group": "programme"}]
    with pytest.raises(DisclosureError, match="person-level identifier"):
        StudyReportInputs.from_dict(raw)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("999 123 4567", "NHS number"),
        ("QQ123456C", "National Insurance"),
        ("A123456789012", "pupil number"),
        ("Area SW1A 1AA", "postcode"),
    ],
)
def test_identifier_shaped_values_are_refused_without_quoting_them(value: str, kind: str) -> None:
    raw = _raw()
    raw["cohort"]["criteria_met"]["rows"][0]["label"] = value
    with pytest.raises(DisclosureError, match=kind) as caught:
        StudyReportInputs.from_dict(raw)
    assert value not in str(caught.value)
    assert "cohort.criteria_met.rows[0].label" in str(caught.value.where)


def test_a_percentage_beside_a_suppressed_count_is_refused() -> None:
    raw = _raw()
    raw["cohort"]["problems_met"]["rows"][4]["percents"][2] = 0.01
    with pytest.raises(DisclosureError, match="beside a suppressed count"):
        _checked(raw)


def test_every_output_must_be_in_the_output_checking_log() -> None:
    raw = _raw()
    raw["effects"][0]["output_id"] = "never-checked"
    with pytest.raises(DisclosureError, match="'never-checked' does not appear"):
        _checked(raw)


def test_a_failed_output_blocks_the_report() -> None:
    raw = _raw()
    raw["output_check"]["outputs"][0]["status"] = "fail"
    with pytest.raises(DisclosureError, match="as failed"):
        _checked(raw)


def test_the_log_must_belong_to_this_release() -> None:
    raw = _raw()
    raw["output_check"]["release"] = "another-release"
    with pytest.raises(DisclosureError, match="different release"):
        _checked(raw)


def test_inputs_built_in_python_are_guarded_at_render_time() -> None:
    inputs = example_inputs()
    small = inputs.cohort.model_copy(
        update={"groups": [inputs.cohort.groups[0].model_copy(update={"people": "3"})]}
    )
    with pytest.raises(DisclosureError):
        render_report(inputs.model_copy(update={"cohort": small}))


_SITES = [site.where for site in published_counts(example_inputs())]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(site=st.sampled_from(_SITES), value=st.integers(min_value=0, max_value=20_000))
def test_a_count_is_published_only_if_safe(site: str, value: int) -> None:
    """Property: any count at any place passes the guard exactly when it is >= 10 and a multiple of 5."""
    raw = _raw()
    _set(raw, site, f"{value:,}")
    safe = value >= 10 and value % 5 == 0
    if safe:
        _checked(raw)
    else:
        with pytest.raises(DisclosureError) as caught:
            _checked(raw)
        assert site in str(caught.value.where)
