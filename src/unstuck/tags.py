"""Error tags: draw a sample of dev errors to tag by hand, read the tags back, and turn them into
the method's error-analysis table — per tag, the share of sampled errors and the **ceiling**: how far
dev error would fall if every error of that kind were fixed.

Rows are named by a stable **row key**: the value of the id column when the user named one
(``--id-column``), else ``dev-<i>`` for the ``i``-th dev row (0-based, in the order of the dev
split: the dev file, the dev rows of a ``--split-column`` table or of the predictions file, or
the seeded carve of train). The same inputs and seed give the same keys.

Which rows were examined:

* a **tag file** (``--tags FILE``, e.g. written by ``unstuck tag``): every row in it was
  looked at; an empty ``tags`` cell means "no category". Delete rows you did not look at.
* a ``tags`` **column of the predictions file**: a dev error with a non-empty cell was
  looked at; write ``none`` for an error you looked at and could not put in a category.

Several tags per row are separated by ``;``. Tags are compared case-insensitively after
trimming; ``none`` (or ``-``) means no tag.

Numbers, for a tag carried by ``k`` of the ``n`` examined errors, out of ``N`` dev errors and
dev error ``E`` (the error rate):

* share ``p = k / n``; its 95 % interval is Wilson's score interval with the finite-population
  correction (effective size ``n (N − 1) / (N − n)``; exact when every error was examined);
* ceiling ``E × p`` and its interval ``E × [low, high]`` — in error-rate points;
* coverage: the share of examined errors that carry any tag (a low coverage means the tags
  do not yet explain the errors).

Tags overlap (a row may carry several), so ceilings are not additive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.errors import ColumnProblem, ConfigError

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

    from unstuck.problem import Problem

__all__ = [
    "KEY_COLUMN",
    "LEVER_FOR_TAG",
    "TAG_COLUMN",
    "TagRow",
    "TagTable",
    "lever_for",
    "parse_tags",
    "read_tags",
    "row_keys",
    "sample_errors",
    "tag_table",
    "tags_from_column",
]

KEY_COLUMN = "row"
TAG_COLUMN = "tags"
SEPARATOR = ";"
NO_TAG = frozenset({"none", "-"})

#: Lever suggested by common tag names. A tag maps to a lever when the whole tag, or one of its
#: words (split on spaces, ``_`` and ``-``), is a key here; otherwise the tag has no lever.
LEVER_FOR_TAG: dict[str, str] = {
    **dict.fromkeys(
        ("label", "labels", "mislabeled", "mislabelled", "mislabel", "annotation", "wrong_label", "label_noise"),
        "fix_labels",
    ),
    **dict.fromkeys(
        ("bug", "pipeline", "preprocessing", "truncated", "corrupt", "corrupted", "encoding", "parsing", "crop"),
        "fix_pipeline",
    ),
    **dict.fromkeys(
        (
            "rare",
            "blurry",
            "blur",
            "dark",
            "lowlight",
            "occluded",
            "occlusion",
            "small",
            "noisy",
            "accent",
            "slang",
            "typo",
            "typos",
            "handwritten",
            "rotated",
            "longtail",
        ),
        "targeted_data",
    ),
    **dict.fromkeys(("domain", "mismatch", "ood", "shift", "distribution"), "reduce_mismatch"),
    **dict.fromkeys(("ambiguous", "unclear", "subjective", "impossible", "unanswerable"), "redefine_task"),
}


def lever_for(tag: str) -> str | None:
    """The lever a tag name suggests (see ``LEVER_FOR_TAG``), or None."""
    name = tag.strip().lower()
    if name in LEVER_FOR_TAG:
        return LEVER_FOR_TAG[name]
    for word in re.split(r"[\s_\-/]+", name):
        if word in LEVER_FOR_TAG:
            return LEVER_FOR_TAG[word]
    return None


def parse_tags(cell: object) -> tuple[str, ...]:
    """The tags of one cell: ``"Blurry; dark"`` → ``("blurry", "dark")``; empty, NaN or ``none`` → ``()``."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return ()
    out: list[str] = []
    for part in str(cell).split(SEPARATOR):
        tag = part.strip().lower()
        if tag and tag not in NO_TAG and tag not in out:
            out.append(tag)
    return tuple(out)


