"""Survey workbook (调查登记表) → :class:`buchang.rules.inputs.Project`.

Sheets (``buchang.io.schema.SURVEY``): 项目 (one row: jurisdiction and governing
dates), 集体, 地块, 户, 成员, 房屋, 附着物, 安置房. The whole file is read and
checked before anything is returned; the project comes back only when no
error-severity issue was found:

>>> from pathlib import Path
>>> project, issues = import_survey(Path("does-not-exist.xlsx"))
>>> project is None, issues[0].code
(True, 'FILE_UNREADABLE')

Cross-sheet checks: ``DUPLICATE_ID`` (household, member, building, parcel,
collective, attachment, flat ids; the same 身份证号 twice), ``UNKNOWN_REFERENCE``
(a member, building, attachment or flat whose household does not exist; a
parcel or household naming an undeclared collective; an attachment on an
undeclared parcel), ``INCONSISTENT_VALUE`` (signing window ends before it
starts; no birth date or sex and no ID number to take it from; sex or birth
date contradicting the ID number).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from buchang.core.errors import Issue, Location, has_errors
from buchang.core.memory import paused_gc
from buchang.io.binding import (
    INCONSISTENT_VALUE,
    MISSING_VALUE,
    Bound,
    Record,
    bind,
    model_issue,
    unique,
    unknown_reference,
)
from buchang.io.cells import CellOptions
from buchang.io.reader import Engine, WorkbookData, read_files
from buchang.io.safety import DEFAULT_LIMITS, Limits
from buchang.io.schema import SURVEY
from buchang.rules.inputs import (
    Attachment,
    Building,
    Choices,
    Collective,
    Flat,
    Household,
    Member,
    Parcel,
    Project,
)


@dataclass(frozen=True, slots=True)
class SurveyImport:
    """A survey import: the project (``None`` on any error), every issue, and
    where each household's row is (for reports that point back to the input)."""

    project: Project | None
    issues: tuple[Issue, ...]
    households: MappingProxyType[str, Location]


def _fields(rec: Record, *keys: str) -> dict[str, Any]:
    """The record's non-blank values for ``keys`` (blank → the model default)."""
    return {k: v for k in keys if (v := rec.values.get(k)) is not None}


def _collective_resolver(bound: Bound, issues: list[Issue]) -> dict[str, str] | None:
    """id or name → collective id; ``None`` when no collectives are declared."""
    if not bound.records:
        return None
    index = unique(bound.records, "collective_id", "集体编号", issues)
    names: dict[str, str] = {}
    for cid, rec in index.items():
        names[cid] = cid
        name = rec.values.get("name")
        if isinstance(name, str):
            names.setdefault(name, cid)
    return names


def _member(rec: Record, household_id: str, seq: int, issues: list[Issue]) -> Member | None:
    v = rec.values
    data = _fields(
        rec,
        "name",
        "id_number",
        "sex",
        "birth_date",
        "registered_resident",
        "agricultural",
        "married_childless",
        "one_child_certificate",
        "land_lost",
    )
    data["member_id"] = v.get("member_id") or f"{household_id}-{seq}"
    id_number = v.get("id_number")
    if isinstance(id_number, str) and len(id_number) == 18:
        # a valid 18-character number (checked by the cell converter): birth date and sex are in it
        try:
            id_birth: date | None = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        except ValueError:
            id_birth = None
        id_sex = "M" if id_number[16].isdigit() and int(id_number[16]) % 2 else "F"
        if "birth_date" not in data and id_birth is not None:
            data["birth_date"] = id_birth
        elif id_birth is not None and data.get("birth_date") != id_birth:
            issues.append(
                Issue(
                    INCONSISTENT_VALUE,
                    "出生日期与身份证号不一致 / birth date differs from the ID number",
                    location=rec.loc("birth_date"),
                )
            )
        if "sex" not in data and id_sex is not None:
            data["sex"] = id_sex
        elif id_sex is not None and data.get("sex") != id_sex:
            issues.append(
                Issue(
                    INCONSISTENT_VALUE,
                    "性别与身份证号不一致 / sex differs from the ID number",
                    location=rec.loc("sex"),
                )
            )
    for key, title in (("sex", "性别"), ("birth_date", "出生日期")):
        if key not in data and rec.ok:
            issues.append(
                Issue(
                    MISSING_VALUE,
                    f"{title}为空且无身份证号可取 / {key} missing and no ID number to take it from",
                    location=rec.loc(key),
                )
            )
    if not rec.ok or "sex" not in data or "birth_date" not in data:
        return None
    try:
        return Member(**data)
    except ValidationError as exc:
        issues.append(model_issue(rec, exc))
        return None


