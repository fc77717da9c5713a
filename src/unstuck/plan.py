"""``unstuck plan``: the method's steps applied to a project card.

Two tables of rules:

* ``LAYER_RULES`` decide the layer the problem lives at (LLM prompting, deep learning,
  classical ML). They are tried in order and the first that applies decides; the plan
  names it. They read the whole card: the data type, the stage, the deployment, the
  labelled volume, whether an LLM API is in use, the prompt-tuning time box and the gap
  between current and target error. Two of them move a project off the LLM-prompting
  layer, with different remedies: a cost problem at scale is solved by distilling the
  LLM's production traffic into a small model (the small model copies the LLM, which is
  what saves money); a quality gap left after the prompt-tuning time box is solved by
  labels better than the LLM's and fine-tuning (distilling would copy the very errors
  that make the gap).
* ``RULES`` add the steps. Each says when it applies, the step it adds, and why — the
  "why" quotes the card's own facts. Steps are ordered by the rule's priority (the
  method's order: decide the layer, find the failing component, measure, build a
  baseline, diagnose, then scale), and the first three are the next actions.

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
from unstuck.units import percent, significant

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

PROMPT_TIME_BOX_DAYS = 30


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


@dataclass(frozen=True)
class LayerChoice:
    """The layer the problem lives at, the rule of ``LAYER_RULES`` that decided it, and why."""

    layer: str
    rule: str
    why: str

    def to_dict(self) -> dict[str, str]:
        return {"layer": self.layer, "rule": self.rule, "why": self.why}


@dataclass(frozen=True)
class LayerRule:
    """When ``applies(card, today)``, ``decide(card, today)`` gives the layer and why."""

    id: str
    applies: Callable[[ProjectCard, dt.date], bool]
    decide: Callable[[ProjectCard, dt.date], tuple[str, str]]


def prompt_time_box(started: dt.date | None, today: dt.date) -> tuple[str, int | None]:
    """The prompt-tuning time box on ``today``: its state (``not_started``, ``scheduled``,
    ``running`` or ``exceeded`` after :data:`PROMPT_TIME_BOX_DAYS` days) and the days used."""
    if started is None:
        return "not_started", None
    used = (today - started).days
    if used < 0:
        return "scheduled", used
    return ("exceeded" if used > PROMPT_TIME_BOX_DAYS else "running"), used


def quality_gap(card: ProjectCard) -> str:
    """``open`` when the current error is worse than the target, ``closed`` when it meets it,
    ``unknown`` when the card lacks either (every metric unstuck knows is lower-is-better)."""
    if card.current is None or card.target is None:
        return "unknown"
    return "open" if card.current > card.target else "closed"


def _pct(value: float | None, card: ProjectCard) -> str:
    if value is None:
        return "unknown"
    return percent(value) if card.is_error_rate else significant(value, 6)


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _at_prompting_layer(card: ProjectCard) -> bool:
    """Whether the project sits at the LLM-prompting layer before any move: recorded so, or
    a text task that is not a regression with no recorded layer."""
    if card.layer is not None:
        return card.layer == "llm_prompting"
    return card.data_type == "text" and card.task != "regression"


def _overrides(card: ProjectCard) -> str:
    return "; this overrides the card's decisions.layer = llm_prompting" if card.layer == "llm_prompting" else ""


def _quality_gap_applies(card: ProjectCard, today: dt.date) -> bool:
    state, _ = prompt_time_box(card.prompt_tuning_started, today)
    return _at_prompting_layer(card) and state == "exceeded" and quality_gap(card) == "open"


def _quality_gap_decide(card: ProjectCard, today: dt.date) -> tuple[str, str]:
    _, used = prompt_time_box(card.prompt_tuning_started, today)
    return (
        "deep_learning",
        f"prompt tuning started {card.prompt_tuning_started} ({_days(used or 0)} ago, past its "
        f"{PROMPT_TIME_BOX_DAYS}-day box) and the error is still {_pct(card.current, card)} against the "
        f"target {_pct(card.target, card)}: prompting did not close the gap, so the problem needs the "
        f"deep-learning layer{_overrides(card)}",
    )


def _cost_decide(card: ProjectCard, today: dt.date) -> tuple[str, str]:
    where = "a product in production" if card.deployment == "production" else "the system"
    bill = "its LLM-API bill" if card.uses_llm_api else "its serving cost"
    budget = f" (budget {card.budget_per_month:,.0f} a month)" if card.budget_per_month is not None else ""
    return (
        "deep_learning",
        f"status.stage = cost_problem: {bill} threatens the unit economics of {where}{budget}; a small model "
        f"trained on the system's own traffic bends the cost curve{_overrides(card)}",
    )


def _data_type_decide(card: ProjectCard, today: dt.date) -> tuple[str, str]:
    if card.data_type in ("image", "audio", "video"):
        return (
            "deep_learning",
            f"{card.data_type} data goes straight to deep learning (pretrained networks): LLM prompting is the "
            "wrong layer for it",
        )
    return "classical_ml", f"{card.data_type.replace('_', ' ')} data starts with classical ML (gradient boosting)"


def _trained_on_labels_applies(card: ProjectCard, today: dt.date) -> bool:
    # A failing or scaling text system that learns from labels and calls no LLM already lives at
    # the deep-learning layer; telling it to start prompting would skip the diagnosis it needs.
    return (
        card.data_type == "text"
        and card.task != "regression"
        and card.stage in ("failing_baseline", "scaling")
        and bool(card.volume)
        and not card.uses_llm_api
        and card.prompt_tuning_started is None
    )


def _trained_on_labels_decide(card: ProjectCard, today: dt.date) -> tuple[str, str]:
    return (
        "deep_learning",
        f"status.stage = {card.stage} on {card.volume:,} labelled examples with no LLM API in use: the system "
        "learns from its labels, so it lives at the deep-learning layer; diagnose it there before changing layers",
    )


def _text_default_decide(card: ProjectCard, today: dt.date) -> tuple[str, str]:
    labelled = f"; the card's {card.volume:,} labelled examples measure it" if card.volume else ""
    return "llm_prompting", f"text tasks start by prompting an LLM: it needs no training data{labelled}"


LAYER_RULES: tuple[LayerRule, ...] = (
    LayerRule("quality_gap_after_time_box", _quality_gap_applies, _quality_gap_decide),
    LayerRule("cost_at_scale", lambda c, t: _at_prompting_layer(c) and c.stage == "cost_problem", _cost_decide),
    LayerRule(
        "recorded",
        lambda c, t: c.layer is not None,
        lambda c, t: (str(c.layer), f"the card records the decision decisions.layer = {c.layer}"),
    ),
    LayerRule("trained_on_labels", _trained_on_labels_applies, _trained_on_labels_decide),
    LayerRule("data_type", lambda c, t: c.data_type != "text", _data_type_decide),
    LayerRule(
        "text_regression",
        lambda c, t: c.task == "regression",
        lambda c, t: (
            "classical_ml",
            "text regression starts with classical ML (TF-IDF features and a linear model): an LLM prompt gives "
            "no calibrated numbers",
        ),
    ),
    LayerRule("text_default", lambda c, t: True, _text_default_decide),
)
# The layer rules that move a project off the LLM-prompting layer: the plan's first step is the move.
MOVE_RULES = ("quality_gap_after_time_box", "cost_at_scale")


def choose_layer(card: ProjectCard, today: dt.date | None = None) -> LayerChoice:
    """The layer the problem lives at on ``today``: the first rule of ``LAYER_RULES`` that applies."""
    day = today or dt.date.today()
    rule = next(r for r in LAYER_RULES if r.applies(card, day))
    layer, why = rule.decide(card, day)
    return LayerChoice(layer, rule.id, why)


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
                f"{_pct(card.current, card)} against the target {_pct(card.target, card)} after the prompt-tuning "
                f"time box ({rule}). Train on labels people checked, not on the LLM's answers: distilling those "
                f"(unstuck distill) would copy the {_pct(card.current, card)} error it is meant to fix"
                + ("; the smaller model also bends the cost curve" if card.stage == "cost_problem" else ""),
                layer="deep_learning",
            )
        ]
    if choice.rule == "cost_at_scale":
        traffic = "production traffic" if card.deployment == "production" else "the traffic logged so far"
        caveat = (
            f"; it keeps the LLM's quality, so it does not close the gap ({_pct(card.current, card)} vs target "
            f"{_pct(card.target, card)})"
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
            f"enough to tell {_pct(card.current, card)} from the target {_pct(card.target, card)} at 95% confidence "
            "and 80% power (two-proportion test); label the training set after, as much as the learning curve asks; "
            "unstuck diagnose on the labelled set gives a quick baseline and flags likely label errors"
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
        failing += f", {_pct(card.current, card)} vs target {_pct(card.target, card)}"
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
                f"performance.prompt_tuning_started is {_days(-used)} from now",
                layer="llm_prompting",
            )
        ]
    if state == "running":
        return [
            PlanStep(
                "prompt_time_box",
                f"Keep prompt tuning inside its box: {box - used} of {box} days left",
                f"prompt tuning started {started} ({_days(used)} ago)",
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
                f"prompt tuning started {started} ({_days(used)} ago, box {box}); current "
                f"{_pct(card.current, card)} meets the target {_pct(card.target, card)}",
                layer="llm_prompting",
            )
        ]
    # An open gap past the box moves the layer (LAYER_RULES), so here the gap is unknown.
    return [
        PlanStep(
            "prompt_time_box",
            "Prompt tuning is past its time box: measure the error against the target now; a gap left means "
            "moving down to the deep-learning layer",
            f"prompt tuning started {started} ({_days(used)} ago, box {box}); the card has no "
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
            f"target {_pct(card.target, card)}: the curve's forecast replaces guessing",
            "unstuck curve small.csv --target <label>",
        ),
    ]


def _diagnose_first(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    stage = card.stage.replace("_", " ")
    gap = ""
    if card.current is not None and card.target is not None:
        gap = f"; current {_pct(card.current, card)} vs target {_pct(card.target, card)}"
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
            f"target {_pct(card.target, card)} is below human-level {_pct(card.human_level, card)}",
        )
    ]


def _production_gate(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    assert card.current is not None and card.target is not None
    n = rows_to_detect(card.current, card.target)
    return [
        PlanStep(
            "production_gate",
            f"Hold out a test set of at least {n:,} rows from the dev distribution",
            f"to tell {_pct(card.current, card)} from the target {_pct(card.target, card)} at 95% confidence "
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
