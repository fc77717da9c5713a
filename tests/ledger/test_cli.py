"""The ledger commands end to end, through the CLI in a subprocess, on a SQLite ledger in a temp project."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import flat, run_cli
from process_helpers import alive
from unstuck.ledger.sql import SQLLedger


def _ledger(project: Path) -> SQLLedger:
    return SQLLedger(f"sqlite:///{project / '.unstuck' / 'ledger.db'}")


def test_run_log_show_compare_metrics(project: Path) -> None:
    first = run_cli(
        ["run", "-H", "baseline", "--finding", "variance.high", "--", sys.executable, "train.py", "--lr", "0.1"],
        cwd=project,
    )
    assert first.returncode == 0, first.stderr
    assert "experiment #1 done" in first.stdout and "dev_error=0.2" in first.stdout
    second = run_cli(
        [
            "run",
            "-H",
            "higher lr cuts dev error",
            "--expect",
            "dev_error -0.05",
            "--parent",
            "1",
            "--",
            sys.executable,
            "train.py",
            "--lr",
            "0.2",
        ],
        cwd=project,
    )
    assert second.returncode == 0, second.stderr
    assert "changed against #1: lr 0.1→0.2" in second.stdout
    assert "verdict: inconclusive" in second.stdout and "one run per side" in second.stdout
    with _ledger(project) as s:
        rec = s.get(2)
    assert rec.changed == {"lr": [0.1, 0.2]} and not rec.multi_change
    assert rec.expectation is not None and rec.expectation.delta == -0.05
    assert rec.metrics["dev_error"] < 0.11 and rec.returncode == 0 and rec.status == "done"
    assert (
        rec.data_fingerprint["train.py"] == "sha256:" + hashlib.sha256((project / "train.py").read_bytes()).hexdigest()
    )
    assert rec.git_commit is None  # not a git repository

    log = run_cli(["log"], cwd=project)
    assert log.returncode == 0, log.stderr
    rows = [line for line in log.stdout.splitlines() if line.startswith("│") and line.split("│")[1].strip()]
    assert rows[0].split("│")[1].strip() == "2" and rows[-1].split("│")[1].strip() == "1"  # newest first
    assert json.loads(run_cli(["log", "--json", "--grep", "baseline"], cwd=project).stdout)[0]["id"] == 1

    show = run_cli(["show", "2"], cwd=project)
    assert "hypothesis  higher lr cuts dev error" in show.stdout and "lr: 0.1 → 0.2" in show.stdout

    cmp = json.loads(run_cli(["compare", "1", "2", "--json"], cwd=project).stdout)
    assert cmp["config"] == {"lr": [0.1, 0.2]}
    assert cmp["metrics"]["dev_error"][2] < -0.09 and "train_error" not in cmp["metrics"]

    met = json.loads(run_cli(["metrics", "--json"], cwd=project).stdout)
    assert met["total"] == 2 and met["share_with_hypothesis"] == 1.0 and met["share_linked_to_finding"] == 0.5
    assert met["share_one_change"] == 1.0


def test_multi_variable_change_warns_and_flags_unless_explore(project: Path) -> None:
    base = [sys.executable, "train.py", "--lr", "0.1", "--bs", "32"]
    assert run_cli(["run", "--", *base], cwd=project).returncode == 0
    two = [sys.executable, "train.py", "--lr", "0.2", "--bs", "64"]
    warned = run_cli(["run", "--parent", "1", "--", *two], cwd=project)
    assert warned.returncode == 0
    assert "2 variables changed against #1 (bs, lr)" in warned.stderr and "--explore" in warned.stderr
    quiet = run_cli(["run", "--parent", "1", "--explore", "--", *two], cwd=project)
    assert "variables changed" not in quiet.stderr
    with _ledger(project) as s:
        assert (s.get(2).multi_change, s.get(3).multi_change, s.get(3).explore) == (True, False, True)
        assert s.get(2).changed == {"bs": [32, 64], "lr": [0.1, 0.2]}


def test_sweep_with_seeds_gives_noise_aware_verdicts_and_survives_a_failing_variant(project: Path) -> None:
    base = run_cli(
        ["run", "--seeds", "3", "--", sys.executable, "train.py", "--lr", "0.1", "--seed", "{seed}"], cwd=project
    )
    assert base.returncode == 0, base.stderr
    out = run_cli(
        [
            "sweep",
            "--vary",
            "lr=0.15,0.1,9",
            "--seeds",
            "3",
            "--jobs",
            "2",
            "--parent",
            "1",
            "--json",
            "--",
            sys.executable,
            "train.py",
            "--lr",
            "{lr}",
            "--seed",
            "{seed}",
        ],
        cwd=project,
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    by_lr = {g["values"]["lr"]: g for g in summary["variants"]}
    assert by_lr[0.15]["verdict"] == "keep" and by_lr[0.15]["n_done"] == 3  # a real 0.05 gain, noise sd 0.002
    assert by_lr[0.1]["verdict"] == "inconclusive"  # the parent's own config again: pure seed noise
    assert by_lr[9]["n_failed"] == 3 and by_lr[9]["n_done"] == 0 and by_lr[9]["verdict"] is None
    with _ledger(project) as s:
        failed = s.list(status=["failed"])
    assert len(failed) == 3
    assert all(r.returncode == 3 and "diverged: loss is nan" in (r.stderr_tail or "") for r in failed)


def test_killed_variant_is_recorded_as_crashed(project: Path) -> None:
    out = run_cli(["sweep", "--vary", "lr=0.1,7", "--", sys.executable, "train.py", "--lr", "{lr}"], cwd=project)
    assert out.returncode == 0, out.stderr
    with _ledger(project) as s:
        statuses = {r.config["lr"]: (r.status, r.returncode) for r in s.list()}
    assert statuses == {0.1: ("done", 0), 7: ("crashed", -signal.SIGKILL)}


def test_killed_unstuck_process_leaves_crashed_on_next_start(project: Path) -> None:
    (project / "slow.py").write_text(
        "import os, time\nopen('child.pid', 'w').write(str(os.getpid()))\ntime.sleep(60)\nprint('{\"a\": 1}')\n"
    )
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from unstuck.cli import main; main()", "run", "--", sys.executable, "slow.py"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while not (project / "child.pid").exists() and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(0.2)
    with _ledger(project) as s:
        assert s.get(1).status == "running"
    proc.kill()
    proc.wait()
    os.kill(int((project / "child.pid").read_text()), signal.SIGKILL)
    log = run_cli(["log", "--json"], cwd=project)
    assert "marked crashed" in log.stderr and "#1" in log.stderr
    rec = json.loads(log.stdout)[0]
    assert rec["status"] == "crashed" and "ended before recording" in rec["stderr_tail"]


def test_ctrl_c_kills_the_running_variants_and_marks_them_crashed(project: Path) -> None:
    (project / "slow.py").write_text(
        "import os, sys, time\nopen(f'child{sys.argv[1]}.pid', 'w').write(str(os.getpid()))\ntime.sleep(60)\n"
    )
    command = ["sweep", "--vary", "i=0,1,2", "--jobs", "2", "--", sys.executable, "slow.py", "{i}"]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from unstuck.cli import main; main()", *command],
        cwd=project,
        env={**os.environ, "NO_COLOR": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    files = [project / "child0.pid", project / "child1.pid"]
    deadline = time.time() + 60
    while not all(f.exists() and f.read_text() for f in files) and time.time() < deadline:
        time.sleep(0.05)
    pids = [int(f.read_text()) for f in files]
    assert all(alive(pid) for pid in pids)
    started = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) != 0
    assert time.perf_counter() - started < 20  # not the 60 s the variants sleep
    assert not any(alive(pid) for pid in pids)
    assert not (project / "child2.pid").exists()
    with _ledger(project) as s:
        assert [r.status for r in s.list(newest_first=False)] == ["crashed"] * 3


def test_corrupt_ledger_is_a_clear_error_and_left_untouched(project: Path) -> None:
    bad = project / "broken.db"
    bad.write_bytes(b"this is not a database\x00" * 100)
    before = hashlib.sha256(bad.read_bytes()).hexdigest()
    out = run_cli(["log", "--ledger", str(bad)], cwd=project)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "not a SQLite database" in flat(out.stderr) and "untouched" in out.stderr
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in project.iterdir() if p.name.startswith("broken")) == ["broken.db"]


def test_bad_input_exits_2_with_a_fix(project: Path) -> None:
    cases = [
        (["run", "--expect", "much better", "--", "true"], "METRIC CHANGE"),
        (["sweep", "--vary", "lr", "--", "true"], "NAME=VALUES"),
        (["sweep", "--vary", "lr=1,2", "--", "echo", "{lr}", "{bs}"], "{bs}"),
        (["show", "99"], "No experiment #99"),
        (["log", "--ledger", "postgresql://nobody:x@127.0.0.1:1/none"], "cannot be reached"),
        (["run", "--data", "missing.csv", "--", "true"], "missing.csv"),
    ]
    for args, needle in cases:
        out = run_cli(args, cwd=project)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert needle in out.stderr and "fix:" in out.stderr and "Traceback" not in out.stderr, (args, out.stderr)


def test_ledger_location_from_env(project: Path, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    elsewhere = tmp_path_factory.mktemp("team") / "team.db"
    env_run = subprocess.run(
        [sys.executable, "-c", "from unstuck.cli import main; main()", "run", "--", sys.executable, "train.py"],
        cwd=project,
        env={**os.environ, "UNSTUCK_LEDGER": str(elsewhere)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert env_run.returncode == 0, env_run.stderr
    assert elsewhere.exists() and not (project / ".unstuck").exists()


PREDICT = """
import argparse, numpy as np, pandas as pd
p = argparse.ArgumentParser(); p.add_argument("--fix", type=float, default=0.0); p.add_argument("--out")
p.add_argument("--churn", type=float, default=0.0)
a = p.parse_args()
rng = np.random.default_rng(0)
n = 3000
y = rng.integers(0, 2, n)
wrong = rng.random(n) < 0.20                       # the parent gets 20% of dev rows wrong
fixed = wrong & (rng.random(n) < a.fix / 0.20)     # the child fixes about `fix` of them, row by row
pred = np.where(wrong & ~fixed, 1 - y, y)
m = int(a.churn * n / 2)  # noise: m wrong rows become right and m right rows become wrong, same error rate
r2 = np.random.default_rng(1)
flip = np.concatenate([r2.choice(np.flatnonzero(pred != y), m, replace=False),
                       r2.choice(np.flatnonzero(pred == y), m, replace=False)]).astype(int)
