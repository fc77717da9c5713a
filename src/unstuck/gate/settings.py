"""The gate's thresholds: stated defaults, or the project card's ``[gate]`` table.

A card may carry a ``[gate]`` table beside the usual ones::

    [gate]
    significance = 0.05          # the paired tests' level
    power = 0.8                  # the chance of detecting the claimed gain, were it real
    claimed_gain = 0.03          # the gain over the baseline the release claims (metric units)
    max_domain_auc = 0.6         # a dev-vs-test classifier's AUC lower bound must stay below this
    max_ece = 0.05               # expected calibration error allowed (probabilities only)
    floors = ["slice error <= 0.15"]
    latency_p95_ms = 200
    latency_p99_ms = 400
    latency_runs = 20
    instance_hourly = 1.2        # price of one serving instance per hour
    requests_per_month = 2000000
    max_cost_per_request = 0.0001

and the card's ``constraints.budget_per_month`` is the monthly budget. The project card
(``unstuck.card``) leaves the ``[gate]`` table to this module, which validates it; the
card's own keys are checked exactly as everywhere else, and every other command reads a card
with a ``[gate]`` table unchanged.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from unstuck.card import ProjectCard, card_from_dict
from unstuck.errors import ConfigError, FileProblem
from unstuck.shift import WARN_AUC_LOW

__all__ = ["DEFAULTS", "Floor", "GateSettings", "parse_floor", "read_gate_card"]

FLOOR_SCOPES = ("slice", "class", "overall")
_FLOOR = re.compile(r"^\s*(slice|class|overall)\s+([a-z_]+)\s*(<=|<)\s*([0-9.eE+-]+)\s*$")


@dataclass(frozen=True)
class Floor:
    """``scope measure <= bound``: the error a class, any slice, or the whole test set may reach.

    ``scope``: ``slice`` (every class and every discovered slice), ``class`` (every class) or
    ``overall``. ``measure``: ``error`` (the task's metric) or a metric's name.
    """

    scope: str
    measure: str
    bound: float
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "measure": self.measure, "bound": self.bound, "text": self.text}


def parse_floor(text: str) -> Floor:
    """Read ``"slice error <= 0.15"``; anything else is a :class:`ConfigError` naming the form."""
    match = _FLOOR.match(text.lower())
    hint = 'Write a floor as "SCOPE error <= NUMBER", with SCOPE slice, class or overall, e.g. "slice error <= 0.15".'
    if match is None:
        raise ConfigError(f"The floor {text!r} is not of the form 'SCOPE error <= NUMBER'.", hint)
    scope, measure, _, number = match.groups()
    if measure not in ("error", "error_rate", "rmse", "mae"):
        raise ConfigError(f"The floor {text!r} measures '{measure}', which unstuck does not compute.", hint)
    try:
        bound = float(number)
    except ValueError:
        raise ConfigError(f"The floor {text!r} ends in '{number}', which is not a number.", hint) from None
    if not math.isfinite(bound) or bound < 0:
        raise ConfigError(f"The floor {text!r} has bound {bound}; it must be a finite number ≥ 0.", hint)
    return Floor(scope, measure, bound, text.strip())


@dataclass(frozen=True)
class GateSettings:
    """Every threshold the gate compares against; ``source`` says where they came from."""

    significance: float = 0.05
    power: float = 0.8
    claimed_gain: float | None = None
    max_domain_auc: float = WARN_AUC_LOW
    max_ece: float = 0.05
    floors: tuple[Floor, ...] = ()
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    latency_p99_ms: float | None = None
    latency_runs: int = 20
    instance_hourly: float | None = None
    requests_per_month: float | None = None
    max_cost_per_request: float | None = None
    budget_per_month: float | None = None
    source: str = "defaults"
    card: ProjectCard | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name in ("significance", "power"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise ConfigError(f"gate.{name} is {value}; it must lie strictly between 0 and 1.", "Use e.g. 0.05.")
        if not 0.5 < self.max_domain_auc <= 1.0:
            raise ConfigError(
                f"gate.max_domain_auc is {self.max_domain_auc}; it must lie in (0.5, 1] (0.5 is chance).",
                "Use e.g. 0.6.",
            )
        if not 0.0 <= self.max_ece <= 1.0:
            raise ConfigError(f"gate.max_ece is {self.max_ece}; it must lie in [0, 1].", "Use e.g. 0.05.")
        if self.latency_runs < 2:
            raise ConfigError(
                f"gate.latency_runs is {self.latency_runs}; percentiles need at least 2 runs.", "Use e.g. 20."
            )
        for name in (
            "claimed_gain",
            "max_ece",
            "latency_p50_ms",
            "latency_p95_ms",
            "latency_p99_ms",
            "instance_hourly",
            "requests_per_month",
            "max_cost_per_request",
            "budget_per_month",
        ):
            value = getattr(self, name)
            if value is not None and (not math.isfinite(value) or value < 0):
                raise ConfigError(f"gate.{name} is {value}; it must be a finite number ≥ 0.", "Fix it in the card.")

    def with_floors(self, floors: tuple[Floor, ...]) -> GateSettings:
        return replace(self, floors=self.floors + floors)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "significance": self.significance,
            "power": self.power,
            "claimed_gain": self.claimed_gain,
            "max_domain_auc": self.max_domain_auc,
            "max_ece": self.max_ece,
            "floors": [f.to_dict() for f in self.floors],
            "latency_p50_ms": self.latency_p50_ms,
            "latency_p95_ms": self.latency_p95_ms,
            "latency_p99_ms": self.latency_p99_ms,
            "latency_runs": self.latency_runs,
            "instance_hourly": self.instance_hourly,
            "requests_per_month": self.requests_per_month,
            "max_cost_per_request": self.max_cost_per_request,
            "budget_per_month": self.budget_per_month,
        }


DEFAULTS = GateSettings()

_NUMBERS = (
    "significance",
    "power",
    "claimed_gain",
    "max_domain_auc",
    "max_ece",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "instance_hourly",
    "requests_per_month",
    "max_cost_per_request",
)
_KEYS = (*_NUMBERS, "floors", "latency_runs")


def settings_from_table(table: dict[str, Any], *, source: str, card: ProjectCard | None = None) -> GateSettings:
    """Gate settings from a ``[gate]`` table (unknown keys refused, with the closest known one)."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            close = difflib.get_close_matches(key, _KEYS, n=1)
            guess = f" Did you mean 'gate.{close[0]}'?" if close else ""
            raise ConfigError(f"{source} has an unknown key 'gate.{key}'.{guess}", "See docs/gate.md for the keys.")
        if key == "floors":
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                raise ConfigError(f"gate.floors in {source} must be a list of text.", 'E.g. ["slice error <= 0.15"].')
            values["floors"] = tuple(parse_floor(v) for v in items)
        elif key == "latency_runs":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"gate.latency_runs in {source} is {value!r}, not a whole number.", "Use e.g. 20.")
            values[key] = value
        else:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"gate.{key} in {source} is {value!r}, which is not a number.", "Fix it.")
            values[key] = float(value)
    budget = card.budget_per_month if card is not None else None
    return GateSettings(**values, budget_per_month=budget, source=source, card=card)


def read_gate_card(path: str | Path) -> GateSettings:
    """Read a project card with an optional ``[gate]`` table into gate settings."""
    p = Path(path)
    if not p.is_file():
        raise FileProblem(f"There is no project card at '{p}'.", "Pass --card with the path of unstuck.toml.")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise FileProblem(f"'{p}' is not UTF-8 text.", "Save the card as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise FileProblem(f"'{p}' is not valid TOML: {exc}.", "Fix the line it names.") from None
    table = data.pop("gate", {})
    if not isinstance(table, dict):
        raise ConfigError(f"'gate' in {p.name} is a value, but it should be a [gate] table.", "See docs/gate.md.")
    card = card_from_dict(data, source=p.name) if data else None
    return settings_from_table(table, source=p.name, card=card)
