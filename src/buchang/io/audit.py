"""``buchang audit RESULT.xlsx``: prove a compute report has not been edited.

An auditor's question (``shared/spec/domain.md`` section 1): does every figure
of this workbook follow from the inputs and the cited table versions? The
audit answers in three steps, each finding a located :class:`Issue`
(``RESULT.xlsx:明细!Q12: [AUDIT_MISMATCH] expected 1234.56, found 1234.65``):

1. **Re-add** (always, even without the inputs): every 明细 line's amount must
   equal its own arithmetic (quantity × unit price × factors, rounded half up
   once), every 大写 must spell its amount, and every subtotal of 汇总 (by
   subject, category, village, payee, the totals) must equal the sum of the
   明细 lines it covers — ``AUDIT_ARITHMETIC``, ``AUDIT_UPPERCASE``,
   ``AUDIT_SUBTOTAL``.
2. **Find the inputs and tables**: the inputs are ``--inputs`` or the file
   named in 参数, looked up beside the workbook; its SHA-256 and the digest of
   its data are compared with those recorded (``AUDIT_INPUT_CHANGED``; a file
   re-saved with the same data is only noted, ``AUDIT_INPUT_RESAVED``). Each
   table version recorded in 参数 is looked up **by content hash** in the loaded
   tables (``AUDIT_TABLE_MISSING`` when absent); the re-computation then sees
   exactly those versions and no others.
3. **Re-compute and compare** every cell of 明细 (rows matched by 序号) and of
   汇总 (rows matched by their key cells) with what the writer would write
   for the re-computed result — ``AUDIT_MISMATCH``, ``AUDIT_ROW_MISSING``,
   ``AUDIT_ROW_EXTRA``.

Without inputs the audit is partial: ``AUDIT_INPUTS_UNAVAILABLE`` (a warning)
says so. The workbook is read through :func:`buchang.io.reader.read_xlsx`, so
a hostile file is refused before parsing.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Final

from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from buchang import __version__
from buchang.core.errors import Issue, Location, Severity
from buchang.core.memory import paused_gc
from buchang.core.money import from_fen, uppercase
from buchang.io.reader import SheetData, read_xlsx
from buchang.io.reports import compute_report as cr
from buchang.io.reports.masking import mask_secret, mask_text
from buchang.io.reports.xlsx import (
    HEADER_ROW,
    Block,
    ColKind,
    Column,
    SheetModel,
    continuation_name,
    read_back,
    render,
    show,
    unneutralise,
)
from buchang.io.survey import import_survey_detailed
from buchang.rules.inputs import Project
from buchang.rules.io import read_project
from buchang.rules.parallel import compute_project_parallel
from buchang.tables.model import Table, TableVersion
from buchang.tables.store import TableStore, load_tables

#: Suffixes of project files (the library's own JSON/YAML); anything else is a survey.
PROJECT_SUFFIXES: Final = (".json", ".yaml", ".yml")

AUDIT_NOT_A_REPORT: Final = "AUDIT_NOT_A_REPORT"
AUDIT_MISMATCH: Final = "AUDIT_MISMATCH"
AUDIT_ROW_MISSING: Final = "AUDIT_ROW_MISSING"
AUDIT_ROW_EXTRA: Final = "AUDIT_ROW_EXTRA"
AUDIT_SUBTOTAL: Final = "AUDIT_SUBTOTAL"
AUDIT_ARITHMETIC: Final = "AUDIT_ARITHMETIC"
AUDIT_UPPERCASE: Final = "AUDIT_UPPERCASE"
AUDIT_TABLE_MISSING: Final = "AUDIT_TABLE_MISSING"
AUDIT_TABLES_DIFFER: Final = "AUDIT_TABLES_DIFFER"
AUDIT_INPUT_CHANGED: Final = "AUDIT_INPUT_CHANGED"
AUDIT_INPUT_RESAVED: Final = "AUDIT_INPUT_RESAVED"
AUDIT_INPUTS_UNAVAILABLE: Final = "AUDIT_INPUTS_UNAVAILABLE"
AUDIT_INPUTS_INVALID: Final = "AUDIT_INPUTS_INVALID"
AUDIT_LIBRARY_VERSION: Final = "AUDIT_LIBRARY_VERSION"

#: Every audit code and what it means.
CODES: Final[Mapping[str, str]] = {
    AUDIT_NOT_A_REPORT: "not a buchang compute report (sheet or header missing or changed)",
    AUDIT_MISMATCH: "a cell differs from the re-computed result",
    AUDIT_ROW_MISSING: "a row of the re-computed result is not in the workbook",
    AUDIT_ROW_EXTRA: "a row of the workbook is not in the re-computed result",
    AUDIT_SUBTOTAL: "a subtotal differs from the sum of the 明细 lines it covers",
    AUDIT_ARITHMETIC: "a line's amount differs from quantity × unit price × factors",
    AUDIT_UPPERCASE: "a 大写 amount does not spell the amount beside it",
    AUDIT_TABLE_MISSING: "a table version recorded in 参数 is not among the loaded tables (by content hash)",
    AUDIT_TABLES_DIFFER: "the re-computation used other table versions than those recorded",
    AUDIT_INPUT_CHANGED: "the input file's data differ from those the report was computed from",
    AUDIT_INPUT_RESAVED: "the input file's bytes changed but its data did not",
    AUDIT_INPUTS_UNAVAILABLE: "no input to re-compute from: figures were only re-added",
    AUDIT_INPUTS_INVALID: "the input could not be read",
    AUDIT_LIBRARY_VERSION: "the report was written by another buchang version",
}


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The outcome of an audit.

    Attributes:
        path: the workbook audited (as given).
        issues: every finding, in the order found (re-add, inputs, comparison).
        inputs: the input file used for the re-computation, if any.
        recomputed: True when figures were re-computed and compared.
        cells_compared: number of cells compared with the re-computation.
        lines: number of 明细 lines read.
    """

    path: str
    issues: tuple[Issue, ...]
    inputs: str | None = None
    recomputed: bool = False
    cells_compared: int = 0
    lines: int = 0

    @property
    def ok(self) -> bool:
        return not any(i.is_error for i in self.issues)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "ok": self.ok,
            "recomputed": self.recomputed,
            "inputs": self.inputs,
            "cells_compared": self.cells_compared,
            "lines": self.lines,
            "issues": [i.to_dict() for i in self.issues],
        }


