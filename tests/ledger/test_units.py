"""Pure parts of the ledger: command/config diff, sweep variants, expectations, verdicts, metrics."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from unstuck.errors import ConfigError, FileProblem
from unstuck.ledger.diff import config_from_command, diff_configs, group_key, load_config_file
from unstuck.ledger.record import Expectation, Experiment, parse_expect
from unstuck.ledger.sweep import expand_seeds, parse_vary, sweep_variants
from unstuck.ledger.verdict import judge, judge_paired, judge_seeds
from unstuck.ledger.views import compare, format_value, ledger_metrics, summarize_groups


def test_config_from_command_parses_options_flags_and_positionals() -> None:
    cfg = config_from_command(["python", "train.py", "--lr", "1e-3", "--bs=64", "--amp", "-n", "3", "data.csv"])
    assert cfg == {
        "argv[0]": "python",
        "argv[1]": "train.py",
        "lr": 0.001,
        "bs": 64,
        "amp": True,
        "n": 3,
        "argv[2]": "data.csv",
    }
    assert config_from_command(["x", "--shift", "-1.5"]) == {"argv[0]": "x", "shift": -1.5}


def test_diff_counts_changed_variables_and_ignores_seed() -> None:
    parent = config_from_command(["python", "train.py", "--lr", "0.01", "--seed", "0"])
    one = config_from_command(["python", "train.py", "--lr", "0.001", "--seed", "5"])
    two = config_from_command(["python", "train.py", "--lr", "0.01", "--bs", "64", "--opt", "adam", "--seed", "1"])
    same = config_from_command(["python", "train.py", "--lr", "1e-2", "--seed", "9"])
    assert diff_configs(parent, one) == {"lr": [0.01, 0.001]}
    assert diff_configs(parent, two) == {"bs": [None, 64], "opt": [None, "adam"]}
    assert diff_configs(parent, same) == {}
    assert group_key(parent) == group_key(same) != group_key(one)


def test_config_file_is_flattened(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("[optim]\nlr = 0.1\n[model]\nlayers = [64, 64]\n")
    assert load_config_file(tmp_path / "c.toml") == {"file.optim.lr": 0.1, "file.model.layers": [64, 64]}
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(FileProblem, match="not valid JSON"):
        load_config_file(tmp_path / "bad.json")


def test_parse_expect() -> None:
    assert parse_expect("dev_error -0.01") == Expectation("dev_error", -0.01)
    assert parse_expect("accuracy=+2%") == Expectation("accuracy", 0.02)
    assert parse_expect("dev_error -0.01").improves and parse_expect("accuracy +0.01").improves
    with pytest.raises(ConfigError, match="METRIC CHANGE"):
        parse_expect("better please")


def test_sweep_variants_grid_oat_qmc() -> None:
    lr, bs = parse_vary("lr=0.1,0.03,0.01"), parse_vary("bs=32,64")
    grid = sweep_variants([lr, bs], "grid")
    assert len(grid) == 6 and grid[0] == {"lr": 0.1, "bs": 32} and grid[-1] == {"lr": 0.01, "bs": 64}
    oat = sweep_variants([lr, bs], "oat")
    assert oat == [{"lr": 0.1, "bs": 32}, {"lr": 0.03, "bs": 32}, {"lr": 0.01, "bs": 32}, {"lr": 0.1, "bs": 64}]
    base = oat[0]
    assert all(sum(v[k] != base[k] for k in base) == 1 for v in oat[1:])
    ranges = [parse_vary("lr=1e-4:1e-1:log"), parse_vary("layers=1:4:int"), bs]
    q = sweep_variants(ranges, "qmc", samples=64, seed=1)
    assert q == sweep_variants(ranges, "qmc", samples=64, seed=1)
    lrs = np.array([p["lr"] for p in q])
    assert lrs.min() >= 1e-4 and lrs.max() <= 1e-1
    assert {p["layers"] for p in q} == {1, 2, 3, 4} and {p["bs"] for p in q} == {32, 64}
    # a low-discrepancy sequence: each decade of the log range gets about a third of the points
    counts = np.histogram(np.log10(lrs), bins=[-4, -3, -2, -1])[0]
    assert counts.min() >= 18
    runs = expand_seeds(oat, 3)
    assert len(runs) == 12 and [r.seed for r in runs[:3]] == [0, 1, 2] and runs[0].all_values["seed"] == 0


@pytest.mark.parametrize("text", ["lr", "lr=", "lr=1:0", "lr=0:1:cube", "lr=0:1:log", "2x=1,2"])
def test_bad_vary(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_vary(text)


def test_sweep_variants_refuses_ranges_in_grid_and_seed_as_variable() -> None:
    with pytest.raises(ConfigError, match="range"):
        sweep_variants([parse_vary("lr=0.1:0.2")], "grid")
    with pytest.raises(ConfigError, match="seeds"):
        sweep_variants([parse_vary("seed=1,2")], "grid")
    with pytest.raises(ConfigError, match="samples"):
        sweep_variants([parse_vary("lr=0.1:0.2")], "qmc")


# -- the noise-aware verdict on planted cases ----------------------------------------------------------------------


def test_planted_real_gain_is_kept_and_its_interval_holds_the_truth() -> None:
    rng = np.random.default_rng(0)
    parent = 0.25 + rng.normal(0, 0.004, size=5)
    child = 0.22 + rng.normal(0, 0.004, size=5)  # a true gain of 0.03
    j = judge_seeds(child, parent, "dev_error", Expectation("dev_error", -0.02))
    assert j.verdict == "keep" and j.method == "Welch t over seeds"
    assert j.gain_interval is not None and j.gain_interval[0] < 0.03 < j.gain_interval[1]
    assert j.gain == pytest.approx(float(parent.mean() - child.mean()))
    assert j.met_expectation is True and j.expected_delta == -0.02


def test_pure_noise_is_inconclusive_and_a_real_loss_is_discarded() -> None:
    rng = np.random.default_rng(1)
    parent = 0.25 + rng.normal(0, 0.01, size=4)
    noise = 0.25 + rng.normal(0, 0.01, size=4)
    assert judge_seeds(noise, parent, "dev_error").verdict == "inconclusive"
    worse = 0.30 + rng.normal(0, 0.01, size=4)
    assert judge_seeds(worse, parent, "dev_error").verdict == "discard"
    better_acc = 0.80 + rng.normal(0, 0.01, size=4)  # higher is better for accuracy
    assert judge_seeds(better_acc, 0.70 + rng.normal(0, 0.01, size=4), "accuracy").verdict == "keep"


def test_noise_rate_of_false_keeps_is_near_the_nominal_level() -> None:
    rng = np.random.default_rng(2)
    keeps = sum(
        judge_seeds(rng.normal(0, 1, 3), rng.normal(0, 1, 3), "dev_error").verdict != "inconclusive" for _ in range(400)
    )
    assert keeps / 400 < 0.09  # 5% nominal; Welch is close to exact for equal variances


def test_welch_interval_matches_the_formula() -> None:
    child, parent = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0, 8.0]
    j = judge_seeds(child, parent, "score")  # higher is better: gain = child - parent = -3
    from scipy import stats

    se = np.sqrt(np.var(child, ddof=1) / 3 + np.var(parent, ddof=1) / 4)
    df = se**4 / ((np.var(child, ddof=1) / 3) ** 2 / 2 + (np.var(parent, ddof=1) / 4) ** 2 / 3)
    half = stats.t.ppf(0.975, df) * se
    assert j.gain == pytest.approx(-3.0)
    assert j.gain_interval == pytest.approx((-3.0 - half, -3.0 + half))


def test_single_runs_are_inconclusive_with_a_reason() -> None:
    j = judge([0.1], [0.2], "dev_error")
    assert j.verdict == "inconclusive" and j.gain_interval is None and "seeds" in j.reason


def test_paired_bootstrap_on_dev_rows() -> None:
    rng = np.random.default_rng(3)
    n = 4000
    parent = (rng.random(n) < 0.20).astype(float)
    child = parent.copy()
    fixed = rng.choice(np.flatnonzero(parent), size=160, replace=False)  # fixes 4 points of error
    child[fixed] = 0.0
    j = judge_paired(child, parent, "dev_error")
    assert j.verdict == "keep" and j.observed_delta == pytest.approx(-0.04)
    assert j.gain_interval is not None and j.gain_interval[0] < 0.04 < j.gain_interval[1]
    shuffled = parent.copy()
    swap = rng.choice(n, size=200, replace=False)  # reshuffles which rows are wrong, same rate: noise
    shuffled[swap] = rng.permutation(shuffled[swap])
    assert judge_paired(shuffled, parent, "dev_error").verdict == "inconclusive"
    assert judge([0.16], [0.2], "dev_error", child_losses=child, parent_losses=parent).method.startswith("paired")


# -- reading back ---------------------------------------------------------------------------------------------------


def test_compare_shows_only_what_differs() -> None:
    a = Experiment(id=1, config={"lr": 0.1, "bs": 32}, metrics={"dev_error": 0.2, "train_error": 0.1}, seed=0)
    b = Experiment(id=2, config={"lr": 0.01, "bs": 32}, metrics={"dev_error": 0.15, "train_error": 0.1}, seed=0)
    out = compare(a, b)
    assert out["config"] == {"lr": [0.1, 0.01]}
    assert list(out["metrics"]) == ["dev_error"] and out["metrics"]["dev_error"][2] == pytest.approx(-0.05)
    assert out["other"] == {}
    c = b.with_(data_fingerprint={"d.csv": "sha256:" + "a" * 64})
    d = b.with_(data_fingerprint={"d.csv": "sha256:" + "b" * 64})
    assert compare(c, d)["other"] == {"data d.csv": ["sha256:" + "a" * 12, "sha256:" + "b" * 12]}


def test_ledger_metrics_on_planted_records() -> None:
    now = datetime(2026, 11, 18, 12, tzinfo=UTC).timestamp()  # Wednesday of ISO week 47
    day = 86400.0
    records = [
        Experiment(id=1, created_at=now - 1 * day, hypothesis="h", findings=["leakage.id"], status="done"),
        Experiment(id=2, created_at=now - 2 * day, parent_id=1, changed={"lr": [1, 2]}, status="done"),
        Experiment(
            id=3,
            created_at=now - 8 * day,
            parent_id=1,
            changed={"lr": [1, 2], "bs": [1, 2]},
            multi_change=True,
            hypothesis=" ",
            status="failed",
        ),
        Experiment(id=4, created_at=now - 100 * day, hypothesis="old", status="crashed"),
    ]
    m = ledger_metrics(records, now=now, weeks=4)
    assert m.per_week == {"2026-W44": 0, "2026-W45": 0, "2026-W46": 1, "2026-W47": 2}
    assert m.mean_per_week == pytest.approx(0.75)
    assert m.share_with_hypothesis == pytest.approx(0.5)
    assert m.share_linked_to_finding == pytest.approx(0.25)
    assert m.share_one_change == pytest.approx(0.5)
    assert m.share_multi_change_flagged == pytest.approx(0.25)
    assert m.by_status == {"done": 2, "failed": 1, "crashed": 1}
    assert ledger_metrics([], now=now).share_with_hypothesis is None


def test_group_summary_over_seeds() -> None:
    recs = [
        Experiment(id=i, group_key=str(g), config={"lr": g}, metrics={"dev_error": v}, status="done")
        for i, (g, v) in enumerate([(0.1, 0.2), (0.1, 0.4), (0.2, 0.1)])
    ] + [Experiment(id=9, group_key="0.2", config={"lr": 0.2}, status="failed")]
    groups = summarize_groups(recs, ["lr"], "dev_error")
    assert [(g.values, g.n_done, g.n_failed) for g in groups] == [({"lr": 0.1}, 2, 0), ({"lr": 0.2}, 1, 1)]
    assert groups[0].mean == pytest.approx(0.3) and groups[0].sd == pytest.approx(np.sqrt(0.02))
    assert groups[1].sd is None


def test_format_value() -> None:
    assert [format_value(v) for v in (None, 0.123456, -0.0, -0.01, 3, "x")] == ["-", "0.1235", "0", "-0.01", "3", "x"]