def assemble_survey(
    bound: dict[str, Bound], options: CellOptions, issues: list[Issue]
) -> tuple[Project | None, dict[str, Location]]:
    """Cross-sheet checks and model building; appends to ``issues``."""
    where: dict[str, Location] = {}
    project_rec = bound["project"].records[0] if bound["project"].records else None
    collectives = _collective_resolver(bound["collectives"], issues)

    def resolve_collective(rec: Record, key: str) -> str | None:
        value = rec.values.get(key)
        if value is None or collectives is None:
            return value if isinstance(value, str) else None
        got = collectives.get(str(value))
        if got is None:
            issues.append(unknown_reference(rec, key, "集体"))
        return got

    collective_models: list[Collective] = []
    for rec in bound["collectives"].records:
        if rec.ok:
            try:
                collective_models.append(Collective(**_fields(rec, *rec.values)))
            except ValidationError as exc:
                issues.append(model_issue(rec, exc))

    parcel_index = unique(bound["parcels"].records, "parcel_id", "地块编号", issues)
    parcels: list[Parcel] = []
    for rec in bound["parcels"].records:
        owner = resolve_collective(rec, "owner_collective")
        if rec.ok and owner is not None:
            data = _fields(rec, "parcel_id", "land_class", "area_m2", "zone", "basic_farmland")
            try:
                parcels.append(Parcel(owner_collective=owner, **data))
            except ValidationError as exc:
                issues.append(model_issue(rec, exc))

    households = unique(bound["households"].records, "household_id", "户编号", issues)
    members: dict[str, list[Member]] = defaultdict(list)
    member_ids: dict[str, Record] = {}
    id_numbers: dict[str, Record] = {}
    for rec in bound["members"].records:
        hid = rec.values.get("household_id")
        if hid is not None and str(hid) not in households:
            issues.append(unknown_reference(rec, "household_id", "户"))
            continue
        if hid is None:
            continue
        hid = str(hid)
        member = _member(rec, hid, len(members[hid]) + 1, issues)
        number = rec.values.get("id_number")
        if isinstance(number, str):
            first = id_numbers.setdefault(number, rec)
            if first is not rec:
                issues.append(
                    Issue(
                        "DUPLICATE_ID",
                        f"身份证号重复（首次出现在第{first.row}行） / the same ID number twice, first in row {first.row}",
                        location=rec.loc("id_number"),
                    )
                )
        if member is None:
            continue
        first = member_ids.setdefault(member.member_id, rec)
        if first is not rec:
            issues.append(
                Issue(
                    "DUPLICATE_ID",
                    f"成员编号“{member.member_id}”重复（首次出现在第{first.row}行） / duplicate member id",
                    location=rec.loc("member_id"),
                )
            )
            continue
        members[hid].append(member)

    def children(sheet: str, id_key: str, what: str) -> dict[str, list[Record]]:
        out: dict[str, list[Record]] = defaultdict(list)
        unique(bound[sheet].records, id_key, what, issues)
        for rec in bound[sheet].records:
            hid = rec.values.get("household_id")
            if hid is None:
                continue
            if str(hid) not in households:
                issues.append(unknown_reference(rec, "household_id", "户"))
                continue
            out[str(hid)].append(rec)
        return out

    building_rows = children("buildings", "building_id", "房屋编号")
    attachment_rows = children("attachments", "item_id", "附着物编号")
    flat_rows = children("flats", "flat_id", "房号")
    for recs in attachment_rows.values():
        for rec in recs:
            pid = rec.values.get("parcel_id")
            if pid is not None and str(pid) not in parcel_index:
                issues.append(unknown_reference(rec, "parcel_id", "地块"))

    household_models: list[Household] = []
    build = not has_errors(issues)  # after an error: keep checking rows, stop building models
    for hid, rec in households.items():
        where[hid] = rec.loc("household_id")
        collective = resolve_collective(rec, "collective")
        if not build or not rec.ok:
            continue
        try:
            buildings = tuple(
                Building(
                    **_fields(
                        b,
                        "building_id",
                        "tenure",
                        "legality",
                        "use",
                        "structure",
                        "newness",
                        "legal_area_m2",
                        "area_m2",
                        "appraisal_value",
                        "monthly_business_loss",
                        "built_on",
                    )
                )
                for b in building_rows.get(hid, ())
            )
            head = rec.values.get("head_name")
            attachments = tuple(
                Attachment(
                    owner=a.values.get("owner") or head,
                    **_fields(a, "item_id", "item_code", "quantity", "spec", "since", "parcel_id"),
                )
                for a in attachment_rows.get(hid, ())
            )
            flats = tuple(
                Flat(**_fields(f, "flat_id", "area_m2", "appraisal_value")) for f in flat_rows.get(hid, ())
            )
            choices = Choices(
                flats=flats,
                **_fields(
                    rec,
                    "option",
                    "temporary_months",
                    "turnover_housing",
                    "high_rise",
                    "handover_months",
                    "signing_date",
                    "vacating_date",
                ),
            )
            data = _fields(rec, "household_id", "head_name", "account")
            household_models.append(
                Household(
                    collective=collective,
                    members=tuple(members.get(hid, ())),
                    buildings=buildings,
                    attachments=attachments,
                    choices=choices,
                    **data,
                )
            )
        except ValidationError as exc:
            issues.append(model_issue(rec, exc))

    if project_rec is not None:
        start, end = project_rec.values.get("signing_start"), project_rec.values.get("signing_end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            issues.append(
                Issue(
                    INCONSISTENT_VALUE,
                    "签约期结束早于开始 / the signing window ends before it starts",
                    location=project_rec.loc("signing_end"),
                )
            )
    if project_rec is None or has_errors(issues):
        return None, where
    try:
        project = Project(
            collectives=tuple(collective_models),
            parcels=tuple(parcels),
            households=tuple(household_models),
            **_fields(
                project_rec,
                "project_id",
                "name",
                "jurisdiction",
                "notice_date",
                "approval_date",
                "valuation_date",
                "signing_start",
                "signing_end",
            ),
        )
    except ValidationError as exc:
        issues.append(model_issue(project_rec, exc))
        return None, where
    return project, where


