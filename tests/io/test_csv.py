"""CSV import: with and without BOM, GBK, UTF-16, delimiters, a folder of sheets."""

from __future__ import annotations

import codecs
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from tests.io.io_kit import base, sheet_rows

from buchang.io.fundsio import import_agreements
from buchang.io.rawxlsx import RawNumber
from buchang.io.schema import AGREEMENTS, SURVEY
from buchang.io.survey import import_survey

AGREEMENT_ROWS = [
    [
        "协议编号",
        "项目编号",
        "收款人",
        "收款人证件号",
        "收款账号",
        "资金类别",
        "金额(元)",
        "签订日期",
        "生效日期",
    ],
    [
        "XY-1",
        "P1",
        "张三",
        "11010519491231002X",
        "6222020200112233446",
        "房屋补偿费",
        "1,234.56",
        "2021/3/1",
        "",
    ],
    [
        "XY-2",
        "P1",
        "第一村民小组",
        "91350100M000100Y43",
        "6222020200112233446",
        "土地补偿费",
        "0.1",
        "2021年3月2日",
        "20210305",
    ],
]


def text(value: object) -> str:
    if value is None:
        return ""
    return value.text if isinstance(value, RawNumber) else str(value)


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("encoding", "bom", "info"),
    [
        ("utf-8", b"", False),
        ("utf-8", codecs.BOM_UTF8, False),
        ("gbk", b"", True),
        ("gb18030", b"", True),
        ("utf-16-le", codecs.BOM_UTF16_LE, False),
    ],
)
def test_agreements_csv_encodings(tmp_path: Path, encoding: str, bom: bytes, info: bool) -> None:
    path = tmp_path / "协议.csv"
    path.write_bytes(bom + csv_text(AGREEMENT_ROWS).encode(encoding))
    got, issues = import_agreements(path)
    assert got is not None, [str(i) for i in issues]
    assert [a.amount_fen for a in got] == [123456, 10]
    assert got[1].payee_name == "第一村民小组"
    assert got[0].effective_date is None
    assert [i.code for i in issues] == (["CSV_ENCODING"] if info else [])


def test_tab_separated_and_csv_cell_locations(tmp_path: Path) -> None:
    rows = [r[:] for r in AGREEMENT_ROWS]
    rows[2][6] = "-5"
    path = tmp_path / "any-name.tsv"
    path.write_text(csv_text(rows, "\t"), encoding="utf-8")
    got, issues = import_agreements(path)
    assert got is None
    assert [str(i) for i in issues] == [
        f"{path}:G3: [NEGATIVE_AMOUNT] 金额(元)不能小于0：-5 / must be at least 0"
    ]


def test_undecodable_csv_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "协议.csv"
    path.write_bytes(b"\xff\xfe\xfa" * 3 + b"\x81\x20\n")  # not UTF-8, not GB18030 (no BOM at the start)
    path.write_bytes(b"\x80\x80\x80,\xff\n")
    got, issues = import_agreements(path)
    assert got is None and [i.code for i in issues] == ["FILE_UNREADABLE"]


def test_csv_with_nul_bytes_is_an_issue(tmp_path: Path) -> None:
    path = tmp_path / "协议.csv"
    path.write_bytes(csv_text(AGREEMENT_ROWS).encode() + b"a\x00b,c\n")
    got, issues = import_agreements(path)
    assert got is None
    assert issues  # FILE_UNREADABLE (malformed) or located cell errors — never an exception


def test_survey_from_a_folder_of_csv_files(tmp_path: Path) -> None:
    s = base()
    folder = tmp_path / "survey"
    folder.mkdir()
    for spec in SURVEY.sheets:
        rows = [[text(v) for v in r] for r in sheet_rows(SURVEY, spec.key, s[spec.key])]
        (folder / f"{spec.title}.csv").write_text(csv_text(rows), encoding="utf-8-sig")
    project, issues = import_survey(folder)
    assert project is not None, [str(i) for i in issues]
    assert issues == ()
    assert project.households[0].buildings[0].legal_area_m2 == Decimal("120.50")
    # a member error in CSV is located as file:C12
    (folder / "成员.csv").write_text("户编号,姓名,身份证号\nH1,张三,110105194912310021\n", encoding="utf-8")
    project, issues = import_survey(folder)
    assert project is None
    assert f"{folder / '成员.csv'}:C2: [ID_CHECK_DIGIT]" in "\n".join(str(i) for i in issues)


def test_single_sheet_kind_takes_any_csv_name(tmp_path: Path) -> None:
    path = tmp_path / "export_2021.csv"
    rows = [[("" if v is None else str(v)) for v in r] for r in sheet_rows(AGREEMENTS, "agreements", [])]
    path.write_text(csv_text(rows), encoding="utf-8")
    got, issues = import_agreements(path)
    assert got is None and [i.code for i in issues] == ["EMPTY_SHEET"]
