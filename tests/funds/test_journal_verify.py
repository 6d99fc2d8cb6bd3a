"""verify and checkpoints: the record proves it has not been altered
(funds.md, "The journal"; 崇明 2025 "锁定后台、留有痕迹").

Each tamper test drops the triggers behind the library's back with raw
sqlite3, alters the file, and checks that ``verify`` names the entry.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from buchang.funds.journal import Checkpoint, CodecError, Ledger, checkpoint, verify
from buchang.funds.journal.example import fixed_clock, funded_setup, pay

# funded_setup() is 10 entries; then payments 11 (400,000), 12 (50,000), 13 (30,000)
PAYMENTS = (pay("p1", 400_000), pay("p2", 50_000), pay("p3", 30_000, line=1))


def build(path: Path, clock: object = fixed_clock) -> Path:
    with Ledger.create(path, clock=clock) as led:  # type: ignore[arg-type]
        assert led.append_many([*funded_setup(), *PAYMENTS]).ok
    return path


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return build(tmp_path / "books.db")


def tamper(path: Path, *sql: str) -> None:
    """Drop the guards and run ``sql`` directly on the file."""
    con = sqlite3.connect(path, isolation_level=None)
    for name in ("entries_no_update", "entries_no_delete", "entries_chain"):
        con.execute(f"DROP TRIGGER {name}")
    for stmt in sql:
        con.execute(stmt)
    con.close()


def rechain(path: Path, start: int) -> None:
    """A careful forger: recompute every hash from entry ``start`` on."""
    con = sqlite3.connect(path, isolation_level=None)
    prev = con.execute("SELECT hash FROM entries WHERE seq = ?", (start - 1,)).fetchone()[0]
    for seq, body in con.execute(
        "SELECT seq, body FROM entries WHERE seq >= ? ORDER BY seq", (start,)
    ).fetchall():
        digest = hashlib.sha256(prev + body).digest()
        con.execute("UPDATE entries SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
        prev = digest
    con.close()


def test_clean_journal_verifies(journal: Path) -> None:
    report = verify(journal, deep=True)
    assert report.ok and report.first_break is None and report.problems == ()
    assert report.entries == report.head_seq == 13
    (p1,) = report.totals.projects
    # 1,200,000 in; 400,000 + 50,000 + 30,000 = 480,000 out; 1,200,000 − 480,000 = 720,000
    assert (p1.deposits_fen, p1.payments_fen, p1.balance_fen) == (1_200_000, 480_000, 720_000)
    assert dict(report.totals.entries_by_type)["payment_executed"] == 3


def test_dropped_triggers_are_reported(journal: Path) -> None:
    tamper(journal)
    report = verify(journal)
    assert not report.ok and report.first_break is None
    assert {p.code for p in report.problems} == {"SCHEMA_GUARD_MISSING"}


def test_edited_body_is_named(journal: Path) -> None:
    tamper(
        journal,
        "UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), '户主A1', '户主XX') AS BLOB) WHERE seq = 4",
    )
    brk = verify(journal).first_break
    assert brk is not None and (brk.code, brk.seq) == ("HASH_MISMATCH", 4)


def test_edited_amount_is_named(journal: Path) -> None:
    tamper(
        journal,
        "UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), '400000', '4000') AS BLOB) WHERE seq = 11",
    )
    brk = verify(journal).first_break
    assert brk is not None and (brk.code, brk.seq) == ("HASH_MISMATCH", 11)


def test_edited_amount_rehashed_is_still_named(journal: Path) -> None:
    # the forger re-chains after lowering payment 11 from 400,000 to 4,000 but leaves
    # its stated balance (800,000): 1,200,000 − 4,000 = 1,196,000 ≠ 800,000
    tamper(
        journal,
        "UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), '400000', '4000') AS BLOB) WHERE seq = 11",
    )
    rechain(journal, 11)
    brk = verify(journal).first_break
    assert brk is not None and (brk.code, brk.seq) == ("BALANCE_MISMATCH", 11)


def test_edited_event_data_rehashed_is_caught_by_deep_replay(journal: Path) -> None:
    # only the event's own amount is changed (not the booked amount) and re-chained:
    # the chain and balances agree, the replay of the event does not
    tamper(
        journal,
        "UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), '\"amount_fen\":400000', "
        "'\"amount_fen\":400001') AS BLOB) WHERE seq = 11",
    )
    rechain(journal, 11)
    assert verify(journal).first_break is None
    brk = verify(journal, deep=True).first_break
    assert brk is not None and brk.seq == 11 and brk.code == "REPLAY_MISMATCH"


def test_deleted_entry_is_named(journal: Path) -> None:
    tamper(journal, "DELETE FROM entries WHERE seq = 5")
    brk = verify(journal).first_break
    assert brk is not None and (brk.code, brk.seq) == ("SEQ_GAP", 5)


def test_deleted_entry_renumbered_is_named(journal: Path) -> None:
    tamper(journal, "DELETE FROM entries WHERE seq = 12", "UPDATE entries SET seq = 12 WHERE seq = 13")
    brk = verify(journal).first_break
    assert brk is not None and (brk.code, brk.seq) == ("PREV_HASH_MISMATCH", 12)


def test_reordered_entries_are_named(journal: Path) -> None:
    tamper(
        journal,
        "UPDATE entries SET seq = 1000 WHERE seq = 11",
        "UPDATE entries SET seq = 11 WHERE seq = 12",
        "UPDATE entries SET seq = 12 WHERE seq = 1000",
    )
    brk = verify(journal).first_break
    assert brk is not None and (brk.code, brk.seq) == ("PREV_HASH_MISMATCH", 11)


def test_truncated_tail_needs_a_checkpoint(journal: Path, tmp_path: Path) -> None:
    cp, report = checkpoint(journal)
    assert cp is not None and report.ok and cp.seq == 13
    tamper(journal, "DELETE FROM entries WHERE seq >= 12")
    assert verify(journal).first_break is None  # a clean prefix: only the checkpoint can tell
    report = verify(journal, against=cp)
    assert [(p.code, p.seq) for p in report.problems if p.seq is not None] == [("TRUNCATED", 12)]


def test_checkpoint_of_another_journal_is_detected(journal: Path, tmp_path: Path) -> None:
    # the same commands recorded at another time: a wholesale rewrite with a fresh chain
    other = build(tmp_path / "rewritten.db", clock=lambda: datetime(2026, 6, 1, tzinfo=UTC))
    cp, _ = checkpoint(journal)
    assert cp is not None
    report = verify(other, against=cp)
    codes = {(p.code, p.seq) for p in report.problems}
    assert ("CHECKPOINT_MISMATCH", 13) in codes and ("JOURNAL_ID_MISMATCH", None) in codes
    assert not report.ok


def test_fully_rechained_rewrite_is_caught_by_the_checkpoint(journal: Path) -> None:
    cp, _ = checkpoint(journal)
    assert cp is not None
    # rewrite a payee's name and re-chain everything: internally consistent
    tamper(
        journal,
        "UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), '户主A1', '户主XX') AS BLOB) WHERE seq = 4",
    )
    rechain(journal, 4)
    assert verify(journal, deep=True).first_break is None
    report = verify(journal, against=cp)
    assert ("CHECKPOINT_MISMATCH", 13) in {(p.code, p.seq) for p in report.problems}


def test_checkpoint_survives_growth_and_json(journal: Path) -> None:
    cp, _ = checkpoint(journal)
    assert cp is not None
    again = Checkpoint.from_json(cp.to_json())
    assert again == cp
    with Ledger.open(journal) as led:
        assert led.append(pay("p4", 10_000)).ok
    report = verify(journal, against=again)
    assert report.ok and report.head_seq == 14 and report.against_seq == 13


def test_forged_checkpoint_totals_are_detected(journal: Path) -> None:
    cp, _ = checkpoint(journal)
    assert cp is not None
    forged = cp.to_json().replace("720000", "720001")
    with pytest.raises(CodecError):
        Checkpoint.from_json(cp.to_json().replace('"balance_fen": 720000', '"balance_fen": 720001', 1))
    report = verify(journal, against=Checkpoint.from_json(forged))
    assert "CHECKPOINT_TOTALS_MISMATCH" in {p.code for p in report.problems}


def test_checkpoint_refused_for_a_broken_journal(journal: Path) -> None:
    tamper(journal, "DELETE FROM entries WHERE seq = 5")
    cp, report = checkpoint(journal)
    assert cp is None and not report.ok


def test_malformed_checkpoint_is_a_codec_error() -> None:
    with pytest.raises(CodecError):
        Checkpoint.from_json('{"format": "nope"}')


def test_opening_a_tampered_journal_fails_loudly(journal: Path) -> None:
    from buchang.funds.journal import JournalCorruptError

    tamper(journal, "DELETE FROM entries WHERE seq = 5")
    with pytest.raises(JournalCorruptError, match="SEQ_GAP"):
        Ledger.open(journal)
