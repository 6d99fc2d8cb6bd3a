"""Read .xlsx and .csv files into raw rows with row/column provenance.

Nothing here interprets values (that is :mod:`buchang.io.cells`); a reader
returns every sheet's cells as the engine gives them, positioned so that
``rows[i][j]`` is cell ``(first_row + i, j)`` (0-based; ``A1`` is ``(0, 0)``).

xlsx engines (measured in ``benchmarks/bench_import.py``):

* ``calamine`` (default) — python-calamine, Rust; several times faster than
  openpyxl's read-only mode on a large survey. Numbers come as floats (made
  exact by :func:`buchang.io.cells.float_to_decimal`), date cells as
  ``date``/``datetime``, formulas as their cached values.
* ``openpyxl`` — read-only, ``data_only=True`` (cached values, never formula
  text); the fallback when python-calamine is not installed.

Every file is checked by :func:`buchang.io.safety.check_xlsx` first. Any
failure to read is an issue (``FILE_UNREADABLE``), never an exception.

CSV: one file is one sheet, named by the file's stem. Encodings: a BOM
(UTF-8, UTF-16) decides; otherwise strict UTF-8, then GB18030 (a superset of
GBK/GB2312, what Excel on a Chinese Windows writes), reported as an ``info``
issue ``CSV_ENCODING``; bytes that are neither are ``FILE_UNREADABLE``.
The delimiter is a comma, a tab or a semicolon, whichever the header line has most of.
"""

from __future__ import annotations

import codecs
import csv
import io
import queue
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from buchang.core.errors import Issue, Location, Severity
from buchang.io.safety import (
    DEFAULT_LIMITS,
    FILE_UNREADABLE,
    FILE_UNSAFE,
    Limits,
    check_file_size,
    check_xlsx,
)

Engine = Literal["calamine", "openpyxl"]
CSV_ENCODING: Final = "CSV_ENCODING"
#: Same code as :data:`buchang.io.binding.MISSING_SHEET` (binding imports this module).
MISSING_SHEET: Final = "MISSING_SHEET"

Cell = object
Rows = Sequence[Sequence[Cell]]


