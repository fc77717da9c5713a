"""Ranking of interventions."""

from __future__ import annotations

from unstuck.advice import bottleneck_of, rank_interventions
from unstuck.findings import Finding
from unstuck.metrics import METRICS

RATE = METRICS["error_rate"]


def finding(
    id_: str, lever: str, gain: float | None, severity: str = "warning", bottleneck: str | None = None
) -> Finding:
    return Finding(
        id=id_,
        check="t",
        severity=severity,
        title=id_,
        lever=lever,
        expected_gain=gain,  # type: ignore[arg-type]
        bottleneck=bottleneck,
    )


def test_critical_outranks_larger_gains() -> None:
    ranked = rank_interventions(
        [
            finding("bias", "bigger_model", 0.10, bottleneck="avoidable_bias"),
            finding("leak", "fix_leakage", 0.01, severity="critical", bottleneck="leakage"),
        ],
        RATE,
    )
    assert [i.lever for i in ranked][:2] == ["fix_leakage", "bigger_model"]
    assert bottleneck_of(ranked) == "leakage"


def test_larger_gain_first_then_alternatives_by_cost() -> None:
    ranked = rank_interventions(
        [
            finding("bias", "bigger_model", 0.04, bottleneck="avoidable_bias"),
            finding("var", "regularize", 0.05, bottleneck="variance"),
        ],
        RATE,
    )
    assert [i.lever for i in ranked] == [
        "regularize",
        "bigger_model",
        "train_longer",
        "change_architecture",
    ]
    assert [i.rank for i in ranked] == [1, 2, 3, 4]
    assert ranked[0].expected_gain == 0.05
    assert "5.0 points" in ranked[0].next_experiment.hypothesis


def test_same_lever_is_merged_with_the_largest_gain() -> None:
    ranked = rank_interventions([finding("a", "fix_labels", 0.02), finding("b", "fix_labels", 0.03)], RATE)
    assert len(ranked) == 1
    assert ranked[0].findings == ("a", "b") and ranked[0].expected_gain == 0.03


def test_more_data_only_on_learning_curve_evidence() -> None:
    variance = finding("decomposition.variance", "regularize", 0.05, bottleneck="variance")
    assert "more_data" not in [i.lever for i in rank_interventions([variance], RATE)]
    curve = finding("learning_curve.more_data", "more_data", 0.02, bottleneck="variance")
    assert "more_data" in [i.lever for i in rank_interventions([variance, curve], RATE)]
    saturated = Finding(id="learning_curve.saturated", check="learning_curve", severity="info", title="flat")
    assert "more_data" not in [i.lever for i in rank_interventions([variance, curve, saturated], RATE)]


def test_more_compute_only_when_nothing_cheaper() -> None:
    compute = finding("x", "more_compute", 0.01)
    assert [i.lever for i in rank_interventions([compute], RATE)] == ["more_compute"]
    ranked = rank_interventions([compute, finding("y", "tune_learning_rate", None)], RATE)
    assert [i.lever for i in ranked] == ["tune_learning_rate"]


def test_data_type_shapes_architecture_and_pretrained() -> None:
    bias = finding("decomposition.avoidable_bias", "bigger_model", 0.04, bottleneck="avoidable_bias")
    tables = rank_interventions([bias], RATE)
    assert "finetune_pretrained" not in [i.lever for i in tables]
    assert (
        "gradient boosting before deep networks" in next(i for i in tables if i.lever == "change_architecture").action
    )
    images = rank_interventions([bias], RATE, data_type="image")
    assert "finetune_pretrained" in [i.lever for i in images]
    assert "convolutional" in next(i for i in images if i.lever == "change_architecture").action


def test_no_findings_no_bottleneck() -> None:
    assert rank_interventions([], RATE) == ()
    assert bottleneck_of(()) == "none"


def test_unknown_gain_says_why() -> None:
    ranked = rank_interventions([finding("p", "fix_pipeline", None)], RATE)
    assert ranked[0].expected_gain is None and ranked[0].expected_gain_note


def test_near_equal_gains_follow_the_method_order() -> None:
    # A weak slice explaining 3.4 points vs a variance gap of 3.5: fix the data first.
    ranked = rank_interventions(
        [
            finding("decomposition.variance", "regularize", 0.035, bottleneck="variance"),
            finding("slices.1", "targeted_data", 0.034, bottleneck="underrepresented_slice"),
        ],
        RATE,
    )
    assert [i.lever for i in ranked] == ["targeted_data", "regularize"]
    assert bottleneck_of(ranked) == "underrepresented_slice"


def test_a_slice_curve_forecast_alone_ranks_after_warnings_and_names_no_bottleneck() -> None:
    slice_curve = finding("learning_curve.which_slice", "targeted_data", 0.05, severity="info")
    ranked = rank_interventions([slice_curve, finding("var", "regularize", 0.01, bottleneck="variance")], RATE)
    assert [i.lever for i in ranked][:2] == ["regularize", "targeted_data"]
    assert ranked[1].expected_gain == 0.05 and bottleneck_of(ranked) == "variance"
    # beside the slices check's warning for the same lever, the larger gain and the warning lead
    slices = finding("slices.weak", "targeted_data", 0.08, bottleneck="underrepresented_slice")
    merged = rank_interventions([slice_curve, slices], RATE)
    assert len(merged) == 1 and merged[0].expected_gain == 0.08
    assert merged[0].findings == ("learning_curve.which_slice", "slices.weak")
    assert merged[0].bottleneck == "underrepresented_slice"
