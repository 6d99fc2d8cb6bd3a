"""Write input templates (导入模板) from the declarations in :mod:`buchang.io.schema`.

Each template has an instructions sheet (说明) first — general rules, then one
table per data sheet listing every column's Chinese header, its English alias,
further accepted aliases, type, whether it is required and its allowed values —
and then one sheet per declared sheet with:

* the Chinese headers in row 1 (bold, frozen), the English alias as a cell comment;
* an example row in row 2, which imports cleanly (delete or overwrite it);
* drop-downs (data validation lists) for categories, legality states, land
  classes, options and 是/否 columns; an "open" list (structure grades, which a
  local table may extend) only warns;
* ID, credit-code, account and other code columns formatted as text (``@``)
  so Excel keeps every digit; date columns formatted ``yyyy-mm-dd``.

Templates are written with openpyxl (the readers are for reading only).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Final

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.comments import Comment  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from buchang.io.atomic import check_output, temp_beside
from buchang.io.binding import column_letter
from buchang.io.cells import CellOptions, make_converter
from buchang.io.schema import KINDS, TEXT_FORMATTED, ColType, Column, InputKind, Sheet

_HEADER_FONT: Final = Font(bold=True)
_HEADER_FILL: Final = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL: Final = PatternFill("solid", fgColor="FCE4D6")
_TEXT_ROWS: Final = 300  # rows pre-formatted as text below the header

_TYPE_LABEL: Final = {
    ColType.TEXT: "文本 text",
    ColType.RESIDENT_ID: "身份证号（文本） resident ID (text)",
    ColType.PAYEE_ID: "身份证号或统一社会信用代码（文本） ID or credit code (text)",
    ColType.CREDIT_CODE: "统一社会信用代码（文本） credit code (text)",
    ColType.ACCOUNT: "银行账号（文本） bank account (text)",
    ColType.DECIMAL: "数值 number",
    ColType.INT: "整数 whole number",
    ColType.DATE: "日期 date",
    ColType.DATETIME: "日期时间 date and time",
    ColType.BOOL: "是/否 yes/no",
    ColType.CHOICE: "下拉选项 choice",
    ColType.DIGEST: "64位十六进制 hex digest",
}

GENERAL_RULES: Final = (
    "第1行为表头，请勿改动列名（列名中的空格、换行、全角字符和英文别名均可识别）。"
    " / Row 1 holds the headers; spaces, line breaks, full-width characters and the English aliases are accepted.",
    "第2行为示例，可直接覆盖或删除。 / Row 2 is an example row: overwrite or delete it.",
    "身份证号、信用代码、账号等编号列已设为文本格式，请勿改为数值，否则会丢失位数。"
    " / ID, credit-code and account columns are text: a number cell loses digits and is rejected.",
    "金额、面积按小数录入，最多2位小数（成新率最多4位），不会自动四舍五入。"
    " / Amounts and areas: at most 2 decimals (newness 4); never rounded silently.",
    "日期可写2021-03-01、2021/3/1、2021年3月1日，或使用Excel日期单元格。"
    " / Dates: 2021-03-01, 2021/3/1, 2021年3月1日 or an Excel date cell.",
    "导入时检查整个文件，所有问题按“文件:工作表!单元格: [代码] 说明”列出，无错误才会导入。"
    " / The whole file is checked; every problem is listed as file:sheet!C12: [CODE] message.",
)


#: Further rules of one input kind, after the general ones (说明 sheet).
KIND_RULES: Final[dict[str, tuple[str, ...]]] = {
    "estimate": (
        "本工作簿与 buchang estimate 的 YAML/JSON 输入一一对应：同样的数据两种方式测算结果相同。"
        " / The workbook is the YAML/JSON input of buchang estimate: the same data either way give the same estimate.",
        "区间：“测算参数”表中产权调换比例、过渡月数各有低、预期、高三列，须低≤预期≤高；低或高空白即等于预期值。"
        "低情景、高情景为各区间端点组合中合计最小、最大者（审慎起见按高情景预存）。"
        " / Ranges: low ≤ expected ≤ high; a blank low or high is the expected value. The low and high"
        " scenarios are the cheapest and dearest combination of the ranges' ends (deposit the high one).",
        "社会保障费用单独列支：征收农用地时，在“户数人口”表填被征地人员三个年龄段人数；未知时在“集体”表填"
        "征收前农用地面积和16周岁以上农业人口，按比例测算人数并按最高人员类别标准估算。"
        " / Social security (its own fund): give the land-lost persons by age group, or the collective's"
        " pre-expropriation agricultural area and persons aged 16+ for the quota (priced at the dearest group).",
        "所属集体填“集体”表的集体编号或名称；没有“集体”表时，每个名称即一个集体。"
        " / 所属集体: an id or name of the 集体 sheet; without that sheet each name is a collective.",
        "测绘费、评估费、拆除费、工作经费、不可预见费按标准表 estimate.working_costs 的费率计算；安置房单价空白则取"
        "标准表 estimate.flat_costs。每个金额在测算报告中注明所用标准表。"
        " / Working costs are the rates of the estimate.working_costs table; a blank flat price is taken"
        " from estimate.flat_costs. Every figure of the report cites its table.",
    ),
}


def _allowed(col: Column) -> str:
    if col.type is ColType.CHOICE:
        text = "、".join(ch.label for ch in col.choices)
        return text + ("；或标准表行键 / or a table row key" if col.open_choice else "")
    if col.type is ColType.BOOL:
        return "是、否"
    parts = []
    if col.type is ColType.DECIMAL:
        parts.append(f"最多{col.decimals}位小数")
    if col.minimum is not None:
        parts.append(f"≥{col.minimum}")
    if col.maximum is not None:
        parts.append(f"≤{col.maximum}")
    return "，".join(parts)


def _instructions(ws: Worksheet, kind: InputKind) -> None:
    ws.append([f"{kind.title}导入模板 / {kind.name} template"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    if kind.note:
        ws.append([kind.note])
    for rule in (*GENERAL_RULES, *KIND_RULES.get(kind.name, ())):
        ws.append([rule])
    ws.append([])
    heads = ["工作表 sheet", "列名 header", "英文别名 alias", "其他别名 other aliases", "类型 type", "必填 required",
             "可选值/范围 allowed", "说明 note"]  # fmt: skip
    for sheet in kind.sheets:
        title = f"{sheet.title}（{sheet.key}）" + ("" if sheet.required else " — 可选 optional")
        if sheet.note:
            title += f"：{sheet.note}"
        ws.append([title])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.append(heads)
        for cell in ws[ws.max_row]:
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
        for col in sheet.columns:
            ws.append(
                [
                    sheet.title,
                    col.header,
                    col.key,
                    "、".join(col.aliases),
                    _TYPE_LABEL[col.type],
                    "是" if col.required else "",
                    _allowed(col),
                    col.note,
                ]
            )
        ws.append([])
    for letter, width in zip("ABCDEFGH", (14, 24, 30, 28, 30, 8, 40, 50), strict=True):
        ws.column_dimensions[letter].width = width


def _example(col: Column) -> object:
    """The example typed as a user would type it (a date cell, a number, text)."""
    if not col.example:
        return None
    if col.type in (ColType.DATE, ColType.DATETIME, ColType.DECIMAL, ColType.INT):
        got, problem = make_converter(col, CellOptions())(col.example)
        if problem is None:
            return got
    return col.example


def _data_sheet(ws: Worksheet, sheet: Sheet) -> None:
    last = 1048576
    for j, col in enumerate(sheet.columns):
        letter = column_letter(j)
        cell = ws.cell(1, j + 1, col.header)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if col.required else _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        note = (
            f"{col.key}" + (f"\n{col.note}" if col.note else "") + ("\n必填 required" if col.required else "")
        )
        cell.comment = Comment(note, "buchang")
        ws.column_dimensions[letter].width = max(12, min(40, len(col.header) * 2 + 4))
        if col.type in TEXT_FORMATTED:
            ws.column_dimensions[letter].number_format = "@"
            for r in range(2, _TEXT_ROWS + 2):
                ws.cell(r, j + 1).number_format = "@"
        elif col.type is ColType.DATE:
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
        elif col.type is ColType.DATETIME:
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd hh:mm"
        options: list[str] = []
        if col.type is ColType.CHOICE:
            options = [ch.label for ch in col.choices]
        elif col.type is ColType.BOOL:
            options = ["是", "否"]
        if options:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(options) + '"',
                allow_blank=True,
                showErrorMessage=not col.open_choice,
                errorStyle="warning" if col.open_choice else "stop",
                errorTitle=col.header,
                error="请从下拉列表选择 / choose from the list",
            )
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)
        value = _example(col)
        if value is not None:
            target = ws.cell(2, j + 1, value)
            if isinstance(value, datetime):
                target.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                target.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30


def build_template(kind: InputKind) -> Workbook:
    """The template workbook of one input kind."""
    wb = Workbook()
    info = wb.active
    assert info is not None
    info.title = "说明"
    _instructions(info, kind)
    for sheet in kind.sheets:
        _data_sheet(wb.create_sheet(sheet.title), sheet)
    return wb


def write_template(kind: str | InputKind, path: Path) -> None:
    """Write the template of ``kind`` (a name in :data:`KINDS`) to ``path``.

    Written to a temporary file beside ``path`` and renamed, so a failure never
    leaves a partial file.
    """
    spec = KINDS[kind] if isinstance(kind, str) else kind
    target = check_output(path)
    wb = build_template(spec)
    tmp = temp_beside(target)  # unguessable: a planted symlink is never written through
    try:
        wb.save(tmp)
        tmp.replace(target)
    finally:
        if tmp.exists():
            tmp.unlink()
