"""Project estimate inputs (资金前置测算) from a workbook: the ``estimate`` template → :class:`EstimateInputs`.

The workbook is the spreadsheet form of the YAML/JSON input of ``buchang estimate``
(:class:`buchang.rules.estimate.EstimateInputs`, ``shared/spec/domain.md`` 4.6):
every field of that model has a column (declared in :data:`buchang.io.schema.ESTIMATE`),
so the same inputs given either way give the same estimate. Sheets:

* **项目** (one row) — project id, name, jurisdiction, notice / approval / valuation dates;
* **测算参数** (one row, optional) — the ranges, each three columns low / expected / high
  (产权调换比例, 过渡月数; a blank low or high is the expected value, a blank expected is
  0), 周转房, 高层安置, the resettlement flats (安置房来源, 单价, 面积比例, 人均面积) and
  whether rewards are estimated;
* **集体** (optional) — the collectives with the data regime-A land fees and the social
  security quota need (征收前耕地/农用地面积, 农业人口, 16周岁以上农业人口, 年产值);
* **地类面积** — areas by land class, zone and collective, the 青苗 row (``无`` for none);
* **附着物** (optional) — counted ground attachments;
* **户数人口** (optional) — households and persons per collective, the land-lost persons by
  age group (all three or none);
* **房屋面积** (optional) — building areas by tenure, use, structure, legality, with the
  average newness and, for state-land houses, the average appraised value per m²;
* **被征收户数** (optional) — households (and persons) whose houses are taken, by tenure.

Cross-row checks, each located at its cell and all collected in one pass:
``DUPLICATE_ID`` (a 集体编号 twice), ``UNKNOWN_REFERENCE`` (a 所属集体 that names no
collective of the 集体 sheet), ``MISSING_VALUE`` (no 所属集体 while there are several
collectives; a low or high without the expected value), ``INCONSISTENT_VALUE`` (a range
not ordered low ≤ expected ≤ high; only some of the three age groups; more persons aged
16+ than agricultural persons). Without a 集体 sheet each name a row gives is a
collective (id = name).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from buchang.core.errors import Issue, Severity, has_errors
from buchang.core.memory import paused_gc
from buchang.io.binding import (
    INCONSISTENT_VALUE,
    MISSING_VALUE,
    UNKNOWN_REFERENCE,
    UNKNOWN_SHEET,
    Bound,
    Record,
    bind,
    model_issue,
    unique,
)
from buchang.io.cells import CellOptions
from buchang.io.headers import normalize
from buchang.io.reader import Engine, WorkbookData, read_files
from buchang.io.safety import DEFAULT_LIMITS, Limits
from buchang.io.schema import ESTIMATE, Sheet
from buchang.rules.estimate.model import (
    AttachmentSummary,
    BuildingSummary,
    EstimateInputs,
    FlatPlan,
    HouseholdCount,
    LandSummary,
    MonthsRange,
    PopulationSummary,
    ShareRange,
)
from buchang.rules.inputs import Collective

#: Cell texts of 青苗品种 that mean "no crops on this land" (``crop_item: ""`` in YAML).
NO_CROPS: Final = frozenset(normalize(t) for t in ("无", "不计", "none", "否"))

#: Sheets of the first estimate workbook layout, no longer read: their figures now go in 测算参数
#: and 被征收户数 (an old workbook must not lose its exchange split silently).
_OLD_SHEETS: Final = {
    normalize(n): hint
    for names, hint in (
        (
            ("安置方式", "options"),
            "产权调换比例请填在“测算参数”（低/预期/高），户数填在“被征收户数” / give the exchange share in "
            "测算参数 (low/expected/high) and the households in 被征收户数",
        ),
        (
            ("过渡", "temporary"),
            "过渡月数、周转房、高层安置请填在“测算参数” / give the months of temporary housing, 周转房 and "
            "高层安置 in 测算参数",
        ),
    )
    for n in names
}

_AGE_GROUPS: Final = ("land_lost_under_16", "land_lost_working_age", "land_lost_retired")


def _fields(rec: Record, *keys: str) -> dict[str, Any]:
    """The record's non-blank values for ``keys`` (blank → the model default)."""
    return {k: v for k in keys if (v := rec.values.get(k)) is not None}


def _usable(rec: Record, spec: Sheet) -> bool:
    """A row to build a model from: no bad cell, and every required column present (a missing
    column is reported once, at the header, not again for every row)."""
    return rec.ok and all(c.key in rec.positions for c in spec.columns if c.required)


