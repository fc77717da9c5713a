"""Pipeline attribution: a planted pipeline where stage 2 causes 60 % of failures; the ceiling table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import run_cli
from unstuck.components import attribute, ceiling_table, parse_ceilings, top_finding
from unstuck.errors import ColumnProblem, ConfigError

STAGES = ["capture", "detect", "align", "match"]


def planted_pipeline(seed: int = 0) -> pd.DataFrame:
    """1,000 examples, 200 end-to-end failures: first failing stage capture 40, detect 120 (60 %),
    align 10, match 30; a stage after a failure is wrong too (it ran on bad input), or not evaluated.
    Plus 15 rows where align erred but the match still came out right (recovered)."""
    rng = np.random.default_rng(seed)
    n = 1000
    first = np.full(n, -1)
    first[:200] = np.repeat([0, 1, 2, 3], [40, 120, 10, 30])
    ok = np.ones((n, 4), dtype=object)
    for i in range(200):
        ok[i, first[i]] = 0
        for j in range(first[i] + 1, 4):
            ok[i, j] = rng.choice([0, None])
    ok[200:215, 2] = 0
    frame = pd.DataFrame(ok, columns=STAGES)
    frame["correct"] = np.where(np.arange(n) < 200, "no", "yes")
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def test_stage_two_causes_sixty_percent_of_failures() -> None:
    result = attribute(planted_pipeline(), STAGES, outcome="correct")
    shares = {s.stage: s for s in result.stages}
    assert result.failures == 200 and result.accuracy == pytest.approx(0.8)
    assert shares["detect"].failures == 120 and shares["detect"].share == pytest.approx(0.6)
    assert [shares[s].failures for s in STAGES] == [40, 120, 10, 30]
    assert shares["detect"].gain_bound == pytest.approx(0.12)
    low, high = shares["detect"].share_interval
    assert low < 0.6 < high and high - low < 0.15
    assert result.unattributed == 0 and result.recovered == 15
    finding = top_finding(result)
    assert finding is not None and finding.evidence["stage"] == "detect"
    assert finding.expected_gain == pytest.approx(0.12)


def test_without_an_outcome_any_stage_failure_is_a_failure() -> None:
    result = attribute(planted_pipeline(), STAGES)
    assert result.failures == 215 and result.recovered == 0
    assert {s.stage: s.failures for s in result.stages}["align"] == 25


def test_ceiling_table_by_hand() -> None:
    ceilings = parse_ceilings(["capture=0.84", "detect=0.95", "match=0.99"], STAGES)
    rows = ceiling_table(0.80, ceilings, STAGES)
    assert [(r.stage, r.accuracy) for r in rows] == [
        ("overall", 0.8),
        ("capture", 0.84),
        ("detect", 0.95),
        ("match", 0.99),
    ]
    assert [round(r.gain, 10) for r in rows] == [0.0, 0.04, 0.11, 0.04]
    from dataclasses import replace

    result = replace(attribute(planted_pipeline(), STAGES, outcome="correct"), ceiling=rows)
    finding = top_finding(result)
    assert finding is not None and finding.evidence["stage"] == "detect"
    assert finding.expected_gain == pytest.approx(0.11)


def test_bad_inputs_are_user_errors() -> None:
    frame = planted_pipeline()
    with pytest.raises(ColumnProblem, match="'regist'"):
        attribute(frame, ["capture", "regist"])
    with pytest.raises(ColumnProblem, match="neither correct nor wrong"):
        attribute(frame.assign(capture="maybe"), STAGES)
    with pytest.raises(ConfigError, match="STAGE=ACCURACY"):
        parse_ceilings(["detect=1.7"], STAGES)


def test_components_command(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    planted_pipeline().to_csv(path, index=False)
    out = tmp_path / "components.json"
    done = run_cli(
        [
            "components",
            str(path),
            "--stages",
            ",".join(STAGES),
            "--outcome",
            "correct",
            "--ceiling",
            "capture=0.84",
            "--ceiling",
            "detect=0.95",
            "--json",
            str(out),
        ]
    )
    assert done.returncode == 0, done.stderr
    assert "detect" in done.stdout and "Ceiling analysis" in done.stdout and "60%" in done.stdout
    payload = json.loads(out.read_text())
    assert payload["schema"] == "unstuck.components/1"
    assert payload["findings"][0]["evidence"]["stage"] == "detect"
    bad = run_cli(["components", str(path), "--stages", "capture,nope"])
    assert bad.returncode == 2 and "'nope'" in bad.stderr and "Traceback" not in bad.stderr
    bad = run_cli(["components", str(path), "--stages", "capture,detect", "--ceiling", "detect"])
    assert bad.returncode == 2 and "STAGE=ACCURACY" in bad.stderr
