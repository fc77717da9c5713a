"""Failures are visible: a check that crashes is logged with its traceback, named in the report,
and every verdict that rests on it is withdrawn."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import unstuck
from unstuck.advice import reconcile, unverified_by
from unstuck.context import Context
from unstuck.findings import Finding
from unstuck.registry import CheckResult, CheckSpec, SkipCheck
from unstuck.runner import FAILED, run_checks


def _crashes(problem: object, ctx: object) -> CheckResult:
    return {}["planted"]  # type: ignore[no-any-return]  # a KeyError, as a buggy check would raise


def _cannot_apply(problem: object, ctx: object) -> CheckResult:
    raise SkipCheck("does not apply here")


def _finds(problem: object, ctx: object) -> CheckResult:
    return CheckResult(findings=(Finding(id="fine.one", check="fine", severity="info", title="fine"),))


def test_a_crashing_check_is_skipped_as_failed_with_its_traceback_logged(
    tabular: pd.DataFrame, caplog: pytest.LogCaptureFixture
) -> None:
    problem = unstuck.load_problem(tabular, target="label", seed=0)
    specs = [CheckSpec("broken", _crashes), CheckSpec("inapplicable", _cannot_apply), CheckSpec("fine", _finds)]
    with caplog.at_level(logging.DEBUG, logger="unstuck"):
        run = run_checks(problem, Context(problem), checks=specs)
    assert [f.id for f in run.findings] == ["fine.one"]  # the others still ran
    assert run.failed == {"broken": f"{FAILED}KeyError: 'planted'"}  # a check that does not apply did not fail
    assert {s.check for s in run.skipped} == {"broken", "inapplicable"}
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert record.name == "unstuck.runner" and "broken" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is KeyError
    assert "_crashes" in caplog.text  # the traceback names the function that raised


def test_nothing_is_printed_when_no_logging_is_configured(
    tabular: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    problem = unstuck.load_problem(tabular, target="label", seed=0)
    run_checks(problem, Context(problem), checks=[CheckSpec("broken", _crashes)])
    assert capsys.readouterr() == ("", "")


def _rests_on(basis: str) -> Finding:
    return Finding(
        id=f"x.{basis}",
        check="x",
        severity="warning",
        title="a verdict",
        lever="regularize",
        bottleneck="variance",
        expected_gain=0.1,
        evidence={"rests_on": [basis]},
    )


def test_what_a_failed_check_leaves_unverified() -> None:
    failed = {"labels": "failed: ValueError: bad", "shift": "failed: KeyError: 'x'"}
    assert unverified_by(failed) == {
        "labels": "labels could not run (failed: ValueError: bad)",
        "shift": "shift could not run (failed: KeyError: 'x')",
        "train_labels": "labels could not run (failed: ValueError: bad)",
    }
    # the first model check to fail is named for the model basis
    both = unverified_by({"decomposition": "failed: A", "signal": "failed: B"})
    assert both["model"] == "decomposition could not run (failed: A)"
    assert unverified_by({}) == {}


def test_the_notice_of_a_failure_names_what_was_withdrawn() -> None:
    from unstuck.advice import failure_notice

    findings = [_rests_on("train_labels"), _rests_on("model"), _rests_on("labels")]
    assert failure_notice("labels", "failed: E", findings) == (
        "labels could not run (failed: E), so its own findings are missing; the verdicts resting on it are "
        "withdrawn (x.train_labels, x.labels). Fix the cause named there (unstuck --debug shows the traceback) "
        "and run again."
    )
    assert failure_notice("shift", "failed: E", findings).startswith(
        "shift could not run (failed: E), so its own findings are missing. Fix"
    )


def test_a_verdict_resting_on_a_failed_check_is_withdrawn() -> None:
    findings = [_rests_on("train_labels"), _rests_on("model"), _rests_on("shift")]
    out = reconcile(findings, unverified_by({"labels": "failed: ValueError: bad", "shift": "failed: E"}))
    withdrawn = {f.id: f for f in out}
    for basis in ("train_labels", "shift"):
        finding = withdrawn[f"x.{basis}"]
        assert (finding.lever, finding.bottleneck, finding.expected_gain, finding.severity) == (
            None,
            None,
            None,
            "info",
        )
        assert "not trusted:" in finding.title and "could not run" in finding.title
    assert withdrawn["x.model"].lever == "regularize"  # nothing the model rests on failed


@pytest.fixture(scope="module")
def wine() -> pd.DataFrame:
    from sklearn.datasets import load_wine

    return load_wine(as_frame=True).frame.sample(frac=1, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="module")
def digits() -> pd.DataFrame:
    # 300 training rows of digits: a variance gap and a learning curve that both stand on train's labels (120
    # rows of wine no longer do: their curve forecast a rise from today's 0 % dev error, which is no verdict)
    from sklearn.datasets import load_digits

    return load_digits(as_frame=True).frame.sample(frac=1, random_state=0).reset_index(drop=True)


def test_a_failed_label_check_withdraws_the_gaps_measured_with_train_labels(
    digits: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import unstuck.checks.labels

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("planted failure")

    train, dev = digits.iloc[:300], digits.iloc[300:600]
    intact = unstuck.diagnose(train, dev=dev, target="target", seed=0)
    stands = [f.id for f in intact.findings if f.lever and "train_labels" in f.evidence.get("rests_on", ())]
    assert stands, "the planted case must have a verdict measured with train's labels"
    monkeypatch.setattr(unstuck.checks.labels, "label_issues", broken)
    report = unstuck.diagnose(train, dev=dev, target="target", seed=0)
    assert {s.check: s.reason for s in report.skipped}["labels"] == "failed: RuntimeError: planted failure"
    withdrawn = {f.id: f for f in report.findings if f.id in stands}
    assert set(withdrawn) == set(stands)
    assert all(f.lever is None and "not trusted: labels could not run" in f.title for f in withdrawn.values())
    assert not any(set(stands) & set(i.findings) for i in report.interventions)  # no advice rests on them
    # the report says what it could not compute, and what was withdrawn for it
    assert report.notices == (
        "labels could not run (failed: RuntimeError: planted failure), so its own findings are missing; the "
        f"verdicts resting on it are withdrawn ({', '.join(stands)}). Fix the cause named there (unstuck --debug "
        "shows the traceback) and run again.",
    )


def test_debug_shows_the_traceback_of_a_failed_check(
    wine: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import unstuck.checks.labels
    from unstuck.cli import app

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("planted failure")

    monkeypatch.setattr(unstuck.checks.labels, "label_issues", broken)
    monkeypatch.chdir(tmp_path)
    wine.iloc[:120].to_csv("train.csv", index=False)
    wine.iloc[120:].to_csv("dev.csv", index=False)
    arguments = ["diagnose", "train.csv", "--dev", "dev.csv", "--target", "target", "--quiet"]
    logger = logging.getLogger("unstuck")
    handlers, level = list(logger.handlers), logger.level
    try:
        plain = CliRunner().invoke(app, arguments)
        debug = CliRunner().invoke(app, ["--debug", *arguments])
    finally:
        logger.handlers[:], logger.level = handlers, level  # --debug configures this process's logging
    assert plain.exit_code == 0 and debug.exit_code == 0, plain.output + debug.output
    assert "Traceback" not in plain.stderr
    assert "check labels failed: RuntimeError: planted failure" in debug.stderr
    assert "Traceback (most recent call last)" in debug.stderr and "in broken" in debug.stderr


def test_the_label_check_does_not_read_a_crashed_decomposition_as_no_shift(
    wine: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unstuck.checks.labels import labels

    problem = unstuck.load_problem(wine.iloc[:120], dev=wine.iloc[120:], target="target", seed=0)

    def crashed(self: Context) -> None:
        raise KeyError("planted")

    def not_applicable(self: Context) -> None:
        raise SkipCheck("no errors to decompose")

    monkeypatch.setattr(Context, "decomposition", property(crashed))
    with pytest.raises(KeyError):  # a crash is the label check's failure, never "dev does not differ"
        labels(problem, Context(problem))
    monkeypatch.setattr(Context, "decomposition", property(not_applicable))
    assert labels(problem, Context(problem)).section is not None  # only "cannot apply" is expected
