"""Shared workbook writing for reports: typed columns, exact numbers, banners,
formula-injection neutralisation, masking, atomic save.

Conventions every report follows (issue 6 item 3):

* **Exact numbers.** Money is written from integer 分 as a numeric cell
  formatted ``0.00`` whose stored XML text is the exact decimal
  (``<v>1234.56</v>``): openpyxl would format a ``Decimal`` through
  ``float`` with 16 significant digits, which is not exact for amounts above
  about 4·10¹² 元, so the cell receives the decimal *text* and is marked
  numeric. Quantities and unit prices are numeric when they have an exact
  decimal form of at most 15 significant digits (what a spreadsheet keeps),
  and text like ``1/3`` otherwise.
* **Formula injection.** Every text cell starting (after blanks) with
  ``= + - @``, a tab or a carriage return gets a leading apostrophe
  (:func:`neutralise`), and every text cell is stored with data type ``s``
  (an inline string), never as a formula or an error value. Characters XML
  cannot carry are replaced with U+FFFD.
* **Banner.** Row 1 of every sheet is a banner: red, with white bold text,
  when the figures are not official (or a reconciliation has findings); a plain
  bold title otherwise. The header row is row 2.
* **Masking.** With ``mask=True`` every ``SECRET`` column is masked whole and
  every ``TEXT`` column through :func:`~buchang.io.reports.masking.mask_text`.
* **Nothing partial.** :meth:`ReportWorkbook.save` writes a temporary file in
  the target folder and renames it over the target only when complete.

openpyxl's write-only mode is used: rows stream to the file, memory stays flat.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, Literal, Protocol

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from buchang.core.money import from_fen
from buchang.io.atomic import check_output, temp_beside
from buchang.io.reports.masking import mask_secret, mask_text

#: Number format of every money cell.
MONEY_FORMAT: Final = "0.00"
#: First characters a spreadsheet may read as the start of a formula (OWASP CSV injection).
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
#: Excel error literals: a text cell with this content must not become an error value.
_ERROR_LITERALS: Final = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
_ILLEGAL_XML: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Rows of one worksheet (Excel 2007+).
EXCEL_MAX_ROWS: Final = 1_048_576
#: Significant digits a spreadsheet keeps of a number.
MAX_DIGITS: Final = 15

BANNER_FILL: Final = "C00000"
HEADER_FILL: Final = "D9E1F2"
#: Row of the banner and of the header on every sheet (1-based).
BANNER_ROW: Final = 1
HEADER_ROW: Final = 2


class ColKind(StrEnum):
    """How a column's values are written."""

    TEXT = "text"  # free text: neutralised; digit runs masked when masking
    SECRET = "secret"  # ID number / bank account: masked whole when masking
    CODE = "code"  # codes, dates, content hashes: neutralised, never masked
    MONEY = "money"  # integer 分 → numeric 元 with format 0.00
    NUMBER = "number"  # exact rational → numeric when exact in 15 digits, else text a/b
    INT = "int"  # integer count


@dataclass(frozen=True, slots=True)
class Column:
    """A report column: key, header text (Chinese / English), kind, width."""

    key: str
    title: str
    kind: ColKind = ColKind.TEXT
    width: float = 12.0


def neutralise(text: str) -> str:
    """Make text safe to open in a spreadsheet: a leading apostrophe before a
    formula trigger (``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``), XML-illegal
    characters replaced.

    >>> neutralise("=1+2"), neutralise("-2"), neutralise(" @SUM(A1)"), neutralise("张三")
    ("'=1+2", "'-2", "' @SUM(A1)", '张三')
    """
    text = _ILLEGAL_XML.sub("\ufffd", text)
    if text.lstrip(" ").startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """Undo :func:`neutralise`'s apostrophe (for readers of our own reports)."""
    if text.startswith("'") and neutralise(text[1:]) == text:
        return text[1:]
    return text