def _model(cls: type[BaseModel], rec: Record, data: dict[str, Any], issues: list[Issue]) -> Any:
    try:
        return cls(**data)
    except ValidationError as exc:  # a safety net behind the column checks
        issues.append(model_issue(rec, exc))
        return None


def _old_sheet_hints(wb: WorkbookData, issues: list[Issue]) -> list[Issue]:
    """An ``UNKNOWN_SHEET`` warning about an old-layout sheet says where its figures go now."""
    old: dict[tuple[str | None, str | None], tuple[str, str]] = {
        (d.file, d.label): (d.name, hint) for d in wb.sheets if (hint := _OLD_SHEETS.get(normalize(d.name)))
    }
    out: list[Issue] = []
    for i in issues:
        found = old.get((i.location.file, i.location.sheet)) if i.code == UNKNOWN_SHEET else None
        if found is not None:
            name, hint = found
            i = Issue(
                i.code, f"工作表“{name}”已不再读取，其数据不计入测算：{hint}", Severity.WARNING, i.location
            )
        out.append(i)
    return out


# --- ranges and the flat plan (测算参数) -------------------------------------------


def _range(
    rec: Record | None, key: str, what: str, zero: int | Decimal, issues: list[Issue]
) -> tuple[object | None, object, object | None]:
    """(low, expected, high) of the range ``key`` (``key_low``, ``key``, ``key_high``): blank
    expected → 0 (low/high then must be blank too); out of order → ``INCONSISTENT_VALUE``."""
    if rec is None:
        return None, zero, None
    low, exp, high = (rec.values.get(k) for k in (f"{key}_low", key, f"{key}_high"))
    if exp is None:
        if (low is not None or high is not None) and rec.ok:
            issues.append(
                Issue(
                    MISSING_VALUE,
                    f"{what}给出了低值或高值，须同时给出预期值 / a low or high needs the expected value",
                    location=rec.loc(key),
                )
            )
        return None, zero, None
    assert isinstance(exp, int | Decimal)
    if isinstance(low, int | Decimal) and low > exp:
        issues.append(
            Issue(
                INCONSISTENT_VALUE,
                f"{what}低值 {low} 大于预期值 {exp}：须低≤预期≤高 / low above expected: low ≤ expected ≤ high",
                location=rec.loc(f"{key}_low"),
            )
        )
        low = None
    if isinstance(high, int | Decimal) and high < exp:
        issues.append(
            Issue(
                INCONSISTENT_VALUE,
                f"{what}高值 {high} 小于预期值 {exp}：须低≤预期≤高 / high below expected: low ≤ expected ≤ high",
                location=rec.loc(f"{key}_high"),
            )
        )
        high = None
    return low, exp, high


def _assumptions(bound: Bound, issues: list[Issue]) -> dict[str, Any]:
    """The EstimateInputs fields the 测算参数 row gives (ranges, flats, switches)."""
    rec = bound.records[0] if bound.records else None
    out: dict[str, Any] = {}
    low, exp, high = _range(rec, "exchange_share", "产权调换比例", Decimal(0), issues)
    out["exchange_share"] = ShareRange.model_validate({"low": low, "expected": exp, "high": high})
    low, exp, high = _range(rec, "temporary_months", "过渡月数", 0, issues)
    out["temporary_months"] = MonthsRange.model_validate({"low": low, "expected": exp, "high": high})
    if rec is None:
        return out
    v = rec.values
    for key in ("turnover_housing", "high_rise", "rewards"):
        if v.get(key) is not None:
            out[key] = v[key]
    plan = {
        name: v[key]
        for key, name in (
            ("flat_source", "source"),
            ("flat_unit_cost", "unit_cost"),
            ("flat_area_ratio", "area_ratio"),
            ("flat_area_per_person_m2", "area_per_person_m2"),
        )
        if v.get(key) is not None
    }
    if plan:
        flats = _model(FlatPlan, rec, plan, issues)
        if flats is not None:
            out["flats"] = flats
    return out


# --- collectives and the rows that name them ---------------------------------------


