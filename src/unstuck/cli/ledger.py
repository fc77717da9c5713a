"""``unstuck run``, ``sweep``, ``log``, ``show``, ``compare`` and ``metrics``: the experiment ledger.

Every command opens the ledger (``--ledger URL``, else ``UNSTUCK_LEDGER``, else
``.unstuck/ledger.db``), first marking crashed the records that a killed
process left running on this host.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from unstuck.cli._console import console, err_console
from unstuck.cli._ledger_views import PLAIN_ABOVE, coverage_lines, layer_lines, percent, render_log, render_log_plain

if TYPE_CHECKING:
    from unstuck.ledger.experiments import Outcome, Setup
    from unstuck.ledger.record import Experiment
    from unstuck.ledger.store import LedgerStore

__all__ = ["register"]

LedgerOption = Annotated[
    str | None,
    typer.Option(
        "--ledger",
        envvar="UNSTUCK_LEDGER",
        help="Ledger: a SQLite file path or postgresql://user:pass@host/db. Default: .unstuck/ledger.db.",
    ),
]
CommandArg = Annotated[list[str], typer.Argument(help="The training command, after --.", show_default=False)]
HypothesisOption = Annotated[str | None, typer.Option("--hypothesis", "-H", help="What you expect and why.")]
ExpectOption = Annotated[
    str | None, typer.Option(help='Expected effect: METRIC SIGNED_CHANGE, e.g. "dev_error -0.01".')
]
ParentOption = Annotated[int | None, typer.Option(help="The experiment this one changes (its id).")]
ExploreOption = Annotated[
    bool, typer.Option("--explore", help="A broad exploration: changing several variables is intended.")
]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="The run's config file (JSON or TOML).")]
DataOption = Annotated[list[Path] | None, typer.Option("--data", help="A data file or folder to fingerprint; repeat.")]
FindingOption = Annotated[
    list[str] | None, typer.Option("--finding", help="Id of the diagnosis finding this acts on; repeat.")
]
InterventionOption = Annotated[
    list[str] | None, typer.Option("--intervention", help="The intervention (lever) this tries; repeat.")
]
MetricOption = Annotated[str | None, typer.Option(help="The metric the verdict reads. Default: the expectation's.")]
TimeoutOption = Annotated[float | None, typer.Option(help="Seconds before a variant is killed (failed).")]
SeedsOption = Annotated[int | None, typer.Option(help="Repeat each variant over seeds 0..N-1 (fills {seed}).")]
JobsOption = Annotated[int, typer.Option(help="Variants run at once.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
DevPredictionsOption = Annotated[
    str | None,
    typer.Option(
        "--dev-predictions",
        help="File each run writes its dev predictions to (y_true, y_pred; placeholders allowed; also in "
        "$UNSTUCK_DEV_PREDICTIONS): single runs then get a paired-bootstrap verdict.",
    ),
]


def _open(ledger: str | None) -> LedgerStore:
    from unstuck.ledger.experiments import recover
    from unstuck.ledger.store import open_ledger

    store = open_ledger(ledger)
    crashed = recover(store)
    if crashed:
        ids = ", ".join(f"#{i}" for i in crashed)
        err_console.print(f"marked crashed (their process ended without recording an outcome): {ids}")
    backup = getattr(store, "backup_path", None)
    if backup:
        err_console.print(f"the ledger was migrated to a new schema; backup first: {backup}")
    return store


def _setup(
    hypothesis: str | None,
    expect: str | None,
    parent: int | None,
    explore: bool,
    config: Path | None,
    data: list[Path] | None,
    finding: list[str] | None,
    intervention: list[str] | None,
    metric: str | None,
    timeout: float | None,
    dev_predictions: str | None = None,
) -> Setup:
    from unstuck.ledger.experiments import Setup
    from unstuck.ledger.record import parse_expect

    return Setup(
        cwd=Path.cwd(),
        hypothesis=hypothesis,
        expectation=parse_expect(expect) if expect else None,
        parent_id=parent,
        explore=explore,
        config_file=config,
        data=tuple(data or ()),
        findings=tuple(finding or ()),
        interventions=tuple(intervention or ()),
        metric=metric,
        timeout=timeout,
        dev_predictions=dev_predictions,
    )


def _metrics_text(metrics: dict[str, float], limit: int = 3) -> str:
    from unstuck.ledger.views import format_value

    items = [f"{k}={format_value(v)}" for k, v in metrics.items()]
    return ", ".join(items[:limit]) + (f" +{len(items) - limit}" if len(items) > limit else "")


def _progress(kind: str, record: Experiment) -> None:
    if kind == "end":
        lines = (record.stderr_tail or "").strip().splitlines() if record.status != "done" else []
        why = " — " + " … ".join(dict.fromkeys([lines[0], lines[-1]])) if lines else ""
        err_console.print(
            f"  #{record.id} {record.status}{': ' if record.metrics else ''}{_metrics_text(record.metrics)}{why}",
            markup=False,
        )


def _verdict_line(record: Experiment) -> str:
    """The verdict and the evidence its detail holds; parts the detail lacks (``unstuck try`` records
    no parent run, so no counts) are left out rather than printed as None."""
    from unstuck.ledger.views import format_value

    d = record.verdict_detail
    if not record.verdict:
        return ""
    interval = d.get("gain_interval") or d.get("interval")
    evidence = []
    if d.get("gain") is not None:
        span = f" [{format_value(interval[0])}, {format_value(interval[1])}]" if interval else ""
        evidence.append(f"gain {format_value(d['gain'])}{span}")
    if d.get("method"):
        evidence.append(str(d["method"]))
    if d.get("n_child") is not None and d.get("n_parent") is not None:
        evidence.append(f"n={d['n_child']} vs {d['n_parent']}")
    head = f"verdict: {record.verdict}"
    if d.get("metric") is not None and d.get("observed_delta") is not None:
        head += f" — {d['metric']} {format_value(d['observed_delta'])} vs parent"
    line = head + (f" ({', '.join(evidence)})" if evidence else "")
    if d.get("expected_delta") is not None:
        met = "met" if d.get("met_expectation") else "not met"
        line += f"; expected {format_value(d['expected_delta'])}: {met}"
    if d.get("reason"):
        line += f"; {d['reason']}"
    return line


def _report(store: LedgerStore, outcome: Outcome) -> None:
    for warning in outcome.warnings:
        err_console.print(f"[bold yellow]warning:[/] {escape(warning)}", highlight=False)


def run(
    command: CommandArg,
    hypothesis: HypothesisOption = None,
    expect: ExpectOption = None,
    parent: ParentOption = None,
    explore: ExploreOption = False,
    seed: Annotated[int | None, typer.Option(help="Fills {seed} in the command.")] = None,
    seeds: SeedsOption = None,
    jobs: JobsOption = 1,
    config: ConfigOption = None,
    data: DataOption = None,
    finding: FindingOption = None,
    intervention: InterventionOption = None,
    metric: MetricOption = None,
    timeout: TimeoutOption = None,
    dev_predictions: DevPredictionsOption = None,
    ledger: LedgerOption = None,
) -> None:
    """Run one experiment and record it: hypothesis, what changed against the parent, metrics, verdict."""
    from unstuck.errors import ConfigError
    from unstuck.ledger.experiments import run_variants
    from unstuck.ledger.parameters import check_ledger_arguments
    from unstuck.ledger.sweep import Variant, expand_seeds

    # --seeds and --timeout are refused by expand_seeds and Setup below; --jobs only by run_variants, once
    # the ledger is open: checked here first, so a refused command leaves the ledger as it was
    check_ledger_arguments({"jobs": jobs}, entry="unstuck run")
    if seed is not None and seeds is not None:
        raise ConfigError("--seed and --seeds cannot be used together.", hint="--seeds N runs seeds 0..N-1.")
    variants = expand_seeds([{}], seeds) if seeds is not None else [Variant({}, seed)]
    setup = _setup(
        hypothesis, expect, parent, explore, config, data, finding, intervention, metric, timeout, dev_predictions
    )
    with _open(ledger) as store:
        outcome = run_variants(store, setup, command, variants, jobs=jobs, on_event=_progress)
        _report(store, outcome)
        records = [store.get(i) for i in outcome.ids]
    from unstuck.ledger.views import summarize_changed

    for record in records:
        took = f" in {record.duration:.1f} s" if record.duration is not None else ""
        console.print(f"experiment #{record.id} {record.status}{took}: {_metrics_text(record.metrics, 6)}")
        if record.parent_id is not None:
            console.print(
                f"  changed against #{record.parent_id}: {summarize_changed(record.changed) or 'nothing'}",
                soft_wrap=True,
            )
    if records and records[-1].verdict:
        console.print(f"  {_verdict_line(records[-1])}", soft_wrap=True)
    if any(r.status != "done" for r in records):
        failed = next(r for r in records if r.status != "done")
        err_console.print(
            f"#{failed.id} {failed.status}; its stderr tail:\n{(failed.stderr_tail or '').strip()}", markup=False
        )
        raise typer.Exit(1)


def sweep(
    command: CommandArg,
    vary: Annotated[
        list[str] | None, typer.Option("--vary", help="NAME=V1,V2,... (or LOW:HIGH[:log|:int] for qmc); repeat.")
    ] = None,
    mode: Annotated[str, typer.Option(help="grid, oat (one at a time around the first values) or qmc.")] = "grid",
    samples: Annotated[int | None, typer.Option(help="Points for --mode qmc.")] = None,
    seeds: SeedsOption = None,
    jobs: JobsOption = 1,
    backend: Annotated[str, typer.Option(help="local (processes) or ray.")] = "local",
    address: Annotated[str | None, typer.Option(help="Ray cluster address ('auto': this machine's).")] = None,
    hypothesis: HypothesisOption = None,
    expect: ExpectOption = None,
    parent: ParentOption = None,
    explore: ExploreOption = False,
    config: ConfigOption = None,
    data: DataOption = None,
    finding: FindingOption = None,
    intervention: InterventionOption = None,
    metric: MetricOption = None,
    timeout: TimeoutOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the quasi-random sequence (qmc).")] = 0,
    dev_predictions: DevPredictionsOption = None,
    ledger: LedgerOption = None,
    json_out: JsonOption = False,
) -> None:
    """Run many variants (grid, quasi-random or one at a time, over seeds) in parallel and record each."""
    from unstuck.errors import ConfigError
    from unstuck.ledger.experiments import run_variants
    from unstuck.ledger.parameters import check_ledger_arguments
    from unstuck.ledger.sweep import expand_seeds, parse_vary, sweep_variants
    from unstuck.ledger.views import summarize_groups

    # the sweep's other options are refused by sweep_variants, expand_seeds and Setup below; --jobs and
    # --backend only by run_variants, once the ledger is open: checked here first, so a refused command
    # leaves the ledger as it was
    check_ledger_arguments({"jobs": jobs, "backend": backend}, entry="unstuck sweep")
    axes = [parse_vary(v) for v in vary or []]
    if not axes and seeds is None:
        raise ConfigError("A sweep needs --vary NAME=VALUES or --seeds N.", hint="e.g. --vary lr=0.1,0.01 --seeds 3.")
    variants = expand_seeds(sweep_variants(axes, mode=mode, samples=samples, seed=seed), seeds)
    setup = _setup(
        hypothesis, expect, parent, explore, config, data, finding, intervention, metric, timeout, dev_predictions
    )
    err_console.print(f"sweep: {len(variants)} runs, {jobs} at a time ({backend})")
    with _open(ledger) as store:
        outcome = run_variants(
            store, setup, command, variants, backend=backend, jobs=jobs, address=address, on_event=_progress
        )
        _report(store, outcome)
        records = [store.get(i) for i in outcome.ids]
    shown = metric or (setup.expectation.metric if setup.expectation else None)
    if shown is None:
        reported = sorted({k for r in records for k in r.metrics})
        shown = next((m for m in reported if "dev" in m), reported[0] if reported else None)
    groups = summarize_groups(records, [a.name for a in axes], shown)
    if json_out:
        payload = {"ids": outcome.ids, "metric": shown, "variants": [g.to_dict() for g in groups]}
        console.print_json(json.dumps(payload, default=str))
    else:
        _sweep_table(groups, [a.name for a in axes], shown)
    if records and all(r.status != "done" for r in records):
        raise typer.Exit(1)


def _sweep_table(groups: list[Any], names: list[str], metric: str | None) -> None:
    from rich.table import Table

    from unstuck.ledger.views import format_value

    table = Table(title=f"sweep — {metric or 'no metric reported'} (mean ± sd over seeds)", title_justify="left")
    for name in names:
        table.add_column(name)
    for col in ("ids", "done", "failed", metric or "metric", "verdict"):
        table.add_column(col)
    for g in groups:
        value = (
            "-" if g.mean is None else format_value(g.mean) + (f" ± {format_value(g.sd)}" if g.sd is not None else "")
        )
        ids = f"#{g.ids[0]}" + (f"–{g.ids[-1]}" if len(g.ids) > 1 else "")
        table.add_row(
            *[format_value(g.values[n]) for n in names], ids, str(g.n_done), str(g.n_failed), value, g.verdict or "-"
        )
    console.print(table)


def log(
    status: Annotated[
        list[str] | None, typer.Option(help="Only these statuses (planned/running/done/failed/crashed); repeat.")
    ] = None,
    verdict: Annotated[str | None, typer.Option(help="Only this verdict (keep/discard/inconclusive/unset).")] = None,
    sweep_id: Annotated[str | None, typer.Option("--sweep", help="Only this sweep's variants.")] = None,
    parent: Annotated[int | None, typer.Option(help="Only children of this experiment.")] = None,
    grep: Annotated[str | None, typer.Option(help="Only records whose hypothesis or command contains this.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows (0: all).")] = 50,
    ledger: LedgerOption = None,
    json_out: JsonOption = False,
) -> None:
    """The experiments, newest first, as a table."""
    from unstuck.errors import ConfigError
    from unstuck.ledger.record import STATUSES
    from unstuck.ledger.views import matching, verdict_filter

    if limit < 0:
        raise ConfigError(
            f"--limit {limit} is negative.", hint="Pass a positive number of rows, or --limit 0 for every record."
        )
    bad = [s for s in status or [] if s not in STATUSES]
    if bad:
        raise ConfigError(f"--status {bad[0]!r} is not one of {', '.join(STATUSES)}.", hint="e.g. --status failed.")
    verdict_filter(verdict)  # refused before the ledger is opened (or created)
    post_filter = verdict is not None or grep is not None
    with _open(ledger) as store:
        records = store.list(
            status=status, sweep_id=sweep_id, parent_id=parent, limit=None if post_filter or limit <= 0 else limit
        )
        sweeps = {s: store.list(sweep_id=s) for s in {r.sweep_id for r in records[: limit or None] if r.sweep_id}}
    records = matching(records, verdict=verdict, grep=grep)
    if limit > 0:
        records = records[:limit]
    if json_out:
        console.print_json(json.dumps([r.to_dict() for r in records], default=str))
        return
    if len(records) > PLAIN_ABOVE:
        typer.echo(render_log_plain(records, sweeps))  # plain write: rich would spend seconds laying out 10,000 lines
    else:
        console.print(render_log(records, sweeps, width=console.width))


def show(
    experiment_id: Annotated[int, typer.Argument(help="The experiment's id.")],
    ledger: LedgerOption = None,
    json_out: JsonOption = False,
) -> None:
    """Everything the ledger holds about one experiment."""
    import shlex
    from datetime import UTC, datetime

    from unstuck.ledger.views import format_value, summarize_varied, varied_in_sweep

    with _open(ledger) as store:
        r = store.get(experiment_id)
        varied = varied_in_sweep(r, store.list(sweep_id=r.sweep_id)) if r.sweep_id else {}
    if json_out:
        console.print_json(json.dumps(r.to_dict(), default=str))
        return

    def when(ts: float | None) -> str:
        return "-" if ts is None else datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    lines = [
        f"experiment #{r.id}  {r.status}" + (f"  verdict {r.verdict}" if r.verdict else ""),
        f"  command     {shlex.join(r.command)}",
        f"  parent      {'#' + str(r.parent_id) if r.parent_id is not None else '-'}",
        f"  hypothesis  {r.hypothesis or '-'}",
        f"  expected    {r.expectation.metric} {r.expectation.delta:+g}" if r.expectation else "  expected    -",
        "  changed     "
        + (", ".join(f"{k}: {format_value(a)} → {format_value(b)}" for k, (a, b) in r.changed.items()) or "-")
        + ("   [more than one variable changed]" if r.multi_change else "")
        + ("   [exploration]" if r.explore else ""),
        f"  seed        {format_value(r.seed)}",
        f"  metrics     {', '.join(f'{k}={format_value(v)}' for k, v in sorted(r.metrics.items())) or '-'}",
        f"  started     {when(r.started_at)}   ended {when(r.ended_at)}"
        + (f"   ({r.duration:.1f} s)" if r.duration is not None else ""),
        f"  host        {r.host or '-'} (pid {r.pid})   cwd {r.cwd or '-'}",
        f"  git         {r.git_commit or '-'}" + ("  dirty (diff stored)" if r.git_dirty else ""),
        "  data        " + (", ".join(f"{k} {v[:19]}…" for k, v in r.data_fingerprint.items()) or "-"),
        f"  findings    {', '.join(r.findings) or '-'}   interventions {', '.join(r.interventions) or '-'}",
        f"  sweep       {r.sweep_id or '-'}"
        + (f"   varied {summarize_varied(varied, limit=8)}" if varied else "")
        + f"   return code {format_value(r.returncode)}",
    ]
    if r.verdict:
        lines.append(f"  {_verdict_line(r)}")
    if r.stderr_tail and r.status != "done":
        lines.append("  stderr tail:")
        lines.extend(f"    {line}" for line in r.stderr_tail.strip().splitlines()[-15:])
    console.print("\n".join(lines), markup=False, soft_wrap=True)


def compare(
    first: Annotated[int, typer.Argument(help="Experiment A (id).")],
    second: Annotated[int, typer.Argument(help="Experiment B (id).")],
    ledger: LedgerOption = None,
    json_out: JsonOption = False,
) -> None:
    """Only what differs between two experiments: config, metrics, provenance."""
    from rich.table import Table

    from unstuck.ledger.views import compare as diff
    from unstuck.ledger.views import format_value

    with _open(ledger) as store:
        a, b = store.get(first), store.get(second)
    result = diff(a, b)
    if json_out:
        console.print_json(json.dumps(result, default=str))
        return
    if not any(result.values()):
        console.print(f"#{first} and #{second} do not differ in config, metrics or provenance.")
        return
    table = Table(title=f"#{first} vs #{second}: what differs", title_justify="left")
    for col in ("", f"#{first}", f"#{second}", "B − A"):
        table.add_column(col, overflow="fold")
    for key, (va, vb) in result["config"].items():
        table.add_row(f"config {key}", format_value(va), format_value(vb), "")
    for name, (va, vb, delta) in result["metrics"].items():
        table.add_row(f"metric {name}", format_value(va), format_value(vb), format_value(delta))
    for name, (va, vb) in result["other"].items():
        table.add_row(name, format_value(va), format_value(vb), "")
    console.print(table)


def metrics(
    weeks: Annotated[int, typer.Option(help="Weeks of history for the velocity.")] = 8,
    diagnosis: Annotated[
        Path,
        typer.Option(
            help="The tagged error analysis: the saved last diagnosis, or a report written by `diagnose --json`."
        ),
    ] = Path(".unstuck/last_diagnosis.json"),
    card: Annotated[Path, typer.Option(help="The project card, for the layer decisions.")] = Path("unstuck.toml"),
    ledger: LedgerOption = None,
    json_out: JsonOption = False,
) -> None:
    """What a product lead tracks: velocity, shares with a hypothesis / finding / one change, error-category
    coverage of the last tagged analysis, and the layer decisions of the project card."""
    import datetime as dt

    from unstuck.layer_decision import read_layer_decision
    from unstuck.ledger.coverage import category_coverage, read_tagged_analysis
    from unstuck.ledger.parameters import check_ledger_arguments
    from unstuck.ledger.views import Unavailable, ledger_metrics

    check_ledger_arguments({"weeks": weeks}, entry="unstuck metrics")
    analysis = read_tagged_analysis(diagnosis)
    decision = read_layer_decision(card, dt.date.today())
    with _open(ledger) as store:
        records = store.list(newest_first=False)
    m = ledger_metrics(records, now=time.time(), weeks=weeks)
    coverage = analysis if isinstance(analysis, Unavailable) else category_coverage(analysis, records)
    if json_out:
        payload = {**m.to_dict(), "error_categories": coverage.to_dict(), "layer": decision.to_dict()}
        console.print_json(json.dumps(payload))
        return

    console.print(f"{m.total} experiment(s) in the ledger")
    console.print(f"experiments per week (last {weeks}, mean {m.mean_per_week:.1f}):")
    for week, n in m.per_week.items():
        console.print(f"  {week}  {n:5d}  {'█' * min(n, 60)}")
    console.print(f"with a hypothesis:              {percent(m.share_with_hypothesis)}")
    console.print(f"linked to a diagnosis finding:  {percent(m.share_linked_to_finding)}")
    console.print(f"one variable changed (of those with a parent): {percent(m.share_one_change)}")
    console.print(f"flagged: several variables changed: {percent(m.share_multi_change_flagged)}")
    console.print(f"broad explorations (--explore):     {percent(m.share_explore)}")
    console.print("by status:  " + ", ".join(f"{k} {v}" for k, v in sorted(m.by_status.items())))
    console.print("by verdict: " + ", ".join(f"{k} {v}" for k, v in sorted(m.by_verdict.items())))
    console.print("\n".join(["", *coverage_lines(coverage), "", *layer_lines(decision)]), markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the ledger commands to the app."""
    app.command("run")(run)
    app.command("sweep")(sweep)
    app.command("log")(log)
    app.command("show")(show)
    app.command("compare")(compare)
    app.command("metrics")(metrics)
