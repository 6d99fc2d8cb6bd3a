"""Why the journal refused a command: errors as values with stable codes.

A refused command writes nothing; in a batch (``append_many``) one refusal
refuses the whole batch (all-or-nothing). A storage failure (``STORAGE_*``)
refuses the whole batch the same way, as one rejection at index 0. Codes that name the same fact as a
reconciliation finding (funds.md, "Reconciliation") use the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    """Stable rejection codes."""

    # command form
    MALFORMED_COMMAND = "MALFORMED_COMMAND"
    INVALID_ID = "INVALID_ID"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    COMMAND_ID_CONFLICT = "COMMAND_ID_CONFLICT"
    # projects and the dedicated account (专户)
    PROJECT_EXISTS = "PROJECT_EXISTS"
    UNKNOWN_PROJECT = "UNKNOWN_PROJECT"
    ACCOUNT_IN_USE = "ACCOUNT_IN_USE"
    PROJECT_ALREADY_STARTED = "PROJECT_ALREADY_STARTED"
    UNDERFUNDED_START = "UNDERFUNDED_START"
    DUPLICATE_TRANSACTION = "DUPLICATE_TRANSACTION"
    CROSS_PROJECT_TRANSFER = "CROSS_PROJECT_TRANSFER"
    ALLOCATION_EXISTS = "ALLOCATION_EXISTS"
    # agreements
    AGREEMENT_EXISTS = "AGREEMENT_EXISTS"
    UNKNOWN_AGREEMENT = "UNKNOWN_AGREEMENT"
    AGREEMENT_OTHER_PROJECT = "AGREEMENT_OTHER_PROJECT"
    AGREEMENT_ALREADY_EFFECTIVE = "AGREEMENT_ALREADY_EFFECTIVE"
    EFFECTIVE_BEFORE_SIGNED = "EFFECTIVE_BEFORE_SIGNED"
    # lists and reviews
    LIST_EXISTS = "LIST_EXISTS"
    UNKNOWN_LIST = "UNKNOWN_LIST"
    LIST_MALFORMED = "LIST_MALFORMED"
    LIST_OTHER_PROJECT = "LIST_OTHER_PROJECT"
    LIST_HAS_PAYMENTS = "LIST_HAS_PAYMENTS"
    LIST_UNCHANGED = "LIST_UNCHANGED"
    CATEGORY_MISMATCH = "CATEGORY_MISMATCH"
    REVIEW_DIGEST_UNKNOWN = "REVIEW_DIGEST_UNKNOWN"
    REVIEW_LEVEL_INVALID = "REVIEW_LEVEL_INVALID"
    #: a review dated at or before the last payment already booked on its list
    REVIEW_BACKDATED = "REVIEW_BACKDATED"
    # payments
    UNKNOWN_LINE = "UNKNOWN_LINE"
    LIST_NOT_APPROVED = "LIST_NOT_APPROVED"
    PAYMENT_BEFORE_APPROVAL = "PAYMENT_BEFORE_APPROVAL"
    PAYMENT_BEFORE_EFFECTIVE = "PAYMENT_BEFORE_EFFECTIVE"
    LINE_OVERPAID = "LINE_OVERPAID"
    AGREEMENT_OVERPAID = "AGREEMENT_OVERPAID"
    ACCOUNT_OVERDRAWN = "ACCOUNT_OVERDRAWN"
    # corrections
    UNKNOWN_ENTRY = "UNKNOWN_ENTRY"
    CORRECTION_NOT_SUPPORTED = "CORRECTION_NOT_SUPPORTED"
    ALREADY_CORRECTED = "ALREADY_CORRECTED"
    # storage: the backend failed; nothing was written and the same ids may be resubmitted
    STORAGE_FULL = "STORAGE_FULL"
    STORAGE_BUSY = "STORAGE_BUSY"
    STORAGE_ERROR = "STORAGE_ERROR"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A refused command.

    Attributes:
        code: a :class:`Code`.
        message: Chinese / English text naming the records involved.
        command_id: the command refused.
        index: its 0-based position in the batch.
    """

    code: Code
    message: str
    command_id: str = ""
    index: int = 0

    def __str__(self) -> str:
        return f"#{self.index} {self.command_id}: [{self.code.value}] {self.message}"

    def to_dict(self) -> dict[str, str | int]:
        return {
            "index": self.index,
            "command_id": self.command_id,
            "code": self.code.value,
            "message": self.message,
        }
