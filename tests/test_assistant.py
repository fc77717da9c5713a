"""The assistant package in process: the sandbox, the report summary, each tool against the CLI, the skill."""

from __future__ import annotations

import json
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import flat, run_cli
from unstuck.assistant import tools
from unstuck.assistant.sandbox import OutsideRoot, Sandbox
from unstuck.assistant.skill import front_matter, install_skill, skill_text
from unstuck.assistant.summary import SUMMARY_SCHEMA, headline, summarize
from unstuck.errors import ConfigError, FileProblem
from unstuck.findings import Finding, Intervention, NextExperiment, Report, Skipped
from unstuck.schemas import validate

# ----------------------------------------------------------------------------- sandbox


def test_sandbox_resolves_paths_under_the_root_and_refuses_the_rest(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    (root / "data" / "train.csv").write_text("x\n1\n")
    (tmp_path / "secret.csv").write_text("x\n1\n")
    (root / "escape.csv").symlink_to(tmp_path / "secret.csv")
    sandbox = Sandbox.at(root)

    assert sandbox.path("data/train.csv") == root / "data" / "train.csv"
    assert sandbox.path(str(root / "data" / "train.csv")) == root / "data" / "train.csv"
    assert sandbox.path("data/../data/train.csv") == root / "data" / "train.csv"
    assert sandbox.optional(None) is None
    for outside in ("../secret.csv", str(tmp_path / "secret.csv"), "escape.csv", "/etc/passwd", "~/x.csv"):
        with pytest.raises(OutsideRoot, match="is outside the folder this server may read"):
            sandbox.path(outside, "train")
    with pytest.raises(OutsideRoot, match="NUL"):
        sandbox.path("a\x00b")
    with pytest.raises(ConfigError, match="is not a folder"):
        Sandbox.at(tmp_path / "missing")


# ----------------------------------------------------------------------------- summary


def _planted_report() -> Report:
    findings = (
        Finding(
            "decomposition.variance",
            "warning",
            "Variance is 8.0 points",
            "regularize",
            {"variance": 0.08},
            "variance",
            check="decomposition",
        ),
        Finding(
            "leakage.rows",
            "critical",
            "12 dev rows also in train",
            "fix_leakage",
            {"rows": 12},
            "leakage",
            check="leakage",
        ),
        Finding("columns.constant", "info", "1 constant column", None, {"columns": ["c"]}, check="columns"),
        Finding("labels.errors", "warning", "3% likely label errors", "fix_labels", {"share": 0.03}, check="labels"),
    )
    interventions = (
        Intervention(
            1,
            "fix_leakage",
            "Remove the 12 shared rows",
            "leakage inflates dev",
            None,
            ("leakage.rows",),
            NextExperiment("dev error rises once fixed", "drop shared rows"),
        ),
        Intervention(
            2,
            "regularize",
            "Regularize the model",
            "variance is the largest gap",
            0.05,
            ("decomposition.variance",),
            NextExperiment("dev error falls by 5 points", "weight decay"),
        ),
        Intervention(
            3,
            "fix_labels",
            "Relabel the flagged rows",
            "label noise",
            0.01,
            ("labels.errors",),
            NextExperiment("dev error falls", "relabel"),
        ),
    )
    return Report(
        unstuck_version="0",
        task="classification",
        metric={"name": "error_rate", "lower_is_better": True},
        splits={"train": 100, "dev": 50},
        errors={"human": 0.02, "train": 0.04, "train_dev": 0.12, "dev": 0.13, "test": None},
        decomposition={"avoidable_bias": 0.02, "variance": 0.08, "data_mismatch": 0.01, "dev_overfit": None},
        bottleneck="leakage",
        findings=findings,
        interventions=interventions,
        skipped=(Skipped("capacity", "needs 400 rows"),),
        notices=("Leakage found: every other number in this report is suspect.",),
    )


def test_summary_keeps_the_top_interventions_with_their_evidence_and_counts_the_rest() -> None:
    report = _planted_report()
    summary = summarize(report, top=2)
    assert summary["schema"] == SUMMARY_SCHEMA
    assert summary["headline"] == (
        "Bottleneck: leakage. error_rate: train 4.0%, dev 13.0% (human level 2.0%). "
        "First step: Remove the 12 shared rows."
    )
    assert [step["lever"] for step in summary["interventions"]] == ["fix_leakage", "regularize"]
    assert summary["interventions"][1]["evidence"] == [
        {
            "id": "decomposition.variance",
            "severity": "warning",
            "title": "Variance is 8.0 points",
            "evidence": {"variance": 0.08},
        }
    ]
    assert summary["interventions"][1]["expected_gain"] == 0.05
    assert summary["more_interventions"] == 1
    assert summary["other_findings"] == {"info": 1, "warning": 1}  # the constant column, the label errors
    assert summary["decomposition"] == {"avoidable_bias": 0.02, "variance": 0.08, "data_mismatch": 0.01}
    assert summary["skipped"] == [{"check": "capacity", "reason": "needs 400 rows"}]
    second_first = replace(report, interventions=report.interventions[1:])
    assert headline(second_first).endswith("First step: Regularize the model, expected gain up to 5.0 points.")
    # a critical finding that no kept intervention cites is still named
    assert summarize(report, top=0)["other_critical"] == ["12 dev rows also in train"]
    assert len(json.dumps(summarize(report))) < len(json.dumps(report.to_dict()))


def test_headline_of_a_regression_report_without_interventions() -> None:
    report = Report(
        unstuck_version="0",
        task="regression",
        metric={"name": "rmse", "lower_is_better": True},
        splits={"train": 10},
        errors={"human": None, "train": 1.23456, "dev": None},
        decomposition={},
        bottleneck="none",
        findings=(),
        interventions=(),
        skipped=(),
    )
    assert headline(report) == (
        "Bottleneck: none. rmse: train 1.235. No intervention is ranked: no finding points to one."
    )


def test_saved_report_reads_a_json_report_or_the_last_diagnosis(tmp_path: Path) -> None:
    report = _planted_report()
    sandbox = Sandbox.at(tmp_path)
    (tmp_path / "report.json").write_text(json.dumps(report.to_dict()))
    assert tools.saved_report(sandbox, "report.json") == report
    with pytest.raises(FileProblem, match="There is no earlier diagnosis here"):
        tools.saved_report(sandbox, None)
    (tmp_path / ".unstuck").mkdir()
    (tmp_path / ".unstuck" / "last_diagnosis.json").write_text(
        json.dumps({"arguments": {}, "report": report.to_dict()})
    )
    assert tools.saved_report(sandbox, None) == report
    assert tools.saved_report(sandbox, ".unstuck/last_diagnosis.json") == report
    (tmp_path / "other.json").write_text(json.dumps({"schema": "unstuck.cost/1"}))
    with pytest.raises(FileProblem, match="is not an unstuck report"):
        tools.saved_report(sandbox, "other.json")
    with pytest.raises(FileProblem, match="does not exist"):
        tools.saved_report(sandbox, "missing.json")


# ----------------------------------------------------------------------------- tools against the CLI


def test_cost_tool_gives_the_cli_document(tmp_path: Path) -> None:
    numbers = {
        "api_input_price": 2.5,
        "api_output_price": 10.0,
        "tokens_in": 800.0,
        "tokens_out": 150.0,
        "requests": 50000.0,
        "growth": 0.3,
        "months": 12,
        "budget": 2000.0,
        "small_model_hourly": 1.2,
        "throughput": 40.0,
        "finetune_gpu_hours": 10.0,
        "gpu_hourly": 2.0,
    }
    document = tools.cost(**numbers)  # type: ignore[arg-type]
    validate(document, "cost-1")
    flags = [f"--{name.replace('_', '-')}={value:g}" for name, value in numbers.items()]
    done = run_cli(["cost", *flags, "--json", "cost.json", "--quiet"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert document == json.loads((tmp_path / "cost.json").read_text())
    # $0.0035 a request x 50,000 = $175 in month 1; x 1.3^11 in month 12
    assert document["cost"]["months"][11]["api"] == pytest.approx(175 * 1.3**11)
    with pytest.raises(ConfigError, match="No request volume"):
        tools.cost(**{**numbers, "requests": None})  # type: ignore[arg-type]


def test_learning_curve_tool_gives_the_cli_document(tmp_path: Path) -> None:
    from sklearn.datasets import load_breast_cancer

    load_breast_cancer(as_frame=True).frame.to_csv(tmp_path / "cancer.csv", index=False)
    steps: list[str] = []
    document = tools.learning_curve(Sandbox.at(tmp_path), train="cancer.csv", target="target", on_step=steps.append)
    done = run_cli(["curve", "cancer.csv", "--target", "target", "--json", "curve.json", "--quiet"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert document == json.loads((tmp_path / "curve.json").read_text())
    assert document["schema"] == "unstuck.curve/1" and steps


def test_plan_tool_gives_the_plan_of_the_card(tmp_path: Path) -> None:
    from unstuck.card import ProjectCard, write_card
    from unstuck.plan import choose_layer, make_plan

    card = ProjectCard(data_type="text", stage="failing_baseline", uses_llm_api=True, current=0.2, target=0.1)
    write_card(card, tmp_path / "unstuck.toml")
    document = tools.plan(Sandbox.at(tmp_path))
    choice = choose_layer(card)
    assert (document["layer"], document["layer_rule"], document["layer_why"]) == (choice.layer, choice.rule, choice.why)
    assert document["steps"] == [step.to_dict() for step in make_plan(card)]
    with pytest.raises(FileProblem):
        tools.plan(Sandbox.at(tmp_path), card="missing.toml")


@pytest.fixture(scope="module")
def ledger_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root whose ledger holds two real runs of a tiny script (recorded by `unstuck run`)."""
    root = tmp_path_factory.mktemp("ledger-root")
    (root / "train.py").write_text(
        textwrap.dedent(
            """
            import json, sys
            lr = float(sys.argv[sys.argv.index("--lr") + 1])
            print(json.dumps({"dev_error": round(0.3 - lr, 4)}))
            """
        )
    )
    for args in (["-H", "baseline"], ["-H", "higher lr", "--parent", "1"]):
        lr = "0.1" if "baseline" in args else "0.2"
        done = run_cli(["run", *args, "--", sys.executable, "train.py", "--lr", lr], cwd=root)
        assert done.returncode == 0, done.stderr
    return root


def test_ledger_tools_read_what_the_cli_recorded(ledger_root: Path) -> None:
    sandbox = Sandbox.at(ledger_root)
    records = tools.ledger_log(sandbox)
    assert [r["id"] for r in records] == [2, 1]  # newest first
    assert [r["metrics"]["dev_error"] for r in records] == [pytest.approx(0.1), pytest.approx(0.2)]
    assert [r["id"] for r in tools.ledger_log(sandbox, grep="BASELINE")] == [1]
    assert tools.ledger_log(sandbox, limit=1)[0]["id"] == 2
    assert tools.ledger_log(sandbox, status=["failed"]) == []
    shown = tools.ledger_show(sandbox, experiment_id=2)
    assert shown["parent_id"] == 1 and shown["hypothesis"] == "higher lr"
    compared = tools.ledger_compare(sandbox, first=1, second=2)
    assert compared["metrics"]["dev_error"] == [pytest.approx(0.2), pytest.approx(0.1), pytest.approx(-0.1)]
    with pytest.raises(ConfigError, match="status 'bogus'"):
        tools.ledger_log(sandbox, status=["bogus"])
    with pytest.raises(FileProblem, match="There is no experiment ledger"):
        tools.ledger_log(sandbox, ledger="other.db")
    with pytest.raises(OutsideRoot):
        tools.ledger_log(sandbox, ledger="/tmp/ledger.db")
    assert not (ledger_root / "other.db").exists()  # reading never creates a ledger


# ----------------------------------------------------------------------------- skill and CLI


def test_the_shipped_skill_has_front_matter_and_teaches_the_order() -> None:
    text = skill_text()
    fields = front_matter(text)
    assert fields["name"] == "unstuck"
    assert "stuck machine-learning project" in fields["description"]
    order = [text.index(word) for word in ("`plan`", "`explore`", "`diagnose`", "`report_summary`", "ledger")]
    assert order == sorted(order)
    assert 'Never advise "collect more data" or "more compute" unless' in text


def test_skill_install_writes_once_and_keeps_an_edited_file(tmp_path: Path) -> None:
    done = run_cli(["skill", "install", "--dir", str(tmp_path)])
    assert done.returncode == 0, done.stderr
    target = tmp_path / "unstuck" / "SKILL.md"
    assert target.read_text() == skill_text()
    assert install_skill(tmp_path) == target  # the same text again: nothing to refuse
    target.write_text("my own notes\n")
    refused = run_cli(["skill", "install", "--dir", str(tmp_path)])
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "already exists and differs" in flat(refused.stderr) and "--force" in refused.stderr
    assert target.read_text() == "my own notes\n"
    assert run_cli(["skill", "install", "--dir", str(tmp_path), "--force"]).returncode == 0
    assert target.read_text() == skill_text()


def test_mcp_with_a_missing_root_exits_2_with_a_fix(tmp_path: Path) -> None:
    done = run_cli(["mcp", "--root", str(tmp_path / "missing")])
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "is not a folder" in flat(done.stderr) and "--root" in done.stderr


def test_command_curve_gives_the_cli_curve_of_a_planted_script(tmp_path: Path) -> None:
    from unstuck.assistant.runs import command_curve

    # dev error 0.05 + 0.1 / sqrt(fraction): a planted power law the fit must see point by point
    (tmp_path / "train.py").write_text(
        "import json, sys\n"
        "f = float(sys.argv[sys.argv.index('--fraction') + 1])\n"
        "print(json.dumps({'dev_error': 0.05 + 0.1 / f ** 0.5, 'accuracy': 0.5}))\n"
    )
    command = [sys.executable, "train.py", "--fraction", "{fraction}"]
    fractions = [0.1, 0.2, 0.4, 0.7, 1.0]
    messages: list[str] = []
    document = command_curve(
        Sandbox.at(tmp_path), command, fractions=fractions, seeds=[0], jobs=2, on_done=messages.append
    )
    assert document["metric_key"] == "dev_error" and document["failed"] == 0
    assert document["curve"]["sizes"] == fractions
    assert document["curve"]["errors"] == pytest.approx([0.05 + 0.1 / f**0.5 for f in fractions])
    assert len(messages) == 5 and all(m.endswith(" ok") for m in messages)
    done = run_cli(
        ["curve", "--fractions", ",".join(map(str, fractions)), "--json", "curve.json", "--quiet", "--", *command],
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    cli = json.loads((tmp_path / "curve.json").read_text())
    for key in ("schema", "mode", "metric_key", "maximize", "failed", "curve", "size_unit", "forecast"):
        assert document[key] == cli[key], key
    with pytest.raises(ConfigError, match="no \\{fraction\\} or \\{size\\} placeholder"):
        command_curve(Sandbox.at(tmp_path), [sys.executable, "train.py"], fractions=fractions, seeds=[0])
    with pytest.raises(ConfigError, match="No run reported the metric 'loss'"):
        command_curve(Sandbox.at(tmp_path), command, fractions=[0.5, 1.0], seeds=[0], metric_key="loss")


def test_explore_tool_gives_the_cli_report(tmp_path: Path) -> None:
    from sklearn.datasets import load_iris

    load_iris(as_frame=True).frame.to_csv(tmp_path / "iris.csv", index=False)
    steps: list[str] = []
    report = tools.explore(Sandbox.at(tmp_path), train="iris.csv", target="target", on_step=steps.append)
    done = run_cli(["explore", "iris.csv", "--target", "target", "--json", "explore.json", "--quiet"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert tools.report_json(report, sections=True) == json.loads((tmp_path / "explore.json").read_text())
    validate(tools.report_json(report), "report-1")
    assert steps and all(isinstance(step, str) for step in steps)


def test_the_cli_loads_the_mcp_sdk_only_for_unstuck_mcp() -> None:
    import subprocess

    code = (
        "import sys\n"
        "sys.argv = ['unstuck', '--help']\n"
        "from unstuck.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('SDK', [m for m in ('mcp', 'mcp_types', 'pydantic') if m in sys.modules])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "SDK []" in result.stdout


def test_a_missing_sdk_is_a_user_error_naming_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from unstuck.assistant import require_sdk

    require_sdk()  # installed here
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ConfigError, match=r"pip install 'unstuck\[mcp\]'"):
        require_sdk()
