"""Validation at the boundary: every option of a diagnosis is declared once and checked before any work."""

from __future__ import annotations

import inspect
import re
import typing
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import unstuck
from unstuck.card import ProjectCard
from unstuck.errors import ConfigError
from unstuck.parameters import PARAMETERS, check_parameters
from unstuck.pipeline import diagnose, load_problem

FRAME = pd.DataFrame({"x": [1.0, 2.0], "y": [0, 1]})

#: One accepted and one refused value per option; the refusal must name the option.
GOOD_AND_BAD: dict[str, tuple[Any, Any]] = {
    "data": (FRAME, 3),
    "target": ("y", 3),
    "dev": (Path("dev.csv"), ["dev.csv"]),
    "test": ("test.csv", 1.0),
    "train_dev": (FRAME, {"a": 1}),
    "split_column": ("split", ["split"]),
    "predictions": ("preds.csv", 0),
    "task": ("regression", "clasification"),
    "metric": ("mae", "accuracy"),
    "id_column": ("id", 7),
    "text_columns": (["review"], "review"),
    "image_column": ("path", 3),
    "drop": (["a", "b"], "ab"),
    "human_error": (0.02, -0.01),
    "seed": (123, "abc"),
    "encoding": ("latin-1", 8),
    "card": (ProjectCard(data_type="text", stage="prototype"), {"data_type": "text"}),
    "training_logs": (["history.csv"], "history.csv"),
    "tags": ("tags.csv", 5),
    "mlflow_uri": ("http://127.0.0.1:5000", 5000),
    "on_step": (print, "print"),
    "budget": ("quick", "fast"),
    "backend": ("ray", "spark"),
}


def test_every_option_of_the_entry_points_is_declared_and_nothing_else() -> None:
    names = set(inspect.signature(load_problem).parameters) | set(inspect.signature(diagnose).parameters)
    assert set(PARAMETERS) == names - {"options"}
    assert set(GOOD_AND_BAD) == set(PARAMETERS)


@pytest.mark.parametrize("name", sorted(GOOD_AND_BAD))
def test_each_option_accepts_its_kind_and_refuses_another_naming_itself(name: str) -> None:
    good, bad = GOOD_AND_BAD[name]
    check_parameters({name: good})
    check_parameters({name: None})  # not given
    with pytest.raises(ConfigError) as refused:
        check_parameters({name: bad})
    assert name in refused.value.message and refused.value.hint


@pytest.mark.parametrize(
    ("options", "message", "hint"),
    [
        (
            {"task": "clasification"},
            "The option task (--task) is 'clasification', which is not one of its choices.",
            "Did you mean 'classification'? The task is one of: classification, regression.",
        ),
        (
            {"seed": "abc"},
            "The option seed (--seed) is 'abc', but it must be a whole number.",
            "Pass it as, e.g., seed=0.",
        ),
        (
            {"seed": True},
            "The option seed (--seed) is True, but it must be a whole number.",
            "Pass it as, e.g., seed=0.",
        ),
        (
            {"seed": -1},
            "The option seed (--seed) is -1, outside its range (from 0 to 4,294,967,295).",
            "Pass a value in range, e.g. seed=0.",
        ),
        (
            {"human_error": float("nan")},
            "The option human_error (--human-error) is nan, but it must be a number in the metric's units.",
            "Pass it as, e.g., human_error=0.02.",
        ),
        (
            {"metric": "rmsee"},
            "The option metric (--metric) is 'rmsee', which is not one of its choices.",
            "Did you mean 'rmse'? The metric is one of: error_rate, rmse, mae.",
        ),
        (
            {"budget": "fast"},
            "The option budget (--budget) is 'fast', which is not one of its choices.",
            "The budget is one of: quick, standard, thorough.",
        ),
        (
            {"data": 3},
            "The option data is 3, but it must be a path or a pandas DataFrame.",  # no flag: an argument
            'Pass it as, e.g., unstuck.diagnose("train.csv", target="label").',
        ),
    ],
)
def test_the_message_names_the_option_the_value_and_the_fix(options: dict[str, Any], message: str, hint: str) -> None:
    with pytest.raises(ConfigError) as refused:
        check_parameters(options)
    assert (refused.value.message, refused.value.hint) == (message, hint)


