"""The demo's generated inputs: a survey workbook, agreements, the journal's commands, a statement.

Everything here is deterministic and invented (for ``buchang demo``): the
bundled example project (``scenarios/examples/songjiang_small.yaml``) lacks ID
numbers and some bank accounts, which agreements and payments need, so
:func:`complete_project` fills them in with valid, made-up numbers; the
journal's story (deposits, agreements taking effect on the land approval,
one payment list, four reviews by four distinct people, payments) is built
from the compute result by :func:`agreements_from_result` and
:func:`journal_commands`; the bank statement is the journal's movements plus
one planted bank charge (:data:`PLANTED_TXN`), so that the reconciliation has
exactly one finding to show.

Candidates for the library (``buchang.io`` / ``buchang.funds``) once they are
needed outside the demo: :func:`fill_template` (records → a template-shaped
workbook) and :func:`survey_records` (a project → survey rows).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from buchang.core.ids import ID_CHECK_CHARS, ID_WEIGHTS, USCC_CHARSET, USCC_WEIGHTS
from buchang.core.money import from_fen
from buchang.funds.journal import (
    AgreementTookEffect,
    Command,
    CreatePaymentList,
    Deposit,
    ExecutePayment,
    OpenProject,
    RecordReview,
    RegisterAgreement,
    StartProject,
)
from buchang.funds.records import (
    Agreement,
    Decision,
    Direction,
    PaymentLine,
    PaymentList,
    Review,
    ReviewConfig,
    Transaction,
)
from buchang.funds.records import Project as FundsProject
from buchang.io.atomic import check_output, temp_beside
from buchang.io.schema import BANK_STATEMENT, SURVEY, ColType, Column, InputKind
from buchang.io.templates import build_template
from buchang.rules.inputs import Collective, Household, Member, Project
from buchang.rules.lines import Line, PayeeKind, ProjectResult

#: The project's dedicated account (专户) and the district finance bureau paying in (invented).
ACCOUNT: Final = "31050161360000000017"
FINANCE_NAME: Final = "松江区财政局（示例）"
FINANCE_ACCOUNT: Final = "31050161360000000025"
#: The land-lost people's social-security fund account (社保资金专户) and its credit code (invented).
SOCIAL_FUND_NAME: Final = "松江区被征地人员社会保障资金专户（示例）"
#: The people of the four-level review: the preparer and four distinct reviewers.
PREPARER: Final = ("U01", "王芳", "经办人")
REVIEWERS: Final = (("U02", "李强"), ("U03", "赵敏"), ("U04", "陈刚"), ("U05", "周丽"))
LIST_NO: Final = "QD-2020-01"
#: The planted anomaly on the statement: a bank charge no list line schedules.
PLANTED_TXN: Final = "B20201016-9001"
PLANTED_FEN: Final = 2_500
PLANTED_NOTE: Final = "银行手续费（演示植入的异常，不在任何清单内） / bank charge, planted for the demo"
EXPECTED_FINDINGS: Final = {"PAYMENT_UNSCHEDULED": 1}


# --- invented identifiers -------------------------------------------------------


def resident_id(region: str, birth: date, seq: int, male: bool) -> str:
    """A valid 18-character 身份证号 (GB 11643) whose sex digit matches ``male``."""
    order = (seq * 2 + (1 if male else 0)) % 1000
    body = f"{region}{birth:%Y%m%d}{order:03d}"
    total = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK_CHARS[total % 11]


def credit_code(region: str, seq: int) -> str:
    """A valid 统一社会信用代码 (GB 32100) of a collective economic organisation (``N2``)."""
    body = f"N2{region}{seq:09d}"[:17]
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_CHARSET[(31 - total % 31) % 31]


def bank_account(seq: int) -> str:
    """A 19-digit account with a valid Luhn check digit."""
    body = f"621700{seq:012d}"
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


SOCIAL_FUND_ACCOUNT: Final = bank_account(900_001)
SOCIAL_FUND_CODE: Final = credit_code("310117", 900_001)


def complete_project(project: Project) -> Project:
    """The project with every member's 身份证号 and every household's and collective's
    account (and collective credit code) filled in where missing — invented, valid."""
    region = project.jurisdiction[:6]
    seq = 0

    def member(m: Member) -> Member:
        nonlocal seq
        seq += 1
        if m.id_number:
            return m
        return m.model_copy(update={"id_number": resident_id(region, m.birth_date, seq, m.sex.value == "M")})

    households: list[Household] = []
    for n, h in enumerate(project.households, start=1):
        update: dict[str, Any] = {"members": tuple(member(m) for m in h.members)}
        if not h.account:
            update["account"] = bank_account(1000 + n)
        households.append(h.model_copy(update=update))
    collectives: list[Collective] = []
    for n, c in enumerate(project.collectives, start=1):
        update = {}
        if not c.account:
            update["account"] = bank_account(100 + n)
        if not c.credit_code:
            update["credit_code"] = credit_code(region, n)
        collectives.append(c.model_copy(update=update))
    return project.model_copy(update={"households": tuple(households), "collectives": tuple(collectives)})


# --- records → template-shaped workbooks --------------------------------------------


def _cell(col: Column, value: object) -> object:
    """A record's value as a person would type it in the template's column."""
    if value is None:
        return None
    if col.type is ColType.BOOL:
        return value if isinstance(value, str) else ("是" if value else "否")  # 是/否 typed as is
    if col.type is ColType.CHOICE:
        text = str(getattr(value, "value", value))
        return next((ch.label for ch in col.choices if ch.value == text), text)
    if isinstance(value, date | datetime | Decimal | int | str):
        return value
    return str(value)


def fill_template(kind: InputKind, rows: Mapping[str, Iterable[Mapping[str, object]]], path: Path) -> Path:
    """Write the template of ``kind`` with its example rows replaced by ``rows``
    (per sheet key, dicts by column key), atomically."""
    wb = build_template(kind)
    for spec in kind.sheets:
        ws = wb[spec.title]
        for j in range(len(spec.columns)):
            ws.cell(2, j + 1).value = None
        for i, record in enumerate(rows.get(spec.key, ()), start=2):
            for j, col in enumerate(spec.columns):
                value = _cell(col, record.get(col.key))
                if value is None:
                    continue
                cell = ws.cell(i, j + 1, value)
                if isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
    target = check_output(path)
    tmp = temp_beside(target)  # unguessable, created exclusively: a planted symlink is never written through
    try:
        wb.save(tmp)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target


def survey_records(project: Project) -> dict[str, list[dict[str, object]]]:
    """The survey sheets' rows (by sheet key, dicts by column key) of ``project``."""
    head = project.model_dump(exclude={"collectives", "parcels", "households"})
    rows: dict[str, list[dict[str, object]]] = {
        "project": [head],
        "collectives": [c.model_dump() for c in project.collectives],
        "parcels": [p.model_dump() for p in project.parcels],
        "households": [],
        "members": [],
        "buildings": [],
        "attachments": [],
        "flats": [],
    }
    for h in project.households:
        hid = {"household_id": h.household_id}
        choices = h.choices.model_dump(exclude={"flats"})
        rows["households"].append(
            {**h.model_dump(exclude={"members", "buildings", "attachments", "choices"}), **choices}
        )
        rows["members"] += [{**hid, **m.model_dump()} for m in h.members]
        rows["buildings"] += [{**hid, **b.model_dump()} for b in h.buildings]
        rows["attachments"] += [{**hid, **a.model_dump()} for a in h.attachments]
        rows["flats"] += [{**hid, **f.model_dump()} for f in h.choices.flats]
    return rows