def exact_decimal_text(value: Fraction | Decimal | int) -> str | None:
    """The exact decimal text of a rational, when it has one of at most 15
    significant digits (what a numeric cell holds without loss); else ``None``.

    >>> exact_decimal_text(Fraction(3, 2000)), exact_decimal_text(Fraction(1, 3))
    ('0.0015', None)
    """
    q = Fraction(value)
    d = q.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return None
    places = max(twos, fives)
    scaled = q.numerator * 10**places // q.denominator
    dec = Decimal(scaled).scaleb(-places)
    digits = dec.as_tuple().digits
    if len(digits) > MAX_DIGITS and scaled != 0:
        return None
    text = format(dec, "f")
    return text


def money_text(fen: int) -> str:
    """Exact 元 text of an amount in 分 (``123456`` → ``1234.56``)."""
    return str(from_fen(fen))


Converter = Callable[[Any], Any]
#: Told of every ``n`` data rows written (progress bars).
Progress = Callable[[int], None]


class SheetWriter:
    """Streams one sheet: banner row, then blocks of header + rows."""

    def __init__(self, book: ReportWorkbook, name: str, widths: Sequence[float]) -> None:
        self.book = book
        self.name = name
        self.widths = tuple(widths)
        self.part = 1
        self._ncols = max(len(widths), 1)
        self._open(name)

    def _open(self, name: str) -> None:
        self.ws = self.book.wb.create_sheet(name)
        self.row = 0
        for i, w in enumerate(self.widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = w
        self.ws.freeze_panes = f"A{HEADER_ROW + 1}"
        self._banner()

    # -- styled single cells -------------------------------------------------

    def _cell(
        self, value: object, *, bold: bool = False, fill: str | None = None, white: bool = False
    ) -> Any:
        cell = WriteOnlyCell(self.ws)
        if isinstance(value, str):
            cell.value = neutralise(value)
            cell.data_type = "s"
        else:
            cell.value = value
        if bold or white:
            cell.font = Font(bold=bold, color="FFFFFF" if white else None)
        if fill is not None:
            cell.fill = PatternFill("solid", fgColor=fill)
        return cell

    def _banner(self) -> None:
        text = self.book.banner
        if text:
            cells = [self._cell(text, bold=True, fill=BANNER_FILL, white=True)]
            cells += [self._cell(None, fill=BANNER_FILL) for _ in range(self._ncols - 1)]
        else:
            cells = [self._cell(self.book.title, bold=True)]
        self.append(cells)

    def append(self, values: Sequence[object]) -> None:
        self.ws.append(list(values))
        self.row += 1

    def title(self, text: str) -> None:
        """A bold title row (a block of a summary sheet)."""
        self.append([self._cell(text, bold=True)])

    def blank(self) -> None:
        self.append([])

    def header(self, columns: Sequence[Column]) -> None:
        self.append([self._cell(c.title, bold=True, fill=HEADER_FILL) for c in columns])

    def rows(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[object]],
        *,
        split: bool = False,
        progress: Progress | None = None,
    ) -> None:
        """Write data rows, each value converted by its column's kind; ``split``
        continues a table longer than a sheet on the next sheet (header repeated);
        ``progress(n)`` is told of every ``n`` rows written."""
        convs = [self.book.converter(c.kind, self.ws) for c in columns]
        limit = self.book.max_rows
        pending = 0
        for values in rows:
            if split and self.row >= limit:  # a sheet holds 1,048,576 rows: continue on "明细 (2)"
                self.part += 1
                self._open(continuation_name(self.name, self.part))
                self.header(columns)
                convs = [self.book.converter(c.kind, self.ws) for c in columns]
            self.append([conv(v) for conv, v in zip(convs, values, strict=True)])
            pending += 1
            if progress is not None and pending >= 512:
                progress(pending)
                pending = 0
        if progress is not None and pending:
            progress(pending)

    def table(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[object]],
        *,
        split: bool = False,
        progress: Progress | None = None,
    ) -> None:
        self.header(columns)
        self.rows(columns, rows, split=split, progress=progress)


def check_target(path: str | Path) -> Path:
    """The output path, after checking its folder exists (before anything is written)."""
    return check_output(path)


def continuation_name(name: str, part: int) -> str:
    """Name of the ``part``-th sheet of a table too long for one sheet (``明细 (2)``)."""
    return name if part == 1 else f"{name} ({part})"


