"""The ledger's tables and the steps between its schema versions (SQLAlchemy Core, any dialect).

Schema versions (``SCHEMA_VERSION``; each step in ``MIGRATIONS``):

1. ``ledger_meta`` (key/value; holds ``schema_version``) and ``experiments``.
2. ``experiment_links``: the findings and interventions of a diagnosis an
   experiment is linked to, one row per link.
3. ``experiments.dev_losses``: per-row dev losses (JSON), for the paired bootstrap verdict.

The store (:mod:`unstuck.ledger.sql`) backs a ledger up before it runs a step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["ADDED_LATER", "MIGRATIONS", "SCHEMA_VERSION", "tables"]

SCHEMA_VERSION = 3


def tables() -> dict[str, Any]:
    """The table definitions of the current schema (built lazily: SQLAlchemy imports only when a ledger opens)."""
    import sqlalchemy as sa

    md = sa.MetaData()
    meta = sa.Table(
        "ledger_meta",
        md,
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    experiments = sa.Table(
        "experiments",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("parent_id", sa.Integer, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("hypothesis", sa.Text),
        sa.Column("expect_metric", sa.String(200)),
        sa.Column("expect_delta", sa.Float),
        sa.Column("changed", sa.Text, nullable=False),
        sa.Column("multi_change", sa.Boolean, nullable=False),
        sa.Column("explore", sa.Boolean, nullable=False),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("command", sa.Text, nullable=False),
        sa.Column("cwd", sa.Text),
        sa.Column("data_fingerprint", sa.Text, nullable=False),
        sa.Column("git_commit", sa.String(64)),
        sa.Column("git_dirty", sa.Boolean),
        sa.Column("git_diff", sa.Text),
        sa.Column("seed", sa.Integer),
        sa.Column("group_key", sa.Text),
        sa.Column("sweep_id", sa.String(64)),
        sa.Column("metrics", sa.Text, nullable=False),
        sa.Column("dev_losses", sa.Text, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("returncode", sa.Integer),
        sa.Column("stderr_tail", sa.Text),
        sa.Column("verdict", sa.String(16)),
        sa.Column("verdict_detail", sa.Text, nullable=False),
        sa.Column("started_at", sa.Float),
        sa.Column("ended_at", sa.Float),
        sa.Column("host", sa.String(255)),
        sa.Column("pid", sa.Integer),
        sa.Index("ix_experiments_status", "status"),
        sa.Index("ix_experiments_group", "group_key"),
    )
    links = sa.Table(
        "experiment_links",
        md,
        sa.Column("experiment_id", sa.Integer, sa.ForeignKey("experiments.id"), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("ref", sa.String(255), primary_key=True),
    )
    return {"meta": meta, "experiments": experiments, "links": links}


def step_1(conn: Any, t: dict[str, Any]) -> None:
    import sqlalchemy as sa

    t["meta"].create(conn, checkfirst=True)
    current = t["experiments"]
    v1 = sa.Table(
        "experiments",
        sa.MetaData(),
        *[c._copy() for c in current.columns if c.name not in ADDED_LATER],
        *[sa.Index(i.name, *[c.name for c in i.columns]) for i in current.indexes],
    )
    v1.create(conn, checkfirst=True)


def step_2(conn: Any, t: dict[str, Any]) -> None:
    t["links"].create(conn, checkfirst=True)


def step_3(conn: Any, t: dict[str, Any]) -> None:
    import sqlalchemy as sa

    if "dev_losses" not in {c["name"] for c in sa.inspect(conn).get_columns("experiments")}:
        conn.execute(sa.text("ALTER TABLE experiments ADD COLUMN dev_losses TEXT"))


#: Columns of ``experiments`` that a later step adds (step 1 creates the table without them).
ADDED_LATER = frozenset({"dev_losses"})

#: ``MIGRATIONS[v - 1]`` brings a ledger from version ``v - 1`` to ``v``.
MIGRATIONS: tuple[Callable[[Any, dict[str, Any]], None], ...] = (step_1, step_2, step_3)