pred[flip] = 1 - pred[flip]
pd.DataFrame({"split": "dev", "y_true": y, "y_pred": pred}).to_csv(a.out, index=False)
print('{"dev_error": %.6f}' % (pred != y).mean())
"""


def test_single_runs_with_dev_predictions_get_a_paired_bootstrap_verdict(project: Path) -> None:
    (project / "predict.py").write_text(PREDICT)
    base = run_cli(["run", "--dev-predictions", "preds_0.csv", "--", sys.executable, "predict.py", "--fix",
                    "0", "--out", "preds_0.csv"], cwd=project)  # fmt: skip
    assert base.returncode == 0, base.stderr
    for fix, churn in (("0.04", "0"), ("0", "0.05")):  # a real gain of 4 points; then pure row-level noise
        out = run_cli(["run", "--parent", "1", "--expect", "dev_error_rate -0.03", "--dev-predictions",
                       f"preds_{churn}.csv", "--", sys.executable, "predict.py", "--fix", fix, "--churn", churn,
                       "--out", f"preds_{churn}.csv"], cwd=project)  # fmt: skip
        assert out.returncode == 0, out.stderr
    with _ledger(project) as s:
        parent, real, noise = s.get(1), s.get(2), s.get(3)
    assert parent.dev_losses is not None and len(parent.dev_losses) == 3000
    assert real.verdict == "keep" and real.verdict_detail["method"] == "paired bootstrap on dev rows"
    assert real.verdict_detail["observed_delta"] == pytest.approx(
        real.metrics["dev_error"] - parent.metrics["dev_error"]
    )
    assert real.verdict_detail["met_expectation"] is True
    assert noise.verdict == "inconclusive" and noise.verdict_detail["met_expectation"] is False
    assert noise.changed == {"churn": [None, 0.05], "out": ["preds_0.csv", "preds_0.05.csv"]}


def test_long_log_is_plain_aligned_text(project: Path) -> None:
    from unstuck.cli._ledger_views import PLAIN_ABOVE
    from unstuck.ledger.record import Experiment

    with _ledger(project) as s:
        for k in range(PLAIN_ABOVE + 1):
            s.add(Experiment(command=["python", "train.py"], hypothesis=f"h{k}", created_at=1.0e9 + k))
    out = run_cli(["log", "--limit", "0"], cwd=project)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == f"{PLAIN_ABOVE + 1} experiment(s), newest first"
    assert lines[1].split() == ["id", "UTC", "status", "verdict", "parent", "changed", "metrics", "hypothesis"]
    assert lines[2].split()[0] == str(PLAIN_ABOVE + 1) and lines[2].split()[-1] == f"h{PLAIN_ABOVE}"
    assert len(lines) == PLAIN_ABOVE + 3
