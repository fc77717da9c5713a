"""The project card: what the project is, where it stands, what it needs (``unstuck.toml``).

A card is plain TOML, readable and editable by hand::

    [application]
    task = "classification"          # classification | regression | generation | extraction | other
    inputs = "support e-mails"
    outputs = "one of 12 routing queues"
    components = ["retrieve", "classify"]   # the system's stages, in pipeline order

    [data]
    type = "text"                    # structured | text | image | audio | video | time_series
    volume = 4000                    # labelled examples available now
    quirks = ["many near-duplicate e-mails"]
    uses_llm_api = true              # the current system calls an LLM API

    [status]
    stage = "prototype"              # greenfield | prototype | failing_baseline | scaling | cost_problem

    [constraints]
    budget_per_month = 2000          # currency units per month
    compute = "1 GPU"
    timeline_weeks = 6
    team_skills = ["python"]
    deployment = "prototype"         # prototype | production

    [performance]
    metric = "error_rate"
    current = 0.12                   # in metric units
    target = 0.05
    human_level = 0.03
    tried = ["prompt tuning"]
    prompt_tuning_started = 2026-09-01

    [decisions]
    layer = "llm_prompting"          # llm_prompting | deep_learning | classical_ml

Every field is optional except ``data.type`` and ``status.stage``; unknown keys are
an error (they are usually typos), with the closest known key suggested. Values are
checked where they enter (the card file or ``unstuck init``): numbers must be finite,
and error rates are fractions in [0, 1] — ``current = 12`` is refused with the hint
``0.12``, never read as 1200% (nor silently as 12%: an rmse of 12 is a legitimate value,
so the metric decides the range, and guessing would be wrong for one of them).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from unstuck.errors import ConfigError, FileProblem

__all__ = [
    "CARD_FILE",
    "CARD_KEYS",
    "DATA_TYPES",
    "DEPLOYMENTS",
    "LAYERS",
    "METRIC_NAMES",
    "STAGES",
    "TASKS",
    "ProjectCard",
    "card_from_dict",
    "read_card",
    "write_card",
]

CARD_FILE = "unstuck.toml"
DATA_TYPES = ("structured", "text", "image", "audio", "video", "time_series")
STAGES = ("greenfield", "prototype", "failing_baseline", "scaling", "cost_problem")
TASKS = ("classification", "regression", "generation", "extraction", "other")
DEPLOYMENTS = ("prototype", "production")
LAYERS = ("llm_prompting", "deep_learning", "classical_ml")
# The metrics unstuck computes (unstuck.metrics.METRICS); all are errors, lower is better.
METRIC_NAMES = ("error_rate", "rmse", "mae")


@dataclass(frozen=True)
class ProjectCard:
    """The validated project card. Numbers are in the metric's units (0.05 = 5% error)."""

    data_type: str
    stage: str
    task: str | None = None
    inputs: str | None = None
    outputs: str | None = None
    components: tuple[str, ...] = ()
    volume: int | None = None
    quirks: tuple[str, ...] = ()
    uses_llm_api: bool = False
    budget_per_month: float | None = None
    compute: str | None = None
    timeline_weeks: float | None = None
    team_skills: tuple[str, ...] = ()
    deployment: str = "prototype"
    metric: str | None = None
    current: float | None = None
    target: float | None = None
    human_level: float | None = None
    tried: tuple[str, ...] = ()
    prompt_tuning_started: dt.date | None = None
    layer: str | None = None

    def __post_init__(self) -> None:
        for name, allowed in (
            ("data_type", DATA_TYPES),
            ("stage", STAGES),
            ("task", TASKS),
            ("deployment", DEPLOYMENTS),
            ("layer", LAYERS),
            ("metric", METRIC_NAMES),
        ):
            value = getattr(self, name)
            if value is not None and value not in allowed:
                close = difflib.get_close_matches(str(value), allowed, n=1)
                guess = f" Did you mean '{close[0]}'?" if close else ""
                raise ConfigError(
                    f"The project card's {_KEY_OF[name]} is '{value}', "
                    f"which is not one of {', '.join(allowed)}.{guess}",
                    f"Edit {CARD_FILE} (or pass the right value to unstuck init).",
                )
        for name in ("current", "target", "human_level", "volume", "budget_per_month", "timeline_weeks"):
            _check_number(name, getattr(self, name))
        if self.is_error_rate:
            for name in ("current", "target", "human_level"):
                _check_rate(name, getattr(self, name))
        _check_components(self.components)
        for name in ("quirks", "team_skills", "tried"):
            if any(not item.strip() for item in getattr(self, name)):
                raise ConfigError(
                    f"The project card's {_KEY_OF[name]} has an empty entry.", f"Remove it from {CARD_FILE}."
                )

    @property
    def is_error_rate(self) -> bool:
        """Whether the performance numbers are error rates (fractions), the default metric."""
        return (self.metric or "error_rate") == "error_rate"

    def to_toml_dict(self) -> dict[str, dict[str, Any]]:
        """The card as nested TOML tables, leaving out empty values."""
        out: dict[str, dict[str, Any]] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == () or (f.name == "uses_llm_api" and value is False):
                continue
            table, key = _KEY_OF[f.name].split(".")
            out.setdefault(table, {})[key] = list(value) if isinstance(value, tuple) else value
        return out