def write_survey(project: Project, path: Path) -> Path:
    """``project`` as a survey workbook in the ``survey`` template's format."""
    return fill_template(SURVEY, survey_records(project), path)


def statement_records(txns: Sequence[Transaction]) -> list[dict[str, object]]:
    """Statement rows (column keys of the ``bank-statement`` template)."""
    return [
        {
            "txn_id": t.txn_id,
            "account": t.account,
            "at": t.at,
            "direction": t.direction.value,
            "amount": from_fen(t.amount_fen),
            "counterparty_name": t.counterparty_name,
            "counterparty_account": t.counterparty_account,
            "reference": t.reference,
            "balance_after": None if t.balance_after_fen is None else from_fen(t.balance_after_fen),
        }
        for t in txns
    ]


def write_statement_xlsx(txns: Sequence[Transaction], path: Path) -> Path:
    """The statement in the ``bank-statement`` template's format (流水)."""
    return fill_template(BANK_STATEMENT, {"transactions": statement_records(txns)}, path)


# --- compute result → agreements -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Story:
    """The dates of the demo's fund story (all derived from the project's dates)."""

    deposit_1: datetime
    deposit_2: datetime
    start: date
    effective: date
    list_at: datetime
    due: date
    pay_at: datetime
    as_of: date


def story_of(project: Project) -> Story:
    """Deposits and start before the signing window; agreements effective on the land
    approval (附生效条件, 松规划资源规〔2021〕1号); list, reviews and payments after it."""
    window = project.signing_start or project.notice_date + timedelta(days=60)
    effective = project.approval_date or window
    return Story(
        deposit_1=datetime.combine(window - timedelta(days=40), datetime.min.time()).replace(hour=10),
        deposit_2=datetime.combine(window - timedelta(days=20), datetime.min.time()).replace(hour=10),
        start=window - timedelta(days=9),
        effective=effective,
        list_at=datetime.combine(effective + timedelta(days=9), datetime.min.time()).replace(hour=9),
        due=effective + timedelta(days=30),
        pay_at=datetime.combine(effective + timedelta(days=15), datetime.min.time()).replace(hour=10),
        as_of=effective + timedelta(days=31),
    )