# --- reading the workbook -------------------------------------------------------------


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) → ``A1`` reference."""
    return f"{get_column_letter(col + 1)}{row + 1}"


@dataclass(frozen=True, slots=True)
class FoundRow:
    """A data row as read: its 0-based row index and raw cell values."""

    index: int
    values: tuple[object, ...]
    sheet: str = ""

    def raw(self, col: int) -> object:
        return self.values[col] if col < len(self.values) else None


@dataclass(frozen=True, slots=True)
class FoundBlock:
    title: str | None
    columns: tuple[Column, ...]
    rows: tuple[FoundRow, ...]

    def col(self, key: str) -> int:
        for i, c in enumerate(self.columns):
            if c.key == key:
                return i
        raise KeyError(key)


@dataclass(slots=True)
class _Ctx:
    """What an audit accumulates."""

    file: str
    issues: list[Issue] = field(default_factory=list)
    compared: int = 0

    def add(
        self,
        code: str,
        message: str,
        sheet: str | None = None,
        cell: str | None = None,
        sev: Severity = Severity.ERROR,
    ) -> None:
        self.issues.append(Issue(code, message, sev, Location(file=self.file, sheet=sheet, cell=cell)))


def _header_ok(ctx: _Ctx, sheet: SheetData, index: int, columns: Sequence[Column]) -> bool:
    row = sheet.rows[index] if index < len(sheet.rows) else ()
    for j, c in enumerate(columns):
        got = row[j] if j < len(row) else None
        if got != c.title:
            ctx.add(
                AUDIT_NOT_A_REPORT,
                f"表头应为{c.title!r}，实为{got!r} / header should be {c.title!r}",
                sheet.name,
                cell_ref(index, j),
            )
            return False
    return True


def _data_rows(sheet: SheetData, start: int, until_blank: bool) -> tuple[FoundRow, ...]:
    out: list[FoundRow] = []
    rows = sheet.rows
    name = sheet.name
    for i in range(start, len(rows)):
        # blank cells (None, "", whitespace) → None; inline: millions of cells
        values = tuple([None if v is None or (isinstance(v, str) and not v.strip()) else v for v in rows[i]])
        if values.count(None) == len(values):
            if until_blank:
                break
            continue
        out.append(FoundRow(i, values, name))
    return tuple(out)


def _untitled_block(ctx: _Ctx, sheets: Sequence[SheetData], columns: tuple[Column, ...]) -> FoundBlock | None:
    """A table under the header of row 2, continued over ``sheets`` (明细, 明细 (2) …)."""
    header = HEADER_ROW - 1
    rows: list[FoundRow] = []
    for sheet in sheets:
        if not _header_ok(ctx, sheet, header, columns):
            return None
        rows.extend(_data_rows(sheet, header + 1, until_blank=False))
    return FoundBlock(None, columns, tuple(rows))


def _parts(sheets: Mapping[str, SheetData], name: str) -> list[SheetData]:
    out: list[SheetData] = []
    part = 1
    while continuation_name(name, part) in sheets:
        out.append(sheets[continuation_name(name, part)])
        part += 1
    return out


def _titled_blocks(
    ctx: _Ctx, sheet: SheetData, blocks: Mapping[str, tuple[Column, ...]]
) -> dict[str, FoundBlock]:
    titles = {
        str(row[0]): i
        for i, row in enumerate(sheet.rows)
        if row and isinstance(row[0], str) and row[0] in blocks
    }
    out: dict[str, FoundBlock] = {}
    for title, columns in blocks.items():
        i = titles.get(title)
        if i is None:
            ctx.add(AUDIT_NOT_A_REPORT, f"缺少表块 / block missing: {title}", sheet.name)
            continue
        if _header_ok(ctx, sheet, i + 1, columns):
            out[title] = FoundBlock(title, columns, _data_rows(sheet, i + 2, until_blank=True))
    return out


# --- step 1: re-add ---------------------------------------------------------------------


def _parse_factors(text: str) -> list[Fraction] | None:
    text = unneutralise(text).strip()
    if not text:
        return []
    out: list[Fraction] = []
    for part in text.split("; "):
        if "=" not in part:
            return None
        try:
            out.append(Fraction(part.rsplit("=", 1)[1].strip()))
        except (ValueError, ZeroDivisionError):
            return None
    return out


def _check_lines(ctx: _Ctx, detail: FoundBlock) -> None:
    """Each line's amount = round_half_up(quantity × unit price × Π factors)."""
    q, p, f, a = (detail.col(k) for k in ("quantity", "unit_price", "factors", "amount"))
    numbers: dict[object, object] = {}  # quantities, prices and factor texts repeat: parse each once
    factor_lists: dict[object, list[Fraction] | None] = {}

    def number(raw: object) -> object:
        got = numbers.get(raw, numbers)
        if got is numbers:
            got = numbers[raw] = read_back(ColKind.NUMBER, raw)
        return got

    money = _money_of

    for row in detail.rows:
        amount = money(row.raw(a))
        qty = number(row.raw(q))
        price = number(row.raw(p))
        factors_raw = row.raw(f)
        if factors_raw in factor_lists:
            factors = factor_lists[factors_raw]
        else:
            factors = factor_lists[factors_raw] = _parse_factors(
                factors_raw if isinstance(factors_raw, str) else ""
            )
        if not isinstance(amount, int):
            ctx.add(
                AUDIT_ARITHMETIC,
                f"金额不是数值 / the amount is not a number: {amount!r}",
                row.sheet,
                cell_ref(row.index, a),
            )
            continue
        if not isinstance(qty, Fraction) or not isinstance(price, Fraction) or factors is None:
            ctx.add(
                AUDIT_ARITHMETIC,
                "无法由数量、单价、系数复算 / cannot re-derive the amount from quantity, unit price and factors",
                row.sheet,
                cell_ref(row.index, a),
            )
            continue
        # quantity × price × Π factors in 分, rounded half up once: integer arithmetic on the
        # numerators and denominators (the rounding of a rational does not need it reduced)
        num = qty.numerator * price.numerator * 100
        den = qty.denominator * price.denominator
        for x in factors:
            num *= x.numerator
            den *= x.denominator
        whole, rem = divmod(abs(num), den)
        if 2 * rem >= den:
            whole += 1
        expected = -whole if num < 0 else whole
        if expected != amount:
            where = cell_ref(row.index, a)
            ctx.add(
                AUDIT_ARITHMETIC,
                f"数量×单价×系数 = {from_fen(expected)}，金额为 {from_fen(amount)} / "
                f"quantity × unit price × factors = {from_fen(expected)}, found {from_fen(amount)}",
                row.sheet,
                where,
            )


