"""Distillation: turn LLM traffic whose answers are labels into a small model, and measure it.

The path, for tasks whose LLM output is a label from a finite set (classification,
routing, tagging, extraction into a small set):

1. :func:`detect_label_set` — normalise answers (case and whitespace), say what was
   merged, refuse free text with what the user can do instead.
2. :func:`split_traffic` — train / calibration / test: by time when the traffic has
   timestamps (oldest 60 % train, next 20 % calibration, newest 20 % test: the model is
   judged on traffic that came after what it learned from), else a seeded random split.
3. Small models in rising cost (:mod:`unstuck.cost.small_models`): TF-IDF + logistic regression (always
   available); MiniLM sentence embeddings + logistic regression; fine-tuning MiniLM
   itself with PyTorch. The last two need the optional ``text`` extra.
4. :func:`evaluate_model` — agreement with the LLM on the held-out test part (with a
   bootstrap 95 % interval), per class, against gold labels where a gold field exists,
   latency per request, and the cascade of :mod:`unstuck.cost.cascade`.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from unstuck.arguments import check_arguments
from unstuck.cost.cascade import Cascade, build_cascade
from unstuck.cost.parameters import COST_PARAMETERS
from unstuck.cost.small_models import MODELS, TEXT_EXTRA_INSTALL, SmallModel, make_model, text_extra_missing
from unstuck.errors import ConfigError, InputError

if TYPE_CHECKING:
    from unstuck.cost.traffic import Traffic

__all__ = [
    "MODELS",
    "TEXT_EXTRA_INSTALL",
    "DistillResult",
    "FreeTextOutputs",
    "LabelSet",
    "ModelResult",
    "SmallModel",
    "Split",
    "detect_label_set",
    "distill",
    "evaluate_model",
    "make_model",
    "normalise_label",
    "split_traffic",
    "text_extra_missing",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class FreeTextOutputs(InputError):
    """The LLM's answers are free text, not labels from a finite set: classification distillation does not apply."""


# --------------------------------------------------------------------------- label set


