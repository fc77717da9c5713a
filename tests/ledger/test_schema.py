"""Schema versions: an old ledger is backed up before it is migrated; a newer one is refused and left untouched."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from unstuck.ledger.record import Experiment
from unstuck.ledger.schema import MIGRATIONS, SCHEMA_VERSION, tables
from unstuck.ledger.sql import SQLLedger
from unstuck.ledger.store import LedgerError


def _make_v1(url: str) -> None:
    """A ledger as schema version 1 wrote it (before experiment_links), holding one record."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    t = tables()
    with engine.begin() as conn:
        MIGRATIONS[0](conn, t)
        conn.execute(sa.insert(t["meta"]).values(key="schema_version", value="1"))
        conn.execute(
            sa.insert(t["experiments"]).values(
                created_at=1.0,
                changed="{}",
                multi_change=False,
                explore=False,
                config='{"lr": 0.1}',
                command='["python", "train.py"]',
                data_fingerprint="{}",
                metrics='{"dev_error": 0.2}',
                status="done",
                verdict_detail="{}",
                hypothesis="from v1",
            )
        )
    engine.dispose()


def test_old_schema_is_backed_up_then_migrated(ledger_url: str) -> None:
    _make_v1(ledger_url)
    store = SQLLedger(ledger_url)
    try:
        assert store.schema_version() == SCHEMA_VERSION == 3
        assert store.backup_path is not None
        old = store.get(1)
        assert (old.hypothesis, old.metrics, old.findings) == ("from v1", {"dev_error": 0.2}, [])
        new = store.add(Experiment(command=["x"], findings=["leakage.id"], status="running"))
        store.finish(new, status="done", ended_at=2.0, dev_losses=[0.0, 1.0])
        assert store.get(new).findings == ["leakage.id"] and store.get(new).dev_losses == [0.0, 1.0]
        assert old.dev_losses is None
    finally:
        store.close()
    if ledger_url.startswith("sqlite"):
        backup = Path(store.backup_path)
        assert backup.exists() and backup.name.startswith("ledger.db.v1-")
        con = sqlite3.connect(backup)
        assert con.execute("SELECT value FROM ledger_meta").fetchone() == ("1",)
        assert con.execute("SELECT hypothesis FROM experiments").fetchall() == [("from v1",)]
        assert "experiment_links" not in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        assert "dev_losses" not in {r[1] for r in con.execute("PRAGMA table_info(experiments)")}
        con.close()
    else:
        import sqlalchemy as sa

        engine = sa.create_engine(ledger_url)
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            backup_table = next(n for n in names if n.startswith("experiments_bak_v1_"))
            assert conn.execute(sa.text(f'SELECT hypothesis FROM "{backup_table}"')).all() == [("from v1",)]
        engine.dispose()
    with SQLLedger(ledger_url) as again:  # opening a current ledger backs nothing up
        assert again.backup_path is None


def test_newer_schema_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    SQLLedger(f"sqlite:///{path}").close()
    con = sqlite3.connect(path)
    con.execute("UPDATE ledger_meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(LedgerError, match="schema version 99"):
        SQLLedger(f"sqlite:///{path}")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE songs (title TEXT)")
    con.commit()
    con.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(LedgerError, match="not an unstuck ledger"):
        SQLLedger(f"sqlite:///{path}")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
