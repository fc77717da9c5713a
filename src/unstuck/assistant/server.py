"""``unstuck mcp``: the Model Context Protocol server that lets an AI assistant run unstuck.

Built on the official ``mcp`` SDK's ``MCPServer`` (the 2.x name of FastMCP): its
decorators turn each typed Python signature into the tool's JSON Schema, so the
parameters an assistant sees are the ones below, with their types, descriptions
(:mod:`~unstuck.assistant.params`) and defaults, and nothing is kept in step by
hand. The SDK reads those annotations when a tool is registered, so this module
imports it at the top; only ``unstuck mcp`` imports this module, after
:func:`unstuck.assistant.require_sdk`.

Rules the server keeps, because an assistant, not the user, chooses the calls:

- every path goes through the :class:`~unstuck.assistant.sandbox.Sandbox`
  (``--root``); a path outside it is a tool error;
- tools that run commands or write the ledger are listed only when the user
  started the server with ``--allow-run``;
- a problem the user can fix (an :class:`~unstuck.errors.UnstuckError`)
  comes back as a tool error carrying the CLI's problem-and-fix text; the
  session goes on, whatever the call did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import ToolAnnotations
from pydantic import Field

from unstuck.assistant import params, tools
from unstuck.assistant.mcp_results import (
    JsonResult,
    described,
    json_result,
    progress_reporter,
    tool_error_text,
    user_errors,
)
from unstuck.assistant.sandbox import Sandbox

if TYPE_CHECKING:
    from unstuck.findings import Report
    from unstuck.problem import Problem

__all__ = ["INSTRUCTIONS", "build_server", "described", "progress_reporter", "serve", "tool_error_text", "user_errors"]

INSTRUCTIONS = (
    "unstuck measures why a machine-learning model is stuck and ranks what to do next. Work in the method's "
    "order: plan (from the project card) -> explore (data surprises) -> diagnose (error decomposition, "
    "findings, ranked interventions) -> act on the top intervention -> record the experiment in the ledger. "
    "Quote the numbers the tools return; never advise more data or more compute unless an intervention "
    "with that lever is ranked with its evidence. Paths are relative to the server's root folder."
)

Status = Literal["planned", "running", "done", "failed", "crashed"]
Verdict = Literal["keep", "discard", "inconclusive", "unset"]


class _Session:
    """What the server remembers between calls: the last report (for ``report_summary``) and the
    last diagnosis with its problem (for ``try_intervention``)."""

    def __init__(self) -> None:
        self.last: Report | None = None
        self.diagnosed: tuple[Problem, Report] | None = None


def build_server(sandbox: Sandbox, *, allow_run: bool = False) -> MCPServer:
    """The server with its read-only tools registered; ``allow_run`` adds the command-running ones."""
    from unstuck import __version__

    server: MCPServer = MCPServer(name="unstuck", version=__version__, instructions=INSTRUCTIONS)
    session = _Session()
    reads = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @described(server, reads)
    def diagnose(
        ctx: Context[Any, Any],
        train: params.Train = None,
        target: params.Target = None,
        dev: params.Dev = None,
        test: params.Test = None,
        train_dev: params.Dev = None,
        split_column: params.SplitColumn = None,
        predictions: params.Predictions = None,
        training_logs: params.TrainingLogs = None,
        human_error: params.HumanError = None,
        task: params.Task = None,
        metric: params.Metric = None,
        id_column: params.IdColumn = None,
        drop: params.Drop = None,
        seed: params.Seed = 0,
        card: params.Card = None,
        tags: params.Tags = None,
        sections: params.Sections = False,
    ) -> JsonResult:
        """Diagnose a model: error decomposition (human/train/train-dev/dev/test), findings with evidence,
        the bottleneck, and ranked interventions with expected gains (JSON schema unstuck.report/1).

        Give a training table (`train` + `target`, optionally `dev`/`test`, or one table with
        `split_column`), or `predictions` of the user's own model (columns split, y_true, y_pred),
        and/or `training_logs` (CSV/JSONL/Keras/Lightning files or a TensorBoard folder).
        `human_error` is in metric units (0.02 = 2%). `sections=true` adds the long per-check tables.
        Sends a progress notification per step. Call report_summary next for a short version."""
        with user_errors():
            problem, report = tools.diagnose(
                sandbox,
                train=train,
                target=target,
                dev=dev,
                test=test,
                train_dev=train_dev,
                split_column=split_column,
                predictions=predictions,
                training_logs=training_logs or (),
                human_error=human_error,
                task=task,
                metric=metric,
                id_column=id_column,
                drop=drop or (),
                seed=seed,
                card=card,
                tags=tags,
                on_step=progress_reporter(ctx),
            )
        session.last = report
        session.diagnosed = problem, report
        return json_result(tools.report_json(report, sections=sections))

    @described(server, reads)
    def explore(
        ctx: Context[Any, Any],
        train: params.Train = None,
        target: params.Target = None,
        dev: params.Dev = None,
        test: params.Test = None,
        train_dev: params.Dev = None,
        split_column: params.SplitColumn = None,
        predictions: params.Predictions = None,
        task: params.Task = None,
        id_column: params.IdColumn = None,
        drop: params.Drop = None,
        seed: params.Seed = 0,
        sections: params.Sections = False,
    ) -> JsonResult:
        """Look hard at the data before modelling: leakage between splits, duplicates, likely label errors,
        class imbalance, ID-like/constant/leaking columns, outliers, train-vs-dev shift, personal data.
        Same inputs as diagnose; returns an unstuck.report/1 object with the data findings."""
        with user_errors():
            report = tools.explore(
                sandbox,
                train=train,
                target=target,
                dev=dev,
                test=test,
                train_dev=train_dev,
                split_column=split_column,
                predictions=predictions,
                task=task,
                id_column=id_column,
                drop=drop or (),
                seed=seed,
                on_step=progress_reporter(ctx),
            )
        session.last = report
        return json_result(tools.report_json(report, sections=sections))

    @described(server, reads)
    def learning_curve(
        ctx: Context[Any, Any],
        train: Annotated[str, Field(description="Training table (.csv, .parquet, .jsonl) under the root.")],
        target: Annotated[str, Field(description="The column to predict.")],
        dev: params.Dev = None,
        task: params.Task = None,
        metric: params.Metric = None,
        drop: params.Drop = None,
        seed: params.Seed = 0,
    ) -> JsonResult:
        """Learning curve of the quick baseline: dev and train error against training-set size, the fitted
        curve, and the forecast at 2x and 10x the data with intervals. This is the evidence for or against
        'collect more data' (JSON schema unstuck.curve/1)."""
        with user_errors():
            return json_result(
                tools.learning_curve(
                    sandbox,
                    train=train,
                    target=target,
                    dev=dev,
                    task=task,
                    metric=metric,
                    drop=drop or (),
                    seed=seed,
                    on_step=progress_reporter(ctx),
                )
            )

    @described(server, reads)
    def plan(card: str = tools.CARD_FILE) -> JsonResult:
        """The method's plan for the project card (unstuck.toml, written by `unstuck init`): the layer the
        problem lives at (LLM prompting, deep learning, classical ML) and why, then the steps in order,
        each with its reason and the unstuck command that does it."""
        with user_errors():
            return json_result(tools.plan(sandbox, card=card))

    @described(server, reads)
    def log(
        ledger: params.Ledger = tools.DEFAULT_LEDGER,
        status: list[Status] | None = None,
        verdict: Verdict | None = None,
        grep: str | None = None,
        limit: int = 20,
    ) -> JsonResult:
        """The experiment ledger, newest first (read-only): each experiment's hypothesis, command, the one
        variable changed against its parent, metrics and keep/discard verdict. limit=0 returns all."""
        with user_errors():
            records = tools.ledger_log(
                sandbox, ledger=ledger, status=status or (), verdict=verdict, grep=grep, limit=limit
            )
        return json_result({"experiments": records})

    @described(server, reads)
    def show(experiment_id: int, ledger: params.Ledger = tools.DEFAULT_LEDGER) -> JsonResult:
        """Everything the ledger holds about one experiment (read-only), including its verdict's evidence."""
        with user_errors():
            return json_result(tools.ledger_show(sandbox, experiment_id=experiment_id, ledger=ledger))

    @described(server, reads)
    def compare(first: int, second: int, ledger: params.Ledger = tools.DEFAULT_LEDGER) -> JsonResult:
        """Only what differs between two experiments (read-only): config, metrics with B - A, provenance."""
        with user_errors():
            return json_result(tools.ledger_compare(sandbox, first=first, second=second, ledger=ledger))

    @described(server, reads)
    def cost(
        api_input_price: float,
        api_output_price: float,
        tokens_in: float,
        tokens_out: float,
        small_model_hourly: float,
        throughput: float,
        requests: float | None = None,
        growth: float = 0.0,
        months: int = 24,
        volumes: list[float] | None = None,
        budget: float | None = None,
        utilisation: float = 0.5,
        min_instances: int = 1,
        finetune_gpu_hours: float = 0.0,
        gpu_hourly: float = 0.0,
        labelling_cost: float = 0.0,
        engineering_days: float = 0.0,
        daily_rate: float = 0.0,
        coverage: float | None = None,
    ) -> JsonResult:
        """LLM API vs a fine-tuned small model: monthly bills, break-even volume and month, the month the API
        bill crosses the budget, savings (JSON schema unstuck.cost/1). Prices per million tokens; tokens are
        means per request; requests per month now (growth compounds monthly) or an explicit volumes series;
        throughput in requests/second per serving instance; coverage = share a cascade's small model answers."""
        with user_errors():
            return json_result(
                tools.cost(
                    api_input_price=api_input_price,
                    api_output_price=api_output_price,
                    tokens_in=tokens_in,
                    tokens_out=tokens_out,
                    small_model_hourly=small_model_hourly,
                    throughput=throughput,
                    requests=requests,
                    growth=growth,
                    months=months,
                    volumes=volumes or (),
                    budget=budget,
                    utilisation=utilisation,
                    min_instances=min_instances,
                    finetune_gpu_hours=finetune_gpu_hours,
                    gpu_hourly=gpu_hourly,
                    labelling_cost=labelling_cost,
                    engineering_days=engineering_days,
                    daily_rate=daily_rate,
                    coverage=coverage,
                )
            )

    @described(server, reads)
    def report_summary(report: str | None = None, top: int = 3) -> JsonResult:
        """A short form of a diagnosis for your context: a one-sentence headline, the top interventions with
        the findings (and numbers) behind each, counts of the other findings, skipped checks. Summarises
        `report` (a JSON file from `unstuck diagnose --json`) when given, else the last diagnose/explore
        of this session, else the root's last saved diagnosis (.unstuck/last_diagnosis.json)."""
        from unstuck.assistant.summary import summarize

        with user_errors():
            if report is None and session.last is not None:
                chosen = session.last
            else:
                chosen = tools.saved_report(sandbox, report)
        result: dict[str, Any] = tools.jsonable(summarize(chosen, top=top))
        return json_result(result)

    if allow_run:
        from unstuck.assistant.runs import register_run_tools

        register_run_tools(server, sandbox)

        @described(server, ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False))
        def try_intervention(rank: int = 1) -> JsonResult:
            """Try intervention `rank` (1 = top) of this session's last diagnose on unstuck's built-in baseline:
            dev error before and after, the gain with its 95% paired-bootstrap interval, and a verdict (gain /
            worse / within_noise); recorded in the root's ledger. Levers unstuck cannot apply itself (more data,
            your own architecture) come back with instructions instead. Like `unstuck try N`."""
            from unstuck.assistant.trying import try_and_record
            from unstuck.errors import ConfigError

            with user_errors():
                if session.diagnosed is None:
                    raise ConfigError(
                        "There is no diagnosis in this session to try an intervention of.",
                        "Call diagnose first (the same session), then try_intervention with a rank it lists.",
                    )
                problem, report = session.diagnosed
                return json_result(try_and_record(sandbox, problem, report, rank))

    return server


def serve(server: MCPServer) -> None:
    """Run ``server`` over stdio until the client closes the session.

    While it serves, the SDK points file descriptor 1 at stderr, so a stray print
    from a library cannot corrupt the JSON-RPC stream; but text still sitting in
    Python's stdout buffer would be flushed at exit, after the SDK has pointed
    descriptor 1 back at the client. Pointing it at stderr once the session is over
    sends that text where the server's logs go.
    """
    import os
    import sys

    try:
        server.run("stdio")
    finally:
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
