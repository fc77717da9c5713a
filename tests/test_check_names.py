"""A finding names the check that made it, and the check never types that name itself.

The runner stamps every finding a check returns with the check's registered name; a check
may name another registered check, but a name no check is registered under (a typo) makes
the check fail loudly instead of filing its findings under a name nothing else knows.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import unstuck
from unstuck.context import Context
from unstuck.findings import Finding
from unstuck.problem import Problem
from unstuck.registry import CheckResult, CheckSpec
from unstuck.runner import FAILED, run_checks
from unstuck.training_log.synthetic import planted_log

CHECKS_DIR = Path(unstuck.__file__).parent / "checks"


@pytest.fixture(scope="module")
def problem() -> Problem:
    return Problem.from_training_logs([planted_log("overfitting", 0)])


def _returning(*findings: Finding) -> CheckSpec:
    def planted(problem: Problem, ctx: Context) -> CheckResult:
        return CheckResult(findings=findings)

    return CheckSpec("planted_check", planted)


def test_a_finding_that_names_no_check_comes_out_stamped_with_its_checks_name(problem: Problem) -> None:
    spec = _returning(
        Finding(id="planted_check.one", severity="info", title="one"),
        Finding(id="planted_check.two", severity="warning", title="two"),
    )
    run = run_checks(problem, Context(problem), checks=[spec])
    assert run.skipped == ()
    assert [(f.id, f.check) for f in run.findings] == [
        ("planted_check.one", "planted_check"),
        ("planted_check.two", "planted_check"),
    ]
    assert spec.run(problem, Context(problem)).findings[0].check == "planted_check"  # outside the runner too


def test_a_check_may_name_another_registered_check(problem: Problem) -> None:
    spec = _returning(Finding(id="planted_check.shift", check="shift", severity="info", title="about shift"))
    run = run_checks(problem, Context(problem), checks=[spec])
    assert [f.check for f in run.findings] == ["shift"]


def test_a_mistyped_check_name_fails_the_check_and_says_why(problem: Problem) -> None:
    spec = _returning(
        Finding(id="planted_check.ok", severity="info", title="fine"),
        Finding(id="planted_check.typo", check="shfit", severity="warning", title="a typo"),
    )
    run = run_checks(problem, Context(problem), checks=[spec])
    assert run.findings == ()  # nothing of a check that failed is kept, not even its well-named findings
    reason = run.failed["planted_check"]
    assert reason.startswith(FAILED + "ValueError")
    assert "'shfit'" in reason and "not registered" in reason and "planted_check.typo" in reason


def _own_name_literals(path: Path) -> list[int]:
    """Lines of ``path`` where a ``Finding`` is given ``check=`` a string literal (a hand-typed name)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Finding":
            for keyword in node.keywords:
                if keyword.arg == "check" and isinstance(keyword.value, ast.Constant):
                    lines.append(keyword.lineno)
    return lines


def test_no_check_module_types_a_findings_check_name_by_hand() -> None:
    typed = {p.name: _own_name_literals(p) for p in sorted(CHECKS_DIR.glob("*.py"))}
    assert {name: lines for name, lines in typed.items() if lines} == {}


def test_the_scan_sees_a_hand_typed_name(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text('Finding(id="a", severity="info", title="t")\nFinding(id="b", check="planted", title="t")\n')
    assert _own_name_literals(planted) == [2]
