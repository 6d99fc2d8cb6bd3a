"""A streaming .xlsx writer for large reports, same conventions as :mod:`.xlsx`.

openpyxl's write-only mode serialises every cell through a pure-Python XML
tree (lxml is not a dependency): about 20,000 cells a second, so the 明细 of a
2,000-household project (33,000 lines × 24 columns) takes over half a minute.
This writer produces the same workbook — same sheets, banner, header, typed
cells (money as numeric cells in the built-in ``0.00`` format holding the
exact decimal text, text as shared strings, never a formula), column widths,
frozen header — by formatting the sheet XML directly into the zip stream, one
entry at a time. It is selected with ``engine="fast"`` and checked by the same
tests as the openpyxl writer (the workbooks must read back identically).

Layout of the package: ``[Content_Types].xml``, ``_rels/.rels``,
``docProps/{app,core}.xml``, ``xl/workbook.xml`` (+ rels), ``xl/styles.xml``
(fixed: default, banner, red fill, bold, header, money), ``xl/sharedStrings.xml``,
``xl/worksheets/sheetN.xml``. Text goes through :func:`~.xlsx.neutralise`
(and masking) exactly as in :class:`~.xlsx.ReportWorkbook`.
"""

from __future__ import annotations

import contextlib
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import IO, Final, Protocol, runtime_checkable

from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from buchang.io.atomic import temp_beside
from buchang.io.reports.masking import mask_secret, mask_text
from buchang.io.reports.xlsx import (
    AUTO_FAST_ROWS,
    EXCEL_MAX_ROWS,
    HEADER_ROW,
    ColKind,
    Column,
    Engine,
    ReportWorkbook,
    SheetModel,
    check_target,
    continuation_name,
    exact_decimal_text,
    money_text,
    neutralise,
    write_sheets,
)

_NS: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL: Final = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML: Final = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Cell styles (indexes into cellXfs of the fixed styles.xml below).
S_BANNER, S_RED, S_BOLD, S_HEADER, S_MONEY = 1, 2, 3, 4, 5

_STYLES: Final = (
    _XML + f'<styleSheet xmlns="{_NS}">'
    '<fonts count="3">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="4"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00C00000"/><bgColor indexed="64"/></patternFill></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00D9E1F2"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="6">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="3" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

_ESCAPE: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _esc(text: str) -> str:
    return text.translate(_ESCAPE)


def fen_text(fen: int) -> str:
    """:func:`~.xlsx.money_text` (exact 元 text of 分), by integer arithmetic.

    >>> fen_text(123456), fen_text(-5), fen_text(0)
    ('1234.56', '-0.05', '0.00')
    """
    if -_FEN_FAST < fen < _FEN_FAST:
        if fen < 0:
            yuan, cents = divmod(-fen, 100)
            return f"-{yuan}.{cents:02d}"
        yuan, cents = divmod(fen, 100)
        return f"{yuan}.{cents:02d}"
    return money_text(fen)


_FEN_FAST: Final = 10**40


@runtime_checkable
class PreparedRows(Protocol):
    """Rows of values (iterating gives what :meth:`FastSheet.rows` takes) that can also
    render their cells for a :class:`FastWorkbook` directly, faster (same cells)."""

    def __iter__(self) -> Iterator[Sequence[object]]: ...
    def fragments(self, book: FastWorkbook) -> Iterable[Sequence[str | None]]: ...


class FastSheet:
    """Streams one sheet into its zip entry (see :class:`~.xlsx.SheetWriter`)."""

    def __init__(self, book: FastWorkbook, name: str, widths: Sequence[float]) -> None:
        self.book = book
        self.name = name
        self.widths = tuple(widths)
        self.part = 1
        self._ncols = max(len(widths), 1)
        self._letters = [get_column_letter(i + 1) for i in range(max(self._ncols, 64))]
        self._open(name)

    def _open(self, name: str) -> None:
        self.out = self.book._entry(name)
        self.row = 0
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(self.widths, 1)
        )
        self.out.write(
            (
                _XML + f'<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}">'
                '<sheetViews><sheetView workbookViewId="0">'
                f'<pane ySplit="{HEADER_ROW}" topLeftCell="A{HEADER_ROW + 1}" activePane="bottomLeft" state="frozen"/>'
                "</sheetView></sheetViews>"
                '<sheetFormatPr defaultRowHeight="15"/>'
                + (f"<cols>{cols}</cols>" if cols else "")
                + "<sheetData>"
            ).encode("utf-8")
        )
        banner = self.book.banner
        if banner:
            cells = [(banner, S_BANNER)] + [(None, S_RED)] * (self._ncols - 1)
            self._styled(cells)
        else:
            self._styled([(self.book.title, S_BOLD)])

    def close(self) -> None:
        self.out.write(b"</sheetData></worksheet>")
        self.out.close()

    def _styled(self, cells: Sequence[tuple[str | None, int]]) -> None:
        self.row += 1
        r = self.row
        parts = [f'<row r="{r}">']
        for j, (text, style) in enumerate(cells):
            ref = f"{self._letters[j]}{r}"
            if text is None:
                parts.append(f'<c r="{ref}" s="{style}"/>')
            else:
                parts.append(f'<c r="{ref}" s="{style}" t="s"><v>{self.book.sst(neutralise(text))}</v></c>')
        parts.append("</row>")
        self.out.write("".join(parts).encode("utf-8"))

    def title(self, text: str) -> None:
        self._styled([(text, S_BOLD)])

    def blank(self) -> None:
        self.row += 1
        self.out.write(f'<row r="{self.row}"/>'.encode())

    def header(self, columns: Sequence[Column]) -> None:
        self._styled([(c.title, S_HEADER) for c in columns])

    def rows(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[object]],
        *,
        split: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Write data rows, each value converted by its column's kind (see
        :meth:`~.xlsx.SheetWriter.rows`)."""
        frags = [self.book.fragment(c.kind) for c in columns]

        def cells(values: Sequence[object]) -> list[str | None]:
            return [None if v is None else f(v) for f, v in zip(frags, values, strict=True)]

        self.prepared(columns, map(cells, rows), split=split, progress=progress)

    def prepared(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[str | None]],
        *,
        split: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Write rows of cell fragments (:meth:`FastWorkbook.fragment`'s output, ``None``
        for an empty cell), numbering rows and cells; ``split`` continues a table longer
        than a sheet on the next sheet (header repeated); ``progress(n)`` is called
        every few thousand rows with the rows written since."""
        starts = [f'<c r="{letter}' for letter in self._letters[: len(columns)]]
        limit = self.book.max_rows
        write = self.out.write
        buf: list[str] = []
        append = buf.append
        pending = 0
        row = self.row
        for cells in rows:
            if split and row >= limit:
                write("".join(buf).encode("utf-8"))
                buf.clear()
                self.row = row
                self.close()
                self.part += 1
                self._open(continuation_name(self.name, self.part))
                self.header(columns)
                write = self.out.write
                row = self.row
            row += 1
            r = str(row)
            append(f'<row r="{r}">')
            for start, frag in zip(starts, cells, strict=True):
                if frag is not None:
                    append(f'{start}{r}"{frag}')
            append("</row>")
            pending += 1
            if pending >= 2048:
                write("".join(buf).encode("utf-8"))
                buf.clear()
                if progress is not None:
                    progress(pending)
                pending = 0
        self.row = row
        if buf:
            write("".join(buf).encode("utf-8"))
        if progress is not None and pending:
            progress(pending)

    def table(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[object]],
        *,
        split: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.header(columns)
        if isinstance(rows, PreparedRows):
            # rows that render their own cell fragments (the 明细 of a compute report)
            self.prepared(columns, rows.fragments(self.book), split=split, progress=progress)
        else:
            self.rows(columns, rows, split=split, progress=progress)