def normalise_label(text: str) -> str:
    """Case-folded, with runs of whitespace collapsed to one space and ends stripped."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class LabelSet:
    """The finite set of answers.

    Attributes
    ----------
    classes:
        Canonical labels, most frequent first (ties: alphabetical); each is the most frequent raw
        spelling of its group (ties: alphabetically first), with whitespace collapsed.
    counts:
        Lines per canonical label.
    merged:
        Canonical label → the raw spellings merged into it, only for labels with more than one spelling.
    mapping:
        Raw answer → canonical label.
    """

    classes: tuple[str, ...]
    counts: dict[str, int]
    merged: dict[str, list[str]]
    mapping: dict[str, str]

    def encode(self, raw: Sequence[str]) -> IntArray:
        """Class indices (into ``classes``) of raw answers, shape (n,)."""
        index = {c: i for i, c in enumerate(self.classes)}
        return np.array([index[self.mapping[r]] for r in raw], dtype=np.int64)


def detect_label_set(outputs: Sequence[str], *, max_labels: int = 50, field_name: str = "output") -> LabelSet:
    """Detect the finite label set of ``outputs`` (the LLM's answers), or refuse free text.

    Answers equal after :func:`normalise_label` are one label. The outputs are free text
    when there are more than ``max_labels`` distinct labels, or when more than half the
    lines carry a label no other line has (answers that do not repeat are not a label set).

    Raises
    ------
    FreeTextOutputs
        With what the user can do instead.
    InputError
        Only one label (nothing to learn).
    """
    check_arguments({"max_labels": max_labels}, COST_PARAMETERS, entry="unstuck.cost.distill.detect_label_set")
    n = len(outputs)
    raw_counts = Counter(outputs)
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for raw, count in raw_counts.items():
        groups[normalise_label(raw)][raw] += count
    singletons = sum(1 for g in groups.values() if sum(g.values()) == 1)
    if len(groups) > max_labels or (n >= 20 and singletons > n / 2):
        examples = "; ".join(repr(o[:60]) for o in list(raw_counts)[:3])
        raise FreeTextOutputs(
            f"The answers in '{field_name}' look like free text, not labels from a finite set: {len(groups):,} "
            f"distinct answers in {n:,} lines after normalising case and whitespace ({singletons:,} occur once; "
            f"a label set has at most {max_labels}). Examples: {examples}. Classification distillation does not apply.",
            "If the answer contains a label, extract it into its own field and pass that field with --output; if you "
            "really have more classes, raise --max-labels; for free-text answers, fine-tune a small generative model "
            "on the (prompt, response) pairs outside unstuck, and price the switch with `unstuck cost --traffic FILE`.",
        )
    if len(groups) < 2:
        only = next(iter(raw_counts)) if raw_counts else ""
        raise InputError(
            f"Every answer in '{field_name}' is the same label ({only!r}): there is nothing for a model to learn.",
            "A constant rule replaces the API here; or check --output names the LLM's answer field.",
        )
    # the canonical spelling: the most frequent raw one (ties: the alphabetically first), whitespace collapsed
    canonical = {key: " ".join(min(g, key=lambda raw: (-g[raw], raw)).split()) for key, g in groups.items()}
    counts = {canonical[k]: sum(g.values()) for k, g in groups.items()}
    classes = tuple(sorted(counts, key=lambda c: (-counts[c], c)))
    merged = {canonical[k]: sorted(g) for k, g in groups.items() if len(g) > 1}
    mapping = {raw: canonical[key] for key, g in groups.items() for raw in g}
    return LabelSet(classes=classes, counts=counts, merged=merged, mapping=mapping)


# --------------------------------------------------------------------------- split


@dataclass(frozen=True)
class Split:
    """Row indices of the train, calibration and test parts, and how they were made (``time`` or ``random``)."""

    method: str
    train: IntArray
    calibration: IntArray
    test: IntArray

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "calibration": len(self.calibration), "test": len(self.test)}


def split_traffic(
    n: int,
    *,
    times: Sequence[Any] | npt.NDArray[Any] | None = None,
    seed: int = 0,
    calibration: float = 0.2,
    test: float = 0.2,
) -> Split:
    """Split ``n`` rows into train / calibration / test.

    With ``times`` (shape (n,), sortable), rows are ordered oldest first (stable for ties)
    and cut into consecutive blocks; otherwise a permutation seeded by ``seed`` is cut.
    The calibration block picks the cascade threshold; the test block measures everything.
    """
    if not (0 < calibration < 1 and 0 < test < 1 and calibration + test < 1):
        raise ConfigError("calibration and test shares must be in (0, 1) and sum to < 1.", "Use e.g. 0.2 and 0.2.")
    n_test = max(1, round(n * test))
    n_cal = max(1, round(n * calibration))
    n_train = n - n_test - n_cal
    if n_train < 10 or n_cal < 5 or n_test < 5:
        raise InputError(
            f"Only {n:,} usable traffic lines: too few to train a small model and check it on held-out traffic.",
            "Collect at least a few hundred requests with the LLM's answers (50 is the bare minimum).",
        )
    if times is not None:
        order = np.argsort(np.asarray(times), kind="stable").astype(np.int64)
        method = "time"
    else:
        order = np.random.default_rng(seed).permutation(n).astype(np.int64)
        method = "random"
    return Split(
        method=method,
        train=order[:n_train],
        calibration=order[n_train : n_train + n_cal],
        test=order[n_train + n_cal :],
    )


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class ModelResult:
    """How one small model did on the held-out test part.

    ``agreement`` is the share of test requests where the small model's label equals the
    LLM's; ``agreement_interval`` its bootstrap 95 % interval. ``per_class`` rows are
    ``{label, support, agreement (recall of the LLM's label), precision}``. ``gold`` is
    ``{n, small_model, llm}`` accuracies on the test rows with a gold label, or ``None``.
    Latency: ``latency_ms`` per request when scoring the test part in batches,
    ``latency_ms_single`` the median of single-request calls; ``throughput`` = 1000 /
    ``latency_ms_single`` requests per second on this machine, one request at a time (no
    batching: the conservative figure for sizing serving instances).
    """

    name: str
    description: str
    train_seconds: float
    agreement: float
    agreement_interval: tuple[float, float]
    per_class: list[dict[str, Any]]
    gold: dict[str, Any] | None
    latency_ms: float
    latency_ms_single: float
    throughput: float
    cascade: Cascade

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "train_seconds": self.train_seconds,
            "agreement": self.agreement,
            "agreement_interval": list(self.agreement_interval),
            "per_class": self.per_class,
            "gold": self.gold,
            "latency_ms": self.latency_ms,
            "latency_ms_single": self.latency_ms_single,
            "throughput": self.throughput if math.isfinite(self.throughput) else None,
            "cascade": self.cascade.to_dict(),
        }


def evaluate_model(
    model: SmallModel,
    texts: list[str],
    y: IntArray,
    classes: Sequence[str],
    split: Split,
    *,
    floor: float,
    gold: Sequence[str | None] | None = None,
    seed: int = 0,
    single_calls: int = 20,
    guarantee: float | None = None,
) -> ModelResult:
    """Fit ``model`` on the train part, then measure it on the calibration and test parts.

    Parameters
    ----------
    texts, y:
        All requests and the LLM's label indices, shape (n,).
    classes:
        Label names, indexed by ``y``.
    gold:
        Optional human labels (canonical label names or ``None``), shape (n,).
    floor:
        Quality floor of the cascade (agreement with the LLM, e.g. 0.97).
    guarantee:
        Optional confidence (e.g. 0.9) that the floor holds on new traffic; see
        :func:`unstuck.cost.cascade.choose_threshold`.
    """
    from unstuck.metrics import bootstrap_means

    k = len(classes)
    train_texts = [texts[i] for i in split.train]
    start = time.perf_counter()
    model.fit(train_texts, y[split.train], k)
    train_seconds = time.perf_counter() - start

    cal_proba = model.predict_proba([texts[i] for i in split.calibration])
    test_texts = [texts[i] for i in split.test]
    start = time.perf_counter()
    test_proba = model.predict_proba(test_texts)
    latency_ms = 1000.0 * (time.perf_counter() - start) / max(1, len(test_texts))
    singles = []
    for text in test_texts[:single_calls]:
        start = time.perf_counter()
        model.predict_proba([text])
        singles.append(1000.0 * (time.perf_counter() - start))

    y_test = y[split.test]
    pred_test = test_proba.argmax(axis=1)
    agree_test = pred_test == y_test
    agreement = float(agree_test.mean())
    boot = bootstrap_means(agree_test.astype(np.float64), n_boot=1000, seed=seed)
    interval = (float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975)))

    per_class = []
    for c, label in enumerate(classes):
        support = int((y_test == c).sum())
        predicted = int((pred_test == c).sum())
        hits = int(((y_test == c) & agree_test).sum())
        per_class.append(
            {
                "label": label,
                "support": support,
                "agreement": hits / support if support else None,
                "precision": hits / predicted if predicted else None,
            }
        )

    gold_result = None
    if gold is not None:
        gold_test = [gold[i] for i in split.test]
        has = [i for i, g in enumerate(gold_test) if g is not None]
        if has:
            names = np.asarray(classes, dtype=object)
            gold_arr = np.asarray([gold_test[i] for i in has], dtype=object)
            gold_result = {
                "n": len(has),
                "small_model": float((names[pred_test[has]] == gold_arr).mean()),
                "llm": float((names[y_test[has]] == gold_arr).mean()),
            }

    latency_single = float(np.median(singles)) if singles else latency_ms
    y_cal = y[split.calibration]
    cascade = build_cascade(
        cal_proba.max(axis=1), cal_proba.argmax(axis=1) == y_cal, test_proba.max(axis=1), agree_test, floor, guarantee
    )
    return ModelResult(
        name=model.name,
        description=model.description,
        train_seconds=train_seconds,
        agreement=agreement,
        agreement_interval=interval,
        per_class=per_class,
        gold=gold_result,
        latency_ms=latency_ms,
        latency_ms_single=latency_single,
        throughput=1000.0 / latency_single if latency_single > 0 else math.inf,
        cascade=cascade,
    )


@dataclass(frozen=True)
class DistillResult:
    """Everything ``unstuck distill`` measured: labels, split, one result per small model, the best cascade."""

    labels: LabelSet
    split: Split
    models: list[ModelResult]
    floor: float
    skipped_models: dict[str, str] = field(default_factory=dict)

    @property
    def best(self) -> ModelResult:
        """The model whose cascade covers most test traffic at the floor (ties: the cheaper, listed first)."""
        return max(self.models, key=lambda m: m.cascade.test.coverage if m.cascade.meets_floor_on_test else -1.0)


def distill(
    traffic: Traffic,
    *,
    models: Sequence[str] = ("tfidf",),
    floor: float = 0.97,
    seed: int = 0,
    max_labels: int = 50,
    single_calls: int = 20,
    guarantee: float | None = None,
    on_step: Callable[[str], None] | None = None,
) -> DistillResult:
    """Run the distillation path on ``traffic`` with the small models named in ``models``, cheapest first.

    ``single_calls`` test requests are also scored one at a time to measure single-request latency.
    """
    # the floor is distill_report's quality_floor, declared (and named in messages) under that name
    given = {"quality_floor": floor, "guarantee": guarantee, "seed": seed, "max_labels": max_labels}
    check_arguments(given, COST_PARAMETERS, entry="unstuck.cost.distill.distill")
    frame = traffic.frame
    outputs = frame["output"].tolist()
    labels = detect_label_set(outputs, max_labels=max_labels, field_name=traffic.output_field)
    y = labels.encode(outputs)
    texts = frame["input"].tolist()
    times = frame["time"].to_numpy() if traffic.has_time else None
    split = split_traffic(len(texts), times=times, seed=seed)
    if len(np.unique(y[split.train])) < 2:
        raise InputError(
            "The training part holds a single label, so no model can be trained.",
            "Pass more traffic, or traffic whose older part already shows several labels.",
        )
    gold = None
    if traffic.has_gold:
        gold = [_canonical_gold(g, labels) if isinstance(g, str) else None for g in frame["gold"]]
    results = []
    for name in models:
        if on_step:
            on_step(f"training {name}")
        model = make_model(name, seed)
        results.append(
            evaluate_model(
                model,
                texts,
                y,
                labels.classes,
                split,
                floor=floor,
                gold=gold,
                seed=seed,
                single_calls=single_calls,
                guarantee=guarantee,
            )
        )
    return DistillResult(labels=labels, split=split, models=results, floor=floor)


def _canonical_gold(value: str, labels: LabelSet) -> str:
    """A gold label mapped onto the canonical spelling when it normalises to a known label."""
    key = normalise_label(value)
    for c in labels.classes:
        if normalise_label(c) == key:
            return c
    return value.strip()
