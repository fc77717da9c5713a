"""A sweep keeps the names the user gave its variables: in the record's config, sweep's table, log, show, compare."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from conftest import run_cli
from unstuck.ledger.diff import config_from_command
from unstuck.ledger.record import Experiment
from unstuck.ledger.sql import SQLLedger
from unstuck.ledger.sweep import name_variables
from unstuck.ledger.views import summarize_varied, varied_in_sweep

#: A script that takes its learning rate as a positional argument: no option name to borrow.
TRAIN = """
import json, sys
lr = float(sys.argv[1])
print(json.dumps({"dev_error": round(0.30 - lr, 6)}))
"""


def test_placeholders_name_their_config_keys() -> None:
    template = ["python", "train.py", "{lr}", "--learning-rate", "{lr}", "--out", "runs/{lr}", "--seed", "{seed}"]
    argv = ["python", "train.py", "0.1", "--learning-rate", "0.1", "--out", "runs/0.1", "--seed", "2"]
    config = name_variables(template, config_from_command(argv))
    # argv[2] and learning-rate are filled by {lr}: one variable, named lr; runs/{lr} is derived, not a variable
    assert config == {"argv[0]": "python", "argv[1]": "train.py", "lr": 0.1, "seed": 2}


def _record(sweep_id: str | None, config: dict[str, object], seed: int | None = None) -> Experiment:
    return Experiment(created_at=0.0, config=config, sweep_id=sweep_id, seed=seed)


def test_varied_in_sweep_names_the_values_that_differ() -> None:
    sweep = [
        _record("s1", {"argv[0]": "python", "lr": 0.1, "bs": 32, "seed": 0}),
        _record("s1", {"argv[0]": "python", "lr": 0.1, "bs": 32, "seed": 1}),
        _record("s1", {"argv[0]": "python", "lr": 0.03, "bs": 32, "seed": 0}),
        _record("other", {"argv[0]": "python", "lr": 9.0, "bs": 64}),
    ]
    assert varied_in_sweep(sweep[2], sweep) == {"lr": 0.03}  # seeds and other sweeps left out
    assert varied_in_sweep(_record(None, {"lr": 0.1}), sweep) == {}
    assert summarize_varied({"lr": 0.03, "bs": 64}) == "lr=0.03, bs=64"


def test_sweep_table_log_show_and_compare_use_the_given_name(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(TRAIN)
    command = [sys.executable, "train.py", "{lr}", "--out", "runs/{lr}"]
    out = run_cli(["sweep", "--vary", "lr=0.1,0.03", "--", *command], cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in out.stdout.splitlines() if line.startswith("│")]
    header = next(line for line in out.stdout.splitlines() if "ids" in line)
    assert header.split("┃")[1].strip() == "lr"
    assert [row[0] for row in rows] == ["0.1", "0.03"]  # the variable's values, not "-"
    with SQLLedger(f"sqlite:///{tmp_path / '.unstuck' / 'ledger.db'}") as store:
        first, second = store.get(1), store.get(2)
    assert first.config["lr"] == 0.1 and "argv[2]" not in first.config and not second.multi_change

    log = run_cli(["log"], cwd=tmp_path)
    cells = {line.split("│")[1].strip(): line.split("│")[6].strip() for line in log.stdout.splitlines() if "│" in line}
    assert cells["1"] == "lr=0.1" and cells["2"] == "lr=0.03"  # the changed column of a sweep without a parent

    show = run_cli(["show", "2"], cwd=tmp_path)
    assert "varied lr=0.03" in show.stdout

    cmp = json.loads(run_cli(["compare", "1", "2", "--json"], cwd=tmp_path).stdout)
    assert cmp["config"] == {"lr": [0.1, 0.03]}  # not "argv[2]"
