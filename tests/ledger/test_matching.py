"""unstuck.ledger.views.matching: the one filter of ``unstuck log`` and the assistant's ``log`` tool."""

from __future__ import annotations

import pytest

from unstuck.errors import ConfigError
from unstuck.ledger.record import Experiment
from unstuck.ledger.views import matching, verdict_filter

RECORDS = [
    Experiment(id=1, hypothesis="Lower LR helps", command=["python", "train.py"], verdict="keep"),
    Experiment(id=2, hypothesis=None, command=["python", "train.py", "--lr", "0.1"], verdict=None),
    Experiment(id=3, hypothesis="more dropout", command=["python", "train.py"], verdict="discard"),
]


def ids(records: list[Experiment]) -> list[int | None]:
    return [r.id for r in records]


def test_records_by_verdict_and_text_in_their_order() -> None:
    assert ids(matching(RECORDS)) == [1, 2, 3]
    assert ids(matching(RECORDS, verdict="unset")) == [2]
    assert ids(matching(RECORDS, verdict="keep")) == [1]
    assert ids(matching(RECORDS, grep="lr")) == [1, 2]  # the hypothesis (any case) or the command
    assert ids(matching(RECORDS, verdict="keep", grep="dropout")) == []


def test_a_verdict_that_is_not_one_is_a_config_error() -> None:
    assert verdict_filter(None) is None and verdict_filter("inconclusive") == "inconclusive"
    with pytest.raises(ConfigError, match="'kept' is not keep, discard, inconclusive or unset"):
        matching(RECORDS, verdict="kept")
