"""The verdict benchmark: does unstuck name an acceptable bottleneck and top lever on a zoo of
real data sets and real training runs that nobody tuned its rules on?

Usage::

    python benchmarks/verdicts.py --half tune            # the half you may tune on
    python benchmarks/verdicts.py --half holdout         # the half you may not
    python benchmarks/verdicts.py --half all --json out.json   # tune + holdout
    python benchmarks/verdicts.py --half fresh           # the fresh cohort, scored once per landing
    python benchmarks/verdicts.py --only greenfield_wine -v

The scenarios, their planted conditions, their acceptable bottlenecks and levers and the
tune/holdout split live in ``benchmarks/verdict_zoo.py`` (pre-registered: committed before
anything was scored). Both halves have since been read scenario by scenario, so a third cohort on
other data, ``benchmarks/verdict_fresh.py``, is its own half (``fresh``), committed before anything
scored it; ``all`` keeps meaning tune + holdout so that the zoo's numbers stay comparable.
For each scenario this prints what unstuck found and whether it is
acceptable, then:

* a confusion matrix of planted class against the bottleneck found;
* the share with an acceptable bottleneck, an acceptable top lever, and both;
* per planted class, the share with an acceptable bottleneck (recall);
* false alarms on the clean controls: any ``critical`` finding, and a leakage, label or
  pipeline lever ranked first;
* interval coverage: (a) the report's 95% dev-error interval against the same model's error
  on a large fresh sample of the dev distribution (data mode: the best baseline refitted
  exactly as unstuck fits it, checked to reproduce the reported dev error; predictions mode:
  the model that wrote the predictions); (b) the learning curve's 90% forecast interval at
  2x the training rows against the dev error of the same baseline actually trained on 2x rows.

Targets (on the holdout half and the fresh cohort): >= 90% acceptable bottleneck and top lever; every planted
class recalled >= 80%; no critical finding and no fix_leakage/fix_labels first on controls;
90% intervals covering 85-95%.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from verdict_fresh import SCENARIOS as FRESH_SCENARIOS
from verdict_fresh import check_fresh
from verdict_zoo import CONTROL_WRONG_LEVERS, SCENARIOS, Built, Scenario, check_zoo, half_of

#: A fresh sample needs this many rows to serve as the "true" error (its own standard error
#: is then under a quarter of a 400-row dev set's).
MIN_POOL_ROWS = 1000
CONTROL_FIRST_LEVERS = frozenset({"fix_leakage", "fix_labels"})


@dataclass
class Outcome:
    scenario: Scenario
    half: str
    bottleneck: str = "error"
    levers: list[str] = field(default_factory=list)
    critical: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)  # non-info findings: "severity: title"
    error: str | None = None
    seconds: float = 0.0
    dev_error: float | None = None
    dev_interval: list[float] | None = None
    pool_error: float | None = None
    pool_note: str = ""
    forecast_2x: list[float] | None = None
    observed_2x: float | None = None
    curve_note: str = ""

    @property
    def top(self) -> str:
        return self.levers[0] if self.levers else "none"

    @property
    def bottleneck_ok(self) -> bool:
        return self.error is None and self.bottleneck in self.scenario.bottlenecks

    @property
    def lever_ok(self) -> bool:
        if self.error is not None:
            return False
        if not self.levers:
            # no intervention at all is acceptable only where "none" is an acceptable bottleneck
            return "none" in self.scenario.bottlenecks
        return self.top in self.scenario.levers

    @property
    def control_ok(self) -> bool:
        return not self.critical and self.top not in CONTROL_WRONG_LEVERS

    @property
    def ok(self) -> bool:
        base = self.bottleneck_ok and self.lever_ok
        return base and self.control_ok if self.scenario.control else base

    @property
    def pool_covered(self) -> bool | None:
        if self.pool_error is None or self.dev_interval is None:
            return None
        low, high = self.dev_interval
        return bool(low <= self.pool_error <= high)

    @property
    def curve_covered(self) -> bool | None:
        if self.observed_2x is None or self.forecast_2x is None:
            return None
        low, high = self.forecast_2x
        return bool(low <= self.observed_2x <= high)


def diagnose(scenario: Scenario, built: Built) -> tuple[Any, Any]:
    from unstuck.pipeline import diagnose_problem, load_problem

    problem = load_problem(**built.kwargs)
    return problem, diagnose_problem(problem)


def _refit_error(
    problem: Any, model_name: str, train_x: pd.DataFrame, train_y: Any, eval_x: pd.DataFrame, eval_y: Any
) -> float:
    """The error on ``eval`` of baseline ``model_name`` fitted as unstuck fits it (same seed)."""
    from unstuck.baselines import make_baseline

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make_baseline(model_name, problem.task, train_x, seed=problem.seed)
        model.fit(train_x, train_y)
        return float(problem.metric(np.asarray(eval_y), np.asarray(model.predict(eval_x))))


def _processed(built: Built, frame: pd.DataFrame, dev: pd.DataFrame | None = None) -> Any:
    """``frame`` read by unstuck exactly like the scenario's train table (as the train split)."""
    from unstuck.pipeline import load_problem

    kwargs = {**built.kwargs, "data": frame}
    if dev is not None:
        kwargs["dev"] = dev
    return load_problem(**kwargs)


