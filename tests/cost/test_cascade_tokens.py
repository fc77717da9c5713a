"""Cascade threshold choice and the offline token approximation on planted cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from unstuck.cost.cascade import build_cascade, cascade_point, choose_threshold, coverage_curve
from unstuck.cost.tokens import approx_tokens, mean_tokens

CONF = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
AGREE = np.array([True, True, False, True, False])


def test_choose_threshold_by_hand() -> None:
    # covering the top k: disagreements 0, 0, 1, 1, 2 -> cascade agreement 1, 1, .8, .8, .6
    assert choose_threshold(CONF, AGREE, 0.8) == 0.6
    assert choose_threshold(CONF, AGREE, 1.0) == 0.8
    assert choose_threshold(CONF, AGREE, 0.6) == 0.5


def test_cascade_point_by_hand() -> None:
    p = cascade_point(CONF, AGREE, 0.6)
    assert (p.coverage, p.agreement, p.covered_agreement) == (0.8, 0.8, 0.75)
    nothing = cascade_point(CONF, AGREE, math.inf)
    assert (nothing.coverage, nothing.agreement, nothing.covered_agreement) == (0.0, 1.0, None)
    assert nothing.to_dict()["threshold"] is None


def test_guarantee_uses_the_clopper_pearson_lower_bound() -> None:
    from scipy.stats import beta

    # 1,000 requests, confidence falling; the small model disagrees on every 50th covered request
    n = 1000
    conf = np.linspace(1.0, 0.0, n, endpoint=False)
    agree = np.ones(n, dtype=bool)
    agree[49::50] = False
    plain = choose_threshold(conf, agree, 0.99)
    safe = choose_threshold(conf, agree, 0.99, guarantee=0.9)
    # plain: 1 - e_k / n ≥ 0.99 allows e_k = 10 disagreements: k = 549 (the 11th is at index 549)
    assert plain == conf[548]
    # with the bound: the largest e with 1 - Beta.ppf(0.9, e + 1, n - e) ≥ 0.99, covered up to its last request
    e_max = max(e for e in range(20) if 1 - beta.ppf(0.9, e + 1, n - e) >= 0.99)
    assert safe == conf[50 * (e_max + 1) - 2]
    assert safe > plain


def test_ties_are_covered_together() -> None:
    conf = np.array([0.9, 0.9, 0.5])
    agree = np.array([True, False, True])
    # the two 0.9s go together: 1 disagreement in 3 -> 0.667 < 0.9, so nothing is covered
    assert choose_threshold(conf, agree, 0.9) == math.inf
    assert choose_threshold(conf, agree, 0.6) == 0.5


def test_threshold_comes_from_calibration_and_is_measured_on_test() -> None:
    test_conf = np.array([0.95, 0.85, 0.75, 0.65])
    test_agree = np.array([True, False, False, True])
    cascade = build_cascade(CONF, AGREE, test_conf, test_agree, floor=0.8)
    assert cascade.threshold == 0.6  # from the calibration part
    assert cascade.calibration.agreement == 0.8
    # on test, 0.6 covers all four: 2 disagreements in 4
    assert (cascade.test.coverage, cascade.test.agreement) == (1.0, 0.5)
    assert not cascade.meets_floor_on_test


def test_coverage_curve_runs_from_api_only_to_small_only() -> None:
    curve = coverage_curve(CONF, AGREE, steps=5)
    assert [p.coverage for p in curve] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert [p.agreement for p in curve] == pytest.approx([1.0, 1.0, 1.0, 0.8, 0.8, 0.6])


def test_approx_tokens_by_hand() -> None:
    assert approx_tokens("") == 0
    assert approx_tokens("a") == 1
    assert approx_tokens("abcdefgh") == 2  # 8 characters / 4
    assert approx_tokens("abcdefghi") == 3  # ceil(9 / 4)
    assert approx_tokens("東京都") == 3  # CJK: one token each
    assert approx_tokens("東京 abcd") == 2 + 2  # 2 CJK + ceil(5 / 4)
    assert approx_tokens("abcdefgh", chars_per_token=2) == 4
    assert mean_tokens(["abcd", "abcdefgh"]) == 1.5
    assert mean_tokens([]) == 0.0
