"""Reading the fund-control records from CSV files (errors as values, file:line).

UTF-8 with or without BOM; the first row names the columns (English names
below; order free, extra columns ignored). Amounts are decimal **yuan** text
(``1234.5``, ``1,234.50``) converted exactly to fen with
:func:`buchang.core.money.to_fen` — never through ``float``; more than two
decimals is an error, not a rounding. Dates are ISO (``2024-03-01``), times
ISO (``2024-03-01 10:30`` or ``2024-03-01T10:30:00``; a date alone is 00:00).
Every problem is returned as an :class:`~buchang.core.errors.Issue` located at
``file:line`` with the column as key; bad rows are skipped, the rest is read.

Files and columns (``*`` = optional column):

``projects.csv``
    project_id, name, account, required_upfront, start_date, opening_balance*
``agreements.csv``
    agreement_no, project_id, payee_name, payee_id, payee_account, category,
    amount, signed_date, effective_date (blank = not yet effective), household_ref*
``lists.csv`` (one row per line; list columns repeated)
    list_no, project_id, preparer, created_at, line_no, agreement_no,
    payee_name, payee_account, category, amount, due_date
``reviews.csv``
    list_no, level, reviewer_id, role, decision (通过/退回 or pass/return), at, digest
``statement.csv``
    txn_id, account, at, direction (in/out or 收入/支出), amount,
    counterparty_name, counterparty_account, reference, balance_after*
``allocations.csv`` (optional file)
    approval_no, from_account, to_account, amount, approved_by, approved_at
``relocations.csv`` (optional file)
    household_ref, on, kind*
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Final, TypeVar

from buchang.core.errors import Issue, Location, Severity
from buchang.core.money import FEN, from_fen, to_decimal, to_fen
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
    Transaction,
)

T = TypeVar("T")

FILES: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    # name: (required columns, optional columns)
    "projects.csv": (
        ("project_id", "name", "account", "required_upfront", "start_date"),
        ("opening_balance",),
    ),
    "agreements.csv": (
        (
            "agreement_no",
            "project_id",
            "payee_name",
            "payee_id",
            "payee_account",
            "category",
            "amount",
            "signed_date",
            "effective_date",
        ),
        ("household_ref",),
    ),
    "lists.csv": (
        (
            "list_no",
            "project_id",
            "preparer",
            "created_at",
            "line_no",
            "agreement_no",
            "payee_name",
            "payee_account",
            "category",
            "amount",
            "due_date",
        ),
        (),
    ),
    "reviews.csv": (("list_no", "level", "reviewer_id", "role", "decision", "at", "digest"), ()),
    "statement.csv": (
        (
            "txn_id",
            "account",
            "at",
            "direction",
            "amount",
            "counterparty_name",
            "counterparty_account",
            "reference",
        ),
        ("balance_after",),
    ),
    "allocations.csv": (
        ("approval_no", "from_account", "to_account", "amount", "approved_by", "approved_at"),
        (),
    ),
    "relocations.csv": (("household_ref", "on"), ("kind",)),
}
OPTIONAL_FILES: Final = frozenset({"allocations.csv", "relocations.csv"})

_DECISIONS: Final = {
    "通过": Decision.PASS,
    "pass": Decision.PASS,
    "退回": Decision.RETURN,
    "return": Decision.RETURN,
}
_DIRECTIONS: Final = {"in": Direction.IN, "收入": Direction.IN, "out": Direction.OUT, "支出": Direction.OUT}


class _Bad(Exception):
    """A bad cell: internal to this module, always turned into an Issue."""

    def __init__(self, column: str, code: str, message: str) -> None:
        super().__init__(message)
        self.column, self.code, self.message = column, code, message


class Row:
    """One CSV row with typed getters that raise :class:`_Bad` (caught per row)."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def text(self, col: str, *, required: bool = True) -> str:
        value = (self.values.get(col) or "").strip()
        if required and not value:
            raise _Bad(col, "CSV_EMPTY_FIELD", f"{col}为空 / {col} is empty")
        return value

    def fen(self, col: str, *, required: bool = True, allow_negative: bool = False) -> int | None:
        raw = self.text(col, required=required)
        if not raw:
            return None
        try:
            dec = to_decimal(raw)
        except ValueError:
            raise _Bad(
                col, "CSV_BAD_AMOUNT", f"金额不是数字：{raw!r} / not a decimal amount: {raw!r}"
            ) from None
        if dec != dec.quantize(FEN):
            raise _Bad(col, "CSV_BAD_AMOUNT", f"金额超过两位小数：{raw} / more than two decimals: {raw}")
        if dec < Decimal(0) and not allow_negative:
            raise _Bad(col, "CSV_BAD_AMOUNT", f"金额为负：{raw} / negative amount: {raw}")
        return to_fen(dec)

    def day(self, col: str, *, required: bool = True) -> date | None:
        raw = self.text(col, required=required)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise _Bad(
                col, "CSV_BAD_DATE", f"日期须为YYYY-MM-DD：{raw!r} / not an ISO date: {raw!r}"
            ) from None

    def time(self, col: str) -> datetime:
        raw = self.text(col)
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            raise _Bad(
                col, "CSV_BAD_DATE", f"时间须为ISO格式：{raw!r} / not an ISO date/time: {raw!r}"
            ) from None

    def integer(self, col: str) -> int:
        raw = self.text(col)
        if not raw.isdigit():
            raise _Bad(col, "CSV_BAD_VALUE", f"须为正整数：{raw!r} / not a whole number: {raw!r}")
        return int(raw)

    def choice(self, col: str, options: dict[str, T]) -> T:
        raw = self.text(col)
        key = raw.lower() if raw.isascii() else raw
        if key not in options:
            allowed = "/".join(options)
            raise _Bad(
                col, "CSV_BAD_VALUE", f"取值须为{allowed}：{raw!r} / must be one of {allowed}: {raw!r}"
            )
        return options[key]


