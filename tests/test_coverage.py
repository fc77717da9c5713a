"""Coverage: regions of dev that train barely covers, and the refit that says whether more of them helps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from unstuck.context import Context
from unstuck.coverage import paired_gain, undercovered_regions
from unstuck.metrics import metric_for
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import RunResult, run_checks


def run(problem: Problem) -> RunResult:
    specs = [s for s in registered_checks() if s.name == "coverage"]
    return run_checks(problem, Context(problem), checks=specs)


def table(n: int, share_b: float, seed: int, *, b_flips: bool, noise: float = 0.0) -> pd.DataFrame:
    """Two numbers and a group; the label is x1 > 0, except in group 'b' where (``b_flips``) it is x2 > 0.

    With ``b_flips`` a model that has seen a few dozen 'b' rows follows the majority's rule there (right
    half the time) and learns theirs from a few hundred; without it 'b' is labelled like the rest, so more
    of it teaches nothing new. ``noise``: the share of labels flipped at random, everywhere."""
    rng = np.random.default_rng(seed)
    group = np.where(rng.random(n) < share_b, "b", "a")
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    own_rule = (group == "b") & b_flips
    label = np.where(own_rule, x2, x1) > 0
    label = np.where(rng.random(n) < noise, ~label, label)
    label = np.where(label, "yes", "no")
    return pd.DataFrame({"x1": x1, "x2": x2, "group": group, "label": label})


def test_regions_rarer_in_train_are_found_with_their_shares_and_a_random_split_has_none() -> None:
    train, dev = table(2000, 0.02, 0, b_flips=False), table(600, 0.30, 1, b_flips=False)
    regions, tested = undercovered_regions(dev.drop(columns="label"), train.drop(columns="label"), min_rows=20)
    assert tested >= 2  # the group's two levels, and the numbers' bins
    top = regions[0]
    assert top.condition.text() == "group = b"
    assert top.dev_share == pytest.approx((dev["group"] == "b").mean())
    assert top.train_share == pytest.approx((train["group"] == "b").mean())
    assert top.q_value < 0.05
    # The same population split at random: nothing is rarer in train beyond chance.
    same = table(2600, 0.30, 2, b_flips=False)
    regions, _ = undercovered_regions(
        same.iloc[2000:].drop(columns="label"), same.iloc[:2000].drop(columns="label"), min_rows=20
    )
    assert regions == []


def test_a_region_train_lacks_whose_rows_teach_the_model_something_is_a_measured_lever() -> None:
    train, dev = table(2000, 0.005, 0, b_flips=True), table(900, 0.30, 1, b_flips=True)
    result = run(Problem.from_frames(train, dev=dev, target="label"))
    (finding,) = result.findings
    # A third of dev is a region train lacks, so the mismatch gap is beyond noise too: the region's cost is
    # that gap's, and adding dev-like rows to train is reducing it.
    assert finding.id == "coverage.region" and finding.lever == "reduce_mismatch"
    assert finding.bottleneck == "data_mismatch"
    refit = result.sections["coverage"]["refit"]
    assert refit["rule"] == "group = b" and refit["folds"] == 3
    in_b = int((dev["group"] == "b").sum())
    # Each of the three refits adds two thirds of the region's dev rows.
    assert refit["rows_added"] == pytest.approx(in_b * 2 / 3, abs=1)
    # Few 'b' rows in train: the model follows the majority's rule there and fails half of them; with
    # hundreds added it learns theirs.
    assert refit["region_error"] > 0.35 and refit["region_error_refit"] < 0.2
    assert refit["gain"] == pytest.approx(refit["dev_error"] - refit["dev_error_refit"])
    assert refit["interval"][0] > 0 and finding.expected_gain == pytest.approx(refit["gain"])
    # The rules are on the features: the label, far more often "yes" in group b's dev rows, is never one.
    assert all(not r["rule"].startswith("label") for r in result.sections["coverage"]["regions"])
    # The gain is the region's only: its error change times its share of dev.
    share = in_b / len(dev)
    assert refit["gain"] == pytest.approx(share * (refit["region_error"] - refit["region_error_refit"]))


def test_a_region_train_lacks_but_labelled_like_the_rest_carries_no_lever() -> None:
    # The same shortage, but 'b' follows the rule the model already knows: more of it changes nothing.
    train, dev = table(2000, 0.005, 0, b_flips=False), table(900, 0.30, 1, b_flips=False)
    result = run(Problem.from_frames(train, dev=dev, target="label"))
    (finding,) = result.findings
    assert finding.lever is None and finding.bottleneck is None and finding.severity == "info"
    assert "not beyond noise" in finding.title
    assert result.sections["coverage"]["refit"]["interval"][0] <= 0


def test_paired_gain_counts_the_metric_not_the_mean_loss_for_rmse() -> None:
    rmse = metric_for("regression", "rmse")
    before = np.array([4.0, 4.0, 4.0, 4.0])  # squared errors: RMSE 2
    after = np.array([1.0, 1.0, 1.0, 1.0])  # RMSE 1
    gain, (low, high) = paired_gain(before, after, rmse, seed=0)
    assert gain == pytest.approx(1.0)
    assert low == pytest.approx(1.0) and high == pytest.approx(1.0)


def test_a_shift_of_the_labels_alone_is_no_region() -> None:
    # Dev has far more "yes" than train, the features are drawn alike: no feature rule is rarer in train,
    # and the label is never a rule (adding rows by their label would credit the refit with them).
    rng = np.random.default_rng(3)

    def part(n: int, share_yes: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "x1": rng.normal(size=n),
                "g": rng.choice(["u", "v"], size=n),
                "y": np.where(rng.random(n) < share_yes, "yes", "no"),
            }
        )

    result = run(Problem.from_frames(part(1500, 0.2), dev=part(600, 0.6), target="y"))
    assert result.findings == ()
    assert result.sections["coverage"]["regions"] == []
    assert result.sections["coverage"]["note"] == "no region of dev is rarer in train"


def test_a_shortage_the_overall_mismatch_gap_cannot_resolve_is_targeted_data_for_an_underrepresented_slice() -> None:
    # Group b is a tenth of dev and 0.5 % of train, and 10 % of every label is flipped. Dev's extra error from b
    # (about 4 points) is within the noise of a 200-row train-dev, so the mismatch gap is not beyond noise; the
    # refit, paired row by row on 3,000 dev rows, resolves b's gain.
    train, dev = table(1000, 0.005, 0, b_flips=True, noise=0.1), table(3000, 0.1, 1, b_flips=True, noise=0.1)
    problem = Problem.from_frames(train, dev=dev, target="label")
    ctx = Context(problem)
    specs = [s for s in registered_checks() if s.name == "coverage"]
    result = run_checks(problem, ctx, checks=specs)
    assert not ctx.decomposition.gaps["data_mismatch"].significant
    (finding,) = result.findings
    assert finding.lever == "targeted_data" and finding.bottleneck == "underrepresented_slice"
    refit = result.sections["coverage"]["refit"]
    assert refit["rule"] == "group = b" and refit["interval"][0] > 0
    assert refit["region_error_refit"] < refit["region_error"]


def test_a_dev_carved_at_random_from_train_is_not_searched() -> None:
    frame = table(1500, 0.3, 5, b_flips=True)
    result = run(Problem.from_frames(frame, target="label"))  # no dev given: unstuck carves one at random
    assert result.findings == ()
    (skipped,) = [s for s in result.skipped if s.check == "coverage"]
    assert "carved at random" in skipped.reason


def test_a_rule_all_of_dev_meets_is_no_region() -> None:
    # A column missing in every dev row and in no train row: "x2 is missing" is all of dev, which names no part
    # of it (dev as a whole differing is the mismatch gap's and the shift check's); group b, a part, is found.
    train, dev = table(2000, 0.005, 0, b_flips=True), table(900, 0.30, 1, b_flips=True)
    dev = dev.assign(x2=np.nan)
    regions, _ = undercovered_regions(dev.drop(columns="label"), train.drop(columns="label"), min_rows=20)
    assert [r.condition.text() for r in regions] == ["group = b"]
