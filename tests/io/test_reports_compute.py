"""The compute report workbook, opened with openpyxl: sheets, layout, exact numeric
amounts formatted 0.00, 大写, banners, parameters, issue locations, formula
injection. Figures derived by hand in ``reports_kit`` (the module docstring)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from tests.io.reports_kit import (
    ACCOUNT_H1,
    FORMULA_NAMES,
    HYPERLINK,
    all_cells,
    compute,
    find_row,
    load,
    official_store,
    sheet_xml,
)

from buchang import __version__
from buchang.core.errors import Issue, Location, Severity
from buchang.core.money import MAX_AMOUNT, to_fen
from buchang.io.reports import compute_report as cr
from buchang.io.reports import input_file, write_compute_report
from buchang.io.reports.csvout import write_compute_csv
from buchang.io.reports.fastxlsx import FastWorkbook
from buchang.io.reports.xlsx import (
    ColKind,
    Column,
    Engine,
    ReportWorkbook,
    exact_decimal_text,
    neutralise,
    unneutralise,
)

AMOUNT_COL = cr.DETAIL_INDEX["amount"] + 1  # 1-based: column Q


ENGINES = ("openpyxl", "fast")


@pytest.fixture(params=ENGINES)
def report(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The kit project's report, written by each engine (the workbooks must read back the same)."""
    project, result = compute()
    source = tmp_path / "project.json"
    source.write_text(project.model_dump_json(), encoding="utf-8")
    return write_compute_report(
        result,
        tmp_path / "RESULT.xlsx",
        project=project,
        source=input_file(source, project),
        input_issues=(
            Issue(
                "BANK_LUHN",
                "Luhn校验未通过 / fails the Luhn check",
                Severity.WARNING,
                Location("survey.xlsx", "户", "D4"),
            ),
        ),
        locations={"H1": Location("survey.xlsx", "户", "A3")},
        engine=request.param,
    )


def test_sheets_and_detail_lines(report: Path) -> None:
    wb = load(report)
    assert wb.sheetnames == ["汇总", "明细", "异常", "参数"]
    ws = wb["明细"]
    assert [c.value for c in ws[2]] == [c.title for c in cr.DETAIL_COLUMNS]
    assert ws.max_row == 2 + 4  # banner, header, four lines
    row = {c.key: ws.cell(3, i + 1).value for i, c in enumerate(cr.DETAIL_COLUMNS)}
    # line 1: H1's paddy, 2.5 亩 × 2800 元/亩 = 7,000.00, cited to 永政发〔2024〕4号 附件3 row paddy
    assert (row["no"], row["subject_id"], row["item_id"], row["category"]) == (1, "H1", "A1", "青苗补偿费")
    assert (row["quantity"], row["unit"], row["unit_price"], row["price_unit"]) == (2.5, "亩", 2800, "元/亩")
    assert row["amount"] == 7000
    assert row["tables"].startswith("yongzhou.attachments.items@2024[paddy]")
    assert (row["document"], row["article"], row["status"]) == ("永政发〔2024〕4号", "附件3", "secondary")
    assert row["account"] == ACCOUNT_H1
    # line 4: 0.333 亩 × 2800 = 932.40 (a quantity with three decimals stays exact)
    assert ws.cell(6, cr.DETAIL_INDEX["quantity"] + 1).value == 0.333
    assert ws.cell(6, AMOUNT_COL).value == 932.4


def test_amounts_are_numeric_0_00_and_stored_exactly(report: Path) -> None:
    ws = load(report)["明细"]
    for r in range(3, 7):
        cell = ws.cell(r, AMOUNT_COL)
        assert cell.data_type == "n" and cell.number_format == "0.00"
    xml = sheet_xml(report)
    # the stored text is the exact decimal, two places, never a float artefact
    for text in ("7000.00", "2400.00", "3000.00", "932.40", "13332.40"):
        assert f"<v>{text}</v>" in xml


