"""scikit-learn transformers that turn a text column into features for the baselines.

* :func:`tfidf_features` — word TF-IDF (sub-linear term frequency), sparse;
* :class:`MiniLMFeatures` — MiniLM sentence embeddings (:func:`unstuck.text.embed.embed_texts`),
  dense, 384 columns, read from the embedding cache when the texts were seen before.

Both take a one-column DataFrame (what a ``ColumnTransformer`` hands over for ``[column]``);
missing values are empty texts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, TransformerMixin

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MAX_TFIDF_FEATURES", "MiniLMFeatures", "TextsOf", "tfidf_features"]

#: The TF-IDF vocabulary keeps the most frequent terms up to this many (memory stays bounded).
MAX_TFIDF_FEATURES = 50_000


def _texts(frame: pd.DataFrame | pd.Series | NDArray[Any]) -> list[str]:
    """The texts of a one-column frame (or series, or array), missing values as empty strings."""
    import pandas as pd

    if isinstance(frame, pd.DataFrame):
        values = frame.iloc[:, 0]
    elif isinstance(frame, pd.Series):
        values = frame
    else:
        values = pd.Series(np.asarray(frame).reshape(len(frame), -1)[:, 0])
    return ["" if not isinstance(v, str) else v for v in values.tolist()]


class TextsOf(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """A one-column frame → a list of texts (what ``TfidfVectorizer`` reads)."""

    def fit(self, frame: Any, y: object = None) -> TextsOf:
        return self

    def transform(self, frame: Any) -> list[str]:
        return _texts(frame)


def tfidf_features() -> Any:
    """An unfitted TF-IDF pipeline for one text column (words, sub-linear tf).

    Words alone, not word pairs: on 1,200 Reuters R8 stories pairs raised the logistic
    regression's dev error (6.8 % against 6.0 %) and its fit time.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TextsOf(),
        TfidfVectorizer(sublinear_tf=True, max_features=MAX_TFIDF_FEATURES, dtype=np.float32),
    )


class MiniLMFeatures(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """A one-column frame of texts → MiniLM sentence embeddings, shape (n, 384)."""

    def fit(self, frame: Any, y: object = None) -> MiniLMFeatures:
        return self

    def transform(self, frame: Any) -> NDArray[np.float32]:
        from unstuck.text.embed import embed_texts

        return embed_texts(_texts(frame))
