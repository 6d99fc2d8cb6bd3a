"""The scenario runner catches what it must: a wrong figure, a missing one, an unlisted line, an
ambiguous selector, an unexpected error, an expected issue / refusal / finding that does not happen,
an unexpected refusal or finding, and files that do not load — each located in the file that says it."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

import pytest

from buchang.cli import scenario_cmd
from buchang.scenario import ScenarioReport, run_scenario

PROJECT = """\
project_id: T-1
name: 测试项目
jurisdiction: "310151"
notice_date: "2025-12-01"
approval_date: "2026-03-20"
collectives:
  - {collective_id: C1, name: 测试组, pre_agricultural_area_m2: "100000", agricultural_population_16plus: "0"}
parcels:
  - {parcel_id: P1, land_class: paddy, area_m2: "10000", owner_collective: C1, zone: chongming-II}
households:
  - household_id: H01
    head_name: 张三
    collective: C1
    account: "6222000000000000001"
    attachments:
      - {item_id: A1, item_code: well, quantity: "1", owner: 张三}
"""

FUNDS = """\
projects:
  - {project_id: T-1, name: 测试项目, account: "900001", required_upfront: "1000.00"}
commands:
  - {id: open, open: T-1}
  - {id: dep, deposit: {project: T-1, txn: D1, amount: "2000.00", at: "2026-01-05 09:00"}}
  - {id: start, start: {project: T-1, date: "2026-01-06"}}
  - {id: reg, agreement: {no: A-1, project: T-1, payee: 张三, payee_id: X, account: "6222000000000000001", category: 地上附着物补偿费, amount: {subject: H01}, signed: "2026-04-01", effective: "2026-04-01"}}
  - {id: list, list: {no: L1, project: T-1, preparer: p0, created: "2026-04-02 09:00", lines: [{agreement: A-1, due: "2026-04-30"}]}}
  - {id: r1, review: {list: L1, level: 1, reviewer: p1, at: "2026-04-02 10:00"}}
  - {id: r2, review: {list: L1, level: 2, reviewer: p2, at: "2026-04-02 11:00"}}
  - {id: r3, review: {list: L1, level: 3, reviewer: p3, at: "2026-04-02 12:00"}}
  - {id: r4, review: {list: L1, level: 4, reviewer: p4, at: "2026-04-02 13:00"}}
  - {id: pay, pay: {project: T-1, txn: T1, list: L1, line: 1, at: "2026-04-03 09:00"}}
reconcile:
  as_of: "2026-05-31"
"""

EXPECTED = """\
projects:
  T-1:
    complete: true
    lines:
      - {subject: C1, item: P1, category: 土地补偿费, amount: "336000.00"}
      - {subject: C1, item: P1, category: 安置补助费, amount: "504000.00"}
      - {subject: H01, item: A1, amount: "1500.00"}
    subjects: {C1: "840000.00", H01: "1500.00"}
    total: "841500.00"
    issues:
      - {code: ZONE_PRICE_OVERDUE}
funds:
  agreements: {A-1: "1500.00"}
  paid: {L1/1: "1500.00"}
  balances: {T-1: "500.00"}
  reconcile:
    findings: []
    line_states: {L1/1: paid}
