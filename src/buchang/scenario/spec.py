"""The files of a scenario folder, as typed, immutable models.

A scenario folder holds (names relative to the folder):

``scenario.yaml`` — the manifest (:class:`Manifest`): title, the project
files (the library's own project format, :func:`buchang.api.read_project`),
extra table folders, an optional upfront-fund estimate input, an optional
fund-control script and the expected outputs.

``funds.yaml`` — the fund-control script (:class:`FundsScript`): the projects'
books (dedicated account, upfront requirement) and an ordered list of journal
commands (deposit, start, agreement, payment list, review, revision, payment,
allocation approval, relocation, correction), then the reconciliation set-up
(as-of date, bank-statement rows the journal does not hold).

``expected.yaml`` — the expected outputs (:class:`Expected`): figures by
project / subject / line / category, the error issues the computation is
expected to report, the estimate's figures, the journal's rejections and the
reconciliation findings by code.

All scalars are read as the text the author wrote (quoted decimals stay
exact; an unquoted ``12.5`` is refused), then validated here. Money in these
files is in **yuan** as decimal text with at most two places.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


def _two_places(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    if not value.is_finite() or (isinstance(exponent, int) and exponent < -2):
        raise ValueError(f"{value} is not an amount in yuan with at most two decimals")
    return value


#: An amount in yuan: decimal text, at most two places (分).
Yuan = Annotated[Decimal, AfterValidator(_two_places)]


class _M(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- manifest ---------------------------------------------------------------------------------


class Manifest(_M):
    """``scenario.yaml``.

    Attributes:
        title: one line saying what the scenario is.
        jurisdiction: readable name of the seed jurisdiction (崇明, 松江 …).
        documents: the documents that govern it (文号), for ``scenario list``.
        tables: extra table folders (the project's own compensation scheme, say),
            loaded after the shipped tables.
        projects: project files in the library's own format, computed in order.
        estimate: an upfront-fund estimate input (:mod:`buchang.rules.estimate`).
        funds: the fund-control script.
        expected: the expected outputs (default ``expected.yaml``).
    """

    title: str
    jurisdiction: str = ""
    documents: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    estimate: str | None = None
    funds: str | None = None
    expected: str = "expected.yaml"


# --- funds.yaml -------------------------------------------------------------------------------


class AmountOf(_M):
    """An amount taken from the computation: the sum of a subject's lines
    (optionally only some categories) — an agreement pays what was computed.

    Attributes:
        subject: household or collective id.
        project: the computed project (default: the scenario's first project).
        categories: categories to include (default: all lines of the subject).
    """

    subject: str
    project: str | None = None
    categories: tuple[str, ...] = ()


class FromEstimate(_M):
    """The upfront requirement taken from the scenario's estimate."""

    estimate: Literal["low", "expected", "high"]
    include_social_security: bool = True


#: An amount in a fund script: yuan, or taken from the computation.
FundAmount = Yuan | AmountOf


class FundProject(_M):
    """A project's books: dedicated account (专户) and upfront requirement (资金前置)."""

    project_id: str
    name: str
    account: str
    required_upfront: Yuan | FromEstimate = Decimal(0)
    review_levels: tuple[str, ...] = ("经办复核", "财务审核", "部门负责人", "分管领导")
    review_limits: tuple[Yuan | None, ...] | None = None


class DepositSpec(_M):
    project: str
    txn: str
    amount: Yuan
    at: datetime
    counterparty_name: str = ""
    counterparty_account: str = ""
    reference: str = ""
    allocation: str = ""


class StartSpec(_M):
    project: str
    date: date


class AgreementSpec(_M):
    no: str
    project: str
    payee: str
    payee_id: str
    account: str
    category: str
    amount: FundAmount
    signed: date
    effective: date | None = None
    household: str = ""


class EffectiveSpec(_M):
    agreement: str
    date: date


class LineSpec(_M):
    """A payment-list line; payee, account and category default to the agreement's."""

    agreement: str
    due: date
    amount: FundAmount | None = None
    payee: str | None = None
    account: str | None = None
    category: str | None = None


class ListSpec(_M):
    no: str
    project: str
    preparer: str
    created: datetime
    lines: tuple[LineSpec, ...]
    reason: str = ""


class ReviewSpec(_M):
    """A review of a list's **current** content at this point of the script."""

    list: str
    level: int = Field(ge=1)
    reviewer: str
    at: datetime
    decision: Literal["通过", "退回"] = "通过"
    role: str | None = None


class PaySpec(_M):
    """A payment of (part of) a list line; the amount defaults to the whole line."""

    project: str
    txn: str
    list: str
    line: int = Field(ge=1)
    at: datetime
    amount: FundAmount | None = None
    reference: str = ""


class AllocationSpec(_M):
    no: str
    from_account: str
    to_account: str
    amount: Yuan
    approved_by: str
    at: datetime


class RelocationSpec(_M):
    project: str
    household: str
    on: date
    kind: str = "vacated"


class CorrectionSpec(_M):
    """Reverse the entry made by command ``of`` (a deposit, payment, review or relocation)."""

    of: str
    reason: str


class CommandSpec(_M):
    """One journal command: an id and exactly one action."""

    id: str
    note: str = ""
    open: str | None = None
    deposit: DepositSpec | None = None
    start: StartSpec | None = None
    agreement: AgreementSpec | None = None
    effective: EffectiveSpec | None = None
    list: ListSpec | None = None
    revise: ListSpec | None = None
    review: ReviewSpec | None = None
    pay: PaySpec | None = None
    allocation: AllocationSpec | None = None
    relocation: RelocationSpec | None = None
    correction: CorrectionSpec | None = None

    @model_validator(mode="after")
    def _one_action(self) -> CommandSpec:
        actions = [name for name in ACTIONS if getattr(self, name) is not None]
        if len(actions) != 1:
            raise ValueError(
                f"a command has exactly one action of {', '.join(ACTIONS)}; got {actions or 'none'}"
            )
        return self

    @property
    def action(self) -> str:
        return next(name for name in ACTIONS if getattr(self, name) is not None)


ACTIONS = (
    "open",
    "deposit",
    "start",
    "agreement",
    "effective",
    "list",
    "revise",
    "review",
    "pay",
    "allocation",
    "relocation",
    "correction",
)


class StatementRow(_M):
    """A bank-statement row the journal does not hold (money moved outside the books)."""

    txn: str
    account: str
    at: datetime
    direction: Literal["in", "out"]
    amount: Yuan
    counterparty_name: str = ""
    counterparty_account: str = ""
    reference: str = ""


class ReconcileSpec(_M):
    """Reconciliation of the journal's books against the bank statement.

    The statement is the journal's booked movements plus ``statement_extra``.
    """

    as_of: date
    tolerance: Yuan = Decimal(0)
    window_days: int = Field(default=30, ge=0)
    statement_extra: tuple[StatementRow, ...] = ()


class FundsScript(_M):
    """``funds.yaml``."""

    projects: tuple[FundProject, ...]
    commands: tuple[CommandSpec, ...]
    reconcile: ReconcileSpec | None = None


# --- expected.yaml ----------------------------------------------------------------------------


class ExpLine(_M):
    """An expected result line: selected by subject (+ item, category, rule), one line exactly."""

    subject: str
    amount: Yuan
    item: str | None = None
    category: str | None = None
    rule: str | None = None


class ExpIssue(_M):
    """An issue the computation is expected to report: its code and, optionally, a text
    its location key must contain (``households[H03]``, ``H02/A4`` …)."""

    code: str
    key: str | None = None


class ExpProject(_M):
    """Expected outputs of one computed project.

    ``complete`` — every line of the result must be selected by an expected line
    (a new or vanished line fails the scenario); ``tables`` — table versions
    (``id@version``) the result must cite.
    """

    total: Yuan | None = None
    subjects: dict[str, Yuan] = {}
    categories: dict[str, Yuan] = {}
    lines: tuple[ExpLine, ...] = ()
    complete: bool = False
    issues: tuple[ExpIssue, ...] = ()
    tables: tuple[str, ...] = ()


class ExpEstimate(_M):
    """Expected figures of the upfront-fund estimate, for one of its scenarios."""

    scenario: Literal["low", "expected", "high"] = "expected"
    funds: dict[str, Yuan] = {}
    total: Yuan | None = None
    required_upfront: Yuan | None = None
    issues: tuple[ExpIssue, ...] = ()


class ExpRejection(_M):
    command: str
    code: str


class ExpFinding(_M):
    """An expected reconciliation finding: its code and any of the records it names."""

    code: str
    project: str | None = None
    list_no: str | None = None
    line_no: int | None = None
    agreement: str | None = None
    txn: str | None = None
    account: str | None = None
    household: str | None = None
    expected: Yuan | None = None
    actual: Yuan | None = None


class ExpCategory(_M):
    scheduled: Yuan | None = None
    approved: Yuan | None = None
    paid: Yuan | None = None
    unpaid: Yuan | None = None


class ExpReconcile(_M):
    """Expected reconciliation: findings (``complete``: no other finding allowed),
    line states (``"L1/2": paid``), control totals by category, conservation checks."""

    findings: tuple[ExpFinding, ...] = ()
    complete: bool = True
    line_states: dict[str, str] = {}
    categories: dict[str, ExpCategory] = {}
    checks_ok: bool = True


class ExpFunds(_M):
    """Expected outcome of the fund script.

    ``rejections`` — every command the journal must refuse (any other refusal
    fails the scenario); ``agreements`` — registered amounts; ``balances`` and
    ``required_upfront`` by project; ``paid`` by line (``"L1/1"``); ``corrections`` —
    how many reversing entries the journal holds (the trace of corrected mistakes).
    """

    rejections: tuple[ExpRejection, ...] = ()
    agreements: dict[str, Yuan] = {}
    required_upfront: dict[str, Yuan] = {}
    balances: dict[str, Yuan] = {}
    paid: dict[str, Yuan] = {}
    corrections: int | None = None
    verify_ok: bool = True
    reconcile: ExpReconcile | None = None


class Expected(_M):
    """``expected.yaml``."""

    projects: dict[str, ExpProject] = {}
    estimate: ExpEstimate | None = None
    funds: ExpFunds | None = None
