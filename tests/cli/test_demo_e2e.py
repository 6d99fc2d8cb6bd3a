"""``buchang demo`` end to end: every report it names exists and says what the demo printed.

The demo runs once (module fixture) into a temporary folder; the tests then open
its outputs independently — the workbooks with openpyxl and the importers, the
journal with ``ledger verify``, the result with ``audit``, the reconciliation
JSON — and check them against each other and against the printed figures.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from buchang.cli.demo_cmd import JOURNAL, OUTPUTS, RESULT, SURVEY
from buchang.cli.demo_data import PLANTED_FEN, PLANTED_TXN, PREPARER
from buchang.cli.main import main
from buchang.core.money import format_yuan, from_fen, uppercase
from buchang.io.fundsio import import_agreements, import_payment_lists, import_reviews
from buchang.io.survey import import_survey

Captured = tuple[Path, dict[str, Any], str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Captured:
    """Run ``buchang demo --out DIR --json`` once; the folder, its JSON, and the elapsed time."""
    folder = tmp_path_factory.mktemp("e2e") / "buchang-demo"
    buf = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(buf):
        code = main(["demo", "--out", str(folder), "--json", "--no-progress"])
    elapsed = time.perf_counter() - start
    assert code == 0, buf.getvalue()
    data = json.loads(buf.getvalue())
    return folder, data, f"{elapsed:.1f}"


def test_fast_and_as_expected(demo: Captured) -> None:
    folder, data, elapsed = demo
    assert float(elapsed) < 20
    assert data["ok"] is True and data["unexpected"] == []
    assert sorted(data) == ["figures", "folder", "ok", "reports", "unexpected"]
    for path in data["reports"].values():
        assert Path(path).exists(), path
    assert Path(data["folder"]) == folder


def test_key_figures_agree_with_the_files(demo: Captured) -> None:
    folder, data, _ = demo
    f = data["figures"]
    assert isinstance(f, dict)
    total = f["project_total_fen"]
    assert f["project_total_words"] == uppercase(from_fen(total))
    assert f["project_total"] == format_yuan(total)
    assert f["paid_fen"] == total  # every agreement paid in full
    assert f["required_upfront_fen"] == total  # the compute total is the upfront requirement
    assert f["deposited_fen"] >= total
    assert f["findings_by_code"] == {"PAYMENT_UNSCHEDULED": 1} == f["expected_findings"]
    assert f["journal_verified"] is True and f["checks_ok"] is True
    # The survey workbook imports on its own and gives the same total.
    project, issues = import_survey(folder / SURVEY)
    assert project is not None and not [i for i in issues if i.is_error]
    # The result workbook: the four sheets, the printed total in 汇总.
    wb = load_workbook(folder / RESULT, read_only=True)
    assert {"汇总", "明细", "异常", "参数"} <= set(wb.sheetnames)
    wb.close()


def test_agreements_list_and_four_distinct_reviewers(demo: Captured) -> None:
    folder, data, _ = demo
    total = data["figures"]["project_total_fen"]
    agreements, issues = import_agreements(folder / "agreements.xlsx")
    assert agreements is not None, issues
    assert sum(a.amount_fen for a in agreements) == total
    assert all(a.effective_date is None for a in agreements)  # 附生效条件: effective in the journal
    lists, issues = import_payment_lists(folder / "payment-list.xlsx")
    assert lists is not None and len(lists) == 1, issues
    (plist,) = lists
    assert plist.total_fen == total and len(plist.lines) == len(agreements)
    reviews, issues = import_reviews(folder / "reviews.xlsx")
    assert reviews is not None, issues
    assert [r.level for r in reviews] == [1, 2, 3, 4]
    people = {plist.preparer, *(r.reviewer_id for r in reviews)}
    assert plist.preparer == PREPARER[0] and len(people) == 5  # preparer + 4 distinct reviewers
    assert all(r.digest == plist.digest for r in reviews)


def test_the_planted_charge_is_the_one_finding(demo: Captured) -> None:
    folder, _, _ = demo
    with (folder / "statement.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    planted = [r for r in rows if r["txn_id"] == PLANTED_TXN]
    assert len(planted) == 1 and "植入" in planted[0]["reference"] and "planted" in planted[0]["reference"]
    assert planted[0]["amount"] == str(from_fen(PLANTED_FEN))
    report = json.loads((folder / "reconcile.json").read_text(encoding="utf-8"))
    assert report["counts_by_code"] == {"PAYMENT_UNSCHEDULED": 1}
    (finding,) = report["findings"]
    assert PLANTED_TXN in json.dumps(finding, ensure_ascii=False)
    assert all(c["ok"] for c in report["checks"])
    assert set(report["line_states"]) == {"paid"}
    wb = load_workbook(folder / "reconcile.xlsx", read_only=True)
    assert len(wb.sheetnames) >= 3
    wb.close()


def test_ledger_verify_and_audit_on_the_outputs(demo: Captured, capsys: pytest.CaptureFixture[str]) -> None:
    folder, data, _ = demo
    capsys.readouterr()
    assert main(["ledger", "verify", str(folder / JOURNAL), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert report["entries"] == data["figures"]["journal_entries"]
    assert (
        main(["ledger", "verify", str(folder / JOURNAL), "--against", str(folder / "checkpoint.json")]) == 0
    )
    assert main(["audit", str(folder / RESULT)]) == 0


def test_refuses_a_non_empty_folder_and_force_replaces_only_its_files(
    demo: Captured, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    mine = folder / "notes.txt"
    mine.write_text("keep me", encoding="utf-8")
    assert main(["demo", "--out", str(folder)]) == 2
    assert "--force" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]  # nothing written
    assert main(["demo", "--out", str(folder), "--force"]) == 0
    assert mine.read_text(encoding="utf-8") == "keep me"
    written = {p.name for p in folder.iterdir()}
    assert {SURVEY, RESULT, JOURNAL, "reconcile.xlsx", "funds"} <= written
    assert written - {"notes.txt", "funds"} <= set(OUTPUTS)
    out = capsys.readouterr().out
    figures = demo[1]["figures"]
    assert isinstance(figures, dict)
    assert "== 报表 / reports ==" in out and "== 关键数字 / key figures ==" in out
    for name in (SURVEY, RESULT, JOURNAL, "reconcile.xlsx", "reconcile.json"):
        assert str(folder / name) in out  # where each report is
    assert f"{figures['project_total']} 元（{figures['project_total_words']}）" in out
    assert f"已支付 paid            {figures['paid']} 元" in out
    assert "对账发现 findings      PAYMENT_UNSCHEDULED 1" in out


def test_running_the_demo_again_refreshes_its_own_folder(tmp_path: Path) -> None:
    # The README's main-job command must stay true when run twice: a folder holding only
    # an earlier demo's outputs is refreshed without --force.
    folder = tmp_path / "again"
    assert main(["demo", "--out", str(folder), "--no-progress"]) == 0
    first = (folder / RESULT).stat().st_mtime_ns
    assert main(["demo", "--out", str(folder), "--no-progress"]) == 0
    assert (folder / RESULT).stat().st_mtime_ns >= first
    assert (folder / JOURNAL).exists()
