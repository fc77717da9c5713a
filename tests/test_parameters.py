"""Validation at the boundary: every option of a diagnosis is declared once and checked before any work."""

from __future__ import annotations

import inspect
import json
import re
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import unstuck
from unstuck.arguments import MAX_SEED, Parameter, check_arguments, is_number, is_numbers
from unstuck.card import ProjectCard
from unstuck.command_curve import COMMAND_CURVE_PARAMETERS, command_curve
from unstuck.cost.estimate import Pricing, cost_report, distill_report, request_volume, token_counts
from unstuck.cost.parameters import COST_PARAMETERS
from unstuck.errors import ConfigError
from unstuck.ledger.experiments import Setup, run_variants
from unstuck.ledger.parameters import LEDGER_PARAMETERS
from unstuck.ledger.sweep import expand_seeds, sweep_variants
from unstuck.ledger.views import ledger_metrics
from unstuck.parameters import PARAMETERS, check_parameters
from unstuck.pipeline import diagnose, load_problem
from unstuck.tryout import TRY_PARAMETERS, try_intervention

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


@pytest.mark.parametrize(("option", "value"), [("--budget", "fast"), ("--backend", "spark")])
def test_the_command_line_refuses_a_budget_or_backend_before_reading_the_data(
    cli: Any, tmp_path: Path, option: str, value: str
) -> None:
    # the data file does not exist: the refusal names the option, so it came before the reading
    done = cli(["diagnose", "missing.csv", "--target", "y", option, value], cwd=tmp_path)
    said = " ".join(done.stderr.split())
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"({option}) is '{value}', which is not one of its choices." in said and "missing.csv" not in said


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


# ----------------------------------------------------------------------------- ranges, declared in the tables

#: Every table of a public entry point, by the command line's command that sets its options.
TABLES: dict[str, dict[str, Parameter]] = {
    "diagnose": PARAMETERS,
    "curve": COMMAND_CURVE_PARAMETERS,
    "cost": COST_PARAMETERS,
    "try": TRY_PARAMETERS,
    "ledger": LEDGER_PARAMETERS,
}
PRICES: dict[str, Any] = {"api_input_price": 2.5, "api_output_price": 10, "small_model_hourly": 1.2, "throughput": 40}


def _curve(**given: Any) -> Callable[[], object]:
    return lambda: command_curve(["false", "{fraction}"], **({"fractions": [0.5]} | given))


def _pricing(**given: Any) -> Callable[[], object]:
    return lambda: Pricing(**(PRICES | given))


