"""How often the top intervention is the planted one, and what applying it buys.

Usage::

    python benchmarks/advice_quality.py

Runs every planted scenario of ``tests/scenarios.py`` (real data shipped in
scikit-learn, one cause of error planted per scenario), and records:

* whether the report's bottleneck and top lever are the planted ones;
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


def main() -> None:
    print(
        "| scenario | planted | bottleneck found | top lever | match | top: dev error change | "
        "others (median, n) | seconds |"
    )
    print("|---|---|---|---|---|---:|---:|---:|")
    hits = 0
    for scenario in SCENARIOS:
        started = time.perf_counter()
        problem = scenario.build()
        report = diagnose_problem(problem)
        top = report.interventions[0].lever if report.interventions else "—"
        match = report.bottleneck == scenario.bottleneck and (top == scenario.lever or not scenario.lever)
        hits += match
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
                top_gain = f"{100 * gains[1]:+.2f} pts"
            rest = [g for rank, g in gains.items() if rank != 1]
            if rest:
                others = f"{100 * statistics.median(rest):+.2f} pts ({len(rest)})"
        seconds = time.perf_counter() - started
        print(
            f"| {scenario.name} | {scenario.bottleneck}/{scenario.lever or '—'} | {report.bottleneck} | {top} | "
            f"{'yes' if match else 'NO'} | {top_gain} | {others} | {seconds:.0f} |",
            flush=True,
        )
    print(f"\ntop intervention = planted one in {hits} of {len(SCENARIOS)} scenarios")


if __name__ == "__main__":
    main()
