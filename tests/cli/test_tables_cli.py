"""``buchang tables list|show|resolve|validate``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from buchang.cli.main import main
from buchang.tables import default_tables_dir

BROKEN = Path(__file__).parents[1] / "tables" / "broken"
SHIPPED = default_tables_dir()

USER_TABLE = """\
id: sj.house.moving_fee
kind: house.moving_fee
jurisdiction: "310117"
title: 松江区搬家费（示例）
fields:
  per_household: {unit: 元/户, min: "0", max: "100000", label: 搬家费}
versions:
  - version: "2021"
    status: illustrative
    effective_from: 2021-01-01
    effective_to: 2023-12-31
    verified_on: 2026-11-01
    source: {issuer: 示例机关, document: 示例文件, document_number: 示〔2021〕1号, article: 第八条, url: "https://example.org/x"}
    values: {per_household: "1500.00"}
  - version: "2024"
    status: illustrative
    effective_from: 2024-01-01
    verified_on: 2026-11-01
    source: {issuer: 示例机关, document: 示例文件, article: 第九条}
    values: {per_household: "1800.00"}
"""


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    d = tmp_path / "district"
    d.mkdir()
    (d / "moving_fee.yaml").write_text(USER_TABLE, encoding="utf-8")
    return d


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


# --- list ---------------------------------------------------------------------------------


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tables", "list"]) == 0
    out = capsys.readouterr().out
    assert "cn.land.regime_a_bounds" in out
    assert "100000 中华人民共和国 (national) · land.regime_a_bounds" in out
    assert "1998  1999-01-01 – 2019-12-31  official  " in out
    assert "2014  2014-05-01 – …  official" in out  # open range


def test_list_json_has_full_hashes(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, "tables", "list", "--json")
    assert code == 0
    t = next(t for t in data["tables"] if t["id"] == "cn.land.regime_a_bounds")
    assert t["jurisdiction"] == {"code": "100000", "name": "中华人民共和国", "level": "national"}
    assert t["kind"] == "land.regime_a_bounds"
    (v,) = t["versions"]
    assert (v["version"], v["status"], v["effective_from"], v["effective_to"]) == (
        "1998",
        "official",
        "1999-01-01",
        "2019-12-31",
    )
    assert v["content_hash"].startswith("sha256:") and len(v["content_hash"]) == 71
    assert data["issues"] == []


def test_list_with_a_users_folder(capsys: pytest.CaptureFixture[str], user_dir: Path) -> None:
    code, data = run_json(capsys, "tables", "list", "--json", "--tables", str(user_dir))
    assert code == 0
    assert "sj.house.moving_fee" in [t["id"] for t in data["tables"]]
    code, data = run_json(capsys, "tables", "list", "--json", "--no-default", "--tables", str(user_dir))
    assert [t["id"] for t in data["tables"]] == ["sj.house.moving_fee"]
    assert data["issues"] == []  # the shipped jurisdictions are still read
    assert data["tables"][0]["jurisdiction"]["name"] == "上海市松江区"


def test_list_reports_a_broken_users_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shutil.copy(BROKEN / "float_value.yaml", tmp_path / "f.yaml")
    assert main(["tables", "list", "--tables", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "cn.land.regime_a_bounds" in captured.out  # the good tables still listed
    assert f"{tmp_path / 'f.yaml'}:14: [FLOAT_VALUE]" in captured.err


# --- show --------------------------------------------------------------------------------------


def test_show(capsys: pytest.CaptureFixture[str], user_dir: Path) -> None:
    assert main(["tables", "show", "sj.house.moving_fee", "--tables", str(user_dir)]) == 0
    out = capsys.readouterr().out
    assert "jurisdiction 地区: 310117 上海市松江区 (district)" in out
    assert "version 2021  2021-01-01 – 2023-12-31  [illustrative]" in out
    assert "version 2024  2024-01-01 – …  [illustrative]" in out
    assert "非官方" in out  # non-official figures say so
    assert (
        "文号: 示〔2021〕1号" in out and "article 条款: 第八条" in out and "url: https://example.org/x" in out
    )
    assert "per_household = 1500.00 元/户  搬家费" in out
    assert "verified_on 核对: 2026-11-01" in out


def test_show_as_of(capsys: pytest.CaptureFixture[str], user_dir: Path) -> None:
    argv = ["tables", "show", "sj.house.moving_fee", "--tables", str(user_dir), "--json"]
    code, data = run_json(capsys, *argv, "--as-of", "2023-12-31")
    assert code == 0
    (v,) = data["versions"]
    assert (v["version"], v["values"], v["official"]) == ("2021", {"per_household": "1500.00"}, False)
    assert v["source"] == {
        "issuer": "示例机关",
        "document": "示例文件",
        "document_number": "示〔2021〕1号",
        "article": "第八条",
        "url": "https://example.org/x",
        "published": None,
    }
    assert v["fields"]["per_household"]["unit"] == "元/户"
    assert v["fields"]["per_household"]["max"] == "100000"  # decimals as strings
    code, data = run_json(capsys, *argv, "--as-of", "2024-01-01")
    assert [v["version"] for v in data["versions"]] == ["2024"]


def test_show_rows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tables", "show", "hangzhou.house.resettlement_area"]) == 0
    out = capsys.readouterr().out
    assert "3: persons_min=3 persons_max=3 per_person=false area_min=55 area_max=120" in out
    _, data = run_json(capsys, "tables", "show", "hangzhou.house.resettlement_area", "--json")
    rows = data["versions"][0]["rows"]
    assert rows[2] == {
        "key": "4+",
        "article": None,
        "values": {"persons_min": 4, "per_person": True, "area_min": "18", "area_max": "40"},
    }


def test_show_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tables", "show", "no.such.table"]) == 1
    assert "no table 'no.such.table'" in capsys.readouterr().err
    assert main(["tables", "show", "cn.land.regime_a_bounds", "--as-of", "1998-12-31"]) == 1
    assert "no version in force on 1998-12-31" in capsys.readouterr().err
    assert main(["tables", "show", "cn.land.regime_a_bounds", "--as-of", "yesterday"]) == 2


# --- resolve -----------------------------------------------------------------------------------


def test_resolve(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["tables", "resolve", "land.regime_a_bounds", "--jurisdiction", "310117", "--on", "2019-12-31"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "chain 查找链: 310117 上海市松江区 (district) → 310000 上海市 (province) → 100000" in out
    assert "answered by 适用级别: 100000 中华人民共和国 (national)" in out
    assert "version 1998" in out and "第四十七条" in out
    code, data = run_json(capsys, *argv, "--json")
    assert code == 0
    assert (data["ok"], data["level"], data["answered_by"]["code"], data["on"]) == (
        True,
        "national",
        "100000",
        "2019-12-31",
    )
    assert [c["code"] for c in data["chain"]] == ["310117", "310000", "100000"]
    assert data["version"]["values"]["total_cap"] == "30"
    assert data["issues"] == []


def test_resolve_warnings_and_strict(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["tables", "resolve", "land.regime_a_bounds", "--jurisdiction", "310117", "--on", "2020-01-01"]
    assert main(argv) == 0  # a warning
    assert "warning: " in capsys.readouterr().out
    assert main([*argv, "--strict"]) == 1
    out = capsys.readouterr().out
    assert "[DATE_AFTER_EFFECTIVE_TO]" in out and "warning: " not in out


def test_resolve_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(
        capsys, "tables", "resolve", "nothing", "--jurisdiction", "330100", "--on", "2020-01-01", "--json"
    )
    assert code == 1
    assert (data["ok"], data["version"], data["issues"][0]["code"]) == (False, None, "TABLE_NOT_FOUND")


def test_resolve_non_official_users_table(capsys: pytest.CaptureFixture[str], user_dir: Path) -> None:
    argv = ["tables", "resolve", "house.moving_fee", "--jurisdiction", "310117", "--on", "2022-03-01"]
    code, data = run_json(capsys, *argv, "--tables", str(user_dir), "--json")
    assert code == 0
    assert data["level"] == "district"
    assert data["version"]["values"] == {"per_household": "1500.00"}
    assert [i["code"] for i in data["issues"]] == ["TABLE_NOT_OFFICIAL"]


def test_resolve_needs_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tables", "resolve", "land.regime_a_bounds", "--on", "2020-01-01"]) == 2
    assert main(["tables"]) == 2


# --- validate ----------------------------------------------------------------------------------


def test_validate_the_shipped_tables(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tables", "validate", str(SHIPPED)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith(" versions: OK")


def test_validate_counts(capsys: pytest.CaptureFixture[str], user_dir: Path) -> None:
    assert main(["tables", "validate", str(user_dir)]) == 0
    assert capsys.readouterr().out == "1 tables, 2 versions: OK\n"


def test_validate_the_broken_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tables", "validate", str(BROKEN)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(list(BROKEN.glob("*.yaml")))  # every error, one line each
    assert f"{BROKEN / 'float_value.yaml'}:14: [FLOAT_VALUE] " in "\n".join(lines)
    assert any(
        line.startswith(f"{BROKEN / 'duplicate_row_key.yaml'}:19: [DUPLICATE_KEY] ")
        and line.endswith("(key: versions[0].rows[1].key)")
        for line in lines
    )
    # the folder's own jurisdictions.yaml is read too
    assert f"{BROKEN / 'jurisdictions.yaml'}:5: [UNKNOWN_JURISDICTION]" in "\n".join(lines)


def test_validate_one_file(capsys: pytest.CaptureFixture[str]) -> None:
    path = BROKEN / "gapped_ranges.yaml"
    assert main(["tables", "validate", str(path)]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{path}:18: [GAPPED_RANGE] ")


def test_validate_ambiguous(capsys: pytest.CaptureFixture[str], user_dir: Path) -> None:
    twin = USER_TABLE.replace("id: sj.house.moving_fee", "id: sj.house.moving_fee_2")
    (user_dir / "twin.yaml").write_text(twin, encoding="utf-8")
    assert main(["tables", "validate", str(user_dir)]) == 1
    assert "[AMBIGUOUS_TABLE]" in capsys.readouterr().out


def test_validate_nothing_to_validate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["tables", "validate", str(tmp_path)]) == 1
    assert "no .yaml table files" in capsys.readouterr().err
    assert main(["tables", "validate", str(tmp_path / "missing")]) == 2  # no such path: usage
    assert "no such file or folder" in capsys.readouterr().err
