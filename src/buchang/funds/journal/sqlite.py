"""The SQLite journal backend: embedded, one file, no server (funds.md, "The journal").

* ``PRAGMA journal_mode=WAL`` and ``synchronous=FULL``: a committed batch
  survives a power cut.
* ``STRICT`` tables; amounts are ``INTEGER`` 分 (fen).
* The derived columns (command id, type, project, amount, balance, recorded
  time) are ``GENERATED ALWAYS … STORED`` from the hashed body, so they cannot
  be edited apart from it.
* Triggers ``RAISE(ABORT)`` on every UPDATE and DELETE of an entry, and refuse
  an INSERT that does not extend the chain (崇明 2025 "锁定后台、留有痕迹").

``verify`` does not trust any of this: it recomputes the chain from the bytes
(:mod:`buchang.funds.journal.verify`); the schema guards only stop accidents
and casual edits, and their absence is itself reported.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Final
from urllib.parse import quote

from buchang.funds.journal.rejections import Code
from buchang.funds.journal.store import GENESIS_HASH, ScanRow, StorageError, StoredEntry

FORMAT: Final = "buchang-journal/1"


def _gen(key: str) -> str:
    return f"json_extract(CAST(body AS TEXT), '$.{key}')"


_ENTRIES_DDL: Final = (
    "CREATE TABLE entries (\n"
    "  seq INTEGER PRIMARY KEY CHECK (seq > 0),\n"
    "  body BLOB NOT NULL,\n"
    "  prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),\n"
    "  hash BLOB NOT NULL CHECK (length(hash) = 32),\n"
    f"  command_id TEXT NOT NULL GENERATED ALWAYS AS ({_gen('command_id')}) STORED,\n"
    f"  type TEXT NOT NULL GENERATED ALWAYS AS ({_gen('type')}) STORED,\n"
    f"  project_id TEXT NOT NULL GENERATED ALWAYS AS ({_gen('project_id')}) STORED,\n"
    f"  amount_fen INTEGER NOT NULL GENERATED ALWAYS AS ({_gen('amount_fen')}) STORED,\n"
    f"  balance_fen INTEGER NOT NULL GENERATED ALWAYS AS ({_gen('balance_fen')}) STORED,\n"
    f"  recorded_at TEXT NOT NULL GENERATED ALWAYS AS ({_gen('recorded_at')}) STORED\n"
    ") STRICT"
)

_GUARD_MSG: Final = "journal entries are append-only: record a correction instead (锁定后台、留有痕迹)"

#: name → DDL of every schema object; verify compares them with what is stored.
SCHEMA: Final[dict[str, str]] = {
    "entries": _ENTRIES_DDL,
    "entries_command_id": "CREATE UNIQUE INDEX entries_command_id ON entries(command_id)",
    "entries_no_update": (
        f"CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries "
        f"BEGIN SELECT RAISE(ABORT, '{_GUARD_MSG}'); END"
    ),
    "entries_no_delete": (
        f"CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries "
        f"BEGIN SELECT RAISE(ABORT, '{_GUARD_MSG}'); END"
    ),
    # prev_hash must be the hash of entry seq − 1, which must exist (32 zero bytes for
    # entry 1): with seq the primary key this also forbids gaps and out-of-order inserts
    "entries_chain": (
        "CREATE TRIGGER entries_chain BEFORE INSERT ON entries "
        "WHEN NEW.prev_hash IS NOT (CASE WHEN NEW.seq = 1 THEN zeroblob(32) "
        "ELSE (SELECT hash FROM entries WHERE seq = NEW.seq - 1) END) "
        "BEGIN SELECT RAISE(ABORT, 'an entry must extend the chain: prev_hash = hash of entry seq - 1'); END"
    ),
    "meta": "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT",
    "meta_no_update": (
        f"CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta BEGIN SELECT RAISE(ABORT, '{_GUARD_MSG}'); END"
    ),
    "meta_no_delete": (
        f"CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta BEGIN SELECT RAISE(ABORT, '{_GUARD_MSG}'); END"
    ),
}

_COLS: Final = (
    "seq, body, prev_hash, hash, command_id, type, project_id, amount_fen, balance_fen, recorded_at"
)


def _entry(row: tuple[int, bytes, bytes, bytes, str, str, str, int, int, str]) -> StoredEntry:
    return StoredEntry(*row)


_SQLITE_BUSY: Final = 5
_SQLITE_LOCKED: Final = 6
_SQLITE_FULL: Final = 13


def _storage_code(exc: sqlite3.Error) -> Code:
    """STORAGE_FULL / STORAGE_BUSY / STORAGE_ERROR from SQLite's (primary) result code."""
    primary = getattr(exc, "sqlite_errorcode", None)
    text = str(exc).lower()
    if primary is not None:
        primary &= 0xFF
    if primary == _SQLITE_FULL or (primary is None and "full" in text):
        return Code.STORAGE_FULL
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or (
        primary is None and ("locked" in text or "busy" in text)
    ):
        return Code.STORAGE_BUSY
    return Code.STORAGE_ERROR


