"""Within budget: latency percentiles from running the user's command, and the cost they imply.

**Latency.** The user's command (``--latency-command``) is run ``latency_runs`` times, one
after another, without a shell; each run is one request and its wall-clock time is its
latency. p50, p95 and p99 are compared with the card's ``latency_p50_ms`` /
``latency_p95_ms`` / ``latency_p99_ms``. With ``{row}`` in the command, each run is given
one test row sampled at random, as a one-row CSV file. A command that fails or cannot start
is bad input.

**Cost.** With an instance price (``gate.instance_hourly``), the measured mean latency
sets one instance's throughput (1 / mean latency, one request at a time) and
:mod:`unstuck.cost.model` turns it into instances and a monthly serving bill at the card's
``requests_per_month`` (at the cost model's default utilisation), hence the cost per request
and the cost curve at ¼×, ½×, 1×, 2× and 4× that volume. It fails against
``max_cost_per_request`` or the card's ``constraints.budget_per_month``.
"""

from __future__ import annotations

import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.errors import ConfigError, FileProblem
from unstuck.gate.condition import FAIL, NOT_CHECKED, PASS, GateCondition
from unstuck.gate.settings import GateSettings

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Latency", "cost_condition", "latency_condition", "measure_latency"]

FAMILY = "budget"
RUN_TIMEOUT_S = 120.0
#: In the latency command, replaced by the path of a one-row CSV of a sampled test row.
ROW_PLACEHOLDER = "{row}"
CURVE_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)
WHY_LATENCY = "a model slower than its latency budget breaks the product around it, however accurate it is"
WHY_COST = "a model whose serving bill exceeds the budget cannot stay in production at the expected volume"


@dataclass(frozen=True)
class Latency:
    """Wall-clock milliseconds of each run, and their percentiles."""

    runs_ms: tuple[float, ...]

    def percentile(self, q: float) -> float:
        return float(np.percentile(np.asarray(self.runs_ms), q))

    @property
    def mean_ms(self) -> float:
        return float(np.mean(self.runs_ms))

    def to_dict(self) -> dict[str, Any]:
        return {
            "runs": len(self.runs_ms),
            "p50_ms": self.percentile(50),
            "p95_ms": self.percentile(95),
            "p99_ms": self.percentile(99),
            "mean_ms": self.mean_ms,
            "runs_ms": list(self.runs_ms),
        }


def measure_latency(command: str, runs: int, sample: pd.DataFrame | None = None, *, seed: int = 0) -> Latency:
    """Run ``command`` (split like a shell would, but run without one) ``runs`` times; time each run.

    When the command holds ``{row}`` and ``sample`` (feature rows, e.g. the test rows) is given,
    each run gets one row drawn at random (seeded) from it, written as a one-row CSV whose path
    replaces ``{row}``: the request is a real example, not the same one every time.
    """
    import tempfile

    argv = shlex.split(command)
    if not argv:
        raise ConfigError("The latency command is empty.", 'Pass --latency-command "python serve_bench.py".')
    uses_row = any(ROW_PLACEHOLDER in a for a in argv)
    if uses_row and (sample is None or len(sample) == 0):
        raise ConfigError(
            f"The latency command holds {ROW_PLACEHOLDER} but there are no rows to give it.",
            "Give the predictions file feature columns, or drop {row} from the command.",
        )
    picks: list[int] = []
    if uses_row and sample is not None:
        picks = np.random.default_rng(seed).integers(0, len(sample), size=runs).tolist()
    times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="unstuck-latency-") as folder:
        for i in range(runs):
            args = argv
            if uses_row and sample is not None:
                path = Path(folder) / f"row-{i}.csv"
                sample.iloc[[picks[i]]].to_csv(path, index=False)
                args = [a.replace(ROW_PLACEHOLDER, str(path)) for a in argv]
            times.append(_time_one(args))
    return Latency(tuple(times))


def _time_one(argv: list[str]) -> float:
    """Milliseconds one run of ``argv`` takes; a run that fails or hangs is bad input."""
    start = time.perf_counter()
    try:
        done = subprocess.run(argv, capture_output=True, timeout=RUN_TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise FileProblem(
            f"The latency command '{argv[0]}' was not found.", "Check the command and the PATH it runs with."
        ) from None
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"The latency command ran longer than {RUN_TIMEOUT_S:.0f} s for one request.",
            "Make it serve one request per run (for example one batch of one row).",
        ) from None
    elapsed = (time.perf_counter() - start) * 1000.0
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise ConfigError(
            f"The latency command exited with code {done.returncode}: {tail[0]}",
            "Fix the command so that it serves one request and exits 0.",
        )
    return elapsed


