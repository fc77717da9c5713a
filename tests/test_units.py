"""How numbers are written: one module, the same text wherever a report, a verdict or a plan shows a number."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from unstuck.metrics import metric_for
from unstuck.units import metric_gap, metric_value, percent, points, significant


def test_percent_and_points() -> None:
    assert percent(0.1234) == "12.3%"
    assert percent(0.1234, 0) == "12%"
    assert percent(0.0005, 2) == "0.05%"
    assert points(0.041) == "4.1 points"
    assert points(0.041, word="pts", signed=True) == "+4.1 pts"
    assert points(-0.041, word="pts", signed=True) == "-4.1 pts"


@pytest.mark.parametrize(
    ("share", "digits", "text"),
    [
        (0.1234, 1, "12.3%"),
        (0.1234, 0, "12%"),
        (0.1234, 2, "12.34%"),
        (0.0, 1, "0.0%"),
        (0.0, 0, "0%"),
        (1.0, 1, "100.0%"),
        (1.0, 0, "100%"),
        (1, 0, "100%"),
        (-0.041, 1, "-4.1%"),
        (-0.041, 0, "-4%"),
        (-0.0004, 1, "-0.0%"),  # a sign kept on what rounds to zero, as Python's own format keeps it
        (0.125, 0, "12%"),  # halves round to even, as Python's own format rounds them
        (0.135, 0, "14%"),
        (0.95, 0, "95%"),
        (0.9996, 1, "100.0%"),
        (1.5, 1, "150.0%"),
    ],
)
def test_percent_pins(share: float, digits: int, text: str) -> None:
    assert percent(share, digits) == text


@pytest.mark.parametrize("digits", [0, 1, 2])
def test_percent_writes_what_an_inline_percent_spec_wrote(digits: int) -> None:
    # the messages once wrote f"{share:.1%}" inline: moving them here must not change one character
    rng = np.random.default_rng(0)
    shares = [*rng.uniform(-1.5, 1.5, 2000), *(np.arange(-200, 2001) / 1000), 1 / 3, 2 / 3, 0.005, 0.015, 0.0]
    for share in shares:
        assert percent(float(share), digits) == f"{float(share):.{digits}%}" == f"{100 * float(share):.{digits}f}%"
        assert percent(share, digits) == f"{share:.{digits}%}"  # a numpy float64 as it comes
    for share32 in rng.uniform(0, 1, 2000).astype(np.float32):
        assert percent(share32, digits) == f"{share32:.{digits}%}"


def test_significant_digits() -> None:
    assert significant(0.012345) == "0.0123"
    assert significant(1234.5, 4) == "1234"
    assert significant(0.5, signed=True) == "+0.5"
    assert significant(1e-7) == "1e-07"


@pytest.mark.parametrize(("metric", "value", "gap"), [("error_rate", "4.1%", "4.1 points"), ("rmse", "0.041", "0.041")])
def test_metric_units_and_the_metric_type_agree(metric: str, value: str, gap: str) -> None:
    assert metric_value(metric, 0.041) == value
    assert metric_gap(metric, 0.041) == gap
    task = "classification" if metric == "error_rate" else "regression"
    chosen = metric_for(task, metric)
    assert chosen.format(0.041) == value and chosen.format_gap(0.041) == gap


def test_report_precision_is_four_digits_with_signed_gaps() -> None:
    assert metric_value("rmse", 1.234567, digits=4) == "1.235"
    assert metric_gap("rmse", 0.25, digits=4, signed=True) == "+0.25"
    assert metric_gap("error_rate", 0.023, digits=4, word="pts", signed=True) == "+2.3 pts"


def test_floating_point_residue_reads_as_no_difference() -> None:
    from unstuck.units import metric_gap

    # a flat forecast's "gain" is the residue of subtracting two nearly equal numbers
    assert metric_gap("rmse", 1.11e-16) == "0" and metric_gap("rmse", 9.4e-10) == "0"
    assert metric_gap("error_rate", -2e-17) == "0.0 points"
    assert metric_gap("rmse", 0.0123) == "0.0123"


#: A percent format written inline: a replacement field whose spec ends in ``%`` (``{share:.1%}``,
#: ``{share:>6.1%}``, ``{share:.{digits}%}``) or the built-in's spec (``format(share, ".1%")``).
INLINE_PERCENT = re.compile(
    r"""
    :[<>=^]?[-+\ ]?\#?0?\d*[,_]?(?:\.(?:\d+|\{[^{}]*\}))?%\}
    | (?<![.\w])format\(.+,\s*(['"])[^'"]*%\1
    """,
    re.VERBOSE,
)
#: The package in this checkout, whichever copy of it is installed.
SOURCE = Path(__file__).resolve().parent.parent / "src" / "unstuck"


def _inline_percent_specs(text: str) -> list[tuple[int, str]]:
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1) if INLINE_PERCENT.search(line)]


def test_shares_are_written_as_percentages_only_by_units() -> None:
    # one place decides how a share reads, so a report, a verdict and a plan agree on it
    found = {
        path.relative_to(SOURCE.parent).as_posix(): _inline_percent_specs(path.read_text(encoding="utf-8"))
        for path in sorted(SOURCE.rglob("*.py"))
    }
    assert len(found) > 100 and found["unstuck/units.py"], "the scan reads the package, units.py's own spec included"
    hits = [
        f"{name}:{number}: {line}"
        for name, lines in found.items()
        if name != "unstuck/units.py"
        for number, line in lines
    ]
    assert not hits, "write a share with unstuck.units.percent, not an inline % spec:\n" + "\n".join(hits)


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ('f"{share:.1%} of rows"', True),
        ('f"({share:.0%})"', True),
        ("f\"{row['share']:.2%}\"", True),
        ('f"{share:%}"', True),
        ('f"{share:>6.1%}"', True),
        ('f"{share:+.1%}"', True),
        ('f"{share:.{digits}%}"', True),
        ("'{:.1%}'.format(share)", True),
        ('format(share, ".1%")', True),
        ('f"{percent(share)} of rows"', False),
        ('f"the 10% largest residuals"', False),
        ('f"({level:g}%)"', False),
        ('text.rstrip("%")', False),
        ('metric.format(value, "%")', False),
    ],
)
def test_the_scan_knows_an_inline_percent_spec(line: str, found: bool) -> None:
    # a scan that matches nothing would pass for ever
    assert bool(_inline_percent_specs(line)) is found