class SqliteStore:
    """A journal in one SQLite file. Use :meth:`create` or :meth:`open`.

    The connection runs in autocommit mode; :meth:`write` brackets a batch in
    ``BEGIN IMMEDIATE`` … ``COMMIT`` so the batch is all-or-nothing and
    concurrent writers (other processes) are serialised.
    """

    def __init__(self, con: sqlite3.Connection, path: str) -> None:
        self._con = con
        self.path = path

    # --- opening --------------------------------------------------------------

    @staticmethod
    def _connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
        if readonly:
            uri = f"file:{quote(Path(path).resolve().as_posix())}?mode=ro"
            con = sqlite3.connect(uri, uri=True, isolation_level=None)
        else:
            con = sqlite3.connect(str(path), isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        return con

    @classmethod
    def create(cls, path: str | Path) -> SqliteStore:
        """Create a new, empty journal file (``FileExistsError`` if it exists)."""
        p = Path(path)
        if p.exists():
            raise FileExistsError(f"journal already exists: {p}")
        con = cls._connect(p)
        with con:
            con.execute("BEGIN IMMEDIATE")
            for ddl in SCHEMA.values():
                con.execute(ddl)
            con.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?)",
                [("format", FORMAT), ("journal_id", uuid.uuid4().hex)],
            )
        return cls(con, str(p))

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False) -> SqliteStore:
        """Open an existing journal (``FileNotFoundError`` if missing)."""
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"no journal at {p}")
        return cls(cls._connect(p, readonly=readonly), str(p))

    def close(self) -> None:
        self._con.close()

    # --- reading --------------------------------------------------------------

    def head(self) -> tuple[int, bytes]:
        row = self._con.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        return (0, GENESIS_HASH) if row is None else (int(row[0]), bytes(row[1]))

    def journal_id(self) -> str:
        row = self._con.execute("SELECT value FROM meta WHERE key = 'journal_id'").fetchone()
        return "" if row is None else str(row[0])

    def entries(self, after_seq: int = 0) -> Iterator[StoredEntry]:
        cur = self._con.execute(f"SELECT {_COLS} FROM entries WHERE seq > ? ORDER BY seq", (after_seq,))
        cur.arraysize = 4096
        while rows := cur.fetchmany():
            for row in rows:
                yield _entry(row)

    def hash_at(self, seq: int) -> bytes:
        row = self._con.execute("SELECT hash FROM entries WHERE seq = ?", (seq,)).fetchone()
        return GENESIS_HASH if row is None else bytes(row[0])

    def by_command_ids(self, command_ids: Collection[str]) -> dict[str, StoredEntry]:
        ids = list(command_ids)
        found: dict[str, StoredEntry] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._con.execute(f"SELECT {_COLS} FROM entries WHERE command_id IN ({marks})", chunk):
                e = _entry(row)
                found[e.command_id] = e
        return found

    def scan(self, batch: int = 8192) -> Iterator[Sequence[ScanRow]]:
        cur = self._con.execute(
            "SELECT seq, body, prev_hash, hash, project_id, amount_fen, balance_fen, type FROM entries ORDER BY seq"
        )
        cur.arraysize = batch
        while rows := cur.fetchmany():
            yield rows

    def control_sums(self, upto_seq: int) -> list[tuple[str, str, int, int]]:
        return [
            (str(p), str(t), int(n), int(s))
            for p, t, n, s in self._con.execute(
                "SELECT project_id, type, count(*), sum(amount_fen) FROM entries WHERE seq <= ? "
                "GROUP BY project_id, type ORDER BY project_id, type",
                (upto_seq,),
            )
        ]

    def integrity_problems(self) -> list[tuple[str, str]]:
        stored = dict(self._con.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"))
        problems: list[tuple[str, str]] = []
        for name, ddl in SCHEMA.items():
            if name not in stored:
                problems.append(("SCHEMA_GUARD_MISSING", f"schema object {name} is missing (dropped?)"))
            elif stored[name] != ddl:
                problems.append(("SCHEMA_ALTERED", f"schema object {name} differs from the library's"))
        for name in sorted(set(stored) - set(SCHEMA)):
            problems.append(("SCHEMA_EXTRA", f"unexpected schema object {name}"))
        fmt = self._con.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if fmt is None or fmt[0] != FORMAT:
            problems.append(
                ("FORMAT_UNKNOWN", f"journal format {fmt[0] if fmt else None!r}, expected {FORMAT}")
            )
        return problems

    def first_column_mismatch(self) -> int | None:
        cond = " OR ".join(
            f"{col} IS NOT {_gen(col)}"
            for col in ("command_id", "type", "project_id", "amount_fen", "balance_fen", "recorded_at")
        )
        row = self._con.execute(f"SELECT min(seq) FROM entries WHERE {cond}").fetchone()
        return None if row is None or row[0] is None else int(row[0])

    # --- writing --------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[None]:
        # A failed COMMIT (disk full while writing the WAL, an I/O error) may leave
        # the transaction open, or SQLite may already have rolled it back: roll back
        # only what is still open, so the store is usable again and the original
        # error is the one reported.
        con = self._con
        try:
            if con.in_transaction:  # left open by a ROLLBACK that itself failed: discard it
                con.execute("ROLLBACK")
            try:
                con.execute("BEGIN IMMEDIATE")
                yield
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise StorageError(_storage_code(exc), str(exc)) from exc
        except sqlite3.DatabaseError as exc:
            if type(exc) is not sqlite3.DatabaseError:  # integrity/programming errors are bugs
                raise
            raise StorageError(Code.STORAGE_ERROR, str(exc)) from exc

    def insert(self, rows: Sequence[tuple[int, bytes, bytes, bytes]]) -> None:
        if not self._con.in_transaction:
            raise RuntimeError("insert() outside write()")
        self._con.executemany("INSERT INTO entries(seq, body, prev_hash, hash) VALUES (?, ?, ?, ?)", rows)
