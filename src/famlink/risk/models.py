"""The two models: a transparent logistic regression and a gradient-boosted one, both calibrated.

Both are fitted on the earlier training reference dates and calibrated (Platt scaling) on the latest
quarter of them, so the probabilities they print mean what they say on data the model did not fit.
The logistic model is the one deployed by default because each of its scores can be taken apart into
per-factor contributions a practitioner can check against the records.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from famlink.errors import AnalysisError, StoreError
from famlink.risk.catalogue import FEATURE_NAMES

MODEL_KINDS = ("logistic", "boosted")


def _logistic(seed: int) -> Pipeline:
    return Pipeline(
        [
            ("log1p", FunctionTransformer(np.log1p, feature_names_out="one-to-one")),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(C=0.1, max_iter=2000, random_state=seed)),
        ]
    )


def _boosted(seed: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.05, max_leaf_nodes=15, l2_regularization=1.0,
        early_stopping=False, random_state=seed,
    )  # fmt: skip


@dataclass
class FittedModels:
    """Both calibrated models, the raw logistic pipeline (for explanations) and what they were fit on."""

    calibrated: dict[str, Any]
    logistic_pipeline: Pipeline
    feature_names: tuple[str, ...]
    fit_dates: tuple[date, ...]
    calibration_dates: tuple[date, ...]
    rule_rates: dict[int, float]
    settings: dict[str, Any] = field(default_factory=dict)

    def predict(self, kind: str, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of the target for each row."""
        matrix = features.loc[:, list(self.feature_names)].to_numpy(dtype=float)
        with threadpool_limits(limits=1):
            return np.asarray(self.calibrated[kind].predict_proba(matrix)[:, 1], dtype=float)

    def rule_probability(self, problems: pd.Series) -> np.ndarray:
        """The simple rule as a probability: the training rate among children with as many problems."""
        top = max(self.rule_rates)
        return np.array([self.rule_rates[min(int(n), top)] for n in problems], dtype=float)

    @property
    def model_id(self) -> str:
        """Changes with the fitted coefficients, not only the settings: two councils' models differ."""
        model = self.logistic_pipeline[-1]
        fitted = (model.coef_.round(10).tobytes(), model.intercept_.round(10).tobytes(), self.rule_rates)
        digest = hashlib.sha256(pickle.dumps((self.feature_names, self.fit_dates, self.settings, fitted)))
        return "risk-" + digest.hexdigest()[:12]


def _split_fit_calibration(train: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    dates = sorted(train["ref_date"].unique())
    n_cal = max(1, len(dates) // 4)
    cal_dates = set(dates[-n_cal:])
    fit = train[~train["ref_date"].isin(cal_dates)]
    cal = train[train["ref_date"].isin(cal_dates)]
    if fit.empty or fit["label"].nunique() < 2 or cal["label"].nunique() < 2:
        raise AnalysisError(
            "the training period needs children with and without the outcome in both its fitting and "
            "calibration dates",
            fix="use a larger world or more reference dates",
        )
    return fit, cal


def _rule_rates(train: pd.DataFrame) -> dict[int, float]:
    """Observed outcome rate by number of headline problems (capped at 4, smoothed towards the mean)."""
    capped = train["rule_problems"].clip(upper=4)
    overall = float(train["label"].mean())
    rates: dict[int, float] = {}
    for n in range(5):
        labels = train.loc[capped == n, "label"]
        rates[n] = float((labels.sum() + overall * 10) / (len(labels) + 10))
    return rates


def fit_models(train: pd.DataFrame, seed: int, settings: dict[str, Any] | None = None) -> FittedModels:
    """Fit both models on the earlier training dates; calibrate on the latest training dates."""
    fit, cal = _split_fit_calibration(train)
    names = FEATURE_NAMES
    x_fit, y_fit = fit.loc[:, list(names)].to_numpy(float), fit["label"].to_numpy(int)
    x_cal, y_cal = cal.loc[:, list(names)].to_numpy(float), cal["label"].to_numpy(int)
    # One thread: on a shared machine OpenMP oversubscription made boosting 15 times slower.
    with threadpool_limits(limits=1):
        logistic = _logistic(seed).fit(x_fit, y_fit)
        boosted = _boosted(seed).fit(x_fit, y_fit)
        calibrated = {
            "logistic": CalibratedClassifierCV(FrozenEstimator(logistic), method="sigmoid").fit(x_cal, y_cal),
            "boosted": CalibratedClassifierCV(FrozenEstimator(boosted), method="sigmoid").fit(x_cal, y_cal),
        }
    return FittedModels(
        calibrated=calibrated,
        logistic_pipeline=logistic,
        feature_names=names,
        fit_dates=tuple(sorted(fit["ref_date"].unique())),
        calibration_dates=tuple(sorted(cal["ref_date"].unique())),
        rule_rates=_rule_rates(train),
        settings=dict(settings or {}),
    )


def save_models(models: FittedModels, path: Path) -> None:
    """Pickle into the council's own store (only ever loaded back from there)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    tmp.write_bytes(pickle.dumps(models))
    tmp.replace(path)


def load_models(path: Path) -> FittedModels:
    if not path.exists():
        raise StoreError(
            "no trained risk model in this store", where=str(path), fix="run `famlink risk train` first"
        )
    loaded = pickle.loads(path.read_bytes())
    if not isinstance(loaded, FittedModels):
        raise StoreError("the risk model file is not a famlink risk model", where=str(path))
    return loaded
