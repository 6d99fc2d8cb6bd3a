"""A stateful model test of the journal (issue 8, item 6).

Hypothesis drives random sequences of valid and invalid commands — opening
projects, deposits, agreements and their taking effect, payment lists and
their revision, reviews (valid, out of range, by the preparer, of stale or
unknown digests, 退回), payments (unapproved, not yet effective, over the line,
over the agreement, over the balance, duplicate transaction), corrections,
resubmissions of recorded command ids and id conflicts, back-dated reviews, and
corrections aimed at standing deposits, payments and reviews — alone and in batches,
against both the journal and :class:`Model`, a plain in-memory model written
here from funds.md, not from the library's code.

After every step: the same commands accepted and the same rejection codes, in
order; balances, deposits, paid amounts per line and the approval state of
every list agree; the head is where the model says. At the end of every run:
``verify(deep=True)`` is ok, a reopened journal replays to the same books,
and reconciling the journal's books (``view.transactions``, the statement they
imply) finds no money problem, the same paid amounts per line and the model's
closing balance — in runs with corrections as in runs without (a correction
strikes an erroneous entry; see :mod:`buchang.funds.journal.view`).

All times come from one clock that only moves forward, except the back-dated
reviews: so entry order is time order for money, and the model keeps money in
entry order.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from buchang.funds.journal import (
    AgreementTookEffect,
    Code,
    Command,
    Correction,
    CreatePaymentList,
    Deposit,
    ExecutePayment,
    Ledger,
    OpenProject,
    RecordReview,
    RegisterAgreement,
    RevisePaymentList,
    verify,
)
from buchang.funds.records import Agreement, Decision, PaymentLine, PaymentList, Project, Review

SIGNED = date(2025, 1, 10)
REVIEW_T0 = datetime(2025, 2, 1, 9, 0)
#: One clock for deposits, reviews and payments, a minute a tick (all in June 2025): what
#: the journal accepted in order is also in time order, as on a bank statement.
CLOCK_T0 = datetime(2025, 6, 1, 9, 0)
EFFECTIVE = {
    "signed": SIGNED,
    "before": date(2025, 1, 1),
    "early": date(2025, 3, 1),
    "late": date(2025, 12, 1),
}
CATEGORY = "房屋补偿费"
MONEY_FINDINGS = {
    "ACCOUNT_OVERDRAWN",
    "AGREEMENT_OVERPAID",
    "PAYMENT_DUPLICATE",
    "PAYMENT_UNSCHEDULED",
    "PAYMENT_WRONG_PAYEE",
    "PAYMENT_BEFORE_EFFECTIVE",
    "UNDERFUNDED_START",
    "CATEGORY_MISMATCH",
    "BALANCE_MISMATCH",
}

STEPS: Counter[str] = Counter()


# --- the model -----------------------------------------------------------------------------


@dataclass
class MList:
    project_id: str
    preparer: str
    lines: dict[int, tuple[str, int, str]]  # line -> (agreement, amount, category)
    digest: str
    digests: set[str] = field(default_factory=set)


@dataclass
class MReview:
    seq: int
    level: int
    reviewer: str
    decision: Decision
    at: datetime
    digest: str


@dataclass
class Model:
    """The books, kept the simplest way (funds.md: the journal, the four-level review)."""

    seq: int = 0
    upfront: dict[str, int] = field(default_factory=dict)
    account_of: dict[str, str] = field(default_factory=dict)
    deposits: dict[str, int] = field(default_factory=dict)
    balance: dict[str, int] = field(default_factory=dict)
    txns: set[tuple[str, str]] = field(default_factory=set)
    agreements: dict[str, tuple[str, int, date | None, str]] = field(default_factory=dict)
    agreement_paid: Counter[str] = field(default_factory=Counter)
    lists: dict[str, MList] = field(default_factory=dict)
    reviews: dict[str, list[MReview]] = field(default_factory=dict)
    line_paid: Counter[tuple[str, int]] = field(default_factory=Counter)
    list_paid: Counter[str] = field(default_factory=Counter)
    kinds: dict[int, str] = field(default_factory=dict)
    moves: dict[int, tuple[str, str, int, str, int, str]] = field(default_factory=dict)
    review_seq: dict[int, str] = field(default_factory=dict)
    paid_at: dict[int, tuple[str, datetime]] = field(default_factory=dict)  # payment seq -> (list, time)
    corrected: set[int] = field(default_factory=set)
    accepted: dict[str, Command] = field(default_factory=dict)

    def approved(self, list_no: str) -> bool:
        """Four levels passed on the current digest, in order, by four people other
        than the preparer, no 退回 standing (all times differ in this test)."""
        ml = self.lists[list_no]
        mine = sorted((r for r in self.reviews[list_no] if r.digest == ml.digest), key=lambda r: r.at)
        passed: dict[int, datetime] = {}
        for level in range(1, 5):
            here = [r for r in mine if r.level == level]
            returns = [i for i, r in enumerate(here) if r.decision is Decision.RETURN]
            after = [r for r in here[(returns[-1] + 1 if returns else 0) :] if r.decision is Decision.PASS]
            if not after:
                return False
            passed[level] = after[0].at
        if any(passed[k] < passed[k - 1] for k in range(2, 5)):
            return False
        levels: dict[str, set[int]] = {}
        for r in mine:
            levels.setdefault(r.reviewer, set()).add(r.level)
        return all(person != ml.preparer and len(lv) == 1 for person, lv in levels.items())

    # each returns a rejection code, or None after applying the event
    def step(self, ev: Any) -> Code | None:
        seq = self.seq + 1
        code = self._step(ev, seq)
        if code is None:
            self.seq = seq
        return code

    def _step(self, ev: Any, seq: int) -> Code | None:
        match ev:
            case OpenProject(project=p):
                if p.project_id in self.upfront:
                    return Code.PROJECT_EXISTS
                if p.account in self.account_of.values():
                    return Code.ACCOUNT_IN_USE
                self.upfront[p.project_id] = p.required_upfront_fen
                self.account_of[p.project_id] = p.account
                self.deposits[p.project_id] = self.balance[p.project_id] = 0
                self.kinds[seq] = "open"
            case Deposit():
                if ev.amount_fen <= 0:
                    return Code.INVALID_AMOUNT
                if ev.project_id not in self.upfront:
                    return Code.UNKNOWN_PROJECT
                if (ev.project_id, ev.txn_id) in self.txns:
                    return Code.DUPLICATE_TRANSACTION
                self.txns.add((ev.project_id, ev.txn_id))
                self.deposits[ev.project_id] += ev.amount_fen
                self.balance[ev.project_id] += ev.amount_fen
                self.kinds[seq] = "deposit"
                self.moves[seq] = ("deposit", ev.project_id, ev.amount_fen, "", 0, "")
            case RegisterAgreement(agreement=a):
                if a.project_id not in self.upfront:
                    return Code.UNKNOWN_PROJECT
                if a.agreement_no in self.agreements:
                    return Code.AGREEMENT_EXISTS
                if a.amount_fen <= 0:
                    return Code.INVALID_AMOUNT
                if a.effective_date is not None and a.effective_date < a.signed_date:
                    return Code.EFFECTIVE_BEFORE_SIGNED
                self.agreements[a.agreement_no] = (a.project_id, a.amount_fen, a.effective_date, a.category)
                self.kinds[seq] = "agreement"
            case AgreementTookEffect():
                if ev.agreement_no not in self.agreements:
                    return Code.UNKNOWN_AGREEMENT
                pid, amount, effective, category = self.agreements[ev.agreement_no]
                if effective is not None:
                    return Code.AGREEMENT_ALREADY_EFFECTIVE
                if ev.effective_date < SIGNED:
                    return Code.EFFECTIVE_BEFORE_SIGNED
                self.agreements[ev.agreement_no] = (pid, amount, ev.effective_date, category)
                self.kinds[seq] = "effective"
            case CreatePaymentList() | RevisePaymentList():
                return self._list(ev, seq)
            case RecordReview(review=r):
                if r.list_no not in self.lists:
                    return Code.UNKNOWN_LIST
                if not 1 <= r.level <= 4:
                    return Code.REVIEW_LEVEL_INVALID
                if r.digest not in self.lists[r.list_no].digests:
                    return Code.REVIEW_DIGEST_UNKNOWN
                standing = [
                    at for s, (ln, at) in self.paid_at.items() if ln == r.list_no and s not in self.corrected
                ]
                if standing and r.at <= max(standing):
                    return Code.REVIEW_BACKDATED  # the payments were judged without it
                self.reviews[r.list_no].append(
                    MReview(seq, r.level, r.reviewer_id, r.decision, r.at, r.digest)
                )
                self.kinds[seq] = "review"
                self.review_seq[seq] = r.list_no
            case ExecutePayment():
                return self._payment(ev, seq)
            case Correction():
                return self._correction(ev, seq)
            case _:
                raise AssertionError(f"not modelled: {ev!r}")
        return None

    def _list(self, ev: CreatePaymentList | RevisePaymentList, seq: int) -> Code | None:
        pl = ev.plist
        if pl.project_id not in self.upfront:
            return Code.UNKNOWN_PROJECT
        old = self.lists.get(pl.list_no)
        if isinstance(ev, CreatePaymentList):
            if old is not None:
                return Code.LIST_EXISTS
        else:
            if old is None:
                return Code.UNKNOWN_LIST
            if old.project_id != pl.project_id:
                return Code.LIST_OTHER_PROJECT
            if self.list_paid[pl.list_no]:
                return Code.LIST_HAS_PAYMENTS
            if old.digest == pl.digest:
                return Code.LIST_UNCHANGED
        for ln in pl.lines:
            if ln.amount_fen <= 0:
                return Code.INVALID_AMOUNT
            if ln.agreement_no not in self.agreements:
                return Code.UNKNOWN_AGREEMENT
            apid, _, _, category = self.agreements[ln.agreement_no]
            if apid != pl.project_id:
                return Code.AGREEMENT_OTHER_PROJECT
            if ln.category != category:
                return Code.CATEGORY_MISMATCH
        lines = {ln.line_no: (ln.agreement_no, ln.amount_fen, ln.category) for ln in pl.lines}
        digests = (old.digests if old else set()) | {pl.digest}
        self.lists[pl.list_no] = MList(pl.project_id, pl.preparer, lines, pl.digest, digests)
        self.reviews.setdefault(pl.list_no, [])
        self.kinds[seq] = "list"
        return None

    def _payment(self, ev: ExecutePayment, seq: int) -> Code | None:
        pid, amount = ev.project_id, ev.amount_fen
        if amount <= 0:
            return Code.INVALID_AMOUNT
        if pid not in self.upfront:
            return Code.UNKNOWN_PROJECT
        if (pid, ev.txn_id) in self.txns:
            return Code.DUPLICATE_TRANSACTION
        ml = self.lists.get(ev.list_no)
        if ml is None:
            return Code.UNKNOWN_LIST
        if ml.project_id != pid:
            return Code.LIST_OTHER_PROJECT
        if ev.line_no not in ml.lines:
            return Code.UNKNOWN_LINE
        if self.deposits[pid] < self.upfront[pid]:
            return Code.UNDERFUNDED_START
        if not self.approved(ev.list_no):
            return Code.LIST_NOT_APPROVED
        agreement_no, line_amount, _ = ml.lines[ev.line_no]
        _, agreed, effective, _ = self.agreements[agreement_no]
        if effective is None or ev.at.date() < effective:
            return Code.PAYMENT_BEFORE_EFFECTIVE
        if self.line_paid[ev.list_no, ev.line_no] + amount > line_amount:
            return Code.LINE_OVERPAID
        if self.agreement_paid[agreement_no] + amount > agreed:
            return Code.AGREEMENT_OVERPAID
        if amount > self.balance[pid]:
            return Code.ACCOUNT_OVERDRAWN
        self.txns.add((pid, ev.txn_id))
        self.balance[pid] -= amount
        self.line_paid[ev.list_no, ev.line_no] += amount
        self.list_paid[ev.list_no] += amount
        self.agreement_paid[agreement_no] += amount
        self.kinds[seq] = "payment"
        self.moves[seq] = ("payment", pid, amount, ev.list_no, ev.line_no, agreement_no)
        self.paid_at[seq] = (ev.list_no, ev.at)
        return None

    def _correction(self, ev: Correction, seq: int) -> Code | None:
        target = ev.corrects_seq
        kind = self.kinds.get(target)
        if kind not in ("deposit", "payment", "review"):
            return Code.CORRECTION_NOT_SUPPORTED if 1 <= target <= self.seq else Code.UNKNOWN_ENTRY
        if target in self.corrected:
            return Code.ALREADY_CORRECTED
        if kind == "review":
            list_no = self.review_seq[target]
            self.reviews[list_no] = [r for r in self.reviews[list_no] if r.seq != target]
        else:
            _, pid, amount, list_no, line_no, agreement_no = self.moves[target]
            if kind == "deposit":
                if self.balance[pid] < amount:
                    return Code.ACCOUNT_OVERDRAWN
                broken = self._without(target, pid)
                if broken is not None:
                    return broken
                self.deposits[pid] -= amount
                self.balance[pid] -= amount
            else:
                self.balance[pid] += amount
                self.line_paid[list_no, line_no] -= amount
                self.list_paid[list_no] -= amount
                self.agreement_paid[agreement_no] -= amount
        self.corrected.add(target)
        self.kinds[seq] = "correction"
        return None

    def _without(self, struck: int, pid: str) -> Code | None:
        """The books of ``pid`` read again, in entry (= time) order, as if deposit ``struck``
        had never been made: every payment must still leave a balance of at least 0 and
        come after the upfront funds were in; the first that does not gives the code."""
        balance = deposited = 0
        for seq in sorted(self.moves):
            kind, mpid, amount, *_ = self.moves[seq]
            if mpid != pid or seq == struck or seq in self.corrected:
                continue
            if kind == "deposit":
                balance += amount
                deposited += amount
                continue
            balance -= amount
            if balance < 0:
                return Code.ACCOUNT_OVERDRAWN
            if deposited < self.upfront[pid]:
                return Code.UNDERFUNDED_START
        return None

    def predict(self, cmds: list[Command]) -> tuple[list[tuple[int, Code]], list[bool], Model]:
        """Rejections ``(index, code)``, replay flags, and the model after the batch."""
        after = copy.deepcopy(self)
        rejected: list[tuple[int, Code]] = []
        replayed: list[bool] = []
        for i, cmd in enumerate(cmds):
            prior = after.accepted.get(cmd.command_id)
            if prior is not None:
                if prior == cmd:
                    replayed.append(True)
                else:
                    rejected.append((i, Code.COMMAND_ID_CONFLICT))
                continue
            code = after.step(cmd.event)
            if code is None:
                after.accepted[cmd.command_id] = cmd
                replayed.append(False)
            else:
                rejected.append((i, code))
        return rejected, replayed, after


# --- command specs, drawn by hypothesis and made concrete against the current books ---------

PIDS = st.sampled_from(("P1", "P2", "P9"))
AGREEMENTS = st.sampled_from(("A1", "A2", "A3", "A4"))
LISTS = st.sampled_from(("L1", "L2", "L3"))
TXNS = st.sampled_from(tuple(f"T{i}" for i in range(8)))

open_spec = st.tuples(
    st.just("open"),
    st.sampled_from(("P1", "P2")),
    st.sampled_from(("ACC-1", "ACC-2")),
    st.sampled_from((0, 100_000)),
)
deposit_spec = st.tuples(st.just("deposit"), PIDS, st.sampled_from((0, 15_000, 30_000, 100_000)), TXNS)
register_spec = st.tuples(
    st.just("register"),
    AGREEMENTS,
    PIDS,
    st.sampled_from((0, 20_000, 60_000)),
    st.sampled_from((None, "signed", "late", "before")),
    st.sampled_from((CATEGORY, "安置补助费")),
)
effect_spec = st.tuples(st.just("effect"), AGREEMENTS, st.sampled_from(("before", "early", "late")))
lines_spec = st.lists(
    st.tuples(AGREEMENTS, st.sampled_from((0, 10_000, 20_000, 60_000)), st.booleans()), min_size=1, max_size=3
)
list_spec = st.tuples(
    st.just("list"),
    st.sampled_from(("create", "create", "revise")),
    LISTS,
    PIDS,
    lines_spec,
    st.sampled_from(("prep", "r1")),
)
review_spec = st.tuples(
    st.just("review"),
    LISTS,
    st.sampled_from((0, 1, 2, 3, 4, 5)),
    st.sampled_from(("r1", "r2", "r3", "r4", "prep", "rX")),
    st.sampled_from((Decision.PASS, Decision.PASS, Decision.RETURN)),
    st.sampled_from(("current", "current", "old", "bogus")),
    st.sampled_from(("now", "now", "now", "back")),
)
approve_spec = st.tuples(st.just("approve"), LISTS)
pay_spec = st.tuples(
    st.just("pay"),
    st.sampled_from(("P1", "P1", "P2", "P9")),
    LISTS,
    st.sampled_from((1, 1, 2, 3, 4)),
    st.sampled_from((0, 5_000, 10_000, 20_000, 50_000)),
    TXNS,
)
correct_spec = st.tuples(st.just("correct"), st.integers(0, 60))
replay_spec = st.tuples(st.just("replay"), st.integers(0, 10_000))
conflict_spec = st.tuples(st.just("conflict"), st.integers(0, 10_000))
any_spec = st.one_of(
    open_spec,
    deposit_spec,
    register_spec,
    effect_spec,
    list_spec,
    review_spec,
    pay_spec,
    correct_spec,
    replay_spec,
    conflict_spec,
)


# valid-leaning specs: an int picks among the registered agreements, "new" a fresh txn id
KNOWN = st.integers(0, 7)
NEW = st.just("new")
V_LIST = st.sampled_from(("L1", "L1", "L2"))
valid_spec = st.one_of(
    st.tuples(st.just("deposit"), st.just("P1"), st.sampled_from((60_000, 250_000)), NEW),
    st.tuples(
        st.just("register"), AGREEMENTS, st.just("P1"), st.just(60_000), st.just("signed"), st.just(CATEGORY)
    ),
    st.tuples(st.just("effect"), KNOWN, st.just("early")),
    st.tuples(
        st.just("list"),
        st.sampled_from(("create", "create", "revise")),
        V_LIST,
        st.just("P1"),
        st.lists(
            st.tuples(KNOWN, st.sampled_from((10_000, 20_000, 60_000)), st.just(True)), min_size=1, max_size=3
        ),
        st.just("prep"),
    ),
    st.tuples(st.just("approve"), V_LIST),
    st.tuples(
        st.just("pay"), st.just("P1"), V_LIST, st.sampled_from((1, 2)), st.sampled_from((10_000, 20_000)), NEW
    ),
    st.tuples(st.just("pay"), st.just("P1"), V_LIST, st.just(1), st.just(10_000), NEW),
    st.tuples(st.just("strike"), st.sampled_from(("deposit", "payment", "payment", "review")), KNOWN),
)


class JournalMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="buchang-sm-"))
        self.path = self.dir / "books.db"
        self.ledger = Ledger.create(self.path)
        # durability is proven elsewhere (crash tests); here only the logic, fast
        self.ledger.store._con.execute("PRAGMA synchronous = OFF")  # type: ignore[attr-defined]
        self.model = Model()
        self.ids = 0
        self.clock = 0
        self.outcomes: Counter[str] = Counter()

    # --- making commands ---------------------------------------------------------------------

    def _id(self) -> str:
        self.ids += 1
        return f"c{self.ids}"

    def _tick(self, base: datetime) -> datetime:
        self.clock += 1
        return base + timedelta(minutes=self.clock)

    def _plist(
        self, list_no: str, pid: str, lines: list[tuple[str, int, bool]], preparer: str
    ) -> PaymentList:
        plines = []
        for n, (ag, amount, same_category) in enumerate(lines, start=1):
            category = CATEGORY if same_category else "社会保障费用"
            if same_category and ag in self.model.agreements:
                category = self.model.agreements[ag][3]
            plines.append(
                PaymentLine(list_no, n, ag, f"户主{ag}", f"6222{ag}", category, amount, date(2025, 12, 31))
            )
        return PaymentList(list_no, pid, preparer, REVIEW_T0, tuple(plines))

    def _review(
        self, list_no: str, level: int, who: str, decision: Decision, digest: str, back: bool = False
    ) -> Command:
        at = self._tick(CLOCK_T0)
        if back:  # dated half an hour ago (at :30 s, so no two times of the run are equal)
            at -= timedelta(minutes=30, seconds=-30)
        review = Review(list_no, level, who, f"level{level}", decision, at, digest)
        return Command(self._id(), RecordReview(review))

    def _agreement_no(self, pick: str | int) -> str:
        if isinstance(pick, str):
            return pick
        known = sorted(self.model.agreements)
        return known[pick % len(known)] if known else "A1"

    def _txn(self, txn: str) -> str:
        return f"N{self._id()}" if txn == "new" else txn

    def make(self, spec: tuple[Any, ...]) -> list[Command]:
        kind = spec[0]
        m = self.model
        if kind == "open":
            _, pid, account, upfront = spec
            return [Command(self._id(), OpenProject(Project(pid, f"项目{pid}", account, upfront)))]
        if kind == "deposit":
            _, pid, amount, txn = spec
            return [Command(self._id(), Deposit(pid, self._txn(txn), amount, self._tick(CLOCK_T0)))]
        if kind == "register":
            _, no, pid, amount, eff, category = spec
            a = Agreement(
                no,
                pid,
                f"户主{no}",
                "11010519491231002X",
                f"6222{no}",
                category,
                amount,
                SIGNED,
                EFFECTIVE.get(eff or ""),
            )
            return [Command(self._id(), RegisterAgreement(a))]
        if kind == "effect":
            _, no, when = spec
            return [Command(self._id(), AgreementTookEffect(self._agreement_no(no), EFFECTIVE[when]))]
        if kind == "list":
            _, how, list_no, pid, lines, preparer = spec
            lines = [(self._agreement_no(ag), amount, same) for ag, amount, same in lines]
            pl = self._plist(list_no, pid, lines, preparer)
            event = CreatePaymentList(pl) if how == "create" else RevisePaymentList(pl, "修订")
            return [Command(self._id(), event)]
        if kind == "review":
            _, list_no, level, who, decision, which, when = spec
            ml = m.lists.get(list_no)
            digest = "0" * 64
            if ml is not None and which != "bogus":
                older = sorted(ml.digests - {ml.digest})
                digest = older[0] if which == "old" and older else ml.digest
            return [self._review(list_no, level, who, decision, digest, back=when == "back")]
        if kind == "approve":
            (_, list_no) = spec
            ml = m.lists.get(list_no)
            digest = ml.digest if ml else "0" * 64
            return [self._review(list_no, lvl, f"r{lvl}", Decision.PASS, digest) for lvl in range(1, 5)]
        if kind == "pay":
            _, pid, list_no, line_no, amount, txn = spec
            at = self._tick(CLOCK_T0)
            return [Command(self._id(), ExecutePayment(pid, self._txn(txn), list_no, line_no, amount, at))]
        if kind == "correct":
            return [Command(self._id(), Correction(spec[1], "更正"))]
        if kind == "strike":  # a correction of a standing entry of that kind, if there is one
            _, what, pick = spec
            standing = sorted(s for s, k in m.kinds.items() if k == what and s not in m.corrected)
            if not standing:
                return []
            return [Command(self._id(), Correction(standing[pick % len(standing)], f"更正{what}"))]
        history = list(m.accepted.values())
        if not history:
            return []
        prior = history[spec[1] % len(history)]
        if kind == "replay":
            return [prior]
        # conflict: the same id with another body
        return [Command(prior.command_id, Correction(10_000 + spec[1], "另一内容"))]

    # --- submitting --------------------------------------------------------------------------

    def submit(self, cmds: list[Command]) -> None:
        if not cmds:
            return
        STEPS["commands"] += len(cmds)
        rejected, replayed, after = self.model.predict(cmds)
        result = self.ledger.append_many(cmds)
        got = [(r.index, r.code) for r in result.rejections]
        assert got == rejected, (cmds, result.rejections)
        if rejected:
            assert not result.receipts
            for _, code in rejected:
                self.outcomes[f"rejected {code.value}"] += 1
            return
        assert [r.replayed for r in result.receipts] == replayed
        self.model = after
        self.outcomes["accepted batches"] += 1
        self.outcomes["replays"] += sum(replayed)

    @initialize(start=st.sampled_from(("bare", "rich", "thin")))
    def open_first(self, start: str) -> None:
        """Bare: P1 needs 100,000 upfront and has nothing. Rich: 250,000 in, two effective
        agreements (60,000 and 20,000). Thin: no upfront requirement, 15,000 in, the same
        agreements — most payments are beyond the balance."""
        self.submit(self.make(("open", "P1", "ACC-1", 0 if start == "thin" else 100_000)))
        if start != "bare":
            self.submit(
                [
                    *self.make(("deposit", "P1", 250_000 if start == "rich" else 15_000, "new")),
                    *self.make(("register", "A1", "P1", 60_000, "signed", CATEGORY)),
                    *self.make(("register", "A2", "P1", 20_000, "signed", CATEGORY)),
                ]
            )

    @rule(spec=any_spec)
    def one(self, spec: tuple[Any, ...]) -> None:
        STEPS["steps"] += 1
        self.submit(self.make(spec))

    @rule(spec=valid_spec)
    def likely_valid(self, spec: tuple[Any, ...]) -> None:
        STEPS["steps"] += 1
        self.submit(self.make(spec))

    @rule(spec=valid_spec)
    def likely_valid_too(self, spec: tuple[Any, ...]) -> None:
        STEPS["steps"] += 1
        self.submit(self.make(spec))

    @rule(
        list_no=V_LIST,
        lines=st.lists(
            st.tuples(KNOWN, st.sampled_from((10_000, 20_000, 60_000)), st.just(True)), min_size=1, max_size=3
        ),
        pays=st.lists(
            st.tuples(st.sampled_from((1, 2, 3)), st.sampled_from((5_000, 10_000, 20_000))), max_size=3
        ),
    )
    def list_approve_pay(
        self, list_no: str, lines: list[tuple[int, int, bool]], pays: list[tuple[int, int]]
    ) -> None:
        """The usual path, each step its own submission: a list, its four reviews, payments."""
        STEPS["steps"] += 1
        if list_no not in self.model.lists:
            self.submit(self.make(("list", "create", list_no, "P1", lines, "prep")))
        self.submit(self.make(("approve", list_no)))
        for line_no, amount in pays:
            self.submit(self.make(("pay", "P1", list_no, line_no, amount, "new")))

    @rule(
        deposit=st.sampled_from((15_000, 60_000, 250_000)),
        pays=st.lists(st.tuples(st.sampled_from((1, 2)), st.sampled_from((10_000, 20_000))), max_size=3),
        late=st.sampled_from((None, Decision.PASS, Decision.RETURN)),
        strike=st.lists(st.tuples(st.sampled_from(("deposit", "payment", "review")), KNOWN), max_size=2),
    )
    def pay_then_correct(
        self,
        deposit: int,
        pays: list[tuple[int, int]],
        late: Decision | None,
        strike: list[tuple[str, int]],
    ) -> None:
        """Money in, a list of its own (L3, on A3/A4), approved and paid, maybe a review
        back-dated before those payments, then a clerk's mistakes struck — deposits struck
        after the payments they funded included."""
        STEPS["steps"] += 1
        for no in ("A3", "A4"):
            if no not in self.model.agreements:
                self.submit(self.make(("register", no, "P1", 60_000, "signed", CATEGORY)))
        self.submit(self.make(("deposit", "P1", deposit, "new")))
        if "L3" not in self.model.lists:
            lines = [("A3", 20_000, True), ("A4", 20_000, True)]
            self.submit(self.make(("list", "create", "L3", "P1", lines, "prep")))
        self.submit(self.make(("approve", "L3")))
        for line_no, amount in pays:
            self.submit(self.make(("pay", "P1", "L3", line_no, amount, "new")))
        if late is not None:
            self.submit(self.make(("review", "L3", 4, "rX", late, "current", "back")))
        for what, pick in strike:
            self.submit(self.make(("strike", what, pick)))

    @rule(specs=st.lists(st.one_of(valid_spec, any_spec), min_size=2, max_size=4))
    def batch(self, specs: list[tuple[Any, ...]]) -> None:
        STEPS["steps"] += 1
        self.submit([cmd for spec in specs for cmd in self.make(spec)])

    # --- agreement after every step ----------------------------------------------------------

    @invariant()
    def books_agree(self) -> None:
        state, m = self.ledger.state, self.model
        assert self.ledger.head[0] == m.seq == state.seq
        assert state.balance == m.balance
        assert state.deposits == m.deposits
        assert {k: v for k, v in state.line_paid.items() if v} == {k: v for k, v in m.line_paid.items() if v}
        for list_no in m.lists:
            assert state.approval(list_no).approved == m.approved(list_no), list_no
        assert all(b >= 0 for b in state.balance.values())

    def teardown(self) -> None:
        try:
            self.ledger.close()
            report = verify(self.path, deep=True)
            assert report.ok, report.problems
            assert dict((p.project_id, p.balance_fen) for p in report.totals.projects if p.project_id) == {
                pid: bal for pid, bal in self.model.balance.items()
            }
            with Ledger.open(self.path) as again:
                assert again.state.balance == self.model.balance
                view = again.view()
            self._reconcile(view)
            for key, n in self.outcomes.items():
                STEPS[key] += n
            STEPS["payments"] += sum(1 for seq, k in self.model.kinds.items() if k == "payment")
            STEPS["approved lists"] += sum(1 for no in self.model.lists if self.model.approved(no))
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _reconcile(self, view: Any) -> None:
        if not view.lists:
            return
        from buchang.funds.reconcile import reconcile

        report = reconcile(
            view.projects,
            view.agreements,
            view.lists,
            view.reviews,
            view.transactions,
            view.allocations,
            view.relocations,
            as_of=date(2025, 6, 30),
        )
        # corrections strike erroneous entries: the statement the books imply reconciles all the same
        assert not {f.code for f in report.findings} & MONEY_FINDINGS, report.findings
        paid = {(r.list_no, int(r.line_no)): int(r.paid_fen) for r in report.lines.itertuples() if r.paid_fen}
        assert paid == {k: v for k, v in self.model.line_paid.items() if v}
        closing = {acc.project_id: acc.closing_fen for acc in report.account_totals}
        assert closing == {pid: bal for pid, bal in self.model.balance.items() if pid in closing}
        assert all(c.ok for c in report.checks), report.checks
        STEPS["reconciliations"] += 1
        if self.model.corrected:
            STEPS["reconciliations with corrections"] += 1


def run(examples: int, steps: int, figures: Counter[str]) -> None:
    STEPS.clear()
    run_state_machine_as_test(
        JournalMachine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    figures["state machine: runs"] += examples
    figures["state machine: steps"] += STEPS["steps"]
    figures["state machine: commands submitted"] += STEPS["commands"]
    figures["state machine: batches accepted"] += STEPS["accepted batches"]
    figures["state machine: resubmissions answered as replays"] += STEPS["replays"]
    figures["state machine: rejections (all codes as the model said)"] += sum(
        n for k, n in STEPS.items() if k.startswith("rejected")
    )
    figures["state machine: distinct rejection codes seen"] = max(
        figures["state machine: distinct rejection codes seen"],
        sum(1 for k in STEPS if k.startswith("rejected")),
    )
    figures["state machine: reconciliations agreeing"] += STEPS["reconciliations"]
    figures["state machine: ... of which with corrections"] += STEPS["reconciliations with corrections"]
    figures["state machine: payments accepted"] += STEPS["payments"]
    figures["state machine: lists approved at the end of a run"] += STEPS["approved lists"]


def test_journal_agrees_with_the_model(figures: Counter[str]) -> None:
    run(examples=30, steps=25, figures=figures)


@pytest.mark.slow
def test_journal_agrees_with_the_model_long(figures: Counter[str]) -> None:
    run(examples=200, steps=50, figures=figures)
