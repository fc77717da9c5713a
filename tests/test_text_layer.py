"""The text layer: detection of text columns, near copies, and cached MiniLM embeddings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from text_data import disguise, plant_copies, r8_sample, reuters_r8
from unstuck.errors import ConfigError
from unstuck.text import embed
from unstuck.text.copies import find_copies, normalise_text, shingles
from unstuck.text.detect import describe_decision, detect_text_columns, measure_text_column

# ------------------------------------------------------------------ detection


def test_news_stories_are_text_and_their_topics_are_not() -> None:
    frame = r8_sample("train", 300)
    assert detect_text_columns(frame) == ("text",)
    measured = measure_text_column(frame["text"], "text")
    assert measured is not None and measured.is_text
    assert measured.median_words > 50 and measured.unique_share > 0.95


def test_categories_ids_and_numbers_are_not_text() -> None:
    n = 200
    frame = pd.DataFrame(
        {
            "city": ["New York City", "Los Angeles", "San Francisco Bay Area", "Oslo"] * (n // 4),
            "user": [f"user_{i:05d}" for i in range(n)],
            "amount": np.arange(n, dtype=float),
            "note": [f"the parcel number {i} was left at the door of the house" for i in range(n)],
        }
    )
    # the city repeats (few levels), the user id is one word: neither is text; the note is
    assert detect_text_columns(frame) == ("note",)


def test_thresholds_are_medians_and_a_distinct_share() -> None:
    # Exactly five words and 25 characters at the median, every value distinct: text.
    five = [f"aaaa bbbb cccc dddd e{i:04d}" for i in range(40)]
    assert len(five[0]) == 25
    assert detect_text_columns(pd.DataFrame({"t": five})) == ("t",)
    # Four words: not text, however long.
    four = [f"aaaaaaaaaa bbbbbbbbbb cccccccccc d{i:04d}" for i in range(40)]
    assert detect_text_columns(pd.DataFrame({"t": four})) == ()
    # Half the values distinct is enough; fewer is not.
    half = five[:20] * 2
    assert detect_text_columns(pd.DataFrame({"t": half})) == ("t",)
    assert detect_text_columns(pd.DataFrame({"t": five[:19] * 2 + five[:2]})) == ()


def test_the_decision_is_described_with_its_measurements() -> None:
    frame = pd.DataFrame({"t": [f"word {i} and some more words here" for i in range(50)]})
    said = describe_decision(frame, ("t",), how="detected")
    assert "'t': median 7 words" in said and "100% distinct" in said and "--no-text" in said
    assert "--no-text" in describe_decision(frame, (), how="off")
    assert "--text-column" in describe_decision(frame, (), how="detected")


# ------------------------------------------------------------------ copies


def test_normalisation_folds_case_accents_punctuation_and_spacing() -> None:
    assert normalise_text("  Café,  au LAIT!\n") == "cafe au lait"
    assert shingles("a b c") == frozenset({"a b", "b c"})
    assert shingles("solo") == frozenset({"solo"})
    assert shingles("") == frozenset()


def test_a_changed_last_word_keeps_jaccard_at_the_planted_value() -> None:
    original = "one two three four five six seven eight nine ten"
    changed = "ONE two  three four five six seven eight nine eleven"
    matches = find_copies([changed], [original, "something else entirely"])
    # 9 word pairs each, 8 shared: Jaccard 8 / 10
    assert matches.match.tolist() == [0]
    assert matches.similarity[0] == pytest.approx(0.8)
    assert not matches.exact[0]
    far = find_copies(["one two three four five zzz yyy xxx www vvv"], [original])
    assert far.match.tolist() == [-1] and far.similarity[0] == 0.0


def test_copies_inside_one_split_point_to_an_earlier_row() -> None:
    texts = ["alpha beta gamma delta", "Alpha, beta gamma DELTA!", "", "epsilon zeta eta theta", ""]
    matches = find_copies(texts)
    assert matches.match.tolist() == [-1, 0, -1, -1, -1]  # empty texts match nothing
    assert matches.exact.tolist() == [False, True, False, False, False]
    assert matches.n_exact == 1 and matches.n_near == 0


def test_the_planted_r8_leak_is_found_and_clean_splits_share_little() -> None:
    train, dev = r8_sample("train", 800), r8_sample("test", 300)
    leaky, copied = plant_copies(train, dev, 0.25)
    assert len(copied) == 75
    found = find_copies(dev["text"].tolist(), leaky["text"].tolist())
    flagged = set(np.flatnonzero(found.found).tolist())
    assert set(copied) <= flagged  # every disguised copy is found
    assert found.n_exact == 0  # the last word changed: none is a normalised copy
    clean = find_copies(dev["text"].tolist(), train["text"].tolist())
    assert clean.found.mean() < 0.02


def test_a_disguised_copy_differs_in_case_spacing_and_last_word() -> None:
    rng = np.random.default_rng(0)
    text = reuters_r8("test")["text"].iloc[0]
    copy = disguise(text, rng)
    assert copy != text and normalise_text(copy).split()[:-1] == normalise_text(text).split()[:-1]


# ------------------------------------------------------------------ embeddings


def test_devices_resolve_and_a_missing_gpu_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    assert embed.resolve_device("cpu") == "cpu"
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert embed.resolve_device("auto") == expected
    monkeypatch.setenv("UNSTUCK_DEVICE", "cpu")
    assert embed.resolve_device() == "cpu"
    with pytest.raises(ConfigError, match="Unknown device 'tpu'"):
        embed.resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="sees no CUDA GPU"):
            embed.resolve_device("cuda")


class _CountingModel:
    """Stands in for MiniLM in the cache test: a fixed vector per text, and a count of texts encoded."""

    def __init__(self) -> None:
        self.encoded: list[str] = []
        self.max_seq_length = 256

    def encode(self, texts: list[str], **_: object) -> np.ndarray:
        self.encoded += texts
        return np.array([[len(t), 1.0] + [0.0] * 382 for t in texts], dtype=np.float32)


def test_embeddings_are_cached_on_disk_by_content(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNSTUCK_CACHE_DIR", str(tmp_path))
    model = _CountingModel()
    monkeypatch.setattr(embed, "_minilm", lambda device: model)
    embed.forget_memory()
    progress: list[tuple[int, int]] = []
    first = embed.embed_texts(["a", "bb", "a"], on_progress=lambda done, total: progress.append((done, total)))
    assert first.shape == (3, 384) and first[:, 0].tolist() == [1.0, 2.0, 1.0]
    assert model.encoded == ["a", "bb"]  # a repeated text is embedded once
    assert progress == [(2, 2)]
    assert len(list((tmp_path / "embeddings" / embed.CACHE_NAME).glob("*.npz"))) == 1
    embed.forget_memory()  # a new process: only the disk cache is left
    again = embed.embed_texts(["bb", "ccc"])
    assert model.encoded == ["a", "bb", "ccc"]  # "bb" came from disk
    assert again[:, 0].tolist() == [2.0, 3.0]
    embed.forget_memory()


@pytest.mark.skipif(
    not embed.minilm_available(), reason="the 'text' extra (MiniLM) is not installed; .ci/run installs it"
)
def test_minilm_embeddings_are_normalised_and_separate_topics(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNSTUCK_CACHE_DIR", str(tmp_path))
    embed.forget_memory()
    texts = [
        "The central bank raised interest rates by half a point.",
        "Interest rates were increased by the central bank.",
        "The striker scored twice in the second half of the match.",
    ]
    vectors = embed.embed_texts(texts, device="cpu")
    assert vectors.shape == (3, embed.EMBEDDING_DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, different = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert similar > 0.6 > different
    # texts are cut at 128 word pieces: two long texts that differ only after them are one vector
    head = " ".join(["rates"] * 200)
    cut = embed.embed_texts([head + " football", head + " elections"], device="cpu")
    assert float(cut[0] @ cut[1]) > 0.9999
    embed.forget_memory()


def test_embedding_threads_leave_the_busy_cores_to_other_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert embed.cpu_threads(cores=2, load=1.0, default=2) == 2  # only this process runs: both cores
    assert embed.cpu_threads(cores=2, load=2.0, default=2) == 1
    assert embed.cpu_threads(cores=2, load=9.0, default=2) == 1  # never fewer than one
    assert embed.cpu_threads(cores=16, load=5.0, default=16) == 12
    assert embed.cpu_threads(cores=16, load=0.0, default=8) == 8  # never more than torch's default
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert embed.cpu_threads(cores=2, load=9.0, default=4) == 4  # the user's choice stands


def test_encoding_cuts_texts_at_the_trained_length_and_restores_torch_threads() -> None:
    import torch

    model = _CountingModel()
    threads = torch.get_num_threads()
    vectors = embed.encode(model, ["a", "bb"], device="cpu")
    assert model.max_seq_length == embed.MAX_TOKENS == 128
    assert vectors.dtype == np.float32 and vectors[:, 0].tolist() == [1.0, 2.0]
    assert torch.get_num_threads() == threads


@pytest.mark.skipif(
    not embed.minilm_available(), reason="the 'text' extra (MiniLM) is not installed; .ci/run installs it"
)
def test_the_minilm_rung_is_fitted_from_embeddings_computed_once(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from unstuck.baselines import fit_ladder, ladder_names
    from unstuck.out_of_fold import out_of_fold_proba
    from unstuck.problem import Problem

    monkeypatch.setenv("UNSTUCK_CACHE_DIR", str(tmp_path))
    embed.forget_memory()
    train, dev = r8_sample("train", 60, seed=3), r8_sample("test", 30, seed=3)
    dev = dev[dev["topic"].isin(set(train["topic"]))]
    n = len(set(train["text"]) | set(dev["text"]))
    problem = Problem.from_frames(train, dev=dev, target="topic")
    assert ladder_names(problem) == ("trivial", "linear", "minilm")
    steps: list[str] = []
    ladder = fit_ladder(problem, on_step=steps.append)
    assert [r.name for r in ladder.rungs] == ["trivial", "linear", "minilm"]
    minilm = next(r for r in ladder.rungs if r.name == "minilm")
    assert minilm.description.startswith("MiniLM") and minilm.errors["dev"] < ladder.rungs[0].errors["dev"]
    assert f"MiniLM sentence embeddings of {n} distinct texts (cached for later runs)" in steps
    assert f"MiniLM sentence embeddings: {n} of {n} new texts" in steps
    # the folds read every embedding from the cache: the model is never asked again
    monkeypatch.setattr(embed, "_minilm", lambda device: pytest.fail("embedded a text twice"))
    proba = out_of_fold_proba(problem, "minilm", folds=2)
    assert proba.shape == (60, len(problem.classes)) and np.allclose(proba.sum(axis=1), 1.0)
    embed.forget_memory()