#: A value just outside each declared range, planted through the Python entry point that takes it:
#: (table, argument, the flag its message must name, the call).
OUT_OF_RANGE: dict[str, tuple[str, str, str, Callable[[], object]]] = {
    "human_error": ("diagnose", "human_error", "--human-error", lambda: diagnose(FRAME, target="y", human_error=-0.01)),
    "seed-low": ("diagnose", "seed", "--seed", lambda: diagnose(FRAME, target="y", seed=-1)),
    "seed-high": ("diagnose", "seed", "--seed", lambda: load_problem(FRAME, target="y", seed=MAX_SEED + 1)),
    "fractions-zero": ("curve", "fractions", "--fractions", _curve(fractions=[0.0, 0.5])),
    "fractions-over-one": ("curve", "fractions", "--fractions", _curve(fractions=[0.5, 1.01])),
    "seeds": ("curve", "seeds", "--seeds", _curve(seeds=[0, -1])),
    "rows": ("curve", "rows", "--rows", _curve(rows=0)),
    "jobs": ("curve", "jobs", "--jobs", _curve(jobs=0)),
    "timeout": ("curve", "timeout", "--timeout", _curve(timeout=0)),
    "curve-seed": ("curve", "seed", "--seed", _curve(seed=-1)),
    "requests": ("cost", "requests", "--requests", lambda: request_volume(requests=-1)),
    "growth": ("cost", "growth", "--growth", lambda: request_volume(requests=5, growth=-1)),
    "months": ("cost", "months", "--months", lambda: request_volume(requests=5, months=0)),
    "volumes": ("cost", "volumes", "--volumes", lambda: request_volume(volumes=[50000, -1])),
    "tokens_in": ("cost", "tokens_in", "--tokens-in", lambda: token_counts(tokens_in=-1, tokens_out=150)),
    "tokens_out": ("cost", "tokens_out", "--tokens-out", lambda: token_counts(tokens_in=800, tokens_out=-0.5)),
    "coverage": (
        "cost",
        "coverage",
        "--coverage",
        lambda: cost_report(Pricing(**PRICES), request_volume(requests=5), tokens_in=8, tokens_out=1, coverage=1.5),
    ),
    # the distillation refuses its arguments before it reads the traffic (None here)
    "quality_floor": ("cost", "quality_floor", "--quality-floor", lambda: distill_report(None, quality_floor=0)),  # type: ignore[arg-type]
    "guarantee": ("cost", "guarantee", "--guarantee", lambda: distill_report(None, guarantee=1.0)),  # type: ignore[arg-type]
    "max_labels": ("cost", "max_labels", "--max-labels", lambda: distill_report(None, max_labels=1)),  # type: ignore[arg-type]
    "distill-seed": ("cost", "seed", "--seed", lambda: distill_report(None, seed=-1)),  # type: ignore[arg-type]
    "api_input_price": ("cost", "api_input_price", "--api-input-price", _pricing(api_input_price=-1)),
    "api_output_price": ("cost", "api_output_price", "--api-output-price", _pricing(api_output_price=-0.01)),
    "small_model_hourly": ("cost", "small_model_hourly", "--small-model-hourly", _pricing(small_model_hourly=-1)),
    "throughput": ("cost", "throughput", "--throughput", _pricing(throughput=0)),
    "utilisation-zero": ("cost", "utilisation", "--utilisation", _pricing(utilisation=0)),
    "utilisation-over-one": ("cost", "utilisation", "--utilisation", _pricing(utilisation=1.5)),
    "min_instances": ("cost", "min_instances", "--min-instances", _pricing(min_instances=0)),
    "finetune_gpu_hours": ("cost", "finetune_gpu_hours", "--finetune-gpu-hours", _pricing(finetune_gpu_hours=-8)),
    "gpu_hourly": ("cost", "gpu_hourly", "--gpu-hourly", _pricing(gpu_hourly=-1)),
    "labelling_cost": ("cost", "labelling_cost", "--labelling-cost", _pricing(labelling_cost=-100)),
    "engineering_days": ("cost", "engineering_days", "--engineering-days", _pricing(engineering_days=-1)),
    "daily_rate": ("cost", "daily_rate", "--daily-rate", _pricing(daily_rate=-1)),
    "budget": ("cost", "budget", "--budget", _pricing(budget=-1)),
    # the range is checked before the problem or the report is looked at
    "rank": ("try", "rank", "N of unstuck try N", lambda: try_intervention(None, None, 0)),  # type: ignore[arg-type]
    # the ledger's: refused before a store is touched (None here) or a command runs
    "ledger-jobs": ("ledger", "jobs", "--jobs", lambda: run_variants(None, None, ["true"], [], jobs=0)),  # type: ignore[arg-type]
    "ledger-timeout": ("ledger", "timeout", "--timeout", lambda: Setup(cwd=Path("."), timeout=0)),
    "ledger-seeds": ("ledger", "seeds", "--seeds", lambda: expand_seeds([{}], 0)),
    "ledger-samples": ("ledger", "samples", "--samples", lambda: sweep_variants([], mode="qmc", samples=0)),
    "ledger-seed": ("ledger", "seed", "--seed", lambda: sweep_variants([], mode="qmc", samples=4, seed=-1)),
    "ledger-weeks": ("ledger", "weeks", "--weeks", lambda: ledger_metrics([], now=0.0, weeks=0)),
}


@pytest.mark.parametrize("case", sorted(OUT_OF_RANGE))
def test_a_value_out_of_its_declared_range_names_the_argument_and_the_flag(case: str) -> None:
    _, name, flag, call = OUT_OF_RANGE[case]
    with pytest.raises(ConfigError) as refused:
        call()
    assert refused.value.message.startswith(f"The option {name} ({flag}) is ")
    assert "outside its range" in refused.value.message and refused.value.hint.startswith("Pass a value in range")


def test_every_declared_range_has_a_planted_value_out_of_it() -> None:
    declared = {(table, p.name) for table, params in TABLES.items() for p in params.values() if p.bounds}
    assert declared == {(table, name) for table, name, _, _ in OUT_OF_RANGE.values()}


@pytest.mark.parametrize(("table", "name"), sorted((t, n) for t, params in TABLES.items() for n in params))
def test_every_parameter_with_a_flag_names_it_in_its_error(table: str, name: str) -> None:
    parameter = TABLES[table][name]
    with pytest.raises(ConfigError) as refused:  # a value no parameter accepts
        check_arguments({name: object()}, TABLES[table], entry=table)
    said = refused.value.message
    assert said.startswith(f"The option {parameter.called} is ")
    assert parameter.flag is None or f"{name} ({parameter.flag})" in said


