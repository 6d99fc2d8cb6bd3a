"""``buchang audit``: an untouched report passes; an edited cell fails at that cell.

The report is the kit project (``reports_kit``: lines 7,000.00 / 2,400.00 /
3,000.00 / 932.40, total 13,332.40), written with its input file recorded in
参数; workbooks are edited with openpyxl, as a person in Excel would.
"""

from __future__ import annotations

import argparse
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.io.reports_kit import ACCOUNT_H1, compute, find_row, official_store, project, shipped_store

from buchang.cli import audit_cmd
from buchang.io import audit as A
from buchang.io.audit import audit_workbook
from buchang.io.reports import compute_report as cr
from buchang.io.reports import input_file, write_compute_report
from buchang.io.reports.fastxlsx import FastWorkbook
from buchang.io.reports.xlsx import Engine, ReportWorkbook

AMOUNT = cr.DETAIL_INDEX["amount"] + 1  # column Q
ACCOUNT = cr.DETAIL_INDEX["account"] + 1  # column K


ENGINES = pytest.mark.parametrize("engine", ["openpyxl", "fast"])


def write(
    folder: Path, *, mask: bool = False, name: str = "RESULT.xlsx", engine: Engine = "openpyxl"
) -> Path:
    p, result = compute()
    source = folder / "project.json"
    source.write_text(p.model_dump_json(), encoding="utf-8")
    return write_compute_report(
        result, folder / name, project=p, source=input_file(source, p), mask=mask, engine=engine
    )


def edit(path: Path, sheet: str, cell: str, value: object, out: str = "EDITED.xlsx") -> Path:
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    target = path.with_name(out)
    wb.save(target)
    return target


def codes(report: A.AuditReport) -> list[str]:
    return [i.code for i in report.issues]


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="buchang")
    audit_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["audit", *argv])
    code: int = args.func(args)
    return code


@pytest.fixture(scope="module")
def store() -> Any:
    return shipped_store()


@ENGINES
def test_untouched_report_passes(tmp_path: Path, store: Any, engine: Engine) -> None:
    path = write(tmp_path, engine=engine)
    report = audit_workbook(path, store=store)  # inputs found beside the workbook by their recorded name
    assert report.ok and report.recomputed, [str(i) for i in report.issues]
    assert report.issues == ()
    assert report.lines == 4
    assert report.cells_compared >= 4 * len(cr.DETAIL_COLUMNS)


@ENGINES
def test_edited_amount_fails_at_that_cell(tmp_path: Path, store: Any, engine: Engine) -> None:
    path = write(tmp_path, engine=engine)
    ws = openpyxl.load_workbook(path)["明细"]
    row = find_row(ws, 2, "H3")  # H3's only line: 0.333 亩 × 2800 = 932.40
    assert ws.cell(row, AMOUNT).value == 932.4
    edited = edit(path, "明细", f"Q{row}", 932.49)
    report = audit_workbook(edited, store=store)
    assert not report.ok
    first = report.issues[0]
    assert str(first) == (
        f"{edited}:明细!Q{row}: [AUDIT_MISMATCH] 金额（元） / amount: expected 932.40, found 932.49"
    )
    # the same cell also breaks its own arithmetic, and every subtotal above it
    assert any(i.code == "AUDIT_ARITHMETIC" and i.location.cell == f"Q{row}" for i in report.issues)
    subtotals = [i for i in report.issues if i.code == "AUDIT_SUBTOTAL"]
    assert subtotals and all(i.location.sheet == "汇总" for i in subtotals)
    assert all("932.49" in i.message or "13332.49" in i.message for i in subtotals)
    # only that detail cell is reported as differing from the re-computation
    mismatches = [i for i in report.issues if i.code == "AUDIT_MISMATCH"]
    assert [(i.location.sheet, i.location.cell) for i in mismatches] == [("明细", f"Q{row}")]


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path)
    assert run_cli(str(path)) == 0
    assert "一致 / OK" in capsys.readouterr().out
    edited = edit(path, "明细", "Q3", 7000.01)  # H1's paddy line, 7,000.00
    assert run_cli(str(edited)) == 1
    out = capsys.readouterr()
    assert f"{edited}:明细!Q3: [AUDIT_MISMATCH]" in out.out
    assert "expected 7000.00, found 7000.01" in out.out
    assert run_cli(str(edited), "--json") == 1


