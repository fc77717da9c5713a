"""What each assistant tool computes: thin wrappers over unstuck's Python API, JSON out.

Every function takes the :class:`~unstuck.assistant.sandbox.Sandbox` first and
resolves each path through it, so no tool reads outside the root. Results are
plain JSON values (numpy scalars turned into numbers) in the shapes the CLI's
``--json`` writes: ``unstuck.report/1``, ``unstuck.curve/1``, ``unstuck.plan/1``,
``unstuck.cost/1``. Nothing here prints or touches MCP; the server adds that.

Each tool calls the same library function as its CLI command
(:func:`unstuck.baseline_curve.baseline_curve`, :func:`unstuck.cost.estimate.estimate_cost`,
...), so the two give the same document.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from unstuck.assistant.sandbox import Sandbox
from unstuck.errors import ConfigError, FileProblem

if TYPE_CHECKING:
    from unstuck.card import ProjectCard
    from unstuck.findings import Report
    from unstuck.ledger.store import LedgerStore
    from unstuck.problem import Problem

__all__ = [
    "DEFAULT_LEDGER",
    "cost",
    "diagnose",
    "explore",
    "jsonable",
    "learning_curve",
    "ledger_compare",
    "ledger_log",
    "ledger_show",
    "plan",
    "report_json",
    "saved_report",
]

OnStep = Callable[[str], None]
DEFAULT_LEDGER = ".unstuck/ledger.db"
CARD_FILE = "unstuck.toml"


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON values: numpy scalars become numbers, anything else odd becomes text."""

    def plain(item: object) -> object:
        return item.item() if hasattr(item, "item") else str(item)

    return json.loads(json.dumps(value, default=plain))


def report_json(report: Report, *, sections: bool = False) -> dict[str, Any]:
    """The ``unstuck.report/1`` object; ``sections`` (plot data, tables) only when asked, as they are long."""
    document = report.to_dict()
    if not sections:
        document.pop("sections", None)
    result: dict[str, Any] = jsonable(document)
    return result


def _card(sandbox: Sandbox, card: str | None) -> ProjectCard | None:
    """The card named, else ``unstuck.toml`` at the root when it exists, else None."""
    from unstuck.card import read_card

    if card is not None:
        return read_card(sandbox.path(card, "card"))
    default = sandbox.root / CARD_FILE
    return read_card(default) if default.exists() else None


def diagnose(
    sandbox: Sandbox,
    *,
    train: str | None = None,
    target: str | None = None,
    dev: str | None = None,
    test: str | None = None,
    train_dev: str | None = None,
    split_column: str | None = None,
    predictions: str | None = None,
    training_logs: Sequence[str] = (),
    human_error: float | None = None,
    task: str | None = None,
    metric: str | None = None,
    id_column: str | None = None,
    drop: Sequence[str] = (),
    seed: int = 0,
    card: str | None = None,
    tags: str | None = None,
    on_step: OnStep | None = None,
) -> tuple[Problem, Report]:
    """The full diagnosis, as ``unstuck diagnose`` runs it (the root's ``unstuck.toml`` card included),
    with the problem it was computed on (``try_intervention`` refits on it)."""
    from unstuck.pipeline import diagnose_problem, load_problem

    project = _card(sandbox, card)
    problem = load_problem(
        sandbox.optional(train, "train"),
        dev=sandbox.optional(dev, "dev"),
        test=sandbox.optional(test, "test"),
        train_dev=sandbox.optional(train_dev, "train_dev"),
        predictions=sandbox.optional(predictions, "predictions"),
        target=target,
        split_column=split_column,
        training_logs=tuple(sandbox.path(p, "training_logs") for p in training_logs),
        human_error=human_error,
        task=task,
        metric=metric,
        id_column=id_column,
        drop=tuple(drop),
        seed=seed,
        card=project,
        tags=sandbox.optional(tags, "tags"),
    )
    return problem, diagnose_problem(problem, on_step=on_step, card=project)


def explore(
    sandbox: Sandbox,
    *,
    train: str | None = None,
    target: str | None = None,
    dev: str | None = None,
    test: str | None = None,
    train_dev: str | None = None,
    split_column: str | None = None,
    predictions: str | None = None,
    task: str | None = None,
    id_column: str | None = None,
    drop: Sequence[str] = (),
    seed: int = 0,
    on_step: OnStep | None = None,
) -> Report:
    """The data checks only (leakage, duplicates, labels, columns, shift, ...), as ``unstuck explore``."""
    from unstuck.data.explore import explore_problem
    from unstuck.pipeline import load_problem

    problem = load_problem(
        sandbox.optional(train, "train"),
        dev=sandbox.optional(dev, "dev"),
        test=sandbox.optional(test, "test"),
        train_dev=sandbox.optional(train_dev, "train_dev"),
        predictions=sandbox.optional(predictions, "predictions"),
        target=target,
        split_column=split_column,
        task=task,
        id_column=id_column,
        drop=tuple(drop),
        seed=seed,
    )
    return explore_problem(problem, on_step=on_step)


def learning_curve(
    sandbox: Sandbox,
    *,
    train: str,
    target: str,
    dev: str | None = None,
    task: str | None = None,
    metric: str | None = None,
    drop: Sequence[str] = (),
    seed: int = 0,
    on_step: OnStep | None = None,
) -> dict[str, Any]:
    """The quick baseline's learning curve and forecast (``unstuck curve DATA --target``), ``unstuck.curve/1``."""
    from unstuck.baseline_curve import baseline_curve
    from unstuck.pipeline import load_problem

    problem = load_problem(
        sandbox.path(train, "train"),
        target=target,
        dev=sandbox.optional(dev, "dev"),
        task=task,
        metric=metric,
        drop=tuple(drop),
        seed=seed,
    )
    result: dict[str, Any] = jsonable(baseline_curve(problem, on_step=on_step).to_dict())
    return result


