"""Processes racing on one journal, for ``test_concurrency`` (spawned by multiprocessing).

The race (:func:`race_setup`): project P1 holds exactly ``FUNDS`` fen; list L1
has ``LINES`` approved lines of ``LINE_FEN`` each, so only ``FUNDS // LINE_FEN``
of them can be paid. Every payer (:func:`payer`) tries to pay every line, in its
own random order, with the *same* command id per line (``pay-{j}``) as the
other payer — so each line's payment is submitted by both.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any, Final

from buchang.funds.journal import (
    Command,
    CreatePaymentList,
    Deposit,
    ExecutePayment,
    Ledger,
    OpenProject,
    RecordReview,
    RegisterAgreement,
    StartProject,
    verify,
)
from buchang.funds.records import Agreement, Decision, PaymentLine, PaymentList, Project, Review

FUNDS: Final = 1_000_000
LINE_FEN: Final = 50_000
_SIGNED = date(2025, 1, 10)
_T0 = datetime(2025, 2, 1, 9, 0)


def race_setup(lines: int) -> list[Command]:
    cmds: list[Command] = [
        Command("open-P1", OpenProject(Project("P1", "项目P1", "31050161360000000001", FUNDS))),
        Command("dep-1", Deposit("P1", "T-dep-1", FUNDS, datetime(2025, 1, 5))),
        Command("start-P1", StartProject("P1", date(2025, 1, 20))),
    ]
    plines = []
    for j in range(1, lines + 1):
        acct = f"6222{j:012d}"
        ag = Agreement(
            f"A{j}", "P1", f"户主{j}", "11010519491231002X", acct, "房屋补偿费", LINE_FEN, _SIGNED, _SIGNED
        )
        cmds.append(Command(f"reg-{j}", RegisterAgreement(ag)))
        plines.append(
            PaymentLine("L1", j, f"A{j}", f"户主{j}", acct, "房屋补偿费", LINE_FEN, date(2025, 7, 1))
        )
    plist = PaymentList("L1", "P1", "prep", _T0, tuple(plines))
    cmds.append(Command("list-L1", CreatePaymentList(plist)))
    for lvl in range(1, 5):
        rv = Review(
            "L1", lvl, f"r{lvl}", f"level{lvl}", Decision.PASS, _T0 + timedelta(hours=lvl), plist.digest
        )
        cmds.append(Command(f"rev-{lvl}", RecordReview(rv)))
    return cmds


def pay_line(j: int) -> Command:
    """The payment of line ``j``: the same id and body whoever submits it."""
    return Command(
        f"pay-{j}", ExecutePayment("P1", f"T-pay-{j}", "L1", j, LINE_FEN, datetime(2025, 6, 1, 10))
    )


def payer(path: str, seed: int, lines: int, start: Any, results: Any) -> None:
    """Try to pay every line (alone or two at a time); put what happened on ``results``.

    ``start`` is a ``multiprocessing.Barrier`` shared with the other processes.
    """
    rng = random.Random(seed)
    order = list(range(1, lines + 1))
    rng.shuffle(order)
    seen: Counter[str] = Counter()
    with Ledger.open(path) as ledger:
        start.wait(timeout=60)
        i = 0
        while i < len(order):
            group = order[i : i + rng.choice((1, 1, 2))]
            i += len(group)
            time.sleep(rng.uniform(0.0, 0.004))  # a client's think time: lets the other one in
            result = ledger.append_many([pay_line(j) for j in group])
            if not result.ok and len(group) > 1:  # all or nothing: try them one by one
                seen["batch refused whole"] += 1
                outcomes = [ledger.append(pay_line(j)) for j in group]
            else:
                outcomes = [result]
            for res in outcomes:
                for rec in res.receipts:
                    seen["replayed" if rec.replayed else "written"] += 1
                for rej in res.rejections:
                    seen[rej.code.value] += 1
    results.put((f"payer{seed}", dict(seen)))


def verifier(path: str, start: Any, done: Any, results: Any) -> None:
    """Verify the journal over and over until ``done`` (an Event) is set — or, should
    the test die, until 60 s have passed or the parent is gone."""
    parent = os.getppid()
    start.wait(timeout=60)
    runs = broken = 0
    end = time.monotonic() + 60
    while (not done.is_set() or runs == 0) and time.monotonic() < end and os.getppid() == parent:
        report = verify(path)
        runs += 1
        broken += not report.ok
    results.put(("verifier", {"runs": runs, "broken": broken}))
