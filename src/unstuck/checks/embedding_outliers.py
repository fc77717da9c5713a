"""Outlying texts and images: rows far from their nearest training neighbours in embedding space.

A row's **isolation** is its mean Euclidean distance to its :data:`NEIGHBOURS` nearest
training rows in the embedding space (:mod:`unstuck.embedding_space`: MiniLM or TF-IDF
vectors of unit length for text, where the distance is a monotone function of the cosine;
EfficientNet-Lite0 embeddings or the 16 × 16 grey pixels for images); a training row's
neighbours are the *other* training rows. The cut is train's own 99th percentile of isolation.

Why that cut holds on any data: a dev row drawn like train has neighbours in train exactly as
a training row has among the other training rows (one row fewer, which does not matter), so
its isolation is a draw from train's own distribution and it lands beyond train's 99th
percentile with probability about 1 %, whatever the data and the space. A split with many
more rows beyond the cut holds kinds of rows train lacks. The rows beyond it are shown with
their text (or image path): whether they are errors (an empty scrape, another language, a
corrupt file) or the interesting cases is for a person to judge, so outliers are information,
as the table ``outliers`` check's are; ``embedding_shift`` judges whether dev as a whole moved.

A problem without a text or image column has nothing here: no findings, no section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.data.frames import row_refs, user_splits
from unstuck.embedding_space import excerpt
from unstuck.findings import Finding
from unstuck.images.thumbnail import thumbnail
from unstuck.measured import from_json
from unstuck.registry import CheckResult, check, shows
from unstuck.units import percent
from unstuck.view import Table, cell_text, pct

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem

#: Neighbours a row's isolation is averaged over: enough that one near copy does not hide an outlier.
NEIGHBOURS = 10
#: Train's own quantile of isolation that a row must pass to be shown.
TAIL = 0.99
#: Rows shown per split.
EXAMPLES = 5


@dataclass(frozen=True)
class IsolatedRow:
    """A row (its reference) of ``split``, its isolation (mean distance to its nearest training rows), what
    a person reads of it (the text, cut, or the image path), and for an image its thumbnail (a PNG ``data:``
    URI, :mod:`unstuck.images.thumbnail`)."""

    split: str
    row: Any
    isolation: float
    example: str
    thumbnail: str | None = None


@dataclass(frozen=True)
class EmbeddingOutliersResult:
    """Isolation in embedding space (``space``, ``neighbours`` nearest training rows): train's 99th
    percentile (``tail_cut``), the share of each split's rows beyond it (about 1 % for rows drawn like
    train), and the most isolated rows of each split beyond it."""

    space: str
    neighbours: int
    tail_cut: float
    beyond_tail: Mapping[str, float]
    rows: Mapping[str, int]
    most_isolated: tuple[IsolatedRow, ...]


def isolation(
    train: Any, others: Mapping[str, Any], neighbours: int = NEIGHBOURS
) -> tuple[NDArray[np.float64], dict[str, NDArray[np.float64]]]:
    """Mean distance of each training row to its ``neighbours`` nearest *other* training rows, and of each
    row of every other split to its ``neighbours`` nearest training rows (arrays or sparse matrices)."""
    from sklearn.neighbors import NearestNeighbors

    n = train.shape[0]
    k = min(neighbours, n - 1)
    index = NearestNeighbors(n_neighbors=k + 1).fit(train)
    distance, position = index.kneighbors(train, k + 1)
    # Drop each row itself (the first neighbour, unless an identical row came first: then drop that one).
    own = position == np.arange(n)[:, None]
    drop = np.where(own.any(axis=1), own.argmax(axis=1), 0)
    keep = np.ones_like(own)
    keep[np.arange(n), drop] = False
    train_scores = distance[keep].reshape(n, k).mean(axis=1)
    scores = {split: index.kneighbors(x, k)[0].mean(axis=1) for split, x in others.items() if x.shape[0]}
    return train_scores, scores


@check(
    "embedding_outliers",
    requires=("data",),
    description="texts and images far from their nearest training neighbours in embedding space",
    tags=("data",),
    result=EmbeddingOutliersResult,
)
def embedding_outliers(problem: Problem, ctx: Context) -> CheckResult:
    if not problem.text_columns and problem.image_column is None:
        return CheckResult()
    space = ctx.embedding_space
    if space is None or space.vectors["train"].shape[0] < NEIGHBOURS + 2:
        return CheckResult()
    ctx.step("measuring how isolated each row is in embedding space")
    others = {s: v for s, v in space.vectors.items() if s != "train"}
    train_scores, scores = isolation(space.vectors["train"], others)
    cut = float(np.quantile(train_scores, TAIL))
    frames = user_splits(problem)
    images = not problem.text_columns  # the examples are image paths
    beyond: dict[str, float] = {}
    shown: list[dict[str, Any]] = []
    for split, split_scores in {"train": train_scores, **scores}.items():
        far = np.flatnonzero(split_scores > cut)
        if split != "train":
            beyond[split] = float(far.size / len(split_scores))
        order = far[np.argsort(-split_scores[far], kind="stable")][:EXAMPLES]
        refs = row_refs(problem, frames[split], order)
        shown += [
            {
                "split": split,
                "row": r,
                "isolation": float(split_scores[i]),
                "example": excerpt(space.examples[split][int(i)]),
                "thumbnail": thumbnail(space.examples[split][int(i)]) if images else None,
            }
            for r, i in zip(refs, order, strict=True)
        ]
    section: dict[str, Any] = {
        "space": space.description,
        "neighbours": min(NEIGHBOURS, len(train_scores) - 1),
        "tail_cut": cut,
        "beyond_tail": beyond,
        "rows": {s: int(v.shape[0]) for s, v in space.vectors.items()},
        "most_isolated": shown,
    }
    what = "texts" if problem.text_columns else "images"
    title = f"The {what} farthest from their nearest training neighbours ({space.description})"
    if beyond:
        title += ": rows beyond train's 99th percentile: " + ", ".join(f"{s} {percent(v)}" for s, v in beyond.items())
        title += " (about 1% when a split is drawn like train)"
    first = next((r for r in shown if r["split"] != "train"), shown[0] if shown else None)
    if first is not None:
        title += f"; the most isolated {first['split']} row: “{excerpt(first['example'], 80)}”"
    finding = Finding(
        id="embedding_outliers",
        severity="info",
        title=title,
        evidence=section,
    )
    return CheckResult(findings=(finding,), section=from_json(EmbeddingOutliersResult, section, strict=True))


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(embedding_outliers)
def _tables(report: Report, result: EmbeddingOutliersResult) -> list[Table]:
    if not result.most_isolated:
        return []
    rows = [[r.split, cell_text(r.row), f"{r.isolation:.3f}", r.example] for r in result.most_isolated]
    pictures = [r.thumbnail for r in result.most_isolated]
    shares = ", ".join(f"{s} {pct(v)}" for s, v in result.beyond_tail.items())
    return [
        Table(
            ("split", "row", "isolation", "example"),
            rows,
            numeric=(2,),
            caption=f"Rows beyond train's 99th percentile of isolation ({result.tail_cut:.3f}, {result.space})"
            + (f"; share beyond it: {shares}" if shares else "")
            + ".",
            thumbnails=pictures if any(pictures) else (),
        )
    ]