def test_every_flag_declared_is_an_option_of_its_command() -> None:
    import typer

    from unstuck.cli import app

    commands: Any = typer.main.get_command(app).commands  # type: ignore[attr-defined]

    def options(*names: str) -> set[str]:
        return {o for c in names for p in commands[c].params for o in p.opts}

    where = {
        "diagnose": ("diagnose",),
        "curve": ("curve",),
        "cost": ("cost", "distill"),
        "try": ("try",),
        "ledger": ("run", "sweep", "metrics"),
    }
    for table, params in TABLES.items():
        flags = {p.flag for p in params.values() if p.flag and p.flag.startswith("--")}
        assert flags <= options(*where[table]), table
    assert TRY_PARAMETERS["rank"].flag == "N of unstuck try N"  # an argument of the command, not an option


def _numbers(value: Any) -> bool:  # a number, or a list of them: what the bounds below apply to
    return is_number(value) or is_numbers(value)


@pytest.mark.parametrize(
    ("parameter", "inside", "outside"),
    [
        (Parameter("n", "", _numbers, "n=1", low=1), [1, 2.5, 10**9], [0, 0.99, -1]),
        (Parameter("n", "", _numbers, "n=1", low=0, low_open=True), [1e-9, 5], [0, -1]),
        (Parameter("n", "", _numbers, "n=1", low=0, high=1, low_open=True), [1e-9, 0.5, 1], [0, 1.01]),
        (Parameter("n", "", _numbers, "n=1", low=0, high=1, low_open=True, high_open=True), [0.5], [0, 1]),
        (Parameter("n", "", _numbers, "n=1", low=0, high=1), [0, 1], [-0.01, 1.01]),
    ],
)
def test_a_bound_is_inclusive_unless_declared_open(
    parameter: Parameter, inside: list[float], outside: list[float]
) -> None:
    table = {"n": parameter}
    for value in inside:
        check_arguments({"n": value}, table, entry="f")
        check_arguments({"n": [value, value]}, table, entry="f")  # each number of a list
    for value in outside:
        with pytest.raises(ConfigError, match=re.escape(f"outside its range ({parameter.bounds})")):
            check_arguments({"n": value}, table, entry="f")
        with pytest.raises(ConfigError, match="outside its range"):
            check_arguments({"n": [inside[0], value]}, table, entry="f")


def test_the_ranges_are_said_in_words() -> None:
    assert COST_PARAMETERS["months"].bounds == "at least 1"
    assert COST_PARAMETERS["growth"].bounds == "more than -1"
    assert COST_PARAMETERS["quality_floor"].bounds == "more than 0 and at most 1"
    assert COST_PARAMETERS["guarantee"].bounds == "more than 0 and less than 1"
    assert COST_PARAMETERS["coverage"].bounds == "from 0 to 1"
    assert PARAMETERS["seed"].bounds == "from 0 to 4,294,967,295"
    assert PARAMETERS["target"].bounds is None


def test_values_on_the_bounds_are_still_accepted() -> None:
    # the tables took over checks that were written by hand: what they let through must not change
    volume = request_volume(requests=0, growth=-0.99, months=1)
    assert volume.series == (0.0,)
    assert request_volume(volumes=[0, 5]).series == (0.0, 5.0)
    assert token_counts(tokens_in=0, tokens_out=0).tokens_in == 0.0
    pricing = Pricing(**PRICES | {"utilisation": 1, "min_instances": 1, "budget": 0, "throughput": 1e-6})
    assert pricing.utilisation == 1
    assert cost_report(Pricing(**PRICES), volume, tokens_in=8, tokens_out=1, coverage=0)["cost"] is not None
    check_arguments(
        {"fractions": [1e-9, 1], "seeds": [0, MAX_SEED], "rows": 1, "jobs": 1, "timeout": 1e-3, "seed": MAX_SEED},
        COMMAND_CURVE_PARAMETERS,
        entry="command_curve",
    )
    check_arguments({"quality_floor": 1, "guarantee": 0.999, "max_labels": 2, "seed": 0}, COST_PARAMETERS, entry="d")
    check_parameters({"human_error": 0, "seed": MAX_SEED})


CURVE = ["curve", "--", sys.executable, "train.py", "--fraction", "{fraction}"]
COST = ["cost", "--api-input-price", "2.5", "--api-output-price", "10", "--small-model-hourly", "1.2"]
COST_OK = [*COST, "--throughput", "40", "--tokens-in", "800", "--tokens-out", "150", "--requests", "5"]


