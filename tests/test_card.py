"""The project card: round trip, validation, and the CLI that writes it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import run_cli
from unstuck.card import ProjectCard, read_card, write_card
from unstuck.errors import ConfigError, FileProblem


def test_round_trip(tmp_path: Path) -> None:
    card = ProjectCard(
        data_type="image",
        stage="scaling",
        volume=12000,
        quirks=("blurry",),
        current=0.08,
        target=0.04,
        human_level=0.02,
        tried=("more data", "bigger model"),
        prompt_tuning_started=dt.date(2026, 1, 2),
        uses_llm_api=True,
    )
    path = write_card(card, tmp_path / "unstuck.toml")
    assert read_card(path) == card


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = tmp_path / "unstuck.toml"
    path.write_text('[data]\ntype = "text"\n[status]\nstage = "prototype"\n[performance]\nhuman_levle = 0.1\n')
    with pytest.raises(ConfigError, match=r"Did you mean 'performance\.human_level'"):
        read_card(path)


def test_bad_vocabulary_and_types(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Did you mean 'image'"):
        ProjectCard(data_type="images", stage="prototype")
    path = tmp_path / "unstuck.toml"
    path.write_text('[data]\ntype = "text"\nvolume = "lots"\n[status]\nstage = "prototype"\n')
    with pytest.raises(ConfigError, match=r"data\.volume"):
        read_card(path)


def test_missing_required_and_broken_toml(tmp_path: Path) -> None:
    path = tmp_path / "unstuck.toml"
    path.write_text('[data]\ntype = "text"\n')
    with pytest.raises(ConfigError, match=r"status\.stage"):
        read_card(path)
    path.write_text("[data\n")
    with pytest.raises(FileProblem, match="not valid TOML"):
        read_card(path)


def test_write_never_overwrites_without_force(tmp_path: Path) -> None:
    path = tmp_path / "unstuck.toml"
    path.write_text("keep me")
    with pytest.raises(FileProblem, match="already exists"):
        write_card(ProjectCard(data_type="text", stage="greenfield"), path)
    assert path.read_text() == "keep me"


def test_cli_init_then_plan(tmp_path: Path) -> None:
    made = run_cli(["init", "--data-type", "structured", "--stage", "greenfield", "--volume", "300"], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert read_card(tmp_path / "unstuck.toml").volume == 300
    again = run_cli(["init", "--data-type", "text", "--stage", "greenfield"], cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    plan = run_cli(["plan", "--json", "plan.json"], cwd=tmp_path)
    assert plan.returncode == 0, plan.stderr
    assert "Layer: classical ml" in plan.stdout and "layer rule data_type" in plan.stdout
    import json

    document = json.loads((tmp_path / "plan.json").read_text())
    assert document["steps"][1]["title"].startswith("Start from the 300 labelled examples")
    assert (document["layer"], document["layer_rule"]) == ("classical_ml", "data_type")
    assert document["steps"][0]["layer"] == "classical_ml" and document["steps"][1]["layer"] is None


def test_cli_plan_without_card_and_with_bad_card(tmp_path: Path) -> None:
    missing = run_cli(["plan"], cwd=tmp_path)
    assert missing.returncode == 2 and "unstuck init" in missing.stderr and "Traceback" not in missing.stderr
    (tmp_path / "unstuck.toml").write_bytes(b'[data]\ntype = "caf\xe9"\n')
    broken = run_cli(["plan"], cwd=tmp_path)
    assert broken.returncode == 2 and "UTF-8" in broken.stderr


def test_diagnose_reads_the_card_in_the_current_folder(tmp_path: Path) -> None:
    from conftest import planted_predictions

    write_card(ProjectCard(data_type="image", stage="prototype", human_level=0.01), tmp_path / "unstuck.toml")
    planted_predictions({"train": 0.05, "dev": 0.06}).to_csv(tmp_path / "preds.csv", index=False)
    result = run_cli(["diagnose", "--predictions", "preds.csv", "--json", "r.json", "-q"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    import json

    report = json.loads((tmp_path / "r.json").read_text())
    assert report["errors"]["human"] == 0.01  # from the card
    assert report["bottleneck"] == "avoidable_bias"
    assert "finetune_pretrained" in [i["lever"] for i in report["interventions"]]  # image data
    assert "data type image" in report["inferred"]["card"]
    assert (tmp_path / ".unstuck" / "last_diagnosis.json").exists()


def test_components_round_trip_and_init_flag(tmp_path: Path) -> None:
    made = run_cli(
        [
            "init",
            "--data-type",
            "image",
            "--stage",
            "failing_baseline",
            "--component",
            "capture",
            "--component",
            "detect",
        ],
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    assert 'components = [\n    "capture",\n    "detect",\n]' in (tmp_path / "unstuck.toml").read_text()
    assert read_card(tmp_path / "unstuck.toml").components == ("capture", "detect")
    with pytest.raises(ConfigError, match="more than once"):
        ProjectCard(data_type="image", stage="prototype", components=("detect", "detect"))
    with pytest.raises(ConfigError, match="without commas"):
        ProjectCard(data_type="image", stage="prototype", components=("capture,detect",))


def test_init_refuses_percentages_for_error_rates(tmp_path: Path) -> None:
    result = run_cli(
        ["init", "--data-type", "text", "--stage", "prototype", "--current", "12", "--target", "5"], cwd=tmp_path
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "performance.current is 12, but an error rate cannot exceed 1" in result.stderr
    assert "write 0.12 for 12%" in result.stderr
    assert not (tmp_path / "unstuck.toml").exists()
    # the same numbers are fine in a metric whose units are not fractions
    rmse = run_cli(
        ["init", "--data-type", "text", "--stage", "prototype", "--metric", "rmse", "--current", "12", "--target", "5"],
        cwd=tmp_path,
    )
    assert rmse.returncode == 0, rmse.stderr
    assert read_card(tmp_path / "unstuck.toml").current == 12.0
    with pytest.raises(ConfigError, match=r"Error rates are fractions between 0 and 1"):
        ProjectCard(data_type="text", stage="prototype", human_level=250)
    with pytest.raises(ConfigError, match=r"performance\.metric is 'accuracy'"):
        ProjectCard(data_type="text", stage="prototype", metric="accuracy")


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("[performance]\ncurrent = nan", "must be a finite number"),
        ("[performance]\ntarget = inf", "must be a finite number"),
        ("[performance]\ncurrent = -0.1", "errors cannot be negative"),
        ("[data]\nvolume = 12.5", "not a whole number"),
        ("[data]\nvolume = -3", "cannot be negative"),
        ("[constraints]\nbudget_per_month = true", "not a number"),
        ("[performance]\ntried = [1, 2]", "not a list of text"),
        ("[performance]\ntried = ['']", "empty entry"),
        ("[performance]\nprompt_tuning_started = 20260901", "not a date"),
        ("[data]\nuses_llm_api = 'yes'", "not true or false"),
    ],
)
def test_card_values_checked_where_they_enter(tmp_path: Path, line: str, said: str) -> None:
    path = tmp_path / "unstuck.toml"
    table, key = line.split("\n")
    body = {"[data]": 'type = "text"', "[status]": 'stage = "prototype"'}
    body[table] = (body.get(table, "") + "\n" + key).strip()
    path.write_text("\n".join(f"{t}\n{v}" for t, v in body.items()) + "\n")
    with pytest.raises(ConfigError, match=said):
        read_card(path)
    result = run_cli(["plan"], cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_datetime_start_is_read_as_its_day(tmp_path: Path) -> None:
    path = tmp_path / "unstuck.toml"
    path.write_text(
        '[data]\ntype = "text"\n[status]\nstage = "prototype"\n[performance]\n'
        "prompt_tuning_started = 2026-09-01T10:30:00\n"
    )
    assert read_card(path).prompt_tuning_started == dt.date(2026, 9, 1)


def test_plan_card_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "cards").mkdir()
    result = run_cli(["plan", "--card", "cards"], cwd=tmp_path)
    assert result.returncode == 2 and "is a folder" in result.stderr and "Traceback" not in result.stderr


def test_any_card_values_give_a_plan_or_a_config_error() -> None:
    # Whatever a card file holds, reading it either refuses with a ConfigError (with its fix) or
    # yields a card the plan handles: no other exception, no step at another layer than the headline's.
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from unstuck.card import CARD_KEYS, DATA_TYPES, DEPLOYMENTS, LAYERS, METRIC_NAMES, STAGES, TASKS, card_from_dict
    from unstuck.plan import choose_layer, make_plan

    anything = st.one_of(
        st.integers(-5, 10**6),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.text(max_size=12),
        st.dates(),
        st.lists(st.one_of(st.text(max_size=8), st.integers()), max_size=4),
        st.sampled_from([12.0, 150.0, -0.1, ["a,b"], ["detect", "detect"], [""], 12.5]),
    )
    rate = st.floats(0, 1)
    typed = {
        "application.task": st.sampled_from(TASKS),
        "application.components": st.lists(st.sampled_from(["capture", "detect", "match"]), max_size=3, unique=True),
        "data.type": st.sampled_from(DATA_TYPES),
        "data.volume": st.integers(0, 10**6),
        "data.uses_llm_api": st.booleans(),
        "status.stage": st.sampled_from(STAGES),
        "constraints.deployment": st.sampled_from(DEPLOYMENTS),
        "constraints.budget_per_month": st.floats(0, 1e6),
        "performance.metric": st.sampled_from(METRIC_NAMES),
        "performance.current": rate,
        "performance.target": rate,
        "performance.human_level": rate,
        "performance.tried": st.lists(st.sampled_from(["more data", "more GPUs", "bigger model", "x"]), max_size=3),
        "performance.prompt_tuning_started": st.dates(dt.date(2026, 6, 1), dt.date(2027, 1, 1)),
        "decisions.layer": st.sampled_from(LAYERS),
        "application.inputs": st.text(max_size=12),
        "application.outputs": st.text(max_size=12),
        "constraints.compute": st.text(max_size=12),
        "constraints.timeline_weeks": st.floats(0, 100),
        "constraints.team_skills": st.lists(st.sampled_from(["python", "ml"]), max_size=2),
        "data.quirks": st.lists(st.sampled_from(["blurry", "duplicates"]), max_size=2),
    }
    assert set(typed) == set(CARD_KEYS)
    keys = sorted(CARD_KEYS)
    outcomes = {"card": 0, "refused": 0}

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        tables: dict[str, dict[str, object]] = {"data": {"type": "text"}, "status": {"stage": "prototype"}}
        for dotted in data.draw(st.lists(st.sampled_from(keys), max_size=8, unique=True)):
            value = data.draw(typed.get(dotted, anything) if data.draw(st.integers(0, 4)) else anything)
            table, key = dotted.split(".")
            tables.setdefault(table, {})[key] = value
        try:
            card = card_from_dict(tables)
        except ConfigError as exc:
            assert exc.hint, exc.message
            outcomes["refused"] += 1
            return
        outcomes["card"] += 1
        today = dt.date(2026, 11, 23)
        decided = choose_layer(card, today).layer
        assert all(s.layer in (None, decided) for s in make_plan(card, today=today))

    check()
    # both branches exercised (seeded: 137 cards, 263 refusals of 400)
    assert outcomes["card"] >= 50 and outcomes["refused"] >= 50, outcomes
