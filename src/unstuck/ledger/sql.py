"""The ledger store on SQLAlchemy Core: SQLite (a file, WAL mode) or PostgreSQL (a team server).

Why SQLAlchemy Core and not an ORM: the store is a handful of single-statement
writes whose ``WHERE`` clauses enforce the forward-only rules atomically
(``UPDATE ... WHERE status IN (allowed)``); one dialect-neutral table
definition serves both databases.

SQLite specifics: every transaction is ``BEGIN IMMEDIATE`` (writers queue on
the lock instead of failing on an upgrade), the journal is WAL (readers never
block the writer), and the busy timeout is 60 s, so eight processes writing at
once all succeed. Before anything touches a SQLite file it is probed
read-only, so a corrupt file raises :class:`LedgerError` and stays untouched.

The tables and the steps between schema versions are in :mod:`unstuck.ledger.schema`.
"""

from __future__ import annotations

import builtins
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from unstuck.ledger.contract import ExperimentNotFound, IllegalTransition, LedgerError, LedgerStore
from unstuck.ledger.record import (
    FINAL_STATUSES,
    VERDICTS,
    Expectation,
    Experiment,
    can_move_status,
    can_move_verdict,
)
from unstuck.ledger.schema import MIGRATIONS, SCHEMA_VERSION, tables

__all__ = ["SCHEMA_VERSION", "SQLLedger"]

_SQLITE_HEADER = b"SQLite format 3\x00"
#: How long a 0-byte ledger file may exist before it counts as lost rather than being created right now.
_EMPTY_FILE_GRACE_S = 10.0
_JSON_FIELDS = ("changed", "config", "command", "data_fingerprint", "metrics", "verdict_detail")
_LINK_KINDS = ("findings", "interventions")


def _sqlite_path(url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL (None for in-memory)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    return Path(path) if path and path != ":memory:" else None


def _probe_sqlite(path: Path) -> int | None:
    """Read, without writing, the schema version of an existing SQLite ledger (None: empty/new file).

    Raises :class:`LedgerError` when the file is not a SQLite database or not an unstuck ledger.
    """
    if not path.exists():
        return None
    if path.is_dir():
        raise LedgerError(
            f"The ledger path {path} is a folder, not a ledger file.",
            "Point --ledger (or UNSTUCK_LEDGER) at a file inside it, e.g. ledger.db.",
        )
    stat = path.stat()
    if stat.st_size == 0:
        # SQLite writes a new file's header within moments of creating it, so a 0-byte file that has stayed
        # empty longer is not another process's new ledger: it is a ledger lost (truncated) or a stray file.
        # Re-initialising it would hide the loss, so it is refused unless it is that fresh.
        if time.time() - stat.st_mtime > _EMPTY_FILE_GRACE_S:
            raise LedgerError(
                f"The ledger file {path} is empty (0 bytes): it holds no ledger, and may be one that was "
                "truncated; unstuck left it untouched rather than start a new ledger over it.",
                "Restore it from a backup, or delete the empty file to start a new ledger there "
                "(or point --ledger at another file).",
            )
        return None
    with path.open("rb") as fh:
        header = fh.read(len(_SQLITE_HEADER))
    hint = "Point --ledger (or UNSTUCK_LEDGER) at another file; this one was left untouched."
    if header != _SQLITE_HEADER:
        raise LedgerError(f"The ledger file {path} is not a SQLite database (corrupt or another kind of file).", hint)
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
        try:
            names = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "ledger_meta" not in names:
                if names:
                    raise LedgerError(f"The file {path} is a SQLite database but not an unstuck ledger.", hint)
                return None
            row = con.execute("SELECT value FROM ledger_meta WHERE key='schema_version'").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"The ledger file {path} cannot be read: {exc}.", hint) from exc
    return int(row[0]) if row else None


