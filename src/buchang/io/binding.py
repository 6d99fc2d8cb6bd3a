"""Bind raw sheets to declared sheets: find headers, convert every cell, collect
every problem with its cell.

The result of :func:`bind` is, per declared sheet, a list of :class:`Record`
(converted values by column key, with the 1-based Excel row and a way to
locate any of its cells) plus every issue found. Nothing stops at the first
problem: the whole file is read and every cell checked, so the user gets the
complete list in one pass.

Codes reported here: ``MISSING_SHEET``, ``EMPTY_SHEET``, ``MISSING_COLUMN``,
``DUPLICATE_COLUMN``, ``UNKNOWN_COLUMN`` (warning), ``UNKNOWN_SHEET`` (warning),
``MISSING_VALUE``, ``TOO_MANY_ROWS`` and every cell code of
:mod:`buchang.io.cells`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from pydantic import ValidationError

from buchang.core.errors import Issue, Location, Severity
from buchang.io.cells import CellOptions, Converter, Problem, is_blank, make_converter, to_text_cell
from buchang.io.headers import find_header, normalize, sheet_names
from buchang.io.reader import SheetData, WorkbookData
from buchang.io.schema import InputKind, Sheet

MISSING_SHEET: Final = "MISSING_SHEET"
EMPTY_SHEET: Final = "EMPTY_SHEET"
MISSING_COLUMN: Final = "MISSING_COLUMN"
DUPLICATE_COLUMN: Final = "DUPLICATE_COLUMN"
UNKNOWN_COLUMN: Final = "UNKNOWN_COLUMN"
UNKNOWN_SHEET: Final = "UNKNOWN_SHEET"
MISSING_VALUE: Final = "MISSING_VALUE"
TOO_MANY_ROWS: Final = "TOO_MANY_ROWS"

#: Sheets a template carries that are not data (the instructions sheet).
IGNORED_SHEETS: Final = frozenset(
    normalize(n) for n in ("说明", "填表说明", "instructions", "readme", "代码表")
)

_LETTERS: list[str] = []


def column_letter(index: int) -> str:
    """0-based column index → ``A``, ``B`` … ``AA``."""
    while len(_LETTERS) <= index:
        n = len(_LETTERS) + 1
        text = ""
        while n:
            n, rem = divmod(n - 1, 26)
            text = chr(65 + rem) + text
        _LETTERS.append(text)
    return _LETTERS[index]


def cell_location(data: SheetData, row0: int, col0: int) -> Location:
    """The location of 0-based absolute (row, col) in a sheet."""
    return Location(file=data.file, sheet=data.label, cell=f"{column_letter(col0)}{row0 + 1}")


@dataclass(slots=True)
class Record:
    """One data row: converted values by column key (``None`` for blank or bad
    cells), its sheet, absolute 0-based row, and the column positions."""

    values: dict[str, object]
    data: SheetData
    row0: int
    positions: dict[str, int]
    ok: bool

    @property
    def row(self) -> int:
        """1-based Excel row number."""
        return self.row0 + 1

    def loc(self, key: str | None = None) -> Location:
        """Location of the cell of column ``key`` (the row's first cell when absent)."""
        col = self.positions.get(key, 0) if key is not None else 0
        return cell_location(self.data, self.row0, col)

    def get(self, key: str) -> object:
        return self.values.get(key)


@dataclass(slots=True)
class Bound:
    """A declared sheet with its records (from every matching raw sheet)."""

    spec: Sheet
    present: bool = False
    records: list[Record] = field(default_factory=list)


def _match_sheets(kind: InputKind, wb: WorkbookData) -> tuple[dict[str, list[SheetData]], list[Issue]]:
    names = {s.key: set(sheet_names(s)) for s in kind.sheets}
    found: dict[str, list[SheetData]] = {s.key: [] for s in kind.sheets}
    issues: list[Issue] = []
    unmatched: list[SheetData] = []
    for data in wb.sheets:
        norm = normalize(data.name)
        key = next((k for k, ns in names.items() if norm in ns), None)
        if key is not None:
            found[key].append(data)
        elif norm not in IGNORED_SHEETS:
            unmatched.append(data)
    if len(kind.sheets) == 1 and unmatched and not found[kind.sheets[0].key]:
        found[kind.sheets[0].key].append(unmatched.pop(0))
    for data in unmatched:
        issues.append(
            Issue(
                UNKNOWN_SHEET,
                f"工作表“{data.name}”不是{kind.title}的表，已忽略 / sheet not part of {kind.name}, ignored",
                Severity.WARNING,
                Location(file=data.file, sheet=data.label),
            )
        )
    return found, issues


_MAX_MERGE_FILL: Final = 5_000_000


def _fill_merged_data(data: SheetData, header_row0: int) -> None:
    """Give every cell of a merged data range its anchor's value.

    Survey sheets often merge 户编号 down over a household's member rows; the
    file stores the value in the first cell only. Known when the reader gives
    the merge list (calamine); ranges above ``_MAX_MERGE_FILL`` cells in all are
    left alone (a merge over a whole sheet is not data)."""
    budget = _MAX_MERGE_FILL
    rows = data.rows
    for r0, c0, r1, c1 in data.merged:
        if r0 <= header_row0 or r1 < r0 or c1 < c0:
            continue
        size = (r1 - r0 + 1) * (c1 - c0 + 1)
        budget -= size
        if budget < 0:
            return
        i0 = r0 - data.first_row
        if not 0 <= i0 < len(rows) or c0 >= len(rows[i0]):
            continue
        value = rows[i0][c0]
        for i in range(i0, min(r1 - data.first_row, len(rows) - 1) + 1):
            row = rows[i]
            if not isinstance(row, list):
                continue
            for j in range(c0, min(c1, len(row) - 1) + 1):
                row[j] = value


def _bind_sheet(data: SheetData, spec: Sheet, converters: dict[str, Converter], bound: Bound) -> list[Issue]:
    issues: list[Issue] = []
    rows = data.rows
    header = find_header(rows, spec, merged=data.merged)
    top = Location(file=data.file, sheet=data.label, cell=f"A{data.first_row + 1}")
    if header is None:
        if all(is_blank(v) for r in rows[:50] for v in r):
            return []  # a blank sheet: EMPTY_SHEET (when required) is reported by bind()
        return [
            Issue(MISSING_COLUMN, f"缺少必填列“{c.header}”({c.key}) / missing column", location=top)
            for c in spec.columns
            if c.required
        ]
    header_row0 = data.first_row + header.row
    _fill_merged_data(data, header_row0)
    for col in spec.columns:
        if col.required and col.key not in header.columns:
            issues.append(
                Issue(
                    MISSING_COLUMN,
                    f"缺少必填列“{col.header}”({col.key}) / missing column",
                    location=cell_location(data, header_row0, 0),
                )
            )
    for key, j in header.duplicates:
        issues.append(
            Issue(
                DUPLICATE_COLUMN,
                f"列“{spec.column(key).header}”重复出现（第一次在{column_letter(header.columns[key])}列） / "
                "duplicate column",
                location=cell_location(data, header_row0, j),
            )
        )
    for text, j in header.unknown:
        issues.append(
            Issue(
                UNKNOWN_COLUMN,
                f"未定义的列“{text[:40]}”，已忽略 / unknown column, ignored",
                Severity.WARNING,
                cell_location(data, header_row0, j),
            )
        )
    plan: list[tuple[str, int, Converter, bool, str]] = []
    for col in spec.columns:
        pos = header.columns.get(col.key)
        if pos is not None:
            plan.append((col.key, pos, converters[col.key], col.required, col.header))
    positions = dict(header.columns)
    first_row = data.first_row
    str_ = str
    for i in range(header.row + 1, len(rows)):
        row = rows[i]
        width = len(row)
        values: dict[str, object] = {}
        # (column, title, problem — None for a missing value); issues are built only for
        # a row that has some value: a sheet of a million blank rows (a stray far cell)
        # must not build a million sets of MISSING_VALUE issues only to drop them
        pending: list[tuple[int, str, Problem | None]] | None = None
        filled = False
        row0 = first_row + i
        for key, j, convert, required, title in plan:
            value = row[j] if j < width else None
            if value is None or (value.__class__ is str_ and (not value or value.isspace())):
                values[key] = None
                if required:
                    if pending is None:
                        pending = []
                    pending.append((j, title, None))
                continue
            filled = True
            if convert is to_text_cell and value.__class__ is str_:
                values[key] = value.strip()  # the common case, inline
                continue
            got, problem = convert(value)
            values[key] = got
            if problem is not None:
                if pending is None:
                    pending = []
                pending.append((j, title, problem))
        if not filled:
            continue
        if pending is None:
            bound.records.append(Record(values, data, row0, positions, True))
            continue
        row_issues = [
            Issue(
                MISSING_VALUE,
                f"“{title}”不能为空 / required value missing",
                location=cell_location(data, row0, j),
            )
            if p is None
            else Issue(p.code, p.message, p.severity, cell_location(data, row0, j))
            for j, title, p in pending
        ]
        ok = not any(x.severity is Severity.ERROR for x in row_issues)
        bound.records.append(Record(values, data, row0, positions, ok))
        issues.extend(row_issues)
    return issues


def bind(
    kind: InputKind, wb: WorkbookData, options: CellOptions | None = None
) -> tuple[dict[str, Bound], list[Issue]]:
    """Bind every declared sheet of ``kind``; issues include the reader's."""
    issues = list(wb.issues)
    found, sheet_issues = _match_sheets(kind, wb)
    issues.extend(sheet_issues)
    result: dict[str, Bound] = {}
    file_label = wb.sheets[0].file if wb.sheets else None
    for spec in kind.sheets:
        bound = Bound(spec)
        result[spec.key] = bound
        datas = found[spec.key]
        if not datas:
            if spec.required and wb.sheets:
                issues.append(
                    Issue(
                        MISSING_SHEET,
                        f"缺少工作表“{spec.title}”({spec.key}) / missing sheet",
                        location=Location(file=file_label),
                    )
                )
            continue
        bound.present = True
        converters = {c.key: make_converter(c, options) for c in spec.columns}
        for data in datas:
            issues.extend(_bind_sheet(data, spec, converters, bound))
        if not bound.records and spec.required:
            data = datas[0]
            issues.append(
                Issue(
                    EMPTY_SHEET,
                    f"工作表“{data.name}”没有数据行 / the sheet has no data rows",
                    location=Location(file=data.file, sheet=data.label),
                )
            )
        if spec.single_row and len(bound.records) > 1:
            extra = bound.records[1]
            issues.append(
                Issue(
                    TOO_MANY_ROWS,
                    f"工作表“{spec.title}”只能有一行数据，实有{len(bound.records)}行 / exactly one row expected",
                    location=extra.loc(),
                )
            )
    return result, issues


DUPLICATE_ID: Final = "DUPLICATE_ID"
UNKNOWN_REFERENCE: Final = "UNKNOWN_REFERENCE"
INCONSISTENT_VALUE: Final = "INCONSISTENT_VALUE"
MODEL_INVALID: Final = "MODEL_INVALID"


def unique(records: list[Record], key: str, what: str, issues: list[Issue]) -> dict[str, Record]:
    """Index records by ``key``; a repeated value is ``DUPLICATE_ID`` at its cell,
    naming the row of the first occurrence. Records with no value are skipped."""
    seen: dict[str, Record] = {}
    for rec in records:
        value = rec.values.get(key)
        if value is None:
            continue
        text = str(value)
        first = seen.get(text)
        if first is not None:
            issues.append(
                Issue(
                    DUPLICATE_ID,
                    f"{what}“{text}”重复（首次出现在第{first.row}行） / duplicate {what}, first in row {first.row}",
                    location=rec.loc(key),
                )
            )
            continue
        seen[text] = rec
    return seen


def unknown_reference(rec: Record, key: str, what: str) -> Issue:
    return Issue(
        UNKNOWN_REFERENCE,
        f"{what}“{rec.values.get(key)}”不存在 / refers to an unknown {what}",
        location=rec.loc(key),
    )


def model_issue(rec: Record, exc: Exception) -> Issue:
    """A model-level rejection we did not foresee, located at the row."""
    if isinstance(exc, ValidationError):  # never echo input values: they may be ID numbers
        text = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    else:
        text = type(exc).__name__
    return Issue(MODEL_INVALID, f"数据不符合模型 / invalid record: {text[:300]}", location=rec.loc())
