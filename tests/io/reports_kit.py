"""Test kit for the reports and the audit: a small Yongzhou project computed by
the real engine, and helpers that open written workbooks with openpyxl.

The project (永州 431100, notice 2024-06-01; 青苗 from 永政发〔2024〕4号 附件3
[secondary]: 水田 2800 元/亩, 旱地 2000 元/亩, 成片林地 4000 元/亩), figures by hand:

====  =====  ==========  ==========================  =========
line  house  item        arithmetic                  amount
====  =====  ==========  ==========================  =========
1     H1     A1 paddy    2.5 亩 × 2800 元/亩          7,000.00
2     H1     A2 dry      1.2 亩 × 2000 元/亩          2,400.00
3     H2     A3 forest   0.75 亩 × 4000 元/亩         3,000.00
4     H3     A4 paddy    0.333 亩 × 2800 元/亩          932.40
====  =====  ==========  ==========================  =========

H1 = 9,400.00 (玖仟肆佰元整), H2 = 3,000.00, H3 = 932.40; project 13,332.40
(壹万叁仟叁佰叁拾贰元肆角). The names are formula-looking on purpose
(``=HYPERLINK(…)``, ``+1``, ``-2``, ``@SUM(A1)``), H1's account and H1's member's
ID number must never appear whole in a masked workbook.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl

from buchang.rules.engine import compute_project
from buchang.rules.inputs import Attachment, Household, Member, Project, Sex
from buchang.rules.lines import ProjectResult
from buchang.tables.store import TableStore, load_tables

ID_NUMBER = "11010519491231002X"
ACCOUNT_H1 = "6222020200112233446"
ACCOUNT_H2 = "6222000000000001019"
HYPERLINK = '=HYPERLINK("http://x","y")'
FORMULA_NAMES = (HYPERLINK, "+1", "-2", "@SUM(A1)")


def _item(iid: str, code: str, qty: str, owner: str) -> Attachment:
    return Attachment(item_id=iid, item_code=code, quantity=Decimal(qty), owner=owner)


def project() -> Project:
    households = (
        Household(
            household_id="H1",
            head_name=HYPERLINK,
            account=ACCOUNT_H1,
            collective="C01",
            members=(
                Member(
                    member_id="H1-1",
                    name="张三",
                    id_number=ID_NUMBER,
                    sex=Sex.FEMALE,
                    birth_date=date(1949, 12, 31),
                ),
            ),
            attachments=(_item("A1", "paddy", "2.5", HYPERLINK), _item("A2", "dry", "1.2", HYPERLINK)),
        ),
        Household(
            household_id="H2",
            head_name="+1",
            account=ACCOUNT_H2,
            attachments=(_item("A3", "forest_stand", "0.75", "-2"),),
        ),
        Household(
            household_id="H3", head_name="@SUM(A1)", attachments=(_item("A4", "paddy", "0.333", "@SUM(A1)"),)
        ),
    )
    return Project(
        project_id="T-RPT",
        name="报表测试项目",
        jurisdiction="431100",
        notice_date=date(2024, 6, 1),
        approval_date=date(2024, 9, 30),
        households=households,
    )


@cache
def shipped_store() -> TableStore:
    """The shipped tables, loaded once (a store is immutable)."""
    store, _ = load_tables()
    return store


@cache
def _shipped_result() -> tuple[Project, ProjectResult]:
    p = project()
    return p, compute_project(p, shipped_store())


def compute(store: TableStore | None = None) -> tuple[Project, ProjectResult]:
    """The kit project and its result (with the shipped tables unless ``store`` is given)."""
    if store is None:
        return _shipped_result()
    p = project()
    return p, compute_project(p, store)


def official_store(tmp: Path) -> TableStore:
    """Only the Yongzhou crops table, re-labelled ``official`` (version 2024-test)."""
    src = Path(__file__).resolve().parents[2] / "tables" / "hunan" / "yongzhou" / "crops_attachments.yaml"
    text = src.read_text(encoding="utf-8").replace("status: secondary", "status: official")
    text = text.replace('version: "2024"', 'version: "2024-test"')
    folder = tmp / "official_tables"
    folder.mkdir(exist_ok=True)
    (folder / "crops.yaml").write_text(text, encoding="utf-8")
    store, _ = load_tables(folder)
    table = store.table("yongzhou.attachments.items")
    assert table is not None and table.versions[0].version == "2024-test"
    return TableStore(store.jurisdictions, [table])


def load(path: Path) -> Any:
    return openpyxl.load_workbook(path)


def all_cells(wb: Any) -> Iterator[Any]:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def sheet_xml(path: Path) -> str:
    """Every worksheet's XML, concatenated (to check the stored text of cells)."""
    with zipfile.ZipFile(path) as z:
        return "".join(
            z.read(n).decode("utf-8") for n in sorted(z.namelist()) if n.startswith("xl/worksheets/sheet")
        )


def find_row(ws: Any, column: int, value: object, start: int = 3) -> int:
    """1-based row index of the first row whose ``column`` (1-based) holds ``value``."""
    for r in range(start, ws.max_row + 1):
        if ws.cell(r, column).value == value:
            return r
    raise AssertionError(f"{value!r} not found in column {column} of {ws.title}")
