"""How strong would an unmeasured confounder have to be to explain the estimate away? (E-values)

Why E-values (VanderWeele & Ding 2017) rather than Rosenbaum bounds: Rosenbaum's Γ is defined for
matched pairs (or sets) analysed with a rank test, so it fits only 1:1 matching without replacement
and says nothing for the weighting and doubly robust estimators we also report. The E-value needs only
the estimate and its confidence limit, applies to every method alike, and reads plainly: "an unmeasured
factor associated with both joining and the outcome by a risk ratio of E each, beyond the covariates,
could explain the effect away; weaker confounding could not". For continuous outcomes (absence rate)
the standardised difference d is converted with RR ≈ exp(0.91·d) (VanderWeele & Ding's approximation).
"""

from __future__ import annotations

import math


def e_value_from_risk_ratio(risk_ratio: float) -> float:
    """E-value for a risk ratio (protective ratios are inverted first); 1 means no effect to explain."""
    if not math.isfinite(risk_ratio) or risk_ratio <= 0:
        return float("nan")
    rr = risk_ratio if risk_ratio >= 1 else 1 / risk_ratio
    return rr + math.sqrt(rr * (rr - 1))


def e_values_for_att(
    treated_mean: float, att: float, ci_low: float, ci_high: float, binary: bool, outcome_sd: float
) -> tuple[float, float]:
    """(E-value of the estimate, E-value of the confidence limit nearer the null; 1 if CI covers 0)."""
    if binary:
        counterfactual = treated_mean - att

        def ratio(effect: float) -> float:
            base = treated_mean - effect
            return treated_mean / base if base > 0 and treated_mean > 0 else float("nan")

        point = ratio(att) if counterfactual > 0 else float("nan")
    else:

        def ratio(effect: float) -> float:
            return math.exp(0.91 * effect / outcome_sd) if outcome_sd > 0 else float("nan")

        point = ratio(att)
    if ci_low <= 0 <= ci_high:
        return e_value_from_risk_ratio(point), 1.0
    nearer = ci_low if att > 0 else ci_high
    return e_value_from_risk_ratio(point), e_value_from_risk_ratio(ratio(nearer))
