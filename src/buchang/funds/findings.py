"""Reconciliation finding codes and the :class:`Finding` record.

The codes and their meanings are those of ``shared/spec/funds.md``
("Reconciliation", the table of codes); they are stable — tests and users match
on them. Each finding carries the records involved (project, list, line,
agreement, transactions), the expected, actual and difference amounts in fen,
and a message in Chinese and English.

Severity: every code is an ``error`` except the timing warnings
``PAYMENT_LATE`` and ``PAYMENT_OVERDUE`` (the money reached the right payee, or
is still owed, but not on the date the agreement set).

An outflow that a finding involves is *held* by it (its bucket) when the
code is in :data:`HOLDING_ORDER`; when several holding findings involve the same
outflow, the first code in that order wins, so every outflow lands in exactly
one bucket. Account-level findings (``ACCOUNT_OVERDRAWN``, ``BALANCE_MISMATCH``),
household-level ``RELOCATION_BEFORE_PAYMENT`` and the warnings hold nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from buchang.core.errors import Severity

REVIEW_LEVEL_MISSING: Final = "REVIEW_LEVEL_MISSING"
REVIEW_OUT_OF_ORDER: Final = "REVIEW_OUT_OF_ORDER"
REVIEWER_NOT_DISTINCT: Final = "REVIEWER_NOT_DISTINCT"
REVIEW_STALE: Final = "REVIEW_STALE"
REVIEW_LIMIT_EXCEEDED: Final = "REVIEW_LIMIT_EXCEEDED"
REVIEW_REJECTED_PAID: Final = "REVIEW_REJECTED_PAID"
PAYMENT_UNSCHEDULED: Final = "PAYMENT_UNSCHEDULED"
PAYMENT_DUPLICATE: Final = "PAYMENT_DUPLICATE"
PAYMENT_AMOUNT_MISMATCH: Final = "PAYMENT_AMOUNT_MISMATCH"
PAYMENT_WRONG_PAYEE: Final = "PAYMENT_WRONG_PAYEE"
PAYMENT_BEFORE_APPROVAL: Final = "PAYMENT_BEFORE_APPROVAL"
PAYMENT_BEFORE_EFFECTIVE: Final = "PAYMENT_BEFORE_EFFECTIVE"
PAYMENT_LATE: Final = "PAYMENT_LATE"
PAYMENT_OVERDUE: Final = "PAYMENT_OVERDUE"
AGREEMENT_OVERPAID: Final = "AGREEMENT_OVERPAID"
CATEGORY_MISMATCH: Final = "CATEGORY_MISMATCH"
ACCOUNT_OVERDRAWN: Final = "ACCOUNT_OVERDRAWN"
BALANCE_MISMATCH: Final = "BALANCE_MISMATCH"
CROSS_PROJECT_TRANSFER: Final = "CROSS_PROJECT_TRANSFER"
UNDERFUNDED_START: Final = "UNDERFUNDED_START"
RELOCATION_BEFORE_PAYMENT: Final = "RELOCATION_BEFORE_PAYMENT"

#: Every code of the spec, in the spec's order.
ALL_CODES: Final = (
    REVIEW_LEVEL_MISSING,
    REVIEW_OUT_OF_ORDER,
    REVIEWER_NOT_DISTINCT,
    REVIEW_STALE,
    REVIEW_LIMIT_EXCEEDED,
    REVIEW_REJECTED_PAID,
    PAYMENT_UNSCHEDULED,
    PAYMENT_DUPLICATE,
    PAYMENT_AMOUNT_MISMATCH,
    PAYMENT_WRONG_PAYEE,
    PAYMENT_BEFORE_APPROVAL,
    PAYMENT_BEFORE_EFFECTIVE,
    PAYMENT_LATE,
    PAYMENT_OVERDUE,
    AGREEMENT_OVERPAID,
    CATEGORY_MISMATCH,
    ACCOUNT_OVERDRAWN,
    BALANCE_MISMATCH,
    CROSS_PROJECT_TRANSFER,
    UNDERFUNDED_START,
    RELOCATION_BEFORE_PAYMENT,
)

WARNING_CODES: Final = frozenset({PAYMENT_LATE, PAYMENT_OVERDUE})

#: Codes that hold the outflows they involve, strongest first (see module doc).
HOLDING_ORDER: Final = (
    CROSS_PROJECT_TRANSFER,
    PAYMENT_UNSCHEDULED,
    PAYMENT_WRONG_PAYEE,
    PAYMENT_DUPLICATE,
    PAYMENT_AMOUNT_MISMATCH,
    AGREEMENT_OVERPAID,
    PAYMENT_BEFORE_EFFECTIVE,
    CATEGORY_MISMATCH,
    REVIEW_REJECTED_PAID,
    REVIEW_STALE,
    REVIEWER_NOT_DISTINCT,
    REVIEW_LIMIT_EXCEEDED,
    REVIEW_OUT_OF_ORDER,
    REVIEW_LEVEL_MISSING,
    PAYMENT_BEFORE_APPROVAL,
    UNDERFUNDED_START,
)

#: Bucket of an outflow that no holding finding involves.
MATCHED: Final = "matched"


def severity_of(code: str) -> Severity:
    """The severity of a finding code."""
    return Severity.WARNING if code in WARNING_CODES else Severity.ERROR


@dataclass(frozen=True, slots=True)
class Finding:
    """One reconciliation finding.

    Attributes:
        code: a code of :data:`ALL_CODES`.
        severity: ``error`` or ``warning`` (:func:`severity_of`).
        project_id: the project concerned, if any.
        list_no: payment list (清单) concerned, if any.
        line_no: line of that list, if any.
        agreement_no: agreement (协议) concerned, if any.
        txn_ids: statement transactions involved, sorted.
        account: the dedicated account concerned, for account-level findings.
        household_ref: household, for ``RELOCATION_BEFORE_PAYMENT``.
        expected_fen: what the records say it should be, 分 (``None`` = not an amount check).
        actual_fen: what was found, 分.
        difference_fen: ``actual_fen - expected_fen``.
        message_zh: the finding in Chinese.
        message_en: the finding in English.
    """

    code: str
    severity: Severity
    project_id: str | None = None
    list_no: str | None = None
    line_no: int | None = None
    agreement_no: str | None = None
    txn_ids: tuple[str, ...] = ()
    account: str | None = None
    household_ref: str | None = None
    expected_fen: int | None = None
    actual_fen: int | None = None
    difference_fen: int | None = None
    message_zh: str = ""
    message_en: str = ""

    def sort_key(self) -> tuple[int, str, str, int, str, str, str, str]:
        """A total, input-order-free order for findings."""
        return (
            ALL_CODES.index(self.code),
            self.project_id or "",
            self.list_no or "",
            self.line_no or 0,
            self.agreement_no or "",
            ",".join(self.txn_ids),
            self.account or "",
            self.household_ref or "",
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "project_id": self.project_id,
            "list_no": self.list_no,
            "line_no": self.line_no,
            "agreement_no": self.agreement_no,
            "txn_ids": list(self.txn_ids),
            "account": self.account,
            "household_ref": self.household_ref,
            "expected_fen": self.expected_fen,
            "actual_fen": self.actual_fen,
            "difference_fen": self.difference_fen,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


def make_finding(
    code: str,
    message_zh: str,
    message_en: str,
    *,
    expected_fen: int | None = None,
    actual_fen: int | None = None,
    **records: object,
) -> Finding:
    """Build a :class:`Finding`, computing severity and the difference."""
    diff = None if expected_fen is None or actual_fen is None else actual_fen - expected_fen
    return Finding(
        code,
        severity_of(code),
        expected_fen=expected_fen,
        actual_fen=actual_fen,
        difference_fen=diff,
        message_zh=message_zh,
        message_en=message_en,
        **records,  # type: ignore[arg-type]
    )
