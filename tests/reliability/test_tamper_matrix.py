"""The tampering matrix (issue 8, item 5): every way of altering the books behind
the library's back is detected, naming the entry (or the reason).

The journal under attack: the example project's 10 set-up entries, then
payments 11 (400,000), 12 (50,000) and 13 (30,000) — balance 720,000 fen. A
checkpoint is exported before every attack. The forger here is careful: after
editing with raw SQL they **restore the guard triggers exactly**, so a missing
guard never gives them away — the chain, the balances, the replayed
invariants (``deep``) or the checkpoint must.

Then the verifier itself is attacked: corrupted checkpoints (malformed JSON,
floats and booleans for integers, wrong seq, wrong head hash, wrong totals, a
checkpoint of another journal) are refused as malformed or reported, never
trusted.

The number of cases detected is printed in the run's "journal reliability
figures".
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from buchang.cli.main import main
from buchang.funds.journal import Checkpoint, CodecError, Ledger, canonical, checkpoint, verify
from buchang.funds.journal.example import fixed_clock, funded_setup, pay
from buchang.funds.journal.sqlite import SCHEMA

PAYMENTS = (pay("p1", 400_000), pay("p2", 50_000), pay("p3", 30_000))
GUARDS = ("entries_no_update", "entries_no_delete", "entries_chain", "meta_no_update", "meta_no_delete")


def build(path: Path, clock: Callable[[], datetime] = fixed_clock) -> Path:
    with Ledger.create(path, clock=clock) as led:
        assert led.append_many([*funded_setup(), *PAYMENTS]).ok
    return path


# --- the forger's tools ------------------------------------------------------------------------


def forge(path: Path, *edits: Callable[[sqlite3.Connection], None], restore: bool = True) -> None:
    """Drop the guards, apply ``edits``, put the guards back exactly as they were."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous = OFF")  # the forger is in no hurry to be durable
    try:
        con.execute("BEGIN")
        for name in GUARDS:
            con.execute(f"DROP TRIGGER IF EXISTS {name}")
        for edit in edits:
            edit(con)
        if restore:
            for name in GUARDS:
                con.execute(SCHEMA[name])
        con.execute("COMMIT")
    finally:
        con.close()


def sql(*statements: str) -> Callable[[sqlite3.Connection], None]:
    def run(con: sqlite3.Connection) -> None:
        for stmt in statements:
            con.execute(stmt)

    return run


def body(con: sqlite3.Connection, seq: int) -> dict[str, Any]:
    return json.loads(con.execute("SELECT body FROM entries WHERE seq = ?", (seq,)).fetchone()[0])  # type: ignore[no-any-return]


def set_body(con: sqlite3.Connection, seq: int, env: dict[str, Any]) -> None:
    con.execute("UPDATE entries SET body = ? WHERE seq = ?", (canonical(env), seq))


def edit_body(seq: int, change: Callable[[dict[str, Any]], None]) -> Callable[[sqlite3.Connection], None]:
    def run(con: sqlite3.Connection) -> None:
        env = body(con, seq)
        change(env)
        set_body(con, seq, env)

    return run


