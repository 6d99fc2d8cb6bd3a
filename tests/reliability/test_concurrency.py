"""Concurrency (issue 8, item 4): two processes append to one journal at once.

Both payers (:mod:`tests.reliability.concurrent_workers`) try to pay every
line of an approved list — with the same command id per line — out of an
account that holds enough for only a third of them, while a third process
verifies the journal over and over. Afterwards:

* the writes were serialised and the chain is intact (``verify`` ok, deep too,
  and every verification during the race was ok);
* no double payment: each command id has at most one entry, each line is paid
  at most once, and every submission of an already recorded id was answered
  as a replay;
* no payment beyond the balance: exactly ``FUNDS // LINE_FEN`` payments went
  in, the balance is exactly 0 and every other attempt was refused with
  ``ACCOUNT_OVERDRAWN`` — nothing else (no lock error leaks out).
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from pathlib import Path

import pytest
from tests.reliability.concurrent_workers import FUNDS, LINE_FEN, payer, race_setup, verifier

from buchang.funds.journal import Ledger, SqliteStore, verify


def race(tmp_path: Path, lines: int, rounds: int, figures: Counter[str]) -> None:
    ctx = multiprocessing.get_context("spawn")
    for rnd in range(rounds):
        path = tmp_path / f"books{rnd}.db"
        with Ledger.create(path) as ledger:
            assert ledger.append_many(race_setup(lines)).ok
        setup_entries = ledger.head[0]
        start, done, results = ctx.Barrier(3), ctx.Event(), ctx.Queue()
        procs = [
            ctx.Process(target=payer, args=(str(path), 100 * rnd + w, lines, start, results)) for w in (1, 2)
        ]
        checker = ctx.Process(target=verifier, args=(str(path), start, done, results))
        try:
            for proc in (*procs, checker):
                proc.start()
            out = dict(results.get(timeout=120) for _ in procs)
            done.set()
            out.update([results.get(timeout=120)])
        finally:
            done.set()
            for proc in (*procs, checker):
                proc.join(timeout=60)
                if proc.exitcode is None:
                    proc.kill()
        assert [proc.exitcode for proc in (*procs, checker)] == [0, 0, 0]
        seen = [v for k, v in out.items() if k.startswith("payer")]
        checked = out["verifier"]
        figures["concurrency: races where both writers wrote payments"] += all(s.get("written") for s in seen)
        total: Counter[str] = Counter()
        for s in seen:
            total.update(s)
        payable = FUNDS // LINE_FEN
        # each line was submitted twice (once per payer): written once, or refused
        assert set(total) <= {"written", "replayed", "ACCOUNT_OVERDRAWN", "batch refused whole"}, total
        assert total["written"] == payable
        assert total["written"] + total["replayed"] + total["ACCOUNT_OVERDRAWN"] == 2 * lines
        assert checked["broken"] == 0 and checked["runs"] > 0

        store = SqliteStore.open(path, readonly=True)
        try:
            entries = list(store.entries())
        finally:
            store.close()
        pays = [e for e in entries if e.type == "payment_executed"]
        ids = Counter(e.command_id for e in entries)
        assert max(ids.values()) == 1  # no command id twice: no double payment
        assert len(pays) == payable and len(entries) == setup_entries + payable
        assert all(e.amount_fen == -LINE_FEN for e in pays)
        with Ledger.open(path) as ledger:
            assert ledger.state.balance == {"P1": 0}  # the last money was spent once, not twice
            assert sorted(ledger.state.line_paid.values()) == [LINE_FEN] * payable
        report = verify(path, deep=True)
        assert report.ok and report.totals.balance_fen == 0
        assert report.totals.payments_fen == FUNDS
        figures["concurrency: races of two writers (each line submitted by both)"] += 1
        figures["concurrency: submissions answered as replays"] += total["replayed"]
        figures["concurrency: payments refused beyond the balance"] += total["ACCOUNT_OVERDRAWN"]
        figures["concurrency: verifications during the races, all ok"] += checked["runs"]


def test_two_writers_race_for_the_last_money(tmp_path: Path, figures: Counter[str]) -> None:
    race(tmp_path, lines=60, rounds=1, figures=figures)


@pytest.mark.slow
def test_two_writers_race_many_times(tmp_path: Path, figures: Counter[str]) -> None:
    race(tmp_path, lines=300, rounds=10, figures=figures)
