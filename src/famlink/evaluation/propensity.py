"""Propensity scores: the probability of being on the programme given the covariates.

Why scikit-learn directly and not DoWhy: the project's issue records that DoWhy's default propensity
model (a default-settings logistic regression on raw covariates) leaves large imbalance after
matching; DoWhy is not a dependency here and we did not rerun that comparison. Here covariates are
standardised first, the logistic fit (Newton–Cholesky) is run to convergence, and balance is reported
for every run, so a poor model shows.

The gradient-boosted option (`HistGradientBoostingClassifier`) captures interactions and
non-linearities the analyst did not write down; it is fast on millions of rows. Both are refitted
inside every bootstrap replicate (warm-started for speed), so the standard error includes the
uncertainty of the propensity model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from famlink.errors import ConfigError

PROPENSITY_MODELS = ("logistic", "gbm")
SCORE_FLOOR = 1e-6


@dataclass
class PropensityModel:
    """A reusable propensity fitter; keeps its logistic state to warm-start bootstrap refits."""

    kind: str = "logistic"
    seed: int = 0
    _centre: np.ndarray | None = field(default=None, repr=False)
    _scale: np.ndarray | None = field(default=None, repr=False)
    _logistic: LogisticRegression | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in PROPENSITY_MODELS:
            raise ConfigError(
                f"unknown propensity model '{self.kind}'", fix=f"use one of {', '.join(PROPENSITY_MODELS)}"
            )

    def fit_scores(self, covariates: np.ndarray, treated: np.ndarray) -> np.ndarray:
        """Fit on these rows and return their scores, clipped away from 0 and 1."""
        fit = self._gbm if self.kind == "gbm" else self._logit
        scores = fit(covariates, treated)
        return np.clip(scores, SCORE_FLOOR, 1 - SCORE_FLOOR)

    def _logit(self, covariates: np.ndarray, treated: np.ndarray) -> np.ndarray:
        if self._centre is None or self._scale is None:
            self._centre = covariates.mean(axis=0)
            spread = covariates.std(axis=0)
            self._scale = np.where(spread > 0, spread, 1.0)
        scaled = (covariates - self._centre) / self._scale
        if self._logistic is None:
            self._logistic = LogisticRegression(
                C=1e4, solver="newton-cholesky", max_iter=100, warm_start=True, tol=1e-8
            )
        self._logistic.fit(scaled, treated)
        return np.asarray(self._logistic.predict_proba(scaled)[:, 1])

    def _gbm(self, covariates: np.ndarray, treated: np.ndarray) -> np.ndarray:
        model = HistGradientBoostingClassifier(
            max_iter=100, learning_rate=0.1, max_leaf_nodes=15, early_stopping=False, random_state=self.seed
        )
        model.fit(covariates, treated)
        return np.asarray(model.predict_proba(covariates)[:, 1])


def logit(scores: np.ndarray) -> np.ndarray:
    """Matching is done on the logit of the score, where distances are comparable across its range."""
    return np.asarray(np.log(scores / (1 - scores)))


def common_support(scores: np.ndarray, treated: np.ndarray) -> tuple[float, float]:
    """The score interval where both groups have units (max of minima, min of maxima)."""
    low = max(float(scores[treated].min()), float(scores[~treated].min()))
    high = min(float(scores[treated].max()), float(scores[~treated].max()))
    return low, high
