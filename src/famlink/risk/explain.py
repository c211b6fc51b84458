"""Why a child was flagged: the factors that raised the transparent model's score, in plain words.

The logistic model's score is a sum: intercept + sum(coefficient x standardised value). Each term is
that factor's contribution relative to an average child in the training data, so the positive terms
are exactly "what raised the score", and each comes with the recorded value behind it, which a
practitioner can check against the case records before deciding anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from famlink.risk.catalogue import describe
from famlink.risk.models import FittedModels


@dataclass(frozen=True)
class Factor:
    """One factor that raised a child's score."""

    feature: str
    value: float
    contribution: float
    """Change in log-odds relative to an average training child."""
    words: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def contributions(models: FittedModels, features: pd.DataFrame) -> np.ndarray:
    """Per-row, per-feature log-odds contributions of the (uncalibrated) logistic model."""
    pipeline = models.logistic_pipeline
    matrix = features.loc[:, list(models.feature_names)].to_numpy(float)
    standardised = pipeline[:-1].transform(matrix)
    coefficients = pipeline[-1].coef_[0]
    return np.asarray(standardised * coefficients, dtype=float)


def top_factors(
    models: FittedModels, features: pd.DataFrame, *, limit: int = 5, min_contribution: float = 0.05
) -> list[list[Factor]]:
    """For each row, up to `limit` factors that raised the score most, largest first."""
    matrix = contributions(models, features)
    values = features.loc[:, list(models.feature_names)].to_numpy(float)
    result: list[list[Factor]] = []
    for row in range(matrix.shape[0]):
        order = np.argsort(-matrix[row])[:limit]
        factors = [
            Factor(
                feature=models.feature_names[j],
                value=float(values[row, j]),
                contribution=round(float(matrix[row, j]), 4),
                words=describe(models.feature_names[j], float(values[row, j])),
            )
            for j in order
            if matrix[row, j] >= min_contribution
        ]
        result.append(factors)
    return result


def coefficient_table(models: FittedModels) -> list[dict[str, Any]]:
    """The logistic model's coefficients on standardised log(1+x) inputs, largest effect first."""
    coefficients = models.logistic_pipeline[-1].coef_[0]
    rows = [
        {"feature": name, "coefficient": round(float(c), 4)}
        for name, c in zip(models.feature_names, coefficients, strict=True)
    ]
    return sorted(rows, key=lambda r: -abs(r["coefficient"]))
