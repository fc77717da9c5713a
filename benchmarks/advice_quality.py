"""How often the top intervention is the planted one, and what applying it buys.

Usage::

    python benchmarks/advice_quality.py

Runs every planted scenario of ``tests/scenarios.py`` (real data shipped in
scikit-learn and statsmodels, one cause of error planted per scenario), and records:

* whether the report's bottleneck and top lever (and, where the scenario names one,
  the learning curve's verdict) are the planted ones;
* the learning curve's verdict (data mode) and the rank of ``more_data`` among the
  interventions (advice must follow the curve: where it says more data will not help, ``more_data``
  must not be in the top three);
* for data-mode scenarios, the dev error change when ``unstuck try`` applies the
  top intervention, against the median change of the other interventions it can
  apply automatically (positive = dev error fell).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from scenarios import SCENARIOS
from unstuck.context import Context
from unstuck.pipeline import diagnose_problem
from unstuck.tryout import AUTOMATIC, try_intervention


def _change(gain: float, metric: str) -> str:
    """A dev error change: points for error rates, the metric's own units otherwise (e.g. RMSE)."""
    return f"{100 * gain:+.2f} pts" if metric == "error_rate" else f"{gain:+.4f} {metric}"


def main() -> None:
    print(
        "| scenario | planted | bottleneck found | top lever | match | curve (more_data rank) | "
        "top: dev error change | others (median, n) | seconds |"
    )
    print("|---|---|---|---|---|---|---:|---:|---:|")
    hits = 0
    saturated = saturated_ok = 0
    for scenario in SCENARIOS:
        started = time.perf_counter()
        problem = scenario.build()
        report = diagnose_problem(problem)
        top = report.interventions[0].lever if report.interventions else "—"
        levers = [i.lever for i in report.interventions]
        verdict = report.sections.get("learning_curve", {}).get("verdict", "—")
        match = (
            report.bottleneck == scenario.bottleneck
            and (top == scenario.lever or not scenario.lever)
            and (scenario.curve is None or verdict == scenario.curve)
        )
        hits += match
        more_data_rank = str(levers.index("more_data") + 1) if "more_data" in levers else "—"
        if verdict == "saturated":
            saturated += 1
            saturated_ok += "more_data" not in levers[:3]
        top_gain, others = "n/a", "n/a"
        if problem.mode == "data" and report.interventions:
            ctx = Context(problem)
            gains = {}
            for item in report.interventions:
                if item.lever in AUTOMATIC:
                    try:
                        outcome = try_intervention(problem, report, item.rank, ctx=ctx)
                    except Exception as exc:  # a lever that does not apply to this baseline
                        print(f"<!-- {scenario.name}: {item.lever} not tried: {exc} -->")
                        continue
                    if outcome.gain is not None:
                        gains[item.rank] = outcome.gain
            if 1 in gains:
                top_gain = _change(gains[1], problem.metric.name)
            rest = [g for rank, g in gains.items() if rank != 1]
            if rest:
                others = f"{_change(statistics.median(rest), problem.metric.name)} ({len(rest)})"
        seconds = time.perf_counter() - started
        print(
            f"| {scenario.name} | {scenario.bottleneck}/{scenario.lever or '—'} | {report.bottleneck} | {top} | "
            f"{'yes' if match else 'NO'} | {verdict} ({more_data_rank}) | {top_gain} | {others} | {seconds:.0f} |",
            flush=True,
        )
    print(f"\ntop intervention = planted one in {hits} of {len(SCENARIOS)} scenarios")
    print(f"saturated learning curve and more_data outside the top three in {saturated_ok} of {saturated} scenarios")


if __name__ == "__main__":
    main()
