"""The demo's workbook writer (:func:`buchang.cli.demo_data.fill_template`) writes like every other
writer (:mod:`buchang.io.atomic`): an unguessable temporary file created exclusively beside the
target, renamed over it when complete — a symlink planted at the old predictable ``.NAME.tmp``
name or at the target is never written through, and nothing is left behind."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from buchang.cli.demo_data import fill_template
from buchang.io.schema import ESTIMATE

ROWS = {
    "project": [{"project_id": "P1", "name": "演示", "jurisdiction": "330106", "notice_date": "2021-03-01"}]
}


def test_planted_symlinks_are_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep", encoding="utf-8")
    folder = tmp_path / "demo"
    folder.mkdir()
    target = folder / "estimate.xlsx"
    (folder / ".estimate.xlsx.tmp").symlink_to(outside)  # the name the writer used to use
    assert fill_template(ESTIMATE, ROWS, target) == target
    assert outside.read_text(encoding="utf-8") == "keep"
    assert openpyxl.load_workbook(target)["项目"]["A2"].value == "P1"
    target.unlink()
    target.symlink_to(outside)  # a symlink at the target is replaced, not followed
    fill_template(ESTIMATE, ROWS, target)
    assert not target.is_symlink() and outside.read_text(encoding="utf-8") == "keep"
    left = sorted(p.name for p in folder.iterdir())
    assert left == [".estimate.xlsx.tmp", "estimate.xlsx"]  # only the planted link; no temp of ours


def test_missing_folder_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        fill_template(ESTIMATE, ROWS, tmp_path / "nope" / "e.xlsx")
    assert not (tmp_path / "nope").exists()
