"""Pure helpers of the data checks: row keys, chance matches, checksums, masking, intervals, AUC."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from unstuck.checks.imbalance import wilson
from unstuck.checks.target_leakage import auc
from unstuck.data.personal import iban_ok, luhn_ok, mask, matches
from unstuck.data.rows import id_like_name, normalise_frame, row_keys, shared_keys
from unstuck.leakage import chance_match_share
from unstuck.shift import hanley_mcneil_interval


def test_exact_keys_equal_only_for_identical_rows() -> None:
    frame = pd.DataFrame({"a": [1.0, 1.0, 1.0001, 2.0], "s": ["x", "x", "x", "x"]})
    keys = row_keys(frame, ["a", "s"])
    assert keys[0] == keys[1]
    assert len(set(keys.tolist())) == 3


def test_near_keys_fold_numbers_and_text() -> None:
    frame = pd.DataFrame(
        {
            "a": [1.0, 1.0001, 9.9951, 10.0, np.nan, 0.0, 1.01],
            "s": ["Hello, World", "  hello   world ", "Café", "cafe", None, "x", "hello world"],
        }
    )
    keys = row_keys(frame, ["a", "s"], near=True)
    assert keys[0] == keys[1]  # 3 significant digits, case/punctuation/space folded
    assert keys[2] == keys[3]  # 9.9951 rounds to 10.0; accents folded
    assert keys[4] != keys[5]  # missing is not zero
    assert keys[6] != keys[0]  # 1.01 differs at 3 digits
    assert list(normalise_frame(frame[["s"]])["s"].iloc[:2]) == ["hello world", "hello world"]


def test_shared_keys_masks_both_sides() -> None:
    left = np.array([1, 2, 3, 3], dtype=np.uint64)
    right = np.array([3, 4, 1], dtype=np.uint64)
    a, b = shared_keys(left, right)
    assert a.tolist() == [True, False, True, True]
    assert b.tolist() == [True, False, True]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        *[("id", True), ("user_id", True), ("customerId", True), ("row_index", True), ("uuid", True)],
        *[("paid", False), ("valid", False), ("grid", False), ("width", False)],
    ],
)
def test_id_like_names(name: str, expected: bool) -> None:
    assert id_like_name(name) is expected


def test_chance_share_is_high_for_one_binary_column_and_tiny_for_many_continuous() -> None:
    rng = np.random.default_rng(0)
    binary = pd.DataFrame({"b": rng.integers(0, 2, 500)})
    assert chance_match_share(binary, ["b"]) > 0.99
    continuous = pd.DataFrame(rng.normal(size=(500, 8)), columns=list("abcdefgh"))
    assert chance_match_share(continuous, list("abcdefgh")) < 1e-6


def test_luhn_iban_and_patterns() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert iban_ok("GB82 WEST 1234 5698 7654 32") and not iban_ok("GB83 WEST 1234 5698 7654 32")
    assert matches("email", "mail bob.smith@example.org today") == ["bob.smith@example.org"]
    assert matches("card", "4111 1111 1111 1111") == ["4111 1111 1111 1111"]
    assert matches("card", "4111 1111 1111 1112") == []
    assert matches("phone", "born 2020-01-15") == []  # a date is not a phone number
    assert matches("phone", "call +44 20 7946 0958") == ["+44 20 7946 0958"]
    assert matches("phone", "ssn 123-45-6789") == []
    assert matches("national_id", "ssn 123-45-6789") == ["123-45-6789"]
    assert matches("ip_address", "from 10.0.0.255 via 1.2.3") == ["10.0.0.255"]


def test_mask_never_shows_the_whole_value() -> None:
    assert mask("bob.smith@example.org") == "b******************rg"
    assert mask("4111 1111 1111 1111", "card").endswith("1111")
    assert "4111 1111 1111" not in mask("4111 1111 1111 1111", "card")
    assert mask("ab") == "**"


def test_wilson_interval_known_values() -> None:
    low, high = wilson(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)


def test_auc_matches_sklearn_with_ties() -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(1)
    y = rng.random(300) < 0.3
    score = np.round(rng.normal(size=300) + y, 1)
    assert auc(y, score) == pytest.approx(roc_auc_score(y, score))


def test_hanley_mcneil_interval_shrinks_with_n() -> None:
    small = hanley_mcneil_interval(0.8, 50, 50)
    large = hanley_mcneil_interval(0.8, 5000, 5000)
    assert small[0] < large[0] < 0.8 < large[1] < small[1]