class FastWorkbook:
    """A workbook streamed straight into a zip at a temporary path next to
    ``path``; :meth:`save` completes it and renames it over ``path``."""

    max_rows: int = EXCEL_MAX_ROWS

    def __init__(self, path: str | Path, *, title: str, banner: str = "", mask: bool = False) -> None:
        self.target = check_target(path)
        self.tmp = temp_beside(self.target)  # unguessable: a planted symlink is never written through
        self.title = title
        self.banner = banner
        self.mask = mask
        try:
            self._zip = zipfile.ZipFile(self.tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1)
        except BaseException:
            self.tmp.unlink(missing_ok=True)
            raise
        self._names: list[str] = []
        self._current: FastSheet | None = None
        self._strings: dict[str, int] = {}

    # -- shared strings and converters ------------------------------------------------

    def sst(self, text: str) -> int:
        i = self._strings.get(text)
        if i is None:
            i = self._strings[text] = len(self._strings)
        return i

    def fragment(self, kind: ColKind) -> Callable[[object], str | None]:
        """A function turning one (non-``None``) value of ``kind`` into the XML of its
        cell after the reference (``' t="s"><v>12</v></c>'``), or ``None`` for no cell
        (an empty text). Text is masked (when masking) and neutralised once per
        distinct value."""
        sst = self.sst
        if kind is ColKind.MONEY:

            def money(v: object) -> str:
                if isinstance(v, bool) or not isinstance(v, int):
                    raise TypeError(f"money is integer fen, got {type(v).__name__}")
                return f' s="{S_MONEY}"><v>{fen_text(v)}</v></c>'

            return money
        if kind is ColKind.INT:
            return lambda v: f"><v>{int(v)}</v></c>"  # type: ignore[call-overload]
        if kind is ColKind.NUMBER:
            numbers: dict[object, str] = {}  # quantities and prices repeat: format each once

            def number(v: object) -> str:
                got = numbers.get(v)
                if got is None:
                    if isinstance(v, Fraction | Decimal | int) and not isinstance(v, bool):
                        exact = exact_decimal_text(v)
                        text = str(Fraction(v)) if exact is None else None
                    else:
                        exact, text = None, str(v)
                    got = (
                        f"><v>{exact}</v></c>"
                        if text is None
                        else f' t="s"><v>{sst(neutralise(text))}</v></c>'
                    )
                    if len(numbers) < 1_000_000:
                        numbers[v] = got
                return got

            return number
        masker: Callable[[str], str] | None = None
        if self.mask and kind is ColKind.SECRET:
            masker = mask_secret
        elif self.mask and kind is ColKind.TEXT:
            masker = mask_text
        seen: dict[str, str | None] = {}  # raw text → its cell (masking and neutralising done once)
        missing = object()

        def text(v: object) -> str | None:
            raw = v if type(v) is str else str(v)
            got = seen.get(raw, missing)
            if got is missing:
                got = (
                    f' t="s"><v>{sst(neutralise(masker(raw) if masker is not None else raw))}</v></c>'
                    if raw
                    else None
                )
                if len(seen) < 2_000_000:
                    seen[raw] = got
            return got  # type: ignore[return-value]

        return text

    def converter(self, kind: ColKind) -> Callable[[str, object], str]:
        """A function turning ``(cell reference, value)`` into the cell's XML (``""`` for none)."""
        frag = self.fragment(kind)

        def convert(ref: str, v: object) -> str:
            got = None if v is None else frag(v)
            return "" if got is None else f'<c r="{ref}"{got}'

        return convert

    # -- sheets ------------------------------------------------------------------------

    def _entry(self, name: str) -> IO[bytes]:
        self._names.append(name)
        return self._zip.open(f"xl/worksheets/sheet{len(self._names)}.xml", "w", force_zip64=True)

    def sheet(self, name: str, widths: Sequence[float]) -> FastSheet:
        if self._current is not None:
            self._current.close()
        self._current = FastSheet(self, name, widths)
        return self._current

    def save(self, path: str | Path | None = None) -> Path:
        """Complete the package and rename it over the target (``path`` must be the
        one given at construction)."""
        if path is not None and Path(path) != self.target:
            raise ValueError("a FastWorkbook is saved where it was created")
        try:
            if self._current is not None:
                self._current.close()
                self._current = None
            self._finish()
            self._zip.close()
            os.replace(self.tmp, self.target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                self.tmp.unlink()
        return self.target

    def discard(self) -> None:
        """Abandon the workbook (nothing is left on disk)."""
        if self._current is not None:
            with contextlib.suppress(Exception):
                self._current.out.close()
            self._current = None
        with contextlib.suppress(Exception):
            self._zip.close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()

    def _finish(self) -> None:
        z = self._zip
        n = len(self._names)
        sheets = "".join(
            f'<sheet name="{_esc(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(self._names, 1)
        )
        z.writestr(
            "xl/workbook.xml",
            _XML + f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{sheets}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        rels += f'<Relationship Id="rId{n + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
        rels += f'<Relationship Id="rId{n + 2}" Type="{_REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        z.writestr(
            "xl/_rels/workbook.xml.rels", _XML + f'<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>'
        )
        z.writestr("xl/styles.xml", _STYLES)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            count = len(self._strings)
            f.write((_XML + f'<sst xmlns="{_NS}" count="{count}" uniqueCount="{count}">').encode("utf-8"))
            buf: list[str] = []
            for s in self._strings:
                buf.append(f'<si><t xml:space="preserve">{_esc(s)}</t></si>')
                if len(buf) > 4096:
                    f.write("".join(buf).encode("utf-8"))
                    buf.clear()
            f.write(("".join(buf) + "</sst>").encode("utf-8"))
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        z.writestr(
            "[Content_Types].xml",
            _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            f"{overrides}</Types>",
        )
        z.writestr(
            "_rels/.rels",
            _XML + f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL_NS}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "docProps/core.xml",
            _XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{_esc(self.title)}</dc:title><dc:creator>buchang</dc:creator></cp:coreProperties>",
        )
        z.writestr(
            "docProps/app.xml",
            _XML
            + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>buchang</Application></Properties>",
        )


def open_book(
    path: str | Path, *, engine: Engine, rows: int, title: str, banner: str = "", mask: bool = False
) -> ReportWorkbook | FastWorkbook:
    """The workbook writer for ``engine`` (``auto``: openpyxl up to
    :data:`~.xlsx.AUTO_FAST_ROWS` data rows, the fast writer above), output
    folder checked first."""
    check_target(path)
    if engine == "fast" or (engine == "auto" and rows > AUTO_FAST_ROWS):
        return FastWorkbook(path, title=title, banner=banner, mask=mask)
    if engine not in ("auto", "openpyxl"):
        raise ValueError(f"unknown engine {engine!r}")
    return ReportWorkbook(title=title, banner=banner, mask=mask)


def write_book(
    book: ReportWorkbook | FastWorkbook,
    path: str | Path,
    sheets: Iterable[SheetModel],
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write ``sheets`` and save; on any failure nothing is left at ``path``'s folder.
    ``progress(n)`` is told of the rows of long tables as they are written."""
    try:
        write_sheets(book, sheets, progress)
    except BaseException:
        book.discard()
        raise
    return book.save(path)