class ReportWorkbook:
    """A write-only workbook with the report conventions (module docstring).

    ``max_rows`` — rows per sheet before a table continues on the next sheet
    (Excel's limit; tests lower it).
    """

    max_rows: int = EXCEL_MAX_ROWS

    def __init__(self, *, title: str, banner: str = "", mask: bool = False) -> None:
        self.wb = Workbook(write_only=True)
        self.title = title
        self.banner = banner
        self.mask = mask

    def sheet(self, name: str, widths: Sequence[float]) -> SheetWriter:
        return SheetWriter(self, name, widths)

    def discard(self) -> None:
        """Abandon a workbook whose writing failed: close and remove openpyxl's
        temporary sheet files (nothing was written at the target)."""
        for ws in self.wb.worksheets:
            with contextlib.suppress(Exception):
                ws.close()
            writer: Any = getattr(ws, "_writer", None)
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.cleanup()

    def save(self, path: str | Path) -> Path:
        """Write atomically: a temporary file in the same folder, then a rename."""
        target = check_output(path)
        tmp = temp_beside(target)  # unguessable: a planted symlink is never written through
        try:
            self.wb.save(tmp)
            os.replace(tmp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return target

    # -- converters ----------------------------------------------------------

    def converter(self, kind: ColKind, ws: Any) -> Converter:
        """A function turning one value of ``kind`` into what ``ws.append`` takes."""
        if kind is ColKind.MONEY:
            money = WriteOnlyCell(ws)
            money.number_format = MONEY_FORMAT

            def to_money(value: object) -> Any:
                if value is None:
                    return None
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TypeError(f"money is integer fen, got {type(value).__name__}")
                money.value = money_text(value)
                money.data_type = "n"  # numeric cell whose XML text is the exact decimal
                return money

            return to_money
        if kind is ColKind.NUMBER:
            number = WriteOnlyCell(ws)
            text_cell = WriteOnlyCell(ws)

            def to_number(value: object) -> Any:
                if value is None:
                    return None
                if isinstance(value, bool) or not isinstance(value, Fraction | Decimal | int):
                    return self._text(str(value), text_cell)
                exact = exact_decimal_text(value)
                if exact is None:
                    return self._text(str(Fraction(value)), text_cell)
                number.value = exact
                number.data_type = "n"
                return number

            return to_number
        if kind is ColKind.INT:
            return lambda v: v
        if kind is ColKind.SECRET and self.mask:
            cell = WriteOnlyCell(ws)
            return lambda v: None if v is None else self._text(mask_secret(str(v)), cell)
        if kind is ColKind.TEXT and self.mask:
            cell = WriteOnlyCell(ws)
            return lambda v: None if v is None else self._text(mask_text(str(v)), cell)
        cell = WriteOnlyCell(ws)
        return lambda v: None if v is None else self._text(str(v), cell)

    @staticmethod
    def _text(text: str, cell: Any) -> Any:
        """A text cell: neutralised, stored as a string whatever it looks like."""
        safe = neutralise(text)
        if safe in _ERROR_LITERALS or safe.startswith("="):
            cell.value = safe
            cell.data_type = "s"
            return cell
        return safe


# --- report models: what the writer writes and the audit re-derives ---------------


@dataclass(frozen=True, slots=True)
class Block:
    """A table on a sheet: an optional title row (marker in column A), a header
    row and data rows (raw values: 分 as ``int``, rationals, text). ``counted``:
    the rows a writer's ``progress`` reports (the 明细 of a compute report)."""

    title: str | None
    columns: tuple[Column, ...]
    rows: Iterable[Sequence[object]]
    counted: bool = False


@dataclass(frozen=True, slots=True)
class SheetModel:
    """A sheet: its name and its blocks, written one after another with a blank row between."""

    name: str
    blocks: tuple[Block, ...]

    def widths(self) -> tuple[float, ...]:
        n = max((len(b.columns) for b in self.blocks), default=1)
        out = [8.0] * n
        for b in self.blocks:
            for i, c in enumerate(b.columns):
                out[i] = max(out[i], c.width)
        return tuple(out)


class SheetLike(Protocol):
    """What :func:`write_sheets` needs of a sheet (:class:`SheetWriter`, ``FastSheet``)."""

    def title(self, text: str) -> None: ...
    def blank(self) -> None: ...
    def table(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[object]],
        *,
        split: bool = False,
        progress: Progress | None = None,
    ) -> None: ...


