"""Ledger fixtures: a store on SQLite and on PostgreSQL, tiny training scripts.

PostgreSQL: ``UNSTUCK_TEST_POSTGRES_URL`` (set by ``.ci/run``; the same default
as ``.ci/services.sh``). Each test gets its own schema, dropped afterwards. When
no server answers, the PostgreSQL tests skip with a message, except under
``CI=true``, where they fail: CI must run them.
"""

from __future__ import annotations

import os
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_DEFAULT = "postgresql+psycopg://unstuck:unstuck@127.0.0.1:5432/unstuck_test"


def postgres_url() -> str:
    return os.environ.get("UNSTUCK_TEST_POSTGRES_URL") or PG_DEFAULT


def _pg_reachable(url: str) -> str | None:
    """None when the server answers, else why not."""
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return None


@pytest.fixture(scope="session")
def pg_base_url() -> str:
    url = postgres_url()
    why = _pg_reachable(url)
    if why is not None:
        import sqlalchemy as sa

        shown = sa.make_url(url).render_as_string(hide_password=True)
        message = f"no PostgreSQL server at {shown} ({why}); run .ci/services.sh to start one"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true: the PostgreSQL ledger tests must run, but {message}")
        pytest.skip(message)
    return url


@pytest.fixture
def pg_url(pg_base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema for one test, as a URL whose search_path points at it."""
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(pg_base_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_base_url else "?"
    yield f"{pg_base_url}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty ledger on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(ledger_url: str) -> Iterator[object]:
    from unstuck.ledger.sql import SQLLedger

    s = SQLLedger(ledger_url)
    yield s
    s.close()


TRAIN = textwrap.dedent(
    """
    import argparse, json, os, random, signal, sys
    p = argparse.ArgumentParser()
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--bs", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    if a.lr >= 9:
        print("diverged: loss is nan", file=sys.stderr)
        sys.exit(3)
    if a.lr == 7:
        os.kill(os.getpid(), signal.SIGKILL)
    random.seed(a.seed)
    print("epoch 1 done")
    print(json.dumps({"dev_error": round(0.30 - a.lr + random.gauss(0, 0.002), 6), "train_error": 0.1}))
    """
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with train.py: dev_error = 0.30 - lr + N(0, 0.002) noise per seed; lr>=9 fails, lr=7 is killed."""
    (tmp_path / "train.py").write_text(TRAIN)
    return tmp_path
