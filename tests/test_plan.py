"""Each rule of the plan, on a card where it must fire and one where it must not."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from unstuck.card import DATA_TYPES, LAYERS, STAGES, ProjectCard
from unstuck.plan import (
    LAYER_RULES,
    RULES,
    choose_layer,
    make_plan,
    quality_gap,
    rows_to_detect,
    untested_tries,
)

TODAY = dt.date(2026, 11, 23)
PAST_BOX = TODAY - dt.timedelta(days=53)
IN_BOX = TODAY - dt.timedelta(days=10)


def rules_of(card: ProjectCard) -> list[str]:
    return [s.rule for s in make_plan(card, today=TODAY)]


def step_of(card: ProjectCard, rule: str) -> list[str]:
    return [s.title for s in make_plan(card, today=TODAY) if s.rule == rule]


@pytest.mark.parametrize(
    ("data_type", "layer"),
    [
        ("text", "llm_prompting"),
        ("image", "deep_learning"),
        ("audio", "deep_learning"),
        ("video", "deep_learning"),
        ("structured", "classical_ml"),
        ("time_series", "classical_ml"),
    ],
)
def test_layer_from_data_type(data_type: str, layer: str) -> None:
    choice = choose_layer(ProjectCard(data_type=data_type, stage="prototype"), TODAY)
    assert choice.layer == layer
    assert choice.rule == ("text_default" if data_type == "text" else "data_type")


def test_recorded_layer_wins_and_text_regression() -> None:
    recorded = choose_layer(ProjectCard(data_type="text", stage="prototype", layer="classical_ml"), TODAY)
    assert (recorded.layer, recorded.rule) == ("classical_ml", "recorded")
    regression = choose_layer(ProjectCard(data_type="text", stage="prototype", task="regression"), TODAY)
    assert (regression.layer, regression.rule) == ("classical_ml", "text_regression")


def test_a_text_system_trained_on_labels_without_an_llm_stays_at_deep_learning() -> None:
    card = ProjectCard(data_type="text", stage="failing_baseline", volume=50_000, current=0.2, target=0.1)
    choice = choose_layer(card, TODAY)
    assert (choice.layer, choice.rule) == ("deep_learning", "trained_on_labels")
    assert "50,000 labelled examples" in choice.why
    assert rules_of(card)[:1] == ["diagnose_first"] and "prompt_time_box" not in rules_of(card)
    for changes in ({"volume": None}, {"uses_llm_api": True}, {"stage": "prototype"}, {"task": "regression"}):
        other = ProjectCard(**{**card.__dict__, **changes})
        assert choose_layer(other, TODAY).rule != "trained_on_labels", changes
    started = ProjectCard(**{**card.__dict__, "prompt_tuning_started": IN_BOX})
    assert choose_layer(started, TODAY).rule == "text_default"


def test_quality_gap_after_the_time_box_moves_to_deep_learning_with_labels_not_distill() -> None:
    card = ProjectCard(data_type="text", stage="prototype", current=0.20, target=0.05, prompt_tuning_started=PAST_BOX)
    choice = choose_layer(card, TODAY)
    assert (choice.layer, choice.rule) == ("deep_learning", "quality_gap_after_time_box")
    assert "53 days ago" in choice.why and "20.0%" in choice.why
    plan = make_plan(card, today=TODAY)
    assert [s.rule for s in plan[:3]] == ["layer", "label_set", "record_layer"]
    move = plan[0]
    assert "labels that are better than the LLM's" in move.title and move.layer == "deep_learning"
    assert "would copy the 20.0% error" in move.why
    assert not any((s.command or "").startswith("unstuck distill") for s in plan)
    # 76 = rows to tell 20% from 5% (two-proportion test, pinned in test_rows_to_detect_by_hand)
    assert "at least 76 real inputs" in plan[1].title
    assert plan[2].title == 'Record the move in the card: layer = "deep_learning" under [decisions] in unstuck.toml'
    assert "prompt_time_box" not in [s.rule for s in plan] and "diagnose_first" not in [s.rule for s in plan]
    human = next(s for s in plan if s.rule == "measure_human_level")
    assert human.command == "unstuck diagnose labelled.csv --target <label> --human-error <measured>"


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"prompt_tuning_started": IN_BOX}, "text_default"),  # box still running
        ({"current": 0.04}, "text_default"),  # gap closed
        ({"current": None}, "text_default"),  # gap unknown
        ({"layer": "classical_ml"}, "recorded"),  # the team already decided another layer
        ({"layer": "llm_prompting"}, "quality_gap_after_time_box"),  # a recorded prompting layer is overturned
    ],
)
def test_quality_gap_rule_needs_a_passed_box_and_an_open_gap(changes: dict[str, object], rule: str) -> None:
    base = {
        "data_type": "text",
        "stage": "prototype",
        "current": 0.2,
        "target": 0.05,
        "prompt_tuning_started": PAST_BOX,
    }
    card = ProjectCard(**{**base, **changes})  # type: ignore[arg-type]
    assert choose_layer(card, TODAY).rule == rule


def test_cost_at_scale_moves_to_deep_learning_by_distillation() -> None:
    card = ProjectCard(
        data_type="text",
        stage="cost_problem",
        deployment="production",
        volume=200_000,
        uses_llm_api=True,
        budget_per_month=20_000,
    )
    choice = choose_layer(card, TODAY)
    assert (choice.layer, choice.rule) == ("deep_learning", "cost_at_scale")
    assert "budget 20,000 a month" in choice.why and "in production" in choice.why
    plan = make_plan(card, today=TODAY)
    assert [s.rule for s in plan[:3]] == ["layer", "cost_curve", "record_layer"]
    assert plan[0].command == "unstuck distill traffic.jsonl --input prompt --output response"
    assert "200,000 labelled examples" in plan[0].why and "--gold" in plan[0].why
    assert (plan[1].command or "").endswith("--budget 20000")
    # a cost problem with an open quality gap: distillation is still the cost remedy, and says it keeps the gap
    gap = ProjectCard(data_type="text", stage="cost_problem", current=0.2, target=0.05)
    assert "does not close the gap (20.0% vs target 5.0%)" in make_plan(gap, today=TODAY)[0].why
    # ... but once the prompt-tuning box has passed with that gap, labels beat distillation
    boxed = ProjectCard(
        data_type="text", stage="cost_problem", current=0.2, target=0.05, prompt_tuning_started=PAST_BOX
    )
    assert choose_layer(boxed, TODAY).rule == "quality_gap_after_time_box"
    assert "also bends the cost curve" in make_plan(boxed, today=TODAY)[0].why
    assert choose_layer(ProjectCard(data_type="image", stage="cost_problem"), TODAY).rule == "data_type"
    assert choose_layer(ProjectCard(data_type="text", stage="cost_problem", layer="deep_learning"), TODAY).rule == (
        "recorded"
    )


def test_prompt_time_box_states() -> None:
    def title(started: dt.date | None, **extra: float) -> str:
        card = ProjectCard(data_type="text", stage="prototype", prompt_tuning_started=started, **extra)  # type: ignore[arg-type]
        return step_of(card, "prompt_time_box")[0]

    assert title(None) == "Time-box prompt tuning to 30 days, starting now"
    assert "20 of 30 days left" in title(dt.date(2026, 11, 13))
    assert title(dt.date(2026, 11, 28)) == "Prompt tuning starts on 2026-11-28: its 30-day box ends on 2026-12-28"
    assert "past its time box: measure the error against the target" in title(dt.date(2026, 9, 1))
    assert "meets the target: freeze the prompt" in title(dt.date(2026, 9, 1), current=0.04, target=0.05)
    assert "prompt_time_box" not in rules_of(ProjectCard(data_type="image", stage="prototype"))


def test_greenfield_path_in_order() -> None:
    rules = rules_of(ProjectCard(data_type="structured", stage="greenfield"))
    assert rules[:4] == ["layer", "greenfield_collect", "greenfield_baseline", "greenfield_forecast"]
    assert "greenfield_collect" not in rules_of(ProjectCard(data_type="structured", stage="prototype"))
    with_data = step_of(ProjectCard(data_type="time_series", stage="greenfield", volume=80), "greenfield_collect")
    assert with_data[0].startswith("Start from the 80 labelled examples you have")
    assert (
        "a few dozen to a few hundred"
        in step_of(ProjectCard(data_type="text", stage="greenfield"), "greenfield_collect")[0]
    )


def test_layer_step_only_when_starting_or_moving() -> None:
    assert "layer" in rules_of(ProjectCard(data_type="image", stage="prototype"))
    assert "layer" not in rules_of(ProjectCard(data_type="image", stage="failing_baseline"))
    assert "layer" not in rules_of(ProjectCard(data_type="text", stage="scaling", uses_llm_api=True))


def test_components_among_the_first_three_of_a_failing_system() -> None:
    stages = ("capture", "detect", "register", "compare", "spoof")
    card = ProjectCard(data_type="image", stage="failing_baseline", components=stages, current=0.08, target=0.01)
    step = next(s for s in make_plan(card, today=TODAY) if s.rule == "components")
    assert step.command == "unstuck components results.csv --stages capture,detect,register,compare,spoof"
    assert "5 components" in step.why and "8.0% vs target 1.0%" in step.why
    assert "components" not in rules_of(ProjectCard(data_type="image", stage="failing_baseline", components=("one",)))
    assert "components" not in rules_of(
        ProjectCard(data_type="image", stage="prototype", components=stages, current=0.01, target=0.02)
    )
    # every failing multi-component card, whatever else it says, puts attribution in the first three
    for data_type, stage, api, deployment, started in itertools.product(
        DATA_TYPES, STAGES, (False, True), ("prototype", "production"), (None, IN_BOX, PAST_BOX)
    ):
        failing = ProjectCard(
            data_type=data_type,
            stage=stage,
            components=stages,
            current=0.2,
            target=0.05,
            uses_llm_api=api,
            deployment=deployment,
            prompt_tuning_started=started,
        )
        assert "components" in rules_of(failing)[:3], failing


def test_untested_tries_are_named_with_the_diagnosis_that_comes_first() -> None:
    card = ProjectCard(
        data_type="image",
        stage="failing_baseline",
        tried=("more images", "more GPUs", "a bigger model", "prompt tuning", "more training data"),
        human_level=0.02,
    )
    assert untested_tries(card) == {
        "more_data": ["more images", "more training data"],
        "more_compute": ["more GPUs"],
        "bigger_model": ["a bigger model"],
    }
    steps = [s for s in make_plan(card, today=TODAY) if s.rule == "untested_tries"]
    assert [s.title.split(" tried")[0] for s in steps] == [
        "'more images', 'more training data' were",
        "'more GPUs' was",
        "'a bigger model' was",
    ]
    assert [s.command for s in steps] == [
        "unstuck curve train.csv --dev dev.csv --target <label>",
        "unstuck diagnose --training-log history.csv",
        "unstuck diagnose train.csv --dev dev.csv --target <label> --human-error 0.02",
    ]
    assert "learning curve" in steps[0].why and "training curve" in steps[1].why and "bias or variance" in steps[2].why
    assert "untested_tries" not in rules_of(ProjectCard(data_type="text", stage="prototype", tried=("prompt tuning",)))


def test_headline_and_steps_never_disagree_on_the_layer() -> None:
    # Every combination of the card fields the layer rules read: each step at a layer is at the decided one.
    checked = 0
    for data_type, stage, api, deployment, layer, started, current, task, volume in itertools.product(
        DATA_TYPES,
        STAGES,
        (False, True),
        ("prototype", "production"),
        (None, *LAYERS),
        (None, IN_BOX, PAST_BOX),
        (None, 0.04, 0.2),
        (None, "regression"),
        (None, 5000),
    ):
        card = ProjectCard(
            data_type=data_type,
            stage=stage,
            uses_llm_api=api,
            deployment=deployment,
            layer=layer,
            prompt_tuning_started=started,
            current=current,
            target=0.05,
            task=task,
            volume=volume,
        )
        decided = choose_layer(card, TODAY).layer
        wrong = [s for s in make_plan(card, today=TODAY) if s.layer not in (None, decided)]
        assert not wrong, (card, decided, wrong)
        checked += 1
    assert checked == 6 * 5 * 2 * 2 * 4 * 3 * 3 * 2 * 2


def test_diagnose_first_quotes_the_gap() -> None:
    plan = make_plan(
        ProjectCard(data_type="structured", stage="failing_baseline", current=0.2, target=0.1), today=TODAY
    )
    step = next(s for s in plan if s.rule == "diagnose_first")
    assert "current 20.0% vs target 10.0%" in step.why
    assert "diagnose_first" not in rules_of(ProjectCard(data_type="structured", stage="greenfield"))


def test_human_level_measured_only_when_unknown() -> None:
    assert "measure_human_level" in rules_of(ProjectCard(data_type="image", stage="prototype"))
    assert "measure_human_level" not in rules_of(ProjectCard(data_type="image", stage="prototype", human_level=0.01))
    greenfield = make_plan(ProjectCard(data_type="image", stage="greenfield"), today=TODAY)
    assert next(s for s in greenfield if s.rule == "measure_human_level").command == (
        "unstuck diagnose small.csv --target <label> --human-error <measured>"
    )


def test_confirm_data_bottleneck_when_scaling_without_a_data_try() -> None:
    assert "confirm_data_bottleneck" in rules_of(ProjectCard(data_type="image", stage="scaling"))
    # a recorded data try gets its own step (untested_tries) with the same learning curve, not two
    tried = rules_of(ProjectCard(data_type="image", stage="scaling", tried=("More data",)))
    assert "confirm_data_bottleneck" not in tried and "untested_tries" in tried
    assert "confirm_data_bottleneck" not in rules_of(ProjectCard(data_type="image", stage="prototype"))


def test_cost_curve_when_an_llm_api_meets_scale() -> None:
    assert "cost_curve" in rules_of(ProjectCard(data_type="text", stage="scaling", uses_llm_api=True))
    assert "cost_curve" in rules_of(
        ProjectCard(data_type="text", stage="prototype", uses_llm_api=True, deployment="production")
    )
    assert "cost_curve" not in rules_of(ProjectCard(data_type="text", stage="scaling"))
    no_budget = step_of(ProjectCard(data_type="text", stage="scaling", uses_llm_api=True), "cost_curve")
    assert no_budget and "--budget <monthly_budget>" in next(
        s.command or ""
        for s in make_plan(ProjectCard(data_type="text", stage="scaling", uses_llm_api=True), today=TODAY)
        if s.rule == "cost_curve"
    )


def test_record_layer_only_for_a_move_not_yet_recorded() -> None:
    moving = ProjectCard(data_type="text", stage="cost_problem", uses_llm_api=True)
    assert "record_layer" in rules_of(moving)
    assert "record_layer" not in rules_of(ProjectCard(data_type="text", stage="cost_problem", layer="deep_learning"))
    assert "record_layer" not in rules_of(ProjectCard(data_type="image", stage="prototype"))


def test_label_set_only_after_the_quality_gap_move() -> None:
    assert "label_set" not in rules_of(ProjectCard(data_type="text", stage="prototype", current=0.2, target=0.05))
    rmse = ProjectCard(
        data_type="text", stage="prototype", metric="rmse", current=3.0, target=1.0, prompt_tuning_started=PAST_BOX
    )
    assert step_of(rmse, "label_set")[0].startswith("Label real inputs of the task")


def test_architecture_for_data_type_and_layer() -> None:
    plan = make_plan(ProjectCard(data_type="image", stage="prototype"), today=TODAY)
    assert "ConvNet" in next(s for s in plan if s.rule == "architecture").title
    plan = make_plan(ProjectCard(data_type="structured", stage="prototype"), today=TODAY)
    assert "gradient boosting" in next(s for s in plan if s.rule == "architecture").title
    moved = ProjectCard(data_type="text", stage="cost_problem")
    assert step_of(moved, "architecture") == ["Model family for text data: a pretrained transformer, fine-tuned"]
    assert "architecture" not in rules_of(ProjectCard(data_type="text", stage="prototype"))


def test_target_below_human() -> None:
    assert "target_below_human" in rules_of(
        ProjectCard(data_type="image", stage="prototype", target=0.01, human_level=0.02)
    )
    assert "target_below_human" not in rules_of(
        ProjectCard(data_type="image", stage="prototype", target=0.03, human_level=0.02)
    )


def test_production_gate_sizes_the_test_set() -> None:
    plan = make_plan(
        ProjectCard(data_type="image", stage="prototype", deployment="production", current=0.10, target=0.05),
        today=TODAY,
    )
    assert "at least 435 rows" in next(s for s in plan if s.rule == "production_gate").title
    assert "production_gate" not in rules_of(
        ProjectCard(data_type="image", stage="prototype", current=0.1, target=0.05)
    )


def test_rows_to_detect_by_hand() -> None:
    # z = 1.959964, 0.841621; p̄ = 0.075: (1.959964·√(2·.075·.925) + 0.841621·√(.09 + .0475))² / .05² = 434.4
    assert rows_to_detect(0.10, 0.05) == 435
    # p̄ = 0.125: (1.959964·√(2·.125·.875) + 0.841621·√(.16 + .0475))² / .15² = 1.690172 / .0225 = 75.1
    assert rows_to_detect(0.20, 0.05) == 76
    assert rows_to_detect(0.10, 0.09) > 10 * rows_to_detect(0.10, 0.05)


def test_quality_gap_states() -> None:
    assert quality_gap(ProjectCard(data_type="text", stage="prototype", current=0.2, target=0.05)) == "open"
    assert quality_gap(ProjectCard(data_type="text", stage="prototype", current=0.05, target=0.05)) == "closed"
    assert quality_gap(ProjectCard(data_type="text", stage="prototype", target=0.05)) == "unknown"


def test_ledger_when_things_were_tried() -> None:
    assert "ledger" in rules_of(ProjectCard(data_type="image", stage="prototype", tried=("gpus",)))
    assert "ledger" not in rules_of(ProjectCard(data_type="image", stage="prototype"))


def test_every_rule_is_exercised_above() -> None:
    # Keeps this file honest as rules are added: each rule id is named in a test here.
    source = Path(__file__).read_text(encoding="utf-8")
    for rule in (*RULES, *LAYER_RULES):
        assert f'"{rule.id}' in source, f"rule {rule.id} has no test"


def test_the_ledgers_layer_decision_is_the_plans() -> None:
    # `unstuck metrics` reports the same layer and rule as `unstuck plan`, moves included.
    from unstuck.layer_decision import layer_decision

    moved = ProjectCard(data_type="text", stage="prototype", current=0.2, target=0.05, prompt_tuning_started=PAST_BOX)
    d = layer_decision(moved, TODAY)
    assert (d.layer, d.rule, d.time_box, d.days_used) == (
        "deep_learning",
        "quality_gap_after_time_box",
        "not_applicable",
        53,
    )
    assert d.to_dict()["rule"] == "quality_gap_after_time_box"
    running = layer_decision(ProjectCard(data_type="text", stage="prototype", prompt_tuning_started=IN_BOX), TODAY)
    assert (running.layer, running.rule, running.time_box, running.days_left) == (
        "llm_prompting",
        "text_default",
        "running",
        20,
    )
