"""Crash consistency (issue 8, item 3): kill -9 a writer mid-stream, again and again.

A subprocess (:mod:`tests.reliability.crash_writer`) appends batches of
:mod:`tests.reliability.workload` with ``append_many`` and reports each batch
*after* the commit returned. The test kills it with SIGKILL at a random moment
and then checks, every time:

1. the journal verifies (read-only, straight after the kill, with the WAL the
   dead process left behind; and deep — every invariant replayed — from time
   to time);
2. it holds exactly the committed batches, whole: every reported batch is in,
   the one in flight may be in or not, no batch is there in part, nothing else;
3. resubmitting the interrupted batch (and a committed one) with the same
   command ids neither loses nor doubles anything: entry count and balance are
   those worked out by hand (:func:`tests.reliability.workload.expected`).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from tests.reliability.workload import PER_BATCH, batch_commands, batch_of, expected, setup_commands

from buchang.funds.journal import Ledger, SqliteStore, verify

ROOT = Path(__file__).resolve().parents[2]


def _batches_stored(path: Path) -> Counter[int]:
    """Entries per batch number as stored."""
    store = SqliteStore.open(path, readonly=True)
    try:
        return Counter(k for e in store.entries() if (k := batch_of(e.command_id)) is not None)
    finally:
        store.close()


def _run_and_kill(path: Path, first: int, rng: random.Random) -> tuple[set[int], int | None]:
    """Start the writer at batch ``first``, SIGKILL it at a random moment.

    Returns the batches it reported committed and the one in flight (begun, not done).
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.crash_writer", str(path), str(first)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    # wait until it writes, then let it run a random while (0–120 ms: a few batches;
    # most of each batch's time is the commit's fsync, where a kill hurts most)
    first_line = proc.stdout.readline()
    assert first_line.startswith("begin"), first_line + (proc.stderr.read() if proc.stderr else "")
    time.sleep(rng.uniform(0.0, 0.12))
    os.kill(proc.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, err
    done: set[int] = set()
    begun: list[int] = []
    for line in [first_line, *out.splitlines()]:
        word, _, num = line.strip().partition(" ")
        if word == "begin":
            begun.append(int(num))
        elif word == "done":
            done.add(int(num))
        elif line.strip():
            pytest.fail(f"writer said: {line!r} {err}")
    in_flight = [k for k in begun if k not in done]
    assert len(in_flight) <= 1 and (not in_flight or in_flight[0] == max(begun))
    return done, in_flight[0] if in_flight else None


def crash_loop(tmp_path: Path, kills: int, seed: int, figures: Counter[str]) -> None:
    path = tmp_path / "books.db"
    with Ledger.create(path) as ledger:
        assert ledger.append_many(setup_commands()).ok
    rng = random.Random(seed)
    committed: set[int] = set()  # every batch the journal must hold
    survived = in_flight_in = in_flight_out = 0
    for kill in range(kills):
        first = max(committed, default=-1) + 1
        done, in_flight = _run_and_kill(path, first, rng)
        committed |= done

        # 1. it verifies, as the dead process left it (WAL and all), read-only
        report = verify(path, deep=kill % 5 == 0)
        assert report.ok, (kill, report.problems)

        # 2. exactly the committed batches, each whole; the one in flight whole or absent
        stored = _batches_stored(path)
        assert all(n == PER_BATCH for n in stored.values()), (kill, stored)
        assert committed <= set(stored), (kill, committed - set(stored))
        extra = set(stored) - committed
        assert extra <= ({in_flight} if in_flight is not None else set()), (kill, extra)
        if in_flight is not None:
            if in_flight in stored:
                in_flight_in += 1
            else:
                in_flight_out += 1

        # 3. resubmit the interrupted batch and an old one with their ids: no loss, no double
        with Ledger.open(path) as ledger:
            if in_flight is not None:
                was_in = in_flight in stored
                result = ledger.append_many(batch_commands(in_flight))
                assert result.ok, result.rejections
                assert all(r.replayed == was_in for r in result.receipts)
                committed.add(in_flight)
            if committed:
                again = ledger.append_many(batch_commands(rng.choice(sorted(committed))))
                assert again.ok and all(r.replayed for r in again.receipts)
            entries, balance = expected(len(committed))
            assert committed == set(range(len(committed)))  # no batch lost or skipped
            assert ledger.head[0] == entries
            assert ledger.state.balance == {"P1": balance}
            # every line paid exactly its amount: 20,000 + the rest, once
            assert all(
                ledger.state.line_paid[(f"L{k}", j)] == ledger.state.lines[f"L{k}"][j].amount_fen
                for k in committed
                for j in ledger.state.lines[f"L{k}"]
            )
        report = verify(path)
        assert report.ok and report.entries == entries and report.totals.balance_fen == balance
        survived += 1
    figures["crash: kills survived"] += survived
    figures["crash: kills with a batch in flight, batch committed"] += in_flight_in
    figures["crash: kills with a batch in flight, batch not committed"] += in_flight_out
    figures["crash: batches committed and checked"] += len(committed)
    assert survived == kills


def test_sigkill_writer_20_times(tmp_path: Path, figures: Counter[str]) -> None:
    crash_loop(tmp_path, kills=20, seed=20261121, figures=figures)


@pytest.mark.slow
def test_sigkill_writer_200_times(tmp_path: Path, figures: Counter[str]) -> None:
    # ten journals of 20 kills each: a journal that grows without end makes every
    # replay and check slower, which tests patience rather than the journal
    for part in range(10):
        folder = tmp_path / f"part{part}"
        folder.mkdir()
        crash_loop(folder, kills=20, seed=8 + part, figures=figures)
