"""The journal's state machine: the invariants every command must keep.

:meth:`State.step` checks one event against the state and, only if it is
acceptable, applies it — so a refused command changes nothing. Every change
goes through an undo log (:meth:`State.mark` / :meth:`State.rollback`) so a
batch that fails part-way is undone completely (all-or-nothing).

Invariants (funds.md, "The journal" and "Records"; rejection codes in
:mod:`buchang.funds.journal.rejections`):

* 专户存储、专款专用 (国有土地上房屋征收与补偿条例 Art. 12): one dedicated account
  per project; no payment beyond its available balance (``ACCOUNT_OVERDRAWN``);
  money from another project's account only with a recorded allocation
  approval (调剂审批, ``CROSS_PROJECT_TRANSFER``).
* 资金前置 (巴南 2015 "前置资金不能确保的一律不得启动"): no start and no payment while
  net deposits are below the required upfront amount (``UNDERFUNDED_START``).
* Payments follow agreements: a list's lines reference registered agreements
  of the project, in the agreement's fund category; nothing is paid before the
  agreement took effect (``PAYMENT_BEFORE_EFFECTIVE``) or beyond its amount
  (``AGREEMENT_OVERPAID``) or the line's (``LINE_OVERPAID``).
* 四级审核: a payment needs its list approved — by
  :func:`buchang.funds.review.evaluate_reviews` on the list's current content
  and its recorded, uncorrected reviews, as they stood at the payment time
  (``LIST_NOT_APPROVED`` / ``PAYMENT_BEFORE_APPROVAL``); a review must be of a
  digest the list has had (``REVIEW_DIGEST_UNKNOWN``).
* A review is dated after every payment already booked on its list
  (``REVIEW_BACKDATED``, see :meth:`State._review`): a payment was judged on
  the reviews the journal had when it was booked, while reconciliation
  re-judges it from the recorded reviews by their dates — a review recorded
  later but dated at or before the list's last payment would make the two
  differ. (The bound is the last payment not struck by a correction; reviews
  keyed out of time order before any payment change no judgement and stay
  allowed.)
* Corrections reverse a deposit, payment, review or relocation once; they are
  new entries, never edits (崇明 2025 "锁定后台、留有痕迹"). A correction strikes
  an erroneous entry: the books then read as if it had never been made (the
  statement of :mod:`buchang.funds.journal.view`). Striking a deposit is
  therefore refused when the books without it break the rules the journal
  enforced when booking: the balance now would be negative, or a payment dated
  after it would have overdrawn the account (``ACCOUNT_OVERDRAWN``), or been
  made — or the project started — before the upfront funds were in
  (``UNDERFUNDED_START``). Strike the payments it funded first, or book the
  money that really came in (dated when it came) before striking the error.

Refusal messages name accounts masked (:func:`buchang.core.ids.mask`,
``3105************0001``): they reach logs, terminals and reports, the
journal itself keeps the full numbers.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate
from typing import Any, Final, NamedTuple, TypeVar

from buchang.core.ids import mask
from buchang.funds.journal.events import (
    AgreementTookEffect,
    ApproveAllocation,
    Correction,
    CreatePaymentList,
    Deposit,
    Event,
    EventType,
    ExecutePayment,
    OpenProject,
    RecordRelocation,
    RecordReview,
    RegisterAgreement,
    RevisePaymentList,
    StartProject,
)
from buchang.funds.journal.rejections import Code, Rejection
from buchang.funds.records import (
    Agreement,
    AllocationApproval,
    PaymentLine,
    PaymentList,
    Project,
    RelocationEvent,
    Review,
    ReviewConfig,
)
from buchang.funds.review import ReviewOutcome, evaluate_reviews

K = TypeVar("K")
V = TypeVar("V")

_MISSING: Final = object()

#: ``(project_id, signed change of its balance in 分)`` of an accepted event.
Applied = tuple[str, int]


class Effect(NamedTuple):
    """What a correctable entry did, so a correction can undo it exactly; for a
    deposit or payment also the bank-statement facts of the movement (a named
    tuple, not a dataclass: one is made per payment on the hot path).

    Attributes:
        kind: the entry's type.
        project_id: its project.
        amount_fen: amount moved (positive), 分.
        list_no, line_no, agreement_no: what a payment paid.
        allocation_no: the allocation approval a deposit used.
        txn_id, at, counterparty_name, counterparty_account, reference: the movement.
        balance_after_fen: the account balance after it, 分.
    """

    kind: EventType
    project_id: str
    amount_fen: int = 0
    list_no: str = ""
    line_no: int = 0
    agreement_no: str = ""
    allocation_no: str = ""
    txn_id: str = ""
    at: datetime | None = None
    counterparty_name: str = ""
    counterparty_account: str = ""
    reference: str = ""
    balance_after_fen: int = 0


@dataclass(frozen=True, slots=True)
class CorrectionRecord:
    """A correction entry ``seq`` reversing entry ``corrects_seq``."""

    seq: int
    corrects_seq: int
    reason: str
    project_id: str
    amount_fen: int


def _reject(code: Code, message: str) -> Rejection:
    return Rejection(code, message)


class State:
    """The fund-control state after some prefix of the journal.

    Public dicts are read-only for callers; all changes go through :meth:`step`.
    """

    def __init__(self) -> None:
        self.seq = 0
        self.projects: dict[str, Project] = {}
        self.review_configs: dict[str, ReviewConfig] = {}
        self.accounts: dict[str, str] = {}
        self.deposits: dict[str, int] = {}
        self.balance: dict[str, int] = {}
        self.agreements: dict[str, Agreement] = {}
        self.agreement_paid: dict[str, int] = {}
        self.lists: dict[str, PaymentList] = {}
        self.digests: dict[str, frozenset[str]] = {}
        self.current_digest: dict[str, str] = {}
        self.lines: dict[str, dict[int, PaymentLine]] = {}
        self.reviews: dict[str, tuple[tuple[int, Review], ...]] = {}
        self.line_paid: dict[tuple[str, int], int] = {}
        self.list_paid: dict[str, int] = {}
        self.list_paid_at: dict[str, datetime] = {}
        self.txns: dict[tuple[str, str], int] = {}
        self.effects: dict[int, Effect] = {}
        self.corrected: dict[int, int] = {}
        self.corrections: dict[int, CorrectionRecord] = {}
        self.allocations: dict[str, AllocationApproval] = {}
        self.allocation_used: dict[str, int] = {}
        self.relocations: dict[int, tuple[str, RelocationEvent]] = {}
        self._undo: list[tuple[dict[Any, Any], Any, Any]] = []
        self._approvals: dict[
            str, tuple[str, tuple[tuple[int, Review], ...], ReviewOutcome, datetime | None]
        ] = {}

    # --- undo log -------------------------------------------------------------

    def _put(self, d: dict[K, V], key: K, value: V) -> None:
        self._undo.append((d, key, d.get(key, _MISSING)))
        d[key] = value

    def _pop(self, d: dict[K, V], key: K) -> None:
        self._undo.append((d, key, d[key]))
        del d[key]

    def _add(self, d: dict[K, int], key: K, amount: int) -> None:
        self._put(d, key, d.get(key, 0) + amount)

    def mark(self) -> tuple[int, int]:
        """A point to :meth:`rollback` to."""
        return (len(self._undo), self.seq)

    def rollback(self, mark: tuple[int, int]) -> None:
        """Undo every change made since ``mark``."""
        n, seq = mark
        undo = self._undo
        while len(undo) > n:
            d, key, old = undo.pop()
            if old is _MISSING:
                d.pop(key, None)
            else:
                d[key] = old
        self.seq = seq

    def commit(self) -> None:
        """Forget the undo log (the changes are durable)."""
        self._undo.clear()

    # --- the step -------------------------------------------------------------

    def step(self, event: Event) -> Rejection | Applied:
        """Check ``event`` as entry ``self.seq + 1``; apply it only if acceptable."""
        seq = self.seq + 1
        result = self._dispatch(event, seq)
        if not isinstance(result, Rejection):
            self.seq = seq
        return result

    def _dispatch(self, event: Event, seq: int) -> Rejection | Applied:
        match event:
            case ExecutePayment():
                return self._payment(event, seq)
            case Deposit():
                return self._deposit(event, seq)
            case OpenProject():
                return self._open(event)
            case RegisterAgreement():
                return self._agreement(event)
            case AgreementTookEffect():
                return self._effective(event)
            case CreatePaymentList() | RevisePaymentList():
                return self._list(event)
            case RecordReview():
                return self._review(event, seq)
            case StartProject():
                return self._start(event)
            case Correction():
                return self._correction(event, seq)
            case ApproveAllocation():
                return self._allocation(event)
            case RecordRelocation():
                return self._relocation(event, seq)
        raise TypeError(f"not a journal event: {type(event).__name__}")  # pragma: no cover

    # --- projects and money in ---------------------------------------------

    def _open(self, ev: OpenProject) -> Rejection | Applied:
        p = ev.project
        if not p.project_id or not p.account:
            return _reject(
                Code.INVALID_ID, "项目编号和专户账号不能为空 / project id and account are required"
            )
        if p.start_date is not None:
            return _reject(
                Code.MALFORMED_COMMAND, "开立时不能带启动日期 / record the start with StartProject"
            )
        if p.required_upfront_fen < 0:
            return _reject(Code.INVALID_AMOUNT, "前置资金要求不能为负 / required upfront amount is negative")
        if p.project_id in self.projects:
            return _reject(Code.PROJECT_EXISTS, f"项目{p.project_id}已开立 / project already opened")
        if p.account in self.accounts:
            return _reject(
                Code.ACCOUNT_IN_USE,
                f"专户{mask(p.account)}已属于项目{self.accounts[p.account]} / account is another project's (专户专用)",
            )
        pid = p.project_id
        self._put(self.projects, pid, p)
        self._put(self.review_configs, pid, ev.review_config)
        self._put(self.accounts, p.account, pid)
        self._put(self.deposits, pid, 0)
        self._put(self.balance, pid, 0)
        return (pid, 0)

    def _project(self, pid: str) -> Project | Rejection:
        p = self.projects.get(pid)
        if p is None:
            return _reject(Code.UNKNOWN_PROJECT, f"未开立的项目{pid} / unknown project {pid!r}")
        return p

    def _deposit(self, ev: Deposit, seq: int) -> Rejection | Applied:
        if ev.amount_fen <= 0:
            return _reject(
                Code.INVALID_AMOUNT, f"存入金额须为正 / deposit must be positive ({ev.amount_fen} 分)"
            )
        p = self._project(ev.project_id)
        if isinstance(p, Rejection):
            return p
        if not ev.txn_id:
            return _reject(Code.INVALID_ID, "流水号不能为空 / txn_id is required")
        if (p.project_id, ev.txn_id) in self.txns:
            return _reject(
                Code.DUPLICATE_TRANSACTION, f"流水号{ev.txn_id}已入账 / transaction already booked"
            )
        other = self.accounts.get(ev.counterparty_account)
        if ev.allocation_no or (other is not None and other != p.project_id):
            ap = self.allocations.get(ev.allocation_no)
            used = self.allocation_used.get(ev.allocation_no, 0)
            if (
                ap is None
                or ap.to_account != p.account
                or ap.from_account != ev.counterparty_account
                or used + ev.amount_fen > ap.amount_fen
            ):
                return _reject(
                    Code.CROSS_PROJECT_TRANSFER,
                    f"来自账户{mask(ev.counterparty_account)}的资金调剂无相符的审批{ev.allocation_no or '(无)'} / "
                    "inter-project transfer without a matching allocation approval (调剂审批)",
                )
            self._add(self.allocation_used, ev.allocation_no, ev.amount_fen)
        pid = p.project_id
        self._add(self.deposits, pid, ev.amount_fen)
        self._add(self.balance, pid, ev.amount_fen)
        self._put(self.txns, (pid, ev.txn_id), seq)
        move = Effect(
            EventType.DEPOSIT,
            pid,
            ev.amount_fen,
            allocation_no=ev.allocation_no,
            txn_id=ev.txn_id,
            at=ev.at,
            counterparty_name=ev.counterparty_name,
            counterparty_account=ev.counterparty_account,
            reference=ev.reference,
            balance_after_fen=self.balance[pid],
        )
        self._put(self.effects, seq, move)
        return (pid, ev.amount_fen)

    def _start(self, ev: StartProject) -> Rejection | Applied:
        p = self._project(ev.project_id)
        if isinstance(p, Rejection):
            return p
        if p.start_date is not None:
            return _reject(Code.PROJECT_ALREADY_STARTED, f"项目已于{p.start_date}启动 / already started")
        gate = self._upfront_gate(p, "启动 / start")
        if gate is not None:
            return gate
        self._put(self.projects, p.project_id, dataclasses.replace(p, start_date=ev.start_date))
        return (p.project_id, 0)

    def _upfront_gate(self, p: Project, what: str) -> Rejection | None:
        have = self.deposits.get(p.project_id, 0)
        if have < p.required_upfront_fen:
            return _reject(
                Code.UNDERFUNDED_START,
                f"前置资金不足，不得{what}：已存入{have}分，应存入{p.required_upfront_fen}分 "
                f"(巴南2015 前置资金不能确保的一律不得启动) / upfront funds {have} < required "
                f"{p.required_upfront_fen} fen",
            )
        return None

    def _allocation(self, ev: ApproveAllocation) -> Rejection | Applied:
        ap = ev.approval
        if not ap.approval_no:
            return _reject(Code.INVALID_ID, "审批编号不能为空 / approval_no is required")
        if ap.amount_fen <= 0:
            return _reject(Code.INVALID_AMOUNT, "调剂金额须为正 / allocation amount must be positive")
        if ap.approval_no in self.allocations:
            return _reject(Code.ALLOCATION_EXISTS, f"调剂审批{ap.approval_no}已登记 / already recorded")
        self._put(self.allocations, ap.approval_no, ap)
        return (self.accounts.get(ap.to_account, ""), 0)

    def _relocation(self, ev: RecordRelocation, seq: int) -> Rejection | Applied:
        p = self._project(ev.project_id)
        if isinstance(p, Rejection):
            return p
        if not ev.relocation.household_ref:
            return _reject(Code.INVALID_ID, "户号不能为空 / household_ref is required")
        self._put(self.relocations, seq, (p.project_id, ev.relocation))
        self._put(self.effects, seq, Effect(EventType.RELOCATION_RECORDED, p.project_id))
        return (p.project_id, 0)

    # --- agreements, lists, reviews ------------------------------------------

    def _agreement(self, ev: RegisterAgreement) -> Rejection | Applied:
        a = ev.agreement
        if not a.agreement_no:
            return _reject(Code.INVALID_ID, "协议编号不能为空 / agreement_no is required")
        p = self._project(a.project_id)
        if isinstance(p, Rejection):
            return p
        if a.agreement_no in self.agreements:
            return _reject(
                Code.AGREEMENT_EXISTS, f"协议{a.agreement_no}已登记 / agreement already registered"
            )
        if a.amount_fen <= 0:
            return _reject(
                Code.INVALID_AMOUNT, f"协议金额须为正 / agreement amount must be positive ({a.amount_fen})"
            )
        if a.effective_date is not None and a.effective_date < a.signed_date:
            return _reject(Code.EFFECTIVE_BEFORE_SIGNED, "生效日期早于签订日期 / effective before signed")
        self._put(self.agreements, a.agreement_no, a)
        return (a.project_id, 0)

    def _effective(self, ev: AgreementTookEffect) -> Rejection | Applied:
        a = self.agreements.get(ev.agreement_no)
        if a is None:
            return _reject(Code.UNKNOWN_AGREEMENT, f"未登记的协议{ev.agreement_no} / unknown agreement")
        if a.effective_date is not None:
            return _reject(
                Code.AGREEMENT_ALREADY_EFFECTIVE, f"协议已于{a.effective_date}生效 / already effective"
            )
        if ev.effective_date < a.signed_date:
            return _reject(Code.EFFECTIVE_BEFORE_SIGNED, "生效日期早于签订日期 / effective before signed")
        self._put(self.agreements, a.agreement_no, dataclasses.replace(a, effective_date=ev.effective_date))
        return (a.project_id, 0)

    def _check_lines(self, pl: PaymentList) -> Rejection | None:
        if not pl.lines:
            return _reject(Code.LIST_MALFORMED, "清单没有明细 / a list needs lines")
        seen: set[int] = set()
        for ln in pl.lines:
            where = f"{pl.list_no}第{ln.line_no}行"
            if ln.list_no != pl.list_no or ln.line_no in seen or ln.line_no < 1:
                return _reject(
                    Code.LIST_MALFORMED, f"{where}：行号重复或清单号不符 / duplicate line or wrong list_no"
                )
            seen.add(ln.line_no)
            if ln.amount_fen <= 0:
                return _reject(Code.INVALID_AMOUNT, f"{where}：金额须为正 / line amount must be positive")
            a = self.agreements.get(ln.agreement_no)
            if a is None:
                return _reject(
                    Code.UNKNOWN_AGREEMENT,
                    f"{where}：协议{ln.agreement_no}未登记 / references no registered agreement",
                )
            if a.project_id != pl.project_id:
                return _reject(
                    Code.AGREEMENT_OTHER_PROJECT, f"{where}：协议属于项目{a.project_id} / other project"
                )
            if ln.category != a.category:
                return _reject(
                    Code.CATEGORY_MISMATCH,
                    f"{where}：类别{ln.category}与协议类别{a.category}不符（专款专用） / category differs from agreement",
                )
        return None

    def _list(self, ev: CreatePaymentList | RevisePaymentList) -> Rejection | Applied:
        pl = ev.plist
        if not pl.list_no:
            return _reject(Code.INVALID_ID, "清单编号不能为空 / list_no is required")
        p = self._project(pl.project_id)
        if isinstance(p, Rejection):
            return p
        old = self.lists.get(pl.list_no)
        if isinstance(ev, CreatePaymentList):
            if old is not None:
                return _reject(Code.LIST_EXISTS, f"清单{pl.list_no}已存在 / list exists (revise it instead)")
        else:
            if old is None:
                return _reject(Code.UNKNOWN_LIST, f"未登记的清单{pl.list_no} / unknown list")
            if old.project_id != pl.project_id:
                return _reject(
                    Code.LIST_OTHER_PROJECT, "修订不能改变项目 / a revision cannot change the project"
                )
            if self.list_paid.get(pl.list_no, 0) != 0:
                return _reject(Code.LIST_HAS_PAYMENTS, "清单已有付款，不能修订 / the list has payments")
            if old.digest == pl.digest:
                return _reject(Code.LIST_UNCHANGED, "修订内容与现清单相同 / the revision changes nothing")
        bad = self._check_lines(pl)
        if bad is not None:
            return bad
        digest = pl.digest
        self._put(self.lists, pl.list_no, pl)
        self._put(self.current_digest, pl.list_no, digest)
        self._put(self.lines, pl.list_no, {ln.line_no: ln for ln in pl.lines})
        self._put(self.digests, pl.list_no, self.digests.get(pl.list_no, frozenset()) | {digest})
        if old is None:
            self._put(self.reviews, pl.list_no, ())
        return (pl.project_id, 0)

    def _review(self, ev: RecordReview, seq: int) -> Rejection | Applied:
        r = ev.review
        pl = self.lists.get(r.list_no)
        if pl is None:
            return _reject(Code.UNKNOWN_LIST, f"未登记的清单{r.list_no} / unknown list")
        cfg = self.review_configs[pl.project_id]
        if not 1 <= r.level <= cfg.levels:
            return _reject(
                Code.REVIEW_LEVEL_INVALID, f"审核级次{r.level}不在1–{cfg.levels} / level out of range"
            )
        if r.digest not in self.digests[r.list_no]:
            return _reject(
                Code.REVIEW_DIGEST_UNKNOWN,
                f"审核所见摘要{r.digest[:12]}…不是清单{r.list_no}的任何版本 / digest the list never had",
            )
        last_paid = self.list_paid_at.get(r.list_no)
        if last_paid is not None and r.at <= last_paid:
            return _reject(
                Code.REVIEW_BACKDATED,
                f"审核时间{r.at:%Y-%m-%d %H:%M:%S}不晚于清单{r.list_no}已入账的最后一笔付款"
                f"（{last_paid:%Y-%m-%d %H:%M:%S}），付款已按当时的审核判定 / a review dated at or before "
                "the last payment booked on the list: that payment was judged on the reviews booked before it",
            )
        self._put(self.reviews, r.list_no, (*self.reviews[r.list_no], (seq, r)))
        self._put(self.effects, seq, Effect(EventType.REVIEW_RECORDED, pl.project_id, list_no=r.list_no))
        return (pl.project_id, 0)

    # --- payments -------------------------------------------------------------

    def approval(self, list_no: str, at: datetime | None = None) -> ReviewOutcome:
        """The review outcome of a list now, or as it stood at ``at``."""
        pl = self.lists[list_no]
        reviews = self.reviews[list_no]
        cfg = self.review_configs[pl.project_id]
        cached = self._approvals.get(list_no)
        digest = self.current_digest[list_no]
        if cached is None or cached[0] != digest or cached[1] is not reviews:
            outcome = evaluate_reviews(pl, [r for _, r in reviews], cfg)
            last = max((r.at for _, r in reviews), default=None)
            cached = (digest, reviews, outcome, last)
            self._approvals[list_no] = cached
        outcome, last = cached[2], cached[3]
        if at is None or (outcome.approved and last is not None and last <= at):
            return outcome  # every review was made by ``at``: the state then is the state now
        return evaluate_reviews(pl, [r for _, r in reviews], cfg, at=at)

    def _payment(self, ev: ExecutePayment, seq: int) -> Rejection | Applied:
        amount = ev.amount_fen
        if amount <= 0:
            return _reject(Code.INVALID_AMOUNT, f"付款金额须为正 / payment must be positive ({amount} 分)")
        p = self._project(ev.project_id)
        if isinstance(p, Rejection):
            return p
        pid = p.project_id
        if not ev.txn_id:
            return _reject(Code.INVALID_ID, "流水号不能为空 / txn_id is required")
        if (pid, ev.txn_id) in self.txns:
            return _reject(
                Code.DUPLICATE_TRANSACTION, f"流水号{ev.txn_id}已入账 / transaction already booked"
            )
        pl = self.lists.get(ev.list_no)
        if pl is None:
            return _reject(Code.UNKNOWN_LIST, f"未登记的清单{ev.list_no} / unknown list")
        if pl.project_id != pid:
            return _reject(
                Code.LIST_OTHER_PROJECT, f"清单{ev.list_no}属于项目{pl.project_id} / other project's list"
            )
        line = self.lines[pl.list_no].get(ev.line_no)
        if line is None:
            return _reject(Code.UNKNOWN_LINE, f"清单{ev.list_no}无第{ev.line_no}行 / no such line")
        gate = self._upfront_gate(p, "付款 / pay")
        if gate is not None:
            return gate
        outcome = self.approval(ev.list_no, ev.at)
        if not outcome.approved:
            codes = ",".join(sorted({pr.code for pr in outcome.problems}))
            later = self.approval(ev.list_no)
            if later.approved:
                return _reject(
                    Code.PAYMENT_BEFORE_APPROVAL,
                    f"清单{ev.list_no}于{later.approved_at}才审核通过，付款时间{ev.at} / paid before approval",
                )
            return _reject(
                Code.LIST_NOT_APPROVED, f"清单{ev.list_no}未通过四级审核 / list not approved ({codes})"
            )
        a = self.agreements[line.agreement_no]
        if a.effective_date is None or ev.at.date() < a.effective_date:
            return _reject(
                Code.PAYMENT_BEFORE_EFFECTIVE,
                f"协议{a.agreement_no}尚未生效（生效日{a.effective_date or '未定'}） / agreement not yet effective",
            )
        line_paid = self.line_paid.get((pl.list_no, line.line_no), 0)
        if line_paid + amount > line.amount_fen:
            return _reject(
                Code.LINE_OVERPAID,
                f"{pl.list_no}第{line.line_no}行：已付{line_paid}+{amount} > {line.amount_fen}分 / beyond the line",
            )
        agreement_paid = self.agreement_paid.get(a.agreement_no, 0)
        if agreement_paid + amount > a.amount_fen:
            return _reject(
                Code.AGREEMENT_OVERPAID,
                f"协议{a.agreement_no}：已付{agreement_paid}+{amount} > {a.amount_fen}分 / beyond the agreement",
            )
        balance = self.balance[pid]
        if amount > balance:
            return _reject(
                Code.ACCOUNT_OVERDRAWN,
                f"专户{mask(p.account)}可用余额{balance}分不足以支付{amount}分 / beyond the available balance",
            )
        self._put(self.balance, pid, balance - amount)
        self._add(self.line_paid, (pl.list_no, line.line_no), amount)
        self._add(self.list_paid, pl.list_no, amount)
        last_paid = self.list_paid_at.get(pl.list_no)
        if last_paid is None or ev.at > last_paid:
            self._put(self.list_paid_at, pl.list_no, ev.at)
        self._add(self.agreement_paid, a.agreement_no, amount)
        self._put(self.txns, (pid, ev.txn_id), seq)
        move = Effect(
            EventType.PAYMENT_EXECUTED,
            pid,
            amount,
            pl.list_no,
            line.line_no,
            a.agreement_no,
            "",
            ev.txn_id,
            ev.at,
            line.payee_name,
            line.payee_account,
            ev.reference or f"{pl.list_no}/{line.line_no} {a.agreement_no}",
            balance - amount,
        )
        self._put(self.effects, seq, move)
        return (pid, -amount)

    # --- corrections ----------------------------------------------------------

    def _correction(self, ev: Correction, seq: int) -> Rejection | Applied:
        target = ev.corrects_seq
        eff = self.effects.get(target)
        if eff is None:
            if 1 <= target <= self.seq:
                return _reject(
                    Code.CORRECTION_NOT_SUPPORTED,
                    f"第{target}条不可冲正（只冲正存入、付款、审核、搬迁） / only deposits, payments, "
                    "reviews and relocations are reversed",
                )
            return _reject(Code.UNKNOWN_ENTRY, f"没有第{target}条记录 / no entry {target}")
        if target in self.corrected:
            return _reject(
                Code.ALREADY_CORRECTED, f"第{target}条已由第{self.corrected[target]}条冲正 / already reversed"
            )
        pid = eff.project_id
        delta = 0
        if eff.kind is EventType.DEPOSIT:
            delta = -eff.amount_fen
            if self.balance[pid] + delta < 0:
                return _reject(
                    Code.ACCOUNT_OVERDRAWN,
                    "冲正存入将使专户余额为负 / reversing the deposit overdraws the account",
                )
            struck = self._strike_deposit_problem(target, eff)
            if struck is not None:
                return struck
            self._add(self.deposits, pid, delta)
            if eff.allocation_no:
                self._add(self.allocation_used, eff.allocation_no, delta)
        elif eff.kind is EventType.PAYMENT_EXECUTED:
            delta = eff.amount_fen
            self._add(self.line_paid, (eff.list_no, eff.line_no), -delta)
            self._add(self.list_paid, eff.list_no, -delta)
            self._add(self.agreement_paid, eff.agreement_no, -delta)
            if eff.at == self.list_paid_at.get(eff.list_no):
                self._restate_last_paid(eff.list_no, target)
        elif eff.kind is EventType.REVIEW_RECORDED:
            kept = tuple(x for x in self.reviews[eff.list_no] if x[0] != target)
            self._put(self.reviews, eff.list_no, kept)
        else:
            self._pop(self.relocations, target)
        if delta:
            self._add(self.balance, pid, delta)
        self._put(self.corrected, target, seq)
        self._put(self.corrections, seq, CorrectionRecord(seq, target, ev.reason, pid, delta))
        return (pid, delta)

    def _restate_last_paid(self, list_no: str, struck: int) -> None:
        """Latest time of the payments of ``list_no`` still standing once entry ``struck`` is struck."""
        times = [
            e.at
            for seq, e in self.effects.items()
            if e.kind is EventType.PAYMENT_EXECUTED
            and e.list_no == list_no
            and e.at is not None
            and seq != struck
            and seq not in self.corrected
        ]
        if times:
            self._put(self.list_paid_at, list_no, max(times))
        else:
            self._pop(self.list_paid_at, list_no)

    def _strike_deposit_problem(self, target: int, eff: Effect) -> Rejection | None:
        """Why the books could not carry deposit ``target`` struck, or ``None``.

        The books without it are read as a statement (the project's standing
        deposits and payments in (time, transaction id) order, as reconciliation
        reads them); a problem counts when striking the deposit makes it: a
        payment after it that left a balance of at least 0 now leaves less
        (``ACCOUNT_OVERDRAWN``), a payment made once the deposits up to its time
        reached the upfront requirement now made before (``UNDERFUNDED_START``),
        and the same for the start date (deposits on the start day count). The
        first such payment in statement order is named. Reads the project's
        movements once (corrections of deposits are rare).
        """
        pid, gone, d_at = eff.project_id, eff.amount_fen, eff.at
        assert d_at is not None  # deposits always carry their time
        moves = sorted(
            (e.at, e.txn_id, seq, e)
            for seq, e in self.effects.items()
            if e.project_id == pid
            and e.at is not None
            and e.kind in (EventType.DEPOSIT, EventType.PAYMENT_EXECUTED)
            and seq not in self.corrected
        )
        dep_at = [at for at, _, _, e in moves if e.kind is EventType.DEPOSIT]
        dep_cum = list(accumulate(e.amount_fen for _, _, _, e in moves if e.kind is EventType.DEPOSIT))

        def deposited(upto: datetime) -> tuple[int, int]:
            i = bisect_right(dep_at, upto)
            have = dep_cum[i - 1] if i else 0
            return have, have - (gone if d_at <= upto else 0)

        p = self.projects[pid]
        required = p.required_upfront_fen
        balance, passed = 0, False
        for at, txn_id, seq, e in moves:
            if seq == target:
                passed = True
            if e.kind is EventType.DEPOSIT:
                balance += e.amount_fen
                continue
            balance -= e.amount_fen
            if passed and balance >= 0 > balance - gone:
                return _reject(
                    Code.ACCOUNT_OVERDRAWN,
                    f"冲正第{target}条存入后，第{seq}条付款（{txn_id}，{at:%Y-%m-%d %H:%M}）将使专户余额为"
                    f"{balance - gone}分；请先冲正其付款 / with the deposit struck, payment entry {seq} "
                    f"({txn_id}) would have overdrawn the account ({balance - gone} fen): strike the "
                    "payments it funded first",
                )
            have, without = deposited(at)  # a payment at the very time of a deposit is funded by it
            if d_at <= at and have >= required > without:
                return _reject(
                    Code.UNDERFUNDED_START,
                    f"冲正第{target}条存入后，第{seq}条付款（{txn_id}，{at:%Y-%m-%d %H:%M}）时已存入仅"
                    f"{without}分，未达前置要求{required}分 / with the deposit struck, payment entry {seq} "
                    f"({txn_id}) would have been made with {without} fen deposited, short of the required "
                    f"upfront {required} fen",
                )
        if p.start_date is not None:
            have = sum(
                e.amount_fen
                for at, _, _, e in moves
                if e.kind is EventType.DEPOSIT and at.date() <= p.start_date
            )
            without = have - (gone if d_at.date() <= p.start_date else 0)
            if have >= required > without:
                return _reject(
                    Code.UNDERFUNDED_START,
                    f"冲正第{target}条存入后，开工日{p.start_date}时已存入仅{without}分，未达前置要求{required}分 / "
                    f"with the deposit struck, {without} fen were deposited by the start date "
                    f"{p.start_date}, short of the required upfront {required} fen",
                )
        return None
