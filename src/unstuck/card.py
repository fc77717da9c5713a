"""The project card: what the project is, where it stands, what it needs (``unstuck.toml``).

A card is plain TOML, readable and editable by hand::

    [application]
    task = "classification"          # classification | regression | generation | extraction | other
    inputs = "support e-mails"
    outputs = "one of 12 routing queues"

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
an error (they are usually typos), with the closest known key suggested.
"""

from __future__ import annotations

import datetime as dt
import difflib
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from unstuck.errors import ConfigError, FileProblem

__all__ = [
    "CARD_FILE",
    "DATA_TYPES",
    "DEPLOYMENTS",
    "LAYERS",
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


@dataclass(frozen=True)
class ProjectCard:
    """The validated project card. Numbers are in the metric's units (0.05 = 5% error)."""

    data_type: str
    stage: str
    task: str | None = None
    inputs: str | None = None
    outputs: str | None = None
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
        for name in ("current", "target", "human_level"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ConfigError(
                    f"The project card's performance.{name} is {value}; errors cannot be negative.",
                    "Give errors in the metric's units, e.g. 0.05 for a 5% error rate.",
                )
        for name in ("volume", "budget_per_month", "timeline_weeks"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ConfigError(
                    f"The project card's {_KEY_OF[name]} is {value}; it cannot be negative.", f"Edit {CARD_FILE}."
                )

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


_KEY_OF: dict[str, str] = {
    "task": "application.task",
    "inputs": "application.inputs",
    "outputs": "application.outputs",
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
_TUPLES = {"quirks", "team_skills", "tried"}


def card_from_dict(data: dict[str, Any], *, source: str = CARD_FILE) -> ProjectCard:
    """Build a card from nested TOML tables, naming unknown keys and wrong types."""
    values: dict[str, Any] = {}
    for table, content in data.items():
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


def _coerce(name: str, dotted: str, value: Any, source: str) -> Any:
    expected = {f.name: f.type for f in fields(ProjectCard)}[name]
    try:
        if name in _TUPLES:
            if isinstance(value, str):
                return (value,)
            if not isinstance(value, list):
                raise TypeError
            return tuple(str(v) for v in value)
        if name == "uses_llm_api":
            if not isinstance(value, bool):
                raise TypeError
            return value
        if name == "prompt_tuning_started":
            if isinstance(value, dt.date):
                return value
            return dt.date.fromisoformat(str(value))
        if name == "volume":
            if isinstance(value, bool):
                raise TypeError
            return int(value)
        if "float" in str(expected):
            if isinstance(value, bool):
                raise TypeError
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{dotted} in {source} is {value!r}, which is not a valid {str(expected).replace(' | None', '')}.",
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
