"""Section tables shared by HTML and Markdown, pinned on planted cases."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import pytest

import unstuck
from render_helpers import fixture_report
from unstuck.findings import Finding
from unstuck.registry import spec_named
from unstuck.render.html import render_html
from unstuck.render.markdown import render_markdown
from unstuck.render.tables import example_table
from unstuck.view import Table


def _tagged_report() -> unstuck.Report:
    """Dev: 200 rows, rows 0-39 wrong (20% error); 20 errors tagged: 10 blurry, 5 mislabeled (2 overlap).

    Ceilings by hand: blurry 20% × 10/20 = 10.0 points, mislabeled 20% × 5/20 = 5.0 points.
    Errors are spread over classes a/b/c/d as rows 0-39 cycle through them; city c3 holds no extra errors.
    """
    y = np.array(list("abcd") * 50)
    pred = y.copy()
    pred[:40] = np.where(y[:40] == "a", "b", "a")
    dev = pd.DataFrame({"split": "dev", "y_true": y, "y_pred": pred})
    train = pd.DataFrame({"split": "train", "y_true": y, "y_pred": y})
    tags = ["blurry"] * 8 + ["blurry; mislabeled"] * 2 + ["mislabeled"] * 3 + [""] * 7
    tag_file = pd.DataFrame({"row": [f"dev-{i}" for i in range(20)], "tags": tags})
    return unstuck.diagnose(predictions=pd.concat([train, dev], ignore_index=True), tags=tag_file)


def test_error_tag_table_shows_the_ceilings_computed_by_hand() -> None:
    report = _tagged_report()
    text = render_markdown(report)
    assert "### Error tags and their ceilings" in text
    assert "| blurry | 10 | 50.0% |" in text and "| 10.0 pts | targeted_data |" in text
    assert "| mislabeled | 5 | 25.0% |" in text and "| 5.0 pts | fix_labels |" in text
    assert "_20 of 40 dev errors examined; tags cover 65% of them." in text


def test_per_class_table_counts_the_planted_errors() -> None:
    text = render_markdown(_tagged_report())
    # rows 0-39 wrong: classes a, b, c, d each have 10 errors of 50 dev rows (20%), a quarter of all errors
    for cls in "abcd":
        assert f"| {cls} | 50 | 50 | 10 | 20.0% |" in text, cls
    assert "25.0% |" in text


def test_example_rows_of_a_finding_become_a_table() -> None:
    examples = [{"row": 3, "x1": 0.123456, "color": "red"}, {"row": 9, "x1": -1.5, "color": "blue", "extra": "z"}]
    finding = Finding(
        id="leakage.train.dev",
        check="leakage",
        severity="critical",
        title="2 dev rows copy train",
        lever="fix_leakage",
        evidence={"examples": examples},
    )
    table = example_table(finding)
    assert table is not None
    assert table.headers == ("row", "x1", "color", "extra")
    assert [list(r) for r in table.rows] == [["3", "0.1235", "red", ""], ["9", "-1.5", "blue", "z"]]
    report = fixture_report()
    report = dataclasses.replace(report, findings=(*report.findings, finding))
    assert "| 3 | 0.1235 | red |  |" in render_markdown(report)
    assert "<td>0.1235</td><td>red</td>" in render_html(report)


def tables_of(check: str, section: dict[str, Any]) -> list[Table]:
    """The tables the check ``check`` declares for ``section`` in the fixture report."""
    spec = spec_named(check)
    assert spec is not None and spec.tables is not None
    return spec.tables(fixture_report(), spec.read_section(section))


def test_a_section_that_lost_a_key_fails_loudly_instead_of_printing_a_dash() -> None:
    with pytest.raises(TypeError, match="DuplicatesResult: the key 'columns_compared' is missing"):
        tables_of("duplicates", {"splits": {}})


def test_quiet_sections_have_no_table() -> None:
    assert tables_of("leakage", _leakage_section(shared_rows=0, error_without_leaked={})) == []
    quiet_split = {
        "rows": 10,
        "duplicate_rows": 0,
        "near_duplicate_rows": 0,
        "duplicate_share": 0.0,
        "chance_share": 0.0,
        "conflict_groups": 0,
        "conflict_rows": 0,
    }
    assert tables_of("duplicates", {"columns_compared": 3, "splits": {"train": quiet_split}}) == []
    assert tables_of("slices", _slices_section()) == []
    no_tags = {
        "examined_errors": 0,
        "dev_errors": 5,
        "dev_rows": 50,
        "dev_error": 0.1,
        "coverage": 0.0,
        "ignored_correct_rows": 0,
        "tags": [],
    }
    assert tables_of("error_tags", no_tags) == []


def _slices_section(*slices: dict[str, Any]) -> dict[str, Any]:
    """A slices section as the check writes it: a search over 40 hypotheses on 500 dev rows."""
    return {
        "rows": 500,
        "failures": 60,
        "levels": 12,
        "slices_counted": 40,
        "hypotheses": 40,
        "min_support": 20,
        "alpha": 0.05,
        "p_threshold": 0.00125 if slices else 0.0,
        "significant_before_merging": len(slices),
        "notes": [],
        "slices": list(slices),
        "failure": "misclassified",
    }


def _leakage_section(shared_rows: int, error_without_leaked: dict[str, Any]) -> dict[str, Any]:
    """A leakage section as the check writes it: train and dev sharing ``shared_rows`` of dev's 400 rows."""
    pair = {
        "splits": ["train", "dev"],
        "rows_in_second": 400,
        "exact": 20 if shared_rows else 0,
        "near": 4 if shared_rows else 0,
        "ids": {},
        "shared_rows": shared_rows,
        "share": shared_rows / 400,
        "rows": list(range(min(shared_rows, 5))),
        "by_chance": 0.0,
    }
    return {
        "columns_compared": 3,
        "id_columns": [],
        "chance_share": 0.0,
        "pairs": [pair],
        "error_without_leaked": error_without_leaked,
        "leakage_found": bool(shared_rows),
    }