def test_summary_blocks_and_uppercase(report: Path) -> None:
    ws = load(report)["汇总"]
    a = [c.value for c in ws["A"]]
    by_subject = a.index(cr.BY_SUBJECT) + 1  # title row; header below; rows from +2

    def row(r: int) -> list[object]:
        return [c.value for c in ws[r]]

    # the formula-looking names carry their neutralising apostrophe
    assert row(by_subject + 2)[:7] == ["H1", "'" + HYPERLINK, "户", "C01", 2, 9400, "玖仟肆佰元整"]
    assert row(by_subject + 3)[:7] == ["H2", "'+1", "户", "（无）", 1, 3000, "叁仟元整"]
    assert row(by_subject + 4)[:7] == ["H3", "'@SUM(A1)", "户", "（无）", 1, 932.4, "玖佰叁拾贰元肆角"]
    assert row(by_subject + 5)[:7] == [
        cr.TOTAL_LABEL,
        None,
        None,
        None,
        4,
        13332.4,
        "壹万叁仟叁佰叁拾贰元肆角",
    ]
    assert ws.cell(by_subject + 2, 2).data_type == "s"  # the =HYPERLINK name is text
    cat = a.index(cr.BY_CATEGORY) + 1
    assert row(cat + 2)[:3] == ["青苗补偿费", 4, 13332.4]
    coll = a.index(cr.BY_COLLECTIVE) + 1
    # C01: H1 only (2 lines, 9,400.00); no collective: H2 + H3 (3,000.00 + 932.40 = 3,932.40)
    assert row(coll + 2)[:5] == ["C01", "", 1, 2, 9400] or row(coll + 2)[:5] == ["C01", None, 1, 2, 9400]
    assert row(coll + 3)[:5] == ["（无）", None, 2, 2, 3932.4]
    payee = a.index(cr.BY_PAYEE) + 1
    assert row(payee + 2)[:7] == ["'-2", "所有权人", "H2", "6222000000000001019", 1, 3000, "叁仟元整"]
    total = a.index(cr.PROJECT_TOTAL) + 1
    assert row(total + 2)[:4] == ["T-RPT", 4, 13332.4, "壹万叁仟叁佰叁拾贰元肆角"]
    for r in range(3, ws.max_row + 1):
        for c in ws[r]:
            if c.column_letter in "EF" and isinstance(c.value, float | int) and c.number_format != "General":
                assert c.number_format == "0.00"


def test_no_formula_anywhere_and_formula_names_are_text(report: Path, tmp_path: Path) -> None:
    wb = load(report)
    texts = []
    for cell in all_cells(wb):
        assert cell.data_type != "f", cell.coordinate
        if isinstance(cell.value, str):
            assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), (cell.coordinate, cell.value)
            texts.append(cell.value)
    for name in FORMULA_NAMES:
        assert "'" + name in texts  # shown with the apostrophe, never evaluated
    assert "<f>" not in sheet_xml(report) and "<f " not in sheet_xml(report)
    ws = wb["明细"]
    payee = ws.cell(3, cr.DETAIL_INDEX["payee"] + 1)
    assert (payee.value, payee.data_type) == ("'" + HYPERLINK, "s")
    # python-calamine (the import reader) sees text too, never a formula
    cal = CalamineWorkbook.from_path(str(report))
    rows = cal.get_sheet_by_name("明细").to_python()
    assert rows[2][cr.DETAIL_INDEX["payee"]] == "'" + HYPERLINK
    assert cal.get_sheet_by_name("明细").to_python() and not any(
        cal.get_sheet_by_name(n).to_python() == [] for n in cal.sheet_names
    )


def test_banner_on_every_sheet_when_a_table_is_not_official(report: Path) -> None:
    wb = load(report)
    for ws in wb.worksheets:
        a1 = ws["A1"]
        assert "非官方" in a1.value and "NOT OFFICIAL" in a1.value, ws.title
        assert "yongzhou.attachments.items@2024" in a1.value
        assert a1.fill.patternType == "solid" and a1.fill.fgColor.rgb.endswith("C00000")
        assert a1.font.bold


