"""The Ray backend against a real local Ray instance started by the test (1 CPU), on a 2-variant sweep."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from unstuck.ledger.experiments import Setup, run_variants
from unstuck.ledger.sql import SQLLedger
from unstuck.ledger.sweep import expand_seeds, parse_vary, sweep_variants


@pytest.fixture
def local_ray() -> Iterator[None]:
    import ray

    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield
    finally:
        ray.shutdown()


def test_two_variant_sweep_on_ray(project: Path, local_ray: None) -> None:
    store = SQLLedger(f"sqlite:///{project / 'ledger.db'}")
    parent = run_variants(
        store, Setup(cwd=project), [sys.executable, "train.py", "--lr", "0.1"], expand_seeds([{}], None)
    )
    variants = expand_seeds(sweep_variants([parse_vary("lr=0.15,9")]), None)
    out = run_variants(
        store,
        Setup(cwd=project, parent_id=parent.ids[0]),
        [sys.executable, "train.py", "--lr", "{lr}"],
        variants,
        backend="ray",
        jobs=2,
    )
    records = [store.get(i) for i in out.ids]
    store.close()
    assert [(r.config["lr"], r.status) for r in records] == [(0.15, "done"), (9, "failed")]
    assert records[0].metrics["dev_error"] == pytest.approx(0.15, abs=0.01)
    assert records[0].changed == {"lr": [0.1, 0.15]}
    assert records[1].returncode == 3 and "diverged" in (records[1].stderr_tail or "")
