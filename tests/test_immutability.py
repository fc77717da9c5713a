"""Frozen means frozen: a finding, a report or a problem cannot be changed after it is built.

A frozen dataclass refuses ``report.sections = {}`` but not ``report.sections["a"] = {}``. Here a
caller tries the second kind (into evidence, sections, errors, nested dicts and lists, a problem's
tables) and fails, or changes only its own copy; the JSON written from a read-only report is byte
for byte the JSON of the plain dicts and lists it was built from.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import operator
import pickle
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest

import unstuck.frozen
from render_helpers import SNAPSHOTS, fixture_report
from unstuck.cli.report import write_report_json
from unstuck.context import Context
from unstuck.findings import Finding, Report
from unstuck.pipeline import load_problem
from unstuck.problem import Problem
from unstuck.registry import CheckResult, CheckSpec
from unstuck.runner import run_checks


def _finding() -> Finding:
    return Finding(
        id="planted.one",
        check="planted",
        severity="info",
        title="planted",
        evidence={"rows": [1, 2], "by_class": {"a": {"count": 3}}, "examples": [{"row": 0, "x": 1.5}]},
    )


def _problem() -> Problem:
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=200), "label": np.where(x > 0, "yes", "no")})
    return load_problem(frame.iloc[:150], dev=frame.iloc[150:], target="label", seed=0)


# ------------------------------------------------------------------ findings and reports


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.evidence.__setitem__("x", 1),
        lambda f: f.evidence.__delitem__("rows"),
        lambda f: f.evidence["by_class"].__setitem__("b", {}),
        lambda f: f.evidence["by_class"]["a"].__setitem__("count", 4),
        lambda f: f.evidence["examples"][0].__setitem__("x", 0.0),
        lambda f: f.evidence["rows"].append(3),
        lambda f: f.evidence["rows"].__setitem__(0, 9),
        lambda f: f.evidence.update({"x": 1}),
        lambda f: setattr(f.evidence, "_items", {}),
    ],
    ids=["set", "delete", "nested set", "deeper set", "a dict in a list", "append", "list item", "update", "swap"],
)
def test_a_findings_evidence_cannot_be_changed(change: Any) -> None:
    finding = _finding()
    before = finding.to_dict()
    with pytest.raises((TypeError, AttributeError)):
        change(finding)
    assert finding.to_dict() == before


def test_a_finding_keeps_its_own_copy_of_what_it_was_built_with() -> None:
    evidence: dict[str, Any] = {"rows": [1, 2], "nested": {"a": 1}, "array": np.arange(3)}
    finding = Finding(id="x", severity="info", title="x", evidence=evidence)
    evidence["rows"].append(3)
    evidence["nested"]["a"] = 2
    evidence["array"][0] = 7
    evidence["new"] = True
    assert finding.evidence["rows"] == [1, 2] and finding.evidence["nested"] == {"a": 1}
    assert finding.evidence["array"].tolist() == [0, 1, 2] and "new" not in finding.evidence
    with pytest.raises(ValueError, match="read-only"):
        finding.evidence["array"][0] = 7


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.sections.__setitem__("a", {}),
        lambda r: r.sections["baselines"].__setitem__("best", "planted"),
        lambda r: r.sections["baselines"]["rungs"][0].__setitem__("name", "planted"),
        lambda r: r.errors.__setitem__("dev", 0.0),
        lambda r: r.decomposition.__setitem__("variance", 0.0),
        lambda r: r.intervals["dev"].__setitem__(0, 0.0),
        lambda r: r.metric.__setitem__("name", "rmse"),
        lambda r: r.splits.__setitem__("dev", 1),
        lambda r: r.inferred.__setitem__("task", "regression"),
        lambda r: r.findings[0].evidence.__setitem__("x", 1),
    ],
    ids=["section", "in a section", "in a section's list", "errors", "decomposition", "intervals", "metric", "splits",
         "inferred", "a finding's evidence"],
)  # fmt: skip
def test_a_report_cannot_be_changed_after_it_is_built(change: Any) -> None:
    report = fixture_report()
    before = json.dumps(report.to_dict())
    with pytest.raises((TypeError, AttributeError)):
        change(report)
    assert json.dumps(report.to_dict()) == before


def test_a_read_only_list_compares_as_the_list_it_was_built_from() -> None:
    rows = _finding().evidence["rows"]
    assert rows == [1, 2] and operator.eq([1, 2], rows) and rows == (1, 2)  # either side
    assert rows != [2, 1] and operator.ne(rows, [1, 2]) is False and rows != [1, 2, 3]
    assert _finding().evidence["examples"] == [{"row": 0, "x": 1.5}]  # nested: a list of dicts
    assert json.dumps(rows) == "[1, 2]"


def test_to_dict_gives_plain_dicts_and_lists_that_the_caller_may_change() -> None:
    report = fixture_report()
    document = report.to_dict()
    pending = [document]
    while pending:
        value = pending.pop()
        assert type(value) in (dict, list, str, int, float, bool, type(None)), type(value)
        if isinstance(value, dict):
            pending += value.values()
        elif isinstance(value, list):
            pending += value
    document["sections"]["planted"] = {}
    assert "planted" not in report.sections  # a copy: changing it leaves the report as it was
    assert type(report.findings[0].to_dict()["evidence"]) is dict


def test_the_json_of_a_real_diagnosis_is_byte_for_byte_what_its_plain_dicts_give() -> None:
    """The snapshot is a real digits diagnosis; read into a (read-only) report and written back, every
    value and every list comes out as it went in (only the keys the snapshot predates are added)."""
    plain = json.loads((SNAPSHOTS / "report.json").read_text(encoding="utf-8"))
    report = Report.from_dict(plain)
    document = report.to_dict()
    added: dict[str, Any] = {"notices": [], "budget": {}, "timings": {}}
    expected = {key: plain[key] if key in plain else added[key] for key in document}
    assert json.dumps(document, indent=2) == json.dumps(expected, indent=2)


def test_the_cli_writes_the_same_bytes_for_a_report_read_back(tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    write_report_json(fixture_report(), first)
    write_report_json(Report.from_dict(json.loads(first.read_text(encoding="utf-8"))), second)
    assert first.read_bytes() == second.read_bytes()


def test_a_read_only_report_still_copies_pickles_and_compares() -> None:
    report = fixture_report()
    for copied in (copy.deepcopy(report), pickle.loads(pickle.dumps(report)), Report.from_dict(report.to_dict())):
        assert copied == report
        assert json.dumps(copied.to_dict()) == json.dumps(report.to_dict())
    assert dataclasses.asdict(report)["sections"] == report.sections
    # a changed copy is built from the read-only one, which stays as it was
    changed = dataclasses.replace(report, sections={**report.sections, "planted": {"rows": [1]}})
    assert changed.sections["planted"] == {"rows": [1]} and "planted" not in report.sections


# ------------------------------------------------------------------ a problem's tables


def test_a_problem_maps_no_new_table_and_no_new_note() -> None:
    problem = _problem()
    with pytest.raises(TypeError):
        problem.frames["planted"] = problem.frames["train"]  # type: ignore[index]
    with pytest.raises(TypeError):
        problem.notes["planted"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    "write",
    [
        lambda f: f.__setitem__("x", 0.0),
        lambda f: f.loc.__setitem__((0, "x"), 99.0),
        lambda f: f.iloc.__setitem__((slice(None), 0), 0.0),
        lambda f: f.pop("noise"),
        lambda f: f.__delitem__("x"),
        lambda f: f.__setitem__("planted", 1),
        lambda f: setattr(f, "columns", [f"c{k}" for k in range(f.shape[1])]),
        lambda f: setattr(f, "index", f.index + 1),
        lambda f: f["x"].to_numpy().__setitem__(0, 5.0),
    ],
    ids=["column", "loc", "iloc", "pop", "del", "new column", "rename", "reindex", "through numpy"],
)
def test_writing_into_a_problems_table_never_reaches_the_shared_one(write: Any) -> None:
    problem = _problem()
    before = joblib.hash(problem.frames["train"])
    with contextlib.suppress(ValueError):  # NumPy's "assignment destination is read-only"
        write(problem.frames["train"])
    assert joblib.hash(problem.frames["train"]) == before


def test_a_check_that_writes_into_its_table_leaves_the_next_check_the_original() -> None:
    problem = _problem()
    seen: list[float] = []

    def vandal(problem: Problem, ctx: Context) -> CheckResult:
        frame = problem.frames["train"]
        frame.loc[:, "x"] = 0.0
        frame["label"] = "planted"
        return CheckResult()

    def reader(problem: Problem, ctx: Context) -> CheckResult:
        seen.append(float(problem.frames["train"]["x"].abs().sum()))
        assert set(problem.frames["train"]["label"]) == {"yes", "no"}
        return CheckResult()

    run = run_checks(problem, Context(problem), checks=[CheckSpec("vandal", vandal), CheckSpec("reader", reader)])
    assert not run.failed and seen and seen[0] > 0


def test_handing_out_a_table_copies_no_data_under_copy_on_write() -> None:
    """Cheap on a million rows: the copy shares the columns until someone writes."""
    problem = _problem()
    one, two = problem.frames["train"], problem.frames["train"]
    assert one is not two
    assert np.shares_memory(one["x"].to_numpy(), two["x"].to_numpy())


def test_without_copy_on_write_each_table_handed_out_is_a_full_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    """pandas 2 with copy-on-write off shares the columns of a shallow copy both ways: there a deep copy."""
    problem = _problem()
    monkeypatch.setattr(unstuck.frozen, "_copy_on_write", lambda: False)
    one, two = problem.frames["train"], problem.frames["train"]
    assert not np.shares_memory(one["x"].to_numpy(), two["x"].to_numpy())


def test_a_problem_with_read_only_tables_still_pickles_and_replaces() -> None:
    problem = _problem()
    copied = pickle.loads(pickle.dumps(problem))
    pd.testing.assert_frame_equal(copied.frames["dev"], problem.frames["dev"])
    replaced = dataclasses.replace(problem, human_error=0.01)
    assert list(replaced.frames) == list(problem.frames) and replaced.notes == problem.notes


def _predictions_problem() -> Problem:
    from conftest import planted_predictions

    problem = Problem.from_predictions(planted_predictions({"train": 0.05, "dev": 0.1}, n=200))
    tags = pd.DataFrame({"row": [0, 1], "tags": [("glare",), ("blur", "glare")]})
    return dataclasses.replace(problem, tags=tags)


@pytest.mark.parametrize("table", ["predictions", "tags"])
@pytest.mark.parametrize(
    "write",
    [
        lambda f: f.__setitem__(f.columns[0], 0),
        lambda f: f.iloc.__setitem__((0, 0), 99),
        lambda f: f.__setitem__("planted", 1),
        lambda f: f.pop(f.columns[-1]),
        lambda f: setattr(f, "index", f.index + 1),
        lambda f: f[f.columns[0]].to_numpy().__setitem__(0, 5),
    ],
    ids=["column", "iloc", "new column", "pop", "reindex", "through numpy"],
)
def test_writing_into_the_predictions_or_the_tags_never_reaches_the_shared_ones(table: str, write: Any) -> None:
    problem = _predictions_problem()
    before = joblib.hash(getattr(problem, table))
    # NumPy's "assignment destination is read-only", pandas' refusal of a number in a text column
    with contextlib.suppress(ValueError, TypeError):
        write(getattr(problem, table))
    assert joblib.hash(getattr(problem, table)) == before


def test_the_predictions_and_the_tags_are_set_once_and_still_pickle_and_replace() -> None:
    problem = _predictions_problem()
    for table in ("predictions", "tags"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(problem, table, None)
    copied = pickle.loads(pickle.dumps(problem))
    pd.testing.assert_frame_equal(copied.predictions, problem.predictions)
    pd.testing.assert_frame_equal(copied.tags, problem.tags)
    replaced = dataclasses.replace(problem, seed=3)
    pd.testing.assert_frame_equal(replaced.predictions, problem.predictions)
    assert replaced.seed == 3 and dataclasses.replace(problem, tags=None).tags is None
    tables = pd.DataFrame({"x": [1.0, 2.0] * 20, "y": ["a", "b"] * 20})
    assert Problem.from_frames(tables, target="y").predictions is None