def _check_number(name: str, value: float | None) -> None:
    if value is None:
        return
    if not math.isfinite(value):
        raise ConfigError(
            f"The project card's {_KEY_OF[name]} is {value}; it must be a finite number.",
            f"Give a number in {CARD_FILE}, or leave the key out when it is unknown.",
        )
    if value < 0:
        what = "errors cannot be negative" if name in ("current", "target", "human_level") else "it cannot be negative"
        raise ConfigError(
            f"The project card's {_KEY_OF[name]} is {value:g}; {what}.",
            "Give errors in the metric's units, e.g. 0.05 for a 5% error rate."
            if name in ("current", "target", "human_level")
            else f"Edit {CARD_FILE}.",
        )


def _check_rate(name: str, value: float | None) -> None:
    # An error rate above 1 is nearly always a percentage typed as a number; reading it as one
    # would be a guess (1 < value <= 100 could also be a typo), so it is refused with the fix.
    if value is None or value <= 1:
        return
    hint = (
        f"Error rates are fractions: write {value / 100:g} for {value:g}%."
        if value <= 100
        else "Error rates are fractions between 0 and 1 (0.05 = 5%)."
    )
    raise ConfigError(
        f"The project card's {_KEY_OF[name]} is {value:g}, but an error rate cannot exceed 1 (100%).",
        f"{hint} If the number is in another metric's units, say which with performance.metric "
        f"(--metric: {', '.join(METRIC_NAMES)}).",
    )


def _check_components(components: tuple[str, ...]) -> None:
    for name in components:
        if not name.strip() or "," in name:
            raise ConfigError(
                f"The project card's application.components has the entry {name!r}; a component needs a name "
                "without commas.",
                "Give one component per --component (or per list item), e.g. --component capture --component detect.",
            )
    repeated = sorted({n for n in components if components.count(n) > 1})
    if repeated:
        raise ConfigError(
            f"The project card's application.components names {', '.join(repeated)} more than once.",
            "List each stage of the system once, in pipeline order.",
        )


_KEY_OF: dict[str, str] = {
    "task": "application.task",
    "inputs": "application.inputs",
    "outputs": "application.outputs",
    "components": "application.components",
    "data_type": "data.type",
    "volume": "data.volume",
    "quirks": "data.quirks",
    "uses_llm_api": "data.uses_llm_api",
    "stage": "status.stage",
    "budget_per_month": "constraints.budget_per_month",
    "compute": "constraints.compute",
    "timeline_weeks": "constraints.timeline_weeks",
    "team_skills": "constraints.team_skills",
    "deployment": "constraints.deployment",
    "metric": "performance.metric",
    "current": "performance.current",
    "target": "performance.target",
    "human_level": "performance.human_level",
    "tried": "performance.tried",
    "prompt_tuning_started": "performance.prompt_tuning_started",
    "layer": "decisions.layer",
}
_FIELD_OF = {key: name for name, key in _KEY_OF.items()}
#: Tables of the card file that other modules own and validate (``[gate]``: :mod:`unstuck.gate.settings`).
OTHER_TABLES = frozenset({"gate"})
# Every key a card file may hold, as "table.key".
CARD_KEYS = tuple(_KEY_OF.values())
_TUPLES = {"components", "quirks", "team_skills", "tried"}


