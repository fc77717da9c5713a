"""Running experiments into the ledger: build each record, run the variants, record outcomes and verdicts.

This is what ``unstuck run`` and ``unstuck sweep`` call. A run is a sweep of
one variant. For each variant:

1. its record is built (config parsed from the filled-in command and the config
   file, variables changed against the parent, data and git provenance) and
   added as ``planned`` by this process (host + pid, for crash recovery);
2. the backend launches it (``running``) and reports its result: ``done`` when
   it exited 0 with metrics, ``crashed`` when a signal killed it, ``failed``
   otherwise (non-zero exit, timeout, no metrics), with the stderr tail;
3. once all have ended, every variant with a parent gets its noise-aware
   verdict against the parent (:mod:`unstuck.ledger.verdict`): over all the
   finished seeds of both configs when each side has two or more, else by a
   paired bootstrap of the per-row dev losses when both sides wrote dev
   predictions, else ``inconclusive`` (one run each: no noise estimate).

An interrupt marks the variants that had not ended ``crashed`` before it
propagates; if this process is killed outright, the next ledger open does it.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unstuck.errors import ConfigError
from unstuck.ledger.diff import config_from_command, diff_configs, group_key, load_config_file
from unstuck.ledger.parameters import check_ledger_arguments
from unstuck.ledger.predictions import DEV_PREDICTIONS_ENV, dev_losses
from unstuck.ledger.provenance import GitState, command_files, fingerprint, git_state, host_name, pid_alive
from unstuck.ledger.record import Expectation, Experiment, lower_is_better
from unstuck.ledger.store import IllegalTransition, LedgerStore
from unstuck.ledger.sweep import Variant
from unstuck.ledger.verdict import Judgement, judge_paired, judge_seeds

if TYPE_CHECKING:
    from unstuck.runs import RunResult

__all__ = [
    "Outcome",
    "Setup",
    "build_record",
    "choose_metric",
    "recover",
    "run_variants",
    "status_of",
    "update_verdicts",
]


@dataclass(frozen=True)
class Setup:
    """What the user said about the experiment(s), shared by every variant of a run or sweep.

    ``timeout`` is seconds per variant (None: no limit). ``metric`` names the
    metric the verdict reads when there is no expectation to say it.
    ``dev_predictions`` is the file (placeholders allowed) each run writes its
    dev predictions to (:mod:`unstuck.ledger.predictions`), for the paired bootstrap.
    """

    cwd: Path
    hypothesis: str | None = None
    expectation: Expectation | None = None
    parent_id: int | None = None
    explore: bool = False
    config_file: Path | None = None
    data: tuple[Path, ...] = ()
    findings: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    metric: str | None = None
    timeout: float | None = None
    dev_predictions: str | None = None

    def __post_init__(self) -> None:
        check_ledger_arguments({"timeout": self.timeout}, entry="Setup")


@dataclass(frozen=True)
class Outcome:
    """What a run or sweep did: the records' ids (in the order recorded) and the warnings raised on the way."""

    ids: list[int]
    warnings: list[str] = field(default_factory=list)
    judgements: dict[int, Judgement] = field(default_factory=dict)


def recover(store: LedgerStore) -> list[int]:
    """Mark crashed the unfinished records of this host whose process is gone (run on every ledger open)."""
    return store.recover_crashed(host_name(), pid_alive)


def status_of(result: RunResult) -> str:
    """``done`` (ok), ``crashed`` (killed by a signal, i.e. a negative return code) or ``failed``."""
    if result.ok:
        return "done"
    if result.returncode is not None and result.returncode < 0:
        return "crashed"
    return "failed"


