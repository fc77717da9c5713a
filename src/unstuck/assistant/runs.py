"""The tools that run commands (``run``, ``sweep``), offered only under ``unstuck mcp --allow-run``.

They record every run in the ledger under the root (``.unstuck/ledger.db``),
in the same records ``unstuck run`` and ``unstuck sweep`` write: hypothesis,
the one variable changed against the parent, metrics, noise-aware verdict.
The commands run in the root folder, as the user who started the server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import ToolAnnotations

from unstuck.assistant import params
from unstuck.assistant.mcp_results import JsonResult, described, json_result, progress_reporter, user_errors
from unstuck.assistant.sandbox import Sandbox
from unstuck.assistant.tools import DEFAULT_LEDGER, jsonable

if TYPE_CHECKING:
    from unstuck.ledger.record import Experiment

__all__ = ["command_curve", "register_run_tools", "run_experiments"]

DEFAULT_FRACTIONS = (0.05, 0.1, 0.2, 0.4, 0.7, 1.0)

OnEvent = Callable[[str, "Experiment"], None]


def run_experiments(
    sandbox: Sandbox,
    command: list[str],
    *,
    vary: list[str] | None = None,
    mode: str = "grid",
    samples: int | None = None,
    seeds: int | None = None,
    jobs: int = 1,
    hypothesis: str | None = None,
    expect: str | None = None,
    parent: int | None = None,
    findings: list[str] | None = None,
    interventions: list[str] | None = None,
    metric: str | None = None,
    timeout: float | None = None,
    on_event: OnEvent | None = None,
) -> dict[str, Any]:
    """Run ``command`` once, or once per variant of ``vary`` x ``seeds``, record each in the root's ledger.

    Returns the records as ``unstuck show --json`` gives them, and the ledger's warnings
    (e.g. more than one variable changed against the parent).
    """
    from unstuck.ledger.experiments import Setup, recover, run_variants
    from unstuck.ledger.parameters import check_ledger_arguments
    from unstuck.ledger.record import parse_expect
    from unstuck.ledger.store import open_ledger
    from unstuck.ledger.sweep import expand_seeds, parse_vary, sweep_variants

    # the other options are refused by sweep_variants, expand_seeds and Setup; jobs only by run_variants,
    # once the ledger is open
    check_ledger_arguments({"jobs": jobs}, entry="run_experiments")
    axes = [parse_vary(v) for v in vary or []]
    variants = expand_seeds(sweep_variants(axes, mode=mode, samples=samples), seeds)
    setup = Setup(
        cwd=sandbox.root,
        hypothesis=hypothesis,
        expectation=parse_expect(expect) if expect else None,
        parent_id=parent,
        findings=tuple(findings or ()),
        interventions=tuple(interventions or ()),
        metric=metric,
        timeout=timeout,
    )
    with open_ledger(str(sandbox.root / DEFAULT_LEDGER)) as store:
        recover(store)
        outcome = run_variants(store, setup, command, variants, jobs=jobs, on_event=on_event)
        records = [store.get(i).to_dict() for i in outcome.ids]
    result: dict[str, Any] = jsonable({"experiments": records, "warnings": outcome.warnings})
    return result


def command_curve(
    sandbox: Sandbox,
    command: list[str],
    *,
    fractions: list[float],
    seeds: list[int],
    rows: int | None = None,
    metric_key: str | None = None,
    maximize: bool = False,
    jobs: int | None = None,
    timeout: float | None = None,
    seed: int = 0,
    on_done: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The learning curve of any training command (``unstuck curve -- CMD``), ``unstuck.curve/1``.

    ``command`` runs in the root once per fraction and seed; see
    :func:`unstuck.command_curve.command_curve`, which the CLI calls too.
    """
    from unstuck.command_curve import command_curve as run_curve

    done = (lambda r: on_done(f"run {r.spec.values} {'ok' if r.ok else 'failed'}")) if on_done else None
    curve = run_curve(
        command,
        fractions=fractions,
        seeds=seeds,
        rows=rows,
        metric_key=metric_key,
        maximize=maximize,
        jobs=jobs,
        timeout=timeout,
        seed=seed,
        cwd=sandbox.root,
        on_done=done,
    )
    result: dict[str, Any] = jsonable(curve.to_dict())
    return result


