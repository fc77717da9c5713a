"""A cascade: the small model answers when its confidence is high enough, the LLM API answers the rest.

Confidence is the small model's top class probability. For a threshold ``t`` on ``n``
requests:

- coverage ``= #{confidence ≥ t} / n`` — the share the small model answers;
- agreement ``= 1 - #{confidence ≥ t and small ≠ LLM} / n`` — agreement of the cascade's
  answers with the LLM's on all requests (the deferred ones are answered by the LLM
  itself, so they agree by construction);
- covered agreement ``= agreement on the covered requests only``.

The threshold is chosen on a **held-out calibration part** (never the training data,
where a model is over-confident): the lowest threshold — the highest coverage — whose
agreement on the calibration part is at least the quality floor. Coverage and agreement
are then measured on a separate **test part**, so the numbers the user sees are not
the ones the threshold was tuned on. Only the ranking of confidences matters for this
choice, so the probabilities need no further recalibration. An optional ``guarantee``
replaces the calibration estimate by a Clopper–Pearson lower bound (see
:func:`choose_threshold`), trading coverage for a floor that holds on new traffic.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Cascade", "CascadePoint", "build_cascade", "cascade_point", "choose_threshold", "coverage_curve"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class CascadePoint:
    """One operating point: threshold, coverage, agreement of the whole cascade, agreement where covered."""

    threshold: float
    coverage: float
    agreement: float
    covered_agreement: float | None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["threshold"] = None if math.isinf(self.threshold) else self.threshold
        return d


def cascade_point(confidence: FloatArray, agree: BoolArray, threshold: float) -> CascadePoint:
    """Coverage and agreement when the small model answers the requests with ``confidence ≥ threshold``.

    Parameters
    ----------
    confidence:
        Shape (n,), the small model's top probability per request.
    agree:
        Shape (n,), whether the small model's answer equals the LLM's.
    threshold:
        ``math.inf`` covers nothing (everything goes to the API).
    """
    n = confidence.shape[0]
    if n == 0:
        raise ValueError("cascade_point needs at least one request")
    covered = confidence >= threshold
    k = int(covered.sum())
    wrong = int((covered & ~agree).sum())
    return CascadePoint(
        threshold=float(threshold),
        coverage=k / n,
        agreement=1.0 - wrong / n,
        covered_agreement=(k - wrong) / k if k else None,
    )


def choose_threshold(confidence: FloatArray, agree: BoolArray, floor: float, guarantee: float | None = None) -> float:
    """The lowest threshold whose cascade agreement on these requests is ≥ ``floor``.

    Requests are sorted by confidence, highest first; covering the top ``k`` adds their
    disagreements one by one, so agreement only falls as ``k`` grows. Thresholds are only
    placed between distinct confidence values (ties are covered together). Returns
    ``math.inf`` when even the single most confident group breaks the floor.

    With ``guarantee`` (e.g. 0.9), the point estimate ``1 - e_k / n`` is replaced by its
    one-sided Clopper–Pearson lower bound at that confidence, ``1 - Beta.ppf(guarantee,
    e_k + 1, n - e_k)``: the chosen threshold then keeps the cascade's agreement on new
    traffic from the same distribution ≥ ``floor`` with probability ≥ ``guarantee``.
    Thresholds are tested from the most confident down and the scan stops at the first
    failure (fixed-sequence testing), so no multiple-testing correction is needed.
    """
    if not (0.0 < floor <= 1.0):
        raise ValueError("floor must be in (0, 1]")
    n = confidence.shape[0]
    order = np.argsort(-confidence, kind="stable")
    conf_sorted = confidence[order]
    wrong_cum = np.cumsum(~agree[order])
    # positions where the next confidence differs: the covered set can end only there
    ends = np.flatnonzero(np.append(conf_sorted[1:] != conf_sorted[:-1], True))
    errors = wrong_cum[ends]
    if guarantee is None:
        agreement = 1.0 - errors / n
    else:
        if not (0.0 < guarantee < 1.0):
            raise ValueError("guarantee must be in (0, 1)")
        from scipy.stats import beta

        upper = np.where(errors >= n, 1.0, beta.ppf(guarantee, errors + 1, np.maximum(n - errors, 1)))
        agreement = 1.0 - upper
    ok = agreement >= floor - 1e-12
    if not ok[0]:
        return math.inf
    # agreement is non-increasing in k, so the admissible ends form a prefix: stop at the first failure
    first_fail = np.flatnonzero(~ok)
    last = ends[first_fail[0] - 1] if first_fail.size else ends[-1]
    return float(conf_sorted[last])


def coverage_curve(confidence: FloatArray, agree: BoolArray, steps: int = 20) -> list[CascadePoint]:
    """Coverage vs agreement at thresholds that cover ``0, 1/steps, …, 1`` of the requests (ties merged)."""
    n = confidence.shape[0]
    conf_sorted = np.sort(confidence)[::-1]
    points: list[CascadePoint] = [cascade_point(confidence, agree, math.inf)]
    for i in range(1, steps + 1):
        k = max(1, round(i * n / steps))
        point = cascade_point(confidence, agree, float(conf_sorted[k - 1]))
        if point.coverage != points[-1].coverage:
            points.append(point)
    return points


@dataclass(frozen=True)
class Cascade:
    """The chosen threshold and what it gives on the calibration and the test parts."""

    floor: float
    threshold: float
    calibration: CascadePoint
    test: CascadePoint
    curve: list[CascadePoint]
    guarantee: float | None = None

    @property
    def meets_floor_on_test(self) -> bool:
        return self.test.agreement >= self.floor - 1e-12

    def to_dict(self) -> dict[str, Any]:
        return {
            "floor": self.floor,
            "guarantee": self.guarantee,
            "threshold": None if math.isinf(self.threshold) else self.threshold,
            "calibration": self.calibration.to_dict(),
            "test": self.test.to_dict(),
            "meets_floor_on_test": self.meets_floor_on_test,
            "curve": [p.to_dict() for p in self.curve],
        }


def build_cascade(
    conf_calibration: FloatArray,
    agree_calibration: BoolArray,
    conf_test: FloatArray,
    agree_test: BoolArray,
    floor: float,
    guarantee: float | None = None,
) -> Cascade:
    """Choose the threshold on the calibration part, measure it and the curve on the test part."""
    threshold = choose_threshold(conf_calibration, agree_calibration, floor, guarantee)
    return Cascade(
        floor=floor,
        guarantee=guarantee,
        threshold=threshold,
        calibration=cascade_point(conf_calibration, agree_calibration, threshold),
        test=cascade_point(conf_test, agree_test, threshold),
        curve=coverage_curve(conf_test, agree_test),
    )