class BookLike(Protocol):
    """What :func:`write_sheets` needs of a workbook (:class:`ReportWorkbook`, ``FastWorkbook``)."""

    def sheet(self, name: str, widths: Sequence[float]) -> SheetLike: ...


#: ``openpyxl`` (write-only mode), ``fast`` (:mod:`.fastxlsx`, for large reports) or
#: ``auto`` (``fast`` above :data:`AUTO_FAST_ROWS` rows).
Engine = Literal["auto", "openpyxl", "fast"]
AUTO_FAST_ROWS: Final = 5_000


def write_sheets(book: BookLike, sheets: Iterable[SheetModel], progress: Progress | None = None) -> None:
    """Write every sheet of a model (banner row first, then the blocks);
    ``progress(n)`` is told of the rows of the ``counted`` blocks as they are written."""
    for model in sheets:
        sheet = book.sheet(model.name, model.widths())
        long = len(model.blocks) == 1 and model.blocks[0].title is None
        for i, block in enumerate(model.blocks):
            if i:
                sheet.blank()
            if block.title is not None:
                sheet.title(block.title)
            sheet.table(block.columns, block.rows, split=long, progress=progress if block.counted else None)


def render(kind: ColKind, value: object, mask: bool) -> object:
    """The value as a report cell holds it, in a comparable form: 分 for money,
    a ``Fraction`` for numbers, the final (masked, neutralised) text for text."""
    if value is None:
        return None
    if kind is ColKind.MONEY or kind is ColKind.INT:
        return value
    if kind is ColKind.NUMBER:
        if isinstance(value, Fraction | Decimal | int) and not isinstance(value, bool):
            return Fraction(value)
        return neutralise(str(value))
    text = str(value)
    if not text:
        return None  # an empty string is an empty cell
    if mask and kind is ColKind.SECRET:
        text = mask_secret(text)
    elif mask and kind is ColKind.TEXT:
        text = mask_text(text)
    return neutralise(text)


def _fraction_of(raw: object) -> Fraction | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Fraction(raw)
    if isinstance(raw, float):
        return Fraction(Decimal(repr(raw))) if raw == raw and abs(raw) != float("inf") else None
    if isinstance(raw, str):
        try:
            return Fraction(raw.strip())
        except (ValueError, ZeroDivisionError):
            return None
    return None


def read_back(kind: ColKind, raw: object) -> object:
    """A cell value as a reader (python-calamine, openpyxl) gives it → the form
    :func:`render` produces, or the raw value when it cannot be (a text in a
    money cell, say), which then compares unequal.

    A numeric cell comes back as a binary ``float``; its shortest ``repr`` is
    the decimal text stored in the file for any number of at most 15
    significant digits (what the writer stores), so the comparison is exact.
    """
    if raw is None or raw == "":
        return None
    if kind is ColKind.MONEY:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            frac = _fraction_of(raw)
            if frac is not None and (frac * 100).denominator == 1:
                return int(frac * 100)
        return raw
    if kind is ColKind.NUMBER:
        frac = _fraction_of(raw)
        return frac if frac is not None else raw
    if kind is ColKind.INT:
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        return raw
    if isinstance(raw, str):
        return raw
    return raw


def show(kind: ColKind, value: object) -> str:
    """A comparable value as text for a finding (``1234.56``, ``0.0015``, ``'张三'``).

    Messages never carry a full ID number or account (issue 8 item 7): a
    ``SECRET`` value is masked, and digit runs in text are masked too.
    """
    if value is None:
        return "(空 empty)"
    if kind is ColKind.SECRET:
        return repr(mask_secret(str(value)))
    if kind is ColKind.MONEY and isinstance(value, int) and not isinstance(value, bool):
        return money_text(value)
    if isinstance(value, Fraction):
        return exact_decimal_text(value) or str(value)
    if isinstance(value, str):
        return repr(mask_text(value))
    return str(value)
