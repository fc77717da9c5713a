"""``unstuck plan``: the method's steps applied to a project card.

The plan is a table of rules (``RULES``). Each rule says when it applies, the step
it adds, and why — the "why" quotes the card's own facts. Steps are ordered by
the rule's priority (the method's order: decide the layer, measure, build a
baseline, diagnose, then scale), and the first three are the next actions.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from unstuck.card import ProjectCard

__all__ = ["RULES", "PlanStep", "Rule", "layer_for", "make_plan", "prompt_time_box", "rows_to_detect"]

PROMPT_TIME_BOX_DAYS = 30


@dataclass(frozen=True)
class PlanStep:
    """One step of the plan: what to do, why (from the card), and the command that does it."""

    rule: str
    title: str
    why: str
    command: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "title": self.title, "why": self.why, "command": self.command}


@dataclass(frozen=True)
class Rule:
    """When ``applies(card, today)``, add the steps ``steps(card, today)`` at ``priority``."""

    id: str
    priority: int
    applies: Callable[[ProjectCard, dt.date], bool]
    steps: Callable[[ProjectCard, dt.date], list[PlanStep]]


def layer_for(card: ProjectCard) -> tuple[str, str]:
    """The layer the problem lives at, and why. A layer recorded in the card wins."""
    if card.layer is not None:
        return card.layer, f"the card records the decision decisions.layer = {card.layer}"
    if card.data_type == "text" and card.task != "regression":
        return "llm_prompting", "text tasks start by prompting an LLM: it needs no training data"
    if card.data_type in ("image", "audio", "video"):
        return "deep_learning", f"{card.data_type} data goes straight to deep learning (pretrained networks)"
    return "classical_ml", f"{card.data_type.replace('_', ' ')} data starts with classical ML (gradient boosting)"


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


def _pct(value: float | None, card: ProjectCard) -> str:
    if value is None:
        return "unknown"
    return f"{100 * value:.1f}%" if (card.metric or "error_rate") == "error_rate" else f"{value:g}"


def _layer_steps(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    layer, why = layer_for(card)
    titles = {
        "llm_prompting": "Work at the LLM-prompting layer first: prompt an LLM, measure it on a small labelled set",
        "deep_learning": "Work at the deep-learning layer: start from a pretrained network for this data type",
        "classical_ml": "Work at the classical-ML layer: a gradient-boosting baseline before any deep network",
    }
    return [PlanStep("layer", titles[layer], f"data type '{card.data_type}': {why}")]


def prompt_time_box(started: dt.date | None, today: dt.date) -> tuple[str, int | None]:
    """The prompt-tuning time box on ``today``: its state (``not_started``, ``scheduled``,
    ``running`` or ``exceeded`` after :data:`PROMPT_TIME_BOX_DAYS` days) and the days used."""
    if started is None:
        return "not_started", None
    used = (today - started).days
    if used < 0:
        return "scheduled", used
    return ("exceeded" if used > PROMPT_TIME_BOX_DAYS else "running"), used


def _prompt_time_box(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    state, used = prompt_time_box(card.prompt_tuning_started, today)
    if used is None:
        return [
            PlanStep(
                "prompt_time_box",
                f"Time-box prompt tuning to {PROMPT_TIME_BOX_DAYS} days, starting now",
                "prompt tuning has no natural end; the card has no performance.prompt_tuning_started",
            )
        ]
    if state == "exceeded":
        return [
            PlanStep(
                "prompt_time_box",
                "Prompt tuning is past its time box: move down a layer — fine-tune a small model on the LLM's answers",
                f"prompt tuning started {card.prompt_tuning_started} ({used} days ago, box {PROMPT_TIME_BOX_DAYS})",
                "unstuck distill traffic.jsonl --input prompt --output response",
            )
        ]
    return [
        PlanStep(
            "prompt_time_box",
            f"Keep prompt tuning inside its box: {PROMPT_TIME_BOX_DAYS - used} of {PROMPT_TIME_BOX_DAYS} days left",
            f"prompt tuning started {card.prompt_tuning_started} ({used} days ago)",
        )
    ]


def _human_level(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    return [
        PlanStep(
            "measure_human_level",
            "Measure human-level error: two people label the same 100-200 examples; take the better one's error",
            "the card has no performance.human_level, so avoidable bias cannot be told from unavoidable error",
            "unstuck diagnose ... --human-error <measured>",
        )
    ]


def _greenfield(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    volume = f"{card.volume:,} labelled examples" if card.volume is not None else "no labelled volume recorded"
    return [
        PlanStep(
            "greenfield_collect",
            "Collect a small labelled set (a few hundred examples) in days, not months",
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


def _architecture(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    advice = {
        "structured": "gradient boosting (LightGBM) before deep networks",
        "time_series": "gradient boosting on lag and calendar features before sequence models",
        "image": "a pretrained ConvNet / vision transformer, fine-tuned",
        "audio": "a pretrained audio transformer or sequence model, fine-tuned",
        "video": "a pretrained video or per-frame image model, fine-tuned",
        "text": "a pretrained transformer (fine-tuned) once prompting is outgrown",
    }
    return [
        PlanStep(
            "architecture",
            f"Model family for {card.data_type.replace('_', ' ')} data: {advice[card.data_type]}",
            "the method: match the architecture to the data type",
        )
    ]


def _confirm_data(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    tried = [t for t in card.tried if "data" in t.lower()]
    reason = f"the card says it tried: {', '.join(tried)}" if tried else "status.stage = scaling"
    return [
        PlanStep(
            "confirm_data_bottleneck",
            "Before buying data or compute, confirm with a learning curve that data quantity is the bottleneck",
            f"{reason}; more data is the lever that most often does not help",
            "unstuck curve train.csv --dev dev.csv --target <label>",
        )
    ]


def _cost_curve(card: ProjectCard, today: dt.date) -> list[PlanStep]:
    budget = f"budget {card.budget_per_month:,.0f}/month" if card.budget_per_month is not None else "no budget recorded"
    return [
        PlanStep(
            "cost_curve",
            "Look at the cost curve: when does the LLM-API bill cross the budget, and where does "
            "a fine-tuned small model break even",
            f"the system calls an LLM API (stage {card.stage}, {budget})",
            "unstuck cost --api-input-price ... --requests ... --growth ...",
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
            'unstuck run --hypothesis "..." -- python train.py ...',
        )
    ]


RULES: tuple[Rule, ...] = (
    Rule("layer", 10, lambda c, t: True, _layer_steps),
    Rule("prompt_time_box", 12, lambda c, t: layer_for(c)[0] == "llm_prompting", _prompt_time_box),
    Rule(
        "cost_curve",
        14,
        lambda c, t: c.uses_llm_api and (c.stage in ("scaling", "cost_problem") or c.deployment == "production"),
        _cost_curve,
    ),
    Rule("greenfield", 20, lambda c, t: c.stage == "greenfield", _greenfield),
    Rule("diagnose_first", 22, lambda c, t: c.stage in ("prototype", "failing_baseline", "scaling"), _diagnose_first),
    Rule("measure_human_level", 24, lambda c, t: c.human_level is None, _human_level),
    Rule(
        "confirm_data_bottleneck",
        30,
        lambda c, t: c.stage == "scaling" or any("data" in x.lower() for x in c.tried),
        _confirm_data,
    ),
    Rule("architecture", 35, lambda c, t: layer_for(c)[0] != "llm_prompting", _architecture),
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
            and (c.metric or "error_rate") == "error_rate"
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