def test_leakage_table_shows_shared_rows_and_the_error_without_them() -> None:
    without = {"dev": {"all": 0.05, "without": 0.08, "change": 0.03, "n_leaked": 24, "n_kept": 376}}
    shared, effect = tables_of("leakage", _leakage_section(24, without))
    assert [list(r) for r in shared.rows] == [["train ↔ dev", "400", "20", "4", "24", "6.0%", "0.000%"]]
    assert [list(r) for r in effect.rows] == [["dev", "24", "5.0%", "8.0%"]]


def test_capacity_sweep_table_marks_default_and_best() -> None:
    # as a report saved before the sweeps screened their settings wrote it: no rows or dropped_at per setting
    section = {
        "model": "gradient_boosting",
        "capacity": {
            "parameter": "num_leaves",
            "default": 31,
            "rows": 5000,
            "best": 127,
            "at_edge": True,
            "settings": [
                {"value": 31, "train_error": 0.1, "dev_error": 0.2},
                {"value": 127, "train_error": 0.05, "dev_error": 0.15},
            ],
        },
    }
    (table,) = tables_of("capacity", section)
    assert [list(r) for r in table.rows] == [["31 (default)", "10.0%", "20.0%"], ["127", "5.0%", "15.0%"]]
    assert table.highlight == 1 and "at an end of the range" in table.caption
    report = dataclasses.replace(fixture_report(), sections={**fixture_report().sections, "capacity": section})
    text = render_markdown(report)
    assert "### Model size and learning rate" in text and "| **127** | 5.0% | 15.0% |" in text
    assert text.index("### Learning curve") < text.index("### Model size") < text.index("### Baseline ladder")


def test_slices_table_reads_the_rule_its_errors_and_gain() -> None:
    found = {
        "rule": "color = red and x1 ≥ 0.5",
        "conditions": [
            {
                "feature": "color",
                "kind": "eq",
                "value": "red",
                "values": [],
                "low": None,
                "high": None,
                "text": "color = red",
            },
            {
                "feature": "x1",
                "kind": "range",
                "value": None,
                "values": [],
                "low": 0.5,
                "high": None,
                "text": "x1 ≥ 0.5",
            },
        ],
        "rows": 50,
        "failures": 25,
        "error": 0.5,
        "rest_error": 0.0778,
        "share": 0.1,
        "p_value": 1e-9,
        "q_value": 4e-8,
        "also": [],
        "metric": 0.5,
        "rest_metric": 0.0778,
        "train_share": 0.02,
        "rare": True,
        "rarer_in_train": True,
        "expected_gain": 0.0422,
    }
    (table,) = tables_of("slices", _slices_section(found))
    assert [list(r) for r in table.rows] == [
        ["color = red and x1 ≥ 0.5", "50", "10.0%", "50.0%", "7.8%", "4.0e-08", "4.2 pts"]
    ]
    assert table.caption.startswith("Rules over 40 candidate slices, false discovery rate 0.05")


