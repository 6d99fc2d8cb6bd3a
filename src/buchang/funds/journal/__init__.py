"""The journal: the project's books as an append-only, hash-chained event store.

funds.md, "The journal": the fund-control state lives in an append-only
journal (SQLite by default — embedded, WAL, ``synchronous=FULL``, integer 分,
triggers forbidding UPDATE/DELETE; PostgreSQL later through the same
:class:`JournalStore` protocol). Each entry is hash-chained
(``hash = SHA-256(prev_hash || body)``), commands carry client-chosen ids
(idempotent), every write is checked against the fund-control invariants, and
:func:`verify` / :func:`checkpoint` prove the books unaltered (崇明 2025
"锁定后台、留有痕迹").

The pipeline in five steps:

1. build :class:`Command` s from events (:mod:`.events`);
2. :meth:`Ledger.append_many` checks them against the state (:mod:`.state`) and
   returns receipts or rejections (:mod:`.rejections`) — all or nothing;
3. accepted entries are encoded canonically (:mod:`.codec`), chained and stored
   (:mod:`.store`, :mod:`.sqlite`);
4. :meth:`Ledger.view` gives the books back as records (:mod:`.view`) for
   reconciliation;
5. :func:`verify` recomputes chain, balances and control totals, and
   :func:`checkpoint` exports a proof for later (:mod:`.verify`).
"""

from buchang.funds.journal.codec import CodecError, canonical, decode_command, encode_command
from buchang.funds.journal.events import (
    AgreementTookEffect,
    ApproveAllocation,
    Command,
    Correction,
    CreatePaymentList,
    Deposit,
    Event,
    EventType,
    ExecutePayment,
    OpenProject,
    RecordRelocation,
    RecordReview,
    RegisterAgreement,
    RevisePaymentList,
    StartProject,
)
from buchang.funds.journal.ledger import AppendResult, JournalCorruptError, Ledger, Receipt, load_view
from buchang.funds.journal.rejections import Code, Rejection
from buchang.funds.journal.sqlite import SqliteStore
from buchang.funds.journal.store import GENESIS_HASH, JournalStore, StorageError, StoredEntry
from buchang.funds.journal.verify import (
    Break,
    Checkpoint,
    ControlTotals,
    ProjectTotals,
    VerifyReport,
    checkpoint,
    make_checkpoint,
    verify,
    verify_store,
)
from buchang.funds.journal.view import JournalView

__all__ = [
    "GENESIS_HASH",
    "AgreementTookEffect",
    "AppendResult",
    "ApproveAllocation",
    "Break",
    "Checkpoint",
    "Code",
    "CodecError",
    "Command",
    "ControlTotals",
    "Correction",
    "CreatePaymentList",
    "Deposit",
    "Event",
    "EventType",
    "ExecutePayment",
    "JournalCorruptError",
    "JournalStore",
    "JournalView",
    "Ledger",
    "OpenProject",
    "ProjectTotals",
    "Receipt",
    "RecordRelocation",
    "RecordReview",
    "RegisterAgreement",
    "Rejection",
    "RevisePaymentList",
    "SqliteStore",
    "StartProject",
    "StorageError",
    "StoredEntry",
    "VerifyReport",
    "canonical",
    "checkpoint",
    "decode_command",
    "encode_command",
    "load_view",
    "make_checkpoint",
    "verify",
    "verify_store",
]
