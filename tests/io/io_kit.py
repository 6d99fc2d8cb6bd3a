"""Test kit for the import layer: a small valid survey, a writer that places
values by column key, and the broken-workbook cases (one per error code).

``tests/io/broken/make_broken.py`` writes the broken workbooks to a folder for
inspection; the tests generate them into a temporary folder (deterministic,
nothing binary committed).
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from buchang.io.binding import column_letter
from buchang.io.rawxlsx import RawNumber, RawSheet, write_xlsx
from buchang.io.schema import SURVEY, InputKind

Rows = list[dict[str, Any]]
Survey = dict[str, Rows]

VALID_ID = "11010519491231002X"  # GB 11643 example: female, born 1949-12-31
GOOD_ACCOUNT = "6222020200112233446"  # passes Luhn
LUHN_FAIL_ACCOUNT = "6222020200112233445"

BASE: Survey = {
    "project": [
        {
            "project_id": "P1",
            "name": "测试项目",
            "jurisdiction": "330106",
            "notice_date": date(2021, 3, 1),
            "signing_start": date(2021, 10, 1),
            "signing_end": date(2021, 12, 31),
        }
    ],
    "collectives": [{"collective_id": "C01", "name": "第一村民小组"}],
    "parcels": [
        {"parcel_id": "D1", "land_class": "水田", "area_m2": Decimal("1000.50"), "owner_collective": "C01"}
    ],
    "households": [
        {"household_id": "H1", "head_name": "张三", "collective": "C01", "account": GOOD_ACCOUNT},
        {"household_id": "H2", "head_name": "李四", "collective": "第一村民小组", "option": "产权调换"},
    ],
    "members": [
        {"household_id": "H1", "name": "张三", "id_number": VALID_ID},
        {"household_id": "H2", "name": "李四", "sex": "男", "birth_date": date(1980, 5, 6)},
    ],
    "buildings": [
        {
            "household_id": "H1",
            "building_id": "B1",
            "structure": "砖混二等",
            "legal_area_m2": Decimal("120.50"),
            "newness": Decimal("0.8"),
        }
    ],
    "attachments": [
        {"household_id": "H1", "item_id": "A1", "item_code": "well", "quantity": 1, "parcel_id": "D1"}
    ],
    "flats": [{"household_id": "H2", "flat_id": "1-101", "area_m2": Decimal("90")}],
}


def base() -> Survey:
    return copy.deepcopy(BASE)


def sheet_rows(kind: InputKind, key: str, rows: Rows, headers: list[str] | None = None) -> list[list[object]]:
    """Header row (every declared column, or ``headers``) then the data rows by key."""
    spec = kind.sheet(key)
    heads = headers if headers is not None else [c.header for c in spec.columns]
    keys = [next((c.key for c in spec.columns if c.header == h), h) for h in heads]
    out: list[list[object]] = [list(heads)]
    for row in rows:
        out.append([_value(row.get(k)) for k in keys])
    return out


def _value(v: Any) -> object:
    # a Decimal goes into a numeric cell with its exact text, as Excel stores a typed number
    return RawNumber(str(v)) if isinstance(v, Decimal) else v


def write_survey(path: Path, survey: Survey, *, kind: InputKind = SURVEY, drop: tuple[str, ...] = ()) -> Path:
    """Write ``survey`` (sheet key → rows) as an .xlsx; sheets in ``drop`` are left out."""
    sheets = []
    for spec in kind.sheets:
        if spec.key in drop or spec.key not in survey:
            continue
        sheets.append(RawSheet(spec.title, sheet_rows(kind, spec.key, survey[spec.key])))
    write_xlsx(path, sheets)
    return path


def cell(key: str, col: str, index: int, kind: InputKind = SURVEY) -> str:
    """``sheet!C3`` of data row ``index`` (0-based) of column ``col`` in the default layout."""
    spec = kind.sheet(key)
    j = [c.key for c in spec.columns].index(col)
    return f"{spec.title}!{column_letter(j)}{index + 2}"


# --- broken workbooks: one per error code -----------------------------------------


@dataclass(frozen=True)
class Case:
    """A broken survey: the code expected and where (``sheet!C12`` or ``None`` for a file-level issue)."""

    code: str
    where: str | None
    make: Callable[[Path], Path]
    severity: str = "error"


def _mutate(change: Callable[[Survey], None], drop: tuple[str, ...] = ()) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        survey = base()
        change(survey)
        return write_survey(path, survey, drop=drop)

    return make


def _set(sheet: str, index: int, key: str, value: object) -> Callable[[Survey], None]:
    def change(s: Survey) -> None:
        s[sheet][index][key] = value

    return change


def _missing_column(path: Path) -> Path:
    s = base()
    spec = SURVEY.sheet("buildings")
    heads = [c.header for c in spec.columns if c.key != "legal_area_m2"]
    sheets = []
    for sp in SURVEY.sheets:
        h = heads if sp.key == "buildings" else None
        sheets.append(RawSheet(sp.title, sheet_rows(SURVEY, sp.key, s[sp.key], h)))
    write_xlsx(path, sheets)
    return path


def _duplicate_column(path: Path) -> Path:
    s = base()
    spec = SURVEY.sheet("households")
    heads = [c.header for c in spec.columns] + ["户主"]  # an alias of 户主姓名 a second time
    sheets = []
    for sp in SURVEY.sheets:
        h = heads if sp.key == "households" else None
        sheets.append(RawSheet(sp.title, sheet_rows(SURVEY, sp.key, s[sp.key], h)))
    write_xlsx(path, sheets)
    return path


def _empty_households(s: Survey) -> None:
    s["households"] = []
    s["members"] = []
    s["buildings"] = []
    s["attachments"] = []
    s["flats"] = []


def _two_projects(s: Survey) -> None:
    s["project"].append(dict(s["project"][0], project_id="P2"))


def _duplicate_household(s: Survey) -> None:
    s["households"][1]["household_id"] = "H1"


def _with_dtd(path: Path) -> Path:
    """A valid survey whose first sheet part declares a billion-laughs DTD."""
    write_survey(path, base())
    payload = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
    )
    replace_part(path, "xl/worksheets/sheet1.xml", payload)
    return path


def replace_part(path: Path, name: str, data: bytes) -> None:
    """Rewrite one part of a zip (an .xlsx) in place."""
    with zipfile.ZipFile(path) as zin:
        parts = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for fname, content in parts:
            zout.writestr(fname, data if fname == name else content)


def bomb(path: Path, size: int = 50 * 1024 * 1024) -> Path:
    """A valid survey plus one entry of ``size`` zero bytes (ratio ≈ 1000:1)."""
    write_survey(path, base())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("xl/media/zeros.bin", "w") as out:
        chunk = bytes(1024 * 1024)
        for _ in range(size // len(chunk)):
            out.write(chunk)
    return path


def _truncated(path: Path) -> Path:
    write_survey(path, base())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _not_a_workbook(path: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    path.write_bytes(buf.getvalue())
    return path


def credit_code(first17: str) -> str:
    """Complete a 统一社会信用代码 with its GB 32100 check character."""
    from buchang.core.ids import USCC_CHARSET, USCC_WEIGHTS

    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_CHARSET[(31 - total % 31) % 31]


def _extra_sheet(path: Path) -> Path:
    s = base()
    sheets = [RawSheet(sp.title, sheet_rows(SURVEY, sp.key, s[sp.key])) for sp in SURVEY.sheets]
    sheets.append(RawSheet("备注", [["随便写的"]]))
    write_xlsx(path, sheets)
    return path


def _extra_column(path: Path) -> Path:
    s = base()
    sheets = []
    for sp in SURVEY.sheets:
        heads = [c.header for c in sp.columns] + (["备注"] if sp.key == "buildings" else [])
        sheets.append(RawSheet(sp.title, sheet_rows(SURVEY, sp.key, s[sp.key], heads)))
    write_xlsx(path, sheets)
    return path


CASES: dict[str, Case] = {
    "MISSING_COLUMN": Case("MISSING_COLUMN", "房屋!A1", _missing_column),
    "DUPLICATE_COLUMN": Case("DUPLICATE_COLUMN", "户!L1", _duplicate_column),
    "MISSING_SHEET": Case("MISSING_SHEET", None, _mutate(lambda s: None, drop=("members",))),
    "EMPTY_SHEET": Case("EMPTY_SHEET", "户", _mutate(_empty_households)),
    "TOO_MANY_ROWS": Case("TOO_MANY_ROWS", "项目!A3", _mutate(_two_projects)),
    "MISSING_VALUE": Case("MISSING_VALUE", "户!B3", _mutate(_set("households", 1, "head_name", None))),
    "WRONG_TYPE": Case("WRONG_TYPE", "房屋!H2", _mutate(_set("buildings", 0, "legal_area_m2", "一百二十"))),
    "TOO_MANY_DECIMALS": Case(
        "TOO_MANY_DECIMALS", "房屋!H2", _mutate(_set("buildings", 0, "legal_area_m2", RawNumber("120.555")))
    ),
    "NEGATIVE_AREA": Case(
        "NEGATIVE_AREA", "地块!C2", _mutate(_set("parcels", 0, "area_m2", Decimal("-3.5")))
    ),
    "NEGATIVE_AMOUNT": Case(
        "NEGATIVE_AMOUNT", "房屋!J2", _mutate(_set("buildings", 0, "appraisal_value", Decimal("-100")))
    ),
    "NEGATIVE_VALUE": Case("NEGATIVE_VALUE", "附着物!D2", _mutate(_set("attachments", 0, "quantity", -2))),
    "OUT_OF_RANGE": Case("OUT_OF_RANGE", "房屋!G2", _mutate(_set("buildings", 0, "newness", Decimal("1.5")))),
    "DATE_OUT_OF_RANGE": Case(
        "DATE_OUT_OF_RANGE", "项目!D2", _mutate(_set("project", 0, "notice_date", "2150年1月1日"))
    ),
    "UNKNOWN_CATEGORY": Case(
        "UNKNOWN_CATEGORY", "房屋!D2", _mutate(_set("buildings", 0, "legality", "半合法"))
    ),
    "UNKNOWN_REFERENCE": Case(
        "UNKNOWN_REFERENCE", "成员!A3", _mutate(_set("members", 1, "household_id", "H9"))
    ),
    "DUPLICATE_ID": Case("DUPLICATE_ID", "户!A3", _mutate(_duplicate_household)),
    "ID_CHECK_DIGIT": Case(
        "ID_CHECK_DIGIT", "成员!D2", _mutate(_set("members", 0, "id_number", "110105194912310021"))
    ),
    "ID_LENGTH": Case("ID_LENGTH", "成员!D2", _mutate(_set("members", 0, "id_number", "1101051949123"))),
    "ID_15_DIGIT": Case(
        "ID_15_DIGIT", "成员!D2", _mutate(_set("members", 0, "id_number", "110105491231002"))
    ),
    "ID_BIRTH_DATE": Case(
        "ID_BIRTH_DATE", "成员!D2", _mutate(_set("members", 0, "id_number", "110105194913310023"))
    ),
    "ID_STORED_AS_NUMBER": Case(
        "ID_STORED_AS_NUMBER", "成员!D2", _mutate(_set("members", 0, "id_number", 110105194912310021))
    ),
    "USCC_CHECK_DIGIT": Case(
        "USCC_CHECK_DIGIT", "集体!C2", _mutate(_set("collectives", 0, "credit_code", "91350100M000100Y44"))
    ),
    "ACCOUNT_CHARACTERS": Case(
        "ACCOUNT_CHARACTERS", "户!D2", _mutate(_set("households", 0, "account", "6222-02AB"))
    ),
    "INCONSISTENT_VALUE": Case(
        "INCONSISTENT_VALUE", "项目!H2", _mutate(_set("project", 0, "signing_end", date(2021, 9, 1)))
    ),
    "FILE_UNSAFE": Case("FILE_UNSAFE", None, _with_dtd),
    "FILE_UNREADABLE": Case("FILE_UNREADABLE", None, _truncated),
    "ID_REGION": Case("ID_REGION", "成员!D2", _mutate(_set("members", 0, "id_number", "99010519491231002X"))),
    "ID_CHARACTERS": Case(
        "ID_CHARACTERS", "成员!D2", _mutate(_set("members", 0, "id_number", "11010519491231A02X"))
    ),
    "USCC_LENGTH": Case("USCC_LENGTH", "集体!C2", _mutate(_set("collectives", 0, "credit_code", "9135"))),
    "USCC_CHARACTERS": Case(
        "USCC_CHARACTERS", "集体!C2", _mutate(_set("collectives", 0, "credit_code", "91350100M000100I43"))
    ),
    "USCC_REGION": Case(
        "USCC_REGION", "集体!C2", _mutate(_set("collectives", 0, "credit_code", "9135A100M000100Y43"))
    ),
    "ACCOUNT_LENGTH": Case("ACCOUNT_LENGTH", "户!D2", _mutate(_set("households", 0, "account", "12345"))),
    # warnings: the import still succeeds
    "USCC_UNKNOWN_DEPARTMENT": Case(
        "USCC_UNKNOWN_DEPARTMENT",
        "集体!C2",
        _mutate(_set("collectives", 0, "credit_code", credit_code("B1330106MA2XXXXXX"))),
        severity="warning",
    ),
    "UNKNOWN_SHEET": Case("UNKNOWN_SHEET", "备注", _extra_sheet, severity="warning"),
    "UNKNOWN_COLUMN": Case("UNKNOWN_COLUMN", "房屋!M1", _extra_column, severity="warning"),
    "BANK_LUHN": Case(
        "BANK_LUHN", "户!D2", _mutate(_set("households", 0, "account", LUHN_FAIL_ACCOUNT)), severity="warning"
    ),
}


def write_all(folder: Path) -> dict[str, Path]:
    """Write every case to ``folder/<CODE>.xlsx``."""
    folder.mkdir(parents=True, exist_ok=True)
    return {code: case.make(folder / f"{code}.xlsx") for code, case in CASES.items()}


__all__ = ["CASES", "Case", "bomb", "cell", "replace_part", "write_all", "write_survey"]