"""

MANIFEST = """\
title: 测试场景
projects: [project.yaml]
funds: funds.yaml
"""


def make(tmp_path: Path, **files: str) -> Path:
    """A scenario folder with the default files, some replaced (``expected="…"``)."""
    texts = {"scenario": MANIFEST, "project": PROJECT, "funds": FUNDS, "expected": EXPECTED} | files
    for name, text in texts.items():
        (tmp_path / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def codes(report: ScenarioReport) -> list[str]:
    return [c.code for c in report.failures]


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_the_baseline_passes(tmp_path: Path) -> None:
    report = run_scenario(make(tmp_path))
    assert report.issues == ()
    assert report.ok, [str(c) for c in report.failures]
    assert report.figures == 9


def test_a_wrong_figure_is_reported_at_its_line(tmp_path: Path) -> None:
    folder = make(tmp_path, expected=EXPECTED.replace('amount: "504000.00"', 'amount: "504000.01"'))
    report = run_scenario(folder)
    assert codes(report) == ["FIGURE_MISMATCH"]
    bad = report.failures[0]
    assert (bad.expected, bad.actual) == ("504,000.01", "504,000.00")
    assert bad.location.file == str(folder / "expected.yaml")
    assert bad.location.line == line_of(folder / "expected.yaml", "504000.01")


def test_every_mismatch_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = EXPECTED.replace('"336000.00"', '"1.00"').replace('H01: "1500.00"', 'H01: "2.00"')
    text = text.replace('total: "841500.00"', 'total: "3.00"').replace('T-1: "500.00"', 'T-1: "4.00"')
    assert codes(run_scenario(make(tmp_path, expected=text))) == ["FIGURE_MISMATCH"] * 4


def test_a_missing_figure(tmp_path: Path) -> None:
    text = EXPECTED.replace(
        '      - {subject: H01, item: A1, amount: "1500.00"}\n',
        '      - {subject: H01, item: A1, amount: "1500.00"}\n'
        '      - {subject: H01, item: A9, amount: "10.00"}\n',
    ).replace("subjects: {", 'subjects: {H09: "1.00", ')
    report = run_scenario(make(tmp_path, expected=text))
    assert codes(report) == ["FIGURE_MISSING", "FIGURE_MISSING"]
    assert report.failures[0].actual == "—"


def test_a_computed_line_nobody_listed(tmp_path: Path) -> None:
    text = EXPECTED.replace('      - {subject: H01, item: A1, amount: "1500.00"}\n', "")
    report = run_scenario(make(tmp_path, expected=text))
    assert codes(report) == ["LINE_UNLISTED"]
    assert "H01/A1" in report.failures[0].label
    # without `complete`, an unlisted line is allowed
    assert run_scenario(make(tmp_path, expected=text.replace("complete: true", "complete: false"))).ok


def test_an_ambiguous_selector(tmp_path: Path) -> None:
    text = EXPECTED.replace("{subject: C1, item: P1, category: 土地补偿费,", "{subject: C1,")
    assert codes(run_scenario(make(tmp_path, expected=text))) == ["FIGURE_AMBIGUOUS"]


def test_an_error_the_scenario_did_not_expect_fails_it(tmp_path: Path) -> None:
    project = PROJECT.replace("item_code: well", "item_code: no_such_item")
    text = EXPECTED.split("funds:")[0].replace('      - {subject: H01, item: A1, amount: "1500.00"}\n', "")
    text = text.replace('H01: "1500.00"', 'H01: "0.00"').replace('"841500.00"', '"840000.00"')
    manifest = "title: t\nprojects: [project.yaml]\n"
    report = run_scenario(make(tmp_path, project=project, expected=text, scenario=manifest))
    assert "UNEXPECTED_ISSUE" in codes(report)
    assert any("ITEM_NOT_IN_TABLE" in c.actual for c in report.failures)
    # expecting it makes the scenario pass
    text += "      - {code: ITEM_NOT_IN_TABLE, key: H01/A1}\n"
    assert run_scenario(make(tmp_path, project=project, expected=text, scenario=manifest)).ok


def test_an_expected_issue_that_does_not_happen(tmp_path: Path) -> None:
    text = EXPECTED.replace("{code: ZONE_PRICE_OVERDUE}", "{code: ZONE_PRICE_OVERDUE, key: C9}")
    assert codes(run_scenario(make(tmp_path, expected=text))) == ["ISSUE_MISSING"]


def test_refusals_expected_and_unexpected(tmp_path: Path) -> None:
    funds = FUNDS + ""
    funds = funds.replace(
        "  - {id: start,",
        '  - {id: start-early, start: {project: T-1, date: "2026-01-01"}}\n  - {id: start,',
    ).replace(
        "reconcile:",
        '  - {id: pay-again, pay: {project: T-1, txn: T2, list: L1, line: 1, at: "2026-04-04 09:00", amount: "1.00"}}\nreconcile:',
    )
    # start-early comes after the deposit, so it is accepted, then `start` is refused (already started);
    # pay-again overpays the line.
    text = EXPECTED.replace(
        "funds:\n", "funds:\n  rejections:\n    - {command: start-early, code: UNDERFUNDED_START}\n"
    )
    report = run_scenario(make(tmp_path, funds=funds, expected=text))
    found = {(c.code, c.label) for c in report.failures}
    assert ("REJECTION_MISSING", "command start-early") in found
    assert ("UNEXPECTED_REJECTION", "command start") in found
    assert ("UNEXPECTED_REJECTION", "command pay-again") in found
    refused = next(c for c in report.failures if c.label == "command pay-again")
    assert "LINE_OVERPAID" in refused.actual
    assert refused.location.file == str(tmp_path / "funds.yaml")
    assert refused.location.line == line_of(tmp_path / "funds.yaml", "pay-again")


def test_findings_expected_and_unexpected(tmp_path: Path) -> None:
    funds = FUNDS + (
        "  statement_extra:\n"
        '    - {txn: X1, account: "900001", at: "2026-05-01 09:00", direction: out, amount: "99.00",'
        ' counterparty_account: "123"}\n'
    )
    text = EXPECTED.replace("findings: []", "findings:\n      - {code: REVIEW_STALE, list_no: L1}")
    report = run_scenario(make(tmp_path, funds=funds, expected=text))
    assert sorted(codes(report)) == ["FINDING_MISSING", "UNEXPECTED_FINDING"]
    assert "PAYMENT_UNSCHEDULED" in next(c for c in report.failures if c.code == "UNEXPECTED_FINDING").actual


def test_a_wrong_line_state(tmp_path: Path) -> None:
    text = EXPECTED.replace("{L1/1: paid}", "{L1/1: overdue}")
    assert codes(run_scenario(make(tmp_path, expected=text))) == ["VALUE_MISMATCH"]


def test_files_that_do_not_load_are_issues_with_lines(tmp_path: Path) -> None:
    text = EXPECTED.replace('amount: "504000.00"', "amount: 504000.5").replace("total:", "totl:")
    report = run_scenario(make(tmp_path, expected=text))
    assert not report.ok
    issue = report.issues[0]
    assert issue.code == "FLOAT_VALUE"
    assert issue.location.line == line_of(tmp_path / "expected.yaml", "504000.5")
    text = EXPECTED.replace("total:", "totl:").replace(
        '"1500.00"}\n    subjects', '"1500.001"}\n    subjects'
    )
    report = run_scenario(make(tmp_path, expected=text))
    assert {i.code for i in report.issues} == {"INVALID_INPUT"}
    assert {i.location.line for i in report.issues} == {
        line_of(tmp_path / "expected.yaml", "totl:"),
        line_of(tmp_path / "expected.yaml", "1500.001"),
    }


def test_a_script_value_that_cannot_be_resolved(tmp_path: Path) -> None:
    funds = FUNDS.replace("amount: {subject: H01}", "amount: {subject: H99}")
    report = run_scenario(make(tmp_path, funds=funds))
    # the agreement cannot be made, so neither can the list, its reviews or the payment: each is reported
    assert {i.code for i in report.issues} == {"SCRIPT_UNRESOLVED"} and len(report.issues) == 7
    assert report.issues[0].location.line == line_of(tmp_path / "funds.yaml", "id: reg")
    assert not report.ok


def test_a_command_needs_exactly_one_action(tmp_path: Path) -> None:
    funds = FUNDS.replace(
        "  - {id: open, open: T-1}", '  - {id: open, open: T-1, start: {project: T-1, date: "2026-01-06"}}'
    )
    report = run_scenario(make(tmp_path, funds=funds))
    assert [i.code for i in report.issues] == ["INVALID_INPUT"]
    assert "exactly one action" in report.issues[0].message


def test_no_manifest(tmp_path: Path) -> None:
    report = run_scenario(tmp_path)
    assert [i.code for i in report.issues] == ["UNREADABLE"] and not report.ok


def test_cli_exit_code_and_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make(tmp_path, expected=EXPECTED.replace('"336000.00"', '"336000.10"'))
    parser = argparse.ArgumentParser(prog="buchang")
    scenario_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["scenario", "run", str(folder)])
    assert args.func(args) == 1
    out = capsys.readouterr().out
    line = line_of(folder / "expected.yaml", "336000.10")
    assert f"expected.yaml:{line}" in out and "[FIGURE_MISMATCH]" in out and "FAIL" in out


def test_a_project_without_expectations_still_fails_on_errors(tmp_path: Path) -> None:
    project = PROJECT.replace("item_code: well", "item_code: no_such_item")
    manifest = "title: t\nprojects: [project.yaml]\n"
    report = run_scenario(make(tmp_path, project=project, expected="projects: {}\n", scenario=manifest))
    assert codes(report) == ["UNEXPECTED_ISSUE"]
