"""Copies of texts: normalised exact copies and near copies, found in sub-quadratic time.

Two texts are

* **normalised copies** when they are equal after :func:`normalise_text` (case, accents,
  punctuation and white space folded away);
* **near copies** when the Jaccard similarity of their sets of word pairs (2-shingles of
  the normalised text) is at least ``threshold`` (default :data:`NEAR_COPY_JACCARD`):
  a text of 20 words with its last word changed keeps 18 of its 20 distinct shingles
  (Jaccard 0.9), while two different news stories on one topic share well under a tenth.

Candidates come from MinHash locality-sensitive hashing (``datasketch``): each text is
hashed once and looked up in buckets, so the search grows about linearly with the number
of texts instead of comparing every pair; each candidate is then confirmed on its exact
Jaccard similarity, so LSH only ever misses pairs (rarely, near the threshold), never
invents them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["NEAR_COPY_JACCARD", "TextMatches", "find_copies", "normalise_text", "shingles"]

#: Jaccard similarity of word-pair sets from which two texts are near copies.
NEAR_COPY_JACCARD = 0.8
#: MinHash permutations: the estimate's standard error is about 1/sqrt(128) = 0.09.
NUM_PERM = 128

#: How far below the confirmed threshold the LSH buckets are tuned.
LSH_MARGIN = 0.2

_NOT_WORD = re.compile(r"[^\w]+")


def normalise_text(text: str) -> str:
    """``text`` lower-cased, accents and punctuation removed, white space collapsed to single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", plain.lower()).split())


def shingles(normalised: str, k: int = 2) -> frozenset[str]:
    """The set of ``k``-word windows of a normalised text (the text itself when it has fewer words)."""
    words = normalised.split()
    if len(words) <= k:
        return frozenset([normalised]) if normalised else frozenset()
    return frozenset(" ".join(words[i : i + k]) for i in range(len(words) - k + 1))


@dataclass(frozen=True)
class TextMatches:
    """For each query text: the position of a matching text (-1: none) and how it matches.

    ``match``: shape (n_queries,), a position in the reference texts (or, within one
    split, an *earlier* position of the same texts). ``similarity``: the Jaccard similarity
    of the pair (1.0 for normalised copies, 0.0 where there is no match). ``exact``: True
    where the pair are normalised copies.
    """

    match: NDArray[np.int64]
    similarity: NDArray[np.float64]
    exact: NDArray[np.bool_]

    @property
    def found(self) -> NDArray[np.bool_]:
        return self.match >= 0

    @property
    def n_exact(self) -> int:
        return int(self.exact.sum())

    @property
    def n_near(self) -> int:
        return int((self.found & ~self.exact).sum())


def find_copies(
    queries: Sequence[str],
    reference: Sequence[str] | None = None,
    *,
    threshold: float = NEAR_COPY_JACCARD,
    seed: int = 0,
) -> TextMatches:
    """Each query's normalised or near copy among ``reference`` (or among the earlier queries
    when ``reference`` is None: copies inside one split). Empty texts match nothing."""
    from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]

    within = reference is None
    ref = list(queries if reference is None else reference)
    query_norm = [normalise_text(t) for t in queries]
    ref_norm = query_norm if within else [normalise_text(t) for t in ref]
    n = len(query_norm)
    match = np.full(n, -1, dtype=np.int64)
    similarity = np.zeros(n, dtype=np.float64)
    exact = np.zeros(n, dtype=bool)

    first_of: dict[str, int] = {}
    for position, text in enumerate(ref_norm):
        if text:
            first_of.setdefault(text, position)
    for i, text in enumerate(query_norm):
        j = first_of.get(text, -1) if text else -1
        if j >= 0 and (not within or j < i):
            match[i], similarity[i], exact[i] = j, 1.0, True

    ref_sets = [shingles(t) for t in ref_norm]
    query_sets = ref_sets if within else [shingles(t) for t in query_norm]
    hashes = MinHash.bulk([[s.encode() for s in sorted(words)] for words in ref_sets], num_perm=NUM_PERM, seed=seed)
    # Buckets tuned well below the confirmed threshold: a pair at the threshold itself is then
    # found almost surely, and the exact Jaccard check below discards the extra candidates.
    lsh = MinHashLSH(threshold=max(0.5, threshold - LSH_MARGIN), num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for position, (words, minhash) in enumerate(zip(ref_sets, hashes, strict=True)):
            if words:
                session.insert(position, minhash, check_duplication=False)
    pending = [i for i in range(n) if not exact[i] and query_sets[i]]
    query_hashes = (
        [hashes[i] for i in pending]
        if within
        else MinHash.bulk([[s.encode() for s in sorted(query_sets[i])] for i in pending], num_perm=NUM_PERM, seed=seed)
    )
    for i, minhash in zip(pending, query_hashes, strict=True):
        best, best_similarity = -1, 0.0
        for j in lsh.query(minhash):
            if within and j >= i:
                continue
            shared = len(query_sets[i] & ref_sets[j])
            jaccard = shared / len(query_sets[i] | ref_sets[j])
            if jaccard >= threshold and (jaccard > best_similarity or (jaccard == best_similarity and j < best)):
                best, best_similarity = j, jaccard
        if best >= 0:
            match[i], similarity[i] = best, best_similarity
    return TextMatches(match=match, similarity=similarity, exact=exact)
