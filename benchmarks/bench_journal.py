"""Journal throughput (funds.md, "The journal").

Run: ``pytest benchmarks/bench_journal.py --benchmark-enable``.

Targets: appending in batches with ``synchronous=FULL`` ≥ 20,000 events/s;
``verify`` ≥ 300,000 events/s. Each benchmark records its rate in
``extra_info["events_per_s"]`` and prints it.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from buchang.funds.journal import (
    Command,
    CreatePaymentList,
    Deposit,
    ExecutePayment,
    Ledger,
    OpenProject,
    RecordReview,
    RegisterAgreement,
    verify,
)
from buchang.funds.records import Agreement, Decision, PaymentLine, PaymentList, Project, Review

T0 = datetime(2025, 2, 1, 9, 0)
BATCH = 1_000
LINES = 100


def _clock() -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC)


def setup_commands(n_payments: int, pid: str = "P1") -> tuple[list[Command], list[Command]]:
    """(setup, payments): a funded project with ``n_payments`` agreements on
    approved lists of 100 lines, and one payment per line."""
    setup: list[Command] = [
        Command(f"open-{pid}", OpenProject(Project(pid, "基准项目", f"acct-{pid}", 10**9))),
        Command(f"dep-{pid}", Deposit(pid, "T0", 10**13, datetime(2025, 1, 5))),
    ]
    payments: list[Command] = []
    for start in range(0, n_payments, LINES):
        list_no = f"{pid}-L{start // LINES}"
        lines: list[PaymentLine] = []
        for k in range(start, min(start + LINES, n_payments)):
            no = f"{pid}-A{k}"
            setup.append(
                Command(
                    f"reg-{no}",
                    RegisterAgreement(
                        Agreement(
                            no,
                            pid,
                            f"户主{k}",
                            "11010519491231002X",
                            f"6222{k:010d}",
                            "房屋补偿费",
                            12_345_67,
                            date(2025, 1, 10),
                            date(2025, 1, 10),
                            f"H{k}",
                        )
                    ),
                )
            )
            lines.append(
                PaymentLine(
                    list_no,
                    len(lines) + 1,
                    no,
                    f"户主{k}",
                    f"6222{k:010d}",
                    "房屋补偿费",
                    12_345_67,
                    date(2025, 4, 1),
                )
            )
        plist = PaymentList(list_no, pid, "prep", T0, tuple(lines))
        setup.append(Command(f"list-{list_no}", CreatePaymentList(plist)))
        setup.extend(
            Command(
                f"rev-{list_no}-{lvl}",
                RecordReview(
                    Review(
                        list_no,
                        lvl,
                        f"r{lvl}",
                        "审核",
                        Decision.PASS,
                        T0 + timedelta(hours=lvl),
                        plist.digest,
                    )
                ),
            )
            for lvl in range(1, 5)
        )
        payments.extend(
            Command(
                f"pay-{list_no}-{ln.line_no}",
                ExecutePayment(
                    pid,
                    f"TX-{list_no}-{ln.line_no}",
                    list_no,
                    ln.line_no,
                    ln.amount_fen,
                    datetime(2025, 3, 1, 10),
                ),
            )
            for ln in lines
        )
    return setup, payments


def _batches(cmds: list[Command]) -> Iterator[list[Command]]:
    for i in range(0, len(cmds), BATCH):
        yield cmds[i : i + BATCH]


class _CpuTimer:
    """Wrap a function to record the CPU time (``time.process_time``) of each call:
    on a shared, busy machine the wall-clock rate understates the code's speed."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.times: list[float] = []

    def __call__(self, *args: Any) -> Any:
        t = time.process_time()
        out = self.fn(*args)
        self.times.append(time.process_time() - t)
        return out


def _report(benchmark: Any, events: int, cpu: _CpuTimer) -> None:
    wall_mean = events / benchmark.stats.stats.mean
    wall_best = events / benchmark.stats.stats.min
    cpu_best = events / min(cpu.times)
    benchmark.extra_info.update(
        events=events,
        events_per_s_wall_mean=round(wall_mean),
        events_per_s_wall_best=round(wall_best),
        events_per_s_cpu_best=round(cpu_best),
    )
    print(
        f"\n{benchmark.name}: {events:,} events; wall mean {wall_mean:,.0f}/s, "
        f"wall best {wall_best:,.0f}/s, CPU best {cpu_best:,.0f}/s"
    )


def test_append_payments_in_batches(benchmark: Any) -> None:
    """Payments (the hot path: approval, balance, agreement checks) in batches of 1,000."""
    n = 10_000
    tmp = Path(tempfile.mkdtemp())
    runs = iter(range(100))

    def prepare() -> tuple[tuple[Ledger, list[Command]], dict[str, Any]]:
        setup, payments = setup_commands(n)
        led = Ledger.create(tmp / f"pay{next(runs)}.db", clock=_clock)
        for batch in _batches(setup):
            assert led.append_many(batch).ok
        return (led, payments), {}

    def run(led: Ledger, payments: list[Command]) -> None:
        for batch in _batches(payments):
            assert led.append_many(batch).ok
        led.close()

    timed = _CpuTimer(run)
    benchmark.pedantic(timed, setup=prepare, rounds=3, iterations=1)
    _report(benchmark, n, timed)


def test_append_mixed_events_in_batches(benchmark: Any) -> None:
    """Every kind of entry a project makes: registrations, 100-line lists, reviews, payments."""
    setup, payments = setup_commands(5_000)
    cmds = setup + payments
    tmp = Path(tempfile.mkdtemp())
    runs = iter(range(100))

    def run() -> None:
        with Ledger.create(tmp / f"mix{next(runs)}.db", clock=_clock) as led:
            for batch in _batches(cmds):
                assert led.append_many(batch).ok

    timed = _CpuTimer(run)
    benchmark.pedantic(timed, rounds=3, iterations=1)
    _report(benchmark, len(cmds), timed)


@pytest.fixture(scope="module")
def big_journal() -> tuple[Path, int]:
    setup, payments = setup_commands(100_000)
    path = Path(tempfile.mkdtemp()) / "big.db"
    with Ledger.create(path, clock=_clock) as led:
        for batch in _batches(setup + payments):
            assert led.append_many(batch).ok
        return path, led.head[0]


def test_verify(benchmark: Any, big_journal: tuple[Path, int]) -> None:
    """verify: chain, hashes, balances and control totals over ~205,000 entries."""
    path, n = big_journal
    timed = _CpuTimer(verify)
    report = benchmark.pedantic(timed, args=(path,), rounds=5, iterations=1)
    assert report.ok and report.entries == n
    _report(benchmark, n, timed)
