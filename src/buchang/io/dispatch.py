"""One entry point for every input kind (used by ``buchang import``)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from buchang.core.errors import Issue
from buchang.core.memory import paused_gc
from buchang.io.cells import CellOptions
from buchang.io.estimate import estimate_from_workbook
from buchang.io.fundsio import import_agreements, import_bank_statement, import_payment_lists, import_reviews
from buchang.io.reader import Engine, WorkbookData, read_files
from buchang.io.safety import DEFAULT_LIMITS, Limits
from buchang.io.schema import KINDS
from buchang.io.survey import survey_from_workbook


def import_kind(
    kind: str,
    paths: Sequence[Path],
    *,
    engine: Engine | None = None,
    limits: Limits = DEFAULT_LIMITS,
    options: CellOptions | None = None,
) -> tuple[object | None, tuple[Issue, ...]]:
    """Import ``paths`` as input kind ``kind`` (a key of :data:`KINDS`)."""
    if kind not in KINDS:
        raise ValueError(f"unknown input kind {kind!r}; one of {', '.join(KINDS)}")
    with paused_gc():
        return _import(kind, read_files(list(paths), engine=engine, limits=limits), options)


def _import(
    kind: str, wb: WorkbookData, options: CellOptions | None
) -> tuple[object | None, tuple[Issue, ...]]:
    if kind == "survey":
        got = survey_from_workbook(wb, options)
        return got.project, got.issues
    if kind == "estimate":
        return estimate_from_workbook(wb, options)
    funcs = {
        "agreements": import_agreements,
        "payment-list": import_payment_lists,
        "reviews": import_reviews,
        "bank-statement": import_bank_statement,
    }
    value, issues = funcs[kind](wb, options=options)
    return value, issues


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def to_json(value: object) -> str:
    """Imported records as JSON (decimals as strings, dates ISO)."""
    return json.dumps(_plain(value), ensure_ascii=False, indent=1)