def _money_of(raw: object) -> object:
    """``read_back(ColKind.MONEY, raw)``, fast for a numeric cell read as a float:
    the shortest ``repr`` of the double is the decimal text the writer stored (see
    :func:`~buchang.io.reports.xlsx.read_back`), parsed as integer 分."""
    if type(raw) is float:
        text = repr(raw)
        whole, dot, cents = text.partition(".")
        if dot and len(cents) <= 2 and cents.isdigit() and whole.lstrip("-").isdigit():
            fen = int(whole) * 100 + (-1 if text[0] == "-" else 1) * int(cents.ljust(2, "0"))
            return fen
    return read_back(ColKind.MONEY, raw)


def _key_of(block: FoundBlock, row: FoundRow, keys: Sequence[str]) -> tuple[object, ...]:
    return tuple(read_back(block.columns[block.col(k)].kind, row.raw(block.col(k))) for k in keys)


def _detail_keys(detail: FoundBlock, keys: Sequence[str]) -> list[tuple[object, ...]]:
    """:func:`_key_of` for every 明细 row at once (text cells need no conversion)."""
    cols = [(detail.col(k), detail.columns[detail.col(k)].kind) for k in keys]
    out: list[tuple[object, ...]] = []
    for row in detail.rows:
        values = row.values
        n = len(values)
        key = []
        for j, kind in cols:
            v = values[j] if j < n else None
            key.append(v if type(v) is str else read_back(kind, v))
        out.append(tuple(key))
    return out


def _label(key: Sequence[object]) -> str:
    """A summary key for a message; identifiers (a payee's account) masked."""
    return " ".join(_masked(str(v)) for v in key if v is not None)


def _masked(text: str) -> str:
    digits = text.replace("*", "")
    return mask_secret(text) if digits.isdigit() and len(text) >= 9 else mask_text(text)