@dataclass(frozen=True, slots=True)
class SheetData:
    """One sheet's raw cells.

    Attributes:
        name: the sheet's name (for CSV, the file stem) — matched against declared sheets.
        label: the sheet name shown in locations (``None`` for CSV: ``file:C12``).
        file: the file label shown in locations.
        rows: cell values, row by row.
        first_row: absolute 0-based row index of ``rows[0]``.
        merged: merged ranges, 0-based inclusive ``(row0, col0, row1, col1)``.
    """

    name: str
    label: str | None
    file: str
    rows: Rows
    first_row: int = 0
    merged: tuple[tuple[int, int, int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class WorkbookData:
    """Sheets read from one or more files (a survey may come as several CSVs)."""

    sheets: tuple[SheetData, ...] = ()
    issues: tuple[Issue, ...] = field(default=())


def _fail(file: str, message: str) -> WorkbookData:
    return WorkbookData((), (Issue(FILE_UNREADABLE, message, location=Location(file=file)),))


def _is_fatal(exc: BaseException) -> bool:
    return isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit)


def _too_large(label: str, sheet: str, cells: int, limits: Limits) -> WorkbookData:
    return WorkbookData(
        (),
        (
            Issue(
                FILE_UNSAFE,
                f"工作表“{sheet}”的使用区域约{cells}个单元格，超过上限{limits.max_sheet_cells}"
                "（是否有远处的零散单元格？） / the sheet's used range is too large (a stray far-away cell?)",
                location=Location(file=label, sheet=sheet),
            ),
        ),
    )


#: Threads reading worksheets side by side (python-calamine parses without the GIL).
READ_THREADS: Final = 2


def _read_calamine(path: Path, label: str, limits: Limits) -> WorkbookData:
    """Every worksheet with python-calamine, two at a time (two workbook handles, each
    used by one thread at a time): the Rust parse releases the GIL, so a large survey's
    sheets are read in about 60 % of the time on two cores. The outcome is the
    sequential read's: the sheets in order, stopping at the first too large or failing."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    opened: list[Any] = []
    handles: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def one(name: str) -> SheetData | int | BaseException:
        """The sheet, its used range in cells when too large to read, or why it failed."""
        wb = handles.get()
        try:
            sh = wb.get_sheet_by_name(name)
            end = sh.end
            cells = (end[0] + 1) * (end[1] + 1) if end is not None else 0
            if cells > limits.max_sheet_cells:
                return cells
            rows = sh.to_python(skip_empty_area=False)
            merged = tuple((r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sh.merged_cell_ranges or ()))
            return SheetData(name, name, label, rows, 0, merged)
        except BaseException as exc:  # pyo3 panics derive from BaseException
            if _is_fatal(exc):
                raise
            return exc
        finally:
            handles.put(wb)

    try:
        try:
            first = CalamineWorkbook.from_path(str(path))
            opened.append(first)
            handles.put(first)
            names = [m.name for m in first.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
            if len(names) > 1:
                for _ in range(READ_THREADS - 1):
                    wb = CalamineWorkbook.from_path(str(path))
                    opened.append(wb)
                    handles.put(wb)
                with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
                    got = list(pool.map(one, names))
            else:
                got = [one(n) for n in names]
        finally:
            for wb in opened:
                wb.close()
        sheets: list[SheetData] = []
        for name, sheet in zip(names, got, strict=True):
            if isinstance(sheet, BaseException):
                raise sheet
            if isinstance(sheet, int):
                return _too_large(label, name, sheet, limits)
            sheets.append(sheet)
    except BaseException as exc:  # pyo3 panics derive from BaseException
        if _is_fatal(exc):
            raise
        return _fail(label, f"无法读取xlsx / cannot read the workbook: {type(exc).__name__}: {exc}")
    return WorkbookData(tuple(sheets))


def _read_openpyxl(path: Path, label: str, limits: Limits) -> WorkbookData:
    import openpyxl  # type: ignore[import-untyped]  # no stubs installed (types-openpyxl)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                sheets: list[SheetData] = []
                for ws in wb.worksheets:
                    ws.reset_dimensions()
                    rows: list[list[Cell]] = []
                    cells = 0
                    for r in ws.iter_rows(min_row=1, min_col=1, values_only=True):
                        cells += max(len(r), 1)
                        if cells > limits.max_sheet_cells:
                            return _too_large(label, ws.title, cells, limits)
                        rows.append(list(r))
                    sheets.append(SheetData(ws.title, ws.title, label, rows, 0, ()))
            finally:
                wb.close()
    except BaseException as exc:
        if _is_fatal(exc):
            raise
        return _fail(label, f"无法读取xlsx / cannot read the workbook: {type(exc).__name__}: {exc}")
    return WorkbookData(tuple(sheets))


_ERROR_CELL: Final = (b't="e"', b"t='e'")
_MAX_ROW_BYTES: Final = 8 << 20
_DIGITS: Final = frozenset(b"0123456789")
#: Letters → "A", digits → "0": cell and row references become shape patterns.
_SHAPE: Final = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", b"A" * 26 + b"0" * 10)


def _column_index(window: bytes, at: int) -> tuple[int, int]:
    """``(column, row)`` (1-based) of the cell reference starting at ``window[at]``."""
    col = 0
    i = at
    n = len(window)
    while i < n and 65 <= window[i] <= 90 and i - at < 4:
        col = col * 26 + window[i] - 64
        i += 1
    quote = window.find(b'"', i, i + 9)
    digits = window[i:quote] if quote > i else b""
    return col, int(digits) if digits and all(b in _DIGITS for b in digits) else 0


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, overlap: int) -> Iterator[bytes]:
    tail = b""
    with zf.open(info) as part:
        while chunk := part.read(1 << 20):
            yield tail + chunk
            tail = chunk[-overlap:]


def _quick_bound(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[bool, int]:
    """(error cells?, an upper bound of the used range) from reference *shapes*:
    a 3-letter column anywhere → 16,384 columns, 2 letters → 702, else 26;
    7-digit row numbers → 10⁷ rows, 6 → 10⁶, else 10⁵. Implicit references
    (``<c>``, ``<row>``) give no bound (-1)."""
    cols, rows, implicit = 26, 100_000, False
    for window in _chunks(zf, info, 16):
        if any(marker in window for marker in _ERROR_CELL):
            return True, 0
        shape = window.translate(_SHAPE)
        if b' r="AAA' in shape:
            cols = 16_384
        elif cols < 702 and b' r="AA' in shape:
            cols = 702
        if b' r="0000000' in shape:
            rows = 10_000_000
        elif rows < 1_000_000 and b' r="000000' in shape:
            rows = 1_000_000
        implicit = implicit or b"<c>" in window or b"<row>" in window
    return False, -1 if implicit else cols * rows


def _exact_cells(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """The used range (rows × columns) by walking the rows; -1 if a row is absurdly long.

    The farthest column of a row is its last cell (cells are written in column
    order); a cell without a reference counts by position."""
    max_col = max_row = rows = 0
    tail = b""
    with zf.open(info) as part:
        while chunk := part.read(1 << 20):
            window = tail + chunk
            pos = 0
            while (end := window.find(b"</row>", pos)) >= 0:
                rows += 1
                last = max(window.rfind(b"<c ", pos, end), window.rfind(b"<c>", pos, end))
                close = window.find(b">", last, end) if last >= 0 else -1
                ref = window.find(b' r="', last, close) if close >= 0 else -1
                if ref >= 0:
                    col, row = _column_index(window, ref + 4)
                    max_row = max(max_row, row)
                else:
                    col = window.count(b"<c ", pos, end) + window.count(b"<c>", pos, end)
                max_col = max(max_col, col)
                pos = end + 6
            max_row = max(max_row, rows)
            tail = window[pos:]
            if len(tail) > _MAX_ROW_BYTES:
                return -1
    return max_col * max_row


def calamine_unsafe(path: Path, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why python-calamine must not read this workbook, or ``None``.

    Two reasons, found by streaming the worksheet XML (about 0.3 s per 100 MB:
    a byte translation and substring searches), after which the workbook is
    read with openpyxl instead:

    * a formula-error cell (``#DIV/0!``, ``#N/A`` …): calamine returns it as an
      empty string, which would make a broken value look blank; openpyxl gives
      the error text (reported as ``WRONG_TYPE`` at its cell);
    * a used range above ``limits.max_sheet_cells``: calamine allocates the
      whole rectangle from A1 to the farthest cell up front, so a single stray
      cell at ``XFD1048576`` aborts the process with an out-of-memory error;
      openpyxl streams row by row (and :func:`_read_openpyxl` counts cells).
      A quick bound from the shapes of the references decides most files; only
      a sheet the bound cannot clear is walked row by row.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                errors, bound = _quick_bound(zf, info)
                if errors:
                    return "error cells"
                if 0 <= bound <= limits.max_sheet_cells:
                    continue
                cells = _exact_cells(zf, info)
                if cells < 0 or cells > limits.max_sheet_cells:
                    return "used range too large"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
        return None  # the reader reports the damage
    return None


def has_error_cells(path: Path) -> bool:
    """Whether any worksheet holds a formula-error cell (see :func:`calamine_unsafe`)."""
    return calamine_unsafe(path) == "error cells"


def default_engine() -> Engine:
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return "openpyxl"
    return "calamine"


def read_xlsx(
    path: Path, *, engine: Engine | None = None, limits: Limits = DEFAULT_LIMITS, label: str | None = None
) -> WorkbookData:
    """Check (zip directory, DTDs) and read every worksheet of an .xlsx."""
    name = label if label is not None else str(path)
    unsafe = check_xlsx(path, limits, label=name)
    if unsafe:
        return WorkbookData((), tuple(unsafe))
    if (engine or default_engine()) == "calamine" and calamine_unsafe(path, limits) is None:
        got = _read_calamine(path, name, limits)
    else:
        got = _read_openpyxl(path, name, limits)
    if not got.sheets and not got.issues:  # a valid zip whose workbook lists no worksheet
        return _empty(name, "工作簿中没有工作表 / the workbook has no worksheet")
    return got


def _empty(label: str, message: str) -> WorkbookData:
    return WorkbookData((), (Issue(MISSING_SHEET, message, location=Location(file=label)),))


def decode_csv(data: bytes, label: str) -> tuple[str | None, list[Issue]]:
    """Bytes → text by BOM, strict UTF-8, then GB18030 (reported)."""
    loc = Location(file=label)
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), []
        except UnicodeDecodeError as exc:
            return None, [
                Issue(FILE_UNREADABLE, f"UTF-8编码错误 / invalid UTF-8 after a BOM: {exc}", location=loc)
            ]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as exc:
            return None, [Issue(FILE_UNREADABLE, f"UTF-16编码错误 / invalid UTF-16: {exc}", location=loc)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None, [
            Issue(
                FILE_UNREADABLE,
                "无法识别CSV编码（应为UTF-8或GBK） / unknown CSV encoding: save it as UTF-8 (or GBK)",
                location=loc,
            )
        ]
    return text, [
        Issue(
            CSV_ENCODING,
            "CSV按GBK/GB18030编码读取 / the CSV was read as GBK (GB18030)",
            Severity.INFO,
            location=loc,
        )
    ]


def read_csv(path: Path, *, limits: Limits = DEFAULT_LIMITS, label: str | None = None) -> WorkbookData:
    """Read one CSV file as one sheet named by the file stem."""
    name = label if label is not None else str(path)
    problem = check_file_size(path, limits, name)
    if problem is not None:
        return WorkbookData((), (problem,))
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _fail(name, f"无法读取文件 / cannot read the file: {exc}")
    text, issues = decode_csv(data, name)
    if text is None:
        return WorkbookData((), tuple(issues))
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    try:
        rows: list[list[Cell]] = [
            list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        return WorkbookData((), (*issues, *_fail(name, f"CSV格式错误 / malformed CSV: {exc}").issues))
    return WorkbookData((SheetData(path.stem, None, name, rows),), tuple(issues))


def read_file(path: Path, *, engine: Engine | None = None, limits: Limits = DEFAULT_LIMITS) -> WorkbookData:
    """Read an .xlsx (or .xlsm) or a .csv/.txt by its extension."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path, limits=limits)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, engine=engine, limits=limits)
    if suffix == ".xls":
        return _fail(str(path), "不支持旧版.xls，请另存为.xlsx / legacy .xls is not supported: save as .xlsx")
    return _fail(str(path), f"不支持的文件类型{suffix or '(无)'}，应为.xlsx或.csv / expected .xlsx or .csv")


def read_files(
    paths: Sequence[Path], *, engine: Engine | None = None, limits: Limits = DEFAULT_LIMITS
) -> WorkbookData:
    """Read several files (a folder's CSVs, or one workbook) into one set of sheets.

    A directory stands for the .csv/.xlsx files inside it, in name order.
    """
    expanded: list[Path] = []
    sheets: list[SheetData] = []
    issues: list[Issue] = []
    for p in paths:
        if p.is_dir():
            inside = sorted(q for q in p.iterdir() if q.suffix.lower() in (".csv", ".xlsx", ".xlsm", ".tsv"))
            if not inside:  # otherwise nothing would be read and nothing said
                issues.extend(
                    _empty(str(p), "目录中没有.xlsx或.csv文件 / no .xlsx or .csv file in the folder").issues
                )
            expanded.extend(inside)
        else:
            expanded.append(p)
    for p in expanded:
        got = read_file(p, engine=engine, limits=limits)
        sheets.extend(got.sheets)
        issues.extend(got.issues)
    return WorkbookData(tuple(sheets), tuple(issues))
