"""The journal: storage, chain, idempotency, batches, corrections, records view
(funds.md, "The journal")."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from buchang.funds.journal import (
    GENESIS_HASH,
    Code,
    Command,
    Correction,
    Ledger,
    RecordRelocation,
    SqliteStore,
    canonical,
    load_view,
    verify,
)
from buchang.funds.journal.example import (
    ACCOUNT,
    PAY_AT,
    agreement,
    deposit,
    fixed_clock,
    funded_setup,
    make_list,
    open_project,
    pay,
    register,
)
from buchang.funds.records import Direction, RelocationEvent


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    led = Ledger.create(tmp_path / "books.db", clock=fixed_clock)
    assert led.append_many(funded_setup()).ok
    return led


def count_rows(path: str | Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM entries").fetchone()[0])
    finally:
        con.close()


# --- storage ------------------------------------------------------------------


def test_new_journal_is_wal_strict_and_guarded(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    Ledger.create(path).close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    ddl = con.execute("SELECT sql FROM sqlite_master WHERE name = 'entries'").fetchone()[0]
    assert ddl.endswith("STRICT") and "amount_fen INTEGER" in ddl
    triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"entries_no_update", "entries_no_delete", "entries_chain"} <= triggers
    store = SqliteStore.open(path)
    assert store._con.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.integrity_problems() == []
    store.close()


def test_create_refuses_existing_file(tmp_path: Path) -> None:
    Ledger.create(tmp_path / "j.db").close()
    with pytest.raises(FileExistsError):
        Ledger.create(tmp_path / "j.db")


def test_raw_update_and_delete_fail(ledger: Ledger, tmp_path: Path) -> None:
    ledger.close()
    con = sqlite3.connect(tmp_path / "books.db")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE entries SET prev_hash = prev_hash WHERE seq = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM entries WHERE seq = 2")
    with pytest.raises(sqlite3.OperationalError, match="generated column"):
        con.execute("UPDATE entries SET amount_fen = 1 WHERE seq = 2")
    # an insert that does not extend the chain is refused too
    row = con.execute("SELECT body, hash FROM entries WHERE seq = 2").fetchone()
    with pytest.raises(sqlite3.IntegrityError, match="extend the chain"):
        con.execute(
            "INSERT INTO entries(seq, body, prev_hash, hash) VALUES (99, ?, ?, ?)", (row[0], row[1], row[1])
        )
    con.close()
    assert count_rows(tmp_path / "books.db") == 10


def test_chain_is_sha256_of_prev_hash_and_exact_body(ledger: Ledger) -> None:
    entries = list(ledger.store.entries())
    assert [e.seq for e in entries] == list(range(1, 11))
    prev = GENESIS_HASH
    for e in entries:
        assert e.prev_hash == prev
        assert e.hash == hashlib.sha256(prev + e.body).digest()
        env = json.loads(e.body)
        assert canonical(env) == e.body  # the stored bytes are canonical JSON
        assert (env["command_id"], env["type"], env["project_id"]) == (e.command_id, e.type, e.project_id)
        assert (env["amount_fen"], env["balance_fen"]) == (e.amount_fen, e.balance_fen)
        prev = e.hash


def test_list_entry_stores_the_list_digest(ledger: Ledger) -> None:
    entry = next(e for e in ledger.store.entries() if e.type == "payment_list_created")
    assert json.loads(entry.body)["data"]["list"]["digest"] == make_list().digest


# --- balances -------------------------------------------------------------------


def test_balances_after_payments_and_reversal(ledger: Ledger) -> None:
    r1 = ledger.append(pay("p1", 400_000))
    r2 = ledger.append(pay("p2", 100_000))
    # 1,200,000 deposited − 400,000 − 100,000 = 700,000
    assert [e.balance_fen for e in (*r1.entries, *r2.entries)] == [800_000, 700_000]
    rev = ledger.append(Command("fix-p2", Correction(r2.entries[0].seq, "重复支付 / paid twice")))
    # the reversal puts 100,000 back: 700,000 + 100,000 = 800,000
    assert rev.ok and rev.entries[0].amount_fen == 100_000 and rev.entries[0].balance_fen == 800_000
    assert ledger.state.line_paid[("L1", 1)] == 400_000
    report = verify(ledger.store.path)  # type: ignore[attr-defined]
    assert report.ok
    (p1,) = report.totals.projects
    # deposits 1,200,000; payments 500,000; corrections +100,000 → 800,000
    assert (p1.deposits_fen, p1.payments_fen, p1.corrections_fen, p1.balance_fen) == (
        1_200_000,
        500_000,
        100_000,
        800_000,
    )


# --- idempotency and batches ---------------------------------------------------


def test_same_id_same_body_returns_original(ledger: Ledger) -> None:
    first = ledger.append(pay("p1", 400_000))
    again = ledger.append(pay("p1", 400_000))
    assert again.ok and again.receipts[0].replayed
    assert again.entries[0] == first.entries[0]
    assert ledger.head[0] == 11 and ledger.state.balance["P1"] == 800_000


def test_same_id_other_body_is_conflict(ledger: Ledger) -> None:
    ledger.append(pay("p1", 400_000))
    res = ledger.append(pay("p1", 400_001))
    assert [r.code for r in res.rejections] == [Code.COMMAND_ID_CONFLICT]
    assert ledger.head[0] == 11


def test_duplicate_inside_one_batch(ledger: Ledger) -> None:
    res = ledger.append_many([pay("p1", 100_000), pay("p1", 100_000)])
    assert res.ok and [r.replayed for r in res.receipts] == [False, True]
    assert ledger.head[0] == 11
    res = ledger.append_many([pay("p2", 100_000), pay("p2", 200_000)])
    assert [r.code for r in res.rejections] == [Code.COMMAND_ID_CONFLICT]


def test_batch_is_all_or_nothing(ledger: Ledger, tmp_path: Path) -> None:
    before = ledger.head
    res = ledger.append_many([pay("p1", 100_000), pay("p2", 500_000), pay("p3", 1, line=9)])
    # p2 overpays line 1 after p1 (100,000 + 500,000 > 500,000); p3 names no line: both reported
    assert [(r.index, r.code) for r in res.rejections] == [(1, Code.LINE_OVERPAID), (2, Code.UNKNOWN_LINE)]
    assert ledger.head == before and count_rows(tmp_path / "books.db") == 10
    assert ledger.state.balance["P1"] == 1_200_000 and ("L1", 1) not in ledger.state.line_paid
    assert ledger.append(pay("p1", 100_000)).ok  # the state was rolled back too


def test_bad_command_id_is_refused(ledger: Ledger) -> None:
    for bad in ('bad"id', "", "x" * 129, "tab\there"):
        res = ledger.append(Command(bad, open_project("P9", account="9").event))
        assert [r.code for r in res.rejections] == [Code.INVALID_ID]
    assert ledger.head[0] == 10


def test_two_writers_on_one_file_catch_up(ledger: Ledger, tmp_path: Path) -> None:
    other = Ledger.open(tmp_path / "books.db", clock=fixed_clock)
    assert other.append(pay("p1", 400_000)).ok
    # the first ledger has not seen p1; it catches up under the write lock
    res = ledger.append(pay("p2", 100_000))
    # 1,200,000 − 400,000 (p1, by the other writer) − 100,000 = 700,000
    assert res.ok and res.entries[0].seq == 12 and res.entries[0].balance_fen == 700_000
    assert ledger.append(pay("p1", 400_000)).receipts[0].replayed
    other.close()


def test_reopen_replays_state(ledger: Ledger, tmp_path: Path) -> None:
    ledger.append(pay("p1", 400_000))
    ledger.close()
    with Ledger.open(tmp_path / "books.db") as again:
        assert again.head[0] == 11 and again.state.balance["P1"] == 800_000
        assert again.append(pay("p1", 400_000)).receipts[0].replayed


# --- corrections -----------------------------------------------------------------


def test_correction_rules(ledger: Ledger) -> None:
    paid = ledger.append(pay("p1", 400_000)).entries[0].seq
    assert ledger.append(Command("c1", Correction(paid, "错付"))).ok
    assert (
        ledger.append(Command("c2", Correction(paid, "again"))).rejections[0].code == Code.ALREADY_CORRECTED
    )
    assert (
        ledger.append(Command("c3", Correction(1, "x"))).rejections[0].code == Code.CORRECTION_NOT_SUPPORTED
    )
    assert ledger.append(Command("c4", Correction(999, "x"))).rejections[0].code == Code.UNKNOWN_ENTRY


def test_reversing_a_deposit_cannot_overdraw(ledger: Ledger) -> None:
    ledger.append(pay("p1", 500_000))
    # deposit of 1,200,000 reversed would leave 700,000 − 1,200,000 < 0
    res = ledger.append(Command("c1", Correction(2, "退回")))
    assert res.rejections[0].code == Code.ACCOUNT_OVERDRAWN


def test_reversed_review_no_longer_approves(ledger: Ledger) -> None:
    review_seq = next(e.seq for e in ledger.store.entries() if e.type == "review_recorded")
    assert ledger.append(Command("undo-review", Correction(review_seq, "审核人错误"))).ok
    assert ledger.append(pay("p1", 1)).rejections[0].code == Code.LIST_NOT_APPROVED


# --- the records view ---------------------------------------------------------------


def test_view_gives_records_for_reconciliation(ledger: Ledger) -> None:
    ledger.append(pay("p1", 400_000))
    bad = ledger.append(pay("p2", 50_000)).entries[0].seq
    ledger.append(Command("fix", Correction(bad, "错付")))
    ledger.append(Command("move-1", RecordRelocation("P1", RelocationEvent("户A1", date(2025, 3, 5)))))
    view = ledger.view()
    (project,) = view.projects
    assert project.account == ACCOUNT and project.start_date == date(2025, 1, 20)
    assert {a.agreement_no: a.effective_date for a in view.agreements} == {
        "A1": date(2025, 1, 10),
        "A2": None,
    }
    assert view.lists == (make_list(),) and len(view.reviews) == 4
    out = [t for t in view.transactions if t.direction is Direction.OUT]
    assert [(t.txn_id, t.amount_fen, t.counterparty_account, t.at) for t in out] == [
        ("T-p1", 400_000, "6222A1", PAY_AT)
    ]
    assert [t.txn_id for t in view.booked_transactions] == ["T-dep-1", "T-p1", "T-p2", f"T-p2#R{bad + 1}"]
    assert dict(view.balances_fen) == {"P1": 800_000}
    assert view.relocations == (RelocationEvent("户A1", date(2025, 3, 5)),)
    ledger.close()
    assert load_view(ledger.store.path) == view  # type: ignore[attr-defined]


def test_agreement_registered_with_effective_date_can_be_paid(tmp_path: Path) -> None:
    with Ledger.create(tmp_path / "x.db") as led:
        assert led.append_many(funded_setup()).ok
        assert led.append(register(agreement("A9", 1, date(2025, 1, 10)))).ok
        assert led.append(deposit("dep-2", 5, txn="T-9")).entries[0].balance_fen == 1_200_005
        assert datetime(2025, 1, 1) < PAY_AT


def test_reconciliation_runs_on_the_journal(ledger: Ledger) -> None:
    """The books the journal keeps reconcile cleanly (funds.md, "Reconciliation")."""
    engine = pytest.importorskip("buchang.funds.reconcile.engine")
    assert ledger.append(pay("p1", 500_000)).ok
    view = ledger.view()
    report = engine.reconcile(
        view.projects,
        view.agreements,
        view.lists,
        view.reviews,
        view.transactions,
        view.allocations,
        view.relocations,
        as_of=date(2025, 3, 31),
    )
    assert [f.code for f in report.findings] == []
