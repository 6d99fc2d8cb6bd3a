"""Project estimate inputs (资金前置测算): survey summaries → :class:`EstimateInputs`.

Before household detail exists, the upfront-funds estimate
(``shared/spec/domain.md`` section 4.6) works from summaries: areas by land class
and zone, households and persons, building areas by structure and legality,
the expected money/exchange split and months of temporary housing. These
models hold exactly that; the estimate rules (issue 7) read them.

The models live here until the estimate rules exist; they are plain frozen
pydantic models like :mod:`buchang.rules.inputs` and may move there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from buchang.core.errors import Issue, has_errors
from buchang.io.binding import Record, bind, model_issue
from buchang.io.cells import CellOptions
from buchang.io.reader import Engine, WorkbookData, paused_gc, read_files
from buchang.io.safety import DEFAULT_LIMITS, Limits
from buchang.io.schema import ESTIMATE
from buchang.rules.inputs import Dec, LandClass, LandTenure, Legality, NonNeg, Option, Use


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LandSummary(_Model):
    """Expropriated area of one land class (地类) in one zone (区片), m²."""

    land_class: LandClass
    area_m2: NonNeg
    zone: str | None = None
    basic_farmland: bool = False
    collective: str | None = None


class PopulationSummary(_Model):
    """Households (户数) and persons (在册人口, 农业人口, 16周岁以上农业人口) of a collective."""

    households: int = Field(ge=0)
    persons: int = Field(ge=0)
    collective: str | None = None
    agricultural_persons: int | None = Field(default=None, ge=0)
    agricultural_persons_16plus: int | None = Field(default=None, ge=0)


class BuildingSummary(_Model):
    """Building area (建筑面积, m²) by tenure, use, structure and legality."""

    structure: str
    area_m2: NonNeg
    tenure: LandTenure = LandTenure.COLLECTIVE
    use: Use = Use.RESIDENTIAL
    legality: Legality = Legality.LEGAL
    newness: Dec | None = Field(default=None, ge=0, le=1)


class OptionSplit(_Model):
    """Expected choice of 补偿方式: households (and their legal area, m²) per option."""

    option: Option
    households: int = Field(ge=0)
    area_m2: NonNeg | None = None


class TemporarySummary(_Model):
    """Temporary housing (过渡): households and months."""

    households: int = Field(ge=0)
    months: int = Field(ge=0)
    turnover_housing: bool = False
    high_rise: bool = False


class EstimateInputs(_Model):
    """Everything a project-level upfront-funds estimate reads (spec 4.6)."""

    project_id: str
    name: str
    jurisdiction: str
    notice_date: date
    approval_date: date | None = None
    valuation_date: date | None = None
    land: tuple[LandSummary, ...] = ()
    population: tuple[PopulationSummary, ...] = ()
    buildings: tuple[BuildingSummary, ...] = ()
    options: tuple[OptionSplit, ...] = ()
    temporary: tuple[TemporarySummary, ...] = ()


def _fields(rec: Record) -> dict[str, Any]:
    return {k: v for k, v in rec.values.items() if v is not None}


def estimate_from_workbook(
    wb: WorkbookData, options: CellOptions | None = None
) -> tuple[EstimateInputs | None, tuple[Issue, ...]]:
    bound, issues = bind(ESTIMATE, wb, options)
    if not wb.sheets or has_errors(issues) or not bound["project"].records:
        return None, tuple(issues)
    models: dict[str, list[BaseModel]] = {}
    classes: dict[str, type[BaseModel]] = {
        "land": LandSummary,
        "population": PopulationSummary,
        "buildings": BuildingSummary,
        "options": OptionSplit,
        "temporary": TemporarySummary,
    }
    for key, cls in classes.items():
        models[key] = []
        for rec in bound[key].records:
            try:
                models[key].append(cls(**_fields(rec)))
            except ValidationError as exc:
                issues.append(model_issue(rec, exc))
    head = bound["project"].records[0]
    try:
        value = EstimateInputs(**_fields(head), **{k: tuple(v) for k, v in models.items()})
    except ValidationError as exc:
        issues.append(model_issue(head, exc))
        return None, tuple(issues)
    return (None if has_errors(issues) else value), tuple(issues)


def import_estimate(
    source: Path | Sequence[Path],
    *,
    engine: Engine | None = None,
    limits: Limits = DEFAULT_LIMITS,
    options: CellOptions | None = None,
) -> tuple[EstimateInputs | None, tuple[Issue, ...]]:
    """资金前置测算输入 → ``(inputs | None, issues)``."""
    paths = [source] if isinstance(source, Path) else list(source)
    with paused_gc():
        return estimate_from_workbook(read_files(paths, engine=engine, limits=limits), options)
