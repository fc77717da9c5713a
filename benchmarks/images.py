"""Image data, end to end: 10,000 Fashion-MNIST images diagnosed, with planted problems.

Usage::

    python benchmarks/images.py [--cases clean flipped leak thinned] [--budget quick] [--json images.json]
    python benchmarks/images.py --datalab      # the flipped case's labels: unstuck beside cleanlab's Datalab

Data: Fashion-MNIST from Debian's ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``;
``UNSTUCK_FASHION_DIR`` elsewhere), 28 × 28 grey images of 10 kinds of clothing. Train: 8,000 of
the published training images, dev: 2,000 of the published test images (seeded draws), each
written as a PNG in an ImageFolder layout (``train/<class>/<id>.png``) and read through a manifest
table (``path``, ``label``, ``image_id``) so that the report's rows can be named by id. Each case
runs ``diagnose`` in process with the standard budget and the ladder a machine with torch runs
(trivial, linear and LightGBM on 16 × 16 pixels and image properties, and the small ConvNet).

Expected outcomes and decision rules, written down and committed before any case was run:

* ``clean`` — the published images as they are (10,000): no ``image_copies``, ``leakage`` or
  ``labels`` finding above info; the bottleneck is neither ``leakage`` nor ``label_noise``; the
  whole diagnosis (decoding, ladder with the ConvNet, every check) in under 5 minutes on the
  2-core machine (the issue's target; the machine's load is recorded beside it).
* ``flipped`` — 15 % of the training labels (1,200) moved to another class at random: a
  ``labels`` finding above info on train (lever ``fix_labels``); of the 50 rows ranked most likely
  wrong, at least 80 % are planted flips; the flagged count within 0.7×–1.5× the planted 1,200;
  the bottleneck ``label_noise``.
* ``leak`` — 25 % of the dev images (500) copied into train, resized to 40 × 40 and re-encoded as
  JPEG (other bytes, the same picture): ``image_copies.train.dev`` critical with at least 95 % of
  the 500 planted copies found (475), and the bottleneck ``leakage``.
* ``thinned`` — the class ``Pullover`` kept at 5 % of its training images (about 40 of 800), the
  others whole: an ``imbalance.rare_class.Pullover`` warning (lever ``targeted_data``) — the
  model fails on the class it has barely seen, beyond the other classes' error.

A case meets its expectation when every clause holds; a missed clause is reported as missed, not
re-tuned. ``--datalab`` (measured after the cases) puts unstuck's ``labels`` rule beside
cleanlab's Datalab on the flipped case's train rows: Datalab's kNN label issues on the 16 × 16
pixels, and Datalab given unstuck's own out-of-fold probabilities.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from text_images import _load, _scores, datalab_flagged
from verdict_zoo import _idx

CLASSES = ("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
N_TRAIN, N_DEV = 8_000, 2_000
FLIP_SHARE, LEAK_SHARE, THINNED, THIN_KEEP = 0.15, 0.25, "Pullover", 0.05


def _draw(split: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    prefix = "train" if split == "train" else "t10k"
    # verdict_zoo reads the images as floats in [0, 1]; the PNGs want their grey levels back
    scaled = _idx(f"{prefix}-images-idx3-ubyte.gz")
    images = np.rint(scaled * 255).astype(np.uint8).reshape(-1, 28, 28)
    labels = _idx(f"{prefix}-labels-idx1-ubyte.gz")
    chosen = np.sort(np.random.default_rng(seed).choice(len(labels), size=n, replace=False))
    return images[chosen], labels[chosen]


def _write(root: Path, images: np.ndarray, labels: np.ndarray, first_id: int) -> pd.DataFrame:
    """PNG files under ``root/<class>/`` and their manifest rows."""
    from PIL import Image

    rows = []
    for k, (image, label) in enumerate(zip(images, labels, strict=True)):
        name = CLASSES[int(label)]
        folder = root / name.replace(" ", "_")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{first_id + k:06d}.png"
        Image.fromarray(image, mode="L").save(path)
        rows.append({"path": str(path), "label": name, "image_id": first_id + k})
    return pd.DataFrame(rows)


def build_case(name: str, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Train and dev manifests for case ``name`` and what was planted in them."""
    from PIL import Image

    rng = np.random.default_rng(7)
    train_images, train_labels = _draw("train", N_TRAIN, seed=1)
    dev_images, dev_labels = _draw("test", N_DEV, seed=2)
    planted: dict[str, Any] = {}
    if name == "thinned":
        target = CLASSES.index(THINNED)
        in_class = np.flatnonzero(train_labels == target)
        dropped = rng.choice(in_class, size=len(in_class) - round(THIN_KEEP * len(in_class)), replace=False)
        keep = np.setdiff1d(np.arange(len(train_labels)), dropped)
        train_images, train_labels = train_images[keep], train_labels[keep]
        planted["kept"] = int((train_labels == target).sum())
    train = _write(folder / "train", train_images, train_labels, first_id=0)
    dev = _write(folder / "dev", dev_images, dev_labels, first_id=100_000)
    if name == "flipped":
        flipped = np.sort(rng.choice(len(train), size=round(FLIP_SHARE * len(train)), replace=False))
        for k in flipped:
            others = [c for c in CLASSES if c != train.at[k, "label"]]
            train.at[k, "label"] = others[int(rng.integers(len(others)))]
        planted["flipped"] = train.loc[flipped, "image_id"].tolist()
    if name == "leak":
        chosen = np.sort(rng.choice(len(dev), size=round(LEAK_SHARE * len(dev)), replace=False))
        copies = []
        for k in chosen:
            source = Path(dev.at[k, "path"])
            target_path = folder / "train" / source.parent.name / f"copy_{source.stem}.jpg"
            with Image.open(source) as image:
                image.resize((40, 40), Image.Resampling.BILINEAR).save(target_path, quality=95)
            copies.append({"path": str(target_path), "label": dev.at[k, "label"], "image_id": 200_000 + int(k)})
        train = pd.concat([train, pd.DataFrame(copies)], ignore_index=True)
        planted["copied"] = len(copies)
    return train, dev, planted


