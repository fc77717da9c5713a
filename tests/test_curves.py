"""unstuck.curves: known power laws are recovered, ill-behaved curves flagged, size_for exact."""

from __future__ import annotations

import numpy as np
import pytest

from unstuck import curves

SIZES = np.array([125, 250, 500, 1000, 2000, 4000, 8000])


def power_law(n: np.ndarray, a: float = 0.05, b: float = 2.0, c: float = 0.5) -> np.ndarray:
    return a + b * np.asarray(n, dtype=float) ** -c


def test_exact_power_law_is_recovered() -> None:
    fit = curves.fit(SIZES, power_law(SIZES))
    assert fit.family in {"pow3", "pow4", "mmf4", "wbl4"}
    assert not fit.ill_behaved and fit.reason is None
    # forecast 10x beyond the data within 0.001 of the truth
    np.testing.assert_allclose(fit.predict([16000, 80000]), power_law(np.array([16000, 80000])), atol=1e-3)
    assert fit.asymptote == pytest.approx(0.05, abs=0.005)
    # in-sample: exact
    np.testing.assert_allclose(fit.predict(SIZES), power_law(SIZES), atol=1e-4)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_noisy_power_law_with_repeats_within_tolerance_and_covered(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = np.repeat(SIZES, 3)
    y = power_law(n) + rng.normal(0, 0.002, n.size)
    fit = curves.fit(n, y, seed=seed)
    assert not fit.ill_behaved, fit.reason
    truth = power_law(np.array([16000, 32000]))
    forecast = fit.predict([16000, 32000])
    np.testing.assert_allclose(forecast, truth, atol=0.006)
    low, high = fit.interval([16000, 32000], level=0.9)
    assert np.all(low <= forecast + 1e-12) and np.all(forecast <= high + 1e-12)
    assert np.all(high - low > 0)
    assert list(fit.counts) == [3] * SIZES.size


def test_fit_is_deterministic_for_a_seed() -> None:
    rng = np.random.default_rng(5)
    y = power_law(SIZES) + rng.normal(0, 0.003, SIZES.size)
    one, two = curves.fit(SIZES, y, seed=3), curves.fit(SIZES, y, seed=3)
    assert one.family == two.family and one.params == two.params
    np.testing.assert_array_equal(one.interval([20000])[0], two.interval([20000])[0])


def test_selection_uses_extrapolation_not_in_sample_fit() -> None:
    # a saturated curve: flat after 1000 rows; a power law to 0 (pow2) fits the early drop but
    # extrapolates downward; held-back sizes must rule it out
    y = np.array([0.30, 0.22, 0.20, 0.2001, 0.1999, 0.2000, 0.2001])
    fit = curves.fit(SIZES, y, families=("last", "pow2", "log2", "pow3"))
    assert fit.family in {"last", "pow3"}
    assert fit.scores["pow2"] > fit.scores[fit.family]
    assert fit.predict(80000) == pytest.approx(0.2, abs=0.003)


@pytest.mark.parametrize("seed", range(8))
def test_ensemble_is_kept_unless_a_family_extrapolates_twice_as_well(seed: int) -> None:
    # a shallow, noisy power law: held-back scores are noisy, so a single family must beat the
    # ensemble's held-back error by the PREFER_ENSEMBLE bar (0.5) to replace it
    rng = np.random.default_rng(seed)
    n = np.repeat(SIZES, 3)
    y = power_law(n, b=0.5, c=0.3) + rng.normal(0, 0.01, n.size)
    default = curves.fit(n, y, n_boot=0)
    best = min(default.scores, key=lambda name: default.scores[name])
    clearly = default.scores[best] < curves.PREFER_ENSEMBLE * default.scores["ensemble"]
    assert default.family == (best if clearly else "ensemble")
    assert curves.fit(n, y, n_boot=0, prefer_ensemble=1.0).family == best
    assert curves.fit(n, y, n_boot=0, prefer_ensemble=0.0).family == "ensemble"


def test_a_family_only_somewhat_better_than_the_ensemble_does_not_replace_it() -> None:
    rng = np.random.default_rng(1)
    n = np.repeat(SIZES, 3)
    y = power_law(n, b=0.5, c=0.3) + rng.normal(0, 0.01, n.size)
    fit = curves.fit(n, y, n_boot=0)
    # mmf4 scores best held back, at 0.56x the ensemble's error: not clearly enough
    assert min(fit.scores, key=lambda name: fit.scores[name]) == "mmf4"
    assert fit.scores["mmf4"] == pytest.approx(0.56 * fit.scores["ensemble"], abs=0.01 * fit.scores["ensemble"])
    assert fit.family == "ensemble"
    assert curves.fit(n, y, n_boot=0, prefer_ensemble=0.6).family == "mmf4"


def test_dip_then_rise_is_flagged() -> None:
    y = np.array([0.30, 0.20, 0.15, 0.12, 0.20, 0.25, 0.30])
    fit = curves.fit(SIZES, y)
    assert fit.ill_behaved
    assert fit.reason is not None and fit.reason.startswith("dip then rise")


def test_non_monotone_beyond_noise_is_flagged_but_noise_is_not() -> None:
    rng = np.random.default_rng(0)
    n = np.repeat(SIZES, 4)
    bump = np.where(n == 1000, 0.05, 0.0)  # error jumps at one size, then recovers
    noisy = power_law(n) + bump + rng.normal(0, 0.002, n.size)
    fit = curves.fit(n, noisy)
    assert fit.ill_behaved and fit.reason is not None and fit.reason.startswith("non-monotone")
    clean = power_law(n) + rng.normal(0, 0.002, n.size)
    assert not curves.fit(n, clean).ill_behaved


def test_too_few_points_is_flagged_and_falls_back_to_last_value() -> None:
    fit = curves.fit([100, 200, 400], [0.3, 0.2, 0.15])
    assert fit.ill_behaved and fit.reason is not None and "too few points" in fit.reason
    assert fit.family == "last"
    assert fit.predict(10_000) == pytest.approx(0.15)


def test_size_for_on_a_known_curve() -> None:
    fit = curves.fit(SIZES, power_law(SIZES))
    # 0.05 + 2 n^-0.5 = 0.07  ->  n = (2 / 0.02)^2 = 10,000
    assert curves.size_for(fit, 0.07) == pytest.approx(10_000, rel=0.02)
    assert curves.size_for(fit, 0.04) is None  # below the asymptote
    assert curves.size_for(fit, 0.5) is not None and curves.size_for(fit, 0.5) < SIZES[0]


def test_floor_none_allows_negative_values() -> None:
    # a negated accuracy curve: -(0.9 - 2 n^-0.5)
    y = -(0.9 - 2.0 * SIZES.astype(float) ** -0.5)
    fit = curves.fit(SIZES, y, floor=None)
    assert fit.asymptote == pytest.approx(-0.9, abs=0.01)
    assert fit.predict(80000) == pytest.approx(-(0.9 - 2.0 * 80000**-0.5), abs=2e-3)


def test_bad_input_raises_value_error() -> None:
    with pytest.raises(ValueError, match="same length"):
        curves.fit([1, 2], [0.1])
    with pytest.raises(ValueError, match="positive"):
        curves.fit([0, 2, 3, 4], [0.1, 0.1, 0.1, 0.1])
    with pytest.raises(ValueError, match="unknown curve families"):
        curves.fit(SIZES, power_law(SIZES), families=("pow9",))
    with pytest.raises(ValueError, match="prefer_ensemble"):
        curves.fit(SIZES, power_law(SIZES), prefer_ensemble=2.0)
    fit = curves.fit(SIZES, power_law(SIZES))
    with pytest.raises(ValueError, match="level"):
        fit.interval([10], level=1.5)


def test_to_dict_is_json_able() -> None:
    import json

    fit = curves.fit(SIZES, power_law(SIZES))
    data = json.loads(json.dumps(fit.to_dict()))
    assert data["family"] == fit.family and data["sizes"] == SIZES.tolist()


def test_model_error_is_the_levels_quantile_of_a_normal_held_back_error_scaled_by_reach() -> None:
    # a curve whose held-back forecasts miss: the added half-width is z * sqrt(pi/2) * (mean |miss|) * reach
    rng = np.random.default_rng(7)
    y = power_law(SIZES) + rng.normal(0, 0.004, SIZES.size)
    fit = curves.fit(SIZES, y, families=("pow2",), n_boot=50)
    mae = fit.scores["pow2"]
    assert mae > 0 and fit.extrapolation_error == mae
    # 7 sizes: the largest 1 and 2 are held back; the horizon is their mean reach in log size
    assert fit.horizon == pytest.approx(np.mean([np.log(8000 / 4000), np.log(8000 / 2000)]))
    reach = np.log(8) / fit.horizon  # 8x beyond the largest size
    # 1.6449 = the 95th percentile of a standard normal; sqrt(pi/2) turns a mean |error| into sigma
    assert fit.model_error([64000], level=0.9)[0] == pytest.approx(1.644854 * 1.253314 * mae * reach, rel=1e-5)
    assert fit.model_error([64000], level=0.5)[0] == pytest.approx(0.674490 * 1.253314 * mae * reach, rel=1e-5)
    assert fit.model_error([8000, 4000], level=0.9).tolist() == [0.0, 0.0]  # within the data: none
    # the interval carries it: its upper end rises by at least the difference of the two widenings
    # (the lower end is clipped at the floor, 0)
    low90, high90 = fit.interval([64000], level=0.9)
    low50, high50 = fit.interval([64000], level=0.5)
    extra = fit.model_error([64000], level=0.9)[0] - fit.model_error([64000], level=0.5)[0]
    assert high90[0] >= high50[0] + extra - 1e-12 and low90[0] <= low50[0]
