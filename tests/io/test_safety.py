"""Hostile files are refused before parsing: decompression bombs, DTDs, broken zips."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from tests.io.io_kit import CASES, base, bomb, replace_part, write_survey

from buchang.io.reader import read_file
from buchang.io.safety import Limits, check_xlsx
from buchang.io.survey import import_survey


def codes(issues: object) -> list[str]:
    return [i.code for i in issues]  # type: ignore[attr-defined]


def test_a_valid_workbook_passes(tmp_path: Path) -> None:
    assert check_xlsx(write_survey(tmp_path / "ok.xlsx", base())) == []


def test_decompression_bomb_refused_by_ratio_from_the_directory(tmp_path: Path) -> None:
    path = bomb(tmp_path / "bomb.xlsx", size=64 * 1024 * 1024)
    assert path.stat().st_size < 1024 * 1024
    start = time.perf_counter()
    issues = check_xlsx(path)
    assert time.perf_counter() - start < 1.0  # the directory only: nothing inflated
    assert codes(issues) == ["FILE_UNSAFE"]
    assert "压缩比" in issues[0].message
    project, all_issues = import_survey(path)
    assert project is None and codes(all_issues) == ["FILE_UNSAFE"]


def test_total_size_and_entry_caps_are_configurable(tmp_path: Path) -> None:
    path = write_survey(tmp_path / "ok.xlsx", base())
    assert codes(check_xlsx(path, Limits(max_total_bytes=1000))) == ["FILE_UNSAFE"]
    assert codes(check_xlsx(path, Limits(max_entries=3))) == ["FILE_UNSAFE"]
    assert codes(check_xlsx(path, Limits(max_file_bytes=100))) == ["FILE_UNSAFE"]


def test_many_entries_refused(tmp_path: Path) -> None:
    path = write_survey(tmp_path / "many.xlsx", base())
    with zipfile.ZipFile(path, "a") as zf:
        for i in range(60):
            zf.writestr(f"xl/media/{i}.bin", b"x")
    assert codes(check_xlsx(path, Limits(max_entries=50))) == ["FILE_UNSAFE"]


def test_entity_expansion_payload_refused(tmp_path: Path) -> None:
    path = CASES["FILE_UNSAFE"].make(tmp_path / "lol.xlsx")
    issues = check_xlsx(path)
    assert codes(issues) == ["FILE_UNSAFE"] and "DTD" in issues[0].message


def test_openpyxl_itself_parses_through_defusedxml(tmp_path: Path) -> None:
    """Second line of defence: even without our check, openpyxl (which uses
    defusedxml when installed) refuses the entity declarations."""
    import defusedxml
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
    path = CASES["FILE_UNSAFE"].make(tmp_path / "lol.xlsx")
    with pytest.raises(ValueError) as info:  # openpyxl wraps the parser's exception
        wb = openpyxl.load_workbook(path, read_only=True)
        for ws in wb.worksheets:
            list(ws.iter_rows(values_only=True))
    assert isinstance(info.value.__cause__, defusedxml.DefusedXmlException)


def test_dtd_in_utf16_part_is_refused(tmp_path: Path) -> None:
    path = write_survey(tmp_path / "u16.xlsx", base())
    payload = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'.encode("utf-16")
    replace_part(path, "xl/styles.xml", payload)
    assert codes(check_xlsx(path)) == ["FILE_UNSAFE"]


@pytest.mark.parametrize(
    "content",
    [b"", b"not a zip at all", b"PK\x03\x04garbage", "列1,列2\n".encode()],
)
def test_not_a_workbook(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    assert codes(read_file(path).issues) == ["FILE_UNREADABLE"]


def test_truncated_zip_and_missing_file(tmp_path: Path) -> None:
    assert codes(read_file(CASES["FILE_UNREADABLE"].make(tmp_path / "t.xlsx")).issues) == ["FILE_UNREADABLE"]
    assert codes(read_file(tmp_path / "nope.xlsx").issues) == ["FILE_UNREADABLE"]
    assert codes(read_file(tmp_path / "x.xls").issues) == ["FILE_UNREADABLE"]
    assert codes(read_file(tmp_path / "x.pdf").issues) == ["FILE_UNREADABLE"]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_corrupt_sheet_xml_is_an_issue_not_an_exception(tmp_path: Path, engine: str) -> None:
    path = write_survey(tmp_path / "bad.xlsx", base())
    replace_part(path, "xl/worksheets/sheet4.xml", b"<worksheet><sheetData><row><c r='A1'><v>1</v>")
    project, issues = import_survey(path, engine=engine)  # type: ignore[arg-type]
    assert project is None
    assert "FILE_UNREADABLE" in codes(issues)
