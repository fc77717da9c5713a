"""The layer a problem lives at: prompting an LLM, deep learning, or classical ML.

``LAYER_RULES`` decide it. They are tried in order and the first that applies decides;
``unstuck plan`` and ``unstuck metrics`` name it. They read the whole project card: the
data type, the stage, the deployment, the labelled volume, whether an LLM API is in use,
the prompt-tuning time box and the gap between current and target error. Two of them
move a project off the LLM-prompting layer, with different remedies: a cost problem at
scale is solved by distilling the LLM's production traffic into a small model (the small
model copies the LLM, which is what saves money); a quality gap left after the
prompt-tuning time box is solved by labels better than the LLM's and fine-tuning
(distilling would copy the very errors that make the gap).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from unstuck.card import ProjectCard

__all__ = [
    "LAYER_RULES",
    "MOVE_RULES",
    "PROMPT_TIME_BOX_DAYS",
    "LayerChoice",
    "LayerRule",
    "choose_layer",
    "fmt_days",
    "fmt_error",
    "prompt_time_box",
    "quality_gap",
]

PROMPT_TIME_BOX_DAYS = 30


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


def fmt_error(value: float | None, card: ProjectCard) -> str:
    """An error as the card states it: a percentage for error rates, else the metric's own number."""
    if value is None:
        return "unknown"
    return f"{100 * value:.1f}%" if card.is_error_rate else f"{value:g}"


def fmt_days(n: int) -> str:
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
        f"prompt tuning started {card.prompt_tuning_started} ({fmt_days(used or 0)} ago, past its "
        f"{PROMPT_TIME_BOX_DAYS}-day box) and the error is still {fmt_error(card.current, card)} against the "
        f"target {fmt_error(card.target, card)}: prompting did not close the gap, so the problem needs the "
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