def coverage(outcome: Outcome, built: Built, problem: Any, report: Any) -> None:
    """Fill the interval-coverage fields of ``outcome`` where the scenario allows."""
    interval = (report.intervals or {}).get("dev")
    outcome.dev_error = report.errors.get("dev")
    outcome.dev_interval = [float(v) for v in interval] if interval else None
    if problem.mode == "predictions":
        if built.pool_error is not None and built.pool_rows >= MIN_POOL_ROWS:
            outcome.pool_error = built.pool_error
        return
    if problem.mode != "data":
        return
    features, target = list(problem.features), problem.target
    train, dev = problem.frames["train"], problem.frames["dev"]
    best = report.sections.get("baselines", {}).get("best")
    if built.pool is not None and len(built.pool) >= MIN_POOL_ROWS and best:
        refit_dev = _refit_error(problem, best, train[features], train[target], dev[features], dev[target])
        if outcome.dev_error is None or abs(refit_dev - outcome.dev_error) > 1e-9:
            outcome.pool_note = (
                f"refit of {best} gives dev {refit_dev:.4f}, report {outcome.dev_error}: not the same model"
            )
        else:
            pool = _processed(built, built.kwargs["data"], built.pool).frames["dev"]
            outcome.pool_error = _refit_error(
                problem, best, train[features], train[target], pool[features], pool[target]
            )
    curve = report.sections.get("learning_curve")
    if curve and built.extra_train is not None:
        forecast = curve.get("forecast") or {}
        outcome.forecast_2x = [float(v) for v in forecast["interval_2x"]] if "interval_2x" in forecast else None
        extra = _processed(built, built.extra_train)
        more = pd.concat([extra.frames[s] for s in ("train", "train_dev") if s in extra.frames], ignore_index=True)
        n = len(train)
        if len(more) < n:
            outcome.curve_note = f"only {len(more)} fresh rows for a 2x of {n}"
            return
        model = curve.get("model", best)
        # the 2x fit must be the curve's model: its 1x refit reproduces the report's dev error
        at_1x = _refit_error(problem, model, train[features], train[target], dev[features], dev[target])
        if outcome.dev_error is None or abs(at_1x - outcome.dev_error) > 1e-9:
            outcome.curve_note = (
                f"refit of {model} gives dev {at_1x:.4f}, report {outcome.dev_error}: not the same model"
            )
            return
        doubled = pd.concat([train, more.iloc[:n]], ignore_index=True)
        outcome.observed_2x = _refit_error(
            problem, model, doubled[features], doubled[target], dev[features], dev[target]
        )


