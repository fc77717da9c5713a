"""A full diagnosis against its peers and against one model fit, side by side on identical data.

Usage::

    python benchmarks/peers.py --rows 100000 \\
        --cleanlab /tmp/venv-cleanlab/bin/python --deepchecks /tmp/venv-deepchecks/bin/python

The table: ``--rows`` rows × 40 numeric features, 5 classes (scikit-learn's
``make_classification``: 20 informative, 10 redundant, 2 clusters per class, 2 % of labels
flipped, seed 0), split at random 70/15/15 into train/dev/test and written once to Parquet,
so that every tool reads the same rows. Each tool runs in a fresh child process, one after the
other; a tool's wall time and peak memory (the largest single process's resident set, worker
processes included) are measured around that child:

* ``lightgbm_fit``: one LightGBM fit of 100 rounds (its defaults otherwise) on train, the
  yardstick the issue prices a diagnosis in, timed in the child with one thread and with two;
  the faster is the yardstick (two threads win on an idle machine, one on a busy one, where
  threads of one fit wait for each other behind other processes);
* ``unstuck <budget>``: ``unstuck diagnose train --dev dev --test test --budget <budget>``;
* ``cleanlab``: 5-fold out-of-fold probabilities of the same 100-round LightGBM on train
  (``cross_val_predict``) and ``Datalab.find_issues(features=..., pred_probs=...)`` with its
  defaults (label, outlier, near-duplicate, non-IID, class imbalance, underperforming group,
  null), in its own virtual environment (``--cleanlab PYTHON``);
* ``deepchecks``: the same 100-round LightGBM fitted on train and Deepchecks' tabular
  ``full_suite`` on train and test with that model, in its own virtual environment
  (``--deepchecks PYTHON``; Deepchecks 0.19.1 needs numpy 1.26, pandas 2.2, scikit-learn 1.5).

Then the ratios the targets are stated in: unstuck's time over the peers' summed time and over
the one fit. ``--json`` writes everything. The environments::

    python3 -m venv /tmp/venv-deepchecks && /tmp/venv-deepchecks/bin/pip install deepchecks==0.19.1 \\
        'numpy==1.26.*' 'pandas==2.2.*' 'scikit-learn==1.5.*' lightgbm 'pyarrow<18'
    python3 -m venv /tmp/venv-cleanlab && /tmp/venv-cleanlab/bin/pip install 'cleanlab[datalab]' lightgbm pyarrow
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

N_FEATURES = 40
N_CLASSES = 5
ROUNDS = 100

LIGHTGBM_CHILD = r"""
import json, sys, time
import pandas as pd
from lightgbm import LGBMClassifier
train = pd.read_parquet(f"{sys.argv[1]}/train.parquet")
x, y = train.drop(columns="label"), train["label"]
seconds = {}
for threads in (1, 2):
    started = time.perf_counter()
    LGBMClassifier(n_estimators=int(sys.argv[2]), n_jobs=threads, verbose=-1).fit(x, y)
    seconds[threads] = time.perf_counter() - started
print(json.dumps({"fit_seconds": min(seconds.values()), "fit_seconds_1_thread": seconds[1],
                  "fit_seconds_2_threads": seconds[2]}))
"""

CLEANLAB_CHILD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd
from cleanlab import Datalab
from lightgbm import LGBMClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict
train = pd.read_parquet(f"{sys.argv[1]}/train.parquet")
x, y = train.drop(columns="label"), train["label"]
started = time.perf_counter()
folds = StratifiedKFold(5, shuffle=True, random_state=0)
model = LGBMClassifier(n_estimators=int(sys.argv[2]), verbose=-1)
oof = cross_val_predict(model, x, y, cv=folds, method="predict_proba")
cv_seconds = time.perf_counter() - started
lab = Datalab(data=train[["label"]], label_name="label", verbosity=0)
lab.find_issues(features=x.to_numpy(), pred_probs=oof)
print(json.dumps({"cv_seconds": cv_seconds, "datalab_seconds": time.perf_counter() - started - cv_seconds,
                  "issue_types": lab.get_issue_summary()["issue_type"].tolist()}))
"""

DEEPCHECKS_CHILD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd
from deepchecks.tabular import Dataset
from deepchecks.tabular.suites import full_suite
from lightgbm import LGBMClassifier
train = pd.read_parquet(f"{sys.argv[1]}/train.parquet")
test = pd.read_parquet(f"{sys.argv[1]}/test.parquet")
started = time.perf_counter()
model = LGBMClassifier(n_estimators=int(sys.argv[2]), verbose=-1).fit(train.drop(columns="label"), train["label"])
fit_seconds = time.perf_counter() - started
result = full_suite().run(train_dataset=Dataset(train, label="label", cat_features=[]),
                          test_dataset=Dataset(test, label="label", cat_features=[]), model=model)
print(json.dumps({"fit_seconds": fit_seconds, "suite_seconds": time.perf_counter() - started - fit_seconds,
                  "checks": len(result.results)}))
