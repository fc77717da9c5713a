"""``unstuck cost`` end to end: the worked example of the cost curve, hand-checked numbers, JSON schema, bad options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unstuck.schemas import validate

EXAMPLE = [
    "cost", "--api-input-price", "2.50", "--api-output-price", "10", "--tokens-in", "800", "--tokens-out", "150",
    "--requests", "50000", "--growth", "0.3", "--budget", "20000", "--small-model-hourly", "1.2",
    "--throughput", "40",
]  # fmt: skip


def test_the_issue_example_by_hand(tmp_path: Path, cli) -> None:
    out = tmp_path / "c.json"
    result = cli([*EXAMPLE, "--json", str(out)])
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    validate(report, "cost-1")
    cost = report["cost"]
    # (800 × 2.50 + 150 × 10) / 1e6
    assert cost["api"]["cost_per_request"] == pytest.approx(0.0035)
    assert cost["months"][0]["api"] == pytest.approx(175)
    # one $1.20 instance all month: 1.2 × 730
    assert cost["months"][0]["small_model"] == pytest.approx(876)
    # month 19: 50,000 × 1.3^18 × 0.0035 = $19,680 ≤ 20,000; month 20: × 1.3 = $25,584 > 20,000
    assert cost["budget_crossing"]["month"] == 20 and cost["budget_crossing"]["months_ahead"] == 19
    # cumulative API after m months: 175 × (1.3^m − 1) / 0.3 — 7,459 at 10 < 8,760; 9,870 at 11 ≥ 9,636
    assert cost["break_even"]["month"] == 11
    # c q = 0.0035 × 40 × 0.5 × 2,628,000 = 183,960 > s = 876: r < 2, V* = s / c
    assert cost["break_even"]["run_rate_volume"] == pytest.approx(876 / 0.0035)
    assert "month 20" in result.stdout and "month 11" in result.stdout
    assert "One-off cost is 0" in result.stdout


def test_a_volume_series_and_a_cascade(tmp_path: Path, cli) -> None:
    out = tmp_path / "c.json"
    args = [
        *EXAMPLE[:9],
        "--volumes",
        "1000000,2000000",
        "--small-model-hourly",
        "1.2",
        "--throughput",
        "40",
        "--coverage",
        "0.5",
        "--engineering-days",
        "2",
        "--daily-rate",
        "500",
        "--json",
        str(out),
        "--quiet",
    ]
    result = cli(args)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    cost = json.loads(out.read_text())["cost"]
    assert [m["requests"] for m in cost["months"]] == [1_000_000, 2_000_000]
    # month 1: 876 + 0.5 × 3,500 + one-off 1,000
    assert cost["months"][0]["cascade"] == pytest.approx(876 + 1750 + 1000)
    assert cost["volume"]["source"] == "series"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["cost"], "needs --api-input-price, --api-output-price, --small-model-hourly, --throughput"),
        ([*EXAMPLE[:5], "--small-model-hourly", "1", "--throughput", "1", "--requests", "10"], "No token counts"),
        ([*EXAMPLE[:9], "--small-model-hourly", "1", "--throughput", "1"], "No request volume"),
        ([*EXAMPLE[:9], "--small-model-hourly", "1", "--throughput", "1", "--volumes", "1e6,lots"], "--volumes"),
        ([*EXAMPLE, "--utilisation", "1.5"], "utilisation"),
        ([*EXAMPLE, "--growth", "-2"], "growth"),
        ([*EXAMPLE, "--coverage", "2"], "coverage"),
    ],
)
def test_bad_options_exit_2_without_traceback(args: list[str], words: str, cli) -> None:
    result = cli(args)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr
