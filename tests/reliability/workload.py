"""A deterministic journal workload whose every figure can be worked out by hand.

Project P1 (dedicated account :data:`ACCOUNT`) needs 1,000,000 fen upfront;
:func:`setup_commands` opens it, deposits exactly that and starts it (3 entries).

Batch ``k`` (:func:`batch_commands`, ``WIDTH`` agreements) is one
``append_many`` of ``6 + 3 × WIDTH`` commands:

* a deposit of ``Σ agreement amounts + 10,000`` fen;
* ``WIDTH`` agreements ``A{k}-{j}`` of ``50,000 + k + j`` fen, effective on signing;
* one list ``L{k}`` paying each agreement in full on line ``j``;
* the four reviews (``r1``..``r4``, in order, none of them the preparer);
* two payments per line: 20,000 fen, then the rest (``30,000 + k + j``).

So each batch adds ``6 + 3 × WIDTH`` entries and nets +10,000 fen: after ``n``
batches the journal has ``3 + n × (6 + 3 × WIDTH)`` entries and the balance is
``1,000,000 + 10,000 × n`` fen (:func:`expected`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final

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

PROJECT: Final = "P1"
ACCOUNT: Final = "31050161360000000001"
UPFRONT: Final = 1_000_000
WIDTH: Final = 4
PER_BATCH: Final = 6 + 3 * WIDTH
NET_PER_BATCH: Final = 10_000
#: A valid-looking resident ID number (GB 11643 check digit) for every payee.
PAYEE_ID: Final = "11010519491231002X"

_SIGNED = date(2025, 1, 10)
_T0 = datetime(2025, 2, 1, 9, 0)
_PAY_AT = datetime(2025, 6, 1, 10, 0)


def setup_commands() -> list[Command]:
    """Open P1, deposit the upfront amount, start it (3 entries, balance 1,000,000)."""
    return [
        Command("open-P1", OpenProject(Project(PROJECT, "项目P1", ACCOUNT, UPFRONT))),
        Command("dep-upfront", Deposit(PROJECT, "T-upfront", UPFRONT, datetime(2025, 1, 5, 9, 0))),
        Command("start-P1", StartProject(PROJECT, date(2025, 1, 20))),
    ]


def agreement_amount(k: int, j: int) -> int:
    return 50_000 + k + j


def payee_account(k: int, j: int) -> str:
    return f"6222{k:08d}{j:04d}"


def batch_commands(k: int) -> list[Command]:
    """The commands of batch ``k`` (see the module docstring), ids ``b{k}-…``."""
    amounts = [agreement_amount(k, j) for j in range(1, WIDTH + 1)]
    cmds: list[Command] = [
        Command(
            f"b{k}-dep",
            Deposit(PROJECT, f"T-b{k}-dep", sum(amounts) + NET_PER_BATCH, datetime(2025, 1, 6, 9, 0)),
        )
    ]
    lines = []
    for j, amount in enumerate(amounts, start=1):
        no = f"A{k}-{j}"
        account = payee_account(k, j)
        ag = Agreement(no, PROJECT, f"户主{no}", PAYEE_ID, account, "房屋补偿费", amount, _SIGNED, _SIGNED)
        cmds.append(Command(f"b{k}-reg-{j}", RegisterAgreement(ag)))
        lines.append(
            PaymentLine(f"L{k}", j, no, f"户主{no}", account, "房屋补偿费", amount, date(2025, 7, 1))
        )
    plist = PaymentList(f"L{k}", PROJECT, "prep", _T0, tuple(lines))
    cmds.append(Command(f"b{k}-list", CreatePaymentList(plist)))
    for lvl in range(1, 5):
        review = Review(
            plist.list_no,
            lvl,
            f"r{lvl}",
            f"level{lvl}",
            Decision.PASS,
            _T0 + timedelta(hours=lvl),
            plist.digest,
        )
        cmds.append(Command(f"b{k}-rev-{lvl}", RecordReview(review)))
    for j, amount in enumerate(amounts, start=1):
        for part, paid in (("a", 20_000), ("b", amount - 20_000)):
            cmds.append(
                Command(
                    f"b{k}-pay-{j}-{part}",
                    ExecutePayment(PROJECT, f"T-b{k}-pay-{j}-{part}", f"L{k}", j, paid, _PAY_AT),
                )
            )
    assert len(cmds) == PER_BATCH
    return cmds


def expected(batches: int) -> tuple[int, int]:
    """``(entries, balance in fen)`` after setup and ``batches`` batches."""
    return 3 + batches * PER_BATCH, UPFRONT + NET_PER_BATCH * batches


def batch_of(command_id: str) -> int | None:
    """The batch number of a command id ``b{k}-…`` (``None`` for setup ids)."""
    if not command_id.startswith("b"):
        return None
    return int(command_id[1:].split("-", 1)[0])
