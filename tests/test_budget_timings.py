"""Where the time went (per-check wall times in the report) and the fit budgets that bound it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import unstuck
from unstuck.budget import BUDGETS, budget_named
from unstuck.cli.diagnose import timing_line
from unstuck.context import Context
from unstuck.errors import ConfigError
from unstuck.problem import Problem
from unstuck.registry import CheckResult, CheckSpec
from unstuck.runner import run_checks
from unstuck.schemas import validate

SLEEP = 0.3


def _sleeps_then_asks_for_the_ladder(problem: Problem, ctx: Context) -> CheckResult:
    time.sleep(SLEEP)
    assert ctx.ladder.best
    return CheckResult()


def _asks_for_the_ladder_again(problem: Problem, ctx: Context) -> CheckResult:
    assert ctx.ladder.best
    return CheckResult()


def test_a_check_is_timed_apart_from_the_shared_fits_it_asked_for_first(tabular: pd.DataFrame) -> None:
    problem = Problem.from_frames(tabular, target="label", seed=0)
    ctx = Context(problem)
    checks = [
        CheckSpec("sleeper", _sleeps_then_asks_for_the_ladder, requires=("data",)),
        CheckSpec("reader", _asks_for_the_ladder_again, requires=("data",)),
    ]
    started = time.perf_counter()
    run = run_checks(problem, ctx, checks=checks)
    total = time.perf_counter() - started
    # the sleeper pays its own sleep, not the baselines it was first to need
    assert SLEEP <= run.timings["sleeper"] < SLEEP + 0.2
    assert ctx.timings["ladder"] > 0.05
    # the second reader finds the ladder fitted: its own time is next to nothing
    assert run.timings["reader"] < 0.05
    assert abs(run.timings["sleeper"] + run.timings["reader"] + ctx.timings["ladder"] - total) < 0.1


def _without_timings(report: unstuck.Report) -> dict[str, Any]:
    document = report.to_dict()
    document.pop("timings")
    return document


def _table(n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    logit = 2.0 * x1 - 1.5 * x2 + np.where(color == "red", 1.0, 0.0)
    label = np.where(logit + rng.normal(scale=0.5, size=n) > 0, "yes", "no")
    return pd.DataFrame({"x1": x1, "x2": x2, "color": color, "noise": rng.normal(size=n), "label": label})


@pytest.fixture(scope="module")
def reports() -> dict[str, unstuck.Report]:
    """The same table diagnosed on the quick and the standard budget (built once: each takes seconds)."""
    frame = _table()
    return {name: unstuck.diagnose(frame, target="label", seed=1, budget=name) for name in ("quick", "standard")}


def test_the_report_carries_every_check_time_and_they_add_up(reports: dict[str, unstuck.Report]) -> None:
    report = reports["standard"]
    timings = report.timings
    ran = {f.check for f in report.findings} | set(report.sections)
    assert ran <= set(timings["checks"]), ran - set(timings["checks"])
    assert {"ladder", "oof_proba"} <= set(timings["shared"])
    parts = sum(timings["checks"].values()) + sum(timings["shared"].values())
    assert 0.9 * timings["total_seconds"] <= parts <= timings["total_seconds"] + 0.01
    assert timings["backend"] == "local"
    document = json.loads(json.dumps(report.to_dict()))
    validate(document)
    assert unstuck.Report.from_dict(document).to_dict() == document


def test_a_report_written_before_timings_existed_still_loads(reports: dict[str, unstuck.Report]) -> None:
    document = reports["standard"].to_dict()
    del document["timings"], document["budget"]
    old = unstuck.Report.from_dict(document)
    assert old.timings == {} and old.budget == {}
    validate(json.loads(json.dumps(old.to_dict())))


def test_quick_budget_skips_the_sweeps_and_thins_the_curve_and_says_so(reports: dict[str, unstuck.Report]) -> None:
    quick, standard = reports["quick"], reports["standard"]
    assert quick.budget == {"name": "quick", "thins": list(BUDGETS["quick"].thins)}
    assert standard.budget == {"name": "standard", "thins": []}
    assert "no capacity or learning-rate sweeps" in quick.inferred["budget"]
    assert "budget" not in standard.inferred  # the default changes nothing worth a line
    assert "capacity" in standard.sections
    skipped = {s.check: s.reason for s in quick.skipped}
    assert "quick budget runs no sweeps" in skipped["capacity"]
    quick_points = quick.sections["learning_curve"]["points"]
    standard_points = standard.sections["learning_curve"]["points"]
    assert len(quick_points) == 1 + BUDGETS["quick"].curve_fits  # the full-size point is the baseline's own fit
    assert len(standard_points) > len(quick_points)
    # one seed per size on the quick budget
    sizes = [p["size"] for p in quick_points]
    assert len(sizes) == len(set(sizes))
    # thinning changes what was measured, never the measurements every budget shares
    assert quick.errors == standard.errors
    rung_errors = [[r["errors"] for r in report.sections["baselines"]["rungs"]] for report in (quick, standard)]
    assert rung_errors[0] == rung_errors[1]


def test_thorough_budget_spends_more_fits_on_the_curve(tabular: pd.DataFrame) -> None:
    problem = Problem.from_frames(tabular, target="label", seed=1)
    from unstuck.checks.learning_curve import data_size_curve

    standard = data_size_curve(problem, Context(problem))
    thorough = data_size_curve(problem, Context(problem, budget=budget_named("thorough")))
    assert len(thorough["points"]) > len(standard["points"])
    assert max(p["seed"] for p in thorough["points"]) == 1 + 3000  # a third seed per small size


def test_an_unknown_budget_or_backend_is_a_user_error(tabular: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match="quick, standard, thorough"):
        budget_named("fast")
    with pytest.raises(ConfigError, match="local, ray"):
        unstuck.diagnose(tabular, target="label", backend="spark")


def test_timing_line_names_the_slowest_parts_first() -> None:
    line = timing_line(
        {
            "total_seconds": 12.34,
            "checks": {"learning_curve": 5.0, "signal": 0.01, "capacity": 2.5},
            "shared": {"ladder": 3.0, "oof_proba": 1.2},
            "backend": "local",
        },
        most=3,
    )
    assert line == "Time: 12.3 s — learning curve 5.0 s, baselines (fit) 3.0 s, capacity 2.5 s"
    assert "(fits on ray)" in timing_line({"total_seconds": 1.0, "backend": "ray"})


def test_cli_budget_and_verbose_time_line(cli: Any, tabular: pd.DataFrame, tmp_path: Path) -> None:
    data = tmp_path / "train.csv"
    tabular.to_csv(data, index=False)
    done = cli(
        ["diagnose", str(data), "--target", "label", "--budget", "quick", "--verbose", "--json", "r.json"], tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "Time: " in done.stdout and "baselines (fit)" in done.stdout
    assert "budget quick: no capacity or learning-rate sweeps" in done.stdout
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["budget"]["name"] == "quick" and report["timings"]["total_seconds"] > 0
    bad = cli(["diagnose", str(data), "--target", "label", "--budget", "fast"], tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    # the parameter table's refusal, before the data is read
    said = " ".join(bad.stderr.split())
    assert "The option budget (--budget) is 'fast', which is not one of its choices." in said
    assert "quick, standard, thorough" in said


def test_quick_budget_thins_the_curve_on_small_data_too() -> None:
    from unstuck.checks.learning_curve import _curve_sizes

    for name, most_fits, most_repeats in (("quick", 6, 1), ("standard", 48, 8), ("thorough", 96, 16)):
        budget = BUDGETS[name]
        sizes = _curve_sizes(
            800, budget.curve_fits, 2, budget.curve_repeats, (budget.small_curve_fits, budget.small_curve_repeats)
        )
        assert len(sizes) >= 3, name
        assert sum(r for _, r in sizes) <= most_fits and max(r for _, r in sizes) == most_repeats, (name, sizes)
