"""Shared helpers of the hostile-input suite: valid inputs of every kind (from
the templates' example rows and the io test kit), a mutation language over
sheets and zip parts, the oracle every import must satisfy, and the check that
an output folder holds either the complete outputs or nothing at all.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from buchang.core.errors import Issue, has_errors
from buchang.io.rawxlsx import RawSheet, write_xlsx
from buchang.io.schema import KINDS, SURVEY, InputKind
from buchang.io.templates import _example  # the template's example row: imports cleanly

#: Issue codes about a whole file (or a whole missing sheet): no sheet/cell to name.
FILE_LEVEL = frozenset({"FILE_UNREADABLE", "FILE_UNSAFE", "MISSING_SHEET", "CSV_ENCODING"})

#: Codes about a whole sheet: for a CSV (one file, one sheet) the file names it.
SHEET_LEVEL = frozenset({"EMPTY_SHEET", "UNKNOWN_SHEET", "TOO_MANY_ROWS"})

Rows = list[list[Any]]


@dataclass
class Book:
    """A workbook being mutated: ``(sheet title, rows)``, rows[0] the header; merges per sheet."""

    kind: InputKind
    sheets: list[tuple[str, Rows]]
    merges: dict[int, list[str]]

    def raw(self) -> list[RawSheet]:
        return [RawSheet(t, rows, tuple(self.merges.get(i, ()))) for i, (t, rows) in enumerate(self.sheets)]

    def write(self, path: Path) -> Path:
        write_xlsx(path, self.raw())
        return path

    def data_rows(self, key: str) -> int | None:
        """Non-blank data rows of the sheet declared as ``key`` (``None`` if absent or ambiguous)."""
        title = self.kind.sheet(key).title
        found = [(i, rows) for i, (t, rows) in enumerate(self.sheets) if t == title]
        if len(found) != 1 or found[0][0] in self.merges:
            return None
        return sum(1 for r in found[0][1][1:] if any(not _blank(v) for v in r))


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def template_book(kind: str) -> Book:
    """The template of ``kind`` as data: the headers and the example row of every sheet."""
    spec = KINDS[kind]
    sheets = [
        (s.title, [[c.header for c in s.columns], [_example(c) for c in s.columns]]) for s in spec.sheets
    ]
    return Book(spec, sheets, {})


def survey_book() -> Book:
    """The io test kit's small valid survey (two households, members, a building …)."""
    from tests.io.io_kit import base, sheet_rows

    s = base()
    sheets = [(sp.title, sheet_rows(SURVEY, sp.key, s[sp.key])) for sp in SURVEY.sheets if sp.key in s]
    return Book(SURVEY, sheets, {})


BASES: dict[str, tuple[str, Any]] = {
    "survey": ("survey", lambda: survey_book()),
    "survey-template": ("survey", lambda: template_book("survey")),
    "agreements": ("agreements", lambda: template_book("agreements")),
    "payment-list": ("payment-list", lambda: template_book("payment-list")),
    "reviews": ("reviews", lambda: template_book("reviews")),
    "bank-statement": ("bank-statement", lambda: template_book("bank-statement")),
    "estimate": ("estimate", lambda: template_book("estimate")),
}


def fresh(base: str) -> Book:
    return copy.deepcopy(_cached(base))


_CACHE: dict[str, Book] = {}


def _cached(base: str) -> Book:
    if base not in _CACHE:
        _CACHE[base] = BASES[base][1]()
    return _CACHE[base]


# --- mutations -------------------------------------------------------------------


