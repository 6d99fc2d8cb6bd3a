"""Formula injection is neutralised in every export (issue 8 item 2).

Formula-looking text (``=HYPERLINK(…)``, ``+1``, ``-2``, ``@SUM(A1)``, a
leading tab or carriage return, ``=cmd|' /C calc'!A0`` …) is fed through every
path that ends in a spreadsheet or CSV a person opens: the compute report
(both writers) and its CSV, the reconciliation report, the estimate report
(``buchang estimate -o`` and ``report estimate``'s writer), and the templates'
example rows. In every output: no formula cell (no ``<f>`` element anywhere in
the XML, no cell of data type ``f``), and every text cell or CSV field that
starts (after blanks) with a trigger character carries the neutralising
apostrophe; CSV fields that are exact decimal numbers are the only ones
allowed to start with ``-``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

import openpyxl
import pytest
from tests.hostile.conftest import Figures
from tests.hostile.kit import fresh
from tests.hostile.test_fuzz_csv import clean_folder
from tests.io.io_kit import base, write_survey

from buchang.cli.main import main
from buchang.io.reports.xlsx import FORMULA_TRIGGERS
from buchang.io.schema import KINDS

PAYLOADS = (
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
    " =1+2",
)


def run(argv: list[str]) -> tuple[int, str]:
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        code = main(["--no-progress", *argv])
    return code, sink.getvalue()


def _dangerous(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_TRIGGERS)


def check_xlsx(path: Path) -> int:
    """Asserts the workbook holds no formula and no un-neutralised trigger; returns cells checked."""
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith(".xml"):
                xml = zf.read(name).decode("utf-8", errors="replace")
                assert not re.search(r"<(\w+:)?f[ >/]", xml), (path.name, name)
    wb = openpyxl.load_workbook(path)
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                n += 1
                assert cell.data_type != "f", (path.name, ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not _dangerous(cell.value), (path.name, ws.title, cell.coordinate, cell.value)
    return n


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def check_csv(path: Path) -> int:
    n = 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            for field in row:
                n += 1
                assert not _dangerous(field) or _is_number(field), (path.name, field)
    return n


def hostile_survey(path: Path) -> Path:
    s = base()
    s["households"][0]["head_name"] = PAYLOADS[0]
    s["households"][1]["head_name"] = PAYLOADS[2]
    s["members"][0]["name"] = PAYLOADS[0]
    s["members"][1]["name"] = PAYLOADS[2]
    s["collectives"][0]["name"] = PAYLOADS[4]
    s["households"][1]["collective"] = "C01"  # it named the collective by its old name
    s["project"][0]["name"] = PAYLOADS[1]
    s["attachments"][0]["item_id"] = PAYLOADS[5]
    s["buildings"][0]["building_id"] = PAYLOADS[7]
    return write_survey(path, s)


@pytest.mark.parametrize("fast", [False, True], ids=["openpyxl writer", "fast writer"])
@pytest.mark.parametrize("mask", [False, True], ids=["plain", "masked"])
def test_compute_report_and_csv(
    fast: bool, mask: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figures: Figures
) -> None:
    if fast:  # the CLI picks the streaming writer above AUTO_FAST_ROWS rows: make that every report
        import buchang.io.reports.fastxlsx as fastxlsx

        monkeypatch.setattr(fastxlsx, "AUTO_FAST_ROWS", 0)
    survey = hostile_survey(tmp_path / "survey.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    argv = ["report", "compute", str(survey), "-o", str(out / "r.xlsx"), "--csv", str(out / "r.csv")]
    _code, text = run([*argv, "--mask"] if mask else argv)
    assert (out / "r.xlsx").exists(), text
    figures.add("formula cases: cells checked", check_xlsx(out / "r.xlsx") + check_csv(out / "r.csv"))
    figures.add("formula cases: exports checked", 2)
    wb = openpyxl.load_workbook(out / "r.xlsx")
    values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert "'" + PAYLOADS[0] in values  # the payload is kept, neutralised, not dropped


def test_compute_report_fast_engine_directly(tmp_path: Path, figures: Figures) -> None:
    from buchang.io.audit import read_inputs
    from buchang.io.reports.compute_report import write_compute_report
    from buchang.rules.engine import compute_project
    from buchang.tables.store import load_tables

    project, _issues, _locs = read_inputs(hostile_survey(tmp_path / "survey.xlsx"))
    assert project is not None
    store, _ = load_tables()
    result = compute_project(project, store)
    for engine in ("openpyxl", "fast"):
        path = tmp_path / f"r-{engine}.xlsx"
        write_compute_report(result, path, project=project, engine=engine)  # type: ignore[arg-type]
        figures.add("formula cases: cells checked", check_xlsx(path))
        figures.add("formula cases: exports checked")


def _hostile_funds(folder: Path) -> Path:
    clean_folder(folder)
    for name, keys in (
        ("agreements.csv", ("payee_name", "household_ref")),
        ("lists.csv", ("payee_name", "preparer")),
        ("statement.csv", ("counterparty_name", "reference")),
        ("projects.csv", ("name",)),
    ):
        path = folder / name
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        for k, r in enumerate(rows):
            for key in keys:
                r[key] = PAYLOADS[k % len(PAYLOADS)]
        if name == "statement.csv":  # an unscheduled payment: a finding quoting the names
            rows.append(dict(rows[-1], txn_id="=T9", reference=PAYLOADS[1], balance_after=""))
        with path.open("w", encoding="utf-8", newline="") as handle:
            w = csv.DictWriter(handle, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return folder


@pytest.mark.parametrize("mask", [False, True], ids=["plain", "masked"])
def test_reconcile_report(mask: bool, tmp_path: Path, figures: Figures) -> None:
    folder = _hostile_funds(tmp_path / "funds")
    report = tmp_path / "recon.json"
    _code, text = run(["reconcile", str(folder), "--as-of", "2030-01-01", "--json", str(report)])
    assert report.exists(), text
    out = tmp_path / "recon.xlsx"
    _code, text = run(["report", "reconcile", str(report), "-o", str(out), *(["--mask"] if mask else [])])
    assert out.exists(), text
    figures.add("formula cases: cells checked", check_xlsx(out))
    figures.add("formula cases: exports checked")


def _estimate_book(tmp_path: Path) -> Path:
    book = fresh("estimate")
    for _title, rows in book.sheets:
        for j, h in enumerate(rows[0]):
            if "名称" in str(h) or "备注" in str(h):
                rows[1][j] = PAYLOADS[0]
    return book.write(tmp_path / "estimate.xlsx")


def test_estimate_reports(tmp_path: Path, figures: Figures) -> None:
    from buchang.cli.estimate_cmd import read_inputs
    from buchang.io.reports.estimate_report import write_estimate_report
    from buchang.rules.estimate.compute import estimate
    from buchang.tables.store import load_tables

    src = _estimate_book(tmp_path)
    out = tmp_path / "est-cli.xlsx"
    _code, text = run(["estimate", str(src), "-o", str(out)])
    assert out.exists(), text
    figures.add("formula cases: cells checked", check_xlsx(out))
    inputs, issues = read_inputs(str(src))
    assert inputs is not None, [str(i) for i in issues]
    store, _ = load_tables()
    est = estimate(inputs, store)
    for mask in (False, True):
        path = tmp_path / f"est-{mask}.xlsx"
        write_estimate_report(est, path, mask=mask)
        figures.add("formula cases: cells checked", check_xlsx(path))
    figures.add("formula cases: exports checked", 3)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_templates(kind: str, tmp_path: Path, figures: Figures) -> None:
    out = tmp_path / f"{kind}.xlsx"
    code, text = run(["template", kind, "-o", str(out)])
    assert code == 0, text
    figures.add("formula cases: cells checked", check_xlsx(out))
    figures.add("formula cases: exports checked")