def run_one(scenario: Scenario, half: str, *, with_coverage: bool = True) -> Outcome:
    outcome = Outcome(scenario, half)
    started = time.perf_counter()
    try:
        built = scenario.build()
        problem, report = diagnose(scenario, built)
        outcome.bottleneck = report.bottleneck
        outcome.levers = [i.lever for i in report.interventions]
        outcome.critical = [f.title for f in report.findings if f.severity == "critical"]
        outcome.alarms = [f"{f.severity}: {f.title}" for f in report.findings if f.severity != "info"]
        if with_coverage:
            try:
                coverage(outcome, built, problem, report)
            except Exception as exc:  # coverage is a side measurement: note it, keep the verdict
                outcome.pool_note = f"coverage failed: {type(exc).__name__}: {exc}"
    except Exception as exc:  # a crash is a wrong verdict, recorded, not hidden
        outcome.error = f"{type(exc).__name__}: {exc}"
        outcome.bottleneck = "error"
        traceback.print_exc(file=sys.stderr)
    outcome.seconds = time.perf_counter() - started
    return outcome


# ----------------------------------------------------------------------------- tables


def _expected(s: Scenario) -> str:
    if s.control:
        return "control"
    return f"{'/'.join(sorted(s.bottlenecks))} · {'/'.join(sorted(s.levers))}"


def scenario_table(outcomes: list[Outcome]) -> str:
    lines = [
        "| scenario | half | planted | expected (bottleneck · top lever) | found (bottleneck · top lever) | ok? | s |",
        "|---|---|---|---|---|---|---:|",
    ]
    for o in outcomes:
        found = f"error: {o.error[:60]}" if o.error else f"{o.bottleneck} · {o.top}"
        if o.critical:
            found += f" ({len(o.critical)} critical)"
        marks = []
        if not o.bottleneck_ok:
            marks.append("bottleneck")
        if not o.lever_ok:
            marks.append("lever")
        if o.scenario.control and not o.control_ok:
            marks.append("false alarm")
        verdict = "yes" if o.ok else "NO (" + ", ".join(marks) + ")"
        lines.append(
            f"| {o.scenario.name} | {o.half} | {o.scenario.planted} | {_expected(o.scenario)} | {found} | {verdict} | "
            f"{o.seconds:.0f} |"
        )
    return "\n".join(lines)


def confusion(outcomes: list[Outcome]) -> str:
    planted = sorted({o.scenario.planted for o in outcomes})
    found = sorted({o.bottleneck for o in outcomes})
    counts = Counter((o.scenario.planted, o.bottleneck) for o in outcomes)
    lines = [
        "| planted \\ found | " + " | ".join(found) + " | n |",
        "|---|" + "---:|" * (len(found) + 1),
    ]
    for p in planted:
        row = [str(counts.get((p, f), 0) or "·") for f in found]
        lines.append(f"| {p} | " + " | ".join(row) + f" | {sum(counts.get((p, f), 0) for f in found)} |")
    return "\n".join(lines)


def _share(hits: int, n: int) -> str:
    return f"{hits}/{n} ({hits / n:.0%})" if n else "—"


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    n = len(outcomes)
    per_class: dict[str, dict[str, int]] = {}
    for o in outcomes:
        entry = per_class.setdefault(o.scenario.planted, {"n": 0, "bottleneck_ok": 0, "ok": 0})
        entry["n"] += 1
        entry["bottleneck_ok"] += o.bottleneck_ok
        entry["ok"] += o.ok
    controls = [o for o in outcomes if o.scenario.control]
    pool = [o.pool_covered for o in outcomes if o.pool_covered is not None]
    curve = [o.curve_covered for o in outcomes if o.curve_covered is not None]
    return {
        "n": n,
        "ok": sum(o.ok for o in outcomes),
        "bottleneck_ok": sum(o.bottleneck_ok for o in outcomes),
        "lever_ok": sum(o.lever_ok for o in outcomes),
        "errors": sum(o.error is not None for o in outcomes),
        "per_class": per_class,
        "controls": len(controls),
        "controls_critical": sum(bool(o.critical) for o in controls),
        "controls_leak_or_labels_first": sum(o.top in CONTROL_FIRST_LEVERS for o in controls),
        "controls_ok": sum(o.ok for o in controls),
        "dev_interval_95_covered": sum(pool),
        "dev_interval_95_n": len(pool),
        "forecast_2x_90_covered": sum(curve),
        "forecast_2x_90_n": len(curve),
        "seconds": sum(o.seconds for o in outcomes),
    }


