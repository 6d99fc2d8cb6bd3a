"""``buchang template`` and ``buchang import`` (registered on a local parser here;
the lead wires them into ``buchang.cli.main``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from tests.io.io_kit import CASES

from buchang.cli import import_cmd, template_cmd


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="buchang")
    sub = parser.add_subparsers()
    template_cmd.register(sub)
    import_cmd.register(sub)
    args = parser.parse_args(list(argv))
    code: int = args.func(args)
    return code


@pytest.mark.parametrize(
    "kind", ["survey", "agreements", "payment-list", "reviews", "bank-statement", "estimate"]
)
def test_template_then_import(tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"{kind}.xlsx"
    assert run("template", kind, "-o", str(path)) == 0
    assert run("template", kind, "-o", str(path)) == 2  # exists: --force needed
    assert run("template", kind, "-o", str(path), "--force") == 0
    out = tmp_path / "out.json"
    assert run("import", kind, str(path), "-o", str(out)) == 0
    assert json.loads(out.read_text(encoding="utf-8"))
    assert "可导入 ok" in capsys.readouterr().out


def test_import_reports_every_issue_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = CASES["ID_CHECK_DIGIT"].make(tmp_path / "bad.xlsx")
    out = tmp_path / "out.json"
    assert run("import", "survey", str(path), "-o", str(out)) == 1
    assert not out.exists()  # nothing partial is written
    err = capsys.readouterr().err
    assert f"{path}:成员!D2: [ID_CHECK_DIGIT]" in err
    assert run("import", "survey", str(path), "--json") == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["issues"][0]["cell"] == "D2"


def test_import_limits_are_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.xlsx"
    assert run("template", "survey", "-o", str(path)) == 0
    assert run("import", "survey", str(path), "--max-entries", "3") == 1
    assert "[FILE_UNSAFE]" in capsys.readouterr().err


def test_template_rejects_non_xlsx(tmp_path: Path) -> None:
    assert run("template", "survey", "-o", str(tmp_path / "x.csv")) == 2
