"""Nearest-neighbour matching on the logit propensity score, with caliper and ratio k.

Why our own: scikit-learn has no matching, statsmodels has none, and the Python matching packages we
know either match without a caliper, cannot do k:1 with replacement, loop in Python per treated unit
over all controls (hopeless at 1.5 million people), or are unmaintained. Matching on one score is a
one-dimensional search, so with replacement it vectorises exactly: sort the controls once and look
only at the k nearest positions on each side of every treated unit (`searchsorted`). Without
replacement it is greedy and sequential by nature; we keep it O(n log n) with "next free neighbour"
pointers rather than rescanning.

The result is expressed as weights: each kept treated unit weighs 1, each control weighs the sum over
the treated units it was matched to of 1/(number of matches of that treated unit). Every matching
estimator, balance table and variance formula downstream works from these weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_CALIPER_SD = 0.2  # Austin (2011): 0.2 SD of the logit score removes ~99% of the bias


@dataclass(frozen=True)
class MatchWeights:
    """Per-unit weights from a matching run (0 = unused) and how many treated units were dropped."""

    weights: np.ndarray
    dropped_treated: int


def match_nearest(
    score_logit: np.ndarray,
    treated: np.ndarray,
    *,
    k: int = 1,
    caliper_sd: float | None = DEFAULT_CALIPER_SD,
    replace: bool = True,
    rng: np.random.Generator | None = None,
) -> MatchWeights:
    """Match each treated unit to its k nearest controls on the logit score (within the caliper)."""
    caliper = np.inf if caliper_sd is None else caliper_sd * float(np.std(score_logit))
    treated_rows = np.flatnonzero(treated)
    control_rows = np.flatnonzero(~treated)
    order = np.argsort(score_logit[control_rows], kind="stable")
    sorted_controls = control_rows[order]
    sorted_scores = score_logit[sorted_controls]
    if replace:
        matches = _k_nearest_with_replacement(sorted_scores, score_logit[treated_rows], k, caliper)
    else:
        rng = rng or np.random.default_rng(0)
        matches = _greedy_without_replacement(sorted_scores, score_logit[treated_rows], k, caliper, rng)
    return _to_weights(matches, treated_rows, sorted_controls, len(score_logit))


def _k_nearest_with_replacement(
    sorted_scores: np.ndarray, targets: np.ndarray, k: int, caliper: float
) -> np.ndarray:
    """Positions (into the sorted controls) of each target's k nearest, -1 where beyond the caliper."""
    n = len(sorted_scores)
    k_eff = min(k, n)
    insert = np.searchsorted(sorted_scores, targets)
    offsets = np.arange(-k_eff, k_eff)
    candidates = insert[:, None] + offsets[None, :]
    valid = (candidates >= 0) & (candidates < n)
    clipped = np.clip(candidates, 0, n - 1)
    distance = np.where(valid, np.abs(sorted_scores[clipped] - targets[:, None]), np.inf)
    nearest = np.argsort(distance, axis=1, kind="stable")[:, :k_eff]
    chosen = np.take_along_axis(clipped, nearest, axis=1)
    chosen_distance = np.take_along_axis(distance, nearest, axis=1)
    out = np.where(chosen_distance <= caliper, chosen, -1)
    if k_eff < k:
        out = np.hstack([out, np.full((len(targets), k - k_eff), -1)])
    return np.asarray(out)


def _greedy_without_replacement(
    sorted_scores: np.ndarray, targets: np.ndarray, k: int, caliper: float, rng: np.random.Generator
) -> np.ndarray:
    """k rounds; in each, treated units in random order take their nearest still-free control."""
    n = len(sorted_scores)
    right = np.arange(n + 1)  # right[i]: first free position >= i (n = none)
    left = np.arange(-1, n)  # left[i + 1]: last free position <= i (-1 = none)
    out = np.full((len(targets), k), -1)
    order = rng.permutation(len(targets))
    insert = np.searchsorted(sorted_scores, targets)
    for round_ in range(k):
        for t in order:
            position = _nearest_free(sorted_scores, targets[t], int(insert[t]), right, left, n)
            if position < 0 or abs(sorted_scores[position] - targets[t]) > caliper:
                continue
            out[t, round_] = position
            right[position] = position + 1
            left[position + 1] = position - 1
    return out


def _nearest_free(
    scores: np.ndarray, target: float, insert: int, right: np.ndarray, left: np.ndarray, n: int
) -> int:
    above = _find(right, insert)
    below = _find_left(left, insert - 1)
    if above >= n and below < 0:
        return -1
    if above >= n:
        return below
    if below < 0:
        return above
    return below if target - scores[below] <= scores[above] - target else above


def _find(right: np.ndarray, i: int) -> int:
    root = i
    while right[root] != root:
        root = int(right[root])
    while right[i] != root:  # path compression keeps later searches short
        right[i], i = root, int(right[i])
    return root


def _find_left(left: np.ndarray, i: int) -> int:
    root = i
    while root >= 0 and left[root + 1] != root:
        root = int(left[root + 1])
    while i >= 0 and left[i + 1] != root:
        left[i + 1], i = root, int(left[i + 1])
    return root


def _to_weights(
    matches: np.ndarray, treated_rows: np.ndarray, sorted_controls: np.ndarray, n: int
) -> MatchWeights:
    found = matches >= 0
    per_treated = found.sum(axis=1)
    kept = per_treated > 0
    weights = np.zeros(n)
    weights[treated_rows[kept]] = 1.0
    share = np.where(found, 1.0 / np.maximum(per_treated, 1)[:, None], 0.0)
    np.add.at(weights, sorted_controls[np.where(found, matches, 0)].ravel(), share.ravel())
    return MatchWeights(weights=weights, dropped_treated=int((~kept).sum()))
