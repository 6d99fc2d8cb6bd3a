"""Fault injection (issue 8, item 3): disk full, database busy/locked, I/O errors
and interrupted statements, at random points of a write.

Whatever fails, every command is all-or-nothing and the failure is a value:
``append_many`` returns a rejection with a stable code (``STORAGE_FULL``,
``STORAGE_BUSY``, ``STORAGE_ERROR``) — never an exception out of the library —
the ledger's in-memory books never run ahead of what is stored, the store is
usable again straight away, and the journal verifies. Resubmitting the same
command ids afterwards writes each batch exactly once.

Faults used:

* real ``SQLITE_FULL`` (``PRAGMA max_page_count``);
* a real OS write failure while committing (``RLIMIT_FSIZE`` in a subprocess:
  the WAL cannot grow, ``disk I/O error`` at COMMIT);
* a real write lock held by another connection (``STORAGE_BUSY`` after the
  busy timeout);
* a wrapped connection raising ``database is locked`` / ``database or disk is
  full`` / ``disk I/O error`` before or *after* a random statement, COMMIT
  included (after = the commit happened but its success was never reported);
* SQLite's progress handler aborting a statement at a random VM step.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from tests.reliability.workload import (
    PER_BATCH,
    batch_commands,
    batch_of,
    expected,
    setup_commands,
)

from buchang.funds.journal import AppendResult, Code, Deposit, ExecutePayment, Ledger, SqliteStore, verify
from buchang.funds.journal import Command as JCommand

ROOT = Path(__file__).resolve().parents[2]
STORAGE_CODES = {Code.STORAGE_FULL, Code.STORAGE_BUSY, Code.STORAGE_ERROR}


def fresh_ledger(path: Path) -> Ledger:
    ledger = Ledger.create(path)
    assert ledger.append_many(setup_commands()).ok
    return ledger


def storage_failure(result: AppendResult) -> Code | None:
    """The storage code of a failed append (asserting it is one), else ``None``."""
    if result.ok:
        return None
    (rej,) = result.rejections
    assert rej.code in STORAGE_CODES, rej
    assert "nothing written" in rej.message
    return rej.code


def assert_consistent(ledger: Ledger, path: Path) -> None:
    """Stored batches are whole; the ledger's books equal a fresh replay of its head."""
    store = SqliteStore.open(path, readonly=True)
    try:
        per_batch = Counter(k for e in store.entries() if (k := batch_of(e.command_id)) is not None)
        stored_head = store.head()
    finally:
        store.close()
    assert all(n == PER_BATCH for n in per_batch.values()), per_batch
    with Ledger.open(path) as fresh:
        # the ledger may lag the store (a commit that succeeded but reported failure:
        # it catches up on its next write) but never run ahead of it
        assert ledger.head[0] <= stored_head[0]
        if ledger.head == stored_head:
            assert ledger.state.seq == fresh.state.seq
            assert ledger.state.balance == fresh.state.balance
            assert ledger.state.line_paid == fresh.state.line_paid
            assert ledger.state.txns == fresh.state.txns
    assert verify(path).ok


def finish(ledger: Ledger, path: Path, batches: int) -> None:
    entries, balance = expected(batches)
    ledger.close()
    report = verify(path, deep=True)
    assert report.ok, report.problems
    assert report.entries == entries and report.totals.balance_fen == balance


# --- disk full: real SQLITE_FULL ------------------------------------------------------------


def padded_deposits(k: int, n: int = 4) -> list[JCommand]:
    return [
        JCommand(f"pad{k}-{i}", Deposit("P1", f"T-pad{k}-{i}", 1, datetime(2025, 1, 7), reference="x" * 2000))
        for i in range(n)
    ]


def test_disk_full_is_a_value_and_all_or_nothing(tmp_path: Path, figures: Counter[str]) -> None:
    path = tmp_path / "books.db"
    ledger = fresh_ledger(path)
    con = ledger.store._con  # type: ignore[attr-defined]
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.execute(f"PRAGMA max_page_count = {pages + 12}")
    accepted, refused = 0, []
    for k in range(20):
        result = ledger.append_many(padded_deposits(k))
        code = storage_failure(result)
        if code is None:
            accepted += 1
        else:
            assert code is Code.STORAGE_FULL
            refused.append(k)
        assert_consistent(ledger, path)
    assert accepted and refused  # the disk did fill up
    figures["faults: disk full (SQLITE_FULL) injected"] += len(refused)
    # room again: the refused batches go in with their ids, once; the accepted ones replay
    con.execute("PRAGMA max_page_count = 1073741823")
    for k in range(20):
        result = ledger.append_many(padded_deposits(k))
        assert result.ok and all(r.replayed == (k not in refused) for r in result.receipts)
    assert ledger.state.balance == {"P1": 1_000_000 + 20 * 4}  # 80 deposits of 1 fen, each once
    ledger.close()
    report = verify(path, deep=True)
    assert report.ok and report.entries == 3 + 80 and report.totals.balance_fen == 1_000_080


