"""Header matching: tolerant of full-width characters, spaces, line breaks, case
and the documented aliases; one- or two-row headers with merged cells.

A header is normalised (:func:`normalize`) by NFKC (full-width ``（ｍ²）`` →
``(m2)``, ideographic space → space), dropping every whitespace character
(spaces, tabs, line breaks inside a cell), dropping a ``*`` required-marker,
unifying brackets and lower-casing. ``合法面积 (m²)``, ``合法面积\\n（ｍ２）`` and
``LEGAL_AREA_M2`` all match the same column.

Merged header cells: a group header merged across columns (``面积`` over
``合法`` | ``实测``) leaves its text in the first cell only; the matcher fills it
to the right across the merged range (from the workbook's merge list when the
reader has one, otherwise across blank cells of the upper row) and tries
``upper + lower`` (``面积合法``), ``lower + upper`` (``合法面积``), ``lower`` and
``upper``. A header merged downward over two rows is matched from its upper cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from buchang.io.schema import Column, Sheet

_DROP: Final = re.compile(r"[\s*＊:：_\-]+")
_BRACKETS: Final = str.maketrans(
    {"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "{": "(", "}": ")"}
)


@lru_cache(maxsize=65536)
def _normalize_text(raw: str) -> str:
    folded = unicodedata.normalize("NFKC", raw).translate(_BRACKETS)
    return _DROP.sub("", folded).lower()


def normalize(text: object) -> str:
    """The comparison form of a header (or a sheet name, or a category label).

    >>> normalize("合法面积\\n（ｍ²）")
    '合法面积(m2)'
    >>> normalize(" Legal_Area_M2 ")
    'legalaream2'
    """
    if text is None:
        return ""
    if isinstance(text, str):
        return _normalize_text(text) if len(text) <= 200 else _normalize_text.__wrapped__(text)
    return _normalize_text(str(text))


def _strip_unit(text: str) -> str:
    """``面积(m2)`` → ``面积``: a header may be written with or without its unit."""
    return re.sub(r"\([^()]*\)$", "", text)


def column_names(col: Column) -> tuple[str, ...]:
    """Every normalised name a column answers to."""
    names = {normalize(col.header), normalize(col.key)}
    names.update(normalize(a) for a in col.aliases)
    names.update({_strip_unit(n) for n in list(names)})
    names.discard("")
    return tuple(sorted(names))


def sheet_names(sheet: Sheet) -> tuple[str, ...]:
    names = {normalize(sheet.title), normalize(sheet.key)}
    names.update(normalize(a) for a in sheet.aliases)
    names.discard("")
    return tuple(sorted(names))


def lookup(sheet: Sheet) -> dict[str, str]:
    """Normalised name → column key. A name two columns share goes to the
    column whose header or key it is (aliases never shadow a header)."""
    table: dict[str, str] = {}
    for col in sheet.columns:
        for name in column_names(col):
            table.setdefault(name, col.key)
    for col in sheet.columns:  # headers and keys win over aliases
        table[normalize(col.header)] = col.key
        table[_strip_unit(normalize(col.header))] = col.key
        table[normalize(col.key)] = col.key
    return table


def match_name(text: object, names: dict[str, str]) -> str | None:
    """The column key a header cell names, or ``None``."""
    norm = normalize(text)
    if not norm:
        return None
    key = names.get(norm)
    if key is None:
        key = names.get(_strip_unit(norm))
    return key


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """The header found in a sheet.

    Attributes:
        row: 0-based index (in the rows given) of the last header row; data starts after it.
        rows: 1 or 2 header rows.
        columns: column key → 0-based column index (first occurrence).
        duplicates: (column key, column index) of every further occurrence.
        unknown: (header text, column index) of headers that name no column.
    """

    row: int
    rows: int
    columns: dict[str, int]
    duplicates: tuple[tuple[str, int], ...]
    unknown: tuple[tuple[str, int], ...]


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _match_row(
    upper: Sequence[object] | None,
    lower: Sequence[object],
    names: dict[str, str],
    merged_right: dict[int, int],
) -> tuple[dict[str, int], list[tuple[str, int]], list[tuple[str, int]], int]:
    """Match one header row (``upper`` None) or a two-row header."""
    columns: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    unknown: list[tuple[str, int]] = []
    filled: list[object] = []
    if upper is not None:
        carry: object = None
        carry_until = -1
        for j in range(max(len(upper), len(lower))):
            value = upper[j] if j < len(upper) else None
            if not _is_blank(value):
                carry = value
                carry_until = merged_right.get(j, -1)
                filled.append(value)
            elif carry is not None and (
                j <= carry_until or (not merged_right and j < len(lower) and not _is_blank(lower[j]))
            ):
                filled.append(carry)
            else:
                carry = None
                filled.append(None)
    width = max(len(lower), len(filled))
    hits = 0
    for j in range(width):
        low = lower[j] if j < len(lower) else None
        up = filled[j] if j < len(filled) else None
        candidates: list[object] = []
        if up is not None and not _is_blank(low):
            candidates += [f"{up}{low}", f"{low}{up}", low]
        elif not _is_blank(low):
            candidates.append(low)
        if up is not None:
            candidates.append(up)
        if not candidates:
            continue
        key = None
        for cand in candidates:
            key = match_name(cand, names)
            if key is not None:
                break
        if key is None:
            text = " ".join(str(c) for c in (up, low) if not _is_blank(c))
            unknown.append((text, j))
        elif key in columns:
            duplicates.append((key, j))
        else:
            columns[key] = j
            hits += 1
    return columns, duplicates, unknown, hits


def find_header(
    rows: Sequence[Sequence[object]],
    sheet: Sheet,
    *,
    merged: Sequence[tuple[int, int, int, int]] = (),
    scan: int = 10,
) -> HeaderMatch | None:
    """Find the header among the first ``scan`` rows: the (one- or two-row)
    header that names the most declared columns; ``None`` when none does.

    ``merged`` — merged ranges as 0-based ``(row0, col0, row1, col1)`` inclusive.
    """
    names = lookup(sheet)
    best: HeaderMatch | None = None
    best_hits = 0
    limit = min(scan, len(rows))
    for i in range(limit):
        merged_right = {c0: c1 for (r0, c0, r1, c1) in merged if r0 <= i - 1 <= r1 and c1 > c0}
        options: list[tuple[Sequence[object] | None, int]] = [(None, 1)]
        if i > 0:
            options.append((rows[i - 1], 2))
        for upper, count in options:
            columns, dups, unknown, hits = _match_row(upper, rows[i], names, merged_right)
            if hits > best_hits:
                best_hits = hits
                best = HeaderMatch(i, count, columns, tuple(dups), tuple(unknown))
    return best
