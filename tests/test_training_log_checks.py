"""The training-curve rules as registered checks: one per verdict kind, run by the same runner as the data checks."""

from __future__ import annotations

import dataclasses

import pytest

from unstuck.context import Context
from unstuck.pipeline import diagnose_problem
from unstuck.problem import Problem
from unstuck.registry import CheckSpec, registered_checks
from unstuck.render.layout import plan
from unstuck.runner import run_checks
from unstuck.training_log.judge import RULES, diagnose_run, kind_of
from unstuck.training_log.readers import TrainingLog
from unstuck.training_log.run import KINDS
from unstuck.training_log.synthetic import HUMAN_ERROR, planted_log


def training_checks() -> list[CheckSpec]:
    return [spec for spec in registered_checks() if "training_log" in spec.requires]


def named(log: TrainingLog, name: str) -> TrainingLog:
    return dataclasses.replace(log, name=name)


@pytest.fixture(scope="module")
def runs() -> list[TrainingLog]:
    """Four planted runs, each with a different verdict, one of them silencing every other rule (divergence)."""
    kinds = ("overfitting", "divergence", "still_improving", "underfitting")
    return [named(planted_log(kind, 11), f"{kind}_run") for kind in kinds]


def test_every_verdict_kind_is_a_registered_check_needing_only_a_log() -> None:
    specs = training_checks()
    names = [spec.name for spec in specs]
    assert names == ["training_log", *(f"training_log.{kind}" for kind in KINDS), "training_log.runs"]
    assert all(spec.requires == ("training_log",) and spec.description for spec in specs)
    assert {rule.kind for rule in RULES} == set(KINDS)
    # Every check sits in the one registry the runner reads, none in a registry of its own.
    assert {spec.function.__module__ for spec in specs} == {"unstuck.checks.training_log"}


def test_the_runner_gives_each_check_exactly_its_kind_and_diagnose_run_agrees(runs: list[TrainingLog]) -> None:
    problem = Problem.from_training_logs(runs, human_error=HUMAN_ERROR)
    result = run_checks(problem, Context(problem))
    assert not [s for s in result.skipped if "training_log" in s.check], result.skipped
    by_check: dict[str, list[str]] = {}
    for finding in result.findings:
        by_check.setdefault(finding.check, []).append(finding.id)
        if finding.check not in ("training_log", "training_log.runs"):
            assert finding.check == f"training_log.{kind_of(finding)}"  # each check reports its own kind only
    for log, row in zip(runs, result.sections["training_log"]["runs"], strict=True):
        expected = diagnose_run(log, human_error=HUMAN_ERROR)
        assert row["verdicts"] == expected.kinds
        got = [f for f in result.findings if f.id.endswith(f".{log.name}") and f.check != "training_log"]
        # The same findings as the one-pass diagnosis, with the run's name in the id and the title.
        assert sorted((f.id, f.title) for f in got) == sorted(
            (f"{f.id}.{log.name}", f"{log.name}: {f.title}") for f in expected.findings
        )
    assert by_check["training_log.divergence"] == ["training_log.divergence.divergence_run"]
    assert by_check["training_log.overfitting"] == ["training_log.overfitting.overfitting_run"]
    assert "training_log.instability" not in by_check


def test_a_diverged_run_is_judged_on_divergence_alone_by_every_check() -> None:
    problem = Problem.from_training_logs([planted_log("divergence", 5)], human_error=HUMAN_ERROR)
    for spec in training_checks():
        result = run_checks(problem, Context(problem), checks=[spec])
        kinds = [kind_of(f) for f in result.findings]
        if spec.name == "training_log.divergence":
            assert kinds == ["divergence"]
        elif spec.name == "training_log":
            assert kinds == ["read"]  # not "healthy": the run diverged
        else:
            assert kinds == [], spec.name


def test_the_report_shows_the_rule_checks_in_one_training_curves_block(runs: list[TrainingLog]) -> None:
    report = diagnose_problem(Problem.from_training_logs(runs[:2], human_error=HUMAN_ERROR))
    (group,) = [g for g in plan(report) if g.key == "training_log"]
    (block,) = group.blocks
    assert block.check == "training_log" and block.section is not None
    assert {f.check for f in block.findings} == {
        "training_log",
        "training_log.overfitting",
        "training_log.divergence",
        "training_log.runs",
    }
    assert [f.severity for f in block.findings] == sorted(
        (f.severity for f in block.findings), key=["critical", "warning", "info"].index
    )
    assert report.bottleneck == "training_instability"


def test_a_report_without_a_log_says_once_that_the_training_log_checks_need_one() -> None:
    from rich.console import Console

    from render_helpers import fixture_report
    from unstuck.assistant.summary import summarize
    from unstuck.findings import Skipped
    from unstuck.render.markdown import render_markdown
    from unstuck.render.text import render_report

    needs = "needs a training log (--training-log)"
    skipped = (
        Skipped("imbalance", "needs a dev split"),
        *(Skipped(spec.name, needs) for spec in training_checks()),
    )
    report = dataclasses.replace(fixture_report(), skipped=skipped)
    console = Console(width=400, record=True)
    console.print(render_report(report))
    assert f"Skipped: imbalance (needs a dev split); training_log ({needs})" in console.export_text()
    markdown = render_markdown(report)
    assert f"- `training_log`: {needs}" in markdown and "training_log.divergence" not in markdown
    assert summarize(report)["skipped"] == [
        {"check": "imbalance", "reason": "needs a dev split"},
        {"check": "training_log", "reason": needs},
    ]
    # A member skipped for a reason of its own keeps its line.
    alone = Skipped("training_log.runs", "compares two or more runs; there is one")
    one_run = dataclasses.replace(fixture_report(), skipped=(Skipped("imbalance", "needs a dev split"), alone))
    assert "- `training_log.runs`: compares two or more runs; there is one" in render_markdown(one_run)
