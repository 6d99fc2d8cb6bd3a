"""The records fund control works on (``shared/spec/funds.md``, "Records").

Immutable, typed, amounts in integer 分 (fen). Dates are ``datetime.date``;
times are naive ``datetime.datetime`` in the office's local time (bank
statements give local time). A statement row without a time is at 00:00.

These records are shared by the journal (``buchang.funds.journal``), the
four-level review (``buchang.funds.review``) and reconciliation
(``buchang.funds.reconcile``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Decision(StrEnum):
    """A reviewer's decision: 通过 (pass) or 退回 (return for correction)."""

    PASS = "通过"
    RETURN = "退回"


class Direction(StrEnum):
    """Direction of a dedicated-account transaction: 收入 (in) or 支出 (out)."""

    IN = "in"
    OUT = "out"


@dataclass(frozen=True, slots=True)
class Project:
    """A project with its dedicated account (专户) and upfront requirement (资金前置).

    Attributes:
        project_id: the project's id.
        name: 项目名称.
        account: the dedicated account number (专户账号).
        required_upfront_fen: funds that must be deposited before start (from the estimate), 分.
        start_date: the recorded start date, if started.
    """

    project_id: str
    name: str
    account: str
    required_upfront_fen: int
    start_date: date | None = None


@dataclass(frozen=True, slots=True)
class Agreement:
    """A compensation agreement (补偿协议).

    Attributes:
        agreement_no: 协议编号.
        project_id: the project it belongs to.
        payee_name: 收款人.
        payee_id: 身份证号 or 统一社会信用代码 of the payee.
        payee_account: the payee's bank account.
        category: fund category (土地补偿费, 安置补助费, 房屋补偿费, 社会保障费用 …).
        amount_fen: agreed amount, 分.
        signed_date: 签订日期.
        effective_date: 生效日期; ``None`` = not yet effective (附生效条件 not met).
        household_ref: household / parcel reference.
    """

    agreement_no: str
    project_id: str
    payee_name: str
    payee_id: str
    payee_account: str
    category: str
    amount_fen: int
    signed_date: date
    effective_date: date | None = None
    household_ref: str = ""


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """One line of a payment list (补偿款发放清单).

    Attributes:
        list_no: the list it belongs to.
        line_no: 1-based line number inside the list.
        agreement_no: the agreement it pays.
        payee_name: 收款人.
        payee_account: account to pay into.
        category: fund category.
        amount_fen: amount to pay, 分.
        due_date: due date set by the agreement (按协议书约定期限).
    """

    list_no: str
    line_no: int
    agreement_no: str
    payee_name: str
    payee_account: str
    category: str
    amount_fen: int
    due_date: date


@dataclass(frozen=True, slots=True)
class PaymentList:
    """A payment list with its lines; its :attr:`digest` binds reviews to content.

    Attributes:
        list_no: 清单编号.
        project_id: project.
        preparer: 制表人 (person id).
        created_at: when it was made.
        lines: its lines, in line order.
    """

    list_no: str
    project_id: str
    preparer: str
    created_at: datetime
    lines: tuple[PaymentLine, ...] = ()

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def digest(self) -> str:
        """SHA-256 over the list's content (header and lines, in line order).

        Any change to a line (amount, payee, account, due date …) changes it,
        which makes every review of the old content stale (REVIEW_STALE).
        """
        return list_digest(self.list_no, self.project_id, self.preparer, self.lines)


def list_digest(list_no: str, project_id: str, preparer: str, lines: tuple[PaymentLine, ...]) -> str:
    """The canonical content digest of a payment list (hex SHA-256)."""
    body = {
        "list_no": list_no,
        "project_id": project_id,
        "preparer": preparer,
        "lines": [
            [
                ln.line_no,
                ln.agreement_no,
                ln.payee_name,
                ln.payee_account,
                ln.category,
                ln.amount_fen,
                ln.due_date.isoformat(),
            ]
            for ln in sorted(lines, key=lambda x: x.line_no)
        ],
    }
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True, slots=True)
class Review:
    """One review decision (审核) on a payment list.

    Attributes:
        list_no: the list reviewed.
        level: 1–4 (经办复核, 财务审核, 部门负责人, 分管领导 by default).
        reviewer_id: person id.
        role: the reviewer's role name.
        decision: 通过 or 退回.
        at: when.
        digest: the list digest the reviewer saw.
    """

    list_no: str
    level: int
    reviewer_id: str
    role: str
    decision: Decision
    at: datetime
    digest: str


@dataclass(frozen=True, slots=True)
class Transaction:
    """A dedicated-account transaction as the bank statement gives it (专户流水).

    Attributes:
        txn_id: the bank's transaction id.
        account: the account the statement is for.
        at: date and time (00:00 when the statement gives only a date).
        direction: in or out.
        amount_fen: positive amount, 分.
        counterparty_name: 对方户名.
        counterparty_account: 对方账号.
        reference: 摘要 (often carries list/line or agreement numbers).
        balance_after_fen: 余额 after the transaction, if the statement has it.
    """

    txn_id: str
    account: str
    at: datetime
    direction: Direction
    amount_fen: int
    counterparty_name: str = ""
    counterparty_account: str = ""
    reference: str = ""
    balance_after_fen: int | None = None


@dataclass(frozen=True, slots=True)
class AllocationApproval:
    """An approved inter-project allocation (调剂审批), required for any transfer
    between projects' accounts (approved by the district's top official)."""

    approval_no: str
    from_account: str
    to_account: str
    amount_fen: int
    approved_by: str
    approved_at: datetime


@dataclass(frozen=True, slots=True)
class RelocationEvent:
    """A household vacated or demolished (先补偿、后搬迁 is checked against it)."""

    household_ref: str
    on: date
    kind: str = "vacated"


@dataclass(frozen=True, slots=True)
class ReviewConfig:
    """Configuration of the four-level review (四级审核).

    Attributes:
        level_names: names of levels 1..n (the count is fixed at four by default).
        limits_fen: authority limit per level (``None`` = no limit), same length.
    """

    level_names: tuple[str, ...] = ("经办复核", "财务审核", "部门负责人", "分管领导")
    limits_fen: tuple[int | None, ...] = field(default=(None, None, None, None))

    def __post_init__(self) -> None:
        if len(self.limits_fen) != len(self.level_names):
            raise ValueError("limits_fen must give one limit (or None) per level")

    @property
    def levels(self) -> int:
        return len(self.level_names)
