"""Property suite over the readers and Problem construction: every generated odd input either is refused
with an error and a fix (the CLI's exit-2 path) or yields a report that passes the JSON Schema with only
finite numbers. Never a traceback. (A report in which one check raised, which the runner lists as
skipped, passes here; the benchmark counts those apart.)

The default run is short (tens of examples); ``benchmarks/odd_inputs.py`` runs the same strategies on
many more inputs and counts the outcomes.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from odd_tables import FORMATS, odd_frames, odd_predictions, outcome, write_table
from unstuck.errors import UnstuckError
from unstuck.io import read_table
from unstuck.pipeline import diagnose

QUICK = settings(
    max_examples=30,
    deadline=timedelta(seconds=60),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


@QUICK
@given(drawn=odd_frames(max_rows=25), file_format=st.sampled_from(FORMATS))
def test_reader_returns_clean_unique_names_or_refuses(drawn: tuple[pd.DataFrame, str, str], file_format: str) -> None:
    frame = drawn[0]
    with tempfile.TemporaryDirectory() as folder:
        path = write_table(frame, Path(folder), "t", file_format)
        try:
            read = read_table(path)
        except UnstuckError as exc:
            assert exc.message and exc.hint
            event("refused")
            return
    event("read")
    names = [str(c) for c in read.columns]
    assert len(set(names)) == len(names)
    assert all(name == name.strip() and "\ufeff" not in name for name in names)


@settings(QUICK, max_examples=20)
@given(
    drawn=odd_frames(min_rows=0, max_rows=80),
    file_format=st.sampled_from(FORMATS),
    dev_share=st.sampled_from((0.0, 0.0, 0.3)),
)
def test_data_mode_refuses_or_reports_finite_numbers(
    drawn: tuple[pd.DataFrame, str, str], file_format: str, dev_share: float
) -> None:
    frame, target, _ = drawn
    with tempfile.TemporaryDirectory() as folder:
        cut = len(frame) - round(dev_share * len(frame))
        train = write_table(frame.iloc[:cut], Path(folder), "train", file_format)
        dev = write_table(frame.iloc[cut:], Path(folder), "dev", file_format) if dev_share else None
        result = outcome(lambda: diagnose(train, target=target, dev=dev))
    event(result.kind)  # pytest --hypothesis-show-statistics shows how often each door was reached
    assert result.kind in ("refused", "report", "check_failed"), result.detail


@QUICK
@given(frame=odd_predictions(), file_format=st.sampled_from(("csv", "csv;", "jsonl", "parquet")))
def test_predictions_mode_refuses_or_reports_finite_numbers(frame: pd.DataFrame, file_format: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_table(frame, Path(folder), "preds", file_format)
        result = outcome(lambda: diagnose(predictions=path))
    event(result.kind)  # pytest --hypothesis-show-statistics shows how often each door was reached
    assert result.kind in ("refused", "report", "check_failed"), result.detail