def aggregate_text(s: dict[str, Any]) -> str:
    n = s["n"]
    recalls = {c: v["bottleneck_ok"] / v["n"] for c, v in s["per_class"].items() if c != "none"}
    worst = min(recalls.values()) if recalls else 1.0
    lines = [
        f"- acceptable bottleneck AND top lever (controls: and no false alarm): {_share(s['ok'], n)} — target >= 90%: "
        + ("met" if n and s["ok"] / n >= 0.9 else "NOT met"),
        f"- acceptable bottleneck: {_share(s['bottleneck_ok'], n)}; acceptable top lever: {_share(s['lever_ok'], n)}"
        f"; crashed: {s['errors']}",
        "- recall per planted class (acceptable bottleneck): "
        + "; ".join(f"{c} {_share(v['bottleneck_ok'], v['n'])}" for c, v in sorted(s["per_class"].items()))
        + f" — target every class >= 80%: {'met' if worst >= 0.8 else 'NOT met'}",
        f"- clean controls: {s['controls']}; with a critical finding: {s['controls_critical']}; "
        f"fix_leakage/fix_labels first: {s['controls_leak_or_labels_first']}; fully acceptable: "
        f"{_share(s['controls_ok'], s['controls'])} — target no critical, no fix_leakage/fix_labels first: "
        + ("met" if s["controls_critical"] == 0 and s["controls_leak_or_labels_first"] == 0 else "NOT met"),
    ]
    a_n, a_hit = s["dev_interval_95_n"], s["dev_interval_95_covered"]
    b_n, b_hit = s["forecast_2x_90_n"], s["forecast_2x_90_covered"]
    a_within = bool(a_n) and round(abs(a_hit / max(a_n, 1) - 0.95), 9) <= 0.05
    lines.append(
        f"- (a) 95% dev-error interval covers the error on a fresh sample (>= {MIN_POOL_ROWS} rows): "
        f"{_share(a_hit, a_n)}"
        + (f" — nominal 95%: {'within 5 points' if a_within else 'NOT within 5 points'}" if a_n else "")
    )
    lines.append(
        f"- (b) learning curve's 90% interval at 2x covers the dev error trained on 2x rows: {_share(b_hit, b_n)}"
        + (f" — target 85-95%: {'met' if b_n and 0.85 <= b_hit / b_n <= 0.95 else 'NOT met'}" if b_n else "")
    )
    lines.append(f"- time: {s['seconds']:.0f} s for {n} scenarios")
    return "\n".join(lines)


def coverage_table(outcomes: list[Outcome]) -> str:
    lines = [
        "| scenario | dev error | 95% interval | fresh-sample error | covered "
        "| 2x forecast 90% | observed at 2x | covered |",
        "|---|---:|---|---:|---|---|---:|---|",
    ]
    for o in outcomes:
        if o.pool_covered is None and o.curve_covered is None and not o.pool_note and not o.curve_note:
            continue

        def fmt(v: float | None) -> str:
            return "—" if v is None else f"{v:.4f}"

        interval = "—" if o.dev_interval is None else f"{o.dev_interval[0]:.4f}–{o.dev_interval[1]:.4f}"
        forecast = "—" if o.forecast_2x is None else f"{o.forecast_2x[0]:.4f}–{o.forecast_2x[1]:.4f}"
        pool_cov = {None: o.pool_note or "—", True: "yes", False: "NO"}[o.pool_covered]
        curve_cov = {None: o.curve_note or "—", True: "yes", False: "NO"}[o.curve_covered]
        lines.append(
            f"| {o.scenario.name} | {fmt(o.dev_error)} | {interval} | {fmt(o.pool_error)} | {pool_cov} | {forecast} | "
            f"{fmt(o.observed_2x)} | {curve_cov} |"
        )
    return "\n".join(lines)