@dataclass(frozen=True, slots=True)
class CsvData:
    """Everything read from a folder of CSV files."""

    projects: tuple[Project, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    lists: tuple[PaymentList, ...] = ()
    reviews: tuple[Review, ...] = ()
    transactions: tuple[Transaction, ...] = ()
    allocations: tuple[AllocationApproval, ...] = ()
    relocations: tuple[RelocationEvent, ...] = ()
    issues: tuple[Issue, ...] = field(default=())


def _rows(path: Path, issues: list[Issue]) -> Iterator[tuple[int, Row]]:
    """Rows of a CSV file with their line numbers; header problems become issues."""
    name = path.name
    required, _optional = FILES[name]
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        issues.append(
            Issue(
                "CSV_UNREADABLE", f"无法读取 / cannot read: {exc}", Severity.ERROR, Location(file=str(path))
            )
        )
        return
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            missing = [c for c in required if c not in header]
            if missing:
                issues.append(
                    Issue(
                        "CSV_MISSING_COLUMN",
                        f"缺少列 / missing columns: {', '.join(missing)}",
                        Severity.ERROR,
                        Location(file=str(path), line=1),
                    )
                )
                return
            for values in reader:
                if not any((v or "").strip() for k, v in values.items() if k is not None):
                    continue  # blank line
                yield (
                    reader.line_num,
                    Row({k: v for k, v in values.items() if k is not None and isinstance(v, str)}),
                )
        except UnicodeDecodeError as exc:
            issues.append(
                Issue(
                    "CSV_ENCODING",
                    f"不是UTF-8编码 / not UTF-8: {exc.reason}",
                    Severity.ERROR,
                    Location(file=str(path)),
                )
            )
        except csv.Error as exc:
            issues.append(
                Issue("CSV_SYNTAX", f"CSV格式错误 / bad CSV: {exc}", Severity.ERROR, Location(file=str(path)))
            )


def read_file(path: Path, build: Callable[[Row], T]) -> tuple[list[tuple[int, T]], list[Issue]]:
    """Read ``path`` row by row with ``build``; collect every problem as an issue."""
    issues: list[Issue] = []
    out: list[tuple[int, T]] = []
    for line, row in _rows(path, issues):
        try:
            out.append((line, build(row)))
        except _Bad as bad:
            issues.append(
                Issue(
                    bad.code, bad.message, Severity.ERROR, Location(file=str(path), line=line, key=bad.column)
                )
            )
    return out, issues


def _project(r: Row) -> Project:
    return Project(
        r.text("project_id"),
        r.text("name", required=False),
        r.text("account"),
        r.fen("required_upfront") or 0,
        r.day("start_date", required=False),
    )


def _agreement(r: Row) -> Agreement:
    return Agreement(
        r.text("agreement_no"),
        r.text("project_id"),
        r.text("payee_name"),
        r.text("payee_id", required=False),
        r.text("payee_account"),
        r.text("category"),
        r.fen("amount") or 0,
        r.day("signed_date") or date.min,
        r.day("effective_date", required=False),
        r.text("household_ref", required=False),
    )


@dataclass(frozen=True, slots=True)
class _ListRow:
    list_no: str
    project_id: str
    preparer: str
    created_at: datetime
    line: PaymentLine


def _list_row(r: Row) -> _ListRow:
    list_no = r.text("list_no")
    return _ListRow(
        list_no,
        r.text("project_id"),
        r.text("preparer"),
        r.time("created_at"),
        PaymentLine(
            list_no,
            r.integer("line_no"),
            r.text("agreement_no"),
            r.text("payee_name", required=False),
            r.text("payee_account"),
            r.text("category"),
            r.fen("amount") or 0,
            r.day("due_date") or date.min,
        ),
    )


def _review(r: Row) -> Review:
    return Review(
        r.text("list_no"),
        r.integer("level"),
        r.text("reviewer_id"),
        r.text("role", required=False),
        r.choice("decision", _DECISIONS),
        r.time("at"),
        r.text("digest"),
    )


def _transaction(r: Row) -> Transaction:
    return Transaction(
        r.text("txn_id"),
        r.text("account"),
        r.time("at"),
        r.choice("direction", _DIRECTIONS),
        r.fen("amount") or 0,
        r.text("counterparty_name", required=False),
        r.text("counterparty_account", required=False),
        r.text("reference", required=False),
        r.fen("balance_after", required=False, allow_negative=True),
    )


def _allocation(r: Row) -> AllocationApproval:
    return AllocationApproval(
        r.text("approval_no"),
        r.text("from_account"),
        r.text("to_account"),
        r.fen("amount") or 0,
        r.text("approved_by"),
        r.time("approved_at"),
    )


def _relocation(r: Row) -> RelocationEvent:
    return RelocationEvent(
        r.text("household_ref"), r.day("on") or date.min, r.text("kind", required=False) or "vacated"
    )


def _lists(path: Path, rows: list[tuple[int, _ListRow]]) -> tuple[tuple[PaymentList, ...], list[Issue]]:
    """Group line rows into lists; list columns must agree across a list's rows."""
    issues: list[Issue] = []
    heads: dict[str, tuple[str, str, datetime]] = {}
    lines: dict[str, list[PaymentLine]] = {}
    seen: set[tuple[str, int]] = set()
    for line, row in rows:
        head = (row.project_id, row.preparer, row.created_at)
        first = heads.setdefault(row.list_no, head)
        if first != head:
            issues.append(
                Issue(
                    "CSV_INCONSISTENT_LIST",
                    f"清单{row.list_no}的项目/制表人/制表时间与前行不一致 / list {row.list_no}: project, "
                    "preparer or created_at differ from its earlier rows",
                    Severity.ERROR,
                    Location(file=str(path), line=line),
                )
            )
            continue
        key = (row.list_no, row.line.line_no)
        if key in seen:
            issues.append(
                Issue(
                    "CSV_DUPLICATE_LINE",
                    f"清单行重复 / line repeated: {row.list_no}/{row.line.line_no}",
                    Severity.ERROR,
                    Location(file=str(path), line=line, key="line_no"),
                )
            )
            continue
        seen.add(key)
        lines.setdefault(row.list_no, []).append(row.line)
    out = tuple(
        PaymentList(no, pid, prep, created, tuple(sorted(lines[no], key=lambda x: x.line_no)))
        for no, (pid, prep, created) in sorted(heads.items())
    )
    return out, issues


def read_folder(folder: Path) -> tuple[CsvData, dict[str, int]]:
    """Read every file of a folder; returns the data (with all issues) and the
    opening balances by account (from ``projects.csv``'s ``opening_balance``)."""
    issues: list[Issue] = []

    def load(name: str, build: Callable[[Row], T]) -> list[tuple[int, T]]:
        path = folder / name
        if not path.exists():
            if name not in OPTIONAL_FILES:
                issues.append(
                    Issue(
                        "CSV_MISSING_FILE",
                        f"缺少文件 / missing file: {name}",
                        Severity.ERROR,
                        Location(file=str(path)),
                    )
                )
            return []
        rows, found = read_file(path, build)
        issues.extend(found)
        return rows

    opening: dict[str, int] = {}

    def project_with_opening(r: Row) -> Project:
        p = _project(r)
        value = r.fen("opening_balance", required=False, allow_negative=True)
        if value:
            opening[p.account] = value
        return p

    projects: list[Project] = []
    seen_projects: set[str] = set()
    for line, p in load("projects.csv", project_with_opening):
        if p.project_id in seen_projects:  # reconciliation indexes projects by id: keep the first
            issues.append(
                Issue(
                    "CSV_DUPLICATE_PROJECT",
                    f"项目重复 / project repeated: {p.project_id}",
                    Severity.ERROR,
                    Location(file=str(folder / "projects.csv"), line=line),
                )
            )
            continue
        seen_projects.add(p.project_id)
        projects.append(p)
    agreements = [a for _, a in load("agreements.csv", _agreement)]
    list_rows = load("lists.csv", _list_row)
    lists, list_issues = _lists(folder / "lists.csv", list_rows)
    issues.extend(list_issues)
    reviews = [r for _, r in load("reviews.csv", _review)]
    txns = [t for _, t in load("statement.csv", _transaction)]
    allocs = [a for _, a in load("allocations.csv", _allocation)]
    relocs = [e for _, e in load("relocations.csv", _relocation)]
    data = CsvData(
        tuple(projects),
        tuple(agreements),
        lists,
        tuple(reviews),
        tuple(txns),
        tuple(allocs),
        tuple(relocs),
        tuple(issues),
    )
    return data, opening


def _yuan(fen: int | None) -> str:
    return "" if fen is None else str(from_fen(fen))


def write_folder(
    folder: Path,
    projects: Iterable[Project],
    agreements: Iterable[Agreement],
    lists: Iterable[PaymentList],
    reviews: Iterable[Review],
    transactions: Iterable[Transaction],
    allocations: Iterable[AllocationApproval] = (),
    relocations: Iterable[RelocationEvent] = (),
) -> None:
    """Write records as the CSV files :func:`read_folder` reads (amounts as yuan text)."""
    folder.mkdir(parents=True, exist_ok=True)

    def put(name: str, rows: Iterable[dict[str, object]]) -> None:
        required, optional = FILES[name]
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*required, *optional])
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})

    put(
        "projects.csv",
        (
            {
                "project_id": p.project_id,
                "name": p.name,
                "account": p.account,
                "required_upfront": _yuan(p.required_upfront_fen),
                "start_date": p.start_date,
            }
            for p in projects
        ),
    )
    put(
        "agreements.csv",
        (
            {
                "agreement_no": a.agreement_no,
                "project_id": a.project_id,
                "payee_name": a.payee_name,
                "payee_id": a.payee_id,
                "payee_account": a.payee_account,
                "category": a.category,
                "amount": _yuan(a.amount_fen),
                "signed_date": a.signed_date,
                "effective_date": a.effective_date,
                "household_ref": a.household_ref,
            }
            for a in agreements
        ),
    )
    put(
        "lists.csv",
        (
            {
                "list_no": p.list_no,
                "project_id": p.project_id,
                "preparer": p.preparer,
                "created_at": p.created_at.isoformat(sep=" "),
                "line_no": ln.line_no,
                "agreement_no": ln.agreement_no,
                "payee_name": ln.payee_name,
                "payee_account": ln.payee_account,
                "category": ln.category,
                "amount": _yuan(ln.amount_fen),
                "due_date": ln.due_date,
            }
            for p in lists
            for ln in p.lines
        ),
    )
    put(
        "reviews.csv",
        (
            {
                "list_no": r.list_no,
                "level": r.level,
                "reviewer_id": r.reviewer_id,
                "role": r.role,
                "decision": r.decision.value,
                "at": r.at.isoformat(sep=" "),
                "digest": r.digest,
            }
            for r in reviews
        ),
    )
    put(
        "statement.csv",
        (
            {
                "txn_id": t.txn_id,
                "account": t.account,
                "at": t.at.isoformat(sep=" "),
                "direction": t.direction.value,
                "amount": _yuan(t.amount_fen),
                "counterparty_name": t.counterparty_name,
                "counterparty_account": t.counterparty_account,
                "reference": t.reference,
                "balance_after": _yuan(t.balance_after_fen),
            }
            for t in transactions
        ),
    )
    put(
        "allocations.csv",
        (
            {
                "approval_no": a.approval_no,
                "from_account": a.from_account,
                "to_account": a.to_account,
                "amount": _yuan(a.amount_fen),
                "approved_by": a.approved_by,
                "approved_at": a.approved_at.isoformat(sep=" "),
            }
            for a in allocations
        ),
    )
    put(
        "relocations.csv",
        ({"household_ref": e.household_ref, "on": e.on, "kind": e.kind} for e in relocations),
    )
