"""MLflow both ways, against a real ``mlflow server`` (SQLite backend, a free 127.0.0.1 port, started
and stopped here) and a local ``sqlite:///`` store: runs read as training logs through MLflow's own
client, and a diagnosis logged back to a run as artifacts, metrics and tags.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from unstuck.errors import ConfigError, FileProblem, InputError
from unstuck.training_log.mlflow_store import headline_metrics, log_report, read_mlflow_logs
from unstuck.training_log.readers import read_training_logs

mlflow = pytest.importorskip("mlflow", reason="the MLflow tests need the 'mlflow' package (unstuck[mlflow])")

EXPERIMENT = "fashion-sweep"
#: The planted sweep: a learning rate per run; the dev loss of lr 0.1 is lowest (0.30 at epoch 4).
SWEEP = {"lr": [0.3, 0.1, 0.03]}
EPOCHS = 6


def _curves(lr: float) -> dict[str, list[float]]:
    train = [1.0 / (1 + lr * 10 * e) for e in range(1, EPOCHS + 1)]
    floor = {0.3: 0.45, 0.1: 0.30, 0.03: 0.50}[lr]
    val = [floor + 0.8 / e if e <= 4 else floor + 0.2 + 0.05 * (e - 4) for e in range(1, EPOCHS + 1)]
    val[3] = floor  # the lowest dev loss at epoch 4
    accuracy = [1.0 - 0.5 * v for v in val]  # the best dev accuracy where the dev loss is lowest
    return {"train_loss": train, "val_loss": val, "val_acc": accuracy}


def _log_sweep(uri: str, artifacts: Path | None = None) -> dict[str, str]:
    """The planted sweep logged with MLflow's client; run name → run ID.

    ``artifacts`` is the experiment's artifact folder for a local store (whose default,
    ./mlruns, would land in the working directory); a server keeps its own.
    """
    client = mlflow.MlflowClient(tracking_uri=uri)
    experiment_id = client.create_experiment(EXPERIMENT, artifact_location=artifacts.as_uri() if artifacts else None)
    ids = {}
    for lr in SWEEP["lr"]:
        run = client.create_run(experiment_id, run_name=f"sgd-{lr}")
        client.log_param(run.info.run_id, "lr", lr)
        client.log_param(run.info.run_id, "optimizer", "sgd")
        for name, values in _curves(lr).items():
            for epoch, value in enumerate(values, start=1):
                client.log_metric(run.info.run_id, name, value, step=epoch * 100)
        for epoch in range(1, EPOCHS + 1):
            client.log_metric(run.info.run_id, "epoch", epoch, step=epoch * 100)
        client.set_terminated(run.info.run_id)
        ids[f"sgd-{lr}"] = run.info.run_id
        time.sleep(0.01)  # distinct start times: runs are read oldest first
    return ids


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A real MLflow tracking server on SQLite, holding the planted sweep; stopped after the module."""
    folder = tmp_path_factory.mktemp("mlflow-server")
    port = _free_port()
    uri = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}",
        "--artifacts-destination", str(folder / "artifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{uri}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mlflow server did not start: {(folder / 'server.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield uri, _log_sweep(uri)
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server and its uvicorn worker: the group started here
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_one_run_by_id_reads_metric_histories_params_and_epochs(server: tuple[str, dict[str, str]]) -> None:
    uri, ids = server
    (log,) = read_mlflow_logs(ids["sgd-0.1"], tracking_uri=uri)
    curves = _curves(0.1)
    assert log.name == "sgd-0.1" and log.format == "mlflow" and log.step_unit == "step"
    assert log.series("train_loss")[0].tolist() == [100.0 * e for e in range(1, EPOCHS + 1)]
    assert log.series("train_loss")[1].tolist() == pytest.approx(curves["train_loss"])
    assert log.series("dev_loss")[1].tolist() == pytest.approx(curves["val_loss"])
    assert log.series("dev_accuracy")[1].tolist() == pytest.approx(curves["val_acc"])
    assert log.epoch_at(400.0) == 4.0
    assert dict(log.params) == {"lr": 0.1, "optimizer": "sgd"}
    assert any(n == "params: lr=0.1, optimizer=sgd" for n in log.notes)


def test_experiment_and_run_name_specs(server: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    uri, ids = server
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)  # the URI from the environment
    sweep = read_training_logs([f"mlflow:{EXPERIMENT}"])
    assert [log.name for log in sweep] == ["sgd-0.3", "sgd-0.1", "sgd-0.03"]  # oldest first
    assert [log.params["lr"] for log in sweep] == SWEEP["lr"]
    (named,) = read_training_logs([f"mlflow:{EXPERIMENT}/sgd-0.03"])
    assert named.source == f"mlflow:{ids['sgd-0.03']} at {uri}"


def test_bad_specs_name_the_problem(server: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    uri, _ = server
    with pytest.raises(InputError, match=f"no experiment named 'nope'; its experiments are: .*{EXPERIMENT}"):
        read_mlflow_logs("nope", tracking_uri=uri)
    with pytest.raises(InputError, match="has no run named 'sgd-9'"):
        read_mlflow_logs(f"{EXPERIMENT}/sgd-9", tracking_uri=uri)
    with pytest.raises(InputError, match="has no run 0123456789abcdef0123456789abcdef"):
        read_mlflow_logs("0123456789abcdef0123456789abcdef", tracking_uri=uri)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    with pytest.raises(ConfigError, match="no tracking URI"):
        read_mlflow_logs(EXPERIMENT)


def test_unreachable_server_is_a_file_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "5")
    with pytest.raises(FileProblem, match=r"Could not reach the MLflow tracking store at http://127\.0\.0\.1:"):
        read_mlflow_logs(EXPERIMENT, tracking_uri=f"http://127.0.0.1:{_free_port()}")


def test_diagnose_reads_the_sweep_and_logs_the_report_back(server: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    uri, ids = server
    out = tmp_path / "report.json"
    target = ids["sgd-0.1"]
    result = run_cli(
        [
            *("diagnose", "--training-log", f"mlflow:{EXPERIMENT}"),
            *("--mlflow-uri", uri, "--mlflow-run", target, "--json", str(out)),
        ]
    )
    assert result.returncode == 0, result.stderr
    assert f"Logged to MLflow run {target}: unstuck/report.json, unstuck/report.html" in result.stdout
    report = json.loads(out.read_text())
    best = next(f for f in report["findings"] if f["id"] == "training_log.runs.best_run")
    assert best["evidence"]["best_run"] == "sgd-0.1"  # the lowest dev loss of the sweep
    assert [run["name"] for run in report["sections"]["training_log"]["runs"]] == ["sgd-0.3", "sgd-0.1", "sgd-0.03"]
    client = mlflow.MlflowClient(tracking_uri=uri)
    artifacts = {a.path for a in client.list_artifacts(target, "unstuck")}
    assert artifacts == {"unstuck/report.json", "unstuck/report.html"}
    logged = json.loads(Path(client.download_artifacts(target, "unstuck/report.json", str(tmp_path))).read_text())
    assert logged["findings"] == report["findings"]
    run = client.get_run(target)
    counts = {s: sum(f["severity"] == s for f in report["findings"]) for s in ("critical", "warning", "info")}
    assert {s: run.data.metrics[f"unstuck.findings.{s}"] for s in counts} == counts
    assert run.data.tags["unstuck.bottleneck"] == str(report["bottleneck"])


def test_log_report_to_a_missing_run_exits_2(server: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    uri, _ = server
    history = tmp_path / "history.csv"
    history.write_text("epoch,loss,val_loss\n1,1.0,1.1\n2,0.6,0.8\n3,0.4,0.7\n")
    missing = "0123456789abcdef0123456789abcdef"
    out = tmp_path / "report.json"
    result = run_cli(
        ["diagnose", "--training-log", str(history), "--mlflow-uri", uri, "--mlflow-run", missing, "--json", str(out)]
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"no run {missing}" in result.stderr
    assert "Findings" in result.stdout and out.exists()  # the report was shown and written before


# ---------------------------------------------------------------------------- a local store


@pytest.fixture(scope="module")
def local_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    folder = tmp_path_factory.mktemp("mlflow-local")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    return uri, _log_sweep(uri, artifacts=folder / "artifacts")


def test_local_sqlite_store_both_ways(local_store: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    from unstuck.findings import Report

    uri, ids = local_store
    logs = read_mlflow_logs(EXPERIMENT, tracking_uri=uri)
    assert [log.params["lr"] for log in logs] == SWEEP["lr"]
    report: dict[str, Any] = {
        "schema": "unstuck.report/1",
        "errors": {"train": 0.1, "dev": 0.25, "test": None},
        "decomposition": {"avoidable_bias": 0.05, "variance": 0.15},
        "findings": [{"severity": "critical"}, {"severity": "info"}, {"severity": "info"}],
        "interventions": [{"lever": "regularize", "expected_gain": 0.1}],
    }
    assert headline_metrics(report) == {
        "unstuck.errors.train": 0.1,
        "unstuck.errors.dev": 0.25,
        "unstuck.decomposition.avoidable_bias": 0.05,
        "unstuck.decomposition.variance": 0.15,
        "unstuck.findings.critical": 1.0,
        "unstuck.findings.warning": 0.0,
        "unstuck.findings.info": 2.0,
        "unstuck.top_expected_gain": 0.1,
    }
    from render_helpers import fixture_report

    real: Report = fixture_report()
    logged = log_report(real, run_id=ids["sgd-0.3"], html="<html></html>", tracking_uri=uri)
    client = mlflow.MlflowClient(tracking_uri=uri)
    run = client.get_run(ids["sgd-0.3"])
    assert run.info.artifact_uri.startswith(Path(uri.removeprefix("sqlite:///")).parent.as_uri())  # not ./mlruns
    assert {a.path for a in client.list_artifacts(ids["sgd-0.3"], "unstuck")} == set(logged["artifacts"])
    assert {k: run.data.metrics[k] for k in logged["metrics"]} == logged["metrics"]
    assert logged["metrics"] == headline_metrics(real.to_dict())