class _Collectives:
    """Resolves a 所属集体 cell (id or name) to a collective id, reporting at the cell.

    With a 集体 sheet the references must name one of its rows; without one, each name
    given is a collective of its own (in order of appearance)."""

    def __init__(self, bound: Bound, issues: list[Issue]) -> None:
        self.issues = issues
        self.declared: list[Collective] = []
        self.index: dict[str, str] | None = None
        self.named: dict[str, None] = {}
        if not bound.records:
            return
        self.index = {}
        rows = unique(bound.records, "collective_id", "集体编号", issues)
        fields = (
            "collective_id",
            "name",
            "credit_code",
            "account",
            "pre_cultivated_area_m2",
            "pre_agricultural_area_m2",
            "agricultural_population",
            "agricultural_population_16plus",
            "average_annual_output_value",
        )
        for cid, rec in rows.items():
            c = _model(Collective, rec, _fields(rec, *fields), issues) if _usable(rec, bound.spec) else None
            if c is not None:
                self.declared.append(c)
            self.index[cid] = cid
            name = rec.values.get("name")
            if isinstance(name, str):
                self.index.setdefault(name, cid)

    def note(self, rec: Record) -> None:
        """Remember the name a row gives (without a 集体 sheet it becomes a collective)."""
        value = rec.values.get("collective")
        if self.index is None and isinstance(value, str):
            self.named.setdefault(value, None)

    @property
    def count(self) -> int:
        return len(self.declared) if self.index is not None else len(self.named)

    def resolve(self, rec: Record, what: str) -> str | None:
        value = rec.values.get("collective")
        if value is None:
            if self.count > 1:
                self.issues.append(
                    Issue(
                        MISSING_VALUE,
                        f"有{self.count}个集体，{what}须填写所属集体 / several collectives: say which one",
                        location=rec.loc("collective"),
                    )
                )
            return None
        text = str(value)
        if self.index is None:
            return text
        cid = self.index.get(text)
        if cid is None:
            self.issues.append(
                Issue(
                    UNKNOWN_REFERENCE,
                    f"所属集体“{text}”不在“集体”表中 / collective not in the 集体 sheet",
                    location=rec.loc("collective"),
                )
            )
        return cid

    def all(self) -> tuple[Collective, ...]:
        if self.index is not None:
            return tuple(self.declared)
        return tuple(Collective(collective_id=n, name=n) for n in self.named)


