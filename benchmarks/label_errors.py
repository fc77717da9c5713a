"""Label-error detection: unstuck's ``labels`` check vs cleanlab ``Datalab.find_issues`` (defaults).

Data: scikit-learn's handwritten digits (1,797 rows, 10 classes, shipped in the
package), split 60/20/20 train/dev/test (stratified, seed 0); 10 % of the *train*
labels are flipped at random to another class (seed 0). Each method flags train
rows; precision / recall / F1 are measured against the flipped rows.

* **unstuck** — the ``labels`` check as ``diagnose``/``explore`` run it: baselines
  fitted, out-of-fold probabilities of the best one, cleanlab ``find_label_issues``.
  Its time includes fitting the baselines and the out-of-fold models.
* **Datalab (features)** — ``Datalab(data, label_name).find_issues(features=X)``
  with its defaults: no model given, so it judges labels from the features (k-NN).
* **Datalab (pred_probs)** — ``find_issues(features=X, pred_probs=P)`` with the same
  out-of-fold probabilities unstuck used (their cost is *not* in its time), the
  defaults otherwise; it then also runs its other issue types (outliers,
  near duplicates, non-IID, ...).

Two reference rows, for the decision the time target needs (not unstuck's method):

* **one baseline fit** — a single fit of unstuck's gradient-boosting baseline on the
  noisy train set, no label step: the least any model-based label check that uses
  this baseline must spend (its out-of-fold probabilities need five such fits).
* **cleanlab on 10-NN out-of-fold probabilities** — ``find_label_issues`` on 5-fold
  out-of-fold probabilities of a 10-nearest-neighbour classifier on the raw
  features: what a model-free path like Datalab's default would cost and score.

Usage::

    python benchmarks/label_errors.py [--seed 0] [--rate 0.10]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np
import pandas as pd


def scores(flagged: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 of the flagged row indices against the truly flipped ones."""
    flagged_set, truth_set = set(flagged.tolist()), set(truth.tolist())
    hits = len(flagged_set & truth_set)
    precision = hits / len(flagged_set) if flagged_set else 0.0
    recall = hits / len(truth_set) if truth_set else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"flagged": len(flagged_set), "precision": precision, "recall": recall, "f1": f1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rate", type=float, default=0.10)
    args = parser.parse_args()

    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from unstuck.context import Context
    from unstuck.problem import Problem
    from unstuck.registry import registered_checks
    from unstuck.runner import run_checks

    frame = load_digits(as_frame=True).frame.rename(columns={"target": "digit"})
    train, rest = train_test_split(frame, test_size=0.4, random_state=args.seed, stratify=frame["digit"])
    dev, test = train_test_split(rest, test_size=0.5, random_state=args.seed, stratify=rest["digit"])
    train = train.reset_index(drop=True)
    rng = np.random.default_rng(args.seed)
    flipped = rng.choice(len(train), size=round(args.rate * len(train)), replace=False)
    noisy = train["digit"].to_numpy().copy()
    noisy[flipped] = (noisy[flipped] + rng.integers(1, 10, size=len(flipped))) % 10
    train["digit"] = noisy
    features = [c for c in train.columns if c != "digit"]
    # train-dev given explicitly (a copy of 50 train rows) so that unstuck keeps train in its order
    problem = Problem.from_frames(train, dev=dev, test=test, train_dev=train.iloc[:50], target="digit", seed=args.seed)
    ctx = Context(problem)
    spec = [s for s in registered_checks() if s.name == "labels"]
    started = time.perf_counter()
    result = run_checks(problem, ctx, checks=spec)
    unstuck_seconds = time.perf_counter() - started
    section = result.sections["labels"]["splits"]["train"]
    from unstuck.checks.labels import label_issues

    position = {c: i for i, c in enumerate(problem.classes)}
    labels = np.array([position[v] for v in noisy])
    unstuck_flags = label_issues(labels, ctx.oof_proba)["flagged"]
    rows = {
        "unstuck labels check": {
            **scores(unstuck_flags, flipped),
            "seconds": unstuck_seconds,
            "noise_rate_estimate": section["noise_rate"],
            "best_baseline": ctx.ladder.best,
        }
    }

    from cleanlab.filter import find_label_issues
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.neighbors import KNeighborsClassifier

    from unstuck.baselines import make_baseline

    started = time.perf_counter()
    make_baseline("gradient_boosting", "classification", train[features], seed=args.seed).fit(train[features], noisy)
    rows["reference: one baseline fit (no label step)"] = {
        **scores(np.array([], dtype=int), flipped),
        "seconds": time.perf_counter() - started,
    }
    started = time.perf_counter()
    folds = StratifiedKFold(5, shuffle=True, random_state=args.seed)
    knn = cross_val_predict(KNeighborsClassifier(10), train[features], noisy, cv=folds, method="predict_proba")
    knn_flags = np.flatnonzero(find_label_issues(noisy, knn))
    rows["reference: cleanlab on 10-NN out-of-fold probabilities"] = {
        **scores(knn_flags, flipped),
        "seconds": time.perf_counter() - started,
    }

    from cleanlab import Datalab

    x = train[features].to_numpy(dtype=np.float64)
    data = pd.DataFrame({"label": noisy})
    for name, kwargs in (
        ("Datalab defaults (features)", {"features": x}),
        ("Datalab defaults (features + same pred_probs)", {"features": x, "pred_probs": ctx.oof_proba}),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            started = time.perf_counter()
            lab = Datalab(data=data, label_name="label", verbosity=0)
            lab.find_issues(**kwargs)
            seconds = time.perf_counter() - started
        issues = lab.get_issues("label")
        flagged = np.flatnonzero(issues["is_label_issue"].to_numpy())
        rows[name] = {**scores(flagged, flipped), "seconds": seconds}
    print(
        json.dumps(
            {"data": "digits", "train_rows": len(train), "flipped": len(flipped), "results": rows},
            indent=2,
        )
    )
    print()
    print("| method | flagged | precision | recall | F1 | seconds |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(
            f"| {name} | {r['flagged']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
            f"{r['seconds']:.1f} |"
        )


if __name__ == "__main__":
    main()