def _check_words(
    ctx: _Ctx, block: FoundBlock, row: FoundRow, fen: object, words: dict[int, str] | None = None
) -> None:
    try:
        w = block.col("words")
    except KeyError:
        return
    found = row.raw(w)
    if isinstance(fen, int):
        expected = words.get(fen) if words is not None else None
        if expected is None:
            expected = uppercase(from_fen(fen))
            if words is not None:
                words[fen] = expected
        if found != expected:
            ctx.add(
                AUDIT_UPPERCASE,
                f"大写应为 {expected}（{from_fen(fen)}），实为 {found!r} / the words do not spell the amount",
                cr.SUMMARY_SHEET,
                cell_ref(row.index, w),
            )


def _subtotal(
    ctx: _Ctx, block: FoundBlock, row: FoundRow, col: str, expected: int, found: object, what: str
) -> None:
    if found != expected:
        kind = ColKind.MONEY if col == "amount" else ColKind.INT
        ctx.add(
            AUDIT_SUBTOTAL,
            f"{what}: 明细合计 {show(kind, expected)}，本格 {show(kind, found)} / "
            f"sum of the lines {show(kind, expected)}, found {show(kind, found)}",
            cr.SUMMARY_SHEET,
            cell_ref(row.index, block.col(col)),
        )


def _check_subtotals(ctx: _Ctx, detail: FoundBlock, blocks: Mapping[str, FoundBlock]) -> None:
    """Re-add every 汇总 block from the 明细 lines as found."""
    amount_col = detail.col("amount")
    amounts: list[int] = []
    for row in detail.rows:
        a = _money_of(row.raw(amount_col))
        amounts.append(a if isinstance(a, int) else 0)
    total_fen, total_lines = sum(amounts), len(amounts)
    subject_col = detail.col("subject_id")
    subject_ids = [row.raw(subject_col) for row in detail.rows]
    words: dict[int, str] = {}  # 大写 of each distinct amount, spelt once
    for title, block in blocks.items():
        keys = cr.SUMMARY_KEYS[title]
        key_cols = [(block.col(k), block.columns[block.col(k)].kind) for k in keys]
        fen_col, lines_col = block.col("amount"), block.col("lines")

        def key_of(row: FoundRow, key_cols: list[tuple[int, ColKind]] = key_cols) -> tuple[object, ...]:
            return tuple(read_back(kind, row.raw(j)) for j, kind in key_cols)

        sums: dict[tuple[object, ...], list[int]] = defaultdict(lambda: [0, 0])
        subjects: dict[tuple[object, ...], set[object]] = defaultdict(set)
        for sid, k, line_fen in zip(subject_ids, _detail_keys(detail, keys), amounts, strict=True):
            acc = sums[k]
            acc[0] += 1
            acc[1] += line_fen
            if title == cr.BY_COLLECTIVE:
                subjects[k].add(sid)
        listed: set[tuple[object, ...]] = set()
        for row in block.rows:
            fen = _money_of(row.raw(fen_col))
            lines = read_back(ColKind.INT, row.raw(lines_col))
            label = row.raw(0)
            if title == cr.PROJECT_TOTAL or label == cr.TOTAL_LABEL:
                exp_lines, exp_fen, what = total_lines, total_fen, "合计 / total"
            else:
                k = key_of(row)
                listed.add(k)
                got = sums.get(k)
                if got is None:
                    if not (lines == 0 and fen == 0):
                        what = _label(k)
                        _subtotal(ctx, block, row, "amount", 0, fen, f"{what} 无明细 / no lines")
                    _check_words(ctx, block, row, fen, words)
                    continue
                exp_lines, exp_fen = got
                if exp_lines == lines and exp_fen == fen and title != cr.BY_COLLECTIVE:
                    _check_words(ctx, block, row, fen, words)  # agrees: no label to build
                    continue
                what = _label(k)
                if title == cr.BY_COLLECTIVE:
                    n = read_back(ColKind.INT, row.raw(block.col("subjects")))
                    _subtotal(ctx, block, row, "subjects", len(subjects[k]), n, f"{what} 对象数 / subjects")
            _subtotal(ctx, block, row, "lines", exp_lines, lines, f"{what} 行数 / lines")
            _subtotal(ctx, block, row, "amount", exp_fen, fen, what)
            _check_words(ctx, block, row, fen, words)
        if title != cr.PROJECT_TOTAL:
            for k, (n, fen) in sums.items():
                if k not in listed:
                    ctx.add(
                        AUDIT_SUBTOTAL,
                        f"{title}: {_label(k)} 有{n}行明细（{from_fen(fen)}）但无汇总行 / "
                        f"{n} lines ({from_fen(fen)}) not summarised",
                        cr.SUMMARY_SHEET,
                    )
        if title != cr.PROJECT_TOTAL and not any(r.raw(0) == cr.TOTAL_LABEL for r in block.rows):
            ctx.add(AUDIT_SUBTOTAL, f"{title}: 缺少合计行 / the total row is missing", cr.SUMMARY_SHEET)


# --- step 2: inputs and tables ----------------------------------------------------------