def rechain(start: int = 1) -> Callable[[sqlite3.Connection], None]:
    """Recompute every prev_hash and hash from entry ``start`` on."""

    def run(con: sqlite3.Connection) -> None:
        row = con.execute("SELECT hash FROM entries WHERE seq = ?", (start - 1,)).fetchone()
        prev = bytes(32) if row is None else row[0]
        rows = con.execute("SELECT seq, body FROM entries WHERE seq >= ? ORDER BY seq", (start,)).fetchall()
        for seq, raw in rows:
            digest = hashlib.sha256(prev + raw).digest()
            con.execute("UPDATE entries SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
            prev = digest

    return run


def delete_renumber(seq: int) -> Callable[[sqlite3.Connection], None]:
    return sql(
        f"DELETE FROM entries WHERE seq = {seq}",
        f"UPDATE entries SET seq = seq + 1000 WHERE seq > {seq}",
        "UPDATE entries SET seq = seq - 1001 WHERE seq > 1000",
    )


def swap(a: int, b: int) -> Callable[[sqlite3.Connection], None]:
    return sql(
        f"UPDATE entries SET seq = 100000 WHERE seq = {a}",
        f"UPDATE entries SET seq = {a} WHERE seq = {b}",
        f"UPDATE entries SET seq = {b} WHERE seq = 100000",
    )


def move(src: int, dst: int) -> Callable[[sqlite3.Connection], None]:
    """Move entry ``src`` to position ``dst < src``, shifting the ones between down."""
    return sql(
        f"UPDATE entries SET seq = 100000 WHERE seq = {src}",
        f"UPDATE entries SET seq = seq + 1000 WHERE seq >= {dst} AND seq < {src}",
        "UPDATE entries SET seq = seq - 999 WHERE seq >= 1000 AND seq < 100000",
        f"UPDATE entries SET seq = {dst} WHERE seq = 100000",
    )


def restate_balances(from_seq: int) -> Callable[[sqlite3.Connection], None]:
    """Make every stated balance from ``from_seq`` on agree with the booked amounts."""

    def run(con: sqlite3.Connection) -> None:
        running = 0
        for seq, raw in con.execute("SELECT seq, body FROM entries ORDER BY seq").fetchall():
            env = json.loads(raw)
            running += env["amount_fen"]
            if seq >= from_seq and env["balance_fen"] != running:
                env["balance_fen"] = running
                set_body(con, seq, env)

    return run


def payment_amount(seq: int, amount: int, *, booked: bool) -> Callable[[sqlite3.Connection], None]:
    def change(env: dict[str, Any]) -> None:
        env["data"]["amount_fen"] = amount
        if booked:
            env["amount_fen"] = -amount

    return edit_body(seq, change)


def append_copy(seq: int, command_id: str) -> Callable[[sqlite3.Connection], None]:
    """Append a copy of entry ``seq`` under another command id, properly chained."""

    def run(con: sqlite3.Connection) -> None:
        env = body(con, seq)
        env["command_id"] = command_id
        head, prev = con.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        raw = canonical(env)
        con.execute(
            "INSERT INTO entries(seq, body, prev_hash, hash) VALUES (?, ?, ?, ?)",
            (head + 1, raw, prev, hashlib.sha256(prev + raw).digest()),
        )

    return run


def insert_copy(seq: int, at: int, command_id: str) -> Callable[[sqlite3.Connection], None]:
    """Insert a copy of entry ``seq`` at position ``at``, chained to the entry before it."""

    def run(con: sqlite3.Connection) -> None:
        env = body(con, seq)
        env["command_id"] = command_id
        raw = canonical(env)
        prev = con.execute("SELECT hash FROM entries WHERE seq = ?", (at - 1,)).fetchone()[0]
        con.execute(f"UPDATE entries SET seq = seq + 1000 WHERE seq >= {at}")
        con.execute("UPDATE entries SET seq = seq - 999 WHERE seq >= 1000")
        con.execute(
            "INSERT INTO entries(seq, body, prev_hash, hash) VALUES (?, ?, ?, ?)",
            (at, raw, prev, hashlib.sha256(prev + raw).digest()),
        )

    return run


def plain_columns_with(seq: int, amount: int) -> Callable[[sqlite3.Connection], None]:
    """Replace the table by one with ordinary (editable) derived columns and edit one."""
    return sql(
        "CREATE TABLE forged AS SELECT * FROM entries",
        f"UPDATE forged SET amount_fen = {amount} WHERE seq = {seq}",
        "DROP TABLE entries",
        "ALTER TABLE forged RENAME TO entries",
        SCHEMA["entries_command_id"],
    )


def replace_file(other: Callable[[Path], Path], *, keep_id: bool) -> Callable[[Path], None]:
    """Replace the journal by another file (a wholesale rewrite)."""

    def run(path: Path) -> None:
        journal_id = (
            sqlite3.connect(path).execute("SELECT value FROM meta WHERE key='journal_id'").fetchone()[0]
        )
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        other(path)
        if keep_id:
            forge(path, sql(f"UPDATE meta SET value = '{journal_id}' WHERE key = 'journal_id'"))

    return run


def later_clock() -> datetime:
    return datetime(2026, 6, 1, tzinfo=UTC)


def fork(path: Path) -> None:
    """Cut the last two entries and record two different payments in their place."""
    forge(path, sql("DELETE FROM entries WHERE seq >= 12"))
    with Ledger.open(path, clock=fixed_clock) as led:
        assert led.append_many([pay("q2", 50_000), pay("q3", 30_001)]).ok


def rewrite_bytes(how: str) -> Callable[[Path], None]:
    def run(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if how == "half" else b"not a database at all " * 100)

    return run


def other_database(path: Path) -> None:
    path.unlink()
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.close()


# --- the matrix --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """An attack and what verify must say.

    ``expect``: ``(code, seq)`` pairs that must be among the problems, the first
    being the first break when it names an entry. ``deep`` / ``against``: verify
    with the invariants replayed / against the checkpoint exported before.
    ``hidden``: a plain verify (no deep, no checkpoint) cannot see it — documented
    so the README can say which proof catches what.
    """

    attack: Callable[[Path], None]
    expect: tuple[tuple[str, int | None], ...]
    deep: bool = False
    against: bool = False
    hidden: bool = False


def forged(*edits: Callable[[sqlite3.Connection], None], restore: bool = True) -> Callable[[Path], None]:
    return lambda path: forge(path, *edits, restore=restore)


def _name_to_preparer(env: dict[str, Any]) -> None:
    env["data"]["reviewer_id"] = "prep"


def _payee(env: dict[str, Any]) -> None:
    env["data"]["agreement"]["payee_name"] = "户主XX"


CASES: dict[str, Case] = {
    # edits
    "edit: body text (payee name)": Case(forged(edit_body(4, _payee)), (("HASH_MISMATCH", 4),)),
    "edit: payment amount": Case(forged(payment_amount(11, 4_000, booked=True)), (("HASH_MISMATCH", 11),)),
    "edit: payment amount, re-chained": Case(
        forged(payment_amount(11, 4_000, booked=True), rechain(11)), (("BALANCE_MISMATCH", 11),)
    ),
    "edit: payment amount, balances restated, re-chained": Case(
        forged(payment_amount(11, 4_000, booked=True), restate_balances(11), rechain(11)),
        (("CHECKPOINT_MISMATCH", 13),),
        against=True,
        hidden=True,
    ),
    "edit: event amount only, re-chained (deep replay)": Case(
        forged(payment_amount(11, 400_001, booked=False), rechain(11)),
        (("REPLAY_MISMATCH", 11),),
        deep=True,
        hidden=True,
    ),
    "edit: reviewer made the preparer, re-chained (deep replay)": Case(
        forged(edit_body(7, _name_to_preparer), rechain(7)),
        (("REPLAY_REJECTED", 11),),
        deep=True,
        hidden=True,
    ),
    "edit: stored hash": Case(
        forged(sql("UPDATE entries SET hash = zeroblob(32) WHERE seq = 7")), (("HASH_MISMATCH", 7),)
    ),
    "edit: prev hash": Case(
        forged(sql("UPDATE entries SET prev_hash = zeroblob(32) WHERE seq = 7")),
        (("PREV_HASH_MISMATCH", 7),),
    ),
    "edit: derived column (table rebuilt without generated columns)": Case(
        forged(plain_columns_with(11, -4_000)), (("COLUMN_MISMATCH", 11), ("SCHEMA_ALTERED", None))
    ),
    "edit: guard triggers dropped and left out": Case(
        forged(restore=False), (("SCHEMA_GUARD_MISSING", None),)
    ),
    "edit: extra trigger added": Case(
        forged(sql("CREATE TRIGGER sneaky AFTER INSERT ON entries BEGIN SELECT 1; END")),
        (("SCHEMA_EXTRA", None),),
    ),
    "edit: format marker": Case(
        forged(sql("UPDATE meta SET value = 'buchang-journal/0' WHERE key = 'format'")),
        (("FORMAT_UNKNOWN", None),),
    ),
    "edit: journal id": Case(
        forged(sql("UPDATE meta SET value = 'feedbeef' WHERE key = 'journal_id'")),
        (("JOURNAL_ID_MISMATCH", None),),
        against=True,
        hidden=True,
    ),
    # deletions
    "delete: first entry": Case(forged(sql("DELETE FROM entries WHERE seq = 1")), (("SEQ_GAP", 1),)),
    "delete: middle entry": Case(forged(sql("DELETE FROM entries WHERE seq = 7")), (("SEQ_GAP", 7),)),
    "delete: last entry": Case(
        forged(sql("DELETE FROM entries WHERE seq = 13")), (("TRUNCATED", 13),), against=True, hidden=True
    ),
    "delete: first entry, renumbered": Case(forged(delete_renumber(1)), (("PREV_HASH_MISMATCH", 1),)),
    "delete: middle entry, renumbered": Case(forged(delete_renumber(7)), (("PREV_HASH_MISMATCH", 7),)),
    "delete: a payment, renumbered, re-chained": Case(
        forged(delete_renumber(12), rechain(12)), (("BALANCE_MISMATCH", 12),)
    ),
    "delete: a review, renumbered, re-chained (deep replay)": Case(
        forged(delete_renumber(7), rechain(7)), (("REPLAY_REJECTED", 10),), deep=True, hidden=True
    ),
    "delete: a review, renumbered, re-chained (checkpoint)": Case(
        forged(delete_renumber(7), rechain(7)), (("TRUNCATED", 13),), against=True, hidden=True
    ),
    # reordering
    "reorder: adjacent payments": Case(forged(swap(11, 12)), (("PREV_HASH_MISMATCH", 11),)),
    "reorder: first two entries": Case(forged(swap(1, 2)), (("PREV_HASH_MISMATCH", 1),)),
    "reorder: distant entries": Case(forged(swap(3, 12)), (("PREV_HASH_MISMATCH", 3),)),
    "reorder: payments, re-chained": Case(forged(swap(12, 13), rechain(12)), (("BALANCE_MISMATCH", 12),)),
    "reorder: payment before its approval, re-chained (deep replay)": Case(
        forged(move(11, 7), restate_balances(8), rechain(7)),
        (("REPLAY_REJECTED", 7),),
        deep=True,
        hidden=True,
    ),
    # insertions
    "insert: payment copied in the middle, renumbered": Case(
        forged(insert_copy(11, 12, "p1-bis")),
        (("BALANCE_MISMATCH", 12),),
    ),
    "insert: double payment appended, chained": Case(
        forged(append_copy(11, "p1-again")), (("BALANCE_MISMATCH", 14),)
    ),
    "insert: double payment appended, balance restated, chained (deep replay)": Case(
        forged(append_copy(11, "p1-again"), restate_balances(14), rechain(14)),
        (("REPLAY_REJECTED", 14),),
        deep=True,
        hidden=True,
    ),
    # truncation and forks (against the checkpoint)
    "truncate: last two entries": Case(
        forged(sql("DELETE FROM entries WHERE seq >= 12")), (("TRUNCATED", 12),), against=True, hidden=True
    ),
    "truncate: every entry": Case(
        forged(sql("DELETE FROM entries")), (("TRUNCATED", 1),), against=True, hidden=True
    ),
    "truncate: tail cut and re-written differently (fork)": Case(
        fork, (("CHECKPOINT_MISMATCH", 13),), against=True, hidden=True
    ),
    # wholesale rewrites (against the checkpoint)
    "rewrite: same commands recorded anew": Case(
        replace_file(lambda p: build(p, later_clock), keep_id=False),
        (("CHECKPOINT_MISMATCH", 13), ("JOURNAL_ID_MISMATCH", None)),
        against=True,
        hidden=True,
    ),
    "rewrite: recorded anew, journal id copied": Case(
        replace_file(lambda p: build(p, later_clock), keep_id=True),
        (("CHECKPOINT_MISMATCH", 13),),
        against=True,
        hidden=True,
    ),
    "rewrite: payee name edited, everything re-chained": Case(
        forged(edit_body(4, _payee), rechain(4)), (("CHECKPOINT_MISMATCH", 13),), against=True, hidden=True
    ),
    # the file itself
    "file: cut in half": Case(rewrite_bytes("half"), (("NOT_A_JOURNAL", None),)),
    "file: overwritten with garbage": Case(rewrite_bytes("garbage"), (("NOT_A_JOURNAL", None),)),
    "file: another SQLite database": Case(other_database, (("NOT_A_JOURNAL", None),)),
}


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Checkpoint]:
    path = build(tmp_path_factory.mktemp("original") / "books.db")
    cp, report = checkpoint(path)
    assert cp is not None and report.ok and cp.seq == 13
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # closed cleanly: the file holds everything
    return path, cp


@pytest.fixture
def journal(original: tuple[Path, Checkpoint], tmp_path: Path) -> tuple[Path, Checkpoint]:
    """A fresh copy of the original journal and the checkpoint exported from it."""
    path = tmp_path / "books.db"
    shutil.copyfile(original[0], path)
    return path, original[1]


@pytest.mark.parametrize("name", list(CASES))
def test_tampering_is_detected(name: str, journal: tuple[Path, Checkpoint], figures: Counter[str]) -> None:
    path, cp = journal
    case = CASES[name]
    case.attack(path)
    report = verify(path, deep=case.deep, against=cp if case.against else None)
    found = {(p.code, p.seq) for p in report.problems}
    assert not report.ok
    assert set(case.expect) <= found, report.problems
    code, seq = case.expect[0]
    if seq is not None and code not in ("TRUNCATED", "CHECKPOINT_MISMATCH"):
        assert report.first_break is not None and (report.first_break.code, report.first_break.seq) == (
            code,
            seq,
        )
    if case.hidden:  # only the stronger proof sees it: say so, and prove that it is needed
        assert verify(path).ok
    elif name.startswith(("edit", "delete", "reorder", "insert")):
        assert not verify(path).ok  # the plain check alone catches it
    figures["tamper: journal attacks detected"] += 1
    if case.hidden:
        figures["tamper: ... of which only deep replay or a checkpoint can see"] += 1


# --- the verifier attacked: corrupted checkpoints ----------------------------------------------


def _cp_edit(change: Callable[[dict[str, Any]], None]) -> Callable[[Checkpoint], str]:
    def run(cp: Checkpoint) -> str:
        obj = json.loads(cp.to_json())
        change(obj)
        return json.dumps(obj, ensure_ascii=False)

    return run


def _set(*path_and_value: Any) -> Callable[[dict[str, Any]], None]:
    *keys, value = path_and_value

    def change(obj: dict[str, Any]) -> None:
        target: Any = obj
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


def _also_totals(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    """Change a project's figure and the sums with it (a consistent forgery)."""

    def run(obj: dict[str, Any]) -> None:
        change(obj)
        projects = obj["totals"]["projects"]
        for key in ("deposits_fen", "payments_fen", "balance_fen"):
            obj["totals"][key] = sum(p[key] for p in projects)

    return run


def _seq(value: Any) -> Callable[[dict[str, Any]], None]:
    def change(obj: dict[str, Any]) -> None:
        obj["seq"] = value
        obj["totals"]["seq"] = value

    return change


def _genesis(obj: dict[str, Any]) -> None:
    obj.update(seq=-1, head_hash="00" * 32)
    obj["totals"] = {
        "seq": -1,
        "entries_by_type": {},
        "deposits_fen": 0,
        "payments_fen": 0,
        "balance_fen": 0,
        "projects": [],
    }


MALFORMED: dict[str, Callable[[Checkpoint], str]] = {
    "checkpoint: malformed JSON": lambda cp: cp.to_json()[:-20],
    "checkpoint: empty file": lambda cp: "",
    "checkpoint: a JSON list": lambda cp: "[1, 2, 3]",
    "checkpoint: wrong format tag": _cp_edit(_set("format", "buchang-journal-checkpoint/0")),
    "checkpoint: head hash missing": _cp_edit(lambda o: o.pop("head_hash")),
    "checkpoint: head hash not hex": _cp_edit(_set("head_hash", "zz" * 32)),
    "checkpoint: head hash too short": _cp_edit(lambda o: o.update(head_hash=o["head_hash"][:40])),
    "checkpoint: float amount": _cp_edit(
        _also_totals(lambda o: o["totals"]["projects"][0].update(balance_fen=720_000.4))
    ),
    "checkpoint: amount as a string": _cp_edit(_set("totals", "projects", 0, "deposits_fen", "1200000")),
    "checkpoint: boolean seq": _cp_edit(_seq(True)),
    "checkpoint: negative seq with the genesis hash": _cp_edit(_genesis),
    "checkpoint: seq differs from the totals' seq": _cp_edit(_set("seq", 12)),
    "checkpoint: sums disagree with the projects": _cp_edit(_set("totals", "balance_fen", 720_001)),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_checkpoint_is_refused(
    name: str, journal: tuple[Path, Checkpoint], tmp_path: Path, figures: Counter[str], capsys: Any
) -> None:
    path, cp = journal
    text = MALFORMED[name](cp)
    with pytest.raises(CodecError, match=r"malformed checkpoint|not a buchang"):
        Checkpoint.from_json(text)
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    assert main(["ledger", "verify", str(path), "--against", str(bad)]) == 2  # refused, not trusted
    assert "unreadable checkpoint" in capsys.readouterr().err
    figures["tamper: corrupted checkpoints refused"] += 1


def _other_journal(cp: Checkpoint, tmp_path: Path, *, same_id: bool) -> Checkpoint:
    other = build(tmp_path / "other.db", later_clock)
    ocp, _ = checkpoint(other)
    assert ocp is not None
    if same_id:
        return Checkpoint(cp.journal_id, ocp.seq, ocp.head_hash, ocp.totals, ocp.created_at)
    return ocp


WRONG: dict[str, tuple[Callable[[Checkpoint, Path], Checkpoint], tuple[tuple[str, int | None], ...]]] = {
    "checkpoint: seq beyond the journal": (
        lambda cp, _: Checkpoint.from_json(_cp_edit(_seq(20))(cp)),
        (("TRUNCATED", 14),),
    ),
    "checkpoint: earlier seq with the head's hash": (
        lambda cp, _: Checkpoint.from_json(_cp_edit(_seq(12))(cp)),
        (("CHECKPOINT_MISMATCH", 12),),
    ),
    "checkpoint: wrong head hash": (
        lambda cp, _: Checkpoint.from_json(_cp_edit(_set("head_hash", "ab" * 32))(cp)),
        (("CHECKPOINT_MISMATCH", 13),),
    ),
    "checkpoint: wrong totals (consistent forgery)": (
        lambda cp, _: Checkpoint.from_json(
            _cp_edit(_also_totals(lambda o: o["totals"]["projects"][0].update(balance_fen=720_001)))(cp)
        ),
        (("CHECKPOINT_TOTALS_MISMATCH", 13),),
    ),
    "checkpoint: wrong entry count by type": (
        lambda cp, _: Checkpoint.from_json(_cp_edit(_set("totals", "entries_by_type", "deposit", 2))(cp)),
        (("CHECKPOINT_TOTALS_MISMATCH", 13),),
    ),
    "checkpoint: of another journal": (
        lambda cp, tmp: _other_journal(cp, tmp, same_id=False),
        (("JOURNAL_ID_MISMATCH", None), ("CHECKPOINT_MISMATCH", 13)),
    ),
    "checkpoint: of another journal, id forged": (
        lambda cp, tmp: _other_journal(cp, tmp, same_id=True),
        (("CHECKPOINT_MISMATCH", 13),),
    ),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_checkpoint_is_reported(
    name: str, journal: tuple[Path, Checkpoint], tmp_path: Path, figures: Counter[str], capsys: Any
) -> None:
    path, cp = journal
    make, expect = WRONG[name]
    wrong = make(cp, tmp_path)
    report = verify(path, against=wrong)
    assert not report.ok
    assert set(expect) <= {(p.code, p.seq) for p in report.problems}, report.problems
    bad = tmp_path / "wrong.json"
    bad.write_text(wrong.to_json(), encoding="utf-8")
    assert main(["ledger", "verify", str(path), "--against", str(bad)]) == 1
    assert f"[{expect[0][0]}]" in capsys.readouterr().out
    figures["tamper: wrong checkpoints reported"] += 1


def test_the_matrix_is_counted(figures: Counter[str]) -> None:
    """The figure the README quotes: every case above, one line."""
    total = len(CASES) + len(MALFORMED) + len(WRONG)
    assert total >= 50
    figures["tamper: cases in the matrix"] = total