def _make_folder(folder: Path) -> None:
    """Create the ledger's folder, or say why it cannot be created."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise LedgerError(
            f"The ledger's folder {folder} cannot be created: a file of that name is in the way.",
            "Rename or remove that file, or point --ledger (or UNSTUCK_LEDGER) at a file elsewhere.",
        ) from None
    except OSError as exc:
        raise LedgerError(
            f"The ledger's folder {folder} cannot be created: {exc.strerror}.",
            "Run unstuck where you may write, or point --ledger (or UNSTUCK_LEDGER) at a writable place.",
        ) from None


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


class SQLLedger(LedgerStore):
    """The ledger in a SQL database reached through SQLAlchemy Core (see the module docstring)."""

    def __init__(self, url: str) -> None:
        import sqlalchemy as sa

        self.url = url
        self._t = tables()
        self._path = _sqlite_path(url)
        self.backup_path: str | None = None
        #: A SQLite ledger the user may read but not write: viewable (log, show, compare), never written.
        self.read_only = False
        found: int | None = None
        if self._path is not None:
            found = _probe_sqlite(self._path)
            if found is not None and found > SCHEMA_VERSION:
                raise self._too_new(found)
            self.read_only = self._path.exists() and not _writable(self._path)
            if self.read_only and found != SCHEMA_VERSION:
                raise LedgerError(
                    f"The ledger file {self._path} is read-only and "
                    + ("holds no ledger yet" if found is None else f"at the older schema version {found}")
                    + ", so unstuck cannot set it up.",
                    "Make the file and its folder writable once (unstuck then upgrades it), or point --ledger "
                    "(or UNSTUCK_LEDGER) at a writable file.",
                )
            if not self.read_only:
                _make_folder(self._path.parent)
        try:
            if self.read_only and self._path is not None:
                self._engine = sa.create_engine("sqlite://", creator=_read_only_connect(self._path))
                _sqlite_events(self._engine, read_only=True)
            elif url.startswith("sqlite"):
                self._engine = sa.create_engine(url, connect_args={"timeout": 60})
                _sqlite_events(self._engine)
            else:
                self._engine = sa.create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise LedgerError(
                f"The database driver for {url.split('://')[0]} is not installed ({exc.name}).",
                hint="pip install 'unstuck[postgres]' for PostgreSQL.",
            ) from exc
        except sa.exc.ArgumentError as exc:
            raise LedgerError(
                f"The ledger URL {url!r} is not valid: {exc}.", hint="Use a path or postgresql://..."
            ) from exc
        try:
            self._migrate(found)
        except sa.exc.OperationalError as exc:
            self._engine.dispose()
            raise LedgerError(
                f"The ledger at {self._safe_url()} cannot be reached: {str(exc.orig).strip().splitlines()[0]}.",
                hint="Check that the database server runs and the URL (user, password, database) is right.",
            ) from exc

    # -- schema ---------------------------------------------------------------------------------------------------

    def _safe_url(self) -> str:
        import sqlalchemy as sa

        return sa.make_url(self.url).render_as_string(hide_password=True)

    def _too_new(self, found: int) -> LedgerError:
        return LedgerError(
            f"The ledger at {self._safe_url()} has schema version {found}, newer than this unstuck knows "
            f"({SCHEMA_VERSION}); it was left untouched.",
            hint="Upgrade unstuck (pip install -U unstuck) to read it.",
        )

    def _read_version(self, conn: Any) -> int:
        import sqlalchemy as sa

        if not sa.inspect(conn).has_table("ledger_meta"):
            return 0
        meta = self._t["meta"]
        value = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
        return int(value) if value is not None else 0

    def _migrate(self, probed: int | None) -> None:
        """Bring the schema to ``SCHEMA_VERSION``, backing the ledger up first when it holds an older one."""
        import sqlalchemy as sa

        if self._path is not None and probed is not None and 0 < probed < SCHEMA_VERSION:
            self.backup_path = str(self._backup_sqlite(probed))
        with self._engine.begin() as conn:
            if self._engine.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('unstuck_ledger_schema'))"))
            version = self._read_version(conn)
            if version > SCHEMA_VERSION:
                raise self._too_new(version)
            if version == SCHEMA_VERSION:
                return
            if version > 0 and self._engine.dialect.name == "postgresql":
                self.backup_path = self._backup_tables(conn, version)
            for step in MIGRATIONS[version:]:
                step(conn, self._t)
            meta = self._t["meta"]
            if version == 0:
                conn.execute(sa.insert(meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
            else:
                conn.execute(sa.update(meta).where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION)))

    def _backup_sqlite(self, version: int) -> Path:
        """Copy the SQLite ledger (a consistent snapshot through SQLite's backup API) beside itself."""
        assert self._path is not None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        target = self._path.with_name(f"{self._path.name}.v{version}-{stamp}.bak")
        src = sqlite3.connect(f"{self._path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        if not target.exists():  # pragma: no cover - the backup API always writes the file
            shutil.copy2(self._path, target)
        return target

    def _backup_tables(self, conn: Any, version: int) -> str:
        """Copy every ledger table of a server database to ``<table>_bak_v<version>_<stamp>``."""
        import sqlalchemy as sa

        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        names = [n for n in ("ledger_meta", "experiments", "experiment_links") if sa.inspect(conn).has_table(n)]
        for name in names:
            conn.execute(sa.text(f'CREATE TABLE "{name}_bak_v{version}_{stamp}" AS SELECT * FROM "{name}"'))
        return f"tables *_bak_v{version}_{stamp}"

    def schema_version(self) -> int:
        with self._engine.connect() as conn:
            return self._read_version(conn)

    # -- rows <-> records -----------------------------------------------------------------------------------------

    def _row(self, exp: Experiment) -> dict[str, Any]:
        d = exp.to_dict()
        for key in (*_LINK_KINDS, "expectation", "id"):
            d.pop(key)
        for key in _JSON_FIELDS:
            d[key] = _dumps(d[key])
        d["dev_losses"] = _dumps(exp.dev_losses) if exp.dev_losses is not None else None
        d["expect_metric"] = exp.expectation.metric if exp.expectation else None
        d["expect_delta"] = exp.expectation.delta if exp.expectation else None
        return d

    def _record(self, row: Any, links: dict[str, list[str]] | None) -> Experiment:
        d = dict(row._mapping)
        for key in _JSON_FIELDS:
            d[key] = json.loads(d[key])
        d["dev_losses"] = json.loads(d["dev_losses"]) if d.get("dev_losses") is not None else None
        metric, delta = d.pop("expect_metric"), d.pop("expect_delta")
        d["expectation"] = Expectation(metric, float(delta)) if metric is not None and delta is not None else None
        for key in ("multi_change", "explore"):
            d[key] = bool(d[key])
        if d["git_dirty"] is not None:
            d["git_dirty"] = bool(d["git_dirty"])
        links = links or {}
        d["findings"] = sorted(links.get("findings", []))
        d["interventions"] = sorted(links.get("interventions", []))
        return Experiment(**d)

    def _links(self, conn: Any, ids: Sequence[int]) -> dict[int, dict[str, list[str]]]:
        import sqlalchemy as sa

        links = self._t["links"]
        out: dict[int, dict[str, list[str]]] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            for eid, kind, ref in conn.execute(
                sa.select(links.c.experiment_id, links.c.kind, links.c.ref).where(links.c.experiment_id.in_(chunk))
            ):
                out.setdefault(eid, {}).setdefault(kind, []).append(ref)
        return out

    # -- the interface --------------------------------------------------------------------------------------------

    def add(self, experiment: Experiment) -> int:
        import sqlalchemy as sa

        if self.read_only:
            raise LedgerError(
                f"The ledger file {self._path} is read-only: it can be viewed (unstuck log, show, compare) "
                "but no experiment can be recorded in it.",
                "Make the file and its folder writable, or record into another ledger with --ledger "
                "(or UNSTUCK_LEDGER).",
            )
        if experiment.id is not None:
            raise IllegalTransition("A new record must not carry an id; the ledger assigns it.")
        if experiment.status not in ("planned", "running"):
            raise IllegalTransition(f"A new record starts planned or running, not {experiment.status}.")
        exp = experiment if experiment.created_at else experiment.with_(created_at=time.time())
        with self._engine.begin() as conn:
            result = conn.execute(sa.insert(self._t["experiments"]).values(**self._row(exp)))
            key = result.inserted_primary_key
            assert key is not None
            new_id = int(key[0])
            rows = [
                {"experiment_id": new_id, "kind": kind, "ref": ref}
                for kind in _LINK_KINDS
                for ref in sorted(set(getattr(exp, kind)))
            ]
            if rows:
                conn.execute(sa.insert(self._t["links"]), rows)
        return new_id

    def get(self, experiment_id: int) -> Experiment:
        import sqlalchemy as sa

        exps = self._t["experiments"]
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(exps).where(exps.c.id == experiment_id)).first()
            if row is None:
                raise ExperimentNotFound(
                    f"No experiment #{experiment_id} in the ledger {self._safe_url()}.",
                    hint="`unstuck log` lists the experiments and their ids.",
                )
            return self._record(row, self._links(conn, [experiment_id]).get(experiment_id))

    def list(
        self,
        *,
        status: Sequence[str] | None = None,
        sweep_id: str | None = None,
        group_key: str | None = None,
        parent_id: int | None = None,
        since: float | None = None,
        limit: int | None = None,
        newest_first: bool = True,
    ) -> list[Experiment]:
        import sqlalchemy as sa

        exps = self._t["experiments"]
        query = sa.select(exps)
        if status:
            query = query.where(exps.c.status.in_(list(status)))
        if sweep_id is not None:
            query = query.where(exps.c.sweep_id == sweep_id)
        if group_key is not None:
            query = query.where(exps.c.group_key == group_key)
        if parent_id is not None:
            query = query.where(exps.c.parent_id == parent_id)
        if since is not None:
            query = query.where(exps.c.created_at >= since)
        query = query.order_by(exps.c.id.desc() if newest_first else exps.c.id.asc())
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
            links = self._links(conn, [r.id for r in rows])
        return [self._record(r, links.get(r.id)) for r in rows]

    def _transition_error(self, conn: Any, experiment_id: int, what: str) -> LedgerError:
        import sqlalchemy as sa

        exps = self._t["experiments"]
        row = conn.execute(sa.select(exps.c.status, exps.c.verdict).where(exps.c.id == experiment_id)).first()
        if row is None:
            return ExperimentNotFound(
                f"No experiment #{experiment_id} in the ledger.", hint="`unstuck log` lists them."
            )
        return IllegalTransition(
            f"Experiment #{experiment_id} is {row.status} (verdict {row.verdict or 'unset'}); it cannot {what}.",
            hint="Ledger records only move forward; start a new experiment instead.",
        )

    def start(self, experiment_id: int, *, started_at: float, host: str, pid: int) -> None:
        import sqlalchemy as sa

        exps = self._t["experiments"]
        with self._engine.begin() as conn:
            result = conn.execute(
                sa.update(exps)
                .where(exps.c.id == experiment_id, exps.c.status == "planned")
                .values(status="running", started_at=started_at, host=host, pid=pid)
            )
            if result.rowcount != 1:
                raise self._transition_error(conn, experiment_id, "start")

    def finish(
        self,
        experiment_id: int,
        *,
        status: str,
        ended_at: float,
        metrics: dict[str, float] | None = None,
        returncode: int | None = None,
        stderr_tail: str | None = None,
        dev_losses: Sequence[float] | None = None,
    ) -> None:
        import sqlalchemy as sa

        if status not in FINAL_STATUSES:
            raise IllegalTransition(f"finish() takes done, failed or crashed, not {status!r}.")
        allowed = [s for s in ("planned", "running") if can_move_status(s, status)]
        exps = self._t["experiments"]
        with self._engine.begin() as conn:
            result = conn.execute(
                sa.update(exps)
                .where(exps.c.id == experiment_id, exps.c.status.in_(allowed))
                .values(
                    status=status,
                    ended_at=ended_at,
                    metrics=_dumps(metrics or {}),
                    returncode=returncode,
                    stderr_tail=stderr_tail,
                    dev_losses=_dumps([float(x) for x in dev_losses]) if dev_losses is not None else None,
                )
            )
            if result.rowcount != 1:
                raise self._transition_error(conn, experiment_id, f"become {status}")

    def set_verdict(self, experiment_id: int, verdict: str, detail: dict[str, Any]) -> None:
        import sqlalchemy as sa

        if verdict not in VERDICTS:
            raise IllegalTransition(f"A verdict is one of {', '.join(VERDICTS)}, not {verdict!r}.")
        exps = self._t["experiments"]
        allowed_from = [v for v in ("inconclusive",) if can_move_verdict(v, verdict)]
        with self._engine.begin() as conn:
            result = conn.execute(
                sa.update(exps)
                .where(
                    exps.c.id == experiment_id,
                    exps.c.status.in_(list(FINAL_STATUSES)),
                    sa.or_(exps.c.verdict.is_(None), exps.c.verdict.in_(allowed_from)),
                )
                .values(verdict=verdict, verdict_detail=_dumps(detail))
            )
            if result.rowcount != 1:
                raise self._transition_error(conn, experiment_id, f"get the verdict {verdict}")

    def recover_crashed(self, host: str, is_alive: Callable[[int], bool]) -> builtins.list[int]:
        import sqlalchemy as sa

        if self.read_only:
            return []  # a writer with write access recovers them

        exps = self._t["experiments"]
        with self._engine.connect() as conn:
            rows = conn.execute(
                sa.select(exps.c.id, exps.c.pid).where(exps.c.status.in_(["planned", "running"]), exps.c.host == host)
            ).all()
        dead = [r.id for r in rows if r.pid is None or not is_alive(int(r.pid))]
        recovered = []
        now = time.time()
        for eid, pid in ((r.id, r.pid) for r in rows if r.id in dead):
            try:
                self.finish(
                    eid,
                    status="crashed",
                    ended_at=now,
                    stderr_tail=f"unstuck: the process that ran this experiment (pid {pid} on {host}) "
                    "ended before recording its outcome.",
                )
                recovered.append(eid)
            except IllegalTransition:  # another process recovered or finished it meanwhile
                continue
        return recovered

    def count(self) -> int:
        import sqlalchemy as sa

        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(self._t["experiments"])).scalar_one())

    def close(self) -> None:
        self._engine.dispose()


def _sqlite_events(engine: Any, *, read_only: bool = False) -> None:
    """WAL journal, 60 s busy timeout and ``BEGIN IMMEDIATE`` for every transaction on a SQLite engine.

    A read-only connection keeps the file's journal mode and begins deferred
    transactions (an immediate one takes a write lock, which it cannot).
    """
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 60000")
        if not read_only:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _writable(path: Path) -> bool:
    """Whether this process may write the SQLite file and create its -wal and -shm files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _read_only_connect(path: Path) -> Callable[[], sqlite3.Connection]:
    """A connection factory that opens ``path`` read-only.

    Without a -wal file beside it the database file holds every record, and
    ``immutable`` lets SQLite read it without the -shm file it could not create.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if not path.with_name(path.name + "-wal").exists():
        uri += "&immutable=1"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=60, check_same_thread=False)

    return connect
