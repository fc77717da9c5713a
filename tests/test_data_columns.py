"""Column problems, target leakage, outliers, personal data and rare classes, each planted and found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from unstuck.context import Context, SplitPredictions
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import RunResult, run_checks


def run(problem: Problem, name: str, ctx: Context | None = None) -> RunResult:
    return run_checks(problem, ctx or Context(problem), checks=[s for s in registered_checks() if s.name == name])


@pytest.fixture(scope="module")
def messy() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 3000
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "const": 1,
            "mostly_zero": np.where(np.arange(n) % 500 == 0, 1, 0),
            "cust": np.arange(n) * 7 + 3,
            "code": [f"C{i:06d}" for i in range(n)],
            "amount": np.where(np.arange(n) % 10 == 0, "N/A", rng.integers(0, 100, n).astype(str)).astype(object),
            "city": [f"city{i}" for i in rng.integers(0, 500, n)],
            "review": [f"some words about item {i}" for i in range(n)],
        }
    )
    frame["label"] = np.where(frame["a"] + rng.normal(scale=0.5, size=n) > 0, "yes", "no")
    income = rng.normal(size=n)
    income[(frame["label"] == "yes").to_numpy() & (rng.random(n) < 0.5)] = np.nan  # missing only for "yes"
    frame["income"] = income
    return frame


def test_column_problems_are_each_found(messy: pd.DataFrame) -> None:
    result = run(Problem.from_frames(messy, target="label"), "columns")
    section = result.sections["columns"]
    assert [c["column"] for c in section["constant"]] == ["const"]
    assert [c["column"] for c in section["near_constant"]] == ["mostly_zero"]
    assert sorted(c["column"] for c in section["id_like"]) == ["code", "cust"]  # free text "review" is not an id
    assert [c["column"] for c in section["high_cardinality"]] == ["city"]
    mixed = section["mixed_types"]
    assert [c["column"] for c in mixed] == ["amount"] and mixed[0]["non_numeric_values"] == ["N/A"]
    assert mixed[0]["numeric_share"] == pytest.approx(0.9, abs=0.01)
    assert [c["column"] for c in section["missing_predicts_target"]] == ["income"]
    severities = {f.id: f.severity for f in result.findings}
    assert severities["columns.id_like"] == "warning" and severities["columns.mixed_types"] == "warning"
    assert severities["columns.constant"] == "info" and severities["columns.missing"] == "info"


def test_a_feature_computed_from_the_target_is_critical_leakage(messy: pd.DataFrame) -> None:
    frame = messy[["a", "city", "label"]].copy()
    frame["refund_flag"] = np.where(frame["label"] == "yes", "Y", "N")
    result = run(Problem.from_frames(frame, target="label"), "target_leakage")
    assert [f.id for f in result.findings] == ["target_leakage.refund_flag"]
    finding = result.findings[0]
    assert finding.severity == "critical" and finding.lever == "fix_leakage" and finding.bottleneck == "leakage"
    assert finding.evidence["score"] == pytest.approx(1.0)
    top = {t["column"]: t["score"] for t in result.sections["target_leakage"]["top"]}
    assert 0.8 < top["a"] < 0.99  # a strong but honest feature is measured, not flagged


def test_regression_target_leakage_by_r2() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1500, 3))
    y = x[:, 0] + rng.normal(scale=1.0, size=1500)
    frame = pd.DataFrame(x, columns=["f0", "f1", "f2"]).assign(y=y, y_in_cents=np.round(y * 100))
    result = run(Problem.from_frames(frame, target="y", task="regression"), "target_leakage")
    assert [f.id for f in result.findings] == ["target_leakage.y_in_cents"]
    assert result.findings[0].evidence["measure"] == "R²"


def test_outlier_row_tops_the_isolation_forest() -> None:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.normal(size=(800, 4)), columns=list("abcd"))
    frame["rid"] = [f"r{i}" for i in range(800)]
    frame["label"] = np.where(frame["a"] > 0, 1, 0)
    frame.loc[17, ["b", "c"]] = [40.0, -35.0]
    problem = Problem.from_frames(frame.iloc[:600], dev=frame.iloc[600:], target="label", id_column="rid")
    result = run(problem, "outliers")
    section = result.sections["outliers"]
    assert section["top"][0]["row"] == "r17"
    assert 0.0 <= section["beyond_train_tail"]["dev"] <= 0.05
    assert result.findings[0].severity == "info"


def test_personal_data_is_counted_per_column_and_masked() -> None:
    n = 300
    frame = pd.DataFrame(
        {
            "x": np.linspace(-1, 1, n),
            "contact": [f"user{i}@mail.example.com" if i % 10 == 0 else "none" for i in range(n)],
            "payment": ["4111 1111 1111 1111" if i % 30 == 0 else "4111 1111 1111 1112" for i in range(n)],
            "account": ["GB82 WEST 1234 5698 7654 32" if i % 50 == 0 else "" for i in range(n)],
            "note": [f"call +44 20 7946 {i:04d}" if i % 25 == 0 else "ok" for i in range(n)],
            "date": ["2024-01-15"] * n,
        }
    )
    frame["label"] = np.where(frame["x"] > 0, "a", "b")
    result = run(Problem.from_frames(frame, target="label"), "privacy")
    columns = result.sections["privacy"]["columns"]
    assert columns["contact"]["kinds"]["email"]["rows"] == 30
    assert columns["payment"]["kinds"]["card"]["rows"] == 10  # the Luhn-invalid numbers do not count
    assert columns["account"]["kinds"]["iban"]["rows"] == 6
    assert columns["note"]["kinds"]["phone"]["rows"] == 12
    assert "date" not in columns and "x" not in columns
    finding = result.findings[0]
    assert finding.severity == "warning"
    text = str(finding.to_dict())
    assert "user0@mail.example.com" not in text and "4111 1111 1111 1111" not in text


def test_rare_class_the_model_fails_on_is_targeted_data_with_its_gain() -> None:
    rng = np.random.default_rng(3)
    n_dev = 1000
    y_dev = np.array(["a"] * 480 + ["b"] * 480 + ["r"] * 40)
    y_pred = y_dev.copy()
    y_pred[:10] = "b"  # 10 errors among 960 common rows
    y_pred[960:990] = "a"  # 30 of 40 rare rows wrong
    train = pd.DataFrame({"x": rng.normal(size=2000), "y": ["a"] * 960 + ["b"] * 960 + ["r"] * 80})
    dev = pd.DataFrame({"x": rng.normal(size=n_dev), "y": y_dev})
    problem = Problem.from_frames(train, dev=dev, train_dev=train.iloc[:10], target="y")
    ctx = Context(problem)
    ctx.__dict__["predictions"] = {"dev": SplitPredictions(y_dev, y_pred, None, problem.classes, dev)}
    result = run(problem, "imbalance", ctx)
    assert [f.id for f in result.findings] == ["imbalance.rare_class.r"]
    finding = result.findings[0]
    assert finding.lever == "targeted_data" and finding.bottleneck == "underrepresented_slice"
    assert finding.evidence["dev_error"] == pytest.approx(0.75)
    assert finding.evidence["dev_error_rest"] == pytest.approx(10 / 960)
    assert finding.expected_gain == pytest.approx((0.75 - 10 / 960) * 40 / 1000)


def test_a_rare_class_that_dev_has_far_more_of_is_credited_with_its_share_of_train_only() -> None:
    # 'r' is 5% of train and 40% of dev (the class priors shifted); the model fails on it on
    # train-dev as on dev. Rarity costs 5% of rows' worth of error where it was measured (train's
    # distribution); the other 35% of dev rows it fails on come with the shift, the mismatch's.
    rng = np.random.default_rng(4)
    y_dev = np.array(["a"] * 600 + ["r"] * 400)
    y_pred = np.where(y_dev == "r", "a", y_dev)  # every rare row wrong, every other right
    train = pd.DataFrame({"x": rng.normal(size=2000), "y": ["a"] * 1900 + ["r"] * 100})
    dev = pd.DataFrame({"x": rng.normal(size=1000), "y": y_dev})
    problem = Problem.from_frames(train, dev=dev, target="y")
    ctx = Context(problem)
    ctx.__dict__["predictions"] = {"dev": SplitPredictions(y_dev, y_pred, None, problem.classes, dev)}
    held_out = np.array(["a"] * 380 + ["r"] * 20)
    ctx.__dict__["train_dev_predictions"] = SplitPredictions(
        held_out, np.full(400, "a"), None, problem.classes, train.iloc[:400]
    )
    (finding,) = run(problem, "imbalance", ctx).findings
    assert finding.evidence["dev_error"] == 1.0 and finding.evidence["train_dev_error"] == 1.0
    assert finding.expected_gain == pytest.approx(1.0 * 100 / 2000)  # not 1.0 * 400 / 1000
