"""Reading traffic files: good ones, and every bad kind, with line numbers, through the CLI too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cost_data import write_jsonl

from unstuck.cost.traffic import read_traffic
from unstuck.errors import ColumnProblem, FileProblem, InputError

GOOD = {"prompt": "where is my parcel", "response": "shipping"}


def test_reads_nested_fields_chat_messages_times_and_tokens(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "t.jsonl",
        [
            {
                "request": {
                    "messages": [{"role": "system", "content": "Classify."}, {"role": "user", "content": "hi"}]
                },
                "answer": "greeting",
                "created_at": "2026-03-01T10:00:00Z",
                "usage": {"prompt_tokens": 12, "completion_tokens": 1},
            },
            {
                "request": {"messages": [{"role": "user", "content": "bye"}]},
                "answer": "farewell",
                "created_at": "2026-03-01T09:00:00",
                "usage": {"prompt_tokens": 8, "completion_tokens": 2},
            },
        ],
    )
    t = read_traffic(
        path,
        input_field="request.messages",
        output_field="answer",
        tokens_in_field="usage.prompt_tokens",
        tokens_out_field="usage.completion_tokens",
    )
    assert t.time_field == "created_at"
    assert t.frame["input"].tolist() == ["Classify.\nhi", "bye"]
    assert t.frame["tokens_in"].tolist() == [12.0, 8.0]
    assert t.frame["time"].iloc[1] < t.frame["time"].iloc[0]
    assert t.lines == 2 and not t.bad_lines


def test_bad_lines_are_numbered_and_kept_out_only_when_allowed(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "t.jsonl",
        [
            GOOD,  # 1
            '{"prompt": "broken", "response": ',  # 2: broken JSON
            {"prompt": "no answer"},  # 3: missing field
            {"prompt": "x", "response": 3},  # 4: mixed types (number among strings)
            "[1, 2]",  # 5: not an object
            {"prompt": "y", "response": None},  # 6: null
            GOOD,  # 7
        ],
    )
    with pytest.raises(InputError) as info:
        read_traffic(path)
    message = str(info.value)
    for fragment in (
        "line 2: not valid JSON",
        "line 3: no field 'response'",
        "line 4:",
        "mixed types",
        "line 5:",
        "line 6:",
        "--skip-bad-lines",
        "2 good",
    ):
        assert fragment in message
    t = read_traffic(path, skip_bad_lines=True)
    assert t.frame["line"].tolist() == [1, 7]
    assert [b.line for b in t.bad_lines] == [2, 3, 4, 5, 6]


def test_file_level_problems(tmp_path: Path) -> None:
    with pytest.raises(FileProblem, match="does not exist"):
        read_traffic(tmp_path / "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(FileProblem, match="empty"):
        read_traffic(tmp_path / "empty.jsonl")
    path = write_jsonl(tmp_path / "t.jsonl", [{"question": "q", "answer": "a"}])
    with pytest.raises(ColumnProblem, match="answer, question"):
        read_traffic(path)
    bad_time = write_jsonl(tmp_path / "bt.jsonl", [{**GOOD, "timestamp": "yesterday-ish"}, {**GOOD, "timestamp": 1}])
    with pytest.raises(InputError, match="line 1: the time 'yesterday-ish'"):
        read_traffic(bad_time)


def test_cli_reports_broken_lines_with_numbers_and_exit_2(tmp_path: Path, cli) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [GOOD] * 3 + ["{not json"] + [GOOD] * 2 + [{"prompt": "p"}])
    result = cli(
        [
            "cost",
            "--traffic",
            str(path),
            "--api-input-price",
            "1",
            "--api-output-price",
            "2",
            "--requests",
            "1000",
            "--small-model-hourly",
            "1",
            "--throughput",
            "5",
        ]
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "line 4: not valid JSON" in result.stderr and "line 7: no field 'response'" in result.stderr
    assert "--skip-bad-lines" in result.stderr

    out = tmp_path / "r.json"
    result = cli(
        [
            "cost",
            "--traffic",
            str(path),
            "--skip-bad-lines",
            "--api-input-price",
            "1",
            "--api-output-price",
            "2",
            "--requests",
            "1000",
            "--small-model-hourly",
            "1",
            "--throughput",
            "5",
            "--json",
            str(out),
            "--quiet",
        ]
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["traffic"]["good_lines"] == 5
    assert [b["line"] for b in report["traffic"]["bad_lines"]] == [4, 7]
    # 'where is my parcel' is 18 characters -> 5 tokens; 'shipping' 8 -> 2
    assert report["cost"]["api"]["tokens_in"] == 5 and report["cost"]["api"]["tokens_out"] == 2
    assert report["cost"]["api"]["tokens_source"] == "approximated"


@pytest.mark.parametrize(
    ("content", "words"),
    [("", "is empty"), ('{"a": 1}\n', "No line of"), ("[1]\n[2]\n", "No line of")],
)
def test_cli_bad_traffic_files(tmp_path: Path, content: str, words: str, cli) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(content, encoding="utf-8")
    result = cli(["distill", str(path)])
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr
