"""Shift and outliers of texts and images in embedding space, on planted cases (Reuters R8, digits).

MiniLM is switched off (``minilm_available`` → False): the space is the texts' TF-IDF, which these
tests can afford; the MiniLM space is the same code on other vectors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from text_data import reuters_r8
from unstuck.checks.embedding_shift import domain_auc
from unstuck.context import Context
from unstuck.embedding_space import embedding_space
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import RunResult, run_checks

#: The topics of R8 that its two big ones (earn, acq: 80 % of the stories) leave: a dev set of these
#: alone is a shift of subject matter with the labels still true.
SMALL_TOPICS = ("crude", "trade", "money-fx", "interest", "ship", "grain")


@pytest.fixture(autouse=True)
def tfidf_only(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from unstuck.text import embed

    monkeypatch.setattr(embed, "minilm_available", lambda: False)
    monkeypatch.setenv("UNSTUCK_CACHE_DIR", str(tmp_path / "cache"))


def run(problem: Problem, *names: str) -> tuple[RunResult, Context]:
    ctx = Context(problem)
    return run_checks(problem, ctx, checks=[s for s in registered_checks() if s.name in names]), ctx


@pytest.fixture(scope="module")
def r8_splits() -> dict[str, pd.DataFrame]:
    """400 R8 training stories; an unshifted dev (200 other training stories, drawn alike) and a shifted
    one (200 test stories of the small topics only)."""
    train = reuters_r8("train")
    rows = np.random.default_rng(5).permutation(len(train))
    test = reuters_r8("test")
    small = test[test["topic"].isin(SMALL_TOPICS)]
    first = train.iloc[rows[:400]].reset_index(drop=True)
    known = set(first["topic"])  # dev rows of a topic train lacks would be refused

    def dev(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["topic"].isin(known)].head(200).reset_index(drop=True)

    return {
        "train": first,
        "same": dev(train.iloc[rows[400:700]]),
        "shifted": dev(small.sample(frac=1.0, random_state=5)),
    }


def test_the_domain_classifier_sees_a_moved_mean_and_not_a_second_draw() -> None:
    rng = np.random.default_rng(0)
    train = rng.normal(size=(300, 20)).astype(np.float32)
    same = rng.normal(size=(150, 20)).astype(np.float32)
    moved = (rng.normal(size=(150, 20)) + np.r_[1.0, np.zeros(19)]).astype(np.float32)
    auc, (low, high), _ = domain_auc(train, same, seed=0)
    assert low < 0.5 < high and auc < 0.6
    auc, (low, _), probability = domain_auc(train, moved, seed=0)
    # one coordinate moved by one standard deviation: the best possible AUC is Φ(1/√2) = 0.76
    assert 0.68 < auc < 0.8 and low > 0.6
    assert probability.shape == (150,)


def test_texts_become_their_tfidf_without_minilm(r8_splits) -> None:
    problem = Problem.from_frames(r8_splits["train"], dev=r8_splits["same"], target="topic")
    space = embedding_space(problem)
    assert space is not None and space.kind == "tfidf" and space.description == "TF-IDF of 'text'"
    width = space.vectors["train"].shape[1]
    assert space.vectors["train"].shape == (400, width) and space.vectors["dev"].shape == (200, width)
    assert np.allclose(np.sqrt(space.vectors["dev"].multiply(space.vectors["dev"]).sum(axis=1)), 1.0, atol=1e-5)
    assert space.examples["dev"][0] == r8_splits["same"]["text"][0]


def test_dev_texts_of_other_topics_are_a_shift_and_a_second_draw_is_not(r8_splits) -> None:
    same, _ = run(Problem.from_frames(r8_splits["train"], dev=r8_splits["same"], target="topic"), "embedding_shift")
    (finding,) = same.findings
    assert finding.severity == "info" and finding.lever is None
    low, high = same.sections["embedding_shift"]["auc_interval"]
    assert low < 0.6 and low < 0.5 < high

    problem = Problem.from_frames(r8_splits["train"], dev=r8_splits["shifted"], target="topic")
    shifted, _ = run(problem, "embedding_shift")
    (finding,) = shifted.findings
    section = shifted.sections["embedding_shift"]
    assert finding.severity == "warning" and finding.lever == "reduce_mismatch"
    assert finding.bottleneck == "data_mismatch"
    assert section["auc_interval"][0] >= 0.6 and section["auc"] > 0.8
    assert finding.title.startswith("A classifier tells dev texts from train texts with AUC")
    # the examples are the dev texts themselves, and they are the planted kind
    shown = section["most_unlike_train"]
    assert len(shown) == 3 and all(r["dev_probability"] > 0.5 for r in shown)
    topics = dict(zip(r8_splits["shifted"].index, r8_splits["shifted"]["topic"], strict=True))
    assert all(topics[r["row"]] in SMALL_TOPICS for r in shown)
    assert shown[0]["example"][:40] == " ".join(r8_splits["shifted"]["text"][shown[0]["row"]].split())[:40]
    assert all(r["thumbnail"] is None for r in shown)


def test_a_problem_without_text_has_no_embedding_shift() -> None:
    frame = pd.DataFrame({"x": np.arange(40.0), "y": [0, 1] * 20})
    result, _ = run(Problem.from_frames(frame, dev=frame.copy(), target="y"), "embedding_shift")
    assert result.findings == () and "embedding_shift" not in result.sections


# ------------------------------------------------------------------ outliers


def test_isolation_skips_each_row_itself_and_flags_planted_far_rows() -> None:
    from unstuck.checks.embedding_outliers import isolation

    rng = np.random.default_rng(1)
    train = rng.normal(size=(400, 5)).astype(np.float32)
    train[1] = train[0]  # an identical pair: each still skips only itself
    far = rng.normal(size=(5, 5)).astype(np.float32) + 8.0
    dev = np.vstack([rng.normal(size=(395, 5)), far]).astype(np.float32)
    train_scores, scores = isolation(train, {"dev": dev}, neighbours=3)
    assert train_scores.shape == (400,)
    # row 0's nearest other row is its copy (distance 0), then two more
    from sklearn.metrics import pairwise_distances

    d = np.sort(pairwise_distances(train[:1], train)[0])[1:4]
    assert train_scores[0] == pytest.approx(d.mean(), rel=1e-5) and d[0] == 0.0
    cut = np.quantile(train_scores, 0.99)
    beyond = np.flatnonzero(scores["dev"] > cut)
    assert set(range(395, 400)) <= set(beyond)
    # the 395 rows drawn like train: about 1 % beyond train's 99th percentile (binomial: 0-10 of 395)
    assert len(set(beyond) - set(range(395, 400))) <= 10


#: Texts no Reuters story resembles: planted in dev, they must be the rows shown.
STRANGERS = (
    "Preheat the oven, whisk the eggs with sugar and butter, fold in the flour and bake the cake for forty minutes.",
    "Der Hund schläft im Garten unter dem alten Apfelbaum, während die Kinder im Haus spielen und singen.",
    "lol this new phone game is sooo addictive, cant stop playing it all night with my friends haha",
    "Knit two, purl two: the scarf pattern repeats every row until the wool runs out and the scarf is long enough.",
    "Goalkeeper saves a penalty in the last minute as the fans sing and the match ends in a draw at the stadium.",
)


def test_texts_unlike_any_training_story_are_the_outliers_shown(r8_splits) -> None:
    dev = r8_splits["same"].copy()
    planted = list(range(len(dev) - len(STRANGERS), len(dev)))
    dev.loc[planted, "text"] = list(STRANGERS)
    result, _ = run(Problem.from_frames(r8_splits["train"], dev=dev, target="topic"), "embedding_outliers")
    (finding,) = result.findings
    section = result.sections["embedding_outliers"]
    assert finding.severity == "info" and finding.check == "embedding_outliers"
    shown = [r for r in section["most_isolated"] if r["split"] == "dev"]
    # in a space of words a short wire story can be nearly as alone as a recipe: 4 of the 5 rows shown
    # are planted (measured: the German text first, then the chat message), the fifth an OPEC story
    assert shown[0]["row"] in planted and len({r["row"] for r in shown} & set(planted)) >= 4
    assert shown[0]["example"] in {" ".join(t.split()) for t in STRANGERS}
    assert section["neighbours"] == 10 and section["rows"] == {"train": 400, "dev": 200}
    # 195 stories drawn like train: about 1 % of them, plus the 5 planted rows
    assert 5 / 200 <= section["beyond_tail"]["dev"] <= 10 / 200
    assert "the most isolated dev row: “" in finding.title

    clean, _ = run(Problem.from_frames(r8_splits["train"], dev=r8_splits["same"], target="topic"), "embedding_outliers")
    assert clean.sections["embedding_outliers"]["beyond_tail"]["dev"] <= 6 / 200


@pytest.mark.parametrize(
    "space", ["16x16 grey pixels of the images", "EfficientNet-Lite0 ImageNet embeddings of the images"]
)
def test_image_outliers_are_shown_by_path(tmp_path, monkeypatch: pytest.MonkeyPatch, space: str) -> None:
    from image_data import digit_images, write_folder
    from unstuck.images import efficientnet
    from unstuck.pipeline import load_problem

    if space.startswith("16x16"):
        monkeypatch.setattr(efficientnet, "efficientnet_available", lambda: False)

    images, labels = digit_images(300)
    write_folder(tmp_path / "train", images[:200], labels[:200])
    dev_images = images[200:].copy()
    dev_images[:3] = 16.0 - dev_images[:3]  # three digits in negative: white ink on black... inverted
    write_folder(tmp_path / "dev", dev_images, labels[200:])
    problem = load_problem(tmp_path / "train", dev=tmp_path / "dev")
    result, _ = run(problem, "embedding_outliers")
    section = result.sections["embedding_outliers"]
    assert section["space"] == space
    dev_rows = problem.frames["dev"]
    inverted = {p for p in dev_rows["path"] if p.endswith(("img_00000.png", "img_00001.png", "img_00002.png"))}
    shown = [r for r in section["most_isolated"] if r["split"] == "dev"]
    # the three inverted digits are dev's most isolated, in either space
    assert {r["example"] for r in shown[:3]} == inverted


def test_inverted_dev_images_are_a_shift_and_a_second_draw_is_not(tmp_path, monkeypatch) -> None:
    from image_data import digit_images, write_folder
    from unstuck.images import efficientnet
    from unstuck.pipeline import load_problem

    images, labels = digit_images(400)
    order = np.random.default_rng(0).permutation(400)  # digits come ordered by writer: shuffle them first
    images, labels = images[order], labels[order]
    write_folder(tmp_path / "train", images[:250], labels[:250])
    write_folder(tmp_path / "same", images[250:], labels[250:])
    write_folder(tmp_path / "inverted", 16.0 - images[250:], labels[250:])

    same, _ = run(load_problem(tmp_path / "train", dev=tmp_path / "same"), "embedding_shift")
    (finding,) = same.findings
    low, high = same.sections["embedding_shift"]["auc_interval"]
    assert finding.severity == "info" and low < 0.5 < high
    assert same.sections["embedding_shift"]["space"] == "EfficientNet-Lite0 ImageNet embeddings of the images"

    problem = load_problem(tmp_path / "train", dev=tmp_path / "inverted")
    shifted, _ = run(problem, "embedding_shift")
    (finding,) = shifted.findings
    section = shifted.sections["embedding_shift"]
    assert finding.severity == "warning" and finding.lever == "reduce_mismatch" and section["auc"] > 0.95
    assert finding.title.startswith("A classifier tells dev images from train images with AUC")
    shown = section["most_unlike_train"]
    assert all(r["example"].startswith(str(tmp_path / "inverted")) for r in shown)
    assert all(r["thumbnail"].startswith("data:image/png;base64,") for r in shown)

    # without the images extra the pixels are the table shift check's: nothing here
    monkeypatch.setattr(efficientnet, "efficientnet_available", lambda: False)
    pixels, _ = run(load_problem(tmp_path / "train", dev=tmp_path / "inverted"), "embedding_shift")
    assert pixels.findings == () and "embedding_shift" not in pixels.sections