def _crop_item(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return "" if normalize(text) in NO_CROPS else text


def _land(bound: Bound, owners: _Collectives, issues: list[Issue]) -> list[LandSummary]:
    out: list[LandSummary] = []
    for rec in bound.records:
        data = _fields(rec, "land_class", "area_m2", "zone", "basic_farmland")
        data["collective"] = owners.resolve(rec, "地类面积")
        data["crop_item"] = _crop_item(rec.values.get("crop_item"))
        if _usable(rec, bound.spec) and (row := _model(LandSummary, rec, data, issues)) is not None:
            out.append(row)
    return out


def _population(bound: Bound, owners: _Collectives, issues: list[Issue]) -> list[PopulationSummary]:
    out: list[PopulationSummary] = []
    for rec in bound.records:
        v = rec.values
        data = _fields(
            rec, "households", "persons", "agricultural_persons", "agricultural_persons_16plus", *_AGE_GROUPS
        )
        data["collective"] = owners.resolve(rec, "户数人口")
        given = [k for k in _AGE_GROUPS if v.get(k) is not None]
        if rec.ok and given and len(given) < len(_AGE_GROUPS):
            blank = next(k for k in _AGE_GROUPS if v.get(k) is None)
            issues.append(
                Issue(
                    INCONSISTENT_VALUE,
                    "被征地人员三个年龄段须全部填写或全部空白（无人填0） / give all three age groups or none "
                    "(0 for nobody)",
                    location=rec.loc(blank) if blank in rec.positions else rec.loc(given[0]),
                )
            )
        ag, ag16 = v.get("agricultural_persons"), v.get("agricultural_persons_16plus")
        if isinstance(ag, int) and isinstance(ag16, int) and ag16 > ag:
            issues.append(
                Issue(
                    INCONSISTENT_VALUE,
                    f"16周岁以上农业人口 {ag16} 多于农业人口 {ag} / more persons aged 16+ than agricultural persons",
                    location=rec.loc("agricultural_persons_16plus"),
                )
            )
        if _usable(rec, bound.spec) and (row := _model(PopulationSummary, rec, data, issues)) is not None:
            out.append(row)
    return out


def _rows(cls: type[BaseModel], bound: Bound, keys: tuple[str, ...], issues: list[Issue]) -> list[Any]:
    out: list[Any] = []
    for rec in bound.records:
        if _usable(rec, bound.spec) and (row := _model(cls, rec, _fields(rec, *keys), issues)) is not None:
            out.append(row)
    return out


def estimate_from_workbook(
    wb: WorkbookData, options: CellOptions | None = None
) -> tuple[EstimateInputs | None, tuple[Issue, ...]]:
    """The estimate inputs of a bound workbook, or ``None`` and every issue (all collected)."""
    bound, issues = bind(ESTIMATE, wb, options)
    issues = _old_sheet_hints(wb, issues)
    if not wb.sheets or not bound["project"].records:
        return None, tuple(issues)
    head = bound["project"].records[0]
    owners = _Collectives(bound["collectives"], issues)
    for key in ("land", "population"):
        for rec in bound[key].records:
            owners.note(rec)
    value: dict[str, Any] = _fields(
        head, "project_id", "name", "jurisdiction", "notice_date", "approval_date", "valuation_date"
    )
    value.update(_assumptions(bound["assumptions"], issues))
    value["land"] = tuple(_land(bound["land"], owners, issues))
    value["population"] = tuple(_population(bound["population"], owners, issues))
    value["collectives"] = owners.all()
    value["attachments"] = tuple(
        _rows(AttachmentSummary, bound["attachments"], ("item_code", "quantity", "spec"), issues)
    )
    value["buildings"] = tuple(
        _rows(
            BuildingSummary,
            bound["buildings"],
            ("structure", "area_m2", "tenure", "use", "legality", "newness", "unit_value"),
            issues,
        )
    )
    value["households"] = tuple(
        _rows(HouseholdCount, bound["households"], ("tenure", "households", "persons"), issues)
    )
    if has_errors(issues):
        return None, tuple(issues)
    try:
        inputs = EstimateInputs(**value)
    except ValidationError as exc:
        issues.append(model_issue(head, exc))
        return None, tuple(issues)
    return inputs, tuple(issues)


def import_estimate(
    source: Path | Sequence[Path],
    *,
    engine: Engine | None = None,
    limits: Limits = DEFAULT_LIMITS,
    options: CellOptions | None = None,
) -> tuple[EstimateInputs | None, tuple[Issue, ...]]:
    """资金前置测算输入 (a workbook, or CSVs one per sheet) → ``(inputs | None, issues)``."""
    paths = [source] if isinstance(source, Path) else list(source)
    with paused_gc():
        return estimate_from_workbook(read_files(paths, engine=engine, limits=limits), options)


def estimate_records(inputs: EstimateInputs) -> dict[str, list[dict[str, object]]]:
    """The estimate sheets' rows (by sheet key, dicts by column key) of ``inputs`` — the inverse
    of the import, e.g. to hand a YAML estimate to an officer as a workbook
    (:func:`buchang.cli.demo_data.fill_template` writes them into the template). Reading them
    back gives ``inputs`` again when the collectives are listed (without a 集体 sheet a named
    collective becomes one of its own)."""
    share, months, flats = inputs.exchange_share, inputs.temporary_months, inputs.flats
    assumptions: dict[str, object] = {
        "exchange_share_low": share.low,
        "exchange_share": share.expected,
        "exchange_share_high": share.high,
        "temporary_months_low": months.low,
        "temporary_months": months.expected,
        "temporary_months_high": months.high,
        "turnover_housing": inputs.turnover_housing,
        "high_rise": inputs.high_rise,
        "flat_source": flats.source.value,
        "flat_unit_cost": flats.unit_cost,
        "flat_area_ratio": flats.area_ratio,
        "flat_area_per_person_m2": flats.area_per_person_m2,
        "rewards": inputs.rewards,
    }
    head = {"project_id", "name", "jurisdiction", "notice_date", "approval_date", "valuation_date"}
    return {
        "project": [inputs.model_dump(include=head)],
        "assumptions": [assumptions],
        "collectives": [c.model_dump() for c in inputs.collectives],
        "land": [
            {**row.model_dump(), "crop_item": "无" if row.crop_item == "" else row.crop_item}
            for row in inputs.land
        ],
        "attachments": [a.model_dump() for a in inputs.attachments],
        "population": [p.model_dump() for p in inputs.population],
        "buildings": [b.model_dump() for b in inputs.buildings],
        "households": [h.model_dump() for h in inputs.households],
    }


__all__ = ["NO_CROPS", "estimate_from_workbook", "estimate_records", "import_estimate"]
