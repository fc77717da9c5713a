"""Every model fit a diagnosis makes: by check, rows, rounds and threads, with its CPU seconds.

Usage::

    python benchmarks/fit_count.py --rows 100000 --budget standard quick --json fits.json

The table is ``peers.py``'s (``--rows`` × 40 numeric features, 5 classes, 70/15/15). The
diagnosis runs in this process with every model class's ``fit`` wrapped (LightGBM, logistic
and ridge regression, isolation forest), and its worker processes turned off (the fits that
would run in workers run here, one after the other, on the threads they would have had), so
that every fit is seen, and every LightGBM fit on one thread: the thread count the diagnosis gives
its fits from 20,000 training rows on, where they run in worker processes; a two-thread fit beside
other processes on two cores starves, and its seconds would measure the load. Each fit is
attributed to the check (or shared measurement) whose code
asked for it and to the unstuck function that made it. The seconds are those of fits run one
at a time: what the fits cost in CPU, not the diagnosis's wall time (``peers.py`` and
``scaling.py`` measure that). The yardstick is one 100-round LightGBM fit on all of train on
one thread, timed in the same process, so that fits and yardstick are CPU seconds alike.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peers import ROUNDS, generate

#: Functions of unstuck that make fits, innermost first: the name a fit is filed under.
MAKERS = (
    "sweep",
    "data_size_curve",
    "refit_without",
    "out_of_fold_proba",
    "fit_ladder",
    "domain_classifier",
    "_permutation_signal",
    "_against_the_rest",
)


def _where() -> tuple[str, str]:
    """(check or shared measurement, unstuck function) of the fit being made, read off the stack."""
    frame = sys._getframe(2)
    check, maker = "?", "?"
    while frame is not None:
        path = frame.f_code.co_filename.replace(os.sep, "/")
        name = frame.f_code.co_name
        if "/unstuck/" in path:
            if maker == "?" and name in MAKERS:
                maker = name
            if "/unstuck/checks/" in path:
                check = Path(path).stem  # the outermost checks frame wins: keep walking
            elif path.endswith("/unstuck/context.py") and name in ("ladder", "oof_proba"):
                check = f"shared:{name}"
        frame = frame.f_back  # type: ignore[assignment]
    return check, maker


def instrument(log: list[dict[str, Any]]) -> None:
    """Wrap every model class's ``fit`` so that each call appends one record to ``log``."""
    import lightgbm
    from sklearn.ensemble import IsolationForest
    from sklearn.linear_model import LogisticRegression, Ridge

    import unstuck.baselines
    import unstuck.fits
    import unstuck.workers

    def wrap(cls: type, kind: str) -> None:
        original = cls.fit

        @functools.wraps(original)
        def fit(self: Any, x: Any, y: Any = None, *args: Any, **kwargs: Any) -> Any:
            check, maker = _where()
            started = time.process_time()
            out = original(self, x, y, *args, **kwargs)
            seconds = time.process_time() - started
            record = {"model": kind, "check": check, "maker": maker, "rows": int(x.shape[0]), "seconds": seconds}
            if kind == "lightgbm":
                params = self.get_params()
                record |= {
                    "rounds_asked": int(params["n_estimators"]),
                    "rounds_kept": int(getattr(self, "best_iteration_", 0) or params["n_estimators"]),
                    "threads": int(params["n_jobs"] or 0),
                    "num_leaves": int(params["num_leaves"]),
                    "learning_rate": float(params["learning_rate"]),
                }
            log.append(record)
            return out

        cls.fit = fit  # type: ignore[method-assign]

    wrap(lightgbm.LGBMModel, "lightgbm")
    wrap(LogisticRegression, "logistic")
    wrap(Ridge, "ridge")
    wrap(IsolationForest, "isolation_forest")
    # every fit in this process, so that every one is seen (worker processes would not be)
    unstuck.workers.workers_for = lambda n_train, n_jobs: 1  # type: ignore[assignment]
    unstuck.fits.workers_for = unstuck.workers.workers_for  # type: ignore[attr-defined]
    unstuck.baselines.lightgbm_threads = lambda frame: 1  # type: ignore[assignment]


