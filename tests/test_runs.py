"""unstuck.runs: placeholders, the metrics contract, failures, timeouts, parallel runs."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import pytest

from process_helpers import alive
from unstuck.runs import (
    METRICS_ENV,
    LiveProcesses,
    RunSpec,
    placeholders,
    read_metrics,
    run_command,
    run_many,
    substitute,
)

PY = sys.executable


def test_substitute_fills_known_names_and_keeps_other_braces() -> None:
    template = ("train.py", "--fraction", "{fraction}", "--seed={seed}", '{"a": 1}', "{unknown}")
    out = substitute(template, {"fraction": 0.1, "seed": 3})
    assert out == ("train.py", "--fraction", "0.1", "--seed=3", '{"a": 1}', "{unknown}")
    assert substitute("run {size} x{size}", {"size": 500}) == "run 500 x500"
    assert placeholders(template) == {"fraction", "seed", "unknown"}


def test_read_metrics_last_json_line_and_file_precedence(tmp_path: Path) -> None:
    stdout = 'epoch 1\n{"dev_error": 0.3}\n{"dev_error": 0.2, "train_error": 0.1}\nbye\n'
    assert read_metrics(stdout) == {"dev_error": 0.2, "train_error": 0.1}
    assert read_metrics("no json here\n[1, 2]\n") == {}
    path = tmp_path / "m.json"
    path.write_text('{"dev_error": 0.5}')
    assert read_metrics(stdout, path) == {"dev_error": 0.5}
    path.write_text("[0.5]")
    with pytest.raises(ValueError, match="not an object"):
        read_metrics(stdout, path)
    empty = tmp_path / "empty.json"
    empty.write_text("")
    assert read_metrics(stdout, empty) == {"dev_error": 0.2, "train_error": 0.1}


def test_run_command_reads_stdout_metrics_and_env_values() -> None:
    code = "import json, os; print('log'); print(json.dumps({'f': float(os.environ['UNSTUCK_FRACTION'])}))"
    result = run_command(RunSpec((PY, "-c", code), values={"fraction": 0.25}))
    assert result.ok, result.error
    assert result.returncode == 0
    assert result.metrics == {"f": 0.25}
    assert result.seconds > 0


def test_run_command_reads_the_metrics_file() -> None:
    code = f"import json, os; json.dump({{'dev_error': 0.125}}, open(os.environ['{METRICS_ENV}'], 'w'))"
    result = run_command(RunSpec((PY, "-c", code)))
    assert result.ok and result.metrics == {"dev_error": 0.125}


def test_shell_string_command() -> None:
    result = run_command(RunSpec("echo '{\"x\": 2}'"))
    assert result.ok and result.metrics == {"x": 2}


def test_failing_command_is_reported_with_stderr_tail() -> None:
    code = "import sys; print('x' * 5000, file=sys.stderr); print('boom: bad input', file=sys.stderr); sys.exit(3)"
    result = run_command(RunSpec((PY, "-c", code)))
    assert not result.ok
    assert result.returncode == 3
    assert result.error == "exited with status 3"
    assert result.stderr_tail.rstrip().endswith("boom: bad input")
    assert len(result.stderr_tail) <= 2000


def test_missing_metrics_and_unstartable_commands_fail_softly(tmp_path: Path) -> None:
    silent = run_command(RunSpec((PY, "-c", "print('done')")))
    assert not silent.ok and "no metrics" in (silent.error or "")
    missing = run_command(RunSpec((str(tmp_path / "no-such-program"),)))
    assert missing.returncode is None and "could not start" in (missing.error or "")
    bad = run_command(RunSpec((PY, "-c", f"import os; open(os.environ['{METRICS_ENV}'], 'w').write('oops')")))
    assert not bad.ok and "valid JSON" in (bad.error or "")


def test_timeout_kills_the_run() -> None:
    started = time.perf_counter()
    result = run_command(RunSpec((PY, "-c", "import time; time.sleep(30)"), timeout=0.5))
    assert time.perf_counter() - started < 10
    assert result.timed_out and result.returncode is None
    assert "timed out after 0.5 s" in (result.error or "")


def test_run_many_keeps_order_runs_in_parallel_and_calls_on_done() -> None:
    code = "import json, os, time; time.sleep(0.6); print(json.dumps({'i': int(os.environ['UNSTUCK_I'])}))"
    specs = [RunSpec((PY, "-c", code), values={"i": i}) for i in range(4)]
    seen: list[int] = []
    started = time.perf_counter()
    results = run_many(specs, jobs=4, on_done=lambda r: seen.append(r.metrics["i"]))
    elapsed = time.perf_counter() - started
    assert [r.metrics["i"] for r in results] == [0, 1, 2, 3]
    assert sorted(seen) == [0, 1, 2, 3]
    # four 0.6 s sleeps in parallel: well under the 2.4 s they take one after another
    assert elapsed < 2.2
    assert json.loads(json.dumps(results[0].to_dict()))["values"] == {"i": 0}
    assert run_many([]) == []


def _wait_for(paths: list[Path], seconds: float = 30) -> list[int]:
    """The pids written to ``paths`` once every file holds one."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        texts = [p.read_text().strip() if p.exists() else "" for p in paths]
        if all(texts):
            return [int(t) for t in texts]
        time.sleep(0.05)
    raise AssertionError(f"not all of {paths} were written in {seconds} s")


def test_live_processes_kill_all_kills_running_and_later_runs() -> None:
    import subprocess

    live = LiveProcesses()
    assert not live.stopped
    first = subprocess.Popen([PY, "-c", "import time; time.sleep(60)"], start_new_session=True)
    live.add(first)
    live.kill_all()
    assert live.stopped and first.wait(timeout=10) == -signal.SIGKILL
    late = subprocess.Popen([PY, "-c", "import time; time.sleep(60)"], start_new_session=True)
    live.add(late)  # added after the interrupt: killed at once
    assert late.wait(timeout=10) == -signal.SIGKILL
    started = time.perf_counter()
    result = run_command(RunSpec((PY, "-c", "import time; time.sleep(60)")), live=live)
    assert time.perf_counter() - started < 10 and result.returncode == -signal.SIGKILL and not result.ok


def test_ctrl_c_during_run_many_kills_every_running_command(tmp_path: Path) -> None:
    import subprocess

    child = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(60)"
    driver = (
        "import sys\n"
        "from unstuck.runs import RunSpec, run_many\n"
        f"specs = [RunSpec((sys.executable, '-c', {child!r}, f'{tmp_path}/child{{i}}.pid')) for i in range(3)]\n"
        "run_many(specs, jobs=2)\n"
    )
    proc = subprocess.Popen([PY, "-c", driver], stderr=subprocess.PIPE, text=True)
    pids = _wait_for([tmp_path / "child0.pid", tmp_path / "child1.pid"])
    assert all(alive(pid) for pid in pids)
    started = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert time.perf_counter() - started < 20  # not the 60 s the commands would sleep
    assert proc.returncode != 0 and "KeyboardInterrupt" in stderr
    assert not any(alive(pid) for pid in pids)
    assert not (tmp_path / "child2.pid").exists()  # the queued third run never started