def _params(block: FoundBlock) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    for row in block.rows:
        name, value = row.raw(0), row.raw(1)
        if isinstance(name, str):
            out[name] = ("" if value is None else unneutralise(str(value)), row.index)
    return out


def _restricted(store: TableStore, versions: Iterable[TableVersion]) -> TableStore:
    """A store holding only ``versions`` (each in its own table), so that the
    re-computation resolves exactly the recorded versions."""
    by_table: dict[str, list[TableVersion]] = defaultdict(list)
    for v in versions:
        by_table[v.table_id].append(v)
    tables: list[Table] = []
    for table_id, vs in by_table.items():
        t = store.table(table_id)
        if t is None:
            continue
        tables.append(dataclasses.replace(t, versions=tuple(sorted(vs, key=lambda v: v.effective_from))))
    return TableStore(store.jurisdictions, tables)


def read_inputs(path: Path) -> tuple[Project | None, tuple[Issue, ...], Mapping[str, Location]]:
    """A project from a survey (.xlsx/.csv/folder) or a project file (.json/.yaml),
    its issues, and where each household's row is (surveys only).

    A .json file is validated by pydantic directly (fast, exact: floats are
    refused as everywhere); only when that fails is it re-read through
    :func:`buchang.rules.io.read_project`, for issues with line numbers.
    """
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            return Project.model_validate_json(path.read_bytes()), (), {}
        except (OSError, ValueError):
            pass  # pydantic's ValidationError is a ValueError; located issues below
    if suffix in PROJECT_SUFFIXES:
        project, issues = read_project(path)
        return project, tuple(issues), {}
    got = import_survey_detailed(path)
    return got.project, got.issues, got.households


def _load_inputs(ctx: _Ctx, path: Path) -> tuple[Project | None, Mapping[str, Location]]:
    project, issues, locations = read_inputs(path)
    if project is None:
        errors = [i for i in issues if i.is_error]
        ctx.issues.append(
            Issue(
                AUDIT_INPUTS_INVALID,
                f"输入无法读取（{len(errors)}个错误），未复算 / the input cannot be read "
                f"({len(errors)} errors): not re-computed" + (f"; first: {errors[0]}" if errors else ""),
                location=Location(file=str(path)),
            )
        )
    return project, locations


def _find_inputs(ctx: _Ctx, result_path: Path, inputs: Path | None, recorded: str) -> Path | None:
    if inputs is not None:
        if not inputs.is_file():
            ctx.issues.append(
                Issue(
                    AUDIT_INPUTS_UNAVAILABLE,
                    "输入文件不存在 / the input file does not exist",
                    location=Location(file=str(inputs)),
                )
            )
            return None
        return inputs
    if recorded:
        name = Path(recorded).name  # never follow a path written into the workbook
        for folder in (result_path.parent, Path.cwd()):
            candidate = folder / name
            if candidate.is_file():
                return candidate
    ctx.add(
        AUDIT_INPUTS_UNAVAILABLE,
        f"找不到输入文件{recorded or '（未记录）'}，仅复核了合计 / input {recorded or '(not recorded)'} "
        "not found: only the subtotals and line arithmetic were checked (give --inputs)",
        cr.PARAMS_SHEET,
        sev=Severity.WARNING,
    )
    return None


def _check_source(ctx: _Ctx, path: Path, project: Project, params: Mapping[str, tuple[str, int]]) -> None:
    sha, sha_row = params.get(cr.P_INPUT_SHA, ("", 0))
    digest, digest_row = params.get(cr.P_INPUT_DIGEST, ("", 0))
    actual_sha = cr.sha256_file(path)
    actual_digest = cr.project_digest(project)
    if digest and digest != actual_digest:
        ctx.add(
            AUDIT_INPUT_CHANGED,
            f"输入数据已变：记录 {digest}，实为 {actual_digest} / the input data changed since the report "
            f"was written ({path.name})",
            cr.PARAMS_SHEET,
            cell_ref(digest_row, 1),
        )
    elif sha and sha != actual_sha:
        if digest:
            ctx.add(
                AUDIT_INPUT_RESAVED,
                f"输入文件字节已变但数据相同 / {path.name} was re-saved: bytes differ, data identical",
                cr.PARAMS_SHEET,
                cell_ref(sha_row, 1),
                Severity.INFO,
            )
        else:
            ctx.add(
                AUDIT_INPUT_CHANGED,
                f"输入文件已变：记录 {sha}，实为 {actual_sha} / {path.name} changed since the report was written",
                cr.PARAMS_SHEET,
                cell_ref(sha_row, 1),
            )


