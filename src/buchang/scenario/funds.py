"""Run a scenario's fund script through the journal, then reconcile.

Each command of ``funds.yaml`` is appended on its own (so a refused command
is a value, recorded, and the script goes on — as an office's clerk would
carry on after a refusal). Amounts may come from the computation (an
agreement pays the household's computed total) or from the estimate (the
upfront requirement). Reviews bind to the list's **current** digest at that
point of the script, as the reviewer saw it. The journal is an in-memory
SQLite store (the same store and invariants as a journal file), with a fixed
clock, so a run is reproducible and leaves nothing behind.

After the script: the journal is verified, its books are reconciled against
the bank statement (the journal's own movements plus ``statement_extra``
rows, money that moved outside the books), and every expectation of
:class:`~buchang.scenario.spec.ExpFunds` is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from buchang.core.errors import Issue
from buchang.core.money import format_yuan, to_fen
from buchang.funds.findings import Finding
from buchang.funds.journal import (
    AgreementTookEffect,
    ApproveAllocation,
    Command,
    Correction,
    CreatePaymentList,
    Deposit,
    Event,
    ExecutePayment,
    JournalView,
    Ledger,
    OpenProject,
    RecordRelocation,
    RecordReview,
    RegisterAgreement,
    Rejection,
    RevisePaymentList,
    SqliteStore,
    StartProject,
    verify_store,
)
from buchang.funds.reconcile import ReconcileReport, reconcile
from buchang.funds.records import (
    Agreement,
    AllocationApproval,
    Decision,
    Direction,
    PaymentLine,
    PaymentList,
    Project,
    RelocationEvent,
    Review,
    ReviewConfig,
    Transaction,
)
from buchang.rules.estimate import Estimate, required_upfront_fen
from buchang.rules.lines import ProjectResult
from buchang.scenario.compare import NOTHING, amount_check, where
from buchang.scenario.report import OK, Check
from buchang.scenario.spec import (
    AmountOf,
    CommandSpec,
    ExpFinding,
    ExpFunds,
    FromEstimate,
    FundAmount,
    FundProject,
    FundsScript,
    ListSpec,
)
from buchang.tables.yamlsrc import Path as KeyPath
from buchang.tables.yamlsrc import YamlDoc


def _clock() -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC)


class Unresolved(Exception):
    """A script value that cannot be worked out (unknown subject, list, line …)."""


@dataclass
class FundsRun:
    """What the script did.

    Attributes:
        rejections: refused commands by command id.
        view: the books after the script.
        verify_ok: the journal's chain and balances verify.
        report: the reconciliation, when the script asks for one.
        issues: script problems (a value that could not be resolved).
    """

    rejections: dict[str, Rejection] = field(default_factory=dict)
    view: JournalView | None = None
    verify_ok: bool = False
    report: ReconcileReport | None = None
    issues: list[Issue] = field(default_factory=list)


@dataclass
class _Context:
    script: FundsScript
    results: Mapping[str, ProjectResult]
    estimate: Estimate | None
    ledger: Ledger
    seq_of: dict[str, int] = field(default_factory=dict)

    def amount(self, value: FundAmount) -> int:
        if not isinstance(value, AmountOf):
            return to_fen(value)
        pid = value.project or next(iter(self.results), None)
        result = self.results.get(pid or "")
        if result is None:
            raise Unresolved(f"no computed project '{pid}' for an amount")
        subject = next((s for s in result.subjects if s.subject_id == value.subject), None)
        if subject is None:
            raise Unresolved(f"project {pid} has no subject '{value.subject}'")
        cats = set(value.categories)
        return sum(line.amount_fen for line in subject.lines if not cats or line.category.value in cats)

    def project(self, fp: FundProject) -> tuple[Project, ReviewConfig]:
        up = fp.required_upfront
        if isinstance(up, FromEstimate):
            if self.estimate is None:
                raise Unresolved("required_upfront refers to the estimate, but the scenario has none")
            required = required_upfront_fen(
                self.estimate, up.estimate, include_social_security=up.include_social_security
            )
        else:
            required = to_fen(up)
        return Project(fp.project_id, fp.name, fp.account, required), review_config(fp)

    def plist(self, spec: ListSpec) -> PaymentList:
        lines: list[PaymentLine] = []
        agreements = self.ledger.state.agreements
        for n, ls in enumerate(spec.lines, start=1):
            a = agreements.get(ls.agreement)
            if a is None and (
                ls.payee is None or ls.account is None or ls.category is None or ls.amount is None
            ):
                raise Unresolved(f"list {spec.no} line {n}: agreement {ls.agreement} is not registered")
            lines.append(
                PaymentLine(
                    spec.no,
                    n,
                    ls.agreement,
                    ls.payee if ls.payee is not None else a.payee_name if a else "",
                    ls.account if ls.account is not None else a.payee_account if a else "",
                    ls.category if ls.category is not None else a.category if a else "",
                    self.amount(ls.amount) if ls.amount is not None else a.amount_fen if a else 0,
                    ls.due,
                )
            )
        return PaymentList(spec.no, spec.project, spec.preparer, spec.created, tuple(lines))

    def event(self, c: CommandSpec) -> Event:
        st = self.ledger.state
        if c.open is not None:
            fp = next((p for p in self.script.projects if p.project_id == c.open), None)
            if fp is None:
                raise Unresolved(f"project '{c.open}' is not in the script's projects")
            project, cfg = self.project(fp)
            return OpenProject(project, cfg)
        if c.deposit is not None:
            d = c.deposit
            return Deposit(
                d.project,
                d.txn,
                to_fen(d.amount),
                d.at,
                d.counterparty_name,
                d.counterparty_account,
                d.reference,
                d.allocation,
            )
        if c.start is not None:
            return StartProject(c.start.project, c.start.date)
        if c.agreement is not None:
            a = c.agreement
            return RegisterAgreement(
                Agreement(
                    a.no,
                    a.project,
                    a.payee,
                    a.payee_id,
                    a.account,
                    a.category,
                    self.amount(a.amount),
                    a.signed,
                    a.effective,
                    a.household,
                )
            )
        if c.effective is not None:
            return AgreementTookEffect(c.effective.agreement, c.effective.date)
        if c.list is not None:
            return CreatePaymentList(self.plist(c.list))
        if c.revise is not None:
            return RevisePaymentList(self.plist(c.revise), c.revise.reason)
        if c.review is not None:
            r = c.review
            digest = st.current_digest.get(r.list)
            pl = st.lists.get(r.list)
            if digest is None or pl is None:
                raise Unresolved(f"review of list '{r.list}', which is not recorded")
            cfg = st.review_configs[pl.project_id]
            role = r.role or (cfg.level_names[r.level - 1] if r.level <= cfg.levels else f"level {r.level}")
            return RecordReview(Review(r.list, r.level, r.reviewer, role, Decision(r.decision), r.at, digest))
        if c.pay is not None:
            p = c.pay
            if p.amount is not None:
                amount = self.amount(p.amount)
            else:
                line = st.lines.get(p.list, {}).get(p.line)
                if line is None:
                    raise Unresolved(f"payment of {p.list}/{p.line}, which is not recorded (give its amount)")
                amount = line.amount_fen
            return ExecutePayment(p.project, p.txn, p.list, p.line, amount, p.at, p.reference)
        if c.allocation is not None:
            al = c.allocation
            return ApproveAllocation(
                AllocationApproval(
                    al.no, al.from_account, al.to_account, to_fen(al.amount), al.approved_by, al.at
                )
            )
        if c.relocation is not None:
            rl = c.relocation
            return RecordRelocation(rl.project, RelocationEvent(rl.household, rl.on, rl.kind))
        assert c.correction is not None
        seq = self.seq_of.get(c.correction.of)
        if seq is None:
            raise Unresolved(f"correction of command '{c.correction.of}', which made no entry")
        return Correction(seq, c.correction.reason)


def review_config(fp: FundProject) -> ReviewConfig:
    limits = fp.review_limits or (None,) * len(fp.review_levels)
    return ReviewConfig(fp.review_levels, tuple(None if v is None else to_fen(v) for v in limits))


def _statement(view: JournalView, script: FundsScript) -> list[Transaction]:
    out = list(view.transactions)
    if script.reconcile is None:
        return out
    for r in script.reconcile.statement_extra:
        out.append(
            Transaction(
                r.txn,
                r.account,
                r.at,
                Direction.IN if r.direction == "in" else Direction.OUT,
                to_fen(r.amount),
                r.counterparty_name,
                r.counterparty_account,
                r.reference,
            )
        )
    return out


def run_funds(
    script: FundsScript,
    doc: YamlDoc,
    results: Mapping[str, ProjectResult],
    estimate: Estimate | None,
) -> FundsRun:
    """Append every command, verify the journal, reconcile (see the module docstring)."""
    run = FundsRun()
    # A throwaway journal: SQLite in memory (no file, no fsync) — the same store and checks as on disk.
    with Ledger(SqliteStore.create(":memory:"), clock=_clock) as ledger:
        ctx = _Context(script, results, estimate, ledger)
        for n, c in enumerate(script.commands):
            try:
                event = ctx.event(c)
            except Unresolved as exc:
                run.issues.append(
                    Issue(
                        "SCRIPT_UNRESOLVED",
                        f"command {c.id}: {exc}",
                        location=where(doc, ("commands", n)),
                    )
                )
                continue
            result = ledger.append(Command(c.id, event))
            if result.ok:
                ctx.seq_of[c.id] = result.entries[0].seq
            else:
                run.rejections[c.id] = result.rejections[0]
        run.view = ledger.view()
        run.verify_ok = verify_store(ledger.store).ok
    spec = script.reconcile
    view = run.view
    if spec is not None and view is not None:
        cfg = review_config(script.projects[0]) if script.projects else ReviewConfig()
        run.report = reconcile(
            view.projects,
            view.agreements,
            view.lists,
            view.reviews,
            _statement(view, script),
            view.allocations,
            view.relocations,
            as_of=spec.as_of,
            tolerance_fen=to_fen(spec.tolerance),
            window_days=spec.window_days,
            review_config=cfg,
        )
    return run


# --- expectations ------------------------------------------------------------------------------


def _finding_matches(e: ExpFinding, f: Finding) -> bool:
    return (
        e.code == f.code
        and (e.project is None or e.project == f.project_id)
        and (e.list_no is None or e.list_no == f.list_no)
        and (e.line_no is None or e.line_no == f.line_no)
        and (e.agreement is None or e.agreement == f.agreement_no)
        and (e.txn is None or e.txn in f.txn_ids)
        and (e.account is None or e.account == f.account)
        and (e.household is None or e.household == f.household_ref)
        and (e.expected is None or to_fen(e.expected) == f.expected_fen)
        and (e.actual is None or to_fen(e.actual) == f.actual_fen)
    )


def _finding_text(f: Finding) -> str:
    parts = [f.code]
    for label, value in (
        ("list", f.list_no),
        ("line", f.line_no),
        ("agreement", f.agreement_no),
        ("txn", ",".join(f.txn_ids) or None),
        ("account", f.account),
        ("household", f.household_ref),
        ("expected", None if f.expected_fen is None else format_yuan(f.expected_fen)),
        ("actual", None if f.actual_fen is None else format_yuan(f.actual_fen)),
    ):
        if value is not None:
            parts.append(f"{label}={value}")
    return " ".join(parts)


def _reconcile_checks(report: ReconcileReport, exp: ExpFunds, doc: YamlDoc, path: KeyPath) -> list[Check]:
    assert exp.reconcile is not None
    er = exp.reconcile
    checks: list[Check] = []
    used: set[int] = set()
    findings = list(report.findings)
    for n, e in enumerate(er.findings):
        loc = where(doc, (*path, "findings", n))
        hit = next((k for k, f in enumerate(findings) if k not in used and _finding_matches(e, f)), None)
        label = e.code + "".join(
            f" {k}={v}" for k, v in e.model_dump(exclude={"code"}, exclude_none=True).items()
        )
        if hit is None:
            checks.append(Check("finding", label, e.code, NOTHING, "FINDING_MISSING", loc))
        else:
            used.add(hit)
            checks.append(Check("finding", label, e.code, _finding_text(findings[hit]), OK, loc))
    if er.complete:
        for k, f in enumerate(findings):
            if k not in used:
                checks.append(
                    Check(
                        "finding",
                        f.code,
                        "no other finding",
                        _finding_text(f),
                        "UNEXPECTED_FINDING",
                        where(doc, (*path, "findings")),
                    )
                )
    frame = report.lines
    states = {
        f"{no}/{line}": str(state)
        for no, line, state in zip(
            frame["list_no"].tolist(), frame["line_no"].tolist(), frame["state"].tolist(), strict=True
        )
    }
    for key, state in er.line_states.items():
        actual = states.get(key, NOTHING)
        checks.append(
            Check(
                "line_state",
                f"line {key}",
                state,
                actual,
                OK if actual == state else "VALUE_MISMATCH",
                where(doc, (*path, "line_states", key)),
            )
        )
    totals = {c.category: c for c in report.category_totals}
    for cat, ec in er.categories.items():
        ct = totals.get(cat)
        for name in ("scheduled", "approved", "paid", "unpaid"):
            value = getattr(ec, name)
            if value is None:
                continue
            actual_fen = getattr(ct, f"{name}_fen") if ct is not None else None
            checks.append(
                amount_check(
                    "reconcile_total",
                    f"reconcile {cat} {name}",
                    value,
                    actual_fen,
                    where(doc, (*path, "categories", cat, name)),
                )
            )
    for i in report.issues:
        if i.is_error:
            checks.append(
                Check(
                    "issue", f"reconcile {i.code}", "no error", str(i), "UNEXPECTED_ISSUE", where(doc, path)
                )
            )
    failed = [f"{c.name}: {c.expected} ≠ {c.actual}" for c in report.checks if not c.ok]
    checks.append(
        Check(
            "reconcile_checks",
            "conservation checks",
            "all ok" if er.checks_ok else "some fail",
            "; ".join(failed) or "all ok",
            OK if (not failed) == er.checks_ok else "VALUE_MISMATCH",
            where(doc, (*path, "checks_ok")),
        )
    )
    return checks


def funds_checks(
    run: FundsRun,
    exp: ExpFunds,
    doc: YamlDoc,
    path: KeyPath,
    script: FundsScript,
    script_doc: YamlDoc,
) -> list[Check]:
    """Every expectation of the fund script, plus every refusal nobody expected."""
    checks: list[Check] = []
    expected_codes = {r.command: r.code for r in exp.rejections}
    for n, r in enumerate(exp.rejections):
        got = run.rejections.get(r.command)
        loc = where(doc, (*path, "rejections", n))
        if got is None:
            checks.append(
                Check("rejection", f"command {r.command}", r.code, "accepted", "REJECTION_MISSING", loc)
            )
        else:
            code = OK if got.code.value == r.code else "UNEXPECTED_REJECTION"
            checks.append(
                Check(
                    "rejection", f"command {r.command}", r.code, f"{got.code.value}: {got.message}", code, loc
                )
            )
    positions = {c.id: n for n, c in enumerate(script.commands)}
    for cid, got in run.rejections.items():
        if cid in expected_codes:
            continue
        checks.append(
            Check(
                "rejection",
                f"command {cid}",
                "accepted",
                f"{got.code.value}: {got.message}",
                "UNEXPECTED_REJECTION",
                where(script_doc, ("commands", positions.get(cid, 0))),
            )
        )
    view = run.view
    agreements = {a.agreement_no: a.amount_fen for a in view.agreements} if view else {}
    for no, amount in exp.agreements.items():
        checks.append(
            amount_check(
                "agreement_amount",
                f"agreement {no}",
                amount,
                agreements.get(no),
                where(doc, (*path, "agreements", no)),
            )
        )
    upfront = {p.project_id: p.required_upfront_fen for p in view.projects} if view else {}
    for pid, amount in exp.required_upfront.items():
        checks.append(
            amount_check(
                "required_upfront",
                f"{pid} required upfront",
                amount,
                upfront.get(pid),
                where(doc, (*path, "required_upfront", pid)),
            )
        )
    balances = dict(view.balances_fen) if view else {}
    for pid, amount in exp.balances.items():
        checks.append(
            amount_check(
                "balance", f"{pid} balance", amount, balances.get(pid), where(doc, (*path, "balances", pid))
            )
        )
    paid = {f"{k[0]}/{k[1]}": v for k, v in view.paid_by_line_fen} if view else {}
    for key, amount in exp.paid.items():
        checks.append(
            amount_check(
                "line_paid", f"paid {key}", amount, paid.get(key, 0), where(doc, (*path, "paid", key))
            )
        )
    if exp.corrections is not None:
        n = len(view.corrections) if view else 0
        checks.append(
            Check(
                "journal_corrections",
                "reversing entries in the journal",
                str(exp.corrections),
                str(n),
                OK if n == exp.corrections else "VALUE_MISMATCH",
                where(doc, (*path, "corrections")),
            )
        )
    checks.append(
        Check(
            "journal_verify",
            "journal verifies",
            str(exp.verify_ok),
            str(run.verify_ok),
            OK if run.verify_ok == exp.verify_ok else "VALUE_MISMATCH",
            where(doc, (*path, "verify_ok")),
        )
    )
    if exp.reconcile is not None:
        if run.report is None:
            checks.append(
                Check(
                    "reconcile",
                    "reconciliation",
                    "a report",
                    "no reconcile section in the fund script",
                    "FIGURE_MISSING",
                    where(doc, (*path, "reconcile")),
                )
            )
        else:
            checks += _reconcile_checks(run.report, exp, doc, (*path, "reconcile"))
    return checks
