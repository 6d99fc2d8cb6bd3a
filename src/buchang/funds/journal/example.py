"""A small example project's books, as commands (for tests, demos and benchmarks).

Project P1, dedicated account 31050161360000000001, upfront requirement
1,000,000 fen (¥10,000.00). Agreement A1 (500,000 fen, effective on signing
2025-01-10) and A2 (300,000 fen, conditional: not yet effective). List L1 pays
A1 (line 1, 500,000) and A2 (line 2, 300,000); prepared by ``prep``, reviewed by
``r1``..``r4`` in order.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count

from buchang.funds.journal import (
    Command,
    CreatePaymentList,
    Deposit,
    ExecutePayment,
    OpenProject,
    RecordReview,
    RegisterAgreement,
    StartProject,
)
from buchang.funds.records import Agreement, Decision, PaymentLine, PaymentList, Project, Review

ACCOUNT = "31050161360000000001"
UPFRONT = 1_000_000
T0 = datetime(2025, 2, 1, 9, 0)
PAY_AT = datetime(2025, 3, 1, 10, 0)


def fixed_clock() -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC)


def open_project(pid: str = "P1", account: str = ACCOUNT, upfront: int = UPFRONT) -> Command:
    return Command(f"open-{pid}", OpenProject(Project(pid, f"项目{pid}", account, upfront)))


def deposit(cid: str, amount: int, pid: str = "P1", txn: str | None = None, **kw: str) -> Command:
    return Command(cid, Deposit(pid, txn or f"T-{cid}", amount, datetime(2025, 1, 5, 9, 0), **kw))


def agreement(no: str, amount: int, effective: date | None, pid: str = "P1") -> Agreement:
    return Agreement(
        no,
        pid,
        f"户主{no}",
        "11010519491231002X",
        f"6222{no}",
        "房屋补偿费",
        amount,
        date(2025, 1, 10),
        effective,
    )


def register(a: Agreement) -> Command:
    return Command(f"reg-{a.agreement_no}", RegisterAgreement(a))


def make_list(
    list_no: str = "L1",
    amounts: tuple[tuple[str, int], ...] = (("A1", 500_000), ("A2", 300_000)),
    pid: str = "P1",
) -> PaymentList:
    lines = tuple(
        PaymentLine(list_no, i, ag, f"户主{ag}", f"6222{ag}", "房屋补偿费", amt, date(2025, 4, 1))
        for i, (ag, amt) in enumerate(amounts, start=1)
    )
    return PaymentList(list_no, pid, "prep", T0, lines)


def reviews(plist: PaymentList, start: datetime = T0) -> list[Command]:
    return [
        Command(
            f"rev-{plist.list_no}-{plist.digest[:8]}-{lvl}",
            RecordReview(
                Review(
                    plist.list_no,
                    lvl,
                    f"r{lvl}",
                    f"level{lvl}",
                    Decision.PASS,
                    start + timedelta(hours=lvl),
                    plist.digest,
                )
            ),
        )
        for lvl in range(1, 5)
    ]


def pay(
    cid: str, amount: int, line: int = 1, list_no: str = "L1", at: datetime = PAY_AT, pid: str = "P1"
) -> Command:
    return Command(cid, ExecutePayment(pid, f"T-{cid}", list_no, line, amount, at))


def funded_setup() -> list[Command]:
    """Opened, funded (1,200,000 ≥ 1,000,000), started, A1/A2 registered, L1 approved."""
    plist = make_list()
    return [
        open_project(),
        deposit("dep-1", 1_200_000),
        Command("start-P1", StartProject("P1", date(2025, 1, 20))),
        register(agreement("A1", 500_000, date(2025, 1, 10))),
        register(agreement("A2", 300_000, None)),
        Command("list-L1", CreatePaymentList(plist)),
        *reviews(plist),
    ]


def many_payments(n: int, pid: str = "P1") -> list[Command]:
    """A project with ``n`` agreements of 10,000 fen on approved 100-line lists, and one payment per line."""
    ids = count()
    cmds: list[Command] = [open_project(pid, account=f"9{pid}"), deposit(f"{pid}-dep", 10**12, pid=pid)]
    per_list = 100
    for start in range(0, n, per_list):
        lno = f"{pid}-L{start // per_list}"
        ags = []
        for _ in range(min(per_list, n - start)):
            no = f"{pid}-A{next(ids)}"
            cmds.append(register(agreement(no, 10_000, date(2025, 1, 10), pid=pid)))
            ags.append((no, 10_000))
        pl = make_list(lno, tuple(ags), pid=pid)
        cmds.append(Command(f"list-{lno}", CreatePaymentList(pl)))
        cmds.extend(reviews(pl))
        cmds.extend(
            pay(f"pay-{lno}-{i}", 10_000, line=i, list_no=lno, pid=pid) for i in range(1, len(ags) + 1)
        )
    return cmds
