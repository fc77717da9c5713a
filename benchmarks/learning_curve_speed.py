"""How much time does the learning_curve check add to ``diagnose`` at 100k training rows?

Target: under 60 s extra on 2 cores. The ladder (the baselines that
``diagnose`` fits anyway) is fitted first and timed separately; the number that
counts is the check's own time, with the best baseline (LightGBM here) refitted
on the curve's subsets.

Usage::

    python benchmarks/learning_curve_speed.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd


def planted(n: int, seed: int) -> pd.DataFrame:
    """20 numeric features and one categorical, a non-linear binary target with 10 % label noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 20))
    colour = rng.choice(["red", "green", "blue", "grey"], size=n)
    logit = x[:, 0] * x[:, 1] + np.sin(2 * x[:, 2]) + x[:, 3:8].sum(axis=1) * 0.4 + (colour == "red")
    y = (logit + rng.logistic(size=n) * 0.7 > 0).astype(int)
    flip = rng.random(n) < 0.1
    y[flip] = 1 - y[flip]
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(20)])
    frame["colour"] = colour
    frame["label"] = np.where(y == 1, "yes", "no")
    return frame


def main() -> None:
    from unstuck.context import Context
    from unstuck.problem import Problem
    from unstuck.registry import registered_checks
    from unstuck.runner import run_checks

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    train, dev = planted(args.rows, 0), planted(20_000, 1)
    problem = Problem.from_frames(train, dev=dev, train_dev=planted(5_000, 2), target="label", seed=0)
    ctx = Context(problem)
    started = time.perf_counter()
    ladder = ctx.ladder
    ladder_seconds = time.perf_counter() - started
    spec = [s for s in registered_checks() if s.name == "learning_curve"]
    started = time.perf_counter()
    cpu = time.process_time()
    result = run_checks(problem, ctx, checks=spec)
    check_seconds = time.perf_counter() - started
    check_cpu = time.process_time() - cpu
    section = result.sections["learning_curve"]
    fits = len(section["points"]) - 1
    rows = sum(p["size"] for p in section["points"][1:])
    print(f"train rows {args.rows:,}, dev rows {len(dev):,}; best baseline {ladder.best}")
    print(f"ladder (fitted by diagnose anyway): {ladder_seconds:.1f} s")
    print(f"learning_curve check: {check_seconds:.1f} s wall, {check_cpu:.1f} s CPU; ", end="")
    print(f"{fits} fits, {rows:,} rows trained")
    for finding in result.findings:
        print(f"  {finding.id}: {finding.title}")
    load = os.getloadavg()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f}")


if __name__ == "__main__":
    main()
