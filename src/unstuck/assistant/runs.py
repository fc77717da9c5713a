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
from unstuck.assistant.sandbox import Sandbox
from unstuck.assistant.server import JsonResult, described, json_result, progress_reporter, user_errors
from unstuck.assistant.tools import DEFAULT_LEDGER, jsonable

if TYPE_CHECKING:
    from unstuck.ledger.record import Experiment

__all__ = ["command_curve", "register_run_tools", "run_experiments"]

DEFAULT_FRACTIONS = (0.05, 0.1, 0.2, 0.4, 0.7, 1.0)
#: The metric a command curve fits when none is named: the first of these the runs report.
PREFERRED_KEYS = ("dev_error", "val_error", "error", "dev_loss", "val_loss", "loss", "rmse", "mae")

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
    from unstuck.errors import ConfigError
    from unstuck.ledger.experiments import Setup, recover, run_variants
    from unstuck.ledger.record import parse_expect
    from unstuck.ledger.store import open_ledger
    from unstuck.ledger.sweep import expand_seeds, parse_vary, sweep_variants

    if jobs < 1:
        raise ConfigError(f"jobs {jobs} must be at least 1.", "e.g. jobs=4.")
    if timeout is not None and timeout <= 0:
        raise ConfigError(f"timeout {timeout:g} must be positive.", "e.g. timeout=600 (seconds per run).")
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


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _metric_key(reported: list[dict[str, Any]], wanted: str | None) -> str:
    """The metric to fit: ``wanted`` if reported, else the first preferred key all runs report, else the only one."""
    from unstuck.errors import ConfigError

    numeric = set.intersection(*[{k for k, v in m.items() if _number(v) is not None} for m in reported])
    if wanted is not None:
        if not any(wanted in m for m in reported):
            seen = sorted(set().union(*[set(m) for m in reported]))
            raise ConfigError(
                f"No run reported the metric '{wanted}'; they reported {seen}.",
                "Pass metric_key with one of those names.",
            )
        return wanted
    for key in PREFERRED_KEYS:
        if key in numeric:
            return key
    if len(numeric) == 1:
        return next(iter(numeric))
    raise ConfigError(
        f"The runs report several metrics {sorted(numeric)} and none is called {', '.join(PREFERRED_KEYS[:3])}.",
        "Pass metric_key with the one to fit (and maximize=true if higher is better).",
    )


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

    ``command`` runs in the root once per fraction and seed (``{fraction}``, ``{seed}``, and
    ``{size}`` with ``rows``), and prints its metrics as a JSON object on its last line. The
    CLI assembles this itself, so the few steps are repeated here, without its printing.
    """
    from unstuck import curves
    from unstuck.checks.learning_curve import forecast_at
    from unstuck.errors import ConfigError
    from unstuck.runs import RunSpec, placeholders, run_many, substitute

    fractions = sorted(set(fractions))
    if not fractions or not seeds:
        raise ConfigError("fractions and seeds must not be empty.", "e.g. fractions=[0.1, 0.2, 0.4, 1], seeds=[0].")
    if any(not 0 < f <= 1 for f in fractions):
        raise ConfigError(f"Fractions must be in (0, 1], got {fractions}.", "e.g. fractions=[0.1, 0.2, 0.4, 1].")
    used = placeholders(command)
    if not used & {"fraction", "size"}:
        raise ConfigError(
            "The command has no {fraction} or {size} placeholder, so every run would train on the same data.",
            "Put {fraction} (or {size} with rows) where your script takes the share of training data.",
        )
    if "size" in used and rows is None:
        raise ConfigError("The command uses {size}, but rows (the full training-set size) is unknown.", "Pass rows.")
    if rows is not None and rows <= 0:
        raise ConfigError(f"rows must be positive, got {rows}.", "Pass the number of rows in the full training set.")
    if jobs is not None and jobs < 1:
        raise ConfigError(f"jobs must be at least 1, got {jobs}.", "Pass jobs=1 to run one at a time.")
    specs = []
    for fraction in fractions:
        for s in seeds:
            values: dict[str, Any] = {"fraction": fraction, "seed": s}
            if rows is not None:
                values["size"] = max(1, round(fraction * rows))
            specs.append(RunSpec(substitute(command, values), values=values, cwd=sandbox.root, timeout=timeout))
    done = (lambda r: on_done(f"run {r.spec.values} {'ok' if r.ok else 'failed'}")) if on_done else None
    results = run_many(specs, jobs=jobs, on_done=done)
    good = [r for r in results if r.ok]
    if not good:
        raise ConfigError(
            f"All {len(results)} runs failed, so there is no curve to fit (first error: {results[0].error}).",
            "Run the command once by hand with the substituted values and fix it; it must print a JSON object "
            "as its last line.",
        )
    key = _metric_key([r.metrics for r in good], metric_key)
    usable = [r for r in good if _number(r.metrics.get(key)) is not None]
    sizes = [float(r.spec.values["size"] if rows is not None else r.spec.values["fraction"]) for r in usable]
    sign = -1.0 if maximize else 1.0
    fit = curves.fit(
        sizes, [sign * (_number(r.metrics[key]) or 0.0) for r in usable], floor=None if maximize else 0.0, seed=seed
    )
    raw = forecast_at(fit, float(rows) if rows is not None else 1.0)
    forecast = dict(raw)
    if sign < 0:  # fitted on -metric: turn the values back; gains keep their sign
        for k in ("now", "at_2x", "at_10x"):
            forecast[k] = -raw[k]
        for k in ("interval_2x", "interval_10x"):
            forecast[k] = sorted(-x for x in raw[k])
    result: dict[str, Any] = jsonable(
        {
            "schema": "unstuck.curve/1",
            "mode": "command",
            "command": " ".join(command),
            "metric_key": key,
            "maximize": maximize,
            "runs": [r.to_dict() for r in results],
            "failed": len(results) - len(usable),
            "curve": fit.to_dict(),
            "size_unit": "rows" if rows is not None else "fraction of the training data",
            "forecast": forecast,
        }
    )
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
