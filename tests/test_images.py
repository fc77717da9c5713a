"""Image data end to end: ImageFolder reading, pixels and properties, copies, bad input (scikit-learn digits)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from image_data import digit_images, plant_image_copies, to_pil, write_folder
from unstuck.context import Context
from unstuck.errors import ColumnProblem, FileProblem
from unstuck.images.read import PROPERTIES, difference_hash, image_features, read_image_folder
from unstuck.pipeline import load_problem
from unstuck.registry import registered_checks
from unstuck.runner import run_checks


@pytest.fixture(scope="module")
def digits(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("digits")
    images, labels = digit_images(500)
    write_folder(root / "train", images[:360], labels[:360])
    write_folder(root / "dev", images[360:], labels[360:])
    return {"train": root / "train", "dev": root / "dev", "root": root}


def test_an_image_folder_reads_as_paths_and_labels(digits) -> None:
    frame = read_image_folder(digits["train"])
    assert len(frame) == 360 and sorted(frame["label"].unique()) == [str(d) for d in range(10)]
    assert all(Path(p).is_absolute() and Path(p).exists() for p in frame["path"])


def test_properties_are_measured_on_planted_images(tmp_path) -> None:
    from PIL import Image

    flat = tmp_path / "flat.png"
    Image.new("L", (40, 20), color=100).save(flat)
    colour = tmp_path / "colour.png"
    Image.new("RGB", (10, 10), color=(255, 0, 0)).save(colour)
    checker = tmp_path / "checker.png"
    board = (np.indices((8, 8)).sum(axis=0) % 2 * 255).astype(np.uint8)
    Image.fromarray(board, mode="L").save(checker)
    features = image_features([str(flat), str(colour), str(checker)])
    props = dict(zip(PROPERTIES, features.properties.T, strict=True))
    assert props["width"].tolist() == [40, 10, 8] and props["height"].tolist() == [20, 10, 8]
    assert props["aspect"].tolist() == [2.0, 1.0, 1.0]
    assert props["channels"].tolist() == [1, 3, 1]
    assert props["brightness"][0] == 100.0 and props["brightness"][2] == pytest.approx(127.5)
    # a flat image has no edges; a one-pixel checkerboard's Laplacian is ±1020 everywhere inside
    assert props["blur"][0] == 0.0 and props["blur"][2] == pytest.approx(1020.0**2)
    assert features.pixels.shape == (3, 256) and features.pixels[0].max() == pytest.approx(100 / 255, abs=1e-6)


def test_difference_hash_bits_follow_left_right_brightness() -> None:
    rising = np.tile(np.arange(9, dtype=float), (8, 1))  # every pixel brighter than its left neighbour
    assert difference_hash(rising) == 2**64 - 1
    assert difference_hash(rising[:, ::-1]) == 0
    one = rising[:, ::-1].copy()
    one[0, 1] = 9.0  # only the first pair of the first row rises: bit 0
    assert difference_hash(one) == 1


def test_corrupt_images_and_one_class_folders_are_refused_by_name(digits, tmp_path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    with pytest.raises(FileProblem, match=r"broken.png' \(row 0 of the images\) cannot be decoded"):
        image_features([str(broken)])
    single = tmp_path / "single"
    write_folder(single, *digit_images(40))
    for extra in [p for p in single.iterdir() if p.name != "3"]:
        for f in extra.iterdir():
            f.unlink()
        extra.rmdir()
    with pytest.raises(ColumnProblem, match=r"has one class only \('3'"):
        read_image_folder(single)


def run(problem, *names):
    ctx = Context(problem)
    return run_checks(problem, ctx, checks=[s for s in registered_checks() if s.name in names]), ctx


def test_image_folders_become_pixels_and_properties_with_a_working_baseline(digits) -> None:
    problem = load_problem(digits["train"], dev=digits["dev"])
    assert problem.target == "label" and problem.image_column == "path"
    assert "path" not in problem.features and {"brightness", "blur", "px_000"} <= set(problem.features)
    _, ctx = run(problem, "baselines")
    ladder = ctx.ladder.to_dict()
    assert ladder["rungs"][0]["errors"]["dev"] > 0.8 and ctx.ladder.best != "trivial"
    assert ctx.ladder.best_rung.errors["dev"] < 0.25  # 16.4% measured: pixels carry the digit (chance: 90%)
    errors = {r["name"]: r["errors"]["dev"] for r in ladder["rungs"]}
    assert list(errors) == ["trivial", "linear", "gradient_boosting", "convnet"]
    assert errors["convnet"] < 0.25  # 18.6% measured (linear 16.4%): the ConvNet learns the digits from 360 images


def test_copied_images_are_leakage_and_clean_folders_raise_nothing(digits, tmp_path) -> None:
    import shutil

    clean, _ = run(load_problem(digits["train"], dev=digits["dev"]), "image_copies", "leakage")
    assert [f.id for f in clean.findings if f.severity != "info" and f.check == "image_copies"] == []
    assert clean.sections["image_copies"]["leakage_found"] is False

    leaky = tmp_path / "leaky"
    shutil.copytree(digits["train"], leaky)
    copied = plant_image_copies(leaky, digits["dev"], 0.25)
    result, _ = run(load_problem(leaky, dev=digits["dev"]), "image_copies")
    finding = next(f for f in result.findings if f.id == "image_copies.train.dev")
    assert finding.severity == "critical" and finding.bottleneck == "leakage"
    assert finding.evidence["identical_files"] == 0  # re-encoded: other bytes
    assert finding.evidence["copies"] >= len(copied) == 35
    # the section reads back as its type: the planted copies between the splits, left out of dev's error
    typed = next(s for s in registered_checks() if s.name == "image_copies").read_section(
        result.sections["image_copies"]
    )
    shared = typed.pairs[0]
    assert shared.splits == ("train", "dev") and (shared.copies, shared.perceptual) == (35, 35)
    assert shared.share == 35 / 140 and shared.by_chance == typed.within["train"].share == 0.0
    without = typed.error_without_copies["dev"]
    assert (without.n_leaked, without.n_kept) == (35, 105) and typed.leakage_found


def test_a_table_of_image_paths_and_bad_paths_from_the_command_line(digits, tmp_path, cli) -> None:
    import pandas as pd

    frame = read_image_folder(digits["train"]).assign(source=lambda f: np.where(np.arange(len(f)) % 2, "a", "b"))
    frame["path"] = [str(Path(p).relative_to(digits["root"])) for p in frame["path"]]
    manifest = digits["root"] / "manifest.csv"
    frame.to_csv(manifest, index=False)
    problem = load_problem(manifest, target="label", image_column="path")
    assert "source" in problem.features and problem.image_column == "path"

    broken = tmp_path / "bad.csv"
    pd.DataFrame({"path": [str(tmp_path / "missing.png")] * 40, "label": [0, 1] * 20}).to_csv(broken, index=False)
    done = cli(["explore", str(broken), "--target", "label", "--image-column", "path"])
    said = " ".join(done.stderr.split())  # the terminal wraps long lines
    assert done.returncode == 2 and "missing.png' (row 0 of bad.csv) does not exist" in said
    assert "Traceback" not in done.stderr
    one = tmp_path / "one"
    (one / "cat").mkdir(parents=True)
    to_pil(digit_images(1)[0][0]).save(one / "cat" / "a.png")
    done = cli(["explore", str(one)])
    assert done.returncode == 2 and "has one class only ('cat'" in " ".join(done.stderr.split())


def test_explore_on_image_folders_from_the_command_line(digits, tmp_path, cli) -> None:
    out = tmp_path / "r.json"
    done = cli(["explore", str(digits["train"]), "--dev", str(digits["dev"]), "--json", str(out)])
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["task"] == "classification" and "image_copies" in report["sections"]
