"""What each assistant tool computes: thin wrappers over unstuck's Python API, JSON out.

Every function takes the :class:`~unstuck.assistant.sandbox.Sandbox` first and
resolves each path through it, so no tool reads outside the root. Results are
plain JSON values (numpy scalars turned into numbers) in the shapes the CLI's
``--json`` writes: ``unstuck.report/1``, ``unstuck.curve/1``, ``unstuck.plan/1``,
``unstuck.cost/1``. Nothing here prints or touches MCP; the server adds that.

``learning_curve`` (data mode) and ``cost`` have no Python API of their own
(the CLI computes them), so the few lines that assemble them from
:mod:`unstuck.checks` and :mod:`unstuck.cost` are repeated here.
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
    from unstuck.pipeline import explore_problem, load_problem

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
    from unstuck.context import Context
    from unstuck.pipeline import load_problem
    from unstuck.registry import registered_checks
    from unstuck.runner import run_checks

    problem = load_problem(
        sandbox.path(train, "train"),
        target=target,
        dev=sandbox.optional(dev, "dev"),
        task=task,
        metric=metric,
        drop=tuple(drop),
        seed=seed,
    )
    spec = [s for s in registered_checks() if s.name == "learning_curve"]
    run = run_checks(problem, Context(problem, on_step=on_step), checks=spec)
    if run.skipped:
        raise ConfigError(
            f"No learning curve: {run.skipped[0].reason}.",
            "Give more training rows, or a target the baselines can learn.",
        )
    result: dict[str, Any] = jsonable(
        {
            "schema": "unstuck.curve/1",
            "mode": "data",
            "metric": problem.metric.to_dict(),
            "findings": [f.to_dict() for f in run.findings],
            "learning_curve": run.sections["learning_curve"],
        }
    )
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
    from unstuck.ledger.record import STATUSES, VERDICTS

    bad = [s for s in status if s not in STATUSES]
    if bad:
        raise ConfigError(f"status {bad[0]!r} is not one of {', '.join(STATUSES)}.", "e.g. status ['failed'].")
    if verdict is not None and verdict not in (*VERDICTS, "unset"):
        raise ConfigError(f"verdict {verdict!r} is not keep, discard, inconclusive or unset.", "e.g. verdict 'keep'.")
    if limit < 0:
        raise ConfigError(f"limit {limit} is negative.", "Pass 0 for all records, or a positive count.")
    with _ledger(sandbox, ledger) as store:
        records = store.list(status=list(status) or None, limit=None)
    if verdict is not None:
        records = [r for r in records if (r.verdict or "unset") == verdict]
    if grep is not None:
        needle = grep.lower()
        records = [
            r for r in records if needle in (r.hypothesis or "").lower() or needle in " ".join(r.command).lower()
        ]
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
    from unstuck.cost.model import SmallModelPlan, api_cost_per_request, cost_curve, volume_series
    from unstuck.cost.report import build_report, cost_to_dict

    if volumes:
        series = [float(v) for v in volumes]
        volume = {"source": "series", "requests": series[0], "growth": None, "months": len(series)}
    elif requests is not None:
        series = volume_series(requests, growth, months)
        volume = {"source": "growth", "requests": requests, "growth": growth, "months": months}
    else:
        raise ConfigError(
            "No request volume: the cost curve needs requests (per month) or volumes.",
            "Pass requests=50000 with growth=0.3, or volumes=[50000, 80000, 120000].",
        )
    per_request = api_cost_per_request(tokens_in, tokens_out, api_input_price, api_output_price)
    small = SmallModelPlan(
        instance_hourly=small_model_hourly,
        throughput=throughput,
        utilisation=utilisation,
        min_instances=min_instances,
        gpu_hours=finetune_gpu_hours,
        gpu_hourly=gpu_hourly,
        labelling=labelling_cost,
        engineering_days=engineering_days,
        daily_rate=daily_rate,
    )
    curve = cost_curve(series, per_request, small, coverage=coverage, budget=budget)
    section = cost_to_dict(
        curve,
        small,
        input_price=api_input_price,
        output_price=api_output_price,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        tokens_source="given",
        throughput_source="given",
        volume=volume,
        coverage_source="given" if coverage is not None else None,
    )
    notes = []
    if small.one_off == 0:
        notes.append(
            "One-off cost is 0: add finetune_gpu_hours/gpu_hourly, engineering_days/daily_rate and "
            "labelling_cost for a fair break-even."
        )
    result: dict[str, Any] = jsonable(build_report("cost", cost=section, notes=notes))
    return result


def saved_report(sandbox: Sandbox, report: str | None) -> Report:
    """A report saved under the root: a ``--json`` report file, or by default the last diagnosis."""
    from unstuck.findings import SCHEMA, Report
    from unstuck.state import LAST_DIAGNOSIS, load_last

    if report is None:
        return load_last(sandbox.root / LAST_DIAGNOSIS)[1]
    path = sandbox.path(report, "report")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileProblem(
            f"The report '{report}' does not exist.", "Pass a file written by `unstuck diagnose ... --json PATH`."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileProblem(
            f"Could not read the report '{report}' as JSON ({exc}).",
            "Pass a file written by `unstuck diagnose ... --json PATH`, not the HTML or Markdown report.",
        ) from None
    if isinstance(data, dict) and isinstance(data.get("report"), dict):
        data = data["report"]  # the saved last diagnosis wraps the report with its arguments
    schema = data.get("schema") if isinstance(data, dict) else None
    if schema != SCHEMA:
        raise FileProblem(
            f"'{report}' is not an unstuck report: its schema is {schema!r}, expected {SCHEMA!r}.",
            "Pass a file written by `unstuck diagnose ... --json PATH` with this version of unstuck.",
        )
    try:
        return Report.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise FileProblem(
            f"'{report}' says it is {SCHEMA} but is incomplete or damaged ({type(exc).__name__}: {exc}).",
            "Write it again with `unstuck diagnose ... --json PATH`.",
        ) from None