@pytest.mark.parametrize("engine", ENGINES)
def test_no_banner_when_every_table_is_official(tmp_path: Path, engine: Engine) -> None:
    _, result = compute(official_store(tmp_path))
    assert result.non_official == ()
    wb = load(write_compute_report(result, tmp_path / "official.xlsx", engine=engine))
    for ws in wb.worksheets:
        a1 = ws["A1"]
        assert "非官方" not in a1.value and a1.value.startswith("T-RPT")
        assert a1.fill.patternType is None


def test_parameters_record_tables_versions_hashes_and_input(report: Path, tmp_path: Path) -> None:
    ws = load(report)["参数"]
    params = {r[0].value: r[1].value for r in ws.iter_rows(min_row=3) if r[0].value and r[1].value}
    assert params[cr.P_PROJECT_ID] == "T-RPT"
    assert params[cr.P_NOTICE] == "2024-06-01" and params[cr.P_APPROVAL] == "2024-09-30"
    assert params[cr.P_LIBRARY] == __version__
    assert params[cr.P_INPUT_NAME] == "project.json"
    assert params[cr.P_INPUT_SHA] == cr.sha256_file(tmp_path / "project.json")
    assert params[cr.P_INPUT_DIGEST].startswith("sha256:")
    assert params[cr.P_OFFICIAL] == cr.NO and params[cr.P_MASKED] == cr.NO
    _, result = compute()
    tables = {t.table_id: t for t in result.tables}
    a = [c.value for c in ws["A"]]
    first = a.index(cr.TABLES_TITLE) + 3
    found = {ws.cell(r, 1).value: [c.value for c in ws[r]][:7] for r in range(first, ws.max_row + 1)}
    crops = tables["yongzhou.attachments.items"]
    assert found["yongzhou.attachments.items"] == [
        "yongzhou.attachments.items",
        "2024",
        "431100",
        "secondary 转引",
        "永政发〔2024〕4号",
        "附件3",
        crops.content_hash,
    ]
    assert set(found) == set(tables)


def test_issues_sheet_points_back_to_the_input_cells(report: Path) -> None:
    ws = load(report)["异常"]
    rows = {r[2].value: [c.value for c in r] for r in ws.iter_rows(min_row=3)}
    assert rows["BANK_LUHN"][3] == "survey.xlsx:户!D4"  # the import's own cell
    # the engine knows H1 only by id: the issue points at H1's survey row
    assert rows["UNKNOWN_COLLECTIVE"][3] == "survey.xlsx:户!A3"
    assert rows["UNKNOWN_COLLECTIVE"][4] == "H1"
    assert rows["TABLE_NOT_OFFICIAL"][1] == "warning"
    assert rows["TABLE_NOT_OFFICIAL"][4] == "H1, H2, H3"