def agreements_from_result(project: Project, result: ProjectResult, story: Story) -> tuple[Agreement, ...]:
    """One agreement per payee line group: the lines of a subject with the same payee
    and fund category (an agreement has one category, 专款专用), zero lines left out.

    The payee's ID is the household head's (or the named owner's) 身份证号, the
    collective's credit code, or the social-security fund's; the account is the
    line's, else the household's or collective's, else the fund's."""
    households = {h.household_id: h for h in project.households}
    collectives = {c.collective_id: c for c in project.collectives}
    groups: dict[tuple[str, str, str, str], list[int]] = {}
    firsts: dict[tuple[str, str, str, str], Line] = {}
    for s in result.subjects:
        for line in s.lines:
            if line.amount_fen <= 0:
                continue
            key = (
                s.subject_id,
                line.payee.kind.value,
                line.payee.ref or line.payee.name,
                line.category.value,
            )
            groups.setdefault(key, []).append(line.amount_fen)
            firsts.setdefault(key, line)
    out: list[Agreement] = []
    for n, (key, amounts) in enumerate(groups.items(), start=1):
        subject, _, _, category = key
        payee = firsts[key].payee
        h = households.get(subject)
        c = collectives.get(subject)
        if payee.kind is PayeeKind.SOCIAL_SECURITY_FUND:
            payee_id, account = SOCIAL_FUND_CODE, payee.account or SOCIAL_FUND_ACCOUNT
        elif h is not None:
            person = next((m for m in h.members if m.name == payee.name), None) or next(
                (m for m in h.members if m.name == h.head_name), None
            )
            payee_id = (person.id_number if person else None) or ""
            account = payee.account or h.account or ""
        else:
            payee_id = (c.credit_code if c else None) or ""
            account = payee.account or (c.account if c else None) or ""
        signed = (h.choices.signing_date if h else None) or project.signing_start or story.start
        out.append(
            Agreement(
                agreement_no=f"XY-2020-{n:03d}",
                project_id=project.project_id,
                payee_name=payee.name,
                payee_id=payee_id,
                payee_account=account,
                category=category,
                amount_fen=sum(amounts),
                signed_date=signed,
                effective_date=None,  # 附生效条件: takes effect on the land approval
                household_ref=subject,
            )
        )
    return tuple(out)


def payment_list(project_id: str, agreements: Sequence[Agreement], story: Story) -> PaymentList:
    """One list paying every agreement in full, due :attr:`Story.due`."""
    lines = tuple(
        PaymentLine(
            LIST_NO, i, a.agreement_no, a.payee_name, a.payee_account, a.category, a.amount_fen, story.due
        )
        for i, a in enumerate(agreements, start=1)
    )
    return PaymentList(LIST_NO, project_id, PREPARER[0], story.list_at, lines)


