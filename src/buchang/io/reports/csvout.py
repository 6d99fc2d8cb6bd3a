"""CSV export with the same protections as the workbooks.

A CSV opened in a spreadsheet is parsed cell by cell: text starting with
``= + - @``, a tab or a carriage return may run as a formula (CSV injection).
Every text cell is neutralised with the apostrophe of
:func:`~buchang.io.reports.xlsx.neutralise`; amounts are written as exact
decimal text (``1234.56``, from integer 分), numbers as exact decimals (or
``a/b``). UTF-8 with a byte-order mark, so Excel on a Chinese Windows reads
the Chinese headers correctly; written atomically.
"""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path

from buchang.io.atomic import temp_beside
from buchang.io.reports.compute_report import DETAIL_COLUMNS, detail_rows
from buchang.io.reports.xlsx import ColKind, Column, check_target, exact_decimal_text, money_text, render
from buchang.rules.lines import ProjectResult


def csv_value(kind: ColKind, value: object, mask: bool) -> str:
    """One cell's CSV text (see the module docstring)."""
    got = render(kind, value, mask)
    if got is None:
        return ""
    if kind is ColKind.MONEY and isinstance(got, int):
        return money_text(got)
    if isinstance(got, Fraction):
        return exact_decimal_text(got) or str(got)
    return str(got)


def write_csv(
    path: str | Path, columns: Sequence[Column], rows: Iterable[Sequence[object]], *, mask: bool = False
) -> Path:
    """Write a header (the column titles) and ``rows`` to ``path``."""
    target = check_target(path)
    tmp = temp_beside(target)  # unguessable: a planted symlink is never written through
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow([c.title for c in columns])
            kinds = [c.kind for c in columns]
            for row in rows:
                w.writerow([csv_value(k, v, mask) for k, v in zip(kinds, row, strict=True)])
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target


def write_compute_csv(result: ProjectResult, path: str | Path, *, mask: bool = False) -> Path:
    """The 明细 of a compute report (every line with its arithmetic and citation) as CSV."""
    return write_csv(path, DETAIL_COLUMNS, detail_rows(result), mask=mask)