def register_run_tools(server: MCPServer, sandbox: Sandbox) -> None:
    """Add ``run``, ``sweep`` and ``curve_command`` to ``server``."""
    writes = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)

    def events(ctx: Context[Any, Any], total: float | None) -> OnEvent:
        report = progress_reporter(ctx, total)

        def on_event(kind: str, record: Experiment) -> None:
            if kind == "end":
                report(f"#{record.id} {record.status}")

        return on_event

    @described(server, writes)
    def run(
        ctx: Context[Any, Any],
        command: params.Command,
        hypothesis: str | None = None,
        expect: str | None = None,
        parent: int | None = None,
        seeds: int | None = None,
        findings: list[str] | None = None,
        interventions: list[str] | None = None,
        metric: str | None = None,
        timeout: float | None = None,
    ) -> JsonResult:
        """Run ONE experiment (a training command, as an argument list, in the root folder) and record it in
        the ledger: hypothesis, expected effect (`expect`, e.g. "dev_error -0.01"), the parent it changes one
        variable of, the diagnosis findings/interventions it acts on, metrics (the command prints a JSON object
        as its last line) and the noise-aware verdict. `seeds=N` repeats it over seeds 0..N-1 ({seed})."""
        with user_errors():
            return json_result(
                run_experiments(
                    sandbox,
                    command,
                    seeds=seeds,
                    hypothesis=hypothesis,
                    expect=expect,
                    parent=parent,
                    findings=findings,
                    interventions=interventions,
                    metric=metric,
                    timeout=timeout,
                    on_event=events(ctx, float(seeds) if seeds else 1.0),
                )
            )

    @described(server, writes)
    def sweep(
        ctx: Context[Any, Any],
        command: params.Command,
        vary: list[str],
        mode: Literal["grid", "oat", "qmc"] = "grid",
        samples: int | None = None,
        seeds: int | None = None,
        jobs: int = 1,
        hypothesis: str | None = None,
        parent: int | None = None,
        findings: list[str] | None = None,
        interventions: list[str] | None = None,
        metric: str | None = None,
        timeout: float | None = None,
    ) -> JsonResult:
        """Run many variants of a command and record each in the ledger. `vary` items are NAME=V1,V2,... (or
        NAME=LOW:HIGH[:log|:int] with mode qmc); the command holds {NAME} where each value goes. Modes: grid,
        oat (one at a time around the first values), qmc (quasi-random, `samples` points)."""
        with user_errors():
            return json_result(
                run_experiments(
                    sandbox,
                    command,
                    vary=vary,
                    mode=mode,
                    samples=samples,
                    seeds=seeds,
                    jobs=jobs,
                    hypothesis=hypothesis,
                    parent=parent,
                    findings=findings,
                    interventions=interventions,
                    metric=metric,
                    timeout=timeout,
                    on_event=events(ctx, None),
                )
            )

    @described(server, writes)
    def curve_command(
        ctx: Context[Any, Any],
        command: params.Command,
        fractions: list[float] | None = None,
        seeds: list[int] | None = None,
        rows: int | None = None,
        metric_key: str | None = None,
        maximize: bool = False,
        jobs: int | None = None,
        timeout: float | None = None,
        seed: int = 0,
    ) -> JsonResult:
        """Learning curve of ANY training command: runs it in the root once per fraction of the training data
        and seed, in parallel, fits the curve and forecasts the metric at 2x and 10x the data (unstuck.curve/1).
        The command holds {fraction} (or {size} with `rows`) and optionally {seed}, and prints its metrics as a
        JSON object on its last line. Default fractions 0.05, 0.1, 0.2, 0.4, 0.7, 1; seeds [0]."""
        runs = len(fractions or DEFAULT_FRACTIONS) * len(seeds or [0])
        with user_errors():
            return json_result(
                command_curve(
                    sandbox,
                    command,
                    fractions=fractions or list(DEFAULT_FRACTIONS),
                    seeds=seeds or [0],
                    rows=rows,
                    metric_key=metric_key,
                    maximize=maximize,
                    jobs=jobs,
                    timeout=timeout,
                    seed=seed,
                    on_done=progress_reporter(ctx, float(runs)),
                )
            )