def test_edited_subtotal_is_found_without_the_inputs(tmp_path: Path, store: Any) -> None:
    path = write(tmp_path)
    (tmp_path / "project.json").unlink()  # the inputs are gone: only re-adding is possible
    ws = openpyxl.load_workbook(path)["汇总"]
    row = find_row(ws, 1, "H1", start=2)  # H1's subject total, 9,400.00
    edited = edit(path, "汇总", f"F{row}", 9400.5)
    report = audit_workbook(edited, store=store)
    assert not report.recomputed and not report.ok
    sub = [i for i in report.issues if i.code == "AUDIT_SUBTOTAL"]
    assert [(i.location.sheet, i.location.cell) for i in sub] == [("汇总", f"F{row}")]
    assert "9400.00" in sub[0].message and "9400.50" in sub[0].message
    # the words beside it still spell 9,400.00: the edit shows there too
    assert any(i.code == "AUDIT_UPPERCASE" and i.location.cell == f"G{row}" for i in report.issues)
    assert "AUDIT_INPUTS_UNAVAILABLE" in codes(report)
    # untouched and without inputs: a partial audit that passes, with a warning
    partial = audit_workbook(path, store=store)
    assert partial.ok and not partial.recomputed and codes(partial) == ["AUDIT_INPUTS_UNAVAILABLE"]


def test_edited_words_and_account_are_found(tmp_path: Path, store: Any) -> None:
    path = write(tmp_path)
    ws = openpyxl.load_workbook(path)["汇总"]
    row = find_row(ws, 1, "H2", start=2)
    words = edit(path, "汇总", f"G{row}", "叁万元整", "W.xlsx")
    report = audit_workbook(words, store=store)
    assert [(i.code, i.location.cell) for i in report.issues if i.code == "AUDIT_UPPERCASE"] == [
        ("AUDIT_UPPERCASE", f"G{row}")
    ]
    # a payee account redirected to someone else: only the re-computation sees it
    account = edit(path, "明细", "K3", "6222000011112222333", "K.xlsx")
    report = audit_workbook(account, store=store)
    assert (report.issues[0].code, report.issues[0].location.cell) == ("AUDIT_MISMATCH", "K3")
    # messages never carry a full account (issue 8 item 7): both sides are masked
    assert (
        "6222***********3446" in report.issues[0].message
        and "6222***********2333" in report.issues[0].message
    )
    assert not any(ACCOUNT_H1 in i.message or "6222000011112222333" in i.message for i in report.issues)
    # and the by-payee subtotals no longer add up: H1's row keeps 2 lines / 9,400.00 while
    # its account now has 1 line / 2,400.00, and 7,000.00 sits under an account with no row
    payee = [i for i in report.issues if i.code == "AUDIT_SUBTOTAL"]
    assert any("7000.00" in i.message and "not summarised" in i.message for i in payee)


