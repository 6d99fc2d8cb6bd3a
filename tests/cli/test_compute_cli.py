"""``buchang compute PROJECT``: totals, banner, issues, one household explained; exit codes."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from buchang.cli import compute_cmd
from buchang.rules.io import result_from_json

EXAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "songjiang_small.yaml"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="buchang")
    compute_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["compute", *argv])
    code: int = args.func(args)
    return code


def test_compute_example(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_json = tmp_path / "result.json"
    assert run(str(EXAMPLE), "--json", str(out_json)) == 0
    out = capsys.readouterr().out
    assert out.startswith("!!! 注意：以下计算使用了非官方标准表")  # the banner comes first
    assert "songjiang.land.fees@2020-B" in out
    # collective C01: 1,777,500.00 (hand check in tests/rules/test_engine.py)
    assert "C01  集体" in out and "1,777,500.00" in out
    assert "项目合计: " in out
    assert "户 H01 陈建国" in out  # the first household is explained by default
    assert "18 亩 × 2500 元/亩 = 45,000.00 元" in out
    result = result_from_json(out_json.read_text(encoding="utf-8"))
    assert f"{result.total_fen // 100:,}" in out


def test_explain_a_named_subject_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(EXAMPLE), "--explain", "C02", "--lang", "en") == 0
    out = capsys.readouterr().out
    assert "Collective C02" in out and "Project total" in out
    assert "basic_farmland_price" in out  # P04 is permanent basic farmland


def test_unknown_subject_and_invalid_project(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(str(EXAMPLE), "--explain", "NOPE") == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("project_id: X\nname: n\njurisdiction: '310117'\nnotice_date: 2020-01-01\nx: 1.5\n")
    assert run(str(bad)) == 1
    err = capsys.readouterr().err
    assert "FLOAT_VALUE" in err and "bad.yaml:5" in err


def test_error_issues_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # 山东省 has no land fees table: an error issue, exit 1, still a printed result.
    text = EXAMPLE.read_text(encoding="utf-8").replace('jurisdiction: "310117"', 'jurisdiction: "370000"')
    path = tmp_path / "shandong.yaml"
    path.write_text(text, encoding="utf-8")
    assert run(str(path)) == 1
    out = capsys.readouterr().out
    assert "TABLE_NOT_FOUND" in out and "项目合计" in out


def test_user_tables_override(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # A user's folder with a table of the same id replaces the shipped one (here: 松江 zone I at 90,000).
    shipped = Path(__file__).resolve().parents[2] / "tables" / "shanghai" / "songjiang" / "land_fees.yaml"
    text = shipped.read_text(encoding="utf-8").replace(' price: "75000"', ' price: "90000"')
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "land_fees.yaml").write_text(text, encoding="utf-8")
    assert run(str(EXAMPLE), "--tables", str(tmp_path / "mine"), "--explain", "C01") == 0
    out = capsys.readouterr().out
    # C01: 18 亩 × 90,000 = 1,620,000 + 4.5 亩 × 90,000 = 405,000 + 1.2 亩 × 75,000 (construction) = 90,000
    assert "2,115,000.00" in out
