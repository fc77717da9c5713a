"""The store contract (rules in unstuck.ledger.store's docstring), run on SQLite and PostgreSQL alike."""

from __future__ import annotations

import multiprocessing as mp
import time

import pytest

from unstuck.ledger.record import Expectation, Experiment
from unstuck.ledger.sql import SCHEMA_VERSION, SQLLedger
from unstuck.ledger.store import ExperimentNotFound, IllegalTransition


def _record(**kw: object) -> Experiment:
    base: dict[str, object] = {
        "created_at": 1_700_000_000.0,
        "hypothesis": "lower lr helps",
        "expectation": Expectation("dev_error", -0.01),
        "changed": {"lr": [0.01, 0.001]},
        "config": {"lr": 0.001, "argv[0]": "python", "nested.list": [1, 2]},
        "command": ["python", "train.py", "--lr", "0.001"],
        "data_fingerprint": {"train.csv": "sha256:abc"},
        "git_commit": "0" * 40,
        "git_dirty": True,
        "git_diff": "diff --git a/x b/x\n+é unicode\n",
        "seed": 3,
        "group_key": '{"lr": 0.001}',
        "findings": ["label_noise.high", "leakage.id"],
        "interventions": ["fix_labels"],
        "host": "h1",
        "pid": 123,
    }
    base.update(kw)
    return Experiment(**base)  # type: ignore[arg-type]


def test_add_get_round_trip(store: SQLLedger) -> None:
    rec = _record()
    new_id = store.add(rec)
    got = store.get(new_id)
    assert got == rec.with_(id=new_id)
    assert store.schema_version() == SCHEMA_VERSION


def test_ids_grow_and_list_filters(store: SQLLedger) -> None:
    ids = [store.add(_record(group_key=f"g{i % 2}", created_at=1000.0 + i, parent_id=None)) for i in range(5)]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert [r.id for r in store.list()] == ids[::-1]
    assert [r.id for r in store.list(newest_first=False, limit=2)] == ids[:2]
    assert [r.id for r in store.list(group_key="g0", newest_first=False)] == ids[0::2]
    assert [r.id for r in store.list(since=1003.0, newest_first=False)] == ids[3:]
    store.start(ids[1], started_at=1.0, host="h", pid=1)
    assert [r.id for r in store.list(status=["running"])] == [ids[1]]
    child = store.add(_record(parent_id=ids[0]))
    assert [r.id for r in store.list(parent_id=ids[0])] == [child]
    assert store.count() == 6


def test_add_refuses_an_id_or_a_final_status(store: SQLLedger) -> None:
    with pytest.raises(IllegalTransition):
        store.add(_record(id=5))
    with pytest.raises(IllegalTransition):
        store.add(_record(status="done"))
    assert store.count() == 0


def test_get_missing_raises(store: SQLLedger) -> None:
    with pytest.raises(ExperimentNotFound, match="#41"):
        store.get(41)


def test_status_moves_forward_only_and_outcome_is_written_once(store: SQLLedger) -> None:
    i = store.add(_record())
    store.start(i, started_at=10.0, host="h2", pid=77)
    with pytest.raises(IllegalTransition):
        store.start(i, started_at=11.0, host="h2", pid=77)
    store.finish(i, status="done", ended_at=20.0, metrics={"dev_error": 0.12}, returncode=0, stderr_tail="")
    before = store.get(i)
    assert (before.status, before.metrics, before.started_at, before.ended_at) == (
        "done",
        {"dev_error": 0.12},
        10.0,
        20.0,
    )
    assert (before.host, before.pid) == ("h2", 77)
    for status in ("done", "failed", "crashed"):
        with pytest.raises(IllegalTransition, match="cannot"):
            store.finish(i, status=status, ended_at=30.0, metrics={"dev_error": 0.5})
    with pytest.raises(IllegalTransition):
        store.finish(i, status="running", ended_at=30.0)
    assert store.get(i) == before


def test_planned_may_fail_without_running(store: SQLLedger) -> None:
    i = store.add(_record())
    store.finish(i, status="failed", ended_at=5.0, returncode=None, stderr_tail="could not start")
    assert store.get(i).status == "failed"


def test_verdict_moves_forward_only(store: SQLLedger) -> None:
    i = store.add(_record())
    with pytest.raises(IllegalTransition):  # not finished yet
        store.set_verdict(i, "keep", {})
    store.start(i, started_at=1.0, host="h", pid=1)
    store.finish(i, status="done", ended_at=2.0, metrics={"dev_error": 0.1})
    store.set_verdict(i, "inconclusive", {"n": 1})
    store.set_verdict(i, "inconclusive", {"n": 2})
    store.set_verdict(i, "keep", {"n": 3})
    for verdict in ("discard", "inconclusive", "keep"):
        with pytest.raises(IllegalTransition):
            store.set_verdict(i, verdict, {"n": 4})
    got = store.get(i)
    assert (got.verdict, got.verdict_detail) == ("keep", {"n": 3})
    with pytest.raises(IllegalTransition):
        store.set_verdict(i, "maybe", {})


def test_recover_crashed_marks_only_dead_writers_of_this_host(store: SQLLedger) -> None:
    dead_running = store.add(_record(host="here", pid=1001))
    store.start(dead_running, started_at=1.0, host="here", pid=1001)
    dead_planned = store.add(_record(host="here", pid=1002))
    alive = store.add(_record(host="here", pid=2000))
    store.start(alive, started_at=1.0, host="here", pid=2000)
    other_host = store.add(_record(host="elsewhere", pid=1001))
    done = store.add(_record(host="here", pid=1001))
    store.start(done, started_at=1.0, host="here", pid=1001)
    store.finish(done, status="done", ended_at=2.0, metrics={"a": 1.0})
    crashed = store.recover_crashed("here", lambda pid: pid == 2000)
    assert sorted(crashed) == sorted([dead_running, dead_planned])
    assert store.get(dead_running).status == "crashed"
    assert "ended before recording" in (store.get(dead_running).stderr_tail or "")
    assert [store.get(i).status for i in (alive, other_host, done)] == ["running", "planned", "done"]
    assert store.recover_crashed("here", lambda pid: pid == 2000) == []


def test_no_delete_method() -> None:
    assert not [name for name in dir(SQLLedger) if any(w in name.lower() for w in ("delete", "remove", "drop"))]


def _writer(url: str, worker: int, n: int) -> None:
    s = SQLLedger(url)
    for k in range(n):
        i = s.add(_record(hypothesis=f"w{worker}-{k}", host=f"w{worker}", pid=worker))
        s.start(i, started_at=time.time(), host=f"w{worker}", pid=worker)
        s.finish(i, status="done", ended_at=time.time(), metrics={"k": float(k), "worker": float(worker)})
    s.close()


def test_eight_processes_creating_and_writing_at_once_lose_nothing(ledger_url: str) -> None:
    n = 10
    ctx = mp.get_context("fork")  # fork: no re-import per process; the parent holds no connection
    procs = [ctx.Process(target=_writer, args=(ledger_url, w, n)) for w in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * 8
    with SQLLedger(ledger_url) as s:
        records = s.list()
        assert s.schema_version() == SCHEMA_VERSION
    assert len(records) == 8 * n
    assert {r.hypothesis for r in records} == {f"w{w}-{k}" for w in range(8) for k in range(n)}
    assert all(r.status == "done" and r.metrics["k"] == float(r.hypothesis.split("-")[1]) for r in records)
    assert len({r.id for r in records}) == 8 * n
