"""The journal backend interface (a ``typing.Protocol``).

A backend keeps entries append-only and in sequence; it knows nothing of
events or invariants (that is :mod:`buchang.funds.journal.ledger`). SQLite
(:mod:`buchang.funds.journal.sqlite`) is the default; a PostgreSQL backend for
offices that share one journal implements the same protocol (funds.md, "The
journal"): ``write()`` takes an exclusive lock (``LOCK TABLE … IN EXCLUSIVE
MODE`` or an advisory lock), the derived columns are ``GENERATED ALWAYS …
STORED`` from the body, and rules/triggers refuse UPDATE and DELETE.

**The chain.** Entry *n* stores ``body`` (the exact canonical bytes, see
:mod:`buchang.funds.journal.codec`), ``prev_hash`` (the 32-byte hash of entry
*n − 1*; 32 zero bytes for entry 1) and
``hash = SHA-256(prev_hash || body)`` — the raw 32 bytes of the previous hash
followed by the body bytes. Sequence numbers start at 1 and have no gaps.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Final, Protocol

from buchang.funds.journal.rejections import Code

#: ``prev_hash`` of entry 1.
GENESIS_HASH: Final = bytes(32)


class StorageError(Exception):
    """The backend failed inside :meth:`JournalStore.write` (disk full, database
    busy or locked, an I/O error); the transaction was rolled back, nothing was
    written. The ledger turns it into a rejection with :attr:`code` (errors are
    values); the command ids may be resubmitted as they are.

    Attributes:
        code: ``Code.STORAGE_FULL``, ``Code.STORAGE_BUSY`` or ``Code.STORAGE_ERROR``.
        message: the backend's own words.
    """

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(f"[{code.value}] {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """One journal entry as stored.

    Attributes:
        seq: position in the chain, 1-based, no gaps.
        body: the exact canonical bytes hashed (the whole entry, see codec).
        prev_hash: hash of entry ``seq − 1`` (32 raw bytes).
        hash: ``SHA-256(prev_hash || body)`` (32 raw bytes).
        command_id, type, project_id, amount_fen, balance_fen, recorded_at:
            columns derived from ``body`` for lookups and totals (amounts in 分).
    """

    seq: int
    body: bytes
    prev_hash: bytes
    hash: bytes
    command_id: str
    type: str
    project_id: str
    amount_fen: int
    balance_fen: int
    recorded_at: str


#: A row as :meth:`JournalStore.scan` yields it:
#: ``(seq, body, prev_hash, hash, project_id, amount_fen, balance_fen, type)``.
ScanRow = tuple[int, bytes, bytes, bytes, str, int, int, str]


class JournalStore(Protocol):
    """Storage for an append-only, hash-chained journal."""

    def head(self) -> tuple[int, bytes]:
        """``(last seq, its hash)``; ``(0, GENESIS_HASH)`` when empty."""
        ...

    def journal_id(self) -> str:
        """A random id fixed when the journal was created."""
        ...

    def entries(self, after_seq: int = 0) -> Iterator[StoredEntry]:
        """Entries with ``seq > after_seq`` in order."""
        ...

    def hash_at(self, seq: int) -> bytes:
        """The stored hash of entry ``seq`` (``GENESIS_HASH`` for 0 or a missing entry)."""
        ...

    def by_command_ids(self, command_ids: Collection[str]) -> dict[str, StoredEntry]:
        """The stored entries of those command ids that exist."""
        ...

    def write(self) -> AbstractContextManager[None]:
        """An exclusive write transaction: commit on normal exit, roll back on error.

        A backend failure (taking the lock, reading, inserting or committing)
        rolls back and raises :class:`StorageError`; after it the store is
        usable again (no transaction left open).
        """
        ...

    def insert(self, rows: Sequence[tuple[int, bytes, bytes, bytes]]) -> None:
        """Append ``(seq, body, prev_hash, hash)`` rows; only inside :meth:`write`."""
        ...

    def scan(self, batch: int = 8192) -> Iterator[Sequence[ScanRow]]:
        """All entries in seq order, in batches, for verification."""
        ...

    def control_sums(self, upto_seq: int) -> list[tuple[str, str, int, int]]:
        """``(project_id, type, count, sum of amount_fen)`` over entries ``seq <= upto_seq``."""
        ...

    def integrity_problems(self) -> list[tuple[str, str]]:
        """Backend-level ``(code, message)`` problems: schema altered, guards missing."""
        ...

    def first_column_mismatch(self) -> int | None:
        """First seq whose derived columns disagree with its body (a slow, full check)."""
        ...

    def close(self) -> None: ...
