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
    assert "classical ml" in plan.stdout and "Collect a small labelled set" in plan.stdout


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
