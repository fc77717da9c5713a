"""Each rule of the plan, on a card where it must fire and one where it must not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from unstuck.card import ProjectCard
from unstuck.plan import RULES, layer_for, make_plan, rows_to_detect

TODAY = dt.date(2026, 11, 23)


def rules_of(card: ProjectCard) -> list[str]:
    return [s.rule for s in make_plan(card, today=TODAY)]


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
    assert layer_for(ProjectCard(data_type=data_type, stage="prototype"))[0] == layer


def test_recorded_layer_wins() -> None:
    assert layer_for(ProjectCard(data_type="text", stage="prototype", layer="classical_ml"))[0] == "classical_ml"


def test_prompt_time_box_counts_days() -> None:
    inside = make_plan(
        ProjectCard(data_type="text", stage="prototype", prompt_tuning_started=dt.date(2026, 11, 13)), today=TODAY
    )
    step = next(s for s in inside if s.rule == "prompt_time_box")
    assert "20 of 30 days left" in step.title
    past = make_plan(
        ProjectCard(data_type="text", stage="prototype", prompt_tuning_started=dt.date(2026, 9, 1)), today=TODAY
    )
    step = next(s for s in past if s.rule == "prompt_time_box")
    assert "past its time box" in step.title and "83 days ago" in step.why and step.command
    assert "prompt_time_box" not in rules_of(ProjectCard(data_type="image", stage="prototype"))


def test_greenfield_path_in_order() -> None:
    rules = rules_of(ProjectCard(data_type="structured", stage="greenfield"))
    assert rules[:4] == ["layer", "greenfield_collect", "greenfield_baseline", "greenfield_forecast"]
    assert "greenfield_collect" not in rules_of(ProjectCard(data_type="structured", stage="prototype"))


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


def test_confirm_data_bottleneck_when_scaling_or_data_tried() -> None:
    assert "confirm_data_bottleneck" in rules_of(ProjectCard(data_type="image", stage="scaling"))
    assert "confirm_data_bottleneck" in rules_of(
        ProjectCard(data_type="image", stage="prototype", tried=("More data",))
    )
    assert "confirm_data_bottleneck" not in rules_of(ProjectCard(data_type="image", stage="prototype"))


def test_cost_curve_when_an_llm_api_meets_scale() -> None:
    assert "cost_curve" in rules_of(ProjectCard(data_type="text", stage="scaling", uses_llm_api=True))
    assert "cost_curve" in rules_of(
        ProjectCard(data_type="text", stage="prototype", uses_llm_api=True, deployment="production")
    )
    assert "cost_curve" not in rules_of(ProjectCard(data_type="text", stage="scaling"))


def test_architecture_for_data_type() -> None:
    plan = make_plan(ProjectCard(data_type="image", stage="prototype"), today=TODAY)
    assert "ConvNet" in next(s for s in plan if s.rule == "architecture").title
    plan = make_plan(ProjectCard(data_type="structured", stage="prototype"), today=TODAY)
    assert "gradient boosting" in next(s for s in plan if s.rule == "architecture").title


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
    assert rows_to_detect(0.10, 0.09) > 10 * rows_to_detect(0.10, 0.05)


def test_ledger_when_things_were_tried() -> None:
    assert "ledger" in rules_of(ProjectCard(data_type="image", stage="prototype", tried=("gpus",)))
    assert "ledger" not in rules_of(ProjectCard(data_type="image", stage="prototype"))


def test_every_rule_is_exercised_above() -> None:
    # Keeps this file honest as rules are added: each rule id is named in a test here.
    source = Path(__file__).read_text(encoding="utf-8")
    for rule in RULES:
        assert f'"{rule.id}' in source, f"rule {rule.id} has no test"