#: The same ranges through the command line: (argument, flag, the command's words).
CLI_OUT_OF_RANGE: list[tuple[str, str, list[str]]] = [
    ("human_error", "--human-error", ["diagnose", "train.csv", "--target", "y", "--human-error", "-0.5"]),
    ("seed", "--seed", ["diagnose", "train.csv", "--target", "y", "--seed", str(MAX_SEED + 1)]),
    ("fractions", "--fractions", [CURVE[0], "--fractions", "0.5,1.5", *CURVE[1:]]),
    ("seeds", "--seeds", [CURVE[0], "--seeds", "0,-1", *CURVE[1:]]),
    ("rows", "--rows", [CURVE[0], "--rows", "0", *CURVE[1:]]),
    ("jobs", "--jobs", [CURVE[0], "--jobs", "0", *CURVE[1:]]),
    ("timeout", "--timeout", [CURVE[0], "--timeout", "0", *CURVE[1:]]),
    ("seed", "--seed", [CURVE[0], "--seed", "-1", *CURVE[1:]]),
    ("requests", "--requests", [*COST_OK, "--requests", "-5"]),
    ("growth", "--growth", [*COST_OK, "--growth", "-1"]),
    ("months", "--months", [*COST_OK, "--months", "0"]),
    ("volumes", "--volumes", [*COST_OK, "--volumes", "50000,-1"]),
    ("tokens_in", "--tokens-in", [*COST_OK, "--tokens-in", "-1"]),
    ("tokens_out", "--tokens-out", [*COST_OK, "--tokens-out", "-1"]),
    ("coverage", "--coverage", [*COST_OK, "--coverage", "1.5"]),
    ("api_input_price", "--api-input-price", [*COST_OK, "--api-input-price", "-1"]),
    ("api_output_price", "--api-output-price", [*COST_OK, "--api-output-price", "-1"]),
    ("small_model_hourly", "--small-model-hourly", [*COST_OK, "--small-model-hourly", "-1"]),
    ("throughput", "--throughput", [*COST_OK, "--throughput", "0"]),
    ("utilisation", "--utilisation", [*COST_OK, "--utilisation", "0"]),
    ("min_instances", "--min-instances", [*COST_OK, "--min-instances", "0"]),
    ("finetune_gpu_hours", "--finetune-gpu-hours", [*COST_OK, "--finetune-gpu-hours", "-1"]),
    ("gpu_hourly", "--gpu-hourly", [*COST_OK, "--gpu-hourly", "-1"]),
    ("labelling_cost", "--labelling-cost", [*COST_OK, "--labelling-cost", "-1"]),
    ("engineering_days", "--engineering-days", [*COST_OK, "--engineering-days", "-1"]),
    ("daily_rate", "--daily-rate", [*COST_OK, "--daily-rate", "-1"]),
    ("budget", "--budget", [*COST_OK, "--budget", "-1"]),
    ("quality_floor", "--quality-floor", ["distill", "t.jsonl", "--quality-floor", "2"]),
    ("guarantee", "--guarantee", ["distill", "t.jsonl", "--guarantee", "1"]),
    ("max_labels", "--max-labels", ["distill", "t.jsonl", "--max-labels", "1"]),
    ("seed", "--seed", ["distill", "t.jsonl", "--seed", "-1"]),
    ("rank", "N of unstuck try N", ["try", "0"]),  # refused before the last diagnosis is looked for
    # the ledger's, each before the ledger is opened
    ("jobs", "--jobs", ["sweep", "--seeds", "2", "--jobs", "0", "--", "true"]),
    ("timeout", "--timeout", ["run", "--timeout", "0", "--", "true"]),
    ("seeds", "--seeds", ["run", "--seeds", "0", "--", "true"]),
    ("samples", "--samples", ["sweep", "--vary", "lr=1:2", "--mode", "qmc", "--samples", "0", "--", "true"]),
    ("seed", "--seed", ["sweep", "--seeds", "2", "--seed", "-1", "--", "true"]),
    ("weeks", "--weeks", ["metrics", "--weeks", "0"]),
]


def test_every_range_is_planted_through_the_command_line_too() -> None:
    planted = {name for name, _, _ in CLI_OUT_OF_RANGE}
    assert planted == {name for _, name, _, _ in OUT_OF_RANGE.values()}


@pytest.mark.parametrize(
    ("name", "flag", "args"), CLI_OUT_OF_RANGE, ids=[f"{c[2][0]} {c[1]}" for c in CLI_OUT_OF_RANGE]
)
def test_the_command_line_refuses_a_value_out_of_range_in_one_paragraph(
    cli: Any, tmp_path: Path, name: str, flag: str, args: list[str]
) -> None:
    FRAME.to_csv(tmp_path / "train.csv", index=False)
    lines = [{"prompt": f"text {i}", "response": "yes" if i % 2 else "no"} for i in range(40)]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    done = cli(args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    said = " ".join(done.stderr.split())  # the console wraps long lines
    assert said.startswith(f"error: The option {name} ({flag}) is ") and "outside its range" in said, said
    assert said.count("error:") == 1 and " fix: Pass a value in range" in said
    assert not (tmp_path / ".unstuck").exists()  # refused before any state (the ledger, the last report) is made