def _numeric(metrics: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in metrics.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def build_record(
    setup: Setup,
    argv: Sequence[str],
    *,
    parent: Experiment | None,
    seed: int | None,
    git: GitState,
    data_fingerprint: dict[str, str],
    sweep_id: str | None = None,
    extra_config: dict[str, Any] | None = None,
    template: Sequence[str] | None = None,
) -> tuple[Experiment, list[str]]:
    """The planned record of one variant, and the discipline warnings it raises.

    ``changed`` is computed from the parent's config and this one; more than
    one variable changed without ``explore`` sets ``multi_change`` and warns.
    ``template`` (the command with its ``{name}`` placeholders) names the config
    keys the placeholders fill (see :func:`unstuck.ledger.sweep.name_variables`).
    """
    config = config_from_command(argv)
    if template is not None:
        from unstuck.ledger.sweep import name_variables

        config = name_variables(template, config)
    if setup.config_file is not None:
        config.update(
            load_config_file(setup.config_file if setup.config_file.is_absolute() else setup.cwd / setup.config_file)
        )
    config.update(extra_config or {})
    if seed is None and isinstance(config.get("seed"), int):
        seed = int(config["seed"])
    changed = diff_configs(parent.config, config) if parent is not None else {}
    warnings = []
    multi = len(changed) > 1 and not setup.explore
    if multi:
        assert parent is not None
        names = ", ".join(changed)
        warnings.append(
            f"{len(changed)} variables changed against #{parent.id} ({names}): the effect cannot be "
            "attributed to one of them. Change one at a time, or pass --explore for a broad exploration."
        )
    record = Experiment(
        parent_id=parent.id if parent is not None else None,
        created_at=time.time(),
        hypothesis=setup.hypothesis,
        expectation=setup.expectation,
        changed=changed,
        multi_change=multi,
        explore=setup.explore,
        config=config,
        command=list(argv),
        cwd=str(setup.cwd),
        data_fingerprint=data_fingerprint,
        git_commit=git.commit,
        git_dirty=git.dirty,
        git_diff=git.diff,
        seed=seed,
        group_key=group_key(config),
        sweep_id=sweep_id,
        findings=sorted(set(setup.findings)),
        interventions=sorted(set(setup.interventions)),
        host=host_name(),
        pid=os.getpid(),
    )
    return record, warnings


def _fill(template: Sequence[str], values: dict[str, Any]) -> list[str]:
    from unstuck.runs import placeholders, substitute

    missing = sorted(placeholders(template) - set(values))
    if missing:
        raise ConfigError(
            f"The command has placeholder(s) {', '.join('{' + m + '}' for m in missing)} that nothing fills.",
            hint="Give each a --vary NAME=... (or --seeds N for {seed}), or remove the braces.",
        )
    return list(substitute(list(template), values))


def run_variants(
    store: LedgerStore,
    setup: Setup,
    template: Sequence[str],
    variants: Sequence[Variant],
    *,
    backend: str = "local",
    jobs: int = 1,
    address: str | None = None,
    on_event: Callable[[str, Experiment], None] | None = None,
) -> Outcome:
    """Record and run every variant of ``template`` (a command with ``{name}`` placeholders); see the module doc.

    ``on_event(kind, record)`` is called with ``"start"`` and ``"end"`` for progress display.
    """
    from unstuck.runs import RunSpec, placeholders

    if not template:
        raise ConfigError("No command to run.", hint="Put the training command after --, e.g. -- python train.py.")
    check_ledger_arguments({"backend": backend, "jobs": jobs}, entry="run_variants")
    if variants:
        unused = sorted(set(variants[0].values) - placeholders(template))
        if unused:
            raise ConfigError(
                f"--vary {unused[0]} does not appear in the command as {{{unused[0]}}}.",
                hint=f"Write {{{unused[0]}}} where the value goes, e.g. --{unused[0]} {{{unused[0]}}}.",
            )
    parent = store.get(setup.parent_id) if setup.parent_id is not None else None
    git = git_state(setup.cwd)
    data_print = fingerprint(setup.data, setup.cwd)
    file_cache: dict[str, dict[str, str]] = {}
    sweep_id = uuid.uuid4().hex[:12] if len(variants) > 1 else None
    warnings: list[str] = []
    planned: list[tuple[int, RunSpec]] = []
    predictions: dict[int, tuple[Path, float | None]] = {}
    for variant in variants:
        argv = _fill(template, variant.all_values)
        env: dict[str, str] = {}
        pred_path: Path | None = None
        if setup.dev_predictions is not None:
            pred_path = setup.cwd / _fill([setup.dev_predictions], variant.all_values)[0]
            env[DEV_PREDICTIONS_ENV] = str(pred_path.resolve())
        prints = dict(data_print)
        for path in command_files(argv, setup.cwd):
            key = str(path)
            if key not in file_cache:
                file_cache[key] = fingerprint([path], setup.cwd)
            prints.update(file_cache[key])
        record, warns = build_record(
            setup,
            argv,
            parent=parent,
            seed=variant.seed,
            git=git,
            data_fingerprint=prints,
            sweep_id=sweep_id,
            template=template,
        )
        new_id = store.add(record)
        warnings.extend(f"#{new_id}: {w}" for w in warns)
        spec = RunSpec(command=tuple(argv), values=variant.all_values, env=env, cwd=setup.cwd, timeout=setup.timeout)
        planned.append((new_id, spec))
        if pred_path is not None:
            predictions[new_id] = (pred_path, pred_path.stat().st_mtime if pred_path.exists() else None)
    ended: set[int] = set()
    host, pid = host_name(), os.getpid()

    def on_start(experiment_id: int) -> None:
        store.start(experiment_id, started_at=time.time(), host=host, pid=pid)
        if on_event is not None:
            on_event("start", store.get(experiment_id))

    def on_result(experiment_id: int, result: RunResult) -> None:
        tail = result.stderr_tail
        if result.error is not None:
            tail = f"unstuck: {result.error}\n{tail}"
        losses, note = _read_losses(predictions.get(experiment_id)) if result.ok else (None, None)
        if note:
            tail = f"unstuck: {note}\n{tail}"
        store.finish(
            experiment_id,
            status=status_of(result),
            ended_at=time.time(),
            metrics=_numeric(result.metrics),
            returncode=result.returncode,
            stderr_tail=tail,
            dev_losses=losses,
        )
        ended.add(experiment_id)
        if on_event is not None:
            on_event("end", store.get(experiment_id))

    try:
        if backend == "ray":
            from unstuck.ledger.backends import run_ray

            run_ray(planned, jobs=jobs, on_start=on_start, on_result=on_result, address=address)
        else:
            from unstuck.ledger.backends import run_local

            run_local(planned, jobs=jobs, on_start=on_start, on_result=on_result)
    except BaseException:
        for experiment_id, _ in planned:
            if experiment_id not in ended:
                with contextlib.suppress(IllegalTransition):
                    store.finish(
                        experiment_id,
                        status="crashed",
                        ended_at=time.time(),
                        stderr_tail="unstuck: interrupted before this experiment ended",
                    )
        raise
    ids = [i for i, _ in planned]
    judgements = update_verdicts(store, ids, metric=setup.metric)
    return Outcome(ids=ids, warnings=warnings, judgements=judgements)


def _read_losses(entry: tuple[Path, float | None] | None) -> tuple[list[float] | None, str | None]:
    """The per-row dev losses a run wrote, or None and why not (the file is not new, or not readable)."""
    from unstuck.errors import UnstuckError

    if entry is None:
        return None, None
    path, mtime_before = entry
    if not path.exists() or (mtime_before is not None and path.stat().st_mtime == mtime_before):
        return None, f"the run did not write its dev predictions to {path} (--dev-predictions)"
    try:
        return [float(x) for x in dev_losses(path)], None
    except UnstuckError as exc:
        return None, exc.message


def _mean_losses(records: Sequence[Experiment]) -> Any:
    """Per-row dev losses averaged over the records (seeds) that have them, when all have the same rows."""
    import numpy as np

    arrays = [np.asarray(r.dev_losses, dtype=np.float64) for r in records if r.dev_losses]
    if not arrays or len({a.shape for a in arrays}) != 1:
        return None
    return np.mean(arrays, axis=0)


def choose_metric(child: Experiment, parent: Experiment, metric: str | None = None) -> str | None:
    """The metric a verdict reads: the one asked for, else the expectation's, else the one both report.

    When several are shared, the first (alphabetically) with ``dev`` in its name, else the first
    error- or loss-like one, else the first.
    """
    shared = sorted(set(child.metrics) & set(parent.metrics))
    for wanted in (metric, child.expectation.metric if child.expectation else None):
        if wanted is not None:
            return wanted if wanted in shared else None
    if not shared:
        return None
    for candidates in ([m for m in shared if "dev" in m.lower()], [m for m in shared if lower_is_better(m)], shared):
        if candidates:
            return candidates[0]
    return None  # pragma: no cover - shared is not empty


def update_verdicts(store: LedgerStore, ids: Sequence[int], metric: str | None = None) -> dict[int, Judgement]:
    """Judge each finished record among ``ids`` that has a parent, over all finished seeds of both configs.

    The verdict is written to every record of the child's group (same config,
    same parent) whose verdict is still open; returns the judgement per id.
    """
    out: dict[int, Judgement] = {}
    seen: set[tuple[str | None, int]] = set()
    for experiment_id in ids:
        record = store.get(experiment_id)
        if record.parent_id is None or record.status != "done" or (record.group_key, record.parent_id) in seen:
            continue
        seen.add((record.group_key, record.parent_id))
        parent = store.get(record.parent_id)
        children = store.list(group_key=record.group_key, parent_id=record.parent_id, status=["done"])
        child_ids = {r.id for r in children}
        parents = store.list(group_key=parent.group_key, status=["done"]) if parent.group_key else []
        parents = [r for r in parents if r.id not in child_ids]
        parents = parents or ([parent] if parent.status == "done" else [])
        if not parents:
            continue
        name = choose_metric(record, parents[0], metric)
        child_values = [r.metrics[name] for r in children if name in r.metrics] if name else []
        parent_values = [r.metrics[name] for r in parents if name in r.metrics] if name else []
        child_losses, parent_losses = _mean_losses(children), _mean_losses(parents)
        if name is not None and len(child_values) >= 2 and len(parent_values) >= 2:
            judgement = judge_seeds(child_values, parent_values, name, record.expectation)
        elif child_losses is not None and parent_losses is not None and child_losses.shape == parent_losses.shape:
            judgement = judge_paired(child_losses, parent_losses, "dev_error_rate", record.expectation)
        elif name is not None and child_values and parent_values:
            judgement = judge_seeds(child_values, parent_values, name, record.expectation)
        else:
            continue
        detail = {**judgement.to_dict(), "parent_ids": [r.id for r in parents], "child_ids": [r.id for r in children]}
        for child in children:
            assert child.id is not None
            if child.verdict in (None, "inconclusive"):
                try:
                    store.set_verdict(child.id, judgement.verdict, detail)
                except IllegalTransition:
                    continue
            out[child.id] = judgement
    return out


def describe(argv: Sequence[str]) -> str:
    """A command line as one shell-quoted string."""
    return shlex.join(argv)