def _is_empty(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and np.isnan(cell)) or not str(cell).strip()


def row_keys(problem: Problem) -> list[str]:
    """The stable key of every dev row, in dev order (see the module docstring)."""
    if problem.predictions is not None:
        n = int((problem.predictions["split"] == "dev").sum())
        return [f"dev-{i}" for i in range(n)]
    dev = problem.frames["dev"]
    if problem.id_column is not None:
        return [str(v) for v in dev[problem.id_column].tolist()]
    return [f"dev-{i}" for i in range(len(dev))]


def sample_errors(
    keys: list[str],
    rows: pd.DataFrame,
    y_true: NDArray[Any],
    y_pred: NDArray[Any],
    *,
    size: int,
    seed: int = 0,
) -> pd.DataFrame:
    """A stratified, seeded sample of ``size`` dev errors, ready to tag in a spreadsheet.

    Errors are rows with ``y_true != y_pred``. The sample is stratified by the true class
    with proportional allocation (largest remainders), so every class's errors are
    represented as often as they occur and the sample needs no weights. Columns: the row
    key, the rows' features or metadata, ``y_true``, ``y_pred`` and an empty ``tags``.
    Rows come in dev order.
    """
    import pandas as pd

    if size < 1:
        raise ConfigError(f"--sample {size} is not a positive number of rows.", "Ask for at least one row.")
    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))
    if len(wrong) == 0:
        raise ConfigError("The model makes no errors on dev, so there is nothing to tag.", "")
    chosen = _stratified(wrong, np.asarray(y_true)[wrong], min(size, len(wrong)), seed)
    out = rows.iloc[chosen].reset_index(drop=True).copy()
    reserved = [c for c in (KEY_COLUMN, "y_true", "y_pred", TAG_COLUMN) if c in out.columns]
    out = out.drop(columns=reserved)
    out.insert(0, KEY_COLUMN, [keys[i] for i in chosen])
    out["y_true"] = np.asarray(y_true)[chosen]
    out["y_pred"] = np.asarray(y_pred)[chosen]
    out[TAG_COLUMN] = pd.Series([""] * len(chosen), dtype=object)
    return out


def _stratified(positions: NDArray[np.int64], strata: NDArray[Any], size: int, seed: int) -> NDArray[np.int64]:
    """``size`` of ``positions``, allocated to strata proportionally (largest remainders), sorted."""
    rng = np.random.default_rng(seed)
    labels = np.asarray([str(s) for s in strata])
    names, counts = np.unique(labels, return_counts=True)
    exact = size * counts / counts.sum()
    take = np.floor(exact).astype(np.int64)
    left = size - int(take.sum())
    order = np.lexsort((names, -(exact - take)))
    take[order[:left]] += 1
    picked = [
        rng.choice(positions[labels == name], size=int(k), replace=False) for name, k in zip(names, take, strict=True)
    ]
    return np.sort(np.concatenate(picked)) if picked else np.zeros(0, dtype=np.int64)


def read_tags(frame: pd.DataFrame, keys: list[str], name: str = "the tag file") -> pd.DataFrame:
    """Validate a tag table against the dev ``keys``: returns columns ``row`` (position in dev)
    and ``tags`` (tuple of tags), one row per examined row."""
    import pandas as pd

    absent = [c for c in (KEY_COLUMN, TAG_COLUMN) if c not in frame.columns]
    if absent:
        raise ColumnProblem(
            f"{name} lacks the column(s) {absent}; it has {list(frame.columns)[:20]}.",
            "A tag file needs a 'row' column (the row key written by `unstuck tag`) and a 'tags' column "
            "(tags separated by ';').",
        )
    position = {k: i for i, k in enumerate(keys)}
    given = [str(v) for v in frame[KEY_COLUMN].tolist()]
    unknown = [k for k in given if k not in position]
    if unknown:
        raise ColumnProblem(
            f"{len(unknown)} row key(s) of {name} are not dev rows of this problem, e.g. {unknown[:3]}.",
            "Pass the same data, dev split, --id-column and --seed as when the file was written by `unstuck tag`.",
        )
    if len(set(given)) != len(given):
        twice = sorted({k for k in given if given.count(k) > 1})[:3]
        raise ColumnProblem(f"{name} lists some rows twice, e.g. {twice}.", "Keep one line per row.")
    return pd.DataFrame(
        {KEY_COLUMN: [position[k] for k in given], TAG_COLUMN: [parse_tags(v) for v in frame[TAG_COLUMN].tolist()]}
    )


