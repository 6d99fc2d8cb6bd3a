"""Journal events and commands (``shared/spec/funds.md``, "The journal").

The fund-control state of a project is the sequence of these events. Each is an
immutable record built from the shared records of :mod:`buchang.funds.records`;
a :class:`Command` pairs one event with the client-chosen command id that makes
resubmission safe (the same id and body again changes nothing — no double
payment; the same id with another body is ``COMMAND_ID_CONFLICT``).

Nothing here is ever edited: a mistake is undone by a :class:`Correction`, a new
reversing event naming the entry it corrects (崇明 2025 "锁定后台、留有痕迹").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from buchang.funds.records import (
    Agreement,
    AllocationApproval,
    PaymentList,
    Project,
    RelocationEvent,
    Review,
    ReviewConfig,
)


class EventType(StrEnum):
    """The kinds of journal entry; the value is what the entry's ``type`` holds."""

    PROJECT_OPENED = "project_opened"
    DEPOSIT = "deposit"
    AGREEMENT_REGISTERED = "agreement_registered"
    AGREEMENT_EFFECTIVE = "agreement_effective"
    LIST_CREATED = "payment_list_created"
    LIST_REVISED = "payment_list_revised"
    REVIEW_RECORDED = "review_recorded"
    PROJECT_STARTED = "project_started"
    PAYMENT_EXECUTED = "payment_executed"
    CORRECTION = "correction"
    ALLOCATION_APPROVED = "allocation_approved"
    RELOCATION_RECORDED = "relocation_recorded"


@dataclass(frozen=True, slots=True)
class OpenProject:
    """Open a project's books: its dedicated account (专户, 国有土地上房屋征收与补偿条例
    Art. 12 专户存储、专款专用) and the upfront amount that must be deposited
    before it may start (资金前置, 巴南 2015).

    Attributes:
        project: the project; ``start_date`` must be ``None`` (use :class:`StartProject`).
        review_config: the project's four-level review (level names, authority limits);
            recorded in the journal so a replay judges approvals exactly as the writer did.
    """

    project: Project
    review_config: ReviewConfig = field(default_factory=ReviewConfig)
    type: ClassVar[EventType] = EventType.PROJECT_OPENED


@dataclass(frozen=True, slots=True)
class Deposit:
    """Money into the project's dedicated account (专户收入), 分.

    A deposit whose counterparty account is another project's dedicated account
    is an inter-project allocation (调剂) and must cite its approval in
    ``allocation_no`` (funds.md: shifting money between projects is forbidden
    without the district top official's recorded approval).
    """

    project_id: str
    txn_id: str
    amount_fen: int
    at: datetime
    counterparty_name: str = ""
    counterparty_account: str = ""
    reference: str = ""
    allocation_no: str = ""
    type: ClassVar[EventType] = EventType.DEPOSIT


@dataclass(frozen=True, slots=True)
class RegisterAgreement:
    """Register a compensation agreement (补偿协议). An ``effective_date`` already
    set means the agreement took effect on signing; otherwise it waits for
    :class:`AgreementTookEffect` (附生效条件, 松江 2021)."""

    agreement: Agreement
    type: ClassVar[EventType] = EventType.AGREEMENT_REGISTERED


@dataclass(frozen=True, slots=True)
class AgreementTookEffect:
    """An agreement's condition of effect was met on ``effective_date``."""

    agreement_no: str
    effective_date: date
    type: ClassVar[EventType] = EventType.AGREEMENT_EFFECTIVE


@dataclass(frozen=True, slots=True)
class CreatePaymentList:
    """Record a payment list (补偿款发放清单); the entry stores its content digest
    (:attr:`PaymentList.digest`), to which reviews are bound."""

    plist: PaymentList
    type: ClassVar[EventType] = EventType.LIST_CREATED


@dataclass(frozen=True, slots=True)
class RevisePaymentList:
    """Replace the content of a list that has no payments yet. Its new digest
    makes every review of the old content stale (funds.md, four-level review)."""

    plist: PaymentList
    reason: str = ""
    type: ClassVar[EventType] = EventType.LIST_REVISED


@dataclass(frozen=True, slots=True)
class RecordReview:
    """Record one review decision (审核, 通过 / 退回) on a list digest."""

    review: Review
    type: ClassVar[EventType] = EventType.REVIEW_RECORDED


@dataclass(frozen=True, slots=True)
class StartProject:
    """Record the start of expropriation; refused while deposits are below the
    required upfront amount (巴南 2015 "前置资金不能确保的一律不得启动")."""

    project_id: str
    start_date: date
    type: ClassVar[EventType] = EventType.PROJECT_STARTED


@dataclass(frozen=True, slots=True)
class ExecutePayment:
    """Pay (part of) one line of an approved list out of the dedicated account,
    to the line's payee account, 分."""

    project_id: str
    txn_id: str
    list_no: str
    line_no: int
    amount_fen: int
    at: datetime
    reference: str = ""
    type: ClassVar[EventType] = EventType.PAYMENT_EXECUTED


@dataclass(frozen=True, slots=True)
class Correction:
    """Reverse the entry ``corrects_seq`` (a deposit, payment, review or
    relocation): a new record, never an edit (崇明 2025 "锁定后台、留有痕迹")."""

    corrects_seq: int
    reason: str
    type: ClassVar[EventType] = EventType.CORRECTION


@dataclass(frozen=True, slots=True)
class ApproveAllocation:
    """Record an inter-project allocation approval (调剂审批)."""

    approval: AllocationApproval
    type: ClassVar[EventType] = EventType.ALLOCATION_APPROVED


@dataclass(frozen=True, slots=True)
class RecordRelocation:
    """Record that a household vacated or was demolished (for 先补偿、后搬迁)."""

    project_id: str
    relocation: RelocationEvent
    type: ClassVar[EventType] = EventType.RELOCATION_RECORDED


Event = (
    OpenProject
    | Deposit
    | RegisterAgreement
    | AgreementTookEffect
    | CreatePaymentList
    | RevisePaymentList
    | RecordReview
    | StartProject
    | ExecutePayment
    | Correction
    | ApproveAllocation
    | RecordRelocation
)


@dataclass(frozen=True, slots=True)
class Command:
    """One command to the journal: an event and the client-chosen id that makes
    it idempotent.

    Attributes:
        command_id: 1–128 characters, no quote, backslash or control character.
        event: what to record.
    """

    command_id: str
    event: Event
