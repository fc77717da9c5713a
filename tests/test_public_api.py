"""The public API: __all__ is complete and every name resolves."""

from __future__ import annotations

import unstuck


def test_all_names_resolve() -> None:
    for name in unstuck.__all__:
        assert getattr(unstuck, name) is not None


def test_dir_matches_all() -> None:
    assert sorted(unstuck.__all__) == dir(unstuck)


def test_report_roundtrips_through_dict(tabular) -> None:  # type: ignore[no-untyped-def]
    report = unstuck.diagnose(tabular, target="label", seed=1)
    again = unstuck.Report.from_dict(report.to_dict())
    assert again.to_dict() == report.to_dict()