def _recorded_versions(
    ctx: _Ctx, tables: FoundBlock | None, store: TableStore
) -> tuple[list[TableVersion], set[str]] | None:
    """The recorded table versions, looked up by content hash; ``None`` when any is missing."""
    if tables is None:
        return None
    found: list[TableVersion] = []
    hashes: set[str] = set()
    missing = False
    col = tables.col("content_hash")
    for row in tables.rows:
        h = row.raw(col)
        label = f"{row.raw(0)}@{row.raw(1)}"
        if not isinstance(h, str) or not h:
            ctx.add(
                AUDIT_TABLE_MISSING,
                f"{label}: 未记录内容哈希 / no content hash",
                cr.PARAMS_SHEET,
                cell_ref(row.index, col),
            )
            missing = True
            continue
        hashes.add(h)
        v = store.by_hash(h)
        if v is None:
            ctx.add(
                AUDIT_TABLE_MISSING,
                f"{label} {h} 不在已加载的标准表中（请用--tables给出该版本） / not among the loaded tables: "
                "give the folder holding that version with --tables",
                cr.PARAMS_SHEET,
                cell_ref(row.index, col),
            )
            missing = True
            continue
        found.append(v)
    return None if missing else (found, hashes)


# --- step 3: compare ----------------------------------------------------------------------

_TEXT_KINDS: Final = frozenset({ColKind.TEXT, ColKind.SECRET, ColKind.CODE})
DETAIL_AMOUNT: Final = cr.DETAIL_INDEX["amount"]


_POW15: Final = 10**15


def _same_fast(kind: ColKind, exp: object, raw: object) -> bool:
    """Cheap exact equality for the common case (a cell unchanged); ``False``
    means "look closer", never "different".

    A money cell read as a float equals the expected 分 when it is the double
    nearest to ``fen / 100`` (true division of integers is correctly rounded,
    and two decimals of at most 15 digits never share a double); likewise a
    number whose exact decimal has at most 15 digits (denominator dividing 10¹⁵).
    """
    if type(raw) is float:
        if kind is ColKind.MONEY:
            return type(exp) is int and raw == exp / 100
        if kind is ColKind.NUMBER:
            return type(exp) is Fraction and _POW15 % exp.denominator == 0 and raw == float(exp)
        if kind is ColKind.INT:
            return type(exp) is int and raw == exp
        return False
    if type(raw) is str:
        return raw == exp
    return raw is None and exp is None


_NONE_CELL: Final = (type(None), None)


class _Never:
    """Equal to nothing: the cell is compared the careful way."""

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]


_NEVER: Final = _Never()


def _cell_form(kind: ColKind, exp: object) -> object:
    """``(type, value)`` a cell read by python-calamine holds when it equals the rendered
    expected value ``exp`` for :func:`_same_fast` — or :data:`_NEVER` when no such cheap form
    exists. A whole row is compared as a list of these at C speed; on any difference the
    row is compared cell by cell as before, so this only skips work, never a finding."""
    if exp is None:
        return _NONE_CELL
    if type(exp) is str:
        return (str, exp)
    if kind is ColKind.MONEY and type(exp) is int:
        return (float, exp / 100)
    if kind is ColKind.NUMBER and type(exp) is Fraction and _POW15 % exp.denominator == 0:
        return (float, float(exp))
    if kind is ColKind.INT and type(exp) is int:
        return (float, float(exp))
    return _NEVER


def _row_forms(values: Sequence[object], n: int) -> list[tuple[type, object]]:
    """The found row's first ``n`` cells as ``(type, value)`` (missing cells empty)."""
    got = [(v.__class__, v) for v in values[:n]]
    if len(got) < n:
        got.extend([_NONE_CELL] * (n - len(got)))
    return got


def _compare_row(
    ctx: _Ctx,
    sheet: str,
    columns: Sequence[Column],
    expected: Sequence[object],
    found: FoundRow,
    mask: bool,
    memo: dict[tuple[ColKind, str], object],
    forms: dict[tuple[ColKind, object], object] | None = None,
) -> None:
    if forms is not None:
        # the common case: the whole row as written — one comparison of two lists
        want: list[object] = []
        for col, value in zip(columns, expected, strict=True):
            t = type(value)
            kind = col.kind
            if t is str:  # texts repeat (names, codes, citations): their forms are kept
                key = (kind, value)
                form = forms.get(key, forms)
                if form is forms:
                    form = _cell_form(kind, _rendered(kind, value, mask, memo))
                    if len(forms) < 500_000:
                        forms[key] = form
            elif value is None:
                form = _NONE_CELL
            elif t is int and kind is ColKind.MONEY:  # inline _cell_form(render(…)) of the common cases
                form = (float, value / 100)  # type: ignore[operator]
            elif t is int and kind is ColKind.INT:
                form = (float, float(value))  # type: ignore[arg-type]
            elif t is Fraction and kind is ColKind.NUMBER:
                form = (float, float(value)) if _POW15 % value.denominator == 0 else _NEVER  # type: ignore[attr-defined, arg-type]
            else:
                form = _cell_form(kind, _rendered(kind, value, mask, memo))
            want.append(form)
        if want == _row_forms(found.values, len(columns)):
            ctx.compared += len(columns)
            return
    for j, col in enumerate(columns):
        kind = col.kind
        exp = _rendered(kind, expected[j], mask, memo)
        raw = found.raw(j)
        ctx.compared += 1
        if _same_fast(kind, exp, raw):
            continue
        got = read_back(kind, raw)
        if kind in _TEXT_KINDS and isinstance(got, float) and got.is_integer():
            got = str(int(got))  # a text cell re-typed as a number
        if exp != got:
            ctx.add(
                AUDIT_MISMATCH,
                f"{col.title}: expected {show(kind, exp)}, found {show(kind, got)}",
                sheet,
                cell_ref(found.index, j),
            )


