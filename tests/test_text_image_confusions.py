"""The most frequent confusions of text and image classifiers, shown with the texts and image paths.

MiniLM is switched off (``minilm_available`` → False): the text model is the TF-IDF rung.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from image_data import digit_images, write_folder
from text_data import reuters_r8
from unstuck.context import Context
from unstuck.pipeline import load_problem
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import RunResult, run_checks


@pytest.fixture(autouse=True)
def tfidf_only(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from unstuck.text import embed

    monkeypatch.setattr(embed, "minilm_available", lambda: False)
    monkeypatch.setenv("UNSTUCK_CACHE_DIR", str(tmp_path / "cache"))


def per_class(problem: Problem) -> RunResult:
    spec = next(s for s in registered_checks() if s.name == "per_class")
    return run_checks(problem, Context(problem), checks=[spec])


def test_earnings_stories_labelled_trade_are_the_top_confusion_shown_with_their_text() -> None:
    stories = reuters_r8("train")
    rows = np.random.default_rng(5).permutation(len(stories))
    train = stories.iloc[rows[:500]].reset_index(drop=True)
    dev = stories.iloc[rows[500:800]]
    dev = dev[dev["topic"].isin(set(train["topic"]))].reset_index(drop=True)
    # 20 of dev's earnings reports are labelled 'trade': the model, right about them, is counted wrong
    planted = dev.index[dev["topic"] == "earn"][:20]
    dev.loc[planted, "topic"] = "trade"
    result = per_class(Problem.from_frames(train, dev=dev, target="topic"))
    section = result.sections["per_class"]
    top = section["confusions"][0]
    assert (top["true"], top["predicted"]) == ("trade", "earn") and top["count"] == 20
    shown = [e for e in section["examples"] if (e["true"], e["predicted"]) == ("trade", "earn")]
    assert len(shown) == 3 and {e["row"] for e in shown} <= set(planted)
    assert shown[0]["example"][:60] == " ".join(dev["text"][shown[0]["row"]].split())[:60]
    # the model's surest mistakes first
    sure = [e["probability"] for e in shown]
    assert sure == sorted(sure, reverse=True) and sure[0] > 0.5
    # every listed pair up to five gets its examples, each of its own pair
    pairs = {(c["true"], c["predicted"]) for c in section["confusions"][:5]}
    assert {(e["true"], e["predicted"]) for e in section["examples"]} == pairs
    finding = next(f for f in result.findings if f.id == "per_class.top_confusion")
    assert "trade predicted as earn" in finding.title and ", e.g. “" in finding.title
    # in the evidence under its own key: "examples" would repeat them as a table under the finding
    assert finding.evidence["confused_rows"] == shown and "examples" not in finding.evidence


def test_image_confusions_are_shown_by_path(tmp_path) -> None:
    images, labels = digit_images(300)
    write_folder(tmp_path / "train", images[:200], labels[:200])
    dev_labels = labels[200:].copy()
    ones = np.flatnonzero(dev_labels == 1)
    dev_labels[ones] = 7  # every 1 of dev filed under 7
    write_folder(tmp_path / "dev", images[200:], dev_labels)
    problem = load_problem(tmp_path / "train", dev=tmp_path / "dev")
    section = per_class(problem).sections["per_class"]
    assert (section["confusions"][0]["true"], section["confusions"][0]["predicted"]) == ("7", "1")
    shown = [e for e in section["examples"] if (e["true"], e["predicted"]) == ("7", "1")]
    planted = {f"img_{k:05d}.png" for k in ones}
    assert len(shown) == 3 and all(e["example"].endswith(tuple(planted)) for e in shown)
    assert all("/7/" in e["example"] for e in shown)


def test_a_table_without_text_or_images_has_no_examples() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=300), "y": rng.choice(["a", "b"], size=300)})
    section = per_class(Problem.from_frames(frame[:200], dev=frame[200:], target="y")).sections["per_class"]
    assert section["confusions"] and section["examples"] == []
