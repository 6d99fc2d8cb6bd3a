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
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import IO, Final

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
        self, columns: Sequence[Column], rows: Iterable[Sequence[object]], *, split: bool = False
    ) -> None:
        convs = [self.book.converter(c.kind) for c in columns]
        letters = self._letters[: len(columns)]
        limit = self.book.max_rows
        write = self.out.write
        buf: list[str] = []
        for values in rows:
            if split and self.row >= limit:
                write("".join(buf).encode("utf-8"))
                buf.clear()
                self.close()
                self.part += 1
                self._open(continuation_name(self.name, self.part))
                self.header(columns)
                write = self.out.write
            self.row += 1
            r = str(self.row)
            buf.append(f'<row r="{r}">')
            for conv, letter, v in zip(convs, letters, values, strict=True):
                if v is not None:
                    buf.append(conv(letter + r, v))
            buf.append("</row>")
            if len(buf) > 4096:
                write("".join(buf).encode("utf-8"))
                buf.clear()
        if buf:
            write("".join(buf).encode("utf-8"))

    def table(
        self, columns: Sequence[Column], rows: Iterable[Sequence[object]], *, split: bool = False
    ) -> None:
        self.header(columns)
        self.rows(columns, rows, split=split)


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

    def converter(self, kind: ColKind) -> Callable[[str, object], str]:
        sst = self.sst
        if kind is ColKind.MONEY:

            def money(ref: str, v: object) -> str:
                if isinstance(v, bool) or not isinstance(v, int):
                    raise TypeError(f"money is integer fen, got {type(v).__name__}")
                return f'<c r="{ref}" s="{S_MONEY}"><v>{money_text(v)}</v></c>'

            return money
        if kind is ColKind.INT:
            return lambda ref, v: f'<c r="{ref}"><v>{int(v)}</v></c>'  # type: ignore[call-overload]
        if kind is ColKind.NUMBER:
            numbers: dict[object, str] = {}  # quantities and prices repeat: format each once

            def number(ref: str, v: object) -> str:
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
                return f'<c r="{ref}"{got}'

            return number
        masker: Callable[[str], str] | None = None
        if self.mask and kind is ColKind.SECRET:
            masker = mask_secret
        elif self.mask and kind is ColKind.TEXT:
            masker = mask_text
        seen: dict[str, int] = {}  # raw text → shared-string index (masking and neutralising done once)

        def text(ref: str, v: object) -> str:
            raw = v if type(v) is str else str(v)
            i = seen.get(raw)
            if i is None:
                if not raw:
                    return ""
                i = seen[raw] = sst(neutralise(masker(raw) if masker is not None else raw))
            return f'<c r="{ref}" t="s"><v>{i}</v></c>'

        return text

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


def write_book(book: ReportWorkbook | FastWorkbook, path: str | Path, sheets: Iterable[SheetModel]) -> Path:
    """Write ``sheets`` and save; on any failure nothing is left at ``path``'s folder."""
    try:
        write_sheets(book, sheets)
    except BaseException:
        book.discard()
        raise
    return book.save(path)
