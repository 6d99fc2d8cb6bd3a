"""Explicit references in a statement's 摘要 (reference text).

Recognised formats (``shared/spec/funds.md``: "by explicit reference first
(list/line or agreement number in 摘要)"):

* **list/line** — a list number, then ``/`` or ``#``, then the line number:
  ``L2024-001/3``, ``L2024-001#3``; or ``L2024-001第3行``. A list number starts
  with a Latin letter and continues with Latin letters, digits, ``-``, ``_``
  and ``.``; the line number is ASCII digits. The first such mention that names
  an existing list wins.
* **agreement number** — a token of the 摘要 equal to an existing agreement
  number, optionally written with a prefix ``协议`` / ``协议号`` / ``协议编号`` /
  ``AGR`` and ``:`` or ``：`` (``协议号:BS-2021-0042``, ``AGR:BS-2021-0042``,
  ``宝征协字〔2021〕第12号``). Tokens are separated by runs of blanks (space, tab,
  line breaks, the full-width space U+3000, no-break space) and ``,，;；、|``.
  The first token naming an agreement wins; looked for only when the 摘要
  names no existing list.

A mention that names no known list or agreement is ignored, so free text never
blocks the account + amount fallback.

Two executors, one rule: :func:`parse_refs` is the plain-Python reference;
:func:`parse_column` uses Arrow's vectorised kernels when the column is
pyarrow-backed, falling back to the reference for the rare rows Arrow cannot
settle (a first list-like mention naming an unknown list). Tests check that
both agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from buchang.funds.reconcile import arrowtext
from buchang.funds.reconcile.schema import str_array

I64 = npt.NDArray[np.int64]

LINE_PATTERN: Final = r"([A-Za-z][A-Za-z0-9_.\-]*)(?:[/#]|第)([0-9]+)"
SEPARATOR_PATTERN: Final = "[ \t\n\r\f\v\u3000\u00a0,，;；、|]+"
PREFIX_PATTERN: Final = r"^(?:协议编号|协议号|协议|AGR)[:：]?"
_NAMED_LINE_PATTERN: Final = LINE_PATTERN.replace("(", "(?P<l>", 1).replace("([0-9]", "(?P<n>[0-9]", 1)
_LINE_REF: Final = re.compile(LINE_PATTERN)
_SEPARATORS: Final = re.compile(SEPARATOR_PATTERN)
_PREFIX: Final = re.compile(PREFIX_PATTERN)
_MAX_LINE_DIGITS: Final = 18  # longer numbers name no line (and do not fit int64)


def _line_number(digits: str) -> int:
    return int(digits) if len(digits) <= _MAX_LINE_DIGITS else -1


def parse_refs(
    references: Sequence[str], list_nos: pd.Index, agreement_nos: pd.Index
) -> tuple[I64, I64, I64]:
    """Per 摘要: index into ``list_nos`` and line number referenced (-1, -1 if none),
    and index into ``agreement_nos`` (-1 if none; only when no list is named)."""
    known_lists = {name: i for i, name in enumerate(list_nos.tolist())}
    known_agr = dict(zip(agreement_nos.tolist(), range(len(agreement_nos)), strict=True))
    n = len(references)
    list_idx = np.full(n, -1, dtype=np.int64)
    line_no = np.full(n, -1, dtype=np.int64)
    agr_idx = np.full(n, -1, dtype=np.int64)
    for i, text in enumerate(references):
        if not text:
            continue
        hit = next((m for m in _LINE_REF.finditer(text) if m.group(1) in known_lists), None)
        if hit is not None:
            list_idx[i] = known_lists[hit.group(1)]
            line_no[i] = _line_number(hit.group(2))
            continue
        for token in _SEPARATORS.split(text):
            name = token if token in known_agr else _PREFIX.sub("", token, count=1)
            if name in known_agr:
                agr_idx[i] = known_agr[name]
                break
    return list_idx, line_no, agr_idx


def parse_column(
    column: pd.Series, rows: I64, list_nos: pd.Index, agreement_nos: pd.Index
) -> tuple[I64, I64, I64]:
    """:func:`parse_refs` of ``column`` at frame rows ``rows`` (vectorised when possible)."""
    arr = arrowtext.arrow_text(column)
    if arr is None:
        texts: list[str] = str_array(column)[rows].tolist()
        return parse_refs(texts, list_nos, agreement_nos)
    return _parse_arrow(arr.take(arrowtext.pa.array(rows)), list_nos, agreement_nos)


def _np(values: Any, fill: int = -1) -> I64:
    pc = arrowtext.pc
    return np.asarray(pc.fill_null(values, fill).to_numpy(zero_copy_only=False), dtype=np.int64)


def _parse_arrow(arr: Any, list_nos: pd.Index, agreement_nos: pd.Index) -> tuple[I64, I64, I64]:
    pa, pc = arrowtext.pa, arrowtext.pc
    big = pa.large_string()
    n = len(arr)
    list_idx = np.full(n, -1, dtype=np.int64)
    line_no = np.full(n, -1, dtype=np.int64)
    agr_idx = np.full(n, -1, dtype=np.int64)
    resolved = np.zeros(n, dtype=bool)

    # list/line: the first list-like mention, vectorised
    maybe = np.flatnonzero(
        np.asarray(
            pc.fill_null(pc.match_substring_regex(arr, "[/#第]"), False).to_numpy(zero_copy_only=False)
        )
    )
    if len(maybe):
        found = pc.extract_regex(arr.take(pa.array(maybe)), _NAMED_LINE_PATTERN)
        matched = ~np.asarray(found.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        names = found.field("l")
        digits = found.field("n")
        where = _np(pc.index_in(names, value_set=pa.array(list_nos.tolist(), type=big)))
        usable = pc.and_(pc.is_valid(found), pc.less_equal(pc.utf8_length(digits), _MAX_LINE_DIGITS))
        numbers = _np(pc.cast(pc.if_else(usable, digits, "-1"), pa.int64()))
        ok = matched & (where >= 0)
        list_idx[maybe[ok]] = where[ok]
        line_no[maybe[ok]] = numbers[ok]
        resolved[maybe[ok]] = True
        # the first mention names no list: look further along, as the reference does
        again = maybe[matched & (where < 0)]
        if len(again):
            l2, n2, _ = parse_refs(
                arr.take(pa.array(again)).to_pylist(), list_nos, pd.Index([], dtype=object)
            )
            hit = l2 >= 0
            list_idx[again[hit]], line_no[again[hit]] = l2[hit], n2[hit]
            resolved[again[hit]] = True

    # agreement numbers: the first token (prefix stripped if need be) naming one
    rest = np.flatnonzero(~resolved)
    if len(rest) and len(agreement_nos):
        tokens = pc.split_pattern_regex(arr.take(pa.array(rest)), SEPARATOR_PATTERN)
        lengths = _np(pc.list_value_length(tokens), 0)
        flat = tokens.flatten()
        stripped = pc.replace_substring_regex(flat, PREFIX_PATTERN, "", max_replacements=1)
        both = _np(
            pc.index_in(
                pa.concat_arrays([flat, stripped]), value_set=pa.array(agreement_nos.tolist(), type=big)
            )
        )
        k = len(flat)
        idx = np.where(both[:k] >= 0, both[:k], both[k:])
        row = np.repeat(np.arange(len(rest), dtype=np.int64), lengths)
        valid = idx >= 0
        first_rows, first_at = np.unique(row[valid], return_index=True)
        agr_idx[rest[first_rows]] = idx[valid][first_at]
    return list_idx, line_no, agr_idx