def test_label_table_of_a_report_saved_before_the_confidence_measures() -> None:
    # the fixture's labels section predates confident_share, confidently_wrong, rows_judged and trust
    summary, ranked = tables_of("labels", fixture_report().sections["labels"])
    assert [list(r) for r in summary.rows] == [
        ["train", "862", "0.5%", "4", "—"],
        ["dev", "359", "0.3%", "1", "10.0%"],
    ]
    assert [list(r[:2]) for r in ranked.rows] == [
        ["dev", "10"],
        ["train", "346"],
        ["train", "781"],
        ["train", "126"],
        ["train", "398"],
    ]
    assert [r[4] for r in ranked.rows] == ["0.005", "0.005", "0.012", "0.022", "0.057"]


def _text_within(rows: int, copies: int, near: int, other_label: int) -> dict[str, Any]:
    return {
        "rows": rows,
        "copies": copies,
        "normalised": copies - near,
        "near": near,
        "share": copies / rows,
        "with_another_label": other_label,
    }


def _text_column(dev_copies: int) -> dict[str, Any]:
    """One text column: train repeats 20 of its 1,000 texts; ``dev_copies`` of dev's 200 copy a train text."""
    pair = {
        "splits": ["train", "dev"],
        "rows_in_second": 200,
        "copies": dev_copies,
        "normalised": dev_copies // 2,
        "near": dev_copies - dev_copies // 2,
        "share": dev_copies / 200,
        "by_chance": 0.02,
    }
    without = {"dev": {"all": 0.10, "without": 0.125, "change": 0.025, "n_leaked": 40, "n_kept": 160}}
    return {
        "within": {"train": _text_within(1000, 20, 5, 3), "dev": _text_within(200, 0, 0, 0)},
        "pairs": [pair],
        "error_without_copies": without if dev_copies else {},
    }


def test_text_copies_tables_show_copies_inside_splits_between_them_and_the_error_without() -> None:
    section = {"threshold": 0.8, "columns": {"text": _text_column(40)}, "leakage_found": True}
    within, between, effect = tables_of("text_copies", section)
    assert within.headers[:3] == ("split", "texts", "copies")
    assert [list(r) for r in within.rows] == [["train", "1,000", "20", "15", "5", "2.0%", "3"]]  # dev has none
    assert "Jaccard similarity of word pairs ≥ 0.8" in within.caption
    assert [list(r) for r in between.rows] == [["train ↔ dev", "200", "40", "20", "20", "20.0%", "2.0%"]]
    assert [list(r) for r in effect.rows] == [["dev", "40", "10.0%", "12.5%"]]
    # two text columns: each row names its column; a quiet column adds no row
    two = {"threshold": 0.8, "columns": {"title": _text_column(40), "body": _text_column(0)}, "leakage_found": True}
    within, between, effect = tables_of("text_copies", two)
    assert within.headers[0] == "column" and [r[0] for r in within.rows] == ["title", "body"]
    assert [r[:2] for r in between.rows] == [["title", "train ↔ dev"]] and len(effect.rows) == 1
    quiet = {"threshold": 0.8, "columns": {"text": {**_text_column(0), "within": {}}}, "leakage_found": False}
    assert tables_of("text_copies", quiet) == []


def test_image_copies_tables_and_their_place_in_the_markdown_report() -> None:
    within = {"rows": 500, "copies": 10, "identical_files": 4, "perceptual": 6, "share": 0.02}
    pair = {
        "splits": ["train", "dev"],
        "rows_in_second": 140,
        "copies": 35,
        "identical_files": 0,
        "perceptual": 35,
        "share": 0.25,
        "by_chance": 0.02,
    }
    section = {
        "within": {"train": within},
        "pairs": [pair],
        "error_without_copies": {"dev": {"all": 0.05, "without": 0.08, "change": 0.03, "n_leaked": 35, "n_kept": 105}},
        "leakage_found": True,
    }
    inside, between, effect = tables_of("image_copies", section)
    assert [list(r) for r in inside.rows] == [["train", "500", "10", "4", "6", "2.0%"]]
    assert [list(r) for r in between.rows] == [["train ↔ dev", "140", "35", "0", "35", "25.0%", "2.0%"]]
    assert [list(r) for r in effect.rows] == [["dev", "35", "5.0%", "8.0%"]]
    report = dataclasses.replace(fixture_report(), sections={**fixture_report().sections, "image_copies": section})
    text = render_markdown(report)
    assert "| train ↔ dev | 140 | 35 | 0 | 35 | 25.0% | 2.0% |" in text
    assert text.index("### Data surprises") < text.index("| train ↔ dev | 140 |") < text.index("### Learning curve")
    assert '<td>train ↔ dev</td><td class="num">140</td>' in render_html(report)
