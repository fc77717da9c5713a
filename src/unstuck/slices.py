"""Slice discovery: readable rules for the rows where a model fails far more than elsewhere.

The search follows SliceLine (Sagadeeva & Boehm, SIGMOD 2021; the ``sliceline``
package) in its encoding — every feature becomes a few one-hot *levels*, and a
slice is a conjunction of levels of different features — but scores slices by a
statistical test instead of SliceLine's weighted score, because unstuck must say
which slices are real and not noise:

1. **Binning** (:func:`encode`): a numeric feature with more than ``n_bins``
   distinct values is cut at its quantiles (``x < a``, ``a ≤ x < b``, ``x ≥ b``);
   other features keep their most frequent values (``color = red``), the rest
   pooled into one "other" level; missing values get a level of their own.
   Levels with fewer than ``min_support`` rows are dropped.
2. **Counting**: each feature is an integer code per row, so the row and
   failure counts of every single level and every pair of levels of two
   features come from one ``bincount`` per pair of features; triples extend the
   ``max_extend`` pairs that fail most beyond what their stronger single level
   explains (binomial tail at that level's failure rate) with every level of a
   third feature (one ``bincount`` over each pair's rows). Cost: linear in rows,
   quadratic in features.
3. **Test**: each slice with at least ``min_support`` rows is tested against the
   rest by a one-sided test — are its failures more than a random subset of its
   size would hold? — with the binomial tail at the overall failure rate, a
   slightly conservative stand-in for Fisher's exact (hypergeometric) test.
4. **False-discovery control**: Benjamini–Hochberg at level ``alpha`` over *every
   conjunction the search could have reported* — all tested singles and pairs
   plus every possible triple of levels of three different features, whether
   counted or not. Counting untested triples makes the correction conservative
   and keeps it valid although triples are only counted under strong pairs.
   A slice must also fail at least ``min_lift`` times as often as the rest.
5. **Merging**: in order of significance, a slice whose rows overlap an already
   kept slice with Jaccard ≥ ``merge_jaccard`` is folded into it (listed as
   another description of the same rows), and a slice whose excess failures
   vanish once the kept slices' rows are set aside (re-tested on the remaining
   rows at the Bonferroni level ``alpha / m``, since it was picked among many) is
   dropped as explained by them.

All functions are pure; the check in ``unstuck.checks.slices`` turns slices into findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Condition", "Encoding", "Slice", "SliceSearch", "encode", "find_slices", "jaccard"]

#: Default number of quantile bins per numeric feature.
N_BINS = 5
#: Most frequent values kept per categorical feature (the rest pooled as "other").
MAX_CATEGORIES = 12


@dataclass(frozen=True)
class Condition:
    """One feature condition: ``kind`` is ``"eq"``, ``"other"`` (none of ``values``),
    ``"range"`` (``low ≤ x < high``; either bound may be None) or ``"missing"``."""

    feature: str
    kind: str
    value: Any = None
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None

    def text(self) -> str:
        """The condition as people read it, e.g. ``age < 25`` or ``region = north``."""
        if self.kind == "eq":
            return f"{self.feature} = {self.value}"
        if self.kind == "other":
            return f"{self.feature} not in {{{', '.join(str(v) for v in self.values)}}}"
        if self.kind == "missing":
            return f"{self.feature} is missing"
        if self.low is None:
            return f"{self.feature} < {_num(self.high)}"
        if self.high is None:
            return f"{self.feature} ≥ {_num(self.low)}"
        return f"{_num(self.low)} ≤ {self.feature} < {_num(self.high)}"

    def mask(self, frame: pd.DataFrame) -> NDArray[np.bool_]:
        """Rows of ``frame`` (any table with this feature) that meet the condition, shape (n,)."""
        import pandas as pd

        column = frame[self.feature]
        if self.kind == "missing":
            return np.asarray(column.isna().to_numpy(), dtype=bool)
        if self.kind == "range":
            x = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
            keep = ~np.isnan(x)
            if self.low is not None:
                keep &= x >= self.low
            if self.high is not None:
                keep &= x < self.high
            return np.asarray(keep, dtype=bool)
        text = column.astype(object).where(column.notna(), None).map(lambda v: None if v is None else str(v))
        if self.kind == "eq":
            return np.asarray((text == str(self.value)).to_numpy(), dtype=bool)
        known = {str(v) for v in self.values}
        return np.asarray((text.notna() & ~text.isin(known)).to_numpy(), dtype=bool)

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "kind": self.kind,
            "value": _plain(self.value),
            "values": [_plain(v) for v in self.values],
            "low": self.low,
            "high": self.high,
            "text": self.text(),
        }


@dataclass(frozen=True)
class Encoding:
    """Features as levels: ``codes[r, f]`` (shape (n_rows, n_features), int64) is the global
    index of the level row ``r`` takes in feature ``f``; ``levels[j]`` is the condition of
    level ``j`` and ``feature_of[j]`` the index of its feature. Every row takes exactly one
    level per feature, so the levels of one feature partition the rows."""

    levels: tuple[Condition, ...]
    feature_of: NDArray[np.int64]
    codes: NDArray[np.int64]
    features: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Slice:
    """A discovered slice of rows and its failure statistics.

    ``rows``: positions of its rows in the searched table; ``error`` / ``rest_error``:
    failure rates inside and outside; ``share``: its fraction of rows; ``p_value``:
    one-sided test against the rest (see :func:`_p_values`); ``q_value``: BH-adjusted;
    ``also``: rules of merged slices that cover (nearly) the same rows.
    """

    conditions: tuple[Condition, ...]
    n: int
    failures: int
    error: float
    rest_error: float
    share: float
    p_value: float
    q_value: float
    rows: NDArray[np.int64] = field(repr=False)
    also: tuple[str, ...] = ()

    @property
    def rule(self) -> str:
        return " and ".join(c.text() for c in self.conditions)

    def mask(self, frame: pd.DataFrame) -> NDArray[np.bool_]:
        """Rows of another table (e.g. train) that fall in this slice."""
        keep = np.ones(len(frame), dtype=bool)
        for condition in self.conditions:
            keep &= condition.mask(frame)
        return keep

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "conditions": [c.to_dict() for c in self.conditions],
            "rows": self.n,
            "failures": self.failures,
            "error": self.error,
            "rest_error": self.rest_error,
            "share": self.share,
            "p_value": self.p_value,
            "q_value": self.q_value,
            "also": list(self.also),
        }


@dataclass(frozen=True)
class SliceSearch:
    """The result of a search: kept ``slices`` (most significant first) and how it was run."""

    slices: tuple[Slice, ...]
    n_rows: int
    n_failures: int
    n_levels: int
    n_counted: int
    n_hypotheses: int
    min_support: int
    alpha: float
    p_threshold: float
    n_significant: int
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.n_rows,
            "failures": self.n_failures,
            "levels": self.n_levels,
            "slices_counted": self.n_counted,
            "hypotheses": self.n_hypotheses,
            "min_support": self.min_support,
            "alpha": self.alpha,
            "p_threshold": self.p_threshold,
            "significant_before_merging": self.n_significant,
            "notes": list(self.notes),
            "slices": [s.to_dict() for s in self.slices],
        }


def default_min_support(n_rows: int) -> int:
    """Smallest slice tested: 0.5 % of the rows, at least 20 (a rate on fewer rows is mostly noise)."""
    return max(20, int(np.ceil(0.005 * n_rows)))


def encode(frame: pd.DataFrame, *, n_bins: int = N_BINS, max_categories: int = MAX_CATEGORIES) -> Encoding:
    """The levels of every column of ``frame`` (see the module docstring, step 1)."""
    import pandas as pd

    n = len(frame)
    levels: list[Condition] = []
    feature_of: list[int] = []
    codes = np.zeros((n, frame.shape[1]), dtype=np.int64)
    notes: list[str] = []
    for f, name in enumerate(frame.columns):
        column = frame[name]
        missing = column.isna().to_numpy()
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        found: list[Condition]
        if numeric and column.nunique(dropna=True) > n_bins:
            x = column.to_numpy(dtype=np.float64, na_value=np.nan)
            edges = np.unique(np.quantile(x[~missing], np.arange(1, n_bins) / n_bins))
            bounds = [None, *edges.tolist(), None]
            local = np.searchsorted(edges, np.where(missing, 0.0, x), side="right")
            found = [Condition(str(name), "range", low=bounds[b], high=bounds[b + 1]) for b in range(len(bounds) - 1)]
        else:
            values, uniques = pd.factorize(column.astype(str).where(~missing, None), sort=False)
            counts = np.bincount(values[values >= 0], minlength=len(uniques))
            order = np.argsort(-counts, kind="stable")[:max_categories]
            top = [str(uniques[i]) for i in order]
            remap = np.full(len(uniques), len(top), dtype=np.int64)
            remap[order] = np.arange(len(top))
            # A column with no value in these rows (all missing here) has no level but "missing".
            local = remap[np.where(values >= 0, values, 0)] if len(uniques) else np.zeros(n, dtype=np.int64)
            found = [Condition(str(name), "eq", value=v) for v in top]
            if len(uniques) > len(top):
                found.append(Condition(str(name), "other", values=tuple(top)))
                notes.append(f"{name}: {len(uniques)} distinct values; the {len(top)} most frequent kept")
        if missing.any():
            local = np.where(missing, len(found), local)
            found.append(Condition(str(name), "missing"))
        codes[:, f] = len(levels) + local
        levels.extend(found)
        feature_of.extend([f] * len(found))
    return Encoding(
        tuple(levels),
        np.asarray(feature_of, dtype=np.int64),
        codes,
        tuple(str(c) for c in frame.columns),
        tuple(notes),
    )


def find_slices(
    frame: pd.DataFrame,
    failed: NDArray[np.bool_],
    *,
    max_conditions: int = 3,
    n_bins: int = N_BINS,
    min_support: int | None = None,
    alpha: float = 0.05,
    min_lift: float = 1.5,
    max_extend: int = 100,
    merge_jaccard: float = 0.5,
    top: int = 10,
) -> SliceSearch:
    """Slices of ``frame`` (n rows × features) where ``failed`` (shape (n,)) is far above the rest.

    Parameters
    ----------
    frame:
        Per-row features (or metadata); any dtypes.
    failed:
        Whether the model failed on each row (misclassified; or a large residual).
    max_conditions:
        Conditions per rule, 1 to 3.
    min_support:
        Fewest rows a slice may have; default :func:`default_min_support`.
    alpha:
        The false-discovery rate of the Benjamini–Hochberg correction.
    min_lift:
        A slice's failure rate must be at least this multiple of the rest's.
    max_extend:
        How many of the most significant pairs are extended to triples.
    merge_jaccard:
        Slices whose rows overlap at least this much (Jaccard) are one slice.
    top:
        At most this many slices are returned.
    """
    failed = np.asarray(failed, dtype=bool)
    n = len(frame)
    if len(failed) != n:
        raise ValueError(f"failed has {len(failed)} entries for {n} rows")
    if not 1 <= max_conditions <= 3:
        raise ValueError("max_conditions must be 1, 2 or 3")
    support = default_min_support(n) if min_support is None else int(min_support)
    total_failed = int(failed.sum())
    enc = encode(frame, n_bins=n_bins)
    codes, feat = enc.codes, enc.feature_of
    n_levels = len(enc.levels)
    if n_levels == 0 or total_failed in (0, n):
        return SliceSearch((), n, total_failed, n_levels, 0, 0, support, alpha, 0.0, 0, enc.notes)
    codes_f = codes[failed]
    single_n = np.bincount(codes.ravel(), minlength=n_levels).astype(np.float64)
    single_f = np.bincount(codes_f.ravel(), minlength=n_levels).astype(np.float64)
    usable = single_n >= support
    keys: list[tuple[int, ...]] = [(j,) for j in np.flatnonzero(usable).tolist()]
    cnt_parts = [single_n[usable]]
    err_parts = [single_f[usable]]
    if max_conditions >= 2:
        p_keys, p_n, p_f = _pairs(codes, codes_f, feat, usable, support)
        keys.extend(p_keys)
        cnt_parts.append(p_n)
        err_parts.append(p_f)
        if max_conditions >= 3 and len(p_keys):
            # extend the pairs that fail most beyond what their stronger single level explains
            pair_a = np.fromiter((k[0] for k in p_keys), dtype=np.int64, count=len(p_keys))
            pair_b = np.fromiter((k[1] for k in p_keys), dtype=np.int64, count=len(p_keys))
            single_rate = single_f / np.maximum(single_n, 1)
            parent_rate = np.maximum(single_rate[pair_a], single_rate[pair_b])
            eligible = np.flatnonzero(p_f / p_n > parent_rate)
            pair_p = _p_values_at(p_n[eligible], p_f[eligible], parent_rate[eligible])
            chosen = eligible[np.argsort(pair_p, kind="stable")[:max_extend]]
            t_keys, t_n, t_f = _triples(codes, failed, feat, [p_keys[c] for c in chosen.tolist()], support)
            keys.extend(t_keys)
            cnt_parts.append(t_n)
            err_parts.append(t_f)
    cnt = np.concatenate(cnt_parts)
    err = np.concatenate(err_parts)
    n_counted = len(keys)
    n_hyp = sum(1 for k in keys if len(k) <= 2)
    if max_conditions >= 3:
        n_hyp += _possible_triples(feat[usable])
    p = _p_values(cnt, err, n, total_failed)
    q = _bh(p, n_hyp)
    rest_err = (total_failed - err) / np.maximum(n - cnt, 1)
    rate = err / cnt
    passed = (q <= alpha) & (rate >= min_lift * rest_err) & (rate > rest_err)
    threshold = _bh_threshold(p, n_hyp, alpha)
    order = np.flatnonzero(passed)
    order = order[np.lexsort((-(rate[order] - rest_err[order]) * cnt[order], p[order]))]
    slices = _merge(
        enc,
        failed,
        [keys[k] for k in order],
        cnt[order],
        p[order],
        q[order],
        alpha / max(n_hyp, 1),
        merge_jaccard,
        min_lift,
        top,
    )
    return SliceSearch(
        tuple(slices),
        n,
        total_failed,
        n_levels,
        n_counted,
        n_hyp,
        support,
        alpha,
        threshold,
        int(passed.sum()),
        enc.notes,
    )


def jaccard(a: NDArray[np.int64], b: NDArray[np.int64]) -> float:
    """Jaccard overlap of two sets of row positions."""
    union = len(np.union1d(a, b))
    return len(np.intersect1d(a, b)) / union if union else 1.0


def _p_values(cnt: NDArray[np.float64], err: NDArray[np.float64], n: int, k: int) -> NDArray[np.float64]:
    """One-sided p-values: P(a random subset of ``cnt`` rows holds ≥ ``err`` failures).

    The binomial upper tail at the overall failure rate ``k / n``: it bounds Fisher's exact
    (hypergeometric) tail from above — drawing without replacement varies less — so the test
    is slightly conservative, and it is a vectorised C routine (``scipy.special.bdtrc``)
    where the exact tail costs about a millisecond per slice.
    """
    from scipy.special import bdtrc

    failures = np.asarray(err, dtype=np.int64)
    p = bdtrc(failures - 1, np.asarray(cnt, dtype=np.int64), k / n)
    return np.asarray(np.where(failures <= 0, 1.0, p), dtype=np.float64)


def _p_values_at(cnt: NDArray[np.float64], err: NDArray[np.float64], rate: NDArray[np.float64]) -> NDArray[np.float64]:
    """Binomial upper tail of ``err`` failures in ``cnt`` rows at the failure ``rate`` (per slice)."""
    from scipy.special import bdtrc

    failures = np.asarray(err, dtype=np.int64)
    p = bdtrc(failures - 1, np.asarray(cnt, dtype=np.int64), np.clip(rate, 0.0, 1.0))
    return np.asarray(np.where(failures <= 0, 1.0, p), dtype=np.float64)


def _pairs(
    codes: NDArray[np.int64],
    codes_f: NDArray[np.int64],
    feat: NDArray[np.int64],
    usable: NDArray[np.bool_],
    support: int,
) -> tuple[list[tuple[int, ...]], NDArray[np.float64], NDArray[np.float64]]:
    """Row and failure counts of every pair of usable levels of two different features."""
    n_features = codes.shape[1]
    first = np.array([np.flatnonzero(feat == f)[0] if (feat == f).any() else 0 for f in range(n_features)])
    width = np.bincount(feat, minlength=n_features)
    keys: list[tuple[int, ...]] = []
    ns: list[NDArray[np.float64]] = []
    fs: list[NDArray[np.float64]] = []
    for f in range(n_features):
        a_all = codes[:, f] - first[f]
        a_fail = codes_f[:, f] - first[f]
        for g in range(f + 1, n_features):
            size = width[f] * width[g]
            joint_n = np.bincount(a_all * width[g] + codes[:, g] - first[g], minlength=size)
            joint_f = np.bincount(a_fail * width[g] + codes_f[:, g] - first[g], minlength=size)
            cells = np.flatnonzero(joint_n >= support)
            a = first[f] + cells // width[g]
            b = first[g] + cells % width[g]
            ok = usable[a] & usable[b]
            cells, a, b = cells[ok], a[ok], b[ok]
            keys.extend(zip(a.tolist(), b.tolist(), strict=True))
            ns.append(joint_n[cells].astype(np.float64))
            fs.append(joint_f[cells].astype(np.float64))
    if not keys:
        return [], np.zeros(0), np.zeros(0)
    return keys, np.concatenate(ns), np.concatenate(fs)


def _triples(
    codes: NDArray[np.int64],
    failed: NDArray[np.bool_],
    feat: NDArray[np.int64],
    parents: list[tuple[int, ...]],
    support: int,
) -> tuple[list[tuple[int, ...]], NDArray[np.float64], NDArray[np.float64]]:
    """Counts of every (parent pair + one level of a third feature), deduplicated."""
    n_levels = len(feat)
    seen: dict[tuple[int, ...], tuple[float, float]] = {}
    for a, b in parents:
        rows = (codes[:, feat[a]] == a) & (codes[:, feat[b]] == b)
        sub = codes[rows]
        t_n = np.bincount(sub.ravel(), minlength=n_levels)
        t_f = np.bincount(codes[rows & failed].ravel(), minlength=n_levels)
        ok = np.flatnonzero((t_n >= support) & (feat != feat[a]) & (feat != feat[b]))
        for c in ok.tolist():
            key = tuple(sorted((a, b, c)))
            if key not in seen:
                seen[key] = (float(t_n[c]), float(t_f[c]))
    values = np.asarray(list(seen.values()), dtype=np.float64).reshape(-1, 2)
    return list(seen), values[:, 0], values[:, 1]


def _possible_triples(feat: NDArray[np.int64]) -> int:
    """Triples of levels from three different features: the third elementary symmetric polynomial
    of the per-feature level counts."""
    e1 = e2 = e3 = 0
    for c in np.bincount(feat).tolist():
        e3 += e2 * c
        e2 += e1 * c
        e1 += c
    return int(e3)


def _bh(p: NDArray[np.float64], m: int) -> NDArray[np.float64]:
    """Benjamini–Hochberg adjusted p-values for ``p`` out of ``m ≥ len(p)`` hypotheses
    (untested ones count as p = 1)."""
    if len(p) == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, len(p) + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(p)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def _bh_threshold(p: NDArray[np.float64], m: int, alpha: float) -> float:
    """The largest p-value BH rejects (0 when none)."""
    if len(p) == 0:
        return 0.0
    ranked = np.sort(p)
    ok = np.flatnonzero(ranked <= alpha * np.arange(1, len(p) + 1) / m)
    return float(ranked[ok[-1]]) if len(ok) else 0.0


def _merge(
    enc: Encoding,
    failed: NDArray[np.bool_],
    candidates: list[tuple[int, ...]],
    counts: NDArray[np.float64],
    p: NDArray[np.float64],
    q: NDArray[np.float64],
    fresh_threshold: float,
    merge_jaccard: float,
    min_lift: float,
    top: int,
) -> list[Slice]:
    """Fold overlapping slices together and drop those explained by stronger ones (step 5).

    A candidate whose conditions include all of a kept slice's is a sub-slice of it: its
    Jaccard overlap is the ratio of their sizes, and it is never new (all its rows are
    covered), so it costs no row mask. At most ``50 × top`` other candidates are examined.
    """
    n = len(failed)
    total = int(failed.sum())
    kept: list[Slice] = []
    kept_keys: list[frozenset[int]] = []
    kept_masks: list[NDArray[np.bool_]] = []
    covered = np.zeros(n, dtype=bool)
    also: list[list[str]] = []
    budget = 50 * max(top, 1)

    def rule_of(key: tuple[int, ...]) -> tuple[tuple[Condition, ...], str]:
        conditions = tuple(enc.levels[j] for j in sorted(key, key=lambda j: int(enc.feature_of[j])))
        return conditions, " and ".join(c.text() for c in conditions)

    for key, n_k, p_k, q_k in zip(candidates, counts, p, q, strict=True):
        members = frozenset(key)
        parent = next((i for i, ks in enumerate(kept_keys) if ks <= members), None)
        if parent is not None:
            if n_k / kept[parent].n >= merge_jaccard and len(also[parent]) < 5:
                also[parent].append(rule_of(key)[1])
            continue
        if budget == 0:
            break
        budget -= 1
        inside = np.ones(n, dtype=bool)
        for j in key:
            inside &= enc.codes[:, enc.feature_of[j]] == j
        conditions, rule = rule_of(key)
        overlap = [
            i for i, m in enumerate(kept_masks) if (m & inside).sum() / max((m | inside).sum(), 1) >= merge_jaccard
        ]
        if overlap:
            if len(also[overlap[0]]) < 5:
                also[overlap[0]].append(rule)
            continue
        fresh = inside & ~covered
        n_fresh = int(fresh.sum())
        free = n - int(covered.sum())
        free_failed = total - int(failed[covered].sum())
        k_fresh = int(failed[fresh].sum())
        rest_rate = (free_failed - k_fresh) / max(free - n_fresh, 1)
        if kept and (
            n_fresh == 0
            or _p_values(np.array([n_fresh]), np.array([k_fresh]), free, free_failed)[0] > fresh_threshold
            or k_fresh / n_fresh < min_lift * rest_rate
        ):
            continue
        if len(kept) >= top:
            break
        rows = np.flatnonzero(inside)
        k = int(failed[rows].sum())
        out_rest = (total - k) / max(n - len(rows), 1)
        kept.append(
            Slice(conditions, len(rows), k, k / len(rows), out_rest, len(rows) / n, float(p_k), float(q_k), rows)
        )
        kept_keys.append(members)
        kept_masks.append(inside)
        also.append([])
        covered |= inside
    return [
        Slice(s.conditions, s.n, s.failures, s.error, s.rest_error, s.share, s.p_value, s.q_value, s.rows, tuple(a))
        for s, a in zip(kept, also, strict=True)
    ]


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0, so a rule never reads "≥ -0"


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "item"):
        return value.item()
    return str(value)
