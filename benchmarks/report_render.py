"""Size and browser render time of the HTML report of a 100k-row diagnosis.

Usage::

    python benchmarks/report_render.py                       # diagnose 100k rows, then render and load
    python benchmarks/report_render.py --rows 20000
    python benchmarks/report_render.py --mode predictions    # 100k rows of predictions: no model is fitted
    python benchmarks/report_render.py --report report.json  # skip the diagnosis, render a saved report
    python benchmarks/report_render.py --screenshot docs/report.png

The data is ``benchmarks/diagnose_speed.py``'s (30 numeric + 10 categorical
features, binary target, train/dev/test 70/15/15), with 1% of dev rows copied
from train so that the data-surprise sections carry example rows. The real CLI
runs in a subprocess: ``unstuck diagnose ... --json --html --markdown --quiet``.
Then ``unstuck report REPORT.json --html`` is timed alone (import and render,
as a user sees it), and the page is opened in headless Chromium
(``tests/render_chromium.py``), three times: the load time is navigation start
to the load event, as the browser measures it (best and median of the three).
Targets: under 2 MB and under 2 s to render in the browser.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

CLI = [sys.executable, "-c", "from unstuck.cli import main; main()"]


def diagnose(rows: int, folder: Path, mode: str) -> tuple[Path, float]:
    """Write the benchmark data as CSV files and run ``unstuck diagnose`` on them; return the JSON and seconds.

    ``mode="data"``: train/dev/test feature tables (unstuck fits its baselines). ``mode="predictions"``: one
    predictions file of the same rows (``split, y_true, y_pred`` plus the 40 columns as metadata for slices),
    ``y_pred`` from the data's own rule with 10% of labels flipped, so the diagnosis reads, but does not fit.
    """
    import numpy as np
    from diagnose_speed import make_data

    data = make_data(rows)
    cut1, cut2 = int(0.7 * rows), int(0.85 * rows)
    report = folder / "report.json"
    outputs = [
        "--quiet",
        "--json",
        str(report),
        "--html",
        str(folder / "diagnose.html"),
        "--markdown",
        str(folder / "diagnose.md"),
    ]
    if mode == "predictions":
        rng = np.random.default_rng(1)
        y_pred = data["label"].to_numpy().copy()
        flip = rng.random(rows) < np.linspace(0.05, 0.15, rows)
        y_pred[flip] = 1 - y_pred[flip]
        split = np.array(["train"] * cut1 + ["dev"] * (cut2 - cut1) + ["test"] * (rows - cut2))
        table = data.drop(columns="label").assign(split=split, y_true=data["label"], y_pred=y_pred)
        table.to_csv(folder / "predictions.csv", index=False)
        command = [*CLI, "diagnose", "--predictions", str(folder / "predictions.csv"), *outputs]
    else:
        train, dev, test = data.iloc[:cut1], data.iloc[cut1:cut2].copy(), data.iloc[cut2:]
        leaked = max(1, len(dev) // 100)
        dev.iloc[:leaked] = train.iloc[:leaked].to_numpy()
        paths = {name: folder / f"{name}.csv" for name in ("train", "dev", "test")}
        for name, frame in (("train", train), ("dev", dev), ("test", test)):
            frame.to_csv(paths[name], index=False)
        command = [
            *CLI,
            "diagnose",
            str(paths["train"]),
            "--dev",
            str(paths["dev"]),
            "--test",
            str(paths["test"]),
            "--target",
            "label",
            *outputs,
        ]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=folder)
    return report, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--mode", choices=("data", "predictions"), default="data")
    parser.add_argument("--report", type=Path, help="A saved JSON report: skip the diagnosis.")
    parser.add_argument("--keep", type=Path, help="Copy the JSON, HTML and Markdown reports into this folder.")
    parser.add_argument("--screenshot", type=Path, help="Also save the browser's full-page PNG here.")
    args = parser.parse_args()
    from render_chromium import open_page

    with tempfile.TemporaryDirectory(prefix="unstuck-bench-") as tmp:
        folder = Path(tmp)
        diagnose_s = None
        report = args.report
        if report is None:
            report, diagnose_s = diagnose(args.rows, folder, args.mode)
        html, md = folder / "report.html", folder / "report.md"
        started = time.perf_counter()
        subprocess.run(
            [*CLI, "report", str(report), "--html", str(html), "--markdown", str(md), "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        render_s = time.perf_counter() - started
        loads = [open_page(html) for _ in range(3)]
        times = sorted(load.load_seconds for load in loads)
        clean = all(not (x.external or x.failed or x.console_errors) for x in loads)
        if args.keep:
            import shutil

            args.keep.mkdir(parents=True, exist_ok=True)
            for path in (report, html, md):
                shutil.copy(path, args.keep / path.name)
        if args.screenshot:
            args.screenshot.write_bytes(loads[0].png)
        print(f"cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
        print(
            "| rows | diagnose s | `unstuck report` s | HTML size | Markdown size | browser load s (best / median)"
            " | requests | clean |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---|")
        rows = f"{args.rows:,} ({args.mode})" if args.report is None else "(saved report)"
        shown = f"{diagnose_s:.1f}" if diagnose_s is not None else "—"
        print(
            f"| {rows} | {shown} | {render_s:.1f} | {html.stat().st_size / 1e6:.3f} MB | "
            f"{md.stat().st_size / 1e3:.1f} kB | {times[0]:.3f} / {statistics.median(times):.3f} | "
            f"{len(loads[0].requests)} | {'yes' if clean else 'NO'} |"
        )


if __name__ == "__main__":
    main()
