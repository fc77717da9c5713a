"""The gate's model card and its record in the ledger."""

from __future__ import annotations

from pathlib import Path

from gate_scenarios import CLAIMED_GAIN, scenario, write
from unstuck.ledger.gates import gate_records, is_gate_record, lineage
from unstuck.ledger.record import Experiment
from unstuck.ledger.store import open_ledger


def _ledger(tmp_path: Path) -> tuple[str, int]:
    url = str(tmp_path / "ledger.db")
    with open_ledger(url) as store:
        parent = store.add(Experiment(created_at=1.0, hypothesis="logistic regression on two answers"))
        child = store.add(
            Experiment(
                parent_id=parent,
                created_at=2.0,
                hypothesis="all eight answers carry signal",
                changed={"features": [2, 8]},
                metrics={"dev_error": 0.293},
            )
        )
    return url, child


def test_gate_is_recorded_next_to_its_experiment_and_the_card_lists_the_lineage(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url, judged = _ledger(tmp_path)
    candidate, baseline = scenario(test_rows=300)
    cand_path, base_path = write(tmp_path, candidate, baseline)
    card = tmp_path / "card.md"
    done = cli(
        ["gate", "--predictions", str(cand_path), "--baseline", str(base_path), "--experiment", str(judged),
         "--ledger", url, "--model-card", str(card), "-q"]
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert f"Recorded in the ledger as #3, next to experiment #{judged}." in done.stdout
    with open_ledger(url) as store:
        assert store.count() == 3
        records = gate_records(store, judged)
        assert len(records) == 1 and is_gate_record(records[0])
        record = records[0]
        assert record.status == "done" and record.metrics["gate_go"] == 0.0
        assert record.config["verdict"] == "NO-GO" and record.config["failed"] == ["test_power"]
        assert [e.id for e in lineage(store, judged)] == [1, 2]
        assert not is_gate_record(store.get(judged))
    text = card.read_text(encoding="utf-8")
    assert "Production gate: **NO-GO**" in text
    assert "| test | 300 | 25.3% |" in text  # 76 of 300 test rows misclassified
    assert "| 2 | 1 | all eight answers carry signal | features: 2 → 8 |" in text
    assert "- Fails test_power:" in text and "- Not checked, latency:" in text


def test_unknown_experiment_is_bad_input_and_records_nothing(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    url, _ = _ledger(tmp_path)
    candidate, baseline = scenario()
    cand_path, _ = write(tmp_path, candidate, baseline)
    done = cli(["gate", "--predictions", str(cand_path), "--experiment", "99", "--ledger", url, "-q"])
    assert done.returncode == 2 and "Traceback" not in done.stderr
    with open_ledger(url) as store:
        assert store.count() == 2


def test_model_card_without_ledger_says_so_and_invents_nothing(tmp_path: Path) -> None:
    from dataclasses import replace

    from unstuck.gate import DEFAULTS, load_inputs, run_gate
    from unstuck.gate.modelcard import render_model_card

    candidate, baseline = scenario()
    result = run_gate(load_inputs(*write(tmp_path, candidate, baseline)), replace(DEFAULTS, claimed_gain=CLAIMED_GAIN))
    text = render_model_card(result)
    assert "Production gate: **GO**" in text
    assert "gain of 4.8 points" in text
    assert "No ledger experiments were given" in text
    assert "| class 1 | 579 | 65.8% | 81.2% | no |" in text


def test_gate_records_are_not_counted_as_experiments(tmp_path: Path) -> None:
    from unstuck.ledger.gates import record_gate
    from unstuck.ledger.views import ledger_metrics

    url, judged = _ledger(tmp_path)
    with open_ledger(url) as store:
        before = ledger_metrics(store.list(), now=3.0)
        record_gate(store, judged, {"verdict": "GO", "failed": [], "not_checked": [], "conditions": []})
        records = store.list()
        after = ledger_metrics(records, now=3.0)
    assert len(records) == 3 and before.total == after.total == 2
    assert after.share_one_change == before.share_one_change == 1.0
