"""Ledger speed: 10,000 records written and ``log`` rendered on SQLite and PostgreSQL; a 20-variant sweep
of a small real training script with ``--jobs 2`` against one at a time.

Usage::

    python benchmarks/ledger_speed.py [--records 10000] [--variants 20] [--postgres URL | --no-postgres] [--no-sweep]

PostgreSQL: ``--postgres``, else ``UNSTUCK_TEST_POSTGRES_URL``, else the server ``.ci/services.sh`` starts;
the benchmark works in a schema of its own and drops it. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

PG_DEFAULT = "postgresql+psycopg://unstuck:unstuck@127.0.0.1:5432/unstuck_test"

TRAIN = textwrap.dedent(
    """
    # A small real training run: logistic regression on 4,000 synthetic rows, dev error as the metric.
    import argparse, json
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    p = argparse.ArgumentParser(); p.add_argument("--C", type=float); p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    X, y = make_classification(n_samples=4000, n_features=40, n_informative=10, random_state=a.seed)
    Xtr, Xdev, ytr, ydev = train_test_split(X, y, test_size=0.25, random_state=a.seed)
    model = LogisticRegression(C=a.C, max_iter=2000).fit(Xtr, ytr)
    print(json.dumps({"dev_error": float((model.predict(Xdev) != ydev).mean())}))
    """
)


def bench_store(url: str, n: int) -> dict[str, float]:
    """Seconds to add n records, to finish them, to read them all back, to render them all (as ``log --limit 0``
    does: plain text above 200 rows), and to read and render the default ``log`` (a table of the newest 50)."""
    from rich.console import Console

    from unstuck.cli._ledger_views import render_log, render_log_plain
    from unstuck.ledger.record import Expectation, Experiment
    from unstuck.ledger.sql import SQLLedger

    store = SQLLedger(url)
    t0 = time.perf_counter()
    ids = []
    for k in range(n):
        rec = Experiment(
            parent_id=ids[-1] if ids else None,
            hypothesis=f"variant {k}: lower lr",
            expectation=Expectation("dev_error", -0.01),
            changed={"lr": [0.01, 0.001]},
            config={"lr": 0.001, "bs": 64, "argv[0]": "python", "argv[1]": "train.py"},
            command=["python", "train.py", "--lr", "0.001", "--bs", "64"],
            seed=k % 3,
            group_key='{"bs": 64, "lr": 0.001}',
            findings=["variance.high"] if k % 2 else [],
            status="running",
            host="bench",
            pid=os.getpid(),
        )
        ids.append(store.add(rec))
    t1 = time.perf_counter()
    for i in ids:
        store.finish(i, status="done", ended_at=time.time(), metrics={"dev_error": 0.1, "train_error": 0.05})
    t2 = time.perf_counter()
    records = store.list()
    t3 = time.perf_counter()
    io.StringIO().write(render_log_plain(records) + "\n")  # what `log --limit 0` does above 200 rows
    t4 = time.perf_counter()
    Console(file=io.StringIO(), width=120).print(render_log(store.list(limit=50)))
    t5 = time.perf_counter()
    store.close()
    return {"add": t1 - t0, "finish": t2 - t1, "read_all": t3 - t2, "render_all": t4 - t3, "log_50": t5 - t4}


def bench_sweep(variants: int) -> dict[str, float]:
    """Wall seconds of ``unstuck sweep`` over ``variants`` values of C, with --jobs 1 and --jobs 2."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "train.py").write_text(TRAIN)
        values = ",".join(f"{10 ** (-3 + 5 * k / max(variants - 1, 1)):.4g}" for k in range(variants))
        for jobs in (1, 2):
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", "from unstuck.cli import main; main()", "sweep", "--vary", f"C={values}",
                 "--jobs", str(jobs), "--ledger", str(folder / f"jobs{jobs}.db"), "--",
                 sys.executable, "train.py", "--C", "{C}"],
                cwd=folder, capture_output=True, text=True, check=False,
            )  # fmt: skip
            out[f"jobs{jobs}"] = time.perf_counter() - t0
            if proc.returncode != 0:
                raise SystemExit(f"sweep failed: {proc.stderr[-2000:]}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--variants", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("UNSTUCK_TEST_POSTGRES_URL") or PG_DEFAULT)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sweep", action="store_true", help="Only the store part.")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("SQLite (WAL)", bench_store(f"sqlite:///{Path(tmp) / 'ledger.db'}", args.records)))
    if not args.no_postgres:
        import sqlalchemy as sa

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        engine = sa.create_engine(args.postgres)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        try:
            sep = "&" if "?" in args.postgres else "?"
            rows.append(
                ("PostgreSQL", bench_store(f"{args.postgres}{sep}options=-csearch_path%3D{schema}", args.records))
            )
        finally:
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()
    print(f"{args.records:,} records (add = insert as running, finish = running -> done with metrics)\n")
    print("| store | add (s) | finish (s) | read all (s) | render all, plain (s) | read + table of newest 50 (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in rows:
        print(f"| {name} | {r['add']:.1f} | {r['finish']:.1f} | {r['read_all']:.2f} | {r['render_all']:.1f} | "
              f"{r['log_50']:.3f} |")  # fmt: skip
    if args.no_sweep:
        return
    sweep = bench_sweep(args.variants)
    print(f"\n{args.variants}-variant sweep (logistic regression, 4,000 rows each), wall seconds incl. start-up:\n")
    print("| --jobs 1 | --jobs 2 | speed-up |")
    print("|---:|---:|---:|")
    print(f"| {sweep['jobs1']:.1f} | {sweep['jobs2']:.1f} | {sweep['jobs1'] / sweep['jobs2']:.2f}× |")


if __name__ == "__main__":
    main()
