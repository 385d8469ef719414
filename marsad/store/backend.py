"""One small adapter over SQLite and PostgreSQL so the store writes its SQL once.

The store's SQL uses ``?`` placeholders and portable types; this module rewrites placeholders
for psycopg, maps the one type that differs (``BLOB`` -> ``BYTEA``), opens transactions that
serialise writers the right way on each backend (``BEGIN IMMEDIATE`` on SQLite, row locks and an
advisory lock on PostgreSQL) and retries a transaction the server aborted for a deadlock or a
busy file, which two ``marsad run`` processes sharing one store will sometimes cause.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from marsad.extras import require

T = TypeVar("T")

_QMARK = re.compile(r"\?")
# A list of values ``x IN (?, ?, ...)`` (or ``NOT IN``), which PostgreSQL is sent as one array.
_IN_LIST = re.compile(r"\b(NOT\s+)?IN\s*\(\s*\?(?:\s*,\s*\?)*\s*\)", re.IGNORECASE)


@lru_cache(maxsize=1024)
def _pg_statement(sql: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``sql`` for psycopg, each list of values in it one array (``= ANY(%s)``), and where each
    list's values start among the parameters and how many there are.

    A list of chunked ids makes a statement of hundreds of parameters whose text changes with
    the chunk's length: psycopg parses a statement of more than 50 parameters again on every
    call, and the server plans each anew. As one array it is one statement, prepared once."""
    parts: list[str] = []
    groups: list[tuple[int, int]] = []
    pos = before = 0
    for m in _IN_LIST.finditer(sql):
        before += sql.count("?", pos, m.start())
        parts += [sql[pos : m.start()], "<> ALL(?)" if m.group(1) else "= ANY(?)"]
        groups.append((before, m.group(0).count("?")))
        before += groups[-1][1]
        pos = m.end()
    parts.append(sql[pos:])
    return _QMARK.sub("%s", "".join(parts)), tuple(groups)


def fold_case(value: Any) -> Any:
    """``value`` lower-cased letter by letter (Unicode's simple mapping), as PostgreSQL's LOWER
    does under a UTF-8 locale; SQLite's own LOWER folds ASCII only, so "ÉTAT" missed "état".

    Python's ``lower`` differs from that mapping only where it looks beyond one letter: İ becomes
    two characters and a word-final Σ becomes ς. Anything but text is SQLite's to convert."""
    if not isinstance(value, str):
        return value
    return value.replace("\u0130", "i").replace("\u03a3", "\u03c3").lower()


def placeholders(n: int) -> str:
    """``?, ?, ...`` for an ``IN (...)`` of ``n`` values (both backends take ``?``)."""
    return ", ".join("?" * n)


def chunks(items: Sequence[Any], n: int = 500) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``n``: an ``IN (...)`` stays under every backend's parameter limit."""
    for i in range(0, len(items), n):
        yield items[i : i + n]


def column_in(db: Backend, sql: str, values: Iterable[Any]) -> set[Any]:
    """The first column of ``sql`` for every value, asked in chunks: each ``{marks}`` in ``sql``
    becomes one ``IN (...)`` list and takes the chunk again."""
    out: set[Any] = set()
    for chunk in chunks(sorted(set(values))):
        query = sql.format(marks=placeholders(len(chunk)))
        out.update(r[0] for r in db.query(query, list(chunk) * sql.count("{marks}")))
    return out