def _rendered(kind: ColKind, value: object, mask: bool, memo: dict[tuple[ColKind, str], object]) -> object:
    """:func:`render` (text memoised: a few thousand distinct texts over a million cells)."""
    if type(value) is str:
        key = (kind, value)
        exp = memo.get(key, memo)
        if exp is memo:
            exp = memo[key] = render(kind, value, mask)
        return exp
    if kind is ColKind.NUMBER and type(value) is Fraction:
        return value
    return render(kind, value, mask)


def _compare_detail(ctx: _Ctx, model: Block, found: FoundBlock, mask: bool) -> None:
    memo: dict[tuple[ColKind, str], object] = {}
    forms: dict[tuple[ColKind, object], object] = {}
    by_no: dict[object, FoundRow] = {}
    for row in found.rows:
        no = read_back(ColKind.INT, row.raw(0))
        if no in by_no:
            ctx.add(
                AUDIT_ROW_EXTRA, f"序号{no}重复 / line {no} appears twice", row.sheet, cell_ref(row.index, 0)
            )
            continue
        by_no[no] = row
    last: FoundRow | None = None
    amount = DETAIL_AMOUNT
    for values in model.rows:
        hit = by_no.pop(values[0], None)
        if hit is None:
            ctx.add(
                AUDIT_ROW_MISSING,
                f"缺少序号{values[0]}（{values[1]} {values[6]} {show(ColKind.MONEY, values[amount])}）"
                " / line missing",
                last.sheet if last else cr.DETAIL_SHEET,
                cell_ref((last.index if last else HEADER_ROW - 1) + 1, 0),
            )
            continue
        last = hit
        _compare_row(ctx, hit.sheet, model.columns, values, hit, mask, memo, forms)
    for row in by_no.values():
        ctx.add(
            AUDIT_ROW_EXTRA,
            "复算结果中没有此行 / not a line of the re-computed result",
            row.sheet,
            cell_ref(row.index, 0),
        )


def _compare_summary(ctx: _Ctx, model: Block, found: FoundBlock, mask: bool) -> None:
    assert model.title is not None
    nkeys = max(len(cr.SUMMARY_KEYS[model.title]), 1)
    rows = list(model.rows)
    memo: dict[tuple[ColKind, str], object] = {}
    forms: dict[tuple[ColKind, object], object] = {}

    def key(values: Sequence[object]) -> tuple[object, ...]:
        return tuple(
            render(c.kind, v, mask) for c, v in zip(model.columns[:nkeys], values[:nkeys], strict=True)
        )

    found_by_key: dict[tuple[object, ...], FoundRow] = {}
    for row in found.rows:
        k = tuple(read_back(c.kind, row.raw(j)) for j, c in enumerate(model.columns[:nkeys]))
        found_by_key.setdefault(k, row)
    for values in rows:
        k = key(values)
        hit = found_by_key.pop(k, None)
        if hit is None:
            ctx.add(
                AUDIT_ROW_MISSING,
                f"{model.title}: 缺少 {_label(k)} / row missing",
                cr.SUMMARY_SHEET,
            )
            continue
        _compare_row(ctx, hit.sheet, model.columns, values, hit, mask, memo, forms)
    for row in found_by_key.values():
        ctx.add(
            AUDIT_ROW_EXTRA,
            f"{model.title}: 复算结果中没有此行 / not in the re-computed result",
            cr.SUMMARY_SHEET,
            cell_ref(row.index, 0),
        )


def _compare(
    ctx: _Ctx, sheets: Sequence[SheetModel], detail: FoundBlock, summary: Mapping[str, FoundBlock], mask: bool
) -> None:
    for model in sheets:
        if model.name == cr.DETAIL_SHEET:
            _compare_detail(ctx, model.blocks[0], detail, mask)
        elif model.name == cr.SUMMARY_SHEET:
            for block in model.blocks:
                if block.title is not None and block.title in summary:
                    _compare_summary(ctx, block, summary[block.title], mask)


# --- the audit ------------------------------------------------------------------------


def _sheets(ctx: _Ctx, path: Path) -> dict[str, SheetData] | None:
    wb = read_xlsx(path, label=ctx.file)
    if wb.issues:
        ctx.issues.extend(wb.issues)
        return None
    found = {s.name: s for s in wb.sheets}
    missing = [n for n in cr.SHEETS if n not in found]
    for name in missing:
        ctx.add(AUDIT_NOT_A_REPORT, f"缺少工作表 / sheet missing: {name}", name)
    return None if missing else found


