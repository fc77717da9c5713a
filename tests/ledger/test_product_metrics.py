"""``unstuck metrics`` beyond velocity: error-category coverage of the last tagged analysis and the
card's layer decisions — pure functions on planted analyses, records and cards, then the CLI end to end."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import run_cli
from unstuck.card import ProjectCard
from unstuck.cli._ledger_views import layer_lines as _layer_lines
from unstuck.errors import FileProblem
from unstuck.findings import Finding, Report, Skipped
from unstuck.layer_decision import layer_decision, read_layer_decision
from unstuck.ledger.coverage import (
    TAG_HINT,
    Category,
    TaggedAnalysis,
    category_coverage,
    links,
    read_tagged_analysis,
)
from unstuck.ledger.record import Experiment
from unstuck.ledger.views import Unavailable
from unstuck.plan import PROMPT_TIME_BOX_DAYS, make_plan
from unstuck.state import save_last

# 22 examined dev errors, 20 of them tagged; 2 rows carry two tags, so 22 tag assignments.
CATEGORIES = (
    Category("blurry", "error_tags.blurry", 10, 0.10, "targeted_data"),
    Category("mislabeled", "error_tags.mislabeled", 5, 0.05, "fix_labels"),
    Category("glare", "error_tags.glare", 4, 0.04, None),
    Category("dark", "error_tags.dark", 3, 0.03, "targeted_data"),
)
ANALYSIS = TaggedAnalysis("planted", None, CATEGORIES, 22, 40, 0.2, 20 / 22)


def test_coverage_follows_the_link_rule_on_planted_records() -> None:
    records = [
        Experiment(id=1, findings=[" Error_Tags.Mislabeled "]),  # finding id, case and spaces aside
        Experiment(id=2, interventions=["targeted_data"], hypothesis="more rare cases"),  # shared lever: nothing
        Experiment(id=3, hypothesis="an anti-Glare filter on the inputs"),  # the tag as a word
        Experiment(id=4, hypothesis="a glaring bug in the loader"),  # 'glaring' is not 'glare'
        Experiment(id=5, interventions=["fix_labels"]),  # a lever only one category has
        Experiment(id=6, hypothesis="fix labels first"),  # the lever named in the hypothesis
        Experiment(id=7, findings=["error_tags.dark"], status="failed"),  # any status counts
        Experiment(id=None, findings=["error_tags.blurry"]),  # not stored: no id, not counted
    ]
    cov = category_coverage(ANALYSIS, records)
    got = {c.tag: c.experiments for c in cov.categories}
    assert got == {
        "blurry": {},
        "mislabeled": {1: ("finding",), 5: ("lever",), 6: ("lever",)},
        "glare": {3: ("hypothesis",)},
        "dark": {7: ("finding",)},
    }
    assert cov.covered == 3 and cov.share_categories == pytest.approx(3 / 4)
    assert cov.share_errors == pytest.approx((5 + 4 + 3) / 22)
    assert cov.overlapping and cov.shared_levers == ("targeted_data",)
    out = json.loads(json.dumps(cov.to_dict()))
    assert out["available"] and out["n_categories"] == 4 and out["tagged_errors"] == 20
    assert out["categories"][1]["experiments"][0] == {"id": 1, "via": ["finding"]}


def test_link_rule_details() -> None:
    wrong = Category("wrong_label", "error_tags.wrong_label", 3, 0.03, "fix_labels")
    assert links(Experiment(hypothesis="fix the wrong-label rows"), wrong, frozenset()) == ("hypothesis",)
    both = Experiment(hypothesis="fix labels: the wrong_label rows")
    assert links(both, wrong, frozenset()) == ("hypothesis", "lever")
    assert links(both, wrong, frozenset({"fix_labels"})) == ("hypothesis",)  # a shared lever links nothing
    assert links(Experiment(hypothesis="wrong labels"), wrong, frozenset()) == ()  # 'labels' is not 'label'
    assert links(Experiment(findings=["error_tags.wrong"]), wrong, frozenset()) == ()
    odd = Category("??", "error_tags.??", 1, 0.01, None)  # a tag with no letters or digits names nothing
    assert links(Experiment(hypothesis=""), odd, frozenset()) == ()
    assert links(Experiment(findings=["error_tags.??"]), odd, frozenset()) == ("finding",)


def test_no_overlap_and_no_category() -> None:
    single = TaggedAnalysis("planted", None, CATEGORIES[1:3], 10, 10, 0.1, 0.9)  # 5 + 4 = 9 tagged rows
    cov = category_coverage(single, [Experiment(id=1, findings=["error_tags.glare"])])
    assert not cov.overlapping and cov.share_errors == pytest.approx(4 / 9) and cov.shared_levers == ()
    empty = category_coverage(TaggedAnalysis("planted", None, (), 5, 5, 0.5, 0.0), [Experiment(id=1)])
    assert (empty.covered, empty.share_categories, empty.share_errors) == (0, None, None)


def _report(findings: tuple[Finding, ...], sections: dict[str, object], skipped: tuple[Skipped, ...] = ()) -> Report:
    return Report(
        unstuck_version="test",
        task="classification",
        metric={"name": "error_rate", "lower_is_better": True},
        splits={"train": 100, "dev": 100},
        errors={"human": None, "train": 0.0, "train_dev": None, "dev": 0.2, "test": None},
        decomposition={"avoidable_bias": None, "variance": 0.2, "data_mismatch": None, "dev_overfit": None},
        bottleneck="variance",
        findings=findings,
        interventions=(),
        skipped=skipped,
        sections=sections,
    )


def _tag_finding(tag: str, count: int, ceiling: float, lever: str | None) -> Finding:
    evidence = {"tag": tag, "count": count, "ceiling": ceiling, "lever": lever, "examined_errors": 8}
    return Finding(f"error_tags.{tag}", "info", tag, lever=lever, evidence=evidence, check="error_tags")


def test_read_tagged_analysis_from_the_saved_diagnosis_and_a_report(tmp_path: Path) -> None:
    state = tmp_path / "last_diagnosis.json"
    assert isinstance(missing := read_tagged_analysis(state), Unavailable)
    assert "is missing" in missing.reason and missing.hint == TAG_HINT and "unstuck tag" in TAG_HINT

    untagged = _report((), {}, (Skipped("error_tags", "needs error tags on dev rows"),))
    save_last({"predictions": "p.csv"}, untagged, state)
    none = read_tagged_analysis(state)
    assert isinstance(none, Unavailable) and "no tagged error analysis (error_tags: needs error tags" in none.reason

    findings = (
        _tag_finding("glare", 2, 0.05, None),
        _tag_finding("mislabeled", 6, 0.15, "fix_labels"),
        Finding("error_tags.coverage", "info", "low coverage", evidence={"coverage": 0.5}, check="error_tags"),
        Finding("variance.high", "warning", "variance", lever="regularize", check="decomposition"),
    )
    section = {"examined_errors": 8, "dev_errors": 40, "dev_error": 0.2, "coverage": 1.0, "tags": []}
    tagged = _report(findings, {"error_tags": section})
    save_last({"predictions": "p.csv", "tags": "/data/to_tag.csv"}, tagged, state)
    got = read_tagged_analysis(state)
    assert isinstance(got, TaggedAnalysis)
    assert [(c.tag, c.finding, c.count, c.lever) for c in got.categories] == [
        ("mislabeled", "error_tags.mislabeled", 6, "fix_labels"),  # largest first
        ("glare", "error_tags.glare", 2, None),
    ]
    assert (got.tag_file, got.examined_errors, got.tagged_errors) == ("/data/to_tag.csv", 8, 8)

    report_file = tmp_path / "report.json"  # what `unstuck diagnose --json` writes
    report_file.write_text(json.dumps(tagged.to_dict()))
    from_report = read_tagged_analysis(report_file)
    assert isinstance(from_report, TaggedAnalysis) and from_report.categories == got.categories
    assert from_report.tag_file is None

    for text in ("not json", '{"something": 1}', '{"schema": "unstuck.report/1"}'):
        report_file.write_text(text)
        with pytest.raises(FileProblem):
            read_tagged_analysis(report_file)


DAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("days_ago", "state", "exceeded", "days_left", "said"),
    [
        (None, "not_started", None, None, "no start date (performance.prompt_tuning_started)"),
        (-5, "scheduled", False, PROMPT_TIME_BOX_DAYS, "starts 2026-11-28 (in 5 days)"),
        (0, "running", False, PROMPT_TIME_BOX_DAYS, "day 0 of 30, 30 days left — not exceeded"),
        (PROMPT_TIME_BOX_DAYS, "running", False, 0, "day 30 of 30, 0 days left — not exceeded"),
        (PROMPT_TIME_BOX_DAYS + 1, "exceeded", True, None, "31 days ago, exceeded by 1 day (box 30 days)"),
        (45, "exceeded", True, None, "started 2026-10-09: 45 days ago, exceeded by 15 days"),
    ],
)
def test_prompt_time_box_on_planted_cards(
    days_ago: int | None, state: str, exceeded: bool | None, days_left: int | None, said: str
) -> None:
    started = None if days_ago is None else DAY - dt.timedelta(days=days_ago)
    card = ProjectCard(data_type="text", stage="prototype", prompt_tuning_started=started)
    d = layer_decision(card, DAY)
    assert (d.layer, d.recorded, d.time_box, d.exceeded, d.days_left) == (
        "llm_prompting",
        False,
        state,
        exceeded,
        days_left,
    )
    assert d.days_used == days_ago
    lines = _layer_lines(d)
    assert said in lines[2] and "not recorded: the plan's default (text tasks start by prompting" in lines[1]
    if days_ago is not None and days_ago >= 0:  # the same count as `unstuck plan`
        step = next(s for s in make_plan(card, today=DAY) if s.rule == "prompt_time_box")
        assert ("past its time box" in step.title) == bool(exceeded)


def test_recorded_layer_and_a_closed_time_box(tmp_path: Path) -> None:
    card = ProjectCard(
        data_type="text", stage="scaling", layer="deep_learning", prompt_tuning_started=DAY - dt.timedelta(days=90)
    )
    d = layer_decision(card, DAY, "my.toml")
    assert (d.layer, d.recorded, d.time_box, d.exceeded, d.days_used) == (
        "deep_learning",
        True,
        "not_applicable",
        None,
        90,
    )
    assert d.to_dict()["prompt_tuning_started"] == "2026-08-25" and d.to_dict()["card"] == "my.toml"
    assert "started 2026-08-25 (90 days ago); the layer is now deep learning" in _layer_lines(d)[2]
    inferred = layer_decision(ProjectCard(data_type="structured", stage="prototype"), DAY)
    assert (inferred.layer, inferred.recorded, inferred.time_box) == ("classical_ml", False, "not_applicable")
    missing = read_layer_decision(tmp_path / "unstuck.toml", DAY)
    assert isinstance(missing, Unavailable) and "unstuck init" in missing.hint
    (tmp_path / "unstuck.toml").write_text('[data]\ntype = "image"\n[status]\nstage = "greenfield"\n')
    read = read_layer_decision(tmp_path / "unstuck.toml", DAY)
    assert not isinstance(read, Unavailable) and read.layer == "deep_learning" and not read.recorded


def _predictions_and_tags(folder: Path) -> None:
    """preds.csv: 200 dev rows, the first 40 wrong; tags.csv: 22 of those errors examined and tagged."""
    y = np.array(list("abcd") * 50)
    pred = y.copy()
    pred[:40] = np.where(y[:40] == "a", "b", "a")
    dev = pd.DataFrame({"split": "dev", "y_true": y, "y_pred": pred, "city": [f"c{i % 7}" for i in range(200)]})
    train = pd.DataFrame({"split": "train", "y_true": y, "y_pred": y, "city": "c0"})
    pd.concat([train, dev], ignore_index=True).to_csv(folder / "preds.csv", index=False)
    tags = ["blurry"] * 8 + ["blurry; mislabeled"] * 2 + ["mislabeled"] * 3 + ["glare"] * 4 + ["dark"] * 3 + [""] * 2
    pd.DataFrame({"row": [f"dev-{i}" for i in range(22)], "tags": tags}).to_csv(folder / "tags.csv", index=False)


def test_metrics_cli_coverage_and_layer(project: Path) -> None:
    bare = run_cli(["metrics"], cwd=project)
    assert bare.returncode == 0, bare.stderr
    assert "error-category coverage: none — there is no diagnosis here" in bare.stdout
    assert "unstuck tag" in bare.stdout and "--tags to_tag.csv" in bare.stdout
    assert "layer decisions: none — there is no project card" in bare.stdout and "unstuck init" in bare.stdout
    assert json.loads(run_cli(["metrics", "--json"], cwd=project).stdout)["layer"]["available"] is False

    _predictions_and_tags(project)
    tagged = ["diagnose", "--predictions", "preds.csv", "--tags", "tags.csv", "-q", "--json", "tagged.json"]
    assert (done := run_cli(tagged, cwd=project)).returncode == 0, done.stderr
    train = [sys.executable, "train.py", "--lr"]
    for args in (
        ["-H", "baseline", "--", *train, "0.1"],
        ["-H", "relabel", "--finding", "error_tags.mislabeled", "--parent", "1", "--", *train, "0.2"],
        ["-H", "an anti-glare filter", "--parent", "1", "--", *train, "0.3"],
        ["--intervention", "targeted_data", "--parent", "1", "--", *train, "0.4"],
    ):
        assert (ran := run_cli(["run", *args], cwd=project)).returncode == 0, ran.stderr
    started = dt.date.today() - dt.timedelta(days=45)
    init = ["init", "--data-type", "text", "--stage", "prototype", "--layer", "llm_prompting"]
    assert run_cli([*init, "--prompt-tuning-started", started.isoformat()], cwd=project).returncode == 0

    out = json.loads(run_cli(["metrics", "--json"], cwd=project).stdout)
    cov = out["error_categories"]
    assert (cov["examined_errors"], cov["dev_errors"], cov["tagged_errors"], cov["n_categories"]) == (22, 40, 20, 4)
    assert {c["tag"]: [e["id"] for e in c["experiments"]] for c in cov["categories"]} == {
        "blurry": [],
        "mislabeled": [2],
        "glare": [3],
        "dark": [],
    }
    assert cov["covered"] == 2 and cov["share_categories"] == 0.5
    assert cov["share_errors"] == pytest.approx(9 / 22) and cov["overlapping"] is True
    assert cov["tag_file"] == str(project / "tags.csv")
    layer = out["layer"]
    assert (layer["layer"], layer["recorded"], layer["days_used"], layer["time_box"], layer["exceeded"]) == (
        "llm_prompting",
        True,
        45,
        "exceeded",
        True,
    )
    assert out["total"] == 4  # the ledger's own numbers are still there

    text = run_cli(["metrics"], cwd=project).stdout
    assert "with an experiment: 2 of 4 categories (50%), holding 41% of the tagged errors" in text
    assert "links no category: several categories share it" in text
    assert "layer: llm prompting — recorded in the card" in text
    assert f"started {started}: 45 days ago, exceeded by 15 days" in text

    untagged = ["diagnose", "--predictions", "preds.csv", "-q"]
    assert run_cli(untagged, cwd=project).returncode == 0
    last = run_cli(["metrics"], cwd=project).stdout
    assert "error-category coverage: none — the diagnosis in .unstuck/last_diagnosis.json has no tagged" in last
    again = json.loads(run_cli(["metrics", "--json", "--diagnosis", "tagged.json"], cwd=project).stdout)
    assert again["error_categories"]["covered"] == 2 and again["error_categories"]["tag_file"] is None

    (project / "unstuck.toml").write_text('[data]\ntype = "txt"\n[status]\nstage = "prototype"\n')
    broken = run_cli(["metrics"], cwd=project)
    assert broken.returncode == 2 and "Did you mean 'text'" in broken.stderr and "Traceback" not in broken.stderr
