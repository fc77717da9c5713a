"""Can the test set support the claim? Four conditions on the test rows themselves.

* ``test_distribution``: test rows come from the dev distribution — the diagnosis' domain
  classifier (:func:`unstuck.shift.domain_classifier`) between dev and test, failing
  when its AUC's lower 95 % bound reaches the threshold (the shift check's 0.6 by default).
* ``test_power``: the test set is large enough to detect the claimed gain over the baseline
  at the stated significance and power (:mod:`unstuck.gate.power`), and if not, how many
  rows it would take.
* ``test_leakage``: no test row also sits in train (exact or near-identical features, or a
  shared id), judged by the leakage check's rules: beyond chance, and able to move the
  test error (:func:`unstuck.leakage.moves_numbers`).
* ``test_overfit``: the test set was not used for choosing — the test-vs-dev gap is within
  noise, or below the decomposition's materiality (a tenth of the dev error).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from unstuck.gate.condition import FAIL, NOT_CHECKED, PASS, GateCondition
from unstuck.gate.power import mcnemar_rows_needed, paired_rows_needed
from unstuck.units import percent

if TYPE_CHECKING:
    from unstuck.gate.inputs import GateInputs
    from unstuck.gate.paired import PairedComparison
    from unstuck.gate.settings import GateSettings

__all__ = ["distribution_condition", "leakage_condition", "overfit_condition", "power_condition"]

FAMILY = "test set"
MIN_ROWS_CLASSIFIER = 10

WHY_DISTRIBUTION = (
    "a test set from another distribution than dev measures a different problem: the release would be "
    "judged on data it was not tuned for, or production data the test set does not represent"
)
WHY_POWER = (
    "a test set too small for the claimed gain cannot tell the gain from noise: a 'better' result on it "
    "is as likely luck as progress"
)
WHY_LEAKAGE = "test rows the model saw in training are graded from memory: every test number is optimistic"
WHY_OVERFIT = (
    "a test error clearly above dev error means the choices tuned on dev (or on test itself) do not carry "
    "over: the dev numbers overstate what production will see"
)


def _not_checked(name: str, why: str, reason: str) -> GateCondition:
    return GateCondition(name, FAMILY, NOT_CHECKED, f"not checked: {reason}", why)


def distribution_condition(inputs: GateInputs, settings: GateSettings) -> GateCondition:
    """Dev-vs-test domain classifier AUC with its interval, against ``settings.max_domain_auc``."""
    from unstuck.shift import domain_classifier

    name = "test_distribution"
    if "dev" not in inputs.splits:
        return _not_checked(name, WHY_DISTRIBUTION, "the predictions file has no dev rows")
    if not inputs.features:
        return _not_checked(name, WHY_DISTRIBUTION, "the predictions file has no feature columns to compare")
    dev, test = inputs.splits["dev"].rows, inputs.test.rows
    if min(len(dev), len(test)) < MIN_ROWS_CLASSIFIER:
        return _not_checked(name, WHY_DISTRIBUTION, f"fewer than {MIN_ROWS_CLASSIFIER} dev or test rows")
    columns = list(inputs.features)
    auc, (low, high), shares = domain_classifier(dev, test, columns, inputs.problem.seed)
    drivers = sorted(shares.items(), key=lambda kv: -kv[1])[:3]
    failed = low >= settings.max_domain_auc
    summary = f"a classifier tells test rows from dev rows with AUC {auc:.2f} (95% interval {low:.2f}–{high:.2f}); " + (
        f"its lower bound reaches {settings.max_domain_auc:.2f}: test is not from the dev distribution "
        f"(driven by {', '.join(f'{c} ({percent(s, 0)})' for c, s in drivers)})"
        if failed
        else f"its lower bound stays under {settings.max_domain_auc:.2f}"
    )
    return GateCondition(
        name,
        FAMILY,
        FAIL if failed else PASS,
        summary,
        WHY_DISTRIBUTION,
        measured=auc,
        threshold=settings.max_domain_auc,
        detail={
            "auc": auc,
            "interval": [low, high],
            "rows": {"dev": len(dev), "test": len(test)},
            "drivers": [{"column": c, "gain_share": s} for c, s in drivers],
        },
    )


def power_condition(inputs: GateInputs, settings: GateSettings, comparison: PairedComparison | None) -> GateCondition:
    """Rows needed to detect the claimed gain (McNemar / paired bootstrap) against the test rows there are."""
    name = "test_power"
    if comparison is None:
        return _not_checked(name, WHY_POWER, "no baseline predictions (--baseline) to claim a gain over")
    metric = inputs.metric
    claimed = settings.claimed_gain
    said = "claimed"
    if claimed is None:
        claimed, said = comparison.gain, "measured"
    if claimed <= 0:
        return _not_checked(
            name,
            WHY_POWER,
            f"the {said} gain is {metric.format_gap(claimed)}: there is no gain over the baseline to detect",
        )
    if metric.task == "classification":
        assert comparison.wins is not None and comparison.losses is not None
        discordant = (comparison.wins + comparison.losses) / comparison.n
        needed = mcnemar_rows_needed(claimed, discordant, alpha=settings.significance, power=settings.power)
        test = "McNemar's exact test"
        spread = {"discordant_share": discordant}
    else:
        base_mean = comparison.baseline_mean_loss
        if metric.aggregate == "root_mean":
            # the claim is in RMSE units; the test reads mean squared errors, where losses add up
            delta = base_mean - max(np.sqrt(base_mean) - claimed, 0.0) ** 2
        else:
            delta = claimed
        needed = paired_rows_needed(delta, comparison.loss_diff_sd, alpha=settings.significance, power=settings.power)
        test = "a paired bootstrap"
        spread = {"loss_difference_sd": comparison.loss_diff_sd, "gain_in_mean_loss": float(delta)}
    n = comparison.n
    failed = n < needed
    summary = (
        f"detecting the {said} gain of {metric.format_gap(claimed)} with {test} at {settings.significance:g} "
        f"significance and {percent(settings.power, 0)} power takes {needed:,} test rows; there are {n:,}"
        + (f": {needed - n:,} more are needed" if failed else "")
    )
    return GateCondition(
        name,
        FAMILY,
        FAIL if failed else PASS,
        summary,
        WHY_POWER,
        measured=float(n),
        threshold=float(needed),
        detail={
            "test": test,
            "gain": claimed,
            "gain_source": said,
            "rows": n,
            "rows_needed": needed,
            "significance": settings.significance,
            "power": settings.power,
            **spread,
        },
    )


def leakage_condition(inputs: GateInputs) -> GateCondition:
    """Test rows shared with train (features or id), judged by the leakage check's rules."""
    from unstuck.context import Context
    from unstuck.data.rows import harmonise, row_keys, shared_keys
    from unstuck.leakage import CHANCE_FACTOR, chance_match_share, moves_numbers

    name = "test_leakage"
    if "train" not in inputs.splits:
        return _not_checked(name, WHY_LEAKAGE, "the predictions file has no train rows to compare test with")
    train, test = inputs.splits["train"].rows, inputs.test.rows
    columns = list(inputs.features)
    if not columns and inputs.id_column is None:
        return _not_checked(name, WHY_LEAKAGE, "the predictions file has no feature or id columns to compare")
    shared = np.zeros(len(test), dtype=bool)
    exact = near = ids = 0
    chance = 0.0
    if columns:
        same = harmonise({"train": train, "test": test}, columns)
        _, exact_mask = shared_keys(row_keys(same["train"], columns), row_keys(same["test"], columns))
        _, near_mask = shared_keys(
            row_keys(same["train"], columns, near=True), row_keys(same["test"], columns, near=True)
        )
        exact, near = int(exact_mask.sum()), int((near_mask & ~exact_mask).sum())
        shared |= near_mask
        chance = chance_match_share(train, columns, repeats_are_chance=True)
    if inputs.id_column is not None:
        id_mask = test[inputs.id_column].isin(set(train[inputs.id_column].dropna().tolist())).to_numpy()
        ids = int(id_mask.sum())
        shared |= id_mask
    share = float(shared.mean()) if len(test) else 0.0
    if not shared.any():
        return GateCondition(
            name,
            FAMILY,
            PASS,
            f"no test row shares its features or id with a train row ({len(test):,} test, {len(train):,} train rows)",
            WHY_LEAKAGE,
            measured=0.0,
            threshold=0.0,
            detail={"shared_rows": 0, "chance_share": chance},
        )
    beyond_chance = share >= CHANCE_FACTOR * chance or ids > 0
    moves = moves_numbers(inputs.problem, Context(inputs.problem), "test", shared)
    failed = beyond_chance and bool(moves["material"])
    metric = inputs.metric
    summary = f"{int(shared.sum())} of {len(test):,} test rows ({percent(share)}) also appear in train " + (
        f"({exact} identical, {near} near-identical, {ids} with the same id)"
    )
    if failed:
        summary += ": beyond chance and enough to move the test error"
    elif not beyond_chance:
        summary += f": about as many as chance gives on these columns ({percent(chance)})"
    else:
        summary += (
            f": too few to move the test error (at most {metric.format_gap(moves['could_move'])}, under one "
            f"standard error of {metric.format_gap(moves['standard_error'])} and a tenth of the rows)"
        )
    return GateCondition(
        name,
        FAMILY,
        FAIL if failed else PASS,
        summary,
        WHY_LEAKAGE,
        measured=share,
        threshold=min(CHANCE_FACTOR * chance, 1.0),
        detail={
            "shared_rows": int(shared.sum()),
            "exact": exact,
            "near": near,
            "ids": ids,
            "share": share,
            "chance_share": chance,
            "beyond_chance": beyond_chance,
            "materiality": moves,
        },
    )


