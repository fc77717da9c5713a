"""``unstuck plan``: the method's steps applied to a project card.

The layer the problem lives at is decided first (:mod:`unstuck.layer_choice`: the rules
that pick prompting an LLM, deep learning or classical ML); the plan names it. Then
``RULES`` add the steps. Each says when it applies, the step it adds, and why — the
"why" quotes the card's own facts. Steps are ordered by the rule's priority (the method's
order: decide the layer, find the failing component, measure, build a baseline,
diagnose, then scale), and the first three are the next actions.

A step that works at a layer says so (``PlanStep.layer``); the plan never has a step at
another layer than the one its headline decides.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from unstuck.card import CARD_FILE, ProjectCard

# The layer decision lives in unstuck.layer_choice; its names stay importable from here,
# where callers found them before the split.
from unstuck.layer_choice import (
    LAYER_RULES,
    MOVE_RULES,
    PROMPT_TIME_BOX_DAYS,
    LayerChoice,
    LayerRule,
    choose_layer,
    fmt_days,
    fmt_error,
    prompt_time_box,
    quality_gap,
)

__all__ = [
    "LAYER_RULES",
    "MOVE_RULES",
    "PROMPT_TIME_BOX_DAYS",
    "RULES",
    "LayerChoice",
    "LayerRule",
    "PlanStep",
    "Rule",
    "choose_layer",
    "make_plan",
    "prompt_time_box",
    "quality_gap",
    "rows_to_detect",
    "untested_tries",
]


@dataclass(frozen=True)
class PlanStep:
    """One step of the plan: what to do, why (from the card), the command that does it, and
    the layer it works at (None for a step that holds at any layer)."""

    rule: str
    title: str
    why: str
    command: str | None = None
    layer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "title": self.title, "why": self.why, "command": self.command, "layer": self.layer}


@dataclass(frozen=True)
class Rule:
    """When ``applies(card, today)``, add the steps ``steps(card, today)`` at ``priority``."""

    id: str
    priority: int
    applies: Callable[[ProjectCard, dt.date], bool]
    steps: Callable[[ProjectCard, dt.date], list[PlanStep]]


def rows_to_detect(current: float, target: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Rows per test set to tell error ``current`` from ``target`` (two-proportion z-test).

    ``n = (z_{1-α/2} √(2 p̄ q̄) + z_{power} √(p1 q1 + p2 q2))² / (p1 − p2)²``, rounded up.
    """
    from scipy.stats import norm

    p1, p2 = current, target
    if p1 == p2:
        raise ValueError("current and target are equal: no gain to detect")
    p_bar = (p1 + p2) / 2
    z_a, z_b = float(norm.ppf(1 - alpha / 2)), float(norm.ppf(power))
    numerator = (z_a * math.sqrt(2 * p_bar * (1 - p_bar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2
    return math.ceil(numerator / (p1 - p2) ** 2)


# What a team tried, by the lever it pulls: the words that name it, and the diagnosis that
# should have come first. Checked in this order ("more training data" is data, not compute).
_TRY_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "bigger_model",
        ("bigger model", "larger model", "bigger network", "larger network", "more layers", "model size", "deeper"),
    ),
    ("more_compute", ("gpu", "tpu", "compute", "cluster", "train longer", "longer training", "more epochs")),
    ("more_data", ("data", "image", "example", "sample", "label", "recording", "photo", "collect")),
)


def untested_tries(card: ProjectCard) -> dict[str, list[str]]:
    """The card's ``tried`` entries that pulled a lever the method gates behind a diagnosis
    (more data, more compute, a bigger model), grouped by lever, in the card's order."""
    found: dict[str, list[str]] = {}
    for attempt in card.tried:
        text = attempt.lower()
        kind = next((k for k, words in _TRY_KINDS if any(w in text for w in words)), None)
        if kind is not None:
            found.setdefault(kind, []).append(attempt)
    return found


def _layer_steps(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    choice = choose_layer(card, today)
    rule = f"layer rule {choice.rule}"
    if choice.rule == "quality_gap_after_time_box":
        return [
            PlanStep(
                "layer",
                "Move down to the deep-learning layer: fine-tune a pretrained transformer on labels that are better "
                "than the LLM's",
                f"{fmt_error(card.current, card)} against the target {fmt_error(card.target, card)} "
                f"after the prompt-tuning time box ({rule}). Train on labels people checked, not on the LLM's "
                f"answers: distilling those (unstuck distill) would copy the {fmt_error(card.current, card)} "
                "error it is meant to fix"
                + ("; the smaller model also bends the cost curve" if card.stage == "cost_problem" else ""),
                layer="deep_learning",
            )
        ]
    if choice.rule == "cost_at_scale":
        traffic = "production traffic" if card.deployment == "production" else "the traffic logged so far"
        caveat = (
            f"; it keeps the LLM's quality, so it does not close the gap ({fmt_error(card.current, card)} vs target "
            f"{fmt_error(card.target, card)})"
            if quality_gap(card) == "open"
            else ""
        )
        gold = (
            f"; of the card's {card.volume:,} labelled examples, pass the ones people checked as --gold FIELD to "
            "measure the small model against people too"
            if card.volume
            else ""
        )
        return [
            PlanStep(
                "layer",
                f"Move from the LLM API to the deep-learning layer: distil {traffic} (the LLM's answers are the "
                "labels) into a small model, check it on held-out traffic, serve it before the API as a cascade",
                f"the cost problem ({rule}): distillation copies the LLM's answers, which is what bends the cost "
                f"curve{caveat}{gold}",
                "unstuck distill traffic.jsonl --input prompt --output response",
                layer="deep_learning",
            )
        ]
    titles = {
        "llm_prompting": "Work at the LLM-prompting layer first: prompt an LLM, measure it on a small labelled set",
        "deep_learning": "Work at the deep-learning layer: start from a pretrained network for this data type",
        "classical_ml": "Work at the classical-ML layer: a gradient-boosting baseline before any deep network",
    }
    return [
        PlanStep(
            "layer", titles[choice.layer], f"data type '{card.data_type}': {choice.why}; {rule}", layer=choice.layer
        )
    ]


def _label_set(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    assert card.current is not None and card.target is not None
    have = f"; the card's {card.volume:,} labelled examples count only where people checked them" if card.volume else ""
    if card.is_error_rate:
        n = rows_to_detect(card.current, card.target)
        title = f"Label at least {n:,} real inputs of the task, checked by people, as the held-out set"
        why = (
            f"enough to tell {fmt_error(card.current, card)} from the target {fmt_error(card.target, card)} "
            "at 95% confidence and 80% power (two-proportion test); label the training set after, as much as the "
            "learning curve asks; unstuck diagnose on the labelled set gives a quick baseline and flags likely "
            "label errors"
        )
    else:
        title = "Label real inputs of the task, checked by people: a held-out set first, then a training set"
        why = (
            "labels better than the LLM's are what fine-tuning learns from; unstuck diagnose on the labelled set "
            "gives a quick baseline and flags likely label errors"
        )
    return [
        PlanStep(
            "label_set",
            title,
            why + have,
            "unstuck diagnose labelled.csv --target <label>",
            layer="deep_learning",
        )
    ]


def _components(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    failing = "status.stage = failing_baseline" if card.stage == "failing_baseline" else f"stage {card.stage}"
    if quality_gap(card) == "open":
        failing += f", {fmt_error(card.current, card)} vs target {fmt_error(card.target, card)}"
    return [
        PlanStep(
            "components",
            "Find the component that accounts for most failures before changing anything: mark, per failed "
            "example, which stage went wrong first",
            f"{failing}; the card lists {len(card.components)} components ({', '.join(card.components)}): a "
            "multi-stage system is fixed one stage at a time, starting with the one that fails most",
            f"unstuck components results.csv --stages {','.join(card.components)}",
        )
    ]


def _prompt_time_box(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    started = card.prompt_tuning_started
    state, used = prompt_time_box(started, today)
    box = PROMPT_TIME_BOX_DAYS
    if state == "not_started" or used is None:
        return [
            PlanStep(
                "prompt_time_box",
                f"Time-box prompt tuning to {box} days, starting now",
                "prompt tuning has no natural end; the card has no performance.prompt_tuning_started",
                layer="llm_prompting",
            )
        ]
    assert started is not None
    if state == "scheduled":
        return [
            PlanStep(
                "prompt_time_box",
                f"Prompt tuning starts on {started}: its {box}-day box ends on {started + dt.timedelta(days=box)}",
                f"performance.prompt_tuning_started is {fmt_days(-used)} from now",
                layer="llm_prompting",
            )
        ]
    if state == "running":
        return [
            PlanStep(
                "prompt_time_box",
                f"Keep prompt tuning inside its box: {box - used} of {box} days left",
                f"prompt tuning started {started} ({fmt_days(used)} ago)",
                layer="llm_prompting",
            )
        ]
    gap = quality_gap(card)
    if gap == "closed":
        return [
            PlanStep(
                "prompt_time_box",
                "Prompt tuning is past its time box and meets the target: freeze the prompt and record the decision "
                f'(layer = "llm_prompting" under [decisions] in {CARD_FILE})',
                f"prompt tuning started {started} ({fmt_days(used)} ago, box {box}); current "
                f"{fmt_error(card.current, card)} meets the target {fmt_error(card.target, card)}",
                layer="llm_prompting",
            )
        ]
    # An open gap past the box moves the layer (LAYER_RULES), so here the gap is unknown.
    return [
        PlanStep(
            "prompt_time_box",
            "Prompt tuning is past its time box: measure the error against the target now; a gap left means "
            "moving down to the deep-learning layer",
            f"prompt tuning started {started} ({fmt_days(used)} ago, box {box}); the card has no "
            "performance.current and .target, so the plan cannot tell whether prompting closed the gap",
            layer="llm_prompting",
        )
    ]


def _record_layer(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    choice = choose_layer(card, today)
    return [
        PlanStep(
            "record_layer",
            f'Record the move in the card: layer = "{choice.layer}" under [decisions] in {CARD_FILE}',
            "the method: document the layer decision, so the team does not drift back to prompt tuning",
            layer=choice.layer,
        )
    ]


def _data_args(card: ProjectCard, today: dt.date) -> str:
    """The data files the plan's commands name: the small set at greenfield, the new labelled set
    after the quality-gap move, else train and dev."""
    if card.stage == "greenfield":
        return "small.csv"
    if choose_layer(card, today).rule == "quality_gap_after_time_box":
        return "labelled.csv"
    return "train.csv --dev dev.csv"


def _human_level(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    # 100-200 shared examples pin a few-percent error to about ±2-3 points; fewer is all a small set has.
    shared = f"all {card.volume}" if card.volume is not None and 0 < card.volume < 100 else "the same 100-200"
    return [
        PlanStep(
            "measure_human_level",
            f"Measure human-level error: two people label {shared} examples; take the better one's error",
            "the card has no performance.human_level, so avoidable bias cannot be told from unavoidable error",
            f"unstuck diagnose {_data_args(card, today)} --target <label> --human-error <measured>",
        )
    ]


def _greenfield(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    if card.volume:
        collect = (
            f"Start from the {card.volume:,} labelled examples you have: enough for a quick baseline; collect more "
            "only when the learning curve asks for it"
        )
        volume = f"{card.volume:,} labelled examples"
    else:
        collect = "Collect a small labelled set (a few dozen to a few hundred examples) in days, not months"
        volume = "no labelled volume recorded"
    return [
        PlanStep(
            "greenfield_collect",
            collect,
            f"status.stage = greenfield ({volume}): nobody can say upfront how much data the task needs",
        ),
        PlanStep(
            "greenfield_baseline",
            "Build a quick-and-dirty baseline on it and check it beats chance",
            "a baseline that beats the trivial one beyond noise proves the inputs carry the target",
            "unstuck diagnose small.csv --target <label>",
        ),
        PlanStep(
            "greenfield_forecast",
            "Forecast with a learning curve how much data the target needs",
            f"target {fmt_error(card.target, card)}: the curve's forecast replaces guessing",
            "unstuck curve small.csv --target <label>",
        ),
    ]


def _diagnose_first(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    stage = card.stage.replace("_", " ")
    gap = ""
    if card.current is not None and card.target is not None:
        gap = f"; current {fmt_error(card.current, card)} vs target {fmt_error(card.target, card)}"
    return [
        PlanStep(
            "diagnose_first",
            "Diagnose before changing anything: error decomposition, data checks, error analysis",
            f"status.stage = {stage}{gap}: the next step must come from where the error is",
            "unstuck diagnose train.csv --dev dev.csv --target <label>",
        )
    ]


def _untested_tries(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    human = f"{card.human_level:g}" if card.human_level is not None else "<measured>"
    advice = {
        "more_data": (
            "more data helps only where the learning curve is still falling",
            "the diagnosis that comes first is the learning curve: it says whether data quantity is the "
            "bottleneck, and how much data the target needs",
            "unstuck curve train.csv --dev dev.csv --target <label>",
        ),
        "more_compute": (
            "more compute helps only while training is still improving when it stops",
            "the diagnosis that comes first is the training curve: still improving means compute-bound; flat, "
            "diverging or overfitting means compute will not help",
            "unstuck diagnose --training-log history.csv",
        ),
        "bigger_model": (
            "a bigger model helps only when avoidable bias dominates",
            "the diagnosis that comes first is the error decomposition against human-level error: bias or variance",
            f"unstuck diagnose train.csv --dev dev.csv --target <label> --human-error {human}",
        ),
    }
    steps = []
    for kind, attempts in untested_tries(card).items():
        lever, why, command = advice[kind]
        named = ", ".join(f"'{a}'" for a in attempts)
        steps.append(
            PlanStep(
                "untested_tries",
                f"{named} {'was' if len(attempts) == 1 else 'were'} tried without a recorded diagnosis: {lever}",
                f"{why}; the card's performance.tried records no diagnosis behind it",
                command,
            )
        )
    return steps


def _architecture(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    layer = choose_layer(card, today).layer
    advice = {
        "structured": "gradient boosting (LightGBM) before deep networks",
        "time_series": "gradient boosting on lag and calendar features before sequence models",
        "image": "a pretrained ConvNet / vision transformer, fine-tuned",
        "audio": "a pretrained audio transformer or sequence model, fine-tuned",
        "video": "a pretrained video or per-frame image model, fine-tuned",
        "text": "a pretrained transformer, fine-tuned"
        if layer == "deep_learning"
        else "TF-IDF features and a linear model or gradient boosting",
    }
    return [
        PlanStep(
            "architecture",
            f"Model family for {card.data_type.replace('_', ' ')} data: {advice[card.data_type]}",
            "the method: match the architecture to the data type",
            layer=layer,
        )
    ]


def _confirm_data(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    return [
        PlanStep(
            "confirm_data_bottleneck",
            "Before buying data or compute, confirm with a learning curve that data quantity is the bottleneck",
            "status.stage = scaling; more data is the lever that most often does not help",
            "unstuck curve train.csv --dev dev.csv --target <label>",
        )
    ]


def _cost_curve(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    budget = f"budget {card.budget_per_month:,.0f}/month" if card.budget_per_month is not None else "no budget recorded"
    budget_arg = f"{card.budget_per_month:g}" if card.budget_per_month is not None else "<monthly_budget>"
    return [
        PlanStep(
            "cost_curve",
            "Look at the cost curve: when does the LLM-API bill cross the budget, and where does "
            "a fine-tuned small model break even",
            f"the system calls an LLM API (stage {card.stage}, {card.deployment}, {budget})",
            "unstuck cost --traffic traffic.jsonl --api-input-price <usd_per_1m_input_tokens> "
            "--api-output-price <usd_per_1m_output_tokens> --requests <requests_per_month> "
            "--growth <monthly_growth> --small-model-hourly <usd_per_instance_hour> "
            f"--throughput <requests_per_second> --budget {budget_arg}",
        )
    ]


def _target_below_human(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    assert card.target is not None and card.human_level is not None
    return [
        PlanStep(
            "target_below_human",
            "Expect slow progress past human level: plan error analysis on the subsets "
            "where the model is still worse than people",
            f"target {fmt_error(card.target, card)} is below human-level {fmt_error(card.human_level, card)}",
        )
    ]


def _production_gate(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    assert card.current is not None and card.target is not None
    n = rows_to_detect(card.current, card.target)
    return [
        PlanStep(
            "production_gate",
            f"Hold out a test set of at least {n:,} rows from the dev distribution",
            f"to tell {fmt_error(card.current, card)} from the target {fmt_error(card.target, card)} at 95% confidence "
            "and 80% power (two-proportion test)",
        )
    ]


def _ledger(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    return [
        PlanStep(
            "ledger",
            "Record each next experiment with its hypothesis and the one variable it changes",
            f"already tried without a recorded hypothesis: {', '.join(card.tried)}",
            'unstuck run --hypothesis "<hypothesis>" -- <training_command>',
        )
    ]


def _failing(card: ProjectCard) -> bool:
    return card.stage == "failing_baseline" or quality_gap(card) == "open"


RULES: tuple[Rule, ...] = (
    Rule(
        "layer",
        10,
        lambda c, t: choose_layer(c, t).rule in MOVE_RULES or c.stage in ("greenfield", "prototype"),
        _layer_steps,
    ),
    Rule("components", 11, lambda c, t: len(c.components) >= 2 and _failing(c), _components),
    Rule("label_set", 11, lambda c, t: choose_layer(c, t).rule == "quality_gap_after_time_box", _label_set),
    Rule("prompt_time_box", 12, lambda c, t: choose_layer(c, t).layer == "llm_prompting", _prompt_time_box),
    Rule(
        "cost_curve",
        14,
        lambda c, t: c.uses_llm_api and (c.stage in ("scaling", "cost_problem") or c.deployment == "production"),
        _cost_curve,
    ),
    Rule(
        "record_layer",
        15,
        lambda c, t: (choice := choose_layer(c, t)).rule in MOVE_RULES and c.layer != choice.layer,
        _record_layer,
    ),
    Rule("greenfield", 20, lambda c, t: c.stage == "greenfield", _greenfield),
    # After the quality-gap move there is no trained system to diagnose yet: the labelled set's
    # own diagnosis (label_set) comes first.
    Rule(
        "diagnose_first",
        22,
        lambda c, t: (
            c.stage in ("prototype", "failing_baseline", "scaling")
            and choose_layer(c, t).rule != "quality_gap_after_time_box"
        ),
        _diagnose_first,
    ),
    Rule("untested_tries", 23, lambda c, t: bool(untested_tries(c)), _untested_tries),
    Rule("measure_human_level", 24, lambda c, t: c.human_level is None, _human_level),
    Rule(
        "confirm_data_bottleneck",
        30,
        lambda c, t: c.stage == "scaling" and "more_data" not in untested_tries(c),
        _confirm_data,
    ),
    Rule("architecture", 35, lambda c, t: choose_layer(c, t).layer != "llm_prompting", _architecture),
    Rule(
        "target_below_human",
        40,
        lambda c, t: c.target is not None and c.human_level is not None and c.target < c.human_level,
        _target_below_human,
    ),
    Rule(
        "production_gate",
        50,
        lambda c, t: (
            c.deployment == "production"
            and c.current is not None
            and c.target is not None
            and c.current != c.target
            and c.is_error_rate
        ),
        _production_gate,
    ),
    Rule("ledger", 60, lambda c, t: bool(c.tried), _ledger),
)


def make_plan(card: ProjectCard, *, today: dt.date | None = None) -> list[PlanStep]:
    """Every step that applies to ``card``, in the method's order; the first three are the next actions."""
    day = today or dt.date.today()
    steps: list[PlanStep] = []
    for rule in sorted(RULES, key=lambda r: r.priority):
        if rule.applies(card, day):
            steps.extend(rule.steps(card, day))
    return steps