"""


def generate(rows: int, folder: Path, seed: int = 0) -> None:
    """The benchmark table (see the module docstring) as train/dev/test Parquet files in ``folder``."""
    import pandas as pd
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=rows,
        n_features=N_FEATURES,
        n_informative=20,
        n_redundant=10,
        n_classes=N_CLASSES,
        n_clusters_per_class=2,
        flip_y=0.02,
        random_state=seed,
    )
    frame = pd.DataFrame(x, columns=[f"x{j}" for j in range(N_FEATURES)])
    frame["label"] = np.asarray([f"class_{c}" for c in y])
    order = np.random.default_rng(seed).permutation(rows)
    cuts = {"train": order[: int(0.7 * rows)], "dev": order[int(0.7 * rows) : int(0.85 * rows)]}
    cuts["test"] = order[int(0.85 * rows) :]
    for split, index in cuts.items():
        frame.iloc[index].reset_index(drop=True).to_parquet(folder / f"{split}.parquet")


def measure(command: list[str]) -> dict[str, Any]:
    """Run ``command`` in a child of a fresh measuring process: wall seconds, peak MiB, last JSON line."""
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "started = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(json.dumps({'wall_seconds': time.perf_counter() - started, 'returncode': done.returncode,\n"
        "    'peak_mib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,\n"
        "    'stdout': done.stdout[-4000:], 'stderr': done.stderr[-2000:]}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    lines = [line for line in result.pop("stdout").splitlines() if line.startswith("{")]
    if result["returncode"] != 0:
        raise RuntimeError(f"{command[:3]} failed:\n{result['stderr']}")
    result.pop("stderr")
    if lines:
        result.update(json.loads(lines[-1]))
    return result


def load() -> float:
    return os.getloadavg()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--budget", nargs="*", default=["standard", "quick"], choices=["quick", "standard", "thorough"])
    parser.add_argument("--cleanlab", metavar="PYTHON", help="python of a venv with cleanlab[datalab] and lightgbm")
    parser.add_argument("--deepchecks", metavar="PYTHON", help="python of a venv with deepchecks 0.19.1 and lightgbm")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument(
        "--skip-unstuck", action="store_true", help="time only the fit and the peers (another run times unstuck)"
    )
    args = parser.parse_args()
    results: dict[str, Any] = {"rows": args.rows, "features": N_FEATURES, "classes": N_CLASSES, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(args.rows, folder)
        tools: list[tuple[str, list[str]]] = [
            ("lightgbm_fit", [sys.executable, "-c", LIGHTGBM_CHILD, tmp, str(ROUNDS)])
        ]
        for budget in [] if args.skip_unstuck else args.budget:
            report = str(folder / f"report_{budget}.json")
            cli = [sys.executable, "-c", "from unstuck.cli import main; main()", "diagnose"]
            cli += [str(folder / "train.parquet"), "--dev", str(folder / "dev.parquet")]
            cli += ["--test", str(folder / "test.parquet"), "--target", "label", "--quiet", "--json", report]
            tools.append((f"unstuck_{budget}", [*cli, "--budget", budget]))
        if args.cleanlab:
            tools.append(("cleanlab", [args.cleanlab, "-c", CLEANLAB_CHILD, tmp, str(ROUNDS)]))
        if args.deepchecks:
            tools.append(("deepchecks", [args.deepchecks, "-c", DEEPCHECKS_CHILD, tmp, str(ROUNDS)]))
        for name, command in tools:
            before = load()
            result = measure(command)
            result["load_before"], result["load_after"] = before, load()
            if name.startswith("unstuck_"):
                report_data = json.loads(Path(folder / f"report_{name[8:]}.json").read_text(encoding="utf-8"))
                timings = report_data.get("timings", {})
                result["in_process_seconds"] = timings.get("total_seconds")
                result["parts"] = {**timings.get("shared", {}), **timings.get("checks", {})}
                result["bottleneck"] = report_data["bottleneck"]
                result["findings"] = sorted(f["id"] for f in report_data["findings"])
            results[name] = result
            print(
                f"{name}: {result['wall_seconds']:.1f} s, {result['peak_mib']:.0f} MiB (load {before:.1f})", flush=True
            )
            if args.json:  # after every tool: a run on a busy machine takes long, keep what was measured
                args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print_summary(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


def print_summary(results: dict[str, Any]) -> None:
    fit = results["lightgbm_fit"]
    peers = [results[name]["wall_seconds"] for name in ("cleanlab", "deepchecks") if name in results]
    print(
        f"\n{results['rows']:,} rows x {results['features']} numeric, {results['classes']} classes, "
        f"{results['cpus']} cores"
    )
    print("| tool | wall s | peak MiB | load avg before / after |")
    print("|---|---:|---:|---|")
    for name, result in results.items():
        if isinstance(result, dict) and "wall_seconds" in result:
            print(
                f"| {name} | {result['wall_seconds']:.1f} | {result['peak_mib']:.0f} | "
                f"{result['load_before']:.1f} / {result['load_after']:.1f} |"
            )
    print(
        f"\none {ROUNDS}-round LightGBM fit on train: {fit['fit_seconds']:.1f} s (fit only, the faster of "
        f"{fit['fit_seconds_1_thread']:.1f} s on one thread and {fit['fit_seconds_2_threads']:.1f} s on two)"
    )
    for name, result in results.items():
        if not name.startswith("unstuck_"):
            continue
        line = f"{name}: {result['wall_seconds'] / fit['fit_seconds']:.1f}x the fit"
        if len(peers) == 2:
            line += f", {result['wall_seconds'] / sum(peers):.2f}x the peers' summed {sum(peers):.1f} s"
        parts = sorted(result["parts"].items(), key=lambda item: -item[1])[:6]
        print(line + "; slowest: " + ", ".join(f"{k} {v:.1f}" for k, v in parts))


if __name__ == "__main__":
    main()