class Backend:
    """What differs between the two servers, and nothing else."""

    kind: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:  # pragma: no cover
        raise NotImplementedError

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], conflict: str = ""
    ) -> None:
        """Insert many rows (``conflict``: an ``ON CONFLICT ...`` clause): a bulk write."""
        if rows:
            marks = ", ".join("?" * len(columns))
            self.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) {conflict}", rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return list(self.execute(sql, params).fetchall())

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        return self.execute(sql, params).fetchone()

    @contextmanager
    def transaction(self, lock: bool = False) -> Iterator[None]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    def retrying(self, fn: Callable[[], T], attempts: int = 8) -> T:
        """Run ``fn`` (one whole transaction) again when the server aborted it for contention."""
        for i in range(attempts):
            try:
                return fn()
            except Exception as exc:  # filtered just below
                if i == attempts - 1 or not self.is_transient(exc):
                    raise
                time.sleep(0.05 * (i + 1))
        raise AssertionError("unreachable")

    def is_transient(self, exc: Exception) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def ddl(self, sql: str) -> str:
        return sql

    def close(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SQLiteBackend(Backend):
    """A WAL-mode SQLite file: readers never block the writer, writers queue on the busy timeout."""

    kind = "sqlite"

    def __init__(self, path: str, timeout_s: float = 60.0) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are opened explicitly, so BEGIN IMMEDIATE is ours to choose.
        self.conn = sqlite3.connect(path, timeout=timeout_s, isolation_level=None, check_same_thread=False)
        self.conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
        self._wal(timeout_s)
        # NORMAL in WAL mode keeps every commit atomic and durable against a killed process;
        # only a power cut can lose the last commits, never corrupt the file.
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute("PRAGMA foreign_keys = ON")
        # The store's SQL folds case with LOWER and means Unicode's, as PostgreSQL's LOWER is.
        self.conn.create_function("lower", 1, fold_case, deterministic=True)
        self._depth = 0

    def _wal(self, timeout_s: float) -> None:
        """Switch to WAL, waiting out another process doing the same on a new file: SQLite
        answers that race with "database is locked" at once, without its busy handler."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.conn.executemany(sql, rows)

    @contextmanager
    def transaction(self, lock: bool = False) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front: two writers can then never both hold a read
        # lock and deadlock while upgrading, which plain BEGIN allows.
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    def is_transient(self, exc: Exception) -> bool:
        return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)

    def close(self) -> None:
        self.conn.close()


class PostgresBackend(Backend):
    """PostgreSQL through psycopg 3, READ COMMITTED, one connection per store."""

    kind = "postgres"
    # Any constant shared by every marsad process: serialises migrations and merges.
    ADVISORY_KEY = 0x6D617273

    def __init__(self, dsn: str) -> None:
        psycopg = require("psycopg", "pg")
        self._psycopg = psycopg
        self.conn = psycopg.connect(dsn, autocommit=True)
        # The store is read by key far more than scanned (a page of events reads the evidence of
        # their reports through an index); the default cost of a random read (4, for spinning
        # disks) made the planner scan every evidence sentence for each page of GET /events.
        self.conn.execute("SET random_page_cost = 1.1")
        self._tx_depth = 0

    def _sql(self, sql: str) -> str:
        return _QMARK.sub("%s", sql)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        statement, groups = _pg_statement(sql)
        if groups:
            values: list[Any] = []
            done = 0
            for start, n in groups:
                values += [*params[done:start], list(params[start : start + n])]
                done = start + n
            params = [*values, *params[done:]]
        return self.conn.execute(statement, params or None)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(self._sql(sql), rows)

    # Fewer rows than this go through executemany; more through COPY, the bulk path.
    COPY_ABOVE = 32

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], conflict: str = ""
    ) -> None:
        """COPY the rows in; with a conflict clause through a temporary table, so that the
        clause still applies (COPY itself has none)."""
        if len(rows) <= self.COPY_ABOVE:
            return super().insert_rows(table, columns, rows, conflict)
        cols = ", ".join(columns)
        target = table
        if conflict:
            target = f"_in_{table}"
            self.conn.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {target} AS SELECT {cols} FROM {table} WITH NO DATA"
            )
        with self.conn.cursor() as cur, cur.copy(f"COPY {target} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if conflict:
            self.conn.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {target} {conflict}")
            self.conn.execute(f"TRUNCATE {target}")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in super().query(sql, params)
        ]

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        row = super().one(sql, params)
        return None if row is None else tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)

    @contextmanager
    def transaction(self, lock: bool = False) -> Iterator[None]:
        with self.conn.transaction():
            self._tx_depth += 1
            try:
                if lock:
                    self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (self.ADVISORY_KEY,))
                yield
            finally:
                self._tx_depth -= 1

    def is_transient(self, exc: Exception) -> bool:
        errors = self._psycopg.errors
        return isinstance(exc, errors.DeadlockDetected | errors.SerializationFailure | errors.UniqueViolation)

    def ddl(self, sql: str) -> str:
        return sql.replace("BLOB", "BYTEA")

    def close(self) -> None:
        self.conn.close()


def connect(target: str) -> Backend:
    """``postgresql://...`` (or ``postgres://``) opens PostgreSQL; anything else is a SQLite path."""
    if target.startswith(("postgresql://", "postgres://")):
        return PostgresBackend(target)
    if target.startswith("sqlite:///"):
        target = target[len("sqlite:///") :]
    return SQLiteBackend(target)
