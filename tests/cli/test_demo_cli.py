"""``buchang demo`` runs the bundled example project through the exact core."""

from __future__ import annotations

import io
from pathlib import Path

from buchang.api import compute_project, load_tables, read_project
from buchang.cli.demo_cmd import run_demo
from buchang.core.money import format_yuan
from buchang.resources import example_project


def test_demo_computes_the_example_project(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_demo(out, folder=tmp_path / "demo") == 0
    text = out.getvalue()
    # The demo's project total is the exact core's total for the bundled example,
    # recomputed here independently through the public API (the demo computes it
    # from the survey workbook it wrote, so this also proves the round trip).
    store, _ = load_tables()
    project, issues = read_project(example_project())
    assert project is not None and not issues
    total = compute_project(project, store).total_fen
    assert f"项目合计: {format_yuan(total)} 元" in text
    # Illustrative tables are used, so the banner must be shown.
    assert "非官方标准" in text
    assert "解释 / explain H01" in text