def _to_json(o: Outcome) -> dict[str, Any]:
    s = o.scenario
    return {
        "name": s.name,
        "half": o.half,
        "dataset": s.dataset,
        "source": s.source,
        "planted": s.planted,
        "mode": s.mode,
        "condition": s.condition,
        "acceptable_bottlenecks": sorted(s.bottlenecks),
        "acceptable_levers": sorted(s.levers),
        "bottleneck": o.bottleneck,
        "levers": o.levers,
        "critical": o.critical,
        "alarms": o.alarms,
        "error": o.error,
        "bottleneck_ok": o.bottleneck_ok,
        "lever_ok": o.lever_ok,
        "ok": o.ok,
        "seconds": round(o.seconds, 2),
        "dev_error": o.dev_error,
        "dev_interval": o.dev_interval,
        "pool_error": o.pool_error,
        "pool_covered": o.pool_covered,
        "forecast_2x": o.forecast_2x,
        "observed_2x": o.observed_2x,
        "curve_covered": o.curve_covered,
        "notes": [n for n in (o.pool_note, o.curve_note) if n],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--half",
        choices=("tune", "holdout", "all", "fresh"),
        default="tune",
        help="all = tune + holdout; fresh = the fresh cohort of benchmarks/verdict_fresh.py",
    )
    parser.add_argument("--only", action="append", default=[], help="run only this scenario (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each scenario's levers and alarms")
    parser.add_argument("--json", type=Path, help="write per-scenario results and the summary here")
    parser.add_argument("--no-coverage", action="store_true", help="skip the interval-coverage refits")
    parser.add_argument("--list", action="store_true", help="list the scenarios and their halves, run nothing")
    args = parser.parse_args(argv)
    check_zoo()
    check_fresh()
    halves = {**half_of(), **{s.name: "fresh" for s in FRESH_SCENARIOS}}
    pool = FRESH_SCENARIOS if args.half == "fresh" else SCENARIOS
    chosen = [
        s
        for s in pool
        if (args.half in ("all", "fresh") or halves[s.name] == args.half) and (not args.only or s.name in args.only)
    ]
    if args.only and len(chosen) < len(args.only):
        known = {s.name for s in pool}
        print(f"unknown scenario(s): {sorted(set(args.only) - known)}", file=sys.stderr)
        return 2
    if args.list:
        for s in chosen:
            print(f"{halves[s.name]:8} {s.planted:13} {s.mode:13} {s.name}: {s.condition} -> {_expected(s)}")
        return 0
    outcomes = []
    for s in chosen:
        o = run_one(s, halves[s.name], with_coverage=not args.no_coverage)
        outcomes.append(o)
        mark = "ok " if o.ok else "NO "
        print(f"{mark} {s.name}: {o.bottleneck} · {o.top} ({o.seconds:.1f}s)", file=sys.stderr, flush=True)
        if args.verbose:
            print(f"    levers: {', '.join(o.levers[:3]) or '—'}", file=sys.stderr)
            for alarm in o.alarms:
                print(f"    {alarm}", file=sys.stderr)
            if o.error:
                print(f"    error: {o.error}", file=sys.stderr)
    import unstuck

    print(f"## Verdicts: half {args.half} ({len(outcomes)} scenarios)\n")
    print(f"unstuck {unstuck.__version__} from {Path(unstuck.__file__).resolve().parent}\n")
    print(scenario_table(outcomes) + "\n")
    print("Bottlenecks, planted class (rows) against found (columns):\n")
    print(confusion(outcomes) + "\n")
    stats = summary(outcomes)
    print(aggregate_text(stats) + "\n")
    table = coverage_table(outcomes)
    if table.count("\n") > 1:
        print("Interval coverage:\n")
        print(table + "\n")
    if args.json:
        args.json.write_text(
            json.dumps({"half": args.half, "summary": stats, "scenarios": [_to_json(o) for o in outcomes]}, indent=1)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