# --- disk full while committing: a real OS write failure ---------------------------------------

_FSIZE_SCRIPT = textwrap.dedent(
    """
    import os, resource, signal, sys
    from buchang.funds.journal import Ledger
    from tests.reliability.workload import batch_commands
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    path = sys.argv[1]
    with Ledger.open(path) as ledger:
        wal = os.path.getsize(path + "-wal")
        resource.setrlimit(resource.RLIMIT_FSIZE, (wal + 40_000, resource.RLIM_INFINITY))
        for k in range(12):
            try:
                result = ledger.append_many(batch_commands(k))
            except BaseException as exc:
                print("EXCEPTION", k, repr(exc))
                raise
            codes = ",".join(r.code.value for r in result.rejections)
            print(k, "ok" if result.ok else codes, ledger.head[0], ledger.state.seq, flush=True)
    """
)


def test_write_failure_at_commit_is_a_value(tmp_path: Path, figures: Counter[str]) -> None:
    path = tmp_path / "books.db"
    fresh_ledger(path).close()
    proc = subprocess.run(
        [sys.executable, "-c", _FSIZE_SCRIPT, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    outcomes = [line.split() for line in proc.stdout.splitlines()]
    assert len(outcomes) == 12
    ok = [int(k) for k, what, _, _ in outcomes if what == "ok"]
    failed = [int(k) for k, what, _, _ in outcomes if what != "ok"]
    assert ok and failed, outcomes
    for _, _what, head, seq in outcomes:
        assert head == seq  # the books in memory never ran ahead of the stored head
    figures["faults: OS write failure (RLIMIT_FSIZE) injected"] += len(failed)
    with Ledger.open(path) as ledger:
        assert ledger.head[0] == expected(len(ok))[0]
        for k in range(12):  # resubmit everything: the failed batches once, the rest replayed
            result = ledger.append_many(batch_commands(k))
            assert result.ok and all(r.replayed == (k in ok) for r in result.receipts)
    finish(Ledger.open(path), path, 12)


# --- busy: a real lock held by another connection ---------------------------------------------


def test_locked_journal_is_a_value_then_resubmission_works(tmp_path: Path, figures: Counter[str]) -> None:
    path = tmp_path / "books.db"
    ledger = fresh_ledger(path)
    ledger.store._con.execute("PRAGMA busy_timeout = 30")  # type: ignore[attr-defined]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    result = ledger.append_many(batch_commands(0))
    assert storage_failure(result) is Code.STORAGE_BUSY
    assert_consistent(ledger, path)
    other.execute("ROLLBACK")
    other.close()
    result = ledger.append_many(batch_commands(0))
    assert result.ok and not any(r.replayed for r in result.receipts)
    figures["faults: database locked by another writer injected"] += 1
    finish(ledger, path, 1)


# --- random statements fail: a wrapped connection ----------------------------------------------

_MESSAGES = ("database is locked", "database or disk is full", "disk I/O error")


class FlakyConnection:
    """A ``sqlite3.Connection`` stand-in whose statements fail at random, before
    or after they ran (never ROLLBACK: undoing is what recovery relies on)."""

    def __init__(self, con: sqlite3.Connection, rng: random.Random, rate: float) -> None:
        self._con = con
        self._rng = rng
        self.rate = rate
        self.injected: Counter[str] = Counter()

    def _maybe_fail(self, sql: str, when: str) -> None:
        if self.rate and not sql.startswith("ROLLBACK") and self._rng.random() < self.rate:
            message = self._rng.choice(_MESSAGES)
            self.injected[f"{when} {sql.split()[0]}: {message}"] += 1
            raise sqlite3.OperationalError(message)

    def execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        self._maybe_fail(sql, "before")
        cur = self._con.execute(sql, tuple(params))
        self._maybe_fail(sql, "after")
        return cur

    def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> sqlite3.Cursor:
        self._maybe_fail(sql, "before")
        cur = self._con.executemany(sql, rows)
        self._maybe_fail(sql, "after")
        return cur

    @property
    def in_transaction(self) -> bool:
        return self._con.in_transaction

    def close(self) -> None:
        self._con.close()


def random_statement_faults(tmp_path: Path, batches: int, seed: int, figures: Counter[str]) -> None:
    path = tmp_path / "books.db"
    fresh_ledger(path).close()
    store = SqliteStore.open(path)
    flaky = FlakyConnection(store._con, random.Random(seed), rate=0.0)
    store._con = flaky  # type: ignore[assignment]
    ledger = Ledger(store)
    flaky.rate = 0.08
    failures = 0
    rng = random.Random(seed + 1)
    for k in range(batches):
        for _attempt in range(200):
            if rng.random() < 0.15:  # an invalid batch among them: refused as before, faults or not
                stray = ExecutePayment(
                    "P1", f"T-bad-{k}-{_attempt}", "NO-SUCH-LIST", 1, 5, datetime(2025, 6, 1)
                )
                bad = ledger.append_many([batch_commands(k)[0], JCommand(f"bad-{k}-{_attempt}", stray)])
                codes = {r.code for r in bad.rejections}
                assert codes == {Code.UNKNOWN_LIST} or (len(codes) == 1 and codes <= STORAGE_CODES), codes
            result = ledger.append_many(batch_commands(k))
            assert not flaky.in_transaction
            assert_consistent(ledger, path)
            if storage_failure(result) is None:
                break
            failures += 1
        else:
            pytest.fail(f"batch {k} never went in")
    flaky.rate = 0.0
    injected = sum(flaky.injected.values())
    assert failures and injected >= failures
    figures["faults: random statement failures injected"] += injected
    figures["faults: ... of which a COMMIT that happened but reported failure"] += sum(
        n for what, n in flaky.injected.items() if what.startswith("after COMMIT")
    )
    finish(ledger, path, batches)


def test_random_statement_faults(tmp_path: Path, figures: Counter[str]) -> None:
    random_statement_faults(tmp_path, batches=25, seed=1, figures=figures)


@pytest.mark.slow
def test_random_statement_faults_heavy(tmp_path: Path, figures: Counter[str]) -> None:
    for part in range(6):  # six journals of 50 batches (each check replays the whole journal)
        folder = tmp_path / f"part{part}"
        folder.mkdir()
        random_statement_faults(folder, batches=50, seed=2 + part, figures=figures)


# --- statements aborted mid-way by SQLite itself ----------------------------------------------


def test_statements_interrupted_at_random_vm_steps(tmp_path: Path, figures: Counter[str]) -> None:
    """SQLite's progress handler aborts the running statement after a random number
    of VM steps: once (like ``Connection.interrupt()``), or from then on ("sticky":
    the ROLLBACK that follows fails too and the next write must discard the
    transaction it left open)."""
    path = tmp_path / "books.db"
    ledger = fresh_ledger(path)
    con: sqlite3.Connection = ledger.store._con  # type: ignore[attr-defined]
    rng = random.Random(7)
    interrupted = left_open = 0
    for k in range(15):
        for _attempt in range(100):
            budget = [rng.randint(1, 120)]
            sticky = rng.random() < 0.3

            def tick(budget: list[int] = budget, sticky: bool = sticky) -> int:
                budget[0] -= 1
                return 1 if budget[0] == 0 or (sticky and budget[0] < 0) else 0  # non-zero aborts

            if rng.random() < 0.8:
                con.set_progress_handler(tick, rng.choice((10, 50, 200)))
            result = ledger.append_many(batch_commands(k))
            con.set_progress_handler(None, 0)
            assert sticky or not con.in_transaction
            left_open += con.in_transaction
            assert_consistent(ledger, path)
            if storage_failure(result) is None:
                break
            interrupted += 1
        else:
            pytest.fail(f"batch {k} never went in")
    assert interrupted
    figures["faults: statements interrupted mid-way injected"] += interrupted
    figures["faults: ... of which the ROLLBACK failed too (discarded by the next write)"] += left_open
    finish(ledger, path, 15)


# --- the CLI reports a full disk as a refusal --------------------------------------------------


def test_cli_append_on_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from buchang.cli.main import main
    from buchang.funds.journal import encode_command

    path = tmp_path / "books.db"
    fresh_ledger(path).close()
    cmds = tmp_path / "batch.jsonl"
    cmds.write_text(
        "\n".join(json.dumps(encode_command(c), ensure_ascii=False) for c in batch_commands(0)) + "\n",
        encoding="utf-8",
    )
    real_connect = SqliteStore._connect

    def full_connect(p: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
        con = real_connect(p, readonly=readonly)
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        con.execute(f"PRAGMA max_page_count = {pages}")
        return con

    monkeypatch.setattr(SqliteStore, "_connect", staticmethod(full_connect))
    assert main(["ledger", "append", str(path), str(cmds)]) == 1
    err = capsys.readouterr().err
    assert "[STORAGE_FULL]" in err and "nothing written" in err
    monkeypatch.undo()
    assert verify(path).entries == 3
    assert main(["ledger", "append", str(path), str(cmds)]) == 0
    assert verify(path).entries == 3 + PER_BATCH