def audit_workbook(
    path: str | Path,
    *,
    inputs: str | Path | None = None,
    tables: Sequence[str | Path] = (),
    store: TableStore | None = None,
) -> AuditReport:
    """Audit a compute report (see the module docstring). Never raises on bad data.

    ``inputs`` — the survey (.xlsx/.csv) or project (.json/.yaml) to re-compute
    from (default: the file named in 参数, beside the workbook); ``tables`` —
    extra table folders; ``store`` — use these loaded tables instead. A large
    project is re-computed over worker processes
    (:func:`~buchang.rules.parallel.compute_project_parallel`, the same result).
    """
    with paused_gc():  # millions of long-lived objects (cells, project, result): see bench_e2e
        return _audit(path, inputs, tables, store)


def _audit(
    path: str | Path,
    inputs: str | Path | None,
    tables: Sequence[str | Path],
    store: TableStore | None,
) -> AuditReport:
    result_path = Path(path)
    ctx = _Ctx(str(path))
    sheets = _sheets(ctx, result_path)
    if sheets is None:
        return AuditReport(str(path), _ordered(ctx.issues))
    detail = _untitled_block(ctx, _parts(sheets, cr.DETAIL_SHEET), cr.DETAIL_COLUMNS)
    summary = _titled_blocks(ctx, sheets[cr.SUMMARY_SHEET], cr.SUMMARY_COLUMNS)
    param_blocks = _titled_blocks(
        ctx, sheets[cr.PARAMS_SHEET], {cr.PARAMS_TITLE: cr.PARAM_COLUMNS, cr.TABLES_TITLE: cr.TABLE_COLUMNS}
    )
    if detail is None or cr.PARAMS_TITLE not in param_blocks:
        return AuditReport(str(path), _ordered(ctx.issues))
    params = _params(param_blocks[cr.PARAMS_TITLE])
    mask = params.get(cr.P_MASKED, ("", 0))[0] == cr.YES

    _check_lines(ctx, detail)
    _check_subtotals(ctx, detail, summary)

    version, version_row = params.get(cr.P_LIBRARY, ("", 0))
    if version and version != __version__:
        ctx.add(
            AUDIT_LIBRARY_VERSION,
            f"报告由buchang {version}生成，当前为{__version__} / written by buchang {version}, auditing with {__version__}",
            cr.PARAMS_SHEET,
            cell_ref(version_row, 1),
            Severity.WARNING,
        )
    source = _find_inputs(
        ctx, result_path, Path(inputs) if inputs else None, params.get(cr.P_INPUT_NAME, ("", 0))[0]
    )
    base = AuditReport(str(path), (), str(source) if source else None, False, 0, len(detail.rows))
    if source is None:
        return dataclasses.replace(base, issues=_ordered(ctx.issues))
    project, locations = _load_inputs(ctx, source)
    if project is None:
        return dataclasses.replace(base, issues=_ordered(ctx.issues))
    _check_source(ctx, source, project, params)
    if store is None:
        store, load_issues = load_tables(*tables)
        ctx.issues.extend(i for i in load_issues if i.is_error)
    recorded = _recorded_versions(ctx, param_blocks.get(cr.TABLES_TITLE), store)
    if recorded is None:
        return dataclasses.replace(base, issues=_ordered(ctx.issues))
    versions, hashes = recorded
    result = compute_project_parallel(project, _restricted(store, versions))
    used = {t.content_hash for t in result.tables}
    if used != hashes:
        ctx.add(
            AUDIT_TABLES_DIFFER,
            f"复算所用标准表与记录不同 / the re-computation used other tables: "
            f"recorded only {sorted(hashes - used)}, re-computed only {sorted(used - hashes)}",
            cr.PARAMS_SHEET,
        )
    model = cr.compute_sheets(result, project=project, locations=locations, mask=mask)
    _compare(ctx, model, detail, summary, mask)
    return dataclasses.replace(
        base, issues=_ordered(ctx.issues), recomputed=True, cells_compared=ctx.compared
    )


#: Order of findings in a report: the cause first (inputs, tables), then the
#: edited cells, then their consequences (arithmetic, words, subtotals).
_PRIORITY: Final = {
    AUDIT_NOT_A_REPORT: 0,
    AUDIT_INPUTS_INVALID: 1,
    AUDIT_INPUT_CHANGED: 1,
    AUDIT_TABLE_MISSING: 1,
    AUDIT_TABLES_DIFFER: 1,
    AUDIT_MISMATCH: 2,
    AUDIT_ROW_MISSING: 2,
    AUDIT_ROW_EXTRA: 2,
    AUDIT_ARITHMETIC: 3,
    AUDIT_UPPERCASE: 4,
    AUDIT_SUBTOTAL: 5,
}


def _ordered(issues: Iterable[Issue]) -> tuple[Issue, ...]:
    return tuple(sorted(issues, key=lambda i: _PRIORITY.get(i.code, 6)))


def findings(report: AuditReport) -> Iterator[str]:
    """The report's issues as ``file:sheet!C12: [CODE] message`` lines."""
    for i in report.issues:
        yield str(i)