def overfit_condition(inputs: GateInputs, settings: GateSettings) -> GateCondition:
    """Test error minus dev error with its interval: material and beyond noise fails."""
    from unstuck.decomposition import MATERIAL_SHARE_OF_DEV
    from unstuck.metrics import estimate_error, gap_interval

    name = "test_overfit"
    if "dev" not in inputs.splits:
        return _not_checked(name, WHY_OVERFIT, "the predictions file has no dev rows")
    metric = inputs.metric
    seed = inputs.problem.seed
    dev, test = inputs.splits["dev"], inputs.test
    level = 1.0 - settings.significance
    dev_est = estimate_error(metric, dev.y_true, dev.y_pred, level=level, seed=seed)
    test_est = estimate_error(metric, test.y_true, test.y_pred, level=level, seed=seed + 1)
    gap = test_est.value - dev_est.value
    low, high = gap_interval(test_est, dev_est, level=level)
    material = MATERIAL_SHARE_OF_DEV * dev_est.value
    failed = low > 0.0 and gap >= material
    summary = (
        f"test error {metric.format(test_est.value)} vs dev error {metric.format(dev_est.value)}: a gap of "
        f"{metric.format_gap(gap)} ({percent(level, 0)} interval {metric.format_gap(low)} to {metric.format_gap(high)})"
        + (
            f", beyond noise and over a tenth of the dev error ({metric.format_gap(material)})"
            if failed
            else (" within noise" if low <= 0.0 else ", real but under a tenth of the dev error")
        )
    )
    return GateCondition(
        name,
        FAMILY,
        FAIL if failed else PASS,
        summary,
        WHY_OVERFIT,
        measured=gap,
        threshold=material,
        detail={
            "dev_error": dev_est.value,
            "test_error": test_est.value,
            "gap": gap,
            "interval": [low, high],
            "material_from": material,
            "rows": {"dev": dev_est.n, "test": test_est.n},
        },
    )