def card_from_dict(data: dict[str, Any], *, source: str = CARD_FILE) -> ProjectCard:
    """Build a card from nested TOML tables, naming unknown keys and wrong types."""
    values: dict[str, Any] = {}
    for table, content in data.items():
        if table in OTHER_TABLES:
            continue
        if not isinstance(content, dict):
            raise ConfigError(
                f"'{table}' in {source} is a value, but it should be a [table].",
                "See `unstuck init --help` for the card's layout.",
            )
        for key, value in content.items():
            dotted = f"{table}.{key}"
            if dotted not in _FIELD_OF:
                close = difflib.get_close_matches(dotted, list(_FIELD_OF), n=1)
                guess = f" Did you mean '{close[0]}'?" if close else ""
                raise ConfigError(
                    f"{source} has an unknown key '{dotted}'.{guess}",
                    "Remove or rename it; the card's keys are listed in docs/plan.md.",
                )
            name = _FIELD_OF[dotted]
            values[name] = _coerce(name, dotted, value, source)
    for required in ("data_type", "stage"):
        if required not in values:
            raise ConfigError(
                f"{source} does not say {_KEY_OF[required]}.",
                f"Add it (one of {', '.join(DATA_TYPES if required == 'data_type' else STAGES)}).",
            )
    return ProjectCard(**values)


def _kind_of(name: str) -> str:
    """The kind of value a card key takes, in words, for error messages."""
    if name in _TUPLES:
        return "a list of text"
    return {
        "uses_llm_api": "true or false",
        "prompt_tuning_started": "a date (YYYY-MM-DD)",
        "volume": "a whole number",
    }.get(name, "a number" if "float" in str({f.name: f.type for f in fields(ProjectCard)}[name]) else "text")


def _coerce(name: str, dotted: str, value: Any, source: str) -> Any:
    expected = {f.name: f.type for f in fields(ProjectCard)}[name]
    try:
        if name in _TUPLES:
            if isinstance(value, str):
                return (value,)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TypeError
            return tuple(value)
        if name == "uses_llm_api":
            if not isinstance(value, bool):
                raise TypeError
            return value
        if name == "prompt_tuning_started":
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            if not isinstance(value, str):
                raise TypeError
            return dt.date.fromisoformat(value)
        if name == "volume":
            # int() would truncate 12.5 or read "12" silently; a count is a whole number.
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError
            return value
        if "float" in str(expected):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError
            return float(value)
        if not isinstance(value, str):
            raise TypeError
        return value
    except (TypeError, ValueError):
        raise ConfigError(
            f"{dotted} in {source} is {value!r}, which is not {_kind_of(name)}.",
            f"Fix that value in {source}.",
        ) from None


def read_card(path: str | Path = CARD_FILE) -> ProjectCard:
    """Read and validate a card file."""
    p = Path(path)
    if not p.exists():
        raise FileProblem(f"There is no project card at '{p}'.", "Create one with `unstuck init`.")
    if p.is_dir():
        raise FileProblem(
            f"'{p}' is a folder, not a project card.", f"Pass the card file, e.g. --card {p / CARD_FILE}."
        )
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FileProblem(f"Could not read '{p}': {exc.strerror}.", "Check the path and its permissions.") from None
    except UnicodeDecodeError:
        raise FileProblem(f"'{p}' is not UTF-8 text.", "Save the card as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise FileProblem(
            f"'{p}' is not valid TOML: {exc}.", "Fix the line it names (or recreate it with unstuck init)."
        ) from None
    return card_from_dict(data, source=p.name)


def write_card(card: ProjectCard, path: str | Path = CARD_FILE, *, overwrite: bool = False) -> Path:
    """Write ``card`` as TOML; an existing file is kept unless ``overwrite``."""
    import tomli_w

    p = Path(path)
    if p.exists() and not overwrite:
        raise FileProblem(
            f"'{p}' already exists; unstuck will not overwrite it.", "Edit it by hand, or pass --force to replace it."
        )
    header = "# unstuck project card: edit by hand or with `unstuck init --force`. Keys: docs/plan.md\n"
    p.write_text(header + tomli_w.dumps(card.to_toml_dict()), encoding="utf-8")
    return p
