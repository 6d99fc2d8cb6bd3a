"""Fund-control spreadsheets → the records of :mod:`buchang.funds.records`.

``import_agreements`` (补偿协议), ``import_payment_lists`` (发放清单 + 清单明细),
``import_reviews`` (审核记录) and ``import_bank_statement`` (专户流水) each return
``(records | None, issues)``: the records only when no issue is an error.
Amounts are read exactly (:mod:`buchang.io.cells`) and held as integer 分;
an amount with more than two decimals is rejected, never rounded.

Cross-row checks: ``DUPLICATE_ID`` (agreement number, list number, list line,
transaction id), ``UNKNOWN_REFERENCE`` (a line whose list is not declared);
a payee ID is a 身份证号 or a 统一社会信用代码, bank accounts failing Luhn are
warnings (``BANK_LUHN``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from buchang.core.errors import Issue, has_errors
from buchang.core.memory import paused_gc
from buchang.core.money import to_fen
from buchang.funds.records import (
    Agreement,
    Decision,
    Direction,
    PaymentLine,
    PaymentList,
    Review,
    Transaction,
)
from buchang.io.binding import Bound, Record, bind, unique, unknown_reference
from buchang.io.cells import CellOptions
from buchang.io.reader import Engine, WorkbookData, read_files
from buchang.io.safety import DEFAULT_LIMITS, Limits
from buchang.io.schema import AGREEMENTS, BANK_STATEMENT, PAYMENT_LIST, REVIEWS, InputKind

T = TypeVar("T")
Imported = tuple[T | None, tuple[Issue, ...]]


def _s(rec: Record, key: str) -> str:
    value = rec.values.get(key)
    return "" if value is None else str(value)


def _fen(rec: Record, key: str) -> int:
    value = rec.values.get(key)
    assert isinstance(value, Decimal)
    return to_fen(value)


def _date(rec: Record, key: str) -> date:
    value = rec.values.get(key)
    assert isinstance(value, date)
    return value


def _when(rec: Record, key: str) -> datetime:
    value = rec.values.get(key)
    assert isinstance(value, datetime)
    return value


def _int(rec: Record, key: str) -> int:
    value = rec.values.get(key)
    assert isinstance(value, int)
    return value


def _run(
    kind: InputKind,
    source: Path | Sequence[Path] | WorkbookData,
    build: Callable[[dict[str, Bound], list[Issue]], T],
    engine: Engine | None,
    limits: Limits,
    options: CellOptions | None,
) -> Imported[T]:
    with paused_gc():
        if isinstance(source, WorkbookData):
            wb = source
        else:
            wb = read_files(
                [source] if isinstance(source, Path) else list(source), engine=engine, limits=limits
            )
        return _check_and_build(kind, wb, build, options)


def _check_and_build(
    kind: InputKind,
    wb: WorkbookData,
    build: Callable[[dict[str, Bound], list[Issue]], T],
    options: CellOptions | None,
) -> Imported[T]:
    bound, issues = bind(kind, wb, options)
    if not wb.sheets or has_errors(issues):
        # still run the cross-row checks: every problem is reported in one pass
        if wb.sheets:
            build(bound, issues)
        return None, tuple(issues)
    value = build(bound, issues)
    return (None if has_errors(issues) else value), tuple(issues)


def _agreements(bound: dict[str, Bound], issues: list[Issue]) -> tuple[Agreement, ...]:
    records = bound["agreements"].records
    unique(records, "agreement_no", "协议编号", issues)
    if has_errors(issues):
        return ()
    out = []
    for r in records:
        eff = r.values.get("effective_date")
        out.append(
            Agreement(
                agreement_no=_s(r, "agreement_no"),
                project_id=_s(r, "project_id"),
                payee_name=_s(r, "payee_name"),
                payee_id=_s(r, "payee_id"),
                payee_account=_s(r, "payee_account"),
                category=_s(r, "category"),
                amount_fen=_fen(r, "amount"),
                signed_date=_date(r, "signed_date"),
                effective_date=eff if isinstance(eff, date) else None,
                household_ref=_s(r, "household_ref"),
            )
        )
    return tuple(out)


def _payment_lists(bound: dict[str, Bound], issues: list[Issue]) -> tuple[PaymentList, ...]:
    heads = unique(bound["lists"].records, "list_no", "清单编号", issues)
    lines: dict[str, list[PaymentLine]] = defaultdict(list)
    seen: dict[tuple[str, int], Record] = {}
    # with errors already (a missing column leaves records without its values) the
    # rows are only cross-checked, not built
    build = not has_errors(issues)
    for r in bound["lines"].records:
        list_no = r.values.get("list_no")
        if list_no is None:
            continue
        if str(list_no) not in heads:
            issues.append(unknown_reference(r, "list_no", "清单"))
            continue
        line_no = r.values.get("line_no")
        if isinstance(line_no, int):
            first = seen.setdefault((str(list_no), line_no), r)
            if first is not r:
                issues.append(
                    Issue(
                        "DUPLICATE_ID",
                        f"清单{list_no}序号{line_no}重复（首次出现在第{first.row}行） / duplicate line number",
                        location=r.loc("line_no"),
                    )
                )
                continue
        if not r.ok or not build:
            continue
        lines[str(list_no)].append(
            PaymentLine(
                list_no=str(list_no),
                line_no=_int(r, "line_no"),
                agreement_no=_s(r, "agreement_no"),
                payee_name=_s(r, "payee_name"),
                payee_account=_s(r, "payee_account"),
                category=_s(r, "category"),
                amount_fen=_fen(r, "amount"),
                due_date=_date(r, "due_date"),
            )
        )
    if has_errors(issues):
        return ()
    return tuple(
        PaymentList(
            list_no=no,
            project_id=_s(h, "project_id"),
            preparer=_s(h, "preparer"),
            created_at=_when(h, "created_at"),
            lines=tuple(sorted(lines.get(no, ()), key=lambda ln: ln.line_no)),
        )
        for no, h in heads.items()
    )


def _reviews(bound: dict[str, Bound], issues: list[Issue]) -> tuple[Review, ...]:
    if has_errors(issues):
        return ()
    return tuple(
        Review(
            list_no=_s(r, "list_no"),
            level=_int(r, "level"),
            reviewer_id=_s(r, "reviewer_id"),
            role=_s(r, "role"),
            decision=Decision(_s(r, "decision")),
            at=_when(r, "at"),
            digest=_s(r, "digest"),
        )
        for r in bound["reviews"].records
    )


def _transactions(bound: dict[str, Bound], issues: list[Issue]) -> tuple[Transaction, ...]:
    records = bound["transactions"].records
    unique(records, "txn_id", "交易流水号", issues)
    if has_errors(issues):
        return ()
    out = []
    for r in records:
        balance = r.values.get("balance_after")
        out.append(
            Transaction(
                txn_id=_s(r, "txn_id"),
                account=_s(r, "account"),
                at=_when(r, "at"),
                direction=Direction(_s(r, "direction")),
                amount_fen=_fen(r, "amount"),
                counterparty_name=_s(r, "counterparty_name"),
                counterparty_account=_s(r, "counterparty_account"),
                reference=_s(r, "reference"),
                balance_after_fen=to_fen(balance) if isinstance(balance, Decimal) else None,
            )
        )
    return tuple(out)


def import_agreements(
    source: Path | Sequence[Path] | WorkbookData,
    *,
    engine: Engine | None = None,
    limits: Limits = DEFAULT_LIMITS,
    options: CellOptions | None = None,
) -> Imported[tuple[Agreement, ...]]:
    """补偿协议 → ``(agreements | None, issues)``."""
    return _run(AGREEMENTS, source, _agreements, engine, limits, options)


def import_payment_lists(
    source: Path | Sequence[Path] | WorkbookData,
    *,
    engine: Engine | None = None,
    limits: Limits = DEFAULT_LIMITS,
    options: CellOptions | None = None,
) -> Imported[tuple[PaymentList, ...]]:
    """发放清单 (清单 + 清单明细) → ``(lists | None, issues)``."""
    return _run(PAYMENT_LIST, source, _payment_lists, engine, limits, options)


def import_reviews(
    source: Path | Sequence[Path] | WorkbookData,
    *,
    engine: Engine | None = None,
    limits: Limits = DEFAULT_LIMITS,
    options: CellOptions | None = None,
) -> Imported[tuple[Review, ...]]:
    """审核记录 → ``(reviews | None, issues)``."""
    return _run(REVIEWS, source, _reviews, engine, limits, options)


def import_bank_statement(
    source: Path | Sequence[Path] | WorkbookData,
    *,
    engine: Engine | None = None,
    limits: Limits = DEFAULT_LIMITS,
    options: CellOptions | None = None,
) -> Imported[tuple[Transaction, ...]]:
    """专户流水 → ``(transactions | None, issues)``."""
    return _run(BANK_STATEMENT, source, _transactions, engine, limits, options)