def tags_from_column(predictions: pd.DataFrame) -> pd.DataFrame | None:
    """The examined dev errors of a predictions file's ``tags`` column (non-empty cells), or None."""
    import pandas as pd

    if TAG_COLUMN not in predictions.columns:
        return None
    dev = predictions[predictions["split"] == "dev"].reset_index(drop=True)
    examined = [
        i
        for i, (cell, t, p) in enumerate(zip(dev[TAG_COLUMN], dev["y_true"], dev["y_pred"], strict=True))
        if not _is_empty(cell) and t != p
    ]
    return pd.DataFrame({KEY_COLUMN: examined, TAG_COLUMN: [parse_tags(dev[TAG_COLUMN].iloc[i]) for i in examined]})


@dataclass(frozen=True)
class TagRow:
    """One tag's line of the error-analysis table (shares in [0, 1], ceilings in error-rate units)."""

    tag: str
    count: int
    share: float
    share_interval: tuple[float, float]
    ceiling: float
    ceiling_interval: tuple[float, float]
    lever: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "count": self.count,
            "share": self.share,
            "share_interval": list(self.share_interval),
            "ceiling": self.ceiling,
            "ceiling_interval": list(self.ceiling_interval),
            "lever": self.lever,
        }


@dataclass(frozen=True)
class TagTable:
    """The error-analysis table: ``rows`` by count (largest first) and what it rests on."""

    rows: tuple[TagRow, ...]
    examined: int
    dev_errors: int
    dev_rows: int
    dev_error: float
    coverage: float
    ignored_correct: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "examined_errors": self.examined,
            "dev_errors": self.dev_errors,
            "dev_rows": self.dev_rows,
            "dev_error": self.dev_error,
            "coverage": self.coverage,
            "ignored_correct_rows": self.ignored_correct,
            "tags": [r.to_dict() for r in self.rows],
        }


def share_interval(k: int, n: int, population: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson 95 % interval of ``k / n`` for a sample of ``n`` drawn without replacement from
    ``population`` items (finite-population correction through the effective sample size)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    if n >= population:
        return (p, p)
    n_eff = n * (population - 1) / (population - n) if population > 1 else float(n)
    centre = (p + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z * np.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff)) / (1 + z * z / n_eff)
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def tag_table(tags: pd.DataFrame, y_true: NDArray[Any], y_pred: NDArray[Any]) -> TagTable:
    """The error-analysis table of ``tags`` (columns ``row``: dev position, ``tags``: tuple)."""
    wrong = np.asarray(y_true) != np.asarray(y_pred)
    n_dev, n_errors = len(wrong), int(wrong.sum())
    error = n_errors / n_dev if n_dev else 0.0
    positions = np.asarray(tags[KEY_COLUMN].tolist(), dtype=np.int64)
    is_error = wrong[positions] if len(positions) else np.zeros(0, dtype=bool)
    examined = [t for t, e in zip(tags[TAG_COLUMN].tolist(), is_error, strict=True) if e]
    n = len(examined)
    counts: dict[str, int] = {}
    for row_tags in examined:
        for tag in row_tags:
            counts[tag] = counts.get(tag, 0) + 1
    rows = []
    for tag, k in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        low, high = share_interval(k, n, n_errors)
        rows.append(TagRow(tag, k, k / n, (low, high), error * k / n, (error * low, error * high), lever_for(tag)))
    coverage = sum(1 for t in examined if t) / n if n else 0.0
    return TagTable(tuple(rows), n, n_errors, n_dev, error, coverage, int((~is_error).sum()))