def yardstick(folder: Path) -> dict[str, float]:
    """Seconds of one 100-round LightGBM fit on train, one thread."""
    import pandas as pd
    from lightgbm import LGBMClassifier

    train = pd.read_parquet(folder / "train.parquet")
    x, y = train.drop(columns="label"), train["label"]
    started = time.process_time()
    LGBMClassifier(n_estimators=ROUNDS, n_jobs=1, verbose=-1).fit(x, y)
    return {"fit_seconds": time.process_time() - started}


def summarise(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (check, maker, model, rows, rounds asked, threads): fits, rounds kept, seconds."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for r in log:
        key = (r["check"], r["maker"], r["model"], r["rows"], r.get("rounds_asked"), r.get("threads"))
        groups[key].append(r)
    rows = []
    for (check, maker, model, n, asked, threads), fits in groups.items():
        kept = [f["rounds_kept"] for f in fits if "rounds_kept" in f]
        rows.append(
            {
                "check": check,
                "maker": maker,
                "model": model,
                "rows": n,
                "fits": len(fits),
                "rounds_asked": asked,
                "rounds_kept": kept,
                "threads": threads,
                "seconds": round(sum(f["seconds"] for f in fits), 2),
            }
        )
    return sorted(rows, key=lambda r: -r["seconds"])


def run(folder: Path, budget: str, log: list[dict[str, Any]]) -> dict[str, Any]:
    import unstuck

    log.clear()
    started, cpu_started = time.perf_counter(), time.process_time()
    report = unstuck.diagnose(
        str(folder / "train.parquet"),
        dev=str(folder / "dev.parquet"),
        test=str(folder / "test.parquet"),
        target="label",
        budget=budget,
    )
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    as_dict = report.to_dict()
    return {
        "budget": budget,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        "fit_seconds": round(sum(r["seconds"] for r in log), 1),
        "fits": len(log),
        "bottleneck": as_dict["bottleneck"],
        "top_lever": (as_dict["interventions"] or [{}])[0].get("lever"),
        "findings": sorted(f["id"] for f in as_dict["findings"]),
        "timings": as_dict.get("timings"),
        "groups": summarise(log),
    }


def print_run(result: dict[str, Any], fit: float) -> None:
    print(
        f"\n{result['budget']}: {result['fits']} fits, {result['fit_seconds']} s fitting "
        f"({result['fit_seconds'] / fit:.1f}x the one-fit yardstick), {result['cpu_seconds']} CPU s "
        f"({result['cpu_seconds'] / fit:.1f}x) and {result['seconds']} s wall in all; "
        f"bottleneck {result['bottleneck']}, top lever {result['top_lever']}"
    )
    print(f"{'check':<22} {'maker':<20} {'model':<9} {'rows':>8} {'fits':>4} {'rounds':>14} {'thr':>3} {'s':>7}")
    for g in result["groups"]:
        kept = g["rounds_kept"]
        rounds = "" if not kept else f"{g['rounds_asked']}->{min(kept)}-{max(kept)}"
        print(
            f"{g['check']:<22} {g['maker']:<20} {g['model']:<9} {g['rows']:>8,} {g['fits']:>4} {rounds:>14} "
            f"{g['threads'] if g['threads'] is not None else '':>3} {g['seconds']:>7.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--budget", nargs="*", default=["standard", "quick"], choices=["quick", "standard", "thorough"])
    parser.add_argument("--json", type=Path, help="write the measurements here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        generate(args.rows, folder)
        load_before = os.getloadavg()[0]
        fit = yardstick(folder)
        print(f"one {ROUNDS}-round LightGBM fit on train, 1 thread: {fit['fit_seconds']:.2f} s; load {load_before:.2f}")
        results = []
        log: list[dict[str, Any]] = []
        instrument(log)
        for budget in args.budget:
            result = run(folder, budget, log)
            result["load_average"] = os.getloadavg()[0]
            results.append(result)
            print_run(result, fit["fit_seconds"])
    if args.json is not None:
        args.json.write_text(json.dumps({"rows": args.rows, "yardstick": fit, "runs": results}, indent=1))


if __name__ == "__main__":
    main()