def test_csv_export_is_neutralised_and_exact(tmp_path: Path) -> None:
    _, result = compute()
    path = write_compute_csv(result, tmp_path / "detail.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == [c.title for c in cr.DETAIL_COLUMNS]
    amount = cr.DETAIL_INDEX["amount"]
    assert [r[amount] for r in rows[1:]] == ["7000.00", "2400.00", "3000.00", "932.40"]
    payees = {r[cr.DETAIL_INDEX["payee"]] for r in rows[1:]}
    assert payees == {"'" + HYPERLINK, "'-2", "'@SUM(A1)"}
    for r in rows[1:]:
        for value in r:
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value


def test_neutralise_cases() -> None:
    for text in ("=1+2", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "  =cmd"):
        assert neutralise(text).startswith("'") and unneutralise(neutralise(text)) == text
    assert neutralise("张三") == "张三" and neutralise("'quoted") == "'quoted"
    assert neutralise("a\x01b") == "a\ufffdb"  # XML cannot carry control characters


def test_error_literals_and_control_characters_stay_text(tmp_path: Path) -> None:
    book = ReportWorkbook(title="t")
    sheet = book.sheet("s", (10, 10))
    cols = (Column("a", "a"), Column("b", "b", ColKind.CODE))
    sheet.table(cols, [["#N/A", "bad\x07bell"], ["#DIV/0!", "=x"]])
    book.save(tmp_path / "t.xlsx")
    ws = load(tmp_path / "t.xlsx")["s"]
    assert (ws["A3"].value, ws["A3"].data_type) == ("#N/A", "s")
    assert (ws["A4"].value, ws["A4"].data_type) == ("#DIV/0!", "s")
    assert ws["B3"].value == "bad\ufffdbell" and ws["B4"].value == "'=x"


@pytest.mark.parametrize("engine", ENGINES)
def test_nothing_partial_is_left_behind(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, result = compute()
    with pytest.raises(FileNotFoundError):
        write_compute_report(result, tmp_path / "missing" / "r.xlsx", engine=engine)
    write_compute_report(result, tmp_path / "r.xlsx", engine=engine)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]

    def boom(_refs: object) -> tuple[str, str, str, str]:
        raise RuntimeError("interrupted while writing")

    monkeypatch.setattr(cr, "citation", boom)  # used by the 明细 rows of either writer
    with pytest.raises(RuntimeError):
        write_compute_report(result, tmp_path / "r2.xlsx", engine=engine)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]  # no partial output


@pytest.mark.parametrize("engine", ENGINES)
def test_long_detail_continues_on_a_second_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    monkeypatch.setattr(ReportWorkbook, "max_rows", 4)  # banner + header + 2 lines per sheet
    monkeypatch.setattr(FastWorkbook, "max_rows", 4)
    _, result = compute()
    wb = load(write_compute_report(result, tmp_path / "r.xlsx", engine=engine))
    assert wb.sheetnames == ["汇总", "明细", "明细 (2)", "异常", "参数"]
    assert [wb["明细"].cell(r, 1).value for r in (3, 4)] == [1, 2]
    assert wb["明细 (2)"]["A1"].fill.fgColor.rgb.endswith("C00000")
    assert [wb["明细 (2)"].cell(r, 1).value for r in (3, 4)] == [3, 4]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.integers(min_value=-to_fen(MAX_AMOUNT), max_value=to_fen(MAX_AMOUNT)), min_size=1, max_size=40
    )
)
def test_any_amount_round_trips_exactly(tmp_path_factory: pytest.TempPathFactory, fens: list[int]) -> None:
    # Every amount up to 9,999,999,999,999.99 is stored as its exact two-place text and
    # read back (openpyxl and python-calamine floats → shortest repr) as the same Decimal.
    path = tmp_path_factory.mktemp("money") / "m.xlsx"
    book = ReportWorkbook(title="t")
    book.sheet("s", (20,)).table((Column("m", "m", ColKind.MONEY),), [[f] for f in fens])
    book.save(path)
    xml = sheet_xml(path)
    ws = load(path)["s"]
    cal = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("s").to_python()
    for i, fen in enumerate(fens):
        exact = Decimal(fen).scaleb(-2).quantize(Decimal("0.01"))
        assert f"<v>{exact}</v>" in xml
        assert Decimal(repr(float(ws.cell(3 + i, 1).value))) == exact
        assert Decimal(repr(float(cal[2 + i][0]))) == exact


def test_exact_decimal_text() -> None:
    from fractions import Fraction

    assert exact_decimal_text(Fraction(3, 2000)) == "0.0015"
    assert exact_decimal_text(Fraction(1, 3)) is None  # written as text "1/3"
    assert exact_decimal_text(Fraction(10**15 + 1, 10)) is None  # 16 significant digits
    assert exact_decimal_text(Decimal("6666.67")) == "6666.67"


def test_find_row_helper(report: Path) -> None:
    ws = load(report)["明细"]
    assert find_row(ws, 2, "H3") == 6
