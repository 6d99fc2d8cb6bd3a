"""The command layer: idempotent, validated, all-or-nothing appends.

:class:`Ledger` is how the books are written (funds.md, "The journal"):

* every command carries a client-chosen id; the same id with the same body
  again is recognised and returns the original entry (``replayed=True``,
  nothing written — no double payment); the same id with another body is
  refused with ``COMMAND_ID_CONFLICT``;
* every command is checked against the invariants of
  :mod:`buchang.funds.journal.state`; a refusal is a value
  (:class:`~buchang.funds.journal.rejections.Rejection`) and writes nothing;
* :meth:`Ledger.append_many` writes a batch in one transaction: all of it or,
  if any command is refused, none of it (every refusal is reported);
* a storage failure — disk full, the database busy or locked past the busy
  timeout, an I/O error, even a failed COMMIT — is a refusal too
  (``STORAGE_FULL`` / ``STORAGE_BUSY`` / ``STORAGE_ERROR``): nothing written,
  the books in memory undone with it, and the same command ids may simply be
  resubmitted (if the commit did happen after all, they are recognised);
* accepted entries are hash-chained: ``hash = SHA-256(prev_hash || body)``
  (see :mod:`buchang.funds.journal.store` and :mod:`buchang.funds.journal.codec`).

Another process may append between two calls; each write first catches up
with the entries it has not seen, under the write lock.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Final, Self

from buchang.funds.journal.codec import JsonObject, canonical, encode_event, entry_body
from buchang.funds.journal.events import Command
from buchang.funds.journal.rejections import Code, Rejection
from buchang.funds.journal.replay import replay_entry
from buchang.funds.journal.sqlite import SqliteStore
from buchang.funds.journal.state import State
from buchang.funds.journal.store import GENESIS_HASH, JournalStore, StorageError, StoredEntry
from buchang.funds.journal.view import JournalView, view_of

#: A command id: 1–128 characters, none of them a quote, backslash or control character.
COMMAND_ID_RE: Final = re.compile(r'[^"\\\x00-\x1f\x7f]{1,128}')


class JournalCorruptError(RuntimeError):
    """The stored entries cannot be replayed; run ``verify`` to locate the break."""


@dataclass(frozen=True, slots=True)
class Receipt:
    """An accepted command's entry.

    Attributes:
        entry: the stored entry.
        replayed: True when the command id was already recorded with this very
            body: the original entry is returned and nothing was written.
    """

    entry: StoredEntry
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What an append did: receipts for every command (in order) when accepted,
    or the rejections (and nothing written)."""

    receipts: tuple[Receipt, ...] = ()
    rejections: tuple[Rejection, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.rejections

    @property
    def entries(self) -> tuple[StoredEntry, ...]:
        return tuple(r.entry for r in self.receipts)


def _identity(event_type: str, data: JsonObject) -> bytes:
    return canonical({"data": data, "type": event_type})


def _stored_identity(entry: StoredEntry) -> bytes:
    env = json.loads(entry.body)
    return _identity(env["type"], env["data"])


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Ledger:
    """Write and read a project's books through a :class:`JournalStore`.

    Use :meth:`create` / :meth:`open` for a SQLite file, or pass any store.
    ``clock`` gives the recorded time of entries (UTC; injectable for tests).
    """

    def __init__(self, store: JournalStore, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self._store = store
        self._clock = clock
        self._state = State()
        self._head: tuple[int, bytes] = (0, GENESIS_HASH)
        self._catch_up()

    @classmethod
    def create(cls, path: str | Path, *, clock: Callable[[], datetime] = _utc_now) -> Ledger:
        """A new journal file at ``path``."""
        return cls(SqliteStore.create(path), clock=clock)

    @classmethod
    def open(cls, path: str | Path, *, clock: Callable[[], datetime] = _utc_now) -> Ledger:
        """An existing journal file (replays it; ``JournalCorruptError`` if it cannot)."""
        return cls(SqliteStore.open(path), clock=clock)

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def store(self) -> JournalStore:
        return self._store

    @property
    def state(self) -> State:
        """The current state (read it, never change it)."""
        return self._state

    @property
    def head(self) -> tuple[int, bytes]:
        """``(seq, hash)`` of the last entry this ledger knows."""
        return self._head

    def view(self) -> JournalView:
        """The books as records (projects, agreements, lists, reviews, transactions …)."""
        return view_of(self._state)

    # --- replay ---------------------------------------------------------------

    def _catch_up(self) -> None:
        state = self._state
        for e in self._store.entries(after_seq=state.seq):
            problem = replay_entry(state, e)
            if problem is not None:
                raise JournalCorruptError(f"[{problem[0]}] {problem[1]}; run verify")
            self._head = (e.seq, e.hash)
            if e.seq % 8192 == 0:
                state.commit()  # keep the undo log short while replaying a long journal
        state.commit()

    # --- writing --------------------------------------------------------------

    def append(self, command: Command) -> AppendResult:
        """Append one command (see :meth:`append_many`)."""
        return self.append_many((command,))

    def append_many(self, commands: Iterable[Command]) -> AppendResult:
        """Append commands in one transaction: all accepted, or nothing written.

        Returns one receipt per command (replays included) or every rejection.
        """
        cmds = list(commands)
        if not cmds:
            return AppendResult()
        store, state = self._store, self._state
        # The mark is taken after catching up; whatever fails after it — the build,
        # the insert or the COMMIT itself — undoes the batch in memory too, so the
        # state never runs ahead of what is stored.
        mark: tuple[int, int] | None = None
        try:
            with store.write():
                if store.head() != self._head:
                    self._catch_up()
                    if store.head() != self._head:
                        raise JournalCorruptError(
                            "the stored head is not the one replayed (truncated?); run verify"
                        )
                known = store.by_command_ids({c.command_id for c in cmds})
                mark = state.mark()
                result, rows = self._build(cmds, known)
                if not result.ok:
                    state.rollback(mark)
                    return result
                if rows:
                    store.insert(rows)
        except StorageError as exc:
            if mark is not None:
                state.rollback(mark)
            message = (
                f"存储失败，未写入任何记录，可用原命令编号重新提交 / storage failed, nothing written; "
                f"resubmit with the same command ids ({exc.message})"
            )
            return AppendResult(rejections=(Rejection(exc.code, message, cmds[0].command_id, 0),))
        except BaseException:
            if mark is not None:
                state.rollback(mark)
            raise
        state.commit()
        if rows:
            self._head = (rows[-1][0], rows[-1][3])
        return result

    def _build(
        self, cmds: list[Command], known: dict[str, StoredEntry]
    ) -> tuple[AppendResult, list[tuple[int, bytes, bytes, bytes]]]:
        state = self._state
        recorded_at = self._clock().isoformat(timespec="microseconds")
        seq, prev = self._head
        sha256 = hashlib.sha256
        rows: list[tuple[int, bytes, bytes, bytes]] = []
        receipts: list[Receipt] = []
        rejections: list[Rejection] = []
        pending: dict[str, tuple[StoredEntry, str, JsonObject]] = {}
        for i, cmd in enumerate(cmds):
            cid = cmd.command_id
            if not COMMAND_ID_RE.fullmatch(cid):
                rejections.append(
                    Rejection(
                        Code.INVALID_ID,
                        "命令编号须为1–128个字符，不含引号、反斜杠、控制字符 / bad command id",
                        cid,
                        i,
                    )
                )
                continue
            etype = cmd.event.type.value
            try:
                data = encode_event(cmd.event)
            except (ValueError, AttributeError, TypeError) as exc:
                rejections.append(
                    Rejection(Code.MALFORMED_COMMAND, f"无法编码 / cannot encode: {exc}", cid, i)
                )
                continue
            prior: tuple[StoredEntry, bytes] | None = None
            if cid in pending:
                p_entry, p_type, p_data = pending[cid]
                prior = (p_entry, _identity(p_type, p_data))
            elif cid in known:
                prior = (known[cid], _stored_identity(known[cid]))
            if prior is not None:
                if prior[1] == _identity(etype, data):
                    receipts.append(Receipt(prior[0], replayed=True))
                else:
                    rejections.append(
                        Rejection(
                            Code.COMMAND_ID_CONFLICT,
                            f"命令编号{cid}已用于第{prior[0].seq}条且内容不同 / id already used with another body",
                            cid,
                            i,
                        )
                    )
                continue
            outcome = state.step(cmd.event)
            if isinstance(outcome, Rejection):
                rejections.append(dataclasses.replace(outcome, command_id=cid, index=i))
                continue
            pid, delta = outcome
            balance = state.balance.get(pid, 0)
            body = entry_body(
                command_id=cid,
                event_type=etype,
                data=data,
                project_id=pid,
                amount_fen=delta,
                balance_fen=balance,
                recorded_at=recorded_at,
            )
            seq += 1
            digest = sha256(prev + body).digest()
            rows.append((seq, body, prev, digest))
            entry = StoredEntry(seq, body, prev, digest, cid, etype, pid, delta, balance, recorded_at)
            receipts.append(Receipt(entry))
            pending[cid] = (entry, etype, data)
            prev = digest
        if rejections:
            return AppendResult(rejections=tuple(rejections)), []
        return AppendResult(receipts=tuple(receipts)), rows


def load_view(path: str | Path) -> JournalView:
    """The books of the journal file at ``path`` as records (for reconciliation)."""
    with Ledger.open(path) as ledger:
        return ledger.view()