def plan(sandbox: Sandbox, *, card: str = CARD_FILE) -> dict[str, Any]:
    """The method's plan for the project card (``unstuck plan --json``), with the reason for its layer."""
    from unstuck.card import read_card
    from unstuck.plan import choose_layer, make_plan

    project = read_card(sandbox.path(card, "card"))
    choice = choose_layer(project)
    result: dict[str, Any] = jsonable(
        {
            "schema": "unstuck.plan/1",
            "layer": choice.layer,
            "layer_rule": choice.rule,
            "layer_why": choice.why,
            "steps": [s.to_dict() for s in make_plan(project)],
        }
    )
    return result


def _ledger(sandbox: Sandbox, ledger: str) -> LedgerStore:
    """The SQLite ledger at ``ledger`` under the root; refuses to create one (these tools only read)."""
    from unstuck.ledger.store import open_ledger

    path = sandbox.path(ledger, "ledger")
    if not path.is_file():
        raise FileProblem(
            f"There is no experiment ledger at '{ledger}' under {sandbox.root}.",
            "Record experiments first (`unstuck run -- CMD` in that folder), or pass the ledger file's path.",
        )
    return open_ledger(str(path))


def ledger_log(
    sandbox: Sandbox,
    *,
    ledger: str = DEFAULT_LEDGER,
    status: Sequence[str] = (),
    verdict: str | None = None,
    grep: str | None = None,
    limit: int = 20,
) -> list[dict[str, Any]]:
    """The experiments, newest first (``unstuck log --json``), filtered as the CLI filters them."""
    from unstuck.ledger.record import STATUSES
    from unstuck.ledger.views import matching, verdict_filter

    bad = [s for s in status if s not in STATUSES]
    if bad:
        raise ConfigError(f"status {bad[0]!r} is not one of {', '.join(STATUSES)}.", "e.g. status ['failed'].")
    verdict_filter(verdict)
    if limit < 0:
        raise ConfigError(f"limit {limit} is negative.", "Pass 0 for all records, or a positive count.")
    with _ledger(sandbox, ledger) as store:
        records = matching(store.list(status=list(status) or None, limit=None), verdict=verdict, grep=grep)
    if limit > 0:
        records = records[:limit]
    result: list[dict[str, Any]] = jsonable([r.to_dict() for r in records])
    return result


def ledger_show(sandbox: Sandbox, *, experiment_id: int, ledger: str = DEFAULT_LEDGER) -> dict[str, Any]:
    """Everything the ledger holds about one experiment (``unstuck show ID --json``)."""
    with _ledger(sandbox, ledger) as store:
        record = store.get(experiment_id)
    result: dict[str, Any] = jsonable(record.to_dict())
    return result


def ledger_compare(sandbox: Sandbox, *, first: int, second: int, ledger: str = DEFAULT_LEDGER) -> dict[str, Any]:
    """What differs between two experiments: config, metrics (with B - A), provenance."""
    from unstuck.ledger.views import compare

    with _ledger(sandbox, ledger) as store:
        a, b = store.get(first), store.get(second)
    result: dict[str, Any] = jsonable({"first": first, "second": second, **compare(a, b)})
    return result


def cost(
    *,
    api_input_price: float,
    api_output_price: float,
    tokens_in: float,
    tokens_out: float,
    small_model_hourly: float,
    throughput: float,
    requests: float | None = None,
    growth: float = 0.0,
    months: int = 24,
    volumes: Sequence[float] = (),
    budget: float | None = None,
    utilisation: float = 0.5,
    min_instances: int = 1,
    finetune_gpu_hours: float = 0.0,
    gpu_hourly: float = 0.0,
    labelling_cost: float = 0.0,
    engineering_days: float = 0.0,
    daily_rate: float = 0.0,
    coverage: float | None = None,
) -> dict[str, Any]:
    """LLM API vs a fine-tuned small model (``unstuck cost --json``), an ``unstuck.cost/1`` document."""
    from unstuck.cost.estimate import Pricing, cost_report, request_volume

    pricing = Pricing(
        api_input_price=api_input_price,
        api_output_price=api_output_price,
        small_model_hourly=small_model_hourly,
        throughput=throughput,
        utilisation=utilisation,
        min_instances=min_instances,
        finetune_gpu_hours=finetune_gpu_hours,
        gpu_hourly=gpu_hourly,
        labelling_cost=labelling_cost,
        engineering_days=engineering_days,
        daily_rate=daily_rate,
        budget=budget,
    )
    volume = request_volume(requests=requests, growth=growth, months=months, volumes=volumes)
    document = cost_report(pricing, volume, tokens_in=tokens_in, tokens_out=tokens_out, coverage=coverage)
    result: dict[str, Any] = jsonable(document)
    return result


def saved_report(sandbox: Sandbox, report: str | None) -> Report:
    """A report saved under the root: a ``--json`` report file, or by default the last diagnosis."""
    from unstuck.report_file import read_report
    from unstuck.state import LAST_DIAGNOSIS, load_last

    if report is None:
        return load_last(sandbox.root / LAST_DIAGNOSIS)[1]
    return read_report(sandbox.path(report, "report"))