def survey_from_workbook(wb: WorkbookData, options: CellOptions | None = None) -> SurveyImport:
    """Bind, check and assemble already-read sheets."""
    opts = options or CellOptions()
    bound, issues = bind(SURVEY, wb, opts)
    if not wb.sheets:
        return SurveyImport(None, tuple(issues), MappingProxyType({}))
    project, where = assemble_survey(bound, opts, issues)
    if has_errors(issues):
        project = None
    return SurveyImport(project, tuple(issues), MappingProxyType(where))


def import_survey_detailed(
    source: Path | Sequence[Path],
    *,
    engine: Engine | None = None,
    limits: Limits = DEFAULT_LIMITS,
    options: CellOptions | None = None,
) -> SurveyImport:
    """Import a survey from an .xlsx, or from CSV files (one per sheet, named
    by sheet: ``户.csv``, ``成员.csv`` …) or a folder of them."""
    paths = [source] if isinstance(source, Path) else list(source)
    with paused_gc():
        return survey_from_workbook(read_files(paths, engine=engine, limits=limits), options)


def import_survey(
    source: Path | Sequence[Path],
    *,
    engine: Engine | None = None,
    limits: Limits = DEFAULT_LIMITS,
    options: CellOptions | None = None,
) -> tuple[Project | None, tuple[Issue, ...]]:
    """``(project | None, issues)``: the project only when no issue is an error."""
    got = import_survey_detailed(source, engine=engine, limits=limits, options=options)
    return got.project, got.issues
