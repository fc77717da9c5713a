"""MLflow, both ways: runs read as training logs, and a diagnosis logged back beside its run.

Reading (``--training-log mlflow:SPEC``), through MLflow's own client:

* ``mlflow:RUN_ID`` (32 hex digits) — one run;
* ``mlflow:EXPERIMENT`` — every active run of the experiment, compared as a sweep;
* ``mlflow:EXPERIMENT/RUN_NAME`` — the runs of that name in the experiment.

Each metric's history (value by step) becomes a column mapped like any log's
(``val_loss`` → ``dev_loss``; an ``epoch`` metric is kept beside the steps); the run's
params become :attr:`TrainingLog.params` (numbers as floats), so that the varied ones
can be compared across the runs of a sweep. A metric logged several times at one step
(``mlflow.log_metric`` without ``step`` logs at step 0) is placed in logging order.

Writing (``diagnose --mlflow-run RUN_ID``): the JSON and HTML reports as artifacts under
``unstuck/``, the headline numbers as metrics named ``unstuck.*`` and the bottleneck and
top lever as tags, so the diagnosis sits beside the run in the MLflow UI.

The tracking URI is the one given, else ``MLFLOW_TRACKING_URI``; any URI MLflow's client
accepts works (an ``http://`` server, a ``sqlite:///`` file). MLflow is the optional
extra ``unstuck[mlflow]``.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unstuck.errors import ConfigError, FileProblem, InputError

if TYPE_CHECKING:
    from unstuck.findings import Report
    from unstuck.training_log.log import TrainingLog

__all__ = ["headline_metrics", "log_report", "read_mlflow_logs", "resolve_tracking_uri"]

_RUN_ID = re.compile(r"[0-9a-f]{32}")
#: Hugging Face's MLflow callback logs the run's closing summary: its train_loss is the mean over the run.
_HF_SUMMARY = "train_runtime"


def resolve_tracking_uri(given: str | None) -> str:
    """The tracking URI to use: ``given``, else ``MLFLOW_TRACKING_URI``; a ConfigError when neither is set."""
    uri = given or os.environ.get("MLFLOW_TRACKING_URI")
    if not uri:
        raise ConfigError(
            "An MLflow run was named, but no tracking URI was given.",
            "Pass --mlflow-uri (e.g. http://127.0.0.1:5000 or sqlite:///mlflow.db), or set MLFLOW_TRACKING_URI.",
        )
    return uri


def _client(uri: str) -> Any:
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise ConfigError(
            "Reading or writing MLflow runs needs the optional package 'mlflow'.",
            "Install it with: pip install 'unstuck[mlflow]' (the full 'mlflow' package for a local sqlite:/// store).",
        ) from None
    return MlflowClient(tracking_uri=uri)


def _store_error(uri: str, exc: Exception) -> FileProblem:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return FileProblem(
        f"Could not reach the MLflow tracking store at {uri}: {first[:300]}.",
        "Check the tracking URI (--mlflow-uri or MLFLOW_TRACKING_URI) and that its server is running.",
    )


def read_mlflow_logs(spec: str, *, tracking_uri: str | None = None) -> tuple[TrainingLog, ...]:
    """The runs ``spec`` names (see the module docstring) as training logs, oldest first."""
    uri = resolve_tracking_uri(tracking_uri)
    client = _client(uri)
    from mlflow.exceptions import MlflowException

    try:
        runs = _resolve(client, spec.strip(), uri)
        return tuple(_log_of_run(client, run, uri) for run in runs)
    except MlflowException as exc:
        raise _store_error(uri, exc) from None
    except OSError as exc:  # connection refused, DNS, ...
        raise _store_error(uri, exc) from None


def _resolve(client: Any, spec: str, uri: str) -> list[Any]:
    from mlflow.exceptions import MlflowException

    if not spec:
        raise InputError(
            "mlflow: names no run.",
            "Write mlflow:RUN_ID, mlflow:EXPERIMENT (all its runs) or mlflow:EXPERIMENT/RUN_NAME.",
        )
    if _RUN_ID.fullmatch(spec):
        try:
            return [client.get_run(spec)]
        except MlflowException as exc:
            if "RESOURCE_DOES_NOT_EXIST" not in str(getattr(exc, "error_code", "")) and "not found" not in str(exc):
                raise
            raise InputError(
                f"The MLflow store at {uri} has no run {spec}.",
                "Copy the run ID from the MLflow UI (the run's page), or name it as mlflow:EXPERIMENT/RUN_NAME.",
            ) from None
    experiment = client.get_experiment_by_name(spec)
    run_name = None
    if experiment is None and "/" in spec:
        name, run_name = spec.rsplit("/", 1)
        experiment = client.get_experiment_by_name(name)
    if experiment is None:
        known = [e.name for e in client.search_experiments(max_results=20)]
        raise InputError(
            f"The MLflow store at {uri} has no experiment named {spec.rsplit('/', 1)[0] if '/' in spec else spec!r}"
            + (f"; its experiments are: {', '.join(known)}." if known else " (it holds no experiments)."),
            "Write mlflow:EXPERIMENT, mlflow:EXPERIMENT/RUN_NAME or mlflow:RUN_ID.",
        )
    escaped = (run_name or "").replace("'", "\\'")
    runs = client.search_runs(
        [experiment.experiment_id],
        filter_string=f"attributes.run_name = '{escaped}'" if run_name else "",
        order_by=["attributes.start_time ASC"],
        max_results=1000,
    )
    if not runs:
        raise InputError(
            f"The MLflow experiment {experiment.name!r} at {uri} has no "
            + (f"run named {run_name!r}." if run_name else "active run."),
            "Check the name in the MLflow UI, or pass mlflow:RUN_ID.",
        )
    return list(runs)


def _param(value: str) -> float | str:
    try:
        number = float(value)
    except ValueError:
        return value
    return number if math.isfinite(number) else value


def _log_of_run(client: Any, run: Any, uri: str) -> TrainingLog:
    from dataclasses import replace

    import pandas as pd

    from unstuck.training_log.log import log_from_frame

    run_id = run.info.run_id
    name = run.info.run_name or run_id[:8]
    keys = sorted(run.data.metrics)
    notes: list[str] = []
    if _HF_SUMMARY in keys and "train_loss" in keys:
        keys.remove("train_loss")
        notes.append("train_loss left out: Hugging Face logs it once, as the mean over the run")
    by_step: dict[float, dict[str, float]] = {}
    in_order = []
    for key in keys:
        history = client.get_metric_history(run_id, key)
        steps = [float(m.step) for m in history]
        if len(history) > 1 and len(set(steps)) == 1:
            history = sorted(history, key=lambda m: m.timestamp)
            steps = [float(i) for i in range(len(history))]
            in_order.append(key)
        for step, metric in zip(steps, history, strict=True):
            by_step.setdefault(step, {})[key] = float(metric.value)
    if in_order:
        notes.append(f"{', '.join(in_order)} logged at one step: placed in logging order")
    if not by_step:
        raise InputError(
            f"The MLflow run {name} ({run_id}) at {uri} logged no metrics.",
            "Log the losses with mlflow.log_metric(key, value, step=...) during training.",
        )
    steps_sorted = sorted(by_step)
    frame = pd.DataFrame(
        {"step": steps_sorted, **{k: [by_step[s].get(k) for s in steps_sorted] for k in keys}}, dtype=object
    )
    params = {k: _param(v) for k, v in sorted(run.data.params.items())}
    if params:
        notes.append(
            "params: " + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())
        )
    log = log_from_frame(frame, name=name, source=f"mlflow:{run_id} at {uri}", format="mlflow", notes=notes)
    return replace(log, params={**log.params, **params})


# ---------------------------------------------------------------------------- the way back


def headline_metrics(report: Mapping[str, Any]) -> dict[str, float]:
    """The numbers of a ``unstuck.report/1`` dict worth a metric: errors, decomposition, findings by severity."""
    metrics: dict[str, float] = {}
    for section in ("errors", "decomposition"):
        for key, value in (report.get(section) or {}).items():
            if isinstance(value, (int, float)) and math.isfinite(value):
                metrics[f"unstuck.{section}.{key}"] = float(value)
    for severity in ("critical", "warning", "info"):
        count = sum(1 for f in report.get("findings", []) if f.get("severity") == severity)
        metrics[f"unstuck.findings.{severity}"] = float(count)
    top = (report.get("interventions") or [None])[0]
    if top and isinstance(top.get("expected_gain"), (int, float)):
        metrics["unstuck.top_expected_gain"] = float(top["expected_gain"])
    return metrics


def log_report(report: Report, *, run_id: str, html: str, tracking_uri: str | None = None) -> dict[str, Any]:
    """Log ``report`` to the MLflow run ``run_id``: JSON and HTML artifacts, headline metrics, tags.

    Returns what was logged (``artifacts``, ``metrics``, ``tags``), for the CLI to say so.
    """
    import json

    uri = resolve_tracking_uri(tracking_uri)
    client = _client(uri)
    from mlflow.entities import Metric, RunTag
    from mlflow.exceptions import MlflowException

    data = report.to_dict()
    metrics = headline_metrics(data)
    tags = {"unstuck.bottleneck": str(data.get("bottleneck"))}
    top = (data.get("interventions") or [None])[0]
    if top:
        tags["unstuck.top_lever"] = str(top["lever"])
    try:
        run = client.get_run(run_id)
        step = 0
        with tempfile.TemporaryDirectory(prefix="unstuck-mlflow-") as folder:
            paths = [Path(folder) / "report.json", Path(folder) / "report.html"]
            paths[0].write_text(json.dumps(data, indent=2, default=_jsonable) + "\n", encoding="utf-8")
            paths[1].write_text(html, encoding="utf-8")
            for path in paths:
                client.log_artifact(run.info.run_id, str(path), artifact_path="unstuck")
        import time

        now = int(time.time() * 1000)
        client.log_batch(
            run.info.run_id,
            metrics=[Metric(k, v, now, step) for k, v in metrics.items()],
            tags=[RunTag(k, v) for k, v in tags.items()],
        )
    except MlflowException as exc:
        if "RESOURCE_DOES_NOT_EXIST" in str(getattr(exc, "error_code", "")):
            raise InputError(
                f"The MLflow store at {uri} has no run {run_id} to log the report to.",
                "Pass the ID of an existing run to --mlflow-run (the run's page in the MLflow UI shows it).",
            ) from None
        raise _store_error(uri, exc) from None
    except OSError as exc:
        raise _store_error(uri, exc) from None
    return {"artifacts": ["unstuck/report.json", "unstuck/report.html"], "metrics": metrics, "tags": tags}


def _jsonable(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()
    return str(value)