def apply(book: Book, op: tuple[Any, ...]) -> None:
    """Apply one mutation (see :data:`tests.hostile.test_fuzz_workbooks.OPS`)."""
    name, i, *args = op
    if not book.sheets:
        return
    i %= len(book.sheets)
    title, rows = book.sheets[i]
    width = max((len(r) for r in rows), default=0) or 1
    if name == "set":
        r, c, value = args
        if not rows:
            rows.append([])
        r %= len(rows) + 1
        if r == len(rows):
            rows.append(list(rows[-1]) if rows else [])
        row = rows[r]
        c %= width + 1
        while len(row) <= c:
            row.append(None)
        row[c] = value
    elif name == "drop_col":
        c = args[0] % width
        for row in rows:
            if c < len(row):
                del row[c]
    elif name == "dup_col":
        c = args[0] % width
        for row in rows:
            if c < len(row):
                row.append(row[c])
    elif name == "extra_col":
        for k, row in enumerate(rows):
            row.append(args[0] if k == 0 else args[1])
    elif name == "header":
        c, text = args
        if rows and rows[0]:
            rows[0][c % len(rows[0])] = text
    elif name == "empty":
        book.sheets[i] = (title, rows[: args[0] % 2])  # nothing at all, or the header alone
    elif name == "drop_sheet":
        del book.sheets[i]
        book.merges.pop(i, None)
    elif name == "dup_sheet":
        book.sheets.append((title if args[0] else title + " ", copy.deepcopy(rows)))
    elif name == "rename_sheet":
        book.sheets[i] = (args[0], rows)
    elif name == "dup_row":
        if len(rows) > 1:
            rows.append(list(rows[1 + args[0] % (len(rows) - 1)]))
    elif name == "blank_rows":
        rows[1:1] = [[] for _ in range(args[0] % 4)]
    elif name == "many_rows":
        if 1 < len(rows) < 100:  # bounded: repeated ops must not grow the sheet exponentially
            rows.extend(copy.deepcopy(rows[1:]) * (args[0] % 50))
    elif name == "merge":
        r0, c0, h, w = args
        r0 %= max(len(rows), 1)
        c0 %= width
        ref = f"{_letter(c0)}{r0 + 1}:{_letter(c0 + w % 3)}{r0 + 1 + h % 4}"
        book.merges.setdefault(i, []).append(ref)
    else:  # pragma: no cover - a typo in the strategy
        raise AssertionError(name)


def _letter(index: int) -> str:
    text = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        text = chr(65 + rem) + text
    return text


def parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i.filename)) for i in zf.infolist()]


def rezip(items: Iterable[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, content in items:
            zf.writestr(name, content)
    return buf.getvalue()


# --- the oracle ---------------------------------------------------------------------


def check_outcome(value: object, issues: Sequence[Issue], files: Sequence[str]) -> str:
    """The only outcomes allowed: a value and no error, or no value and located errors.

    Returns ``"ok"`` or ``"refused"``; every issue must name one of ``files``,
    and every issue that is not about a whole file must name its sheet (or line).
    """
    assert (value is None) == has_errors(issues), [str(i) for i in issues]
    for issue in issues:
        text = str(issue)
        assert issue.location.file is not None and any(issue.location.file == f for f in files), text
        assert text.startswith(issue.location.file), text
        whole_csv = (
            issue.location.file.endswith(".csv") and issue.code in SHEET_LEVEL
        )  # the file is the sheet
        if issue.code not in FILE_LEVEL and not whole_csv:
            loc = issue.location
            assert loc.sheet is not None or loc.line is not None or loc.cell is not None, text
    return "refused" if value is None else "ok"


def count_records(kind: str, value: object) -> dict[str, int]:
    """Records per declared sheet of an accepted import (to check that no row was lost)."""
    if kind == "survey":
        p: Any = value
        return {
            "households": len(p.households),
            "members": sum(len(h.members) for h in p.households),
        }
    if kind in ("agreements", "reviews", "bank-statement"):
        key = {"agreements": "agreements", "reviews": "reviews", "bank-statement": "transactions"}[kind]
        return {key: len(value)}  # type: ignore[arg-type]
    if kind == "payment-list":
        lists: Any = value
        return {"lists": len(lists), "lines": sum(len(pl.lines) for pl in lists)}
    return {}


# --- outputs: complete or absent ------------------------------------------------------


def folder_files(folder: Path) -> list[str]:
    """Every entry of ``folder`` (hidden temporary files included), sorted."""
    return sorted(p.name for p in folder.iterdir())


def assert_complete_or_absent(folder: Path, expected: Sequence[str]) -> bool:
    """``folder`` holds exactly ``expected`` (each opening) or nothing; True when written."""
    present = folder_files(folder)
    if not present:
        return False
    assert present == sorted(expected), present
    for name in expected:
        path = folder / name
        if name.endswith(".xlsx"):
            wb = openpyxl.load_workbook(path, read_only=True)
            assert wb.sheetnames
            wb.close()
        elif name.endswith(".json"):
            json.loads(path.read_text(encoding="utf-8"))
        elif name.endswith(".csv"):
            assert path.read_text(encoding="utf-8-sig").count("\n") >= 1
    return True
