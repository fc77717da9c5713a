"""Train-vs-dev shift of texts and images: a domain classifier on their embeddings.

The ``shift`` check's domain classifier reads table columns; a text column there is one
category per row and shows nothing, and an image is its 16 × 16 pixels and a few
properties. Here a logistic regression learns to tell train rows (label 0) from dev rows
(label 1) in the embedding space (:mod:`unstuck.embedding_space`: MiniLM sentence
embeddings, or the texts' TF-IDF without the ``text`` extra; EfficientNet-Lite0's ImageNet
features of images with the ``images`` extra), with 5-fold stratified cross-validation on
at most 20,000 rows of each split. A linear model because the space is built for it: the
text rungs of the ladder are linear models on the same vectors, so what it cannot separate
they cannot exploit either.

The judgement is the ``shift`` check's, unchanged: the out-of-fold AUC gets its 95 %
Hanley–McNeil interval, and shift is a warning (lever ``reduce_mismatch``, bottleneck
``data_mismatch``) when the interval's lower bound reaches 0.6. The rule needs no tuning to
the data: when dev is drawn like train, no classifier does better than chance out of fold,
so the AUC's interval covers 0.5 up to its sampling error, which the interval measures. The
decomposition's data-mismatch gap is put beside it (a shift that does not raise the dev
error is harmless to this model; that gap, when positive, is the expected gain). The dev
texts the classifier finds most unlike train are shown: they say what dev has that train
lacks.

Images without the ``images`` extra are left to the ``shift`` check, whose classifier already
reads their pixels and properties. A problem without a text or image column has nothing
here: no findings, no section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.checks.shift import MAX_ROWS_CLASSIFIER, _mismatch
from unstuck.data.frames import row_refs, user_splits
from unstuck.embedding_space import excerpt, stack
from unstuck.images.thumbnail import thumbnail
from unstuck.measured import from_json
from unstuck.registry import CheckResult, SkipCheck, check, shows
from unstuck.shift import FOLDS, WARN_AUC_LOW, hanley_mcneil_interval, shift_finding
from unstuck.view import Table, cell_text

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem

#: Dev texts shown as the most unlike train.
EXAMPLES = 3


@dataclass(frozen=True)
class DevLikeRow:
    """A dev row (its reference), the out-of-fold probability that it is a dev row, what a person reads of
    it (its text, cut, or the image path), and for an image its thumbnail (a PNG ``data:`` URI)."""

    row: Any
    dev_probability: float
    example: str
    thumbnail: str | None = None


@dataclass(frozen=True)
class EmbeddingShiftResult:
    """Train vs dev in the embedding space (``space``): rows compared, the domain classifier's out-of-fold
    AUC with its 95 % interval, the dev rows it finds most unlike train, and the data-mismatch gap where
    it is measured (value in metric units, interval, significant)."""

    space: str
    rows: Mapping[str, int]
    auc: float
    auc_interval: tuple[float, float]
    most_unlike_train: tuple[DevLikeRow, ...]
    data_mismatch: Mapping[str, Any] | None


def domain_auc(
    train: Any, dev: Any, seed: int, folds: int = FOLDS
) -> tuple[float, tuple[float, float], NDArray[np.float64]]:
    """Out-of-fold AUC of a logistic regression telling ``dev`` rows from ``train`` rows, its 95 % interval,
    and each dev row's out-of-fold probability of being a dev row. ``train`` and ``dev``: arrays or sparse
    matrices of the same width."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    n_train, n_dev = train.shape[0], dev.shape[0]
    x = stack([train, dev])
    y = np.r_[np.zeros(n_train, dtype=np.int64), np.ones(n_dev, dtype=np.int64)]
    oof = np.zeros(len(y))
    # Many small BLAS calls: one thread is faster on a busy machine (see unstuck.text.features.OneThread).
    with threadpool_limits(1):
        for fit, held in StratifiedKFold(folds, shuffle=True, random_state=seed).split(y, y):
            model = LogisticRegression(max_iter=1_000).fit(x[fit], y[fit])
            oof[held] = model.predict_proba(x[held])[:, 1]
    auc = float(roc_auc_score(y, oof))
    return auc, hanley_mcneil_interval(auc, n_dev, n_train), oof[n_train:]


def _sample(n: int, limit: int, seed: int) -> NDArray[np.int64]:
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, limit, replace=False))


@check(
    "embedding_shift",
    requires=("data", "dev"),
    description="train-vs-dev shift of texts and images: a domain classifier on their embeddings",
    tags=("data",),
    result=EmbeddingShiftResult,
)
def embedding_shift(problem: Problem, ctx: Context) -> CheckResult:
    if not problem.text_columns and problem.image_column is None:
        return CheckResult()
    if problem.dev_from_train:
        raise SkipCheck("dev was carved at random from train, so it cannot differ from it")
    space = ctx.embedding_space
    if space is None or space.kind == "pixels":  # pixels are the shift check's
        return CheckResult()
    what = "texts" if problem.text_columns else "images"
    pick_train = _sample(space.vectors["train"].shape[0], MAX_ROWS_CLASSIFIER, problem.seed)
    pick_dev = _sample(space.vectors["dev"].shape[0], MAX_ROWS_CLASSIFIER, problem.seed)
    if min(len(pick_train), len(pick_dev)) < FOLDS * 2:
        raise SkipCheck(f"too few rows for a {FOLDS}-fold domain classifier")
    ctx.step(f"telling dev {what} from train {what} in embedding space")
    auc, (low, high), dev_probability = domain_auc(
        space.vectors["train"][pick_train], space.vectors["dev"][pick_dev], problem.seed
    )
    order = np.argsort(-dev_probability, kind="stable")[:EXAMPLES]
    positions = pick_dev[order]
    refs = row_refs(problem, user_splits(problem)["dev"], positions)
    mismatch = _mismatch(ctx)
    section: dict[str, Any] = {
        "space": space.description,
        "rows": {"train": len(pick_train), "dev": len(pick_dev)},
        "auc": auc,
        "auc_interval": [low, high],
        "most_unlike_train": [
            {
                "row": r,
                "dev_probability": float(dev_probability[i]),
                "example": excerpt(space.examples["dev"][p]),
                "thumbnail": thumbnail(space.examples["dev"][p]) if what == "images" else None,
            }
            for r, i, p in zip(refs, order, positions, strict=True)
        ],
        "data_mismatch": mismatch,
    }
    warn = low >= WARN_AUC_LOW
    title = (
        f"A classifier tells dev {what} from train {what} with AUC {auc:.2f} (95% interval {low:.2f}–{high:.2f}) "
        f"on the {space.description}"
    )
    if warn:
        title += f"; the dev {what[:-1]} most unlike train: “{excerpt(space.examples['dev'][int(positions[0])], 80)}”"
    finding = shift_finding(problem, "embedding_shift.train.dev", title, warn=warn, mismatch=mismatch, evidence=section)
    return CheckResult(findings=(finding,), section=from_json(EmbeddingShiftResult, section, strict=True))


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(embedding_shift)
def _tables(report: Report, result: EmbeddingShiftResult) -> list[Table]:
    if not result.most_unlike_train:
        return []
    rows = [[cell_text(r.row), f"{r.dev_probability:.2f}", r.example] for r in result.most_unlike_train]
    pictures = [r.thumbnail for r in result.most_unlike_train]
    return [
        Table(
            ("dev row", "P(dev)", "example"),
            rows,
            caption=f"The dev rows most unlike train (domain-classifier AUC {result.auc:.2f}, {result.space}).",
            thumbnails=pictures if any(pictures) else (),
        )
    ]