def test_deleted_and_added_rows(tmp_path: Path, store: Any) -> None:
    path = write(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["明细"]
    ws.delete_rows(4)  # line 2 (H1 dry, 2,400.00) removed
    wb.save(tmp_path / "D.xlsx")
    report = audit_workbook(tmp_path / "D.xlsx", store=store)
    assert "AUDIT_ROW_MISSING" in codes(report)
    assert "AUDIT_SUBTOTAL" in codes(report)  # the subtotals no longer add up to the lines


def test_changed_input_is_a_finding(tmp_path: Path, store: Any) -> None:
    path = write(tmp_path)
    p = project()
    h3 = p.households[2]
    changed = p.model_copy(
        update={
            "households": (
                *p.households[:2],
                h3.model_copy(
                    update={
                        "attachments": (h3.attachments[0].model_copy(update={"quantity": Decimal("0.334")}),)
                    }
                ),
            )
        }
    )
    (tmp_path / "project.json").write_text(changed.model_dump_json(), encoding="utf-8")
    report = audit_workbook(path, store=store)
    assert codes(report)[0] == "AUDIT_INPUT_CHANGED"
    assert report.issues[0].location.sheet == "参数"
    # 0.334 × 2800 = 935.20 re-computed against the 932.40 written
    assert any(
        i.code == "AUDIT_MISMATCH" and "expected 935.20, found 932.40" in i.message for i in report.issues
    )


def test_resaved_input_with_same_data_is_only_noted(tmp_path: Path, store: Any) -> None:
    path = write(tmp_path)
    source = tmp_path / "project.json"
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # bytes differ, data same
    report = audit_workbook(path, store=store)
    assert report.ok and codes(report) == ["AUDIT_INPUT_RESAVED"]


def test_missing_table_version_is_a_finding(tmp_path: Path) -> None:
    path = write(tmp_path)
    # a store that has the crops table only in another version (other content hash)
    report = audit_workbook(path, store=official_store(tmp_path))
    assert not report.ok and not report.recomputed
    missing = [i for i in report.issues if i.code == "AUDIT_TABLE_MISSING"]
    assert missing and all(i.location.sheet == "参数" and i.location.cell for i in missing)
    assert any("yongzhou.attachments.items@2024" in i.message for i in missing)


@ENGINES
def test_masked_report_audits(tmp_path: Path, store: Any, engine: Engine) -> None:
    path = write(tmp_path, mask=True, engine=engine)
    assert audit_workbook(path, store=store).ok
    edited = edit(path, "明细", "K3", "6222***********3447")
    report = audit_workbook(edited, store=store)
    assert (report.issues[0].code, report.issues[0].location.cell) == ("AUDIT_MISMATCH", "K3")
    assert set(codes(report)) == {"AUDIT_MISMATCH", "AUDIT_SUBTOTAL"}  # the by-payee grouping moved


@ENGINES
def test_report_split_over_sheets_audits(
    tmp_path: Path, store: Any, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    monkeypatch.setattr(ReportWorkbook, "max_rows", 4)
    monkeypatch.setattr(FastWorkbook, "max_rows", 4)
    path = write(tmp_path, engine=engine)
    assert "明细 (2)" in openpyxl.load_workbook(path).sheetnames
    assert audit_workbook(path, store=store).ok
    edited = edit(path, "明细 (2)", "Q4", 933)  # line 4, 932.40
    report = audit_workbook(edited, store=store)
    assert str(report.issues[0]).startswith(f"{edited}:明细 (2)!Q4: [AUDIT_MISMATCH]")


def test_official_report_audits_with_tables_folder(tmp_path: Path) -> None:
    store = official_store(tmp_path)
    p, result = compute(store)
    source = tmp_path / "project.json"
    source.write_text(p.model_dump_json(), encoding="utf-8")
    path = write_compute_report(result, tmp_path / "R.xlsx", project=p, source=input_file(source, p))
    # the CLI loads the shipped tables plus --tables: the recorded version is found by its hash
    assert run_cli(str(path), "--tables", str(tmp_path / "official_tables")) == 0


def test_not_a_report(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    wb.save(tmp_path / "x.xlsx")
    report = audit_workbook(tmp_path / "x.xlsx")
    assert not report.ok and set(codes(report)) == {"AUDIT_NOT_A_REPORT"}
    (tmp_path / "junk.xlsx").write_bytes(b"not a zip")
    assert not audit_workbook(tmp_path / "junk.xlsx").ok
    shutil.copy(tmp_path / "x.xlsx", tmp_path / "y.xlsx")
    assert run_cli(str(tmp_path / "y.xlsx")) == 1


def test_every_code_is_documented() -> None:
    declared = {v for k, v in vars(A).items() if k.startswith("AUDIT_") and isinstance(v, str)}
    assert declared == set(A.CODES)


_VALUES = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.sampled_from(["=SUM(A1:A9)", "#N/A", "'", "0.1", "1/3", "合计 / total", "sha256:00"]),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(["汇总", "明细", "参数"]), st.integers(1, 40), st.integers(1, 24), _VALUES),
        min_size=1,
        max_size=6,
    )
)
def test_audit_never_raises_on_an_edited_workbook(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[str, int, int, object]]
) -> None:
    # Any edit of any cell (numbers, text, formula-looking text, blanks, in headers,
    # parameters or figures) ends in located findings, never an exception; an edit
    # that changes an amount of 明细 is always found.
    folder = tmp_path_factory.mktemp("fuzz")
    path = write(folder)
    wb = openpyxl.load_workbook(path)
    changed_amount = False
    for sheet, row, col, value in edits:
        cell = wb[sheet].cell(row, col)
        before = cell.value
        cell.value = value
        if cell.data_type == "f":  # openpyxl turns "=…" into a formula: keep it as text here
            cell.data_type = "s"
        if sheet == "明细" and col == AMOUNT and 3 <= row <= 6 and value != before:
            changed_amount = True
    wb.save(folder / "E.xlsx")
    report = audit_workbook(folder / "E.xlsx", store=shipped_store())
    assert all(i.location.file == str(folder / "E.xlsx") or i.location.file for i in report.issues)
    if changed_amount:
        assert not report.ok
