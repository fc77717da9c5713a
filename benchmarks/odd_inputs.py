"""How unstuck answers generated odd inputs: refusals, reports, and anything else (the target is none).

Runs the property suite's strategies (``tests/odd_tables.py``) on many more inputs than the test
suite does, through the same three doors: the table reader, data mode (``diagnose`` on table files,
dev carved or given) and predictions mode (``diagnose(predictions=...)``). Each input is classified:

* ``refused``: an ``UnstuckError`` with a message and a fix (the CLI's exit-2 path);
* ``report``: a Report whose JSON passes the ``unstuck.report/1`` schema with only finite numbers;
* ``traceback``, ``no_hint``, ``schema_invalid``, ``non_finite``: failures (target: zero each);
* ``check_failed``: a report in which a check raised (the runner lists it under "skipped"): a hole
  in the input validation or a check's own limit; counted apart, also targeted at zero.

Usage::

    python benchmarks/odd_inputs.py --reader 1000 --data 300 --predictions 1000

Prints one table of counts per door, the most frequent refusal reasons, and the first failures.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as fixed_seed
from hypothesis import strategies as st

from odd_tables import FORMATS, Outcome, odd_frames, odd_predictions, outcome, write_table
from unstuck.errors import UnstuckError
from unstuck.io import read_table
from unstuck.pipeline import diagnose


def _settings(examples: int, seed: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings for ``examples`` inputs drawn from the random seed ``seed`` (reproducible)."""
    chosen = settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))

    def apply(test: Callable[..., None]) -> Callable[..., None]:
        return chosen(fixed_seed(seed)(test))  # type: ignore[no-any-return]

    return apply


def run_reader(examples: int, seed: int, results: list[Outcome]) -> None:
    @_settings(examples, seed)
    @given(drawn=odd_frames(max_rows=25), file_format=st.sampled_from(FORMATS))
    def one(drawn: tuple[pd.DataFrame, str, str], file_format: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = write_table(drawn[0], Path(folder), "t", file_format)
            try:
                read = read_table(path)
            except UnstuckError as exc:
                results.append(Outcome("refused" if exc.hint else "no_hint", exc.message))
                return
            except Exception as exc:
                results.append(Outcome("traceback", repr(exc)))
                return
        names = [str(c) for c in read.columns]
        clean = len(set(names)) == len(names) and all(n == n.strip() and "\ufeff" not in n for n in names)
        results.append(Outcome("read" if clean else "unclean_names", repr(names)))

    one()


#: Where failing inputs are copied (``--keep-failures``), to reproduce them.
KEEP: list[Path] = []


def run_data(examples: int, seed: int, results: list[Outcome]) -> None:
    @_settings(examples, seed)
    @given(
        drawn=odd_frames(min_rows=0, max_rows=80),
        file_format=st.sampled_from(FORMATS),
        dev_share=st.sampled_from((0.0, 0.0, 0.3)),
    )
    def one(drawn: tuple[pd.DataFrame, str, str], file_format: str, dev_share: float) -> None:
        frame, target, _ = drawn
        with tempfile.TemporaryDirectory() as folder:
            cut = len(frame) - round(dev_share * len(frame))
            train = write_table(frame.iloc[:cut], Path(folder), "train", file_format)
            dev = write_table(frame.iloc[cut:], Path(folder), "dev", file_format) if dev_share else None
            result = outcome(lambda: diagnose(train, target=target, dev=dev))
            results.append(result)
            if KEEP and result.kind not in ("refused", "report"):
                case = KEEP[0] / f"case{len(results):04d}"
                case.mkdir(parents=True, exist_ok=True)
                for path in (train, dev):
                    if path is not None:
                        shutil.copy(path, case / path.name)
                (case / "target.txt").write_text(f"{target!r}\n{result.kind}\n{result.detail}\n", encoding="utf-8")

    one()


def run_predictions(examples: int, seed: int, results: list[Outcome]) -> None:
    @_settings(examples, seed)
    @given(frame=odd_predictions(), file_format=st.sampled_from(("csv", "csv;", "jsonl", "parquet")))
    def one(frame: pd.DataFrame, file_format: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = write_table(frame, Path(folder), "preds", file_format)
            result = outcome(lambda: diagnose(predictions=path))
            results.append(result)
            if KEEP and result.kind not in ("refused", "report"):
                case = KEEP[0] / f"predictions{len(results):04d}"
                case.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, case / path.name)
                (case / "outcome.txt").write_text(f"{result.kind}\n{result.detail}\n", encoding="utf-8")

    one()


def _reason(detail: str) -> str:
    """A refusal message with its file names, numbers and quoted values blanked, to group alike refusals."""
    head = detail.split(" | ")[0]
    head = re.sub(r"'[^']*'", "'…'", head)
    head = re.sub(r"\[[^\]]*\]", "[…]", head)
    head = re.sub(r"\d[\d.,e+-]*", "N", head)
    return head[:110]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reader", type=int, default=1000, help="inputs for the table reader")
    parser.add_argument("--data", type=int, default=300, help="inputs for data mode (about 1 s each)")
    parser.add_argument("--predictions", type=int, default=1000, help="inputs for predictions mode")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep-failures", type=Path, help="copy failing inputs into this folder")
    args = parser.parse_args()
    if args.keep_failures:
        KEEP.append(args.keep_failures)
    warnings.simplefilter("ignore")
    failures: list[tuple[str, Outcome]] = []
    print("| door | inputs tried | refused (error + fix) | read / report | failures | seconds |")
    print("|---|---:|---:|---:|---:|---:|")
    reasons: Counter[str] = Counter()
    for door, run, count in (
        ("reader", run_reader, args.reader),
        ("data mode", run_data, args.data),
        ("predictions mode", run_predictions, args.predictions),
    ):
        if count <= 0:
            continue
        results: list[Outcome] = []
        start = time.perf_counter()
        run(count, args.seed, results)
        seconds = time.perf_counter() - start
        kinds = Counter(r.kind for r in results)
        good = kinds["read"] + kinds["report"]
        bad = {k: v for k, v in kinds.items() if k not in ("refused", "read", "report")}
        failures += [(door, r) for r in results if r.kind in bad]
        reasons.update(_reason(r.detail) for r in results if r.kind == "refused")
        shown_bad = ", ".join(f"{k} {v}" for k, v in sorted(bad.items())) or "0"
        print(f"| {door} | {len(results)} | {kinds['refused']} | {good} | {shown_bad} | {seconds:.0f} |")
    print("\nMost frequent refusals (values blanked):")
    for reason, count in reasons.most_common(12):
        print(f"  {count:5d}  {reason}")
    print(f"\nFailures: {len(failures)}")
    for door, failure in failures[:10]:
        print(f"--- {door}: {failure.kind}\n{failure.detail[-1500:]}")


if __name__ == "__main__":
    main()