def latency_condition(latency: Latency | None, settings: GateSettings) -> GateCondition:
    """Measured percentiles against the card's latency budget."""
    name = "latency"
    if latency is None:
        return GateCondition(name, FAMILY, NOT_CHECKED, "not checked: no --latency-command to time", WHY_LATENCY)
    measured = latency.to_dict()
    said = (
        f"p50 {measured['p50_ms']:.0f} ms, p95 {measured['p95_ms']:.0f} ms, p99 {measured['p99_ms']:.0f} ms "
        f"over {len(latency.runs_ms)} runs"
    )
    budgets = {
        q: b
        for q, b in (
            ("p50", settings.latency_p50_ms),
            ("p95", settings.latency_p95_ms),
            ("p99", settings.latency_p99_ms),
        )
        if b is not None
    }
    if not budgets:
        return GateCondition(
            name,
            FAMILY,
            NOT_CHECKED,
            f"{said}; not checked: the card sets no latency budget (gate.latency_p95_ms)",
            WHY_LATENCY,
            detail=measured,
        )
    over = {q: b for q, b in budgets.items() if measured[f"{q}_ms"] > b}
    key = next(iter(over), "p95" if "p95" in budgets else next(iter(budgets)))
    summary = said + (
        "; over budget: " + ", ".join(f"{q} {measured[f'{q}_ms']:.0f} ms > {b:g} ms" for q, b in over.items())
        if over
        else "; within budget (" + ", ".join(f"{q} ≤ {b:g} ms" for q, b in budgets.items()) + ")"
    )
    return GateCondition(
        name,
        FAMILY,
        FAIL if over else PASS,
        summary,
        WHY_LATENCY,
        measured=measured[f"{key}_ms"],
        threshold=budgets[key],
        detail={**measured, "budget_ms": budgets},
    )


def cost_condition(latency: Latency | None, settings: GateSettings) -> GateCondition:
    """Cost per request and the monthly bill at the card's volume, against its limits."""
    from unstuck.cost.model import SmallModelCosts, instances_needed, serving_bill

    name = "cost"
    if latency is None:
        return GateCondition(name, FAMILY, NOT_CHECKED, "not checked: no --latency-command to measure", WHY_COST)
    if settings.instance_hourly is None or settings.requests_per_month is None:
        return GateCondition(
            name,
            FAMILY,
            NOT_CHECKED,
            "not checked: the card gives no gate.instance_hourly and gate.requests_per_month",
            WHY_COST,
        )
    small_model = SmallModelCosts(instance_hourly=settings.instance_hourly, throughput=1000.0 / latency.mean_ms)
    volume = settings.requests_per_month
    bill = serving_bill(volume, small_model)
    per_request = bill / volume if volume > 0 else float("nan")
    curve = [
        {
            "requests_per_month": volume * f,
            "instances": instances_needed(volume * f, small_model),
            "monthly_bill": serving_bill(volume * f, small_model),
        }
        for f in CURVE_FACTORS
    ]
    limits = {}
    if settings.max_cost_per_request is not None:
        limits["cost_per_request"] = (per_request, settings.max_cost_per_request)
    if settings.budget_per_month is not None:
        limits["monthly_bill"] = (bill, settings.budget_per_month)
    said = (
        f"{instances_needed(volume, small_model)} instance(s) at {settings.instance_hourly:g}/hour serve {volume:,.0f} "
        f"requests a month at {latency.mean_ms:.0f} ms each: {bill:,.2f} a month, {per_request:.3g} per request"
    )
    detail = {
        "cost_per_request": per_request,
        "monthly_bill": bill,
        "throughput_per_instance": small_model.throughput,
        "utilisation": small_model.utilisation,
        "curve": curve,
    }
    if not limits:
        return GateCondition(
            name,
            FAMILY,
            NOT_CHECKED,
            f"{said}; not checked: no gate.max_cost_per_request or constraints.budget_per_month",
            WHY_COST,
            detail=detail,
        )
    over = [k for k, (value, limit) in limits.items() if value > limit]
    key = over[0] if over else next(iter(limits))
    summary = said + (
        "; over: " + ", ".join(f"{k.replace('_', ' ')} {limits[k][0]:.3g} > {limits[k][1]:.3g}" for k in over)
        if over
        else "; within budget"
    )
    return GateCondition(
        name,
        FAMILY,
        FAIL if over else PASS,
        summary,
        WHY_COST,
        measured=limits[key][0],
        threshold=limits[key][1],
        detail={**detail, "limits": {k: {"value": v, "limit": lim} for k, (v, lim) in limits.items()}},
    )