def reviews_of(plist: PaymentList, config: ReviewConfig) -> tuple[Review, ...]:
    """Levels 1–4 passed in order by four distinct people, none of them the preparer."""
    return tuple(
        Review(
            plist.list_no,
            level,
            REVIEWERS[level - 1][0],
            config.level_names[level - 1],
            Decision.PASS,
            plist.created_at + timedelta(days=level, hours=1),
            plist.digest,
        )
        for level in range(1, config.levels + 1)
    )


def deposits_for(required_fen: int) -> tuple[int, int]:
    """Two deposits covering ``required_fen``, the total rounded up to ¥10,000."""
    total = -(-required_fen // 1_000_000) * 1_000_000
    first = total * 2 // 3 // 1_000_000 * 1_000_000
    return first, total - first


def journal_commands(
    project: Project, result: ProjectResult, story: Story
) -> tuple[list[Command], tuple[Agreement, ...], PaymentList]:
    """The whole fund story as journal commands, in order; also the agreements and the list."""
    pid = project.project_id
    required = result.total_fen
    config = ReviewConfig()
    agreements = agreements_from_result(project, result, story)
    plist = payment_list(pid, agreements, story)
    d1, d2 = deposits_for(required)
    cmds: list[Command] = [
        Command(f"open-{pid}", OpenProject(FundsProject(pid, project.name, ACCOUNT, required), config)),
        Command(
            "dep-1",
            Deposit(
                pid,
                "B20200405-0001",
                d1,
                story.deposit_1,
                FINANCE_NAME,
                FINANCE_ACCOUNT,
                "征地补偿前置资金（一）",
            ),
        ),
        Command(
            "dep-2",
            Deposit(
                pid,
                "B20200425-0002",
                d2,
                story.deposit_2,
                FINANCE_NAME,
                FINANCE_ACCOUNT,
                "征地补偿前置资金（二）",
            ),
        ),
        Command(f"start-{pid}", StartProject(pid, story.start)),
        *(Command(f"reg-{a.agreement_no}", RegisterAgreement(a)) for a in agreements),
        *(
            Command(f"eff-{a.agreement_no}", AgreementTookEffect(a.agreement_no, story.effective))
            for a in agreements
        ),
        Command(f"list-{LIST_NO}", CreatePaymentList(plist)),
        *(Command(f"rev-{LIST_NO}-{r.level}", RecordReview(r)) for r in reviews_of(plist, config)),
        *(
            Command(
                f"pay-{LIST_NO}-{ln.line_no}",
                ExecutePayment(
                    pid,
                    f"B{story.pay_at:%Y%m%d}-{ln.line_no:04d}",
                    LIST_NO,
                    ln.line_no,
                    ln.amount_fen,
                    story.pay_at + timedelta(minutes=ln.line_no),
                ),
            )
            for ln in plist.lines
        ),
    ]
    return cmds, agreements, plist


def statement_of(moves: Iterable[Transaction], story: Story) -> tuple[Transaction, ...]:
    """The bank statement: the journal's movements, plus the planted bank charge, with
    the balance after each row as the bank prints it."""
    rows = sorted(moves, key=lambda t: (t.at, t.txn_id))
    charge = Transaction(
        PLANTED_TXN,
        ACCOUNT,
        story.pay_at + timedelta(days=1),
        Direction.OUT,
        PLANTED_FEN,
        "开户银行（示例）",
        "",
        PLANTED_NOTE,
    )
    balance = 0
    out: list[Transaction] = []
    for t in [*rows, charge]:
        balance += t.amount_fen if t.direction is Direction.IN else -t.amount_fen
        out.append(
            Transaction(
                t.txn_id,
                t.account,
                t.at,
                t.direction,
                t.amount_fen,
                t.counterparty_name,
                t.counterparty_account,
                t.reference,
                balance,
            )
        )
    return tuple(out)


def planted(txns: Iterable[Transaction]) -> Iterator[Transaction]:
    """The planted rows of a statement."""
    return (t for t in txns if t.txn_id == PLANTED_TXN)
