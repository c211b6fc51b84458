"""Spec tests for a release: differencing between tables, overrides, and the output-checking log."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from famlink.disclosure import DisclosureRules, Release, differencing_conflicts, protect_frequency_table
from famlink.errors import ConfigError, DisclosureError


def people(per_council: dict[str, list[tuple[str, str, int]]]) -> pd.DataFrame:
    """council -> [(sex, outcome, how many)] expanded to one row per person."""
    rows = [
        (council, sex, outcome)
        for council, groups in per_council.items()
        for sex, outcome, n in groups
        for _ in range(n)
    ]
    return pd.DataFrame(rows, columns=["council", "sex", "outcome"])


BIG = [("F", "yes", 40), ("F", "no", 35), ("M", "yes", 30), ("M", "no", 45)]
DATA = people({"LA01": BIG, "LA02": BIG, "LA03": [("F", "yes", 2), ("M", "no", 1)]})


def test_all_councils_and_all_but_one_small_council_cannot_both_publish_the_same_cells() -> None:
    release = Release("differencing")
    everyone = release.add_frequency_table(DATA, "sex", "outcome", name="all councils")
    all_but = release.add_frequency_table(DATA[DATA.council != "LA03"], "sex", "outcome", name="all but LA03")
    # every published pair describing the same group differs by 0 or by at least the threshold
    assert differencing_conflicts(all_but, [everyone]) == set()
    assert all_but.to_frame().loc["F", "yes"] == "[c]"  # it differed from 'all councils' by 2 people
    rules = {r.rule: r for r in all_but.results}
    assert rules["differencing"].status == "protected"
    assert "F / yes" in rules["differencing"].cells


def test_tables_differing_only_by_a_large_group_are_left_alone() -> None:
    data = people({"LA01": BIG, "LA02": BIG})
    release = Release("fine")
    release.add_frequency_table(data, "sex", "outcome", name="all")
    second = release.add_frequency_table(data[data.council == "LA01"], "sex", "outcome", name="LA01")
    assert "differencing" not in {r.rule for r in second.results}
    assert not second.suppressed.any()


def test_a_column_total_is_compared_with_a_cell_of_a_coarser_table() -> None:
    release = Release("coarse")
    release.add_frequency_table(DATA, "council", "outcome", name="by council")
    coarse = release.add_frequency_table(
        DATA[DATA.council != "LA03"], "outcome", name="outcome, all but LA03"
    )
    assert coarse.to_frame().loc["yes", "count"] == "[c]"


def test_a_conflicting_magnitude_table_is_blocked_until_a_named_checker_overrides_it() -> None:
    data = DATA.assign(days=1.0, family=range(len(DATA)))
    release = Release("blocked")
    release.add_magnitude_table(data, "sex", None, "days", name="days, all", unit="family")
    release.add_magnitude_table(
        data[data.council != "LA03"], "sex", None, "days", name="days, most", unit="family"
    )
    with pytest.raises(DisclosureError):
        release.publishable("days, most")
    with pytest.raises(ConfigError):
        release.override("days, most", "differencing", reason=" ", by="checker")
    release.override(
        "days, most", "differencing", reason="the groups are published elsewhere", by="A. Checker"
    )
    assert release.publishable("days, most").shape[0] == 3
    assert release.log.counts()["overridden"] == 1


def test_a_model_that_fails_is_logged_as_blocked() -> None:
    release = Release("models")
    release.add_model(n_obs=12, n_params=4, name="tiny model")
    entry = release.log.entries[0]
    assert entry.status == "fail"
    assert release.log.counts() == {"pass": 0, "protected": 0, "overridden": 0, "fail": 1}


def test_the_log_lists_every_output_rule_and_override_as_json(tmp_path: Path) -> None:
    release = Release("release 1", DisclosureRules(threshold=5))
    release.add_frequency_table(DATA, "sex", "outcome", name="sex by outcome")
    release.add_model(n_obs=8, n_params=4, name="model")
    release.override(
        "model", "residual degrees of freedom", reason="coefficients not published", by="B. Lead"
    )
    written = json.loads(release.log.write_json(tmp_path / "log.json").read_text())
    assert written["rules"]["threshold"] == 5
    assert [o["output"] for o in written["outputs"]] == ["sex by outcome", "model"]
    assert {r["rule"] for r in written["outputs"][0]["rules"]} >= {
        "threshold",
        "secondary suppression",
        "rounding",
    }
    override = written["outputs"][1]["overrides"][0]
    assert (override["by"], override["reason"]) == ("B. Lead", "coefficients not published")
    assert written["outputs"][1]["status"] == "overridden"


def test_the_html_fragment_escapes_names_and_the_summary_names_each_output() -> None:
    release = Release("<script>")
    release.add_frequency_table(DATA, "sex", "outcome", name="a <b> table")
    fragment = release.log.to_html()
    assert "<script>" not in fragment and "&lt;script&gt;" in fragment
    assert fragment.startswith("<section") and fragment.endswith("</section>")
    assert "a <b> table (frequency): protected" in release.log.summary_text()


def test_an_override_must_name_a_real_output_and_rule() -> None:
    release = Release("r")
    release.add_model(n_obs=100, n_params=3, name="m")
    with pytest.raises(ConfigError):
        release.override("nope", "residual degrees of freedom", reason="x", by="y")
    with pytest.raises(ConfigError):
        release.override("m", "no such rule", reason="x", by="y")


@pytest.mark.parametrize(
    ("numerator", "denominator", "text"),
    [
        (47, 100, "45%"),  # from the rounded counts 45 of 100, not the exact 47%
        (3, 100, "[c]"),  # too few with the outcome
        (95, 100, "[c]"),  # too few without it: 5 families did not
        (12, 14, "[c]"),
        (0, 60, "[c]"),  # zeros are disclosive by default
    ],
)
def test_a_share_quoted_in_prose_is_checked_on_both_sides_and_computed_from_rounded_counts(
    numerator: int, denominator: int, text: str
) -> None:
    release = Release("prose")
    figure = release.add_proportion(numerator, denominator, name="reduced offending")
    assert figure.text == text
    assert release.log.entries[0].kind == "proportion"


def test_a_zero_share_is_printed_when_zeros_are_safe() -> None:
    figure = Release("prose", DisclosureRules(zeros_are_disclosive=False)).add_proportion(0, 60, name="none")
    assert figure.text == "0%"


def test_publishable_names_only_tables() -> None:
    release = Release("r")
    release.add_model(n_obs=100, n_params=3, name="m")
    with pytest.raises(ConfigError):
        release.publishable("m")
    with pytest.raises(ConfigError):
        release.publishable("absent")


def test_the_log_json_is_what_the_report_reads() -> None:
    from famlink.report.checks import OutputCheckSummary

    release = Release("for the report")
    release.add_frequency_table(DATA, "sex", "outcome", name="sex by outcome")
    release.add_model(n_obs=8, n_params=4, name="m")
    release.override("m", "residual degrees of freedom", reason="sign only", by="C. Checker")
    summary = OutputCheckSummary.model_validate(release.log.as_dict())
    assert summary.tally() == {"pass": 0, "protected": 1, "overridden": 1, "fail": 0}


def test_a_later_table_does_not_hide_behind_a_cell_an_earlier_table_already_published() -> None:
    counts = {("LA01", "x"): 12, ("LA01", "y"): 60, ("LA02", "x"): 20, ("LA02", "y"): 21}
    counts |= {("LA03", "x"): 2, ("LA03", "y"): 2}
    data = pd.DataFrame([key for key, n in counts.items() for _ in range(n)], columns=["council", "group"])
    release = Release("shared totals")
    by_group = release.add_frequency_table(data, "council", "group", name="council by group")
    assert by_group.to_frame()["Total"].tolist() == ["[c]", 40, "[c]", 115]
    # alone, the one-way table would hide LA02 (the smallest complement): but LA02's 41 is public above
    assert protect_frequency_table(data, "council").to_frame()["count"].tolist() == [70, "[c]", "[c]", 115]
    one_way = release.add_frequency_table(data, "council", name="council")
    assert one_way.to_frame()["count"].tolist() == ["[c]", 40, "[c]", 115]
