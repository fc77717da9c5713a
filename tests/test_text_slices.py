"""Slices a person can read for texts: length bands and clusters named by their words, on planted cases.

MiniLM is switched off (``minilm_available`` → False): the clusters are found in the texts' TF-IDF
(through its SVD), which these tests can afford; with MiniLM the same code clusters other vectors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from text_data import reuters_r8
from unstuck.context import Context
from unstuck.embedding_space import embedding_space, texts_of
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import run_checks
from unstuck.slices import find_slices
from unstuck.text.slicing import cluster_column, describe_texts, length_column

CLUSTER = cluster_column(("text",))
WORDS = length_column("text")


@pytest.fixture(autouse=True)
def tfidf_only(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from unstuck.text import embed

    monkeypatch.setattr(embed, "minilm_available", lambda: False)
    monkeypatch.setenv("UNSTUCK_CACHE_DIR", str(tmp_path / "cache"))


def describe(problem: Problem) -> dict[str, pd.DataFrame]:
    space = embedding_space(problem)
    assert space is not None
    frames = {"train": problem.frames["train"], "dev": problem.frames["dev"]}
    texts = {s: {"text": texts_of(f, "text")} for s, f in frames.items()}
    return describe_texts(("text",), texts, space.vectors, seed=0)


#: Three kinds of text, each from its own words: the clusters must be these kinds, named by their words.
KINDS = {
    "cooking": "oven flour butter sugar eggs bake whisk dough recipe",
    "football": "goal match striker penalty referee stadium league keeper",
    "markets": "shares stock bonds investors dividend earnings traders index",
}


def kind_texts(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    kinds = [str(k) for k in rng.choice(list(KINDS), size=n)]
    common = ["the", "a", "of", "and", "today", "some", "very"]
    texts = [" ".join(rng.choice(KINDS[k].split() + common, size=12)) for k in kinds]
    return texts, kinds


def test_clusters_are_the_kinds_of_text_and_are_named_by_their_words() -> None:
    train, train_kinds = kind_texts(240, seed=0)
    dev, dev_kinds = kind_texts(60, seed=1)
    problem = Problem.from_frames(
        pd.DataFrame({"text": train, "y": train_kinds}),
        dev=pd.DataFrame({"text": dev, "y": dev_kinds}),
        target="y",
        text_columns=["text"],
    )
    described = describe(problem)
    assert list(described["dev"].columns) == [WORDS, CLUSTER]
    assert described["dev"][WORDS].tolist() == [12] * 60
    # 240 texts: 6 clusters (40 texts each on average); each is one kind of text, in train and in dev
    assert described["train"][CLUSTER].nunique() == 6
    for split, kinds in (("train", train_kinds), ("dev", dev_kinds)):
        table = pd.crosstab(described[split][CLUSTER], pd.Series(kinds, name="kind"))
        assert ((table > 0).sum(axis=1) == 1).all(), table
    for name, kind in zip(described["train"][CLUSTER], train_kinds, strict=True):
        assert set(name.split(", ")) <= set(KINDS[kind].split()), (name, kind)


def test_two_text_columns_get_a_length_each_and_one_cluster_named_by_both() -> None:
    titles, kinds = kind_texts(240, seed=0)
    bodies = [f"{t} {t}" for t in titles]  # a body of 24 words about the title's kind
    frame = pd.DataFrame({"title": titles, "body": bodies, "y": kinds})
    problem = Problem.from_frames(frame, dev=frame.head(60), target="y", text_columns=["title", "body"])
    space = embedding_space(problem)
    assert space is not None
    texts = {s: {c: texts_of(problem.frames[s], c) for c in ("title", "body")} for s in ("train", "dev")}
    described = describe_texts(("title", "body"), texts, space.vectors, seed=0)["train"]
    assert list(described.columns) == ["words in title", "words in body", "title + body cluster"]
    assert described["words in body"].tolist() == [24] * 240
    for name, kind in zip(described["title + body cluster"], kinds, strict=True):
        assert set(name.split(", ")) <= set(KINDS[kind].split()), (name, kind)


def test_a_small_train_gets_lengths_and_no_clusters() -> None:
    train, kinds = kind_texts(70, seed=0)
    problem = Problem.from_frames(
        pd.DataFrame({"text": train, "y": kinds}),
        dev=pd.DataFrame({"text": train[:20], "y": kinds[:20]}),
        target="y",
        text_columns=["text"],
    )
    assert list(describe(problem)["dev"].columns) == [WORDS]


@pytest.fixture(scope="module")
def r8() -> tuple[pd.DataFrame, pd.DataFrame]:
    """400 R8 training stories, and 297 other training stories of the topics those hold as dev."""
    stories = reuters_r8("train")
    rows = np.random.default_rng(5).permutation(len(stories))
    train = stories.iloc[rows[:400]].reset_index(drop=True)
    dev = stories.iloc[rows[400:700]]
    return train, dev[dev["topic"].isin(set(train["topic"]))].reset_index(drop=True)


def test_failures_in_a_kind_of_story_or_on_short_stories_are_the_slice_and_random_ones_are_none(r8) -> None:
    train, dev = r8
    described = describe(Problem.from_frames(train, dev=dev, target="topic"))["dev"]
    # a model that fails on every oil story: the slice is the cluster that holds most of them
    crude = (dev["topic"] == "crude").to_numpy()
    (found,) = find_slices(described, crude).slices
    home = pd.Series(described[CLUSTER][crude]).mode()[0]
    assert found.rule == f"{CLUSTER} = {home}"
    # measured: the cluster of the small topics (banks, rates, trade) holds 13 of dev's 19 oil stories
    assert crude.sum() == 19 and found.failures == 13 and home == "bank, rate, trade"

    # a model that fails on 70 % of the stories under 30 words
    short = (described[WORDS] < 30).to_numpy() & (np.random.default_rng(1).random(len(dev)) < 0.7)
    (found,) = find_slices(described, short).slices
    assert found.rule.startswith(f"{WORDS} < ")
    assert 29 <= float(found.rule.split("< ")[1]) <= 30

    # failures at random: no description of the texts is a slice
    noise = np.random.default_rng(2).random(len(dev)) < 0.15
    assert find_slices(described, noise).slices == ()


def test_the_slices_check_reads_the_texts_by_length_and_cluster(r8) -> None:
    train, dev = r8
    dev = dev.copy()
    # dev's stories under 30 words carry another topic than they are about: the model fails on them
    short = dev["text"].str.split().str.len() < 30
    topics = sorted(set(train["topic"]))
    dev.loc[short, "topic"] = [topics[(topics.index(t) + 1) % len(topics)] for t in dev.loc[short, "topic"]]
    problem = Problem.from_frames(train, dev=dev, target="topic")
    ctx = Context(problem)
    rows = ctx.slice_rows("dev", problem.frames["dev"])
    assert "text" not in rows.columns and {WORDS, CLUSTER} <= set(rows.columns)
    result = run_checks(problem, ctx, checks=[s for s in registered_checks() if s.name == "slices"])
    first = result.sections["slices"]["slices"][0]
    assert first["rule"].startswith(f"{WORDS} < ")
    # short stories are as common in train as in dev (both drawn from R8's training stories)
    assert first["train_share"] == pytest.approx(first["share"], abs=0.08)
    assert first["rarer_in_train"] is False


@pytest.mark.parametrize("texts", [["okay okay"] * 100, ["a b c"] * 100], ids=["one word", "no word"])
def test_texts_of_one_word_or_none_give_a_result_or_nothing_never_a_failure(texts: list[str]) -> None:
    frame = pd.DataFrame({"text": texts, "y": ["x", "y"] * 50})
    problem = Problem.from_frames(frame[:80], dev=frame[80:], target="y", text_columns=["text"])
    ctx = Context(problem)
    if texts[0] == "a b c":
        # no word of two letters: no TF-IDF space, so no descriptions (the slice search keeps the raw column)
        assert embedding_space(problem) is None and ctx.text_descriptions == {}
        return
    assert set(ctx.text_descriptions["dev"].columns) == {WORDS, CLUSTER}
    names = ("embedding_shift", "embedding_outliers", "slices")
    result = run_checks(problem, ctx, checks=[s for s in registered_checks() if s.name in names])
    assert not any(s.reason.startswith("failed") for s in result.skipped), result.skipped
    assert {f.check for f in result.findings} == {"embedding_shift", "embedding_outliers"}
