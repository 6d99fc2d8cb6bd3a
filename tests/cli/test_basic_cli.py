"""``buchang uppercase``, ``buchang check-id``, ``buchang demo`` and the entry point."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from buchang.cli.demo_cmd import run_demo
from buchang.cli.main import main


def test_uppercase(capsys: pytest.CaptureFixture[str]) -> None:
    # PBoC examples (see tests/core/test_uppercase.py): one line per amount, as given.
    assert main(["uppercase", "107000.53", "16409.02", "-5", "1,234.005"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "107000.53  壹拾万柒仟元零伍角叁分",
        "16409.02  壹万陆仟肆佰零玖元零贰分",
        "-5  负伍元整",
        "1,234.005  壹仟贰佰叁拾肆元零壹分",  # 四舍五入: 1234.005 → 1234.01
    ]


def test_uppercase_invalid_amounts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["uppercase", "1409.50", "abc", "10000000000000"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["1409.50  壹仟肆佰零玖元伍角"]  # the valid ones still print
    err = captured.err.splitlines()
    assert len(err) == 2
    assert "abc" in err[0] and "10000000000000" in err[1]


def test_uppercase_needs_an_amount(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["uppercase"]) == 2
    assert "usage" in capsys.readouterr().err


def test_check_id_lines_and_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    values = ["11010519491231002X", "N2330106MA2C4D5E68", "6222020200112233445"]
    assert main(["check-id", *values]) == 0  # a Luhn warning alone exits 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("11010519491231002X  valid  resident_id  [OK]")
    assert "1949-12-31" in lines[0]
    assert lines[1].startswith("N2330106MA2C4D5E68  valid  credit_code  [OK]")
    assert "村级集体经济组织" in lines[1]
    assert lines[2].startswith("6222020200112233445  warning  bank_account  [BANK_LUHN]")


def test_check_id_invalid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-id", "11010519491231002X", "110105194912310021", "1.10105E+17"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("110105194912310021  invalid  resident_id  [ID_CHECK_DIGIT]")
    assert "X" in lines[1]  # says what the check character should be
    assert lines[2].startswith("1.10105E+17  invalid  resident_id  [ID_STORED_AS_NUMBER]")


def test_check_id_kind(capsys: pytest.CaptureFixture[str]) -> None:
    # Forced to be a bank account, an ID number with X is invalid (digits only).
    assert main(["check-id", "--kind", "account", "11010519491231002X"]) == 1
    assert "[ACCOUNT_CHARACTERS]" in capsys.readouterr().out
    assert main(["check-id", "--kind", "credit", "91350100M000100Y43"]) == 0
    assert main(["check-id", "--kind", "id", "91350100M000100Y43"]) == 1
    assert main(["check-id", "--kind", "passport", "x"]) == 2


def test_check_id_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-id", "--json", "11010519491231002X", "6222020200112233445"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0] == {
        "value": "11010519491231002X",
        "kind": "resident_id",
        "valid": True,
        "severity": "info",
        "code": "OK",
        "reason": "有效 / valid",
        "normalized": "11010519491231002X",
        "details": {"birth_date": "1949-12-31", "sex": "女", "region": "110105"},
    }
    assert (data[1]["valid"], data[1]["severity"], data[1]["code"]) == (True, "warning", "BANK_LUHN")


def test_demo(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert "张标准表" in out and "tables" in out  # the count, not the long list
    assert "cn.land.regime_a_bounds" in out  # the resolution example
    assert "answered by 适用级别: 100000 中华人民共和国 (national)" in out
    assert "第四十七条" in out and "全国人民代表大会常务委员会" in out  # its citation
    assert "107000.53  壹拾万柒仟元零伍角叁分" in out  # the amount


def test_run_demo_is_a_function(tmp_path: Path) -> None:
    out = io.StringIO()
    # After the regime-A table ends (2019-12-31) the lookup only warns.
    assert run_demo(out, folder=tmp_path / "a", on=date(2020, 6, 1), amount="1680.32") == 0
    text = out.getvalue()
    assert "DATE_AFTER_EFFECTIVE_TO" in text
    assert "1680.32  壹仟陆佰捌拾元零叁角贰分" in text
    # Not as expected → exit 1, and the reason is named at the end.
    out = io.StringIO()
    assert run_demo(out, folder=tmp_path / "b", on=date(1990, 1, 1)) == 1  # before the first version
    assert "resolution of land.regime_a_bounds failed" in out.getvalue()
    out = io.StringIO()
    assert run_demo(out, folder=tmp_path / "c", amount="abc") == 1
    assert "amount 'abc' is not an amount" in out.getvalue()


def test_help_and_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("demo", "uppercase", "check-id", "tables"):
        assert command in out
    assert "退出码" in out and "exit codes" in out
    assert main([]) == 2
    assert main(["no-such-command"]) == 2


def test_python_dash_m() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "buchang", "uppercase", "6007.14"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (0, "6007.14  陆仟零柒元壹角肆分\n")
