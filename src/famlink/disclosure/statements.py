"""Single figures for prose: "x% of families on the programme reduced their offending".

A percentage is two counts in disguise: the numerator, the denominator and their difference (the
families who did *not* reduce) are each a group of people, so each must reach the threshold. The
percentage is computed from the *rounded* counts; computing it from the exact ones would let a reader
multiply back (47.0% of a published 100 is 47, not the 45 the rounding showed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from famlink.disclosure.frequency import round_to_base
from famlink.disclosure.results import SUPPRESSED_MARK, RuleResult, Status
from famlink.disclosure.rules import DisclosureRules
from famlink.errors import AnalysisError


@dataclass(frozen=True)
class ProtectedProportion:
    """A checked share: `text` is what may be printed (`[c]` when it may not)."""

    name: str
    numerator: int | None
    denominator: int | None
    percent: float | None
    results: tuple[RuleResult, ...]
    kind: Literal["proportion"] = "proportion"

    @property
    def status(self) -> Status:
        return "protected" if self.percent is None else "pass"

    @property
    def text(self) -> str:
        return SUPPRESSED_MARK if self.percent is None else f"{self.percent:.0f}%"


def protect_proportion(
    numerator: int, denominator: int, rules: DisclosureRules | None = None, *, name: str = "proportion"
) -> ProtectedProportion:
    """Check `numerator` of `denominator`; publish rounded counts and the share they give, or `[c]`."""
    rules = rules or DisclosureRules()
    if not 0 <= numerator <= denominator:
        raise AnalysisError("a proportion needs 0 <= numerator <= denominator", where=name)
    groups = {"with": numerator, "without": denominator - numerator, "all": denominator}
    small = tuple(label for label, n in groups.items() if _disclosive(n, rules))
    if small:
        result = RuleResult("threshold", "protected", f"groups under {rules.threshold}: suppressed", small)
        return ProtectedProportion(name, None, None, None, (result,))
    shown_num, shown_den = (
        int(v) for v in round_to_base(np.array([numerator, denominator]), rules.rounding_base)
    )
    percent = 100.0 * shown_num / shown_den
    results = (
        RuleResult(
            "threshold", "pass", f"numerator, denominator and remainder all at least {rules.threshold}"
        ),
        RuleResult("rounding", "protected", f"counts rounded to base {rules.rounding_base} before dividing"),
    )
    return ProtectedProportion(name, shown_num, shown_den, percent, results)


def _disclosive(count: int, rules: DisclosureRules) -> bool:
    return count < rules.threshold and (count > 0 or rules.zeros_are_disclosive)
