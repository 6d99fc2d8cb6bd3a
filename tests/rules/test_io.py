"""Projects from JSON/YAML (exact decimals, floats refused with file, line and key);
results to JSON and back without loss."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from buchang.rules.engine import compute_project
from buchang.rules.io import (
    RESULT_FORMAT,
    parse_project,
    read_project,
    result_from_json,
    result_to_json,
    write_result,
)
from buchang.tables import load_tables

EXAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "songjiang_small.yaml"

MINIMAL_YAML = """\
project_id: X
name: 示例
jurisdiction: "310117"
notice_date: "2020-03-16"
parcels:
  - {parcel_id: P1, land_class: paddy, area_m2: "6666.67", owner_collective: C1, zone: songjiang-I}
collectives:
  - {collective_id: C1, name: 一组}
"""


def test_read_example() -> None:
    proj, issues = read_project(EXAMPLE)
    assert proj is not None and not issues
    assert proj.jurisdiction == "310117" and len(proj.households) == 6
    assert proj.parcels[6].area_m2 == Decimal("6666.67")  # exact, from a quoted string


def test_yaml_and_json_give_the_same_project() -> None:
    from_yaml, _ = parse_project(MINIMAL_YAML, "p.yaml")
    as_json = json.dumps(
        {
            "project_id": "X",
            "name": "示例",
            "jurisdiction": "310117",
            "notice_date": "2020-03-16",
            "parcels": [
                {
                    "parcel_id": "P1",
                    "land_class": "paddy",
                    "area_m2": "6666.67",
                    "owner_collective": "C1",
                    "zone": "songjiang-I",
                }
            ],
            "collectives": [{"collective_id": "C1", "name": "一组"}],
        },
        ensure_ascii=False,
    )
    from_json, issues = parse_project(as_json, "p.json")
    assert not issues and from_yaml is not None and from_yaml == from_json


@pytest.mark.parametrize("text", [MINIMAL_YAML.replace('"6666.67"', "6666.67")])
def test_float_is_refused_with_location(text: str) -> None:
    proj, issues = parse_project(text, "p.yaml")
    assert proj is None
    (issue,) = issues
    assert issue.code == "FLOAT_VALUE"
    assert (issue.location.file, issue.location.line, issue.location.key) == (
        "p.yaml",
        6,
        "parcels[0].area_m2",
    )


def test_json_with_tabs_and_escapes() -> None:
    text = '{\t"project_id": "X", "name": "a\\/b \\u4e2d",\n\t"jurisdiction": "310117", "notice_date": "2020-03-16"}'
    proj, issues = parse_project(text, "p.json")
    assert not issues and proj is not None and proj.name == "a/b 中"


def test_float_in_json_is_refused_too() -> None:
    text = '{"project_id": "X", "name": "n", "jurisdiction": "310117",\n "notice_date": "2020-03-16",\n "parcels": [{"area_m2": 12.5}]}'
    proj, issues = parse_project(text, "p.json")
    assert proj is None and issues[0].code == "FLOAT_VALUE" and issues[0].location.line == 3


def test_invalid_value_is_located() -> None:
    text = MINIMAL_YAML.replace("land_class: paddy", "land_class: moon")
    proj, issues = parse_project(text, "p.yaml")
    assert proj is None
    assert issues[0].code == "INVALID_INPUT"
    assert issues[0].location.line == 6 and issues[0].location.key == "parcels[0].land_class"


def test_unknown_key_and_unreadable_file(tmp_path: Path) -> None:
    proj, issues = parse_project(MINIMAL_YAML + "colour: red\n", "p.yaml")
    assert proj is None and issues[0].location.key == "colour"
    proj, issues = read_project(tmp_path / "missing.yaml")
    assert proj is None and issues[0].code == "UNREADABLE"


def test_result_round_trip_is_lossless(tmp_path: Path) -> None:
    store, _ = load_tables()
    proj, _ = read_project(EXAMPLE)
    assert proj is not None
    result = compute_project(proj, store)
    text = result_to_json(result)
    back = result_from_json(text)
    assert back == result
    assert back.total_fen == result.total_fen
    assert result_to_json(back) == text
    data = json.loads(text)
    assert data["format"] == RESULT_FORMAT
    assert data["totals_fen"]["project"] == result.total_fen
    assert any("illustrative" in t for t in data["non_official_tables"])
    out = tmp_path / "r.json"
    write_result(result, out)
    assert result_from_json(out.read_text(encoding="utf-8")) == result
    # rationals stay exact: the 亩 factor is written as an exact decimal
    assert '"value": "0.0015"' in text


@pytest.mark.parametrize("text", ["not json", "[]", '{"format": "other", "result": {}}'])
def test_result_from_json_rejects_other_documents(text: str) -> None:
    with pytest.raises(ValueError):
        result_from_json(text)