def test_diagnose_refuses_bad_options_before_any_work() -> None:
    with pytest.raises(ConfigError, match=r"task \(--task\) is 'clasification', which is not one of its choices"):
        unstuck.diagnose(FRAME, target="y", task="clasification")
    with pytest.raises(ConfigError, match=r"seed \(--seed\) is 'abc'"):
        unstuck.diagnose(FRAME, target="y", seed="abc")
    with pytest.raises(ConfigError) as unknown:
        unstuck.diagnose(FRAME, targte="y")
    assert unknown.value.message == "unstuck.diagnose() has no option 'targte'."
    assert unknown.value.hint.startswith("Did you mean 'target'? Its options are: data, target, dev,")
    with pytest.raises(ConfigError, match=r"The option drop \(--drop\) is 'x'"):
        unstuck.load_problem(FRAME, target="y", drop="x")  # type: ignore[arg-type]


def test_the_assistant_offers_the_declared_choices() -> None:
    pytest.importorskip("pydantic")
    from unstuck.assistant import params

    def literal_values(alias: Any) -> set[str]:
        annotated, *_ = typing.get_args(alias)
        literal = next(a for a in typing.get_args(annotated) if typing.get_origin(a) is typing.Literal)
        return set(typing.get_args(literal))

    assert literal_values(params.Task) == set(PARAMETERS["task"].choices)
    assert literal_values(params.Metric) == set(PARAMETERS["metric"].choices)


def test_the_command_line_gets_the_same_message(cli: Any, tmp_path: Path) -> None:
    FRAME.to_csv(tmp_path / "train.csv", index=False)
    done = cli(["diagnose", "train.csv", "--target", "y", "--task", "clasification"], cwd=tmp_path)
    assert done.returncode == 2
    said = " ".join(done.stderr.split())  # the console wraps long lines
    assert "The option task (--task) is 'clasification', which is not one of its choices." in said
    assert "Did you mean 'classification'?" in said and "Traceback" not in done.stderr
    negative = cli(["diagnose", "train.csv", "--target", "y", "--seed", "-1"], cwd=tmp_path)
    assert negative.returncode == 2 and "The option seed (--seed) is -1, outside its range" in negative.stderr


def test_the_python_errors_shown_in_the_docs_are_the_ones_raised() -> None:
    # the options' list grows with the code; a hand-copied message in the docs would drift from it
    doc = (Path(__file__).parent.parent / "docs" / "diagnose.md").read_text(encoding="utf-8")
    shown = re.findall(r"^>>> (unstuck\.diagnose\(.*\))\n(unstuck\.errors\.\w+): (.*)$", doc, re.MULTILINE)
    assert len(shown) >= 2, "the examples moved: point this test at them"
    for call, kind, text in shown:
        with pytest.raises(ConfigError) as raised:
            eval(call, {"unstuck": unstuck})  # the doc's own line, options only: no file is read
        assert (f"unstuck.errors.{type(raised.value).__name__}", str(raised.value)) == (kind, text), call


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (
            {"fractions": "abc"},
            "The option fractions (--fractions) is 'abc', but it must be a non-empty list of numbers in (0, 1].",
        ),
        ({"fractions": [0.5], "seeds": ["a"]}, "The option seeds (--seeds) is ['a'], but it must be a non-empty list"),
        (
            {"fractions": [0.5], "jobs": "2"},
            "The option jobs (--jobs) is '2', but it must be a whole number of runs in parallel.",
        ),
        ({"fractions": [0.5], "seeds": [-1]}, "The option seeds (--seeds) is [-1], outside its range"),
    ],
)
def test_the_command_curve_refuses_a_wrong_type_before_running_anything(arguments: dict[str, Any], said: str) -> None:
    from unstuck.command_curve import command_curve

    with pytest.raises(ConfigError) as raised:
        command_curve(["false", "{fraction}"], **arguments)
    assert str(raised.value).startswith(said)  # the message names the argument and its value, then the fix


def test_the_request_volume_refuses_a_wrong_type_with_the_python_argument() -> None:
    from unstuck.cost.estimate import request_volume

    with pytest.raises(ConfigError, match=r"The option months \(--months\) is 'x', but it must be a whole number"):
        request_volume(requests=5, months="x")
    with pytest.raises(ConfigError, match=r"Pass it as, e\.g\., volumes=\[50000, 80000, 120000\]"):
        request_volume(volumes="50000,80000")
    assert request_volume(requests=5, months=3).months == 3  # a valid call still works


def test_the_cost_functions_refuse_a_wrong_type_with_the_python_argument() -> None:
    from unstuck.cost.estimate import distill_report, token_counts

    with pytest.raises(ConfigError, match=r"tokens_in \(--tokens-in\) is 'abc', but it must be a number of prompt"):
        token_counts(tokens_in="abc", tokens_out=150)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"max_labels \(--max-labels\) is '50', but it must be a whole number"):
        distill_report(None, max_labels="50")  # type: ignore[arg-type]  # refused before the traffic is read
    assert token_counts(tokens_in=800, tokens_out=150).tokens_in == 800.0  # a valid call still works
