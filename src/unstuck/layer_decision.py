"""The layer decision of the project card (``unstuck.toml``) on a day, for ``unstuck metrics``.

It is the plan's decision (:mod:`unstuck.plan` decides it), read beside the ledger's metrics;
it lives here, above the plan, because the ledger imports only inputs and report types.

What the card holds (:mod:`unstuck.card`) and what is read from it:

* the **layer** the problem lives at, as ``unstuck plan`` decides it on ``today``
  (:func:`unstuck.plan.choose_layer`; ``rule`` names the layer rule that decided). ``recorded``
  says whether the card holds ``decisions.layer``; a recorded LLM-prompting layer is overturned
  by a passed time box with a quality gap, or by a cost problem. The card stores no date for
  this decision.
* the **prompt-tuning time box** — ``performance.prompt_tuning_started``, the one dated
  decision of the card. The box is :data:`unstuck.plan.PROMPT_TIME_BOX_DAYS` days and is
  counted exactly as ``unstuck plan`` counts it: ``days_used = today − started`` (calendar
  days), exceeded when ``days_used > PROMPT_TIME_BOX_DAYS``. It runs only while the layer is
  LLM prompting; at another layer it is ``not_applicable`` (the team moved down a layer).

Time-box states: ``not_applicable`` (the layer is not LLM prompting), ``not_started`` (no start
date in the card), ``scheduled`` (the start date is in the future), ``running`` (within the box)
and ``exceeded``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unstuck.card import ProjectCard
from unstuck.ledger.views import Unavailable

__all__ = ["CARD_HINT", "LayerDecision", "layer_decision", "read_layer_decision"]

CARD_HINT = (
    "Create one with `unstuck init`; record the layer with --layer, and the day prompt tuning began with "
    "--prompt-tuning-started YYYY-MM-DD."
)


@dataclass(frozen=True)
class LayerDecision:
    """The card's layer and its prompt-tuning time box on ``today`` (see the module for the states)."""

    card: str
    layer: str
    why: str
    recorded: bool
    rule: str
    prompt_tuning_started: dt.date | None
    time_box_days: int
    days_used: int | None
    time_box: str
    exceeded: bool | None
    today: dt.date

    @property
    def days_left(self) -> int | None:
        """Days left in the box while it runs (or before it starts), else None."""
        if self.days_used is None or self.time_box not in ("running", "scheduled"):
            return None
        return self.time_box_days - max(self.days_used, 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "available": True,
            "card": self.card,
            "layer": self.layer,
            "why": self.why,
            "recorded": self.recorded,
            "rule": self.rule,
            "prompt_tuning_started": self.prompt_tuning_started.isoformat() if self.prompt_tuning_started else None,
            "time_box_days": self.time_box_days,
            "days_used": self.days_used,
            "days_left": self.days_left,
            "time_box": self.time_box,
            "exceeded": self.exceeded,
            "today": self.today.isoformat(),
        }


def layer_decision(card: ProjectCard, today: dt.date, source: str = "unstuck.toml") -> LayerDecision:
    """The layer decision of ``card`` and the state of its prompt-tuning time box on ``today``."""
    from unstuck.plan import PROMPT_TIME_BOX_DAYS, choose_layer, prompt_time_box

    choice = choose_layer(card, today)
    layer, why = choice.layer, choice.why
    started = card.prompt_tuning_started
    state, used = prompt_time_box(started, today)
    exceeded = None if state == "not_started" else state == "exceeded"
    if layer != "llm_prompting":
        state, exceeded = "not_applicable", None
    return LayerDecision(
        card=source,
        layer=layer,
        why=why,
        recorded=card.layer is not None,
        rule=choice.rule,
        prompt_tuning_started=started,
        time_box_days=PROMPT_TIME_BOX_DAYS,
        days_used=used,
        time_box=state,
        exceeded=exceeded,
        today=today,
    )


def read_layer_decision(path: Path, today: dt.date) -> LayerDecision | Unavailable:
    """The layer decision of the card at ``path``; :class:`Unavailable` when there is no card.

    An invalid card raises the card's own error (:func:`unstuck.card.read_card`).
    """
    from unstuck.card import read_card

    if not path.exists():
        return Unavailable(f"there is no project card ({path} is missing)", CARD_HINT)
    return layer_decision(read_card(path), today, str(path))