def run_case(name: str, budget: str = "standard") -> dict[str, Any]:
    from unstuck.pipeline import diagnose_problem, load_problem

    with tempfile.TemporaryDirectory(prefix=f"unstuck-images-{name}-") as tmp:
        train, dev, planted = build_case(name, Path(tmp))
        load_before = _load()
        started = time.perf_counter()
        problem = load_problem(train, dev=dev, target="label", id_column="image_id", image_column="path")
        report = diagnose_problem(
            problem, budget=budget, on_step=lambda m: print(f"{time.perf_counter() - started:7.1f} s  {m}", flush=True)
        ).to_dict()
        seconds = time.perf_counter() - started
    findings = report["findings"]
    out: dict[str, Any] = {
        "case": name,
        "budget": budget,
        "seconds": round(seconds, 1),
        "load_before": load_before,
        "load_after": _load(),
        "bottleneck": report["bottleneck"],
        "top_lever": (report.get("advice") or [{}])[0].get("lever"),
        "above_info": [(f["severity"], f["id"]) for f in findings if f["severity"] != "info"],
        "dev_errors": {r["name"]: r["errors"].get("dev") for r in report["sections"]["baselines"]["rungs"]},
        "timings": report.get("timings"),
        "planted": {k: (len(v) if isinstance(v, list) else v) for k, v in planted.items()},
    }
    labels = report["sections"].get("labels", {}).get("splits", {}).get("train")
    if labels is not None:
        ranked = [r["row"] for r in labels["ranked"]][:50]
        out["labels_flagged"] = labels["flagged"]
        if "flipped" in planted:
            out["labels_top50_planted"] = len(set(ranked) & set(planted["flipped"]))
    leak = next((f for f in findings if f["id"] == "image_copies.train.dev"), None)
    out["leak"] = (leak["severity"], leak["evidence"].get("copies")) if leak else None
    return out


def datalab() -> None:
    """The flipped case's labels: unstuck's ``labels`` rule beside cleanlab's Datalab on the same rows.

    Every method judges the train rows unstuck keeps after carving its train-dev split. Datalab is
    given the 16 × 16 pixels unstuck's baselines read (``features``: its kNN label issues, no model)
    and, separately, unstuck's own out-of-fold probabilities (``pred_probs``).
    """
    from unstuck.context import Context
    from unstuck.data.labels import label_issues
    from unstuck.pipeline import load_problem

    with tempfile.TemporaryDirectory(prefix="unstuck-images-datalab-") as tmp:
        train, dev, planted = build_case("flipped", Path(tmp))
        problem = load_problem(train, dev=dev, target="label", id_column="image_id", image_column="path")
        rows = problem.frames["train"]
        flipped = np.flatnonzero(rows["image_id"].isin(planted["flipped"]).to_numpy())
        labels = np.array([problem.classes.index(v) for v in rows["label"]], dtype=np.int64)
        pixels = rows[[c for c in rows.columns if c.startswith("px_")]].to_numpy(dtype=np.float32)
        print(f"{len(rows)} train rows judged, {len(flipped)} flipped; {_load()}", flush=True)
        results = []
        started = time.perf_counter()
        ctx = Context(problem)
        oof = ctx.oof_proba
        flagged = label_issues(labels, oof)["flagged"]
        rule = f"unstuck labels rule (best rung {ctx.ladder.best}; ladder and folds included)"
        results.append((rule, _scores(flagged, flipped), time.perf_counter() - started))

        started = time.perf_counter()
        flagged = datalab_flagged(labels, features=pixels)
        results.append(
            ("Datalab, features = 16x16 pixels (kNN)", _scores(flagged, flipped), time.perf_counter() - started)
        )
        started = time.perf_counter()
        flagged = datalab_flagged(labels, pred_probs=oof)
        results.append(
            ("Datalab, pred_probs = unstuck's out-of-fold", _scores(flagged, flipped), time.perf_counter() - started)
        )
    for name, scores, seconds in results:
        numbers = " | ".join(f"{scores[k]:.3f}" for k in ("precision", "recall", "f1"))
        print(f"| {name} | {scores['flagged']} | {numbers} | {seconds:.1f} |")
    print(_load())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", nargs="*", default=["clean", "flipped", "leak", "thinned"])
    parser.add_argument("--json", type=Path, help="write the cases' results here")
    parser.add_argument("--budget", default="standard", choices=["quick", "standard", "thorough"])
    parser.add_argument("--datalab", action="store_true", help="only the flipped labels beside cleanlab's Datalab")
    args = parser.parse_args()
    os.environ.setdefault("UNSTUCK_CACHE_DIR", tempfile.mkdtemp(prefix="unstuck-bench-"))
    if args.datalab:
        datalab()
        return
    results = []
    for name in args.cases:
        result = run_case(name, args.budget)
        print(json.dumps(result, default=str), flush=True)
        results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
