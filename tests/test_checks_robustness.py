"""The contract every registered check keeps, continued: inputs untouched, degenerate inputs, sections.

Like scikit-learn's ``check_estimator``, these run over EVERY registered check (present and future):

* a check leaves its inputs as it found them: the problem's frames, predictions and tags, and every
  measurement the context shares (compared by content hash before and after the check runs on a
  context whose measurements were all computed beforehand);
* on degenerate inputs (one dev row per class, a class with a single train row, an all-missing
  column, a constant target) a check gives a result, skips itself with a reason, or the input is
  refused with an ``UnstuckError``; it never crashes (a ``failed:`` entry);
* the same seed gives the same section, not only the same findings (wall-clock timings aside);
* a typed section reads back into its type, and its JSON validates against the schema generated
  from that type.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest

from test_checks_contract import predictions_problem, regression_data_problem, training_logs_problem
from unstuck.context import Context
from unstuck.errors import UnstuckError
from unstuck.measured import from_json, json_schema, to_json
from unstuck.pipeline import load_problem
from unstuck.problem import Problem
from unstuck.registry import CheckSpec, SkipCheck, registered_checks
from unstuck.runner import run_checks

CHECKS = registered_checks()


def _table(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Two classes that x1, x2 and color decide, with missing values in x2 (as the ``tabular`` fixture)."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    logit = 2.0 * x1 - 1.5 * x2 + np.where(color == "red", 1.0, 0.0)
    label = np.where(logit + rng.normal(scale=0.5, size=n) > 0, "yes", "no")
    x2[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({"x1": x1, "x2": x2, "color": color, "noise": rng.normal(size=n), "label": label})


def classification_problem(seed: int = 0) -> Problem:
    frame = _table()
    return load_problem(
        frame.iloc[:400], dev=frame.iloc[400:500], test=frame.iloc[500:], target="label", seed=seed, human_error=0.05
    )


#: Problems on which every check's inputs-untouched contract is checked (module-scoped: built once).
PLANTED: dict[str, Callable[[], Problem]] = {
    "classification data": classification_problem,
    "regression data": regression_data_problem,
    "classification predictions": predictions_problem,
    "training logs": training_logs_problem,
}


def _shared_names() -> list[str]:
    return [name for name, value in vars(Context).items() if isinstance(value, cached_property)]


def _warm(ctx: Context) -> None:
    """Compute every shared measurement the context can give, so a check only reads them."""
    for name in _shared_names():
        try:
            getattr(ctx, name)
        except SkipCheck:
            pass
        except Exception:  # a measurement this problem cannot have (no dev slices, ...) is not shared
            pass


def _fingerprint(problem: Problem, ctx: Context) -> dict[str, str]:
    """A content hash of each input: frames, predictions, tags, notes, and each computed shared measurement."""
    out = {f"frame {name}": joblib.hash(frame) for name, frame in problem.frames.items()}
    out["predictions"] = joblib.hash(problem.predictions)
    out["tags"] = joblib.hash(problem.tags)
    out["notes"] = joblib.hash(dict(problem.notes))
    out["classes"] = joblib.hash(problem.classes)
    for name in _shared_names():
        if ctx.computed(name):
            out[f"context {name}"] = joblib.hash(getattr(ctx, name))
    return out


@pytest.fixture(scope="module")
def warmed() -> Iterator[dict[str, tuple[Problem, Context]]]:
    """Each planted problem with a context whose shared measurements are all computed."""
    contexts = {}
    for name, build in PLANTED.items():
        problem = build()
        ctx = Context(problem)
        _warm(ctx)
        contexts[name] = (problem, ctx)
    yield contexts


@pytest.mark.parametrize("spec", CHECKS, ids=lambda s: s.name)
def test_a_check_leaves_its_inputs_and_the_shared_context_untouched(
    spec: CheckSpec, warmed: dict[str, tuple[Problem, Context]]
) -> None:
    ran = []
    for name, (problem, ctx) in warmed.items():
        if any(r not in problem.inputs for r in spec.requires):
            continue
        before = _fingerprint(problem, ctx)
        run = run_checks(problem, ctx, checks=[spec])
        after = _fingerprint(problem, ctx)
        changed = sorted(k for k in before if after.get(k) != before[k])
        assert not changed, f"{spec.name} changed {changed} of the {name} problem"
        if not run.skipped:
            ran.append(name)
    assert ran, f"{spec.name} ran on no planted problem here"


def _one_dev_row_per_class() -> Problem:
    frame = _table()
    dev = pd.concat([frame[frame["label"] == c].iloc[:1] for c in ("yes", "no")])
    return load_problem(frame.iloc[:400], dev=dev, test=frame.iloc[500:], target="label")


def _one_train_row_of_a_class() -> Problem:
    frame = _table()
    frame["label"] = np.where(frame.index % 3 == 0, "a", frame["label"])
    train = frame.iloc[:400]
    lone = train[train["label"] == "a"].index[1:]
    return load_problem(train.drop(index=lone), dev=frame.iloc[400:500], test=frame.iloc[500:], target="label")


def _all_missing_column() -> Problem:
    frame = _table()
    frame["empty"] = np.nan
    return load_problem(frame.iloc[:400], dev=frame.iloc[400:500], test=frame.iloc[500:], target="label")


def _column_missing_but_once() -> Problem:
    frame = _table()
    frame["sparse"] = np.nan
    frame.loc[3, "sparse"] = 1.0
    return load_problem(frame.iloc[:400], dev=frame.iloc[400:500], test=frame.iloc[500:], target="label")


def _constant_target() -> Problem:
    frame = _table()
    frame["label"] = "yes"
    return load_problem(frame.iloc[:400], dev=frame.iloc[400:500], test=frame.iloc[500:], target="label")


def _constant_regression_target() -> Problem:
    frame = _table().drop(columns="label")
    frame["y"] = 1.0
    return load_problem(frame.iloc[:400], dev=frame.iloc[400:500], test=frame.iloc[500:], target="y", task="regression")


DEGENERATE: dict[str, Callable[[], Problem]] = {
    "one dev row per class": _one_dev_row_per_class,
    "one train row of a class": _one_train_row_of_a_class,
    "an all-missing column": _all_missing_column,
    "a column missing on all rows but one": _column_missing_but_once,
    "a constant target": _constant_target,
    "a constant regression target": _constant_regression_target,
}


@pytest.fixture(scope="module")
def degenerate() -> dict[str, Problem | UnstuckError]:
    """Each degenerate problem, or the UnstuckError that refused it."""
    built: dict[str, Problem | UnstuckError] = {}
    for name, build in DEGENERATE.items():
        try:
            built[name] = build()
        except UnstuckError as exc:
            built[name] = exc
    return built


def test_most_degenerate_problems_reach_the_checks(degenerate: dict[str, Problem | UnstuckError]) -> None:
    """The degenerate cases are not all refused up front, or the test below would check nothing."""
    reached = [name for name, problem in degenerate.items() if isinstance(problem, Problem)]
    assert {"one dev row per class", "one train row of a class", "a column missing on all rows but one"} <= set(reached)
    refused = {name: str(problem) for name, problem in degenerate.items() if isinstance(problem, UnstuckError)}
    assert "hold no values at all" in refused["an all-missing column"]


@pytest.mark.parametrize("spec", CHECKS, ids=lambda s: s.name)
def test_degenerate_inputs_give_a_result_or_a_reason_never_a_crash(
    spec: CheckSpec, degenerate: dict[str, Problem | UnstuckError]
) -> None:
    for name, problem in degenerate.items():
        if isinstance(problem, UnstuckError):
            continue  # refused at the boundary with a message and a fix: the check never sees it
        try:
            run = run_checks(problem, Context(problem), checks=[spec])
        except UnstuckError:
            continue
        crashed = [s.reason for s in run.skipped if s.reason.startswith("failed")]
        assert not crashed, f"{spec.name} crashed on {name}: {crashed}"


def _without_timings(value: Any) -> Any:
    """``value`` without the wall-clock seconds a section may carry (they differ from run to run)."""
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if not k.endswith("seconds")}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


@pytest.mark.parametrize("spec", CHECKS, ids=lambda s: s.name)
def test_same_seed_same_section_and_typed_sections_round_trip(
    spec: CheckSpec, warmed: dict[str, tuple[Problem, Context]]
) -> None:
    import jsonschema

    for name, build in PLANTED.items():
        problem, ctx = warmed[name]
        if any(r not in problem.inputs for r in spec.requires):
            continue
        one = run_checks(problem, ctx, checks=[spec])
        fresh = build()
        two = run_checks(fresh, Context(fresh), checks=[spec])
        assert _without_timings(one.sections) == _without_timings(two.sections), (spec.name, name)
        section = one.sections.get(spec.name)
        if section is None:
            continue
        document = json.loads(json.dumps(section))
        if spec.result is not None:
            typed = from_json(spec.result, document, strict=True)
            assert to_json(typed) == document
            jsonschema.validate(document, json_schema(spec.result))
        assert spec.read_section(document) is not None
