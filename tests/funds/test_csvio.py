"""CSV input (errors as values with file:line) and the ``reconcile`` command."""

from __future__ import annotations

import argparse
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from buchang.cli import reconcile_cmd
from buchang.funds.csvio import read_folder, write_folder
from buchang.funds.reconcile import reconcile
from buchang.funds.synth import SynthRecords, clean_records


def small() -> SynthRecords:
    return clean_records(15, projects=2, seed=5, lines_per_list=10)


def dump(d: SynthRecords, folder: Path) -> Path:
    write_folder(
        folder, d.projects, d.agreements, d.lists, d.reviews, d.transactions, d.allocations, d.relocations
    )
    return folder


def test_round_trip_is_exact(tmp_path: Path) -> None:
    d = small()
    data, opening = read_folder(dump(d, tmp_path))
    assert data.issues == ()
    assert opening == {}
    assert data.projects == d.projects
    assert set(data.agreements) == set(d.agreements) and len(data.agreements) == len(d.agreements)
    assert {p.list_no: p for p in data.lists} == {p.list_no: p for p in d.lists}
    assert set(data.reviews) == set(d.reviews)
    assert set(data.transactions) == set(d.transactions)
    assert data.allocations == d.allocations and set(data.relocations) == set(d.relocations)


def test_bom_and_exact_decimal_amounts(tmp_path: Path) -> None:
    (tmp_path / "projects.csv").write_text(
        "\ufeffproject_id,name,account,required_upfront,start_date,opening_balance\n"
        'P1,项目,310001,"1,234,567.89",2024-03-01,0.10\n',
        encoding="utf-8",
    )
    data, opening = read_folder(tmp_path)
    (p,) = data.projects
    # 1,234,567.89 yuan = 123,456,789 fen exactly (no float on the way)
    assert p.required_upfront_fen == 123_456_789
    assert opening == {"310001": 10}
    # the other required files are missing: one issue each, nothing raised
    assert sorted(i.code for i in data.issues) == ["CSV_MISSING_FILE"] * 4


BAD_ROWS = [
    ("statement.csv", "amount", "12.345", "CSV_BAD_AMOUNT"),
    ("statement.csv", "amount", "abc", "CSV_BAD_AMOUNT"),
    ("statement.csv", "amount", "-5", "CSV_BAD_AMOUNT"),
    ("statement.csv", "at", "2024/03/01", "CSV_BAD_DATE"),
    ("statement.csv", "direction", "sideways", "CSV_BAD_VALUE"),
    ("reviews.csv", "decision", "ok", "CSV_BAD_VALUE"),
    ("reviews.csv", "level", "two", "CSV_BAD_VALUE"),
    ("lists.csv", "due_date", "soon", "CSV_BAD_DATE"),
    ("lists.csv", "agreement_no", "", "CSV_EMPTY_FIELD"),
    ("agreements.csv", "effective_date", "2024-13-01", "CSV_BAD_DATE"),
]


@pytest.mark.parametrize(("name", "column", "value", "code"), BAD_ROWS)
def test_bad_cell_is_an_issue_at_file_line(
    tmp_path: Path, name: str, column: str, value: str, code: str
) -> None:
    folder = dump(small(), tmp_path)
    path = folder / name
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")  # the 3rd data row, file line 4
    cells[header.index(column)] = value
    lines[3] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data, _ = read_folder(folder)
    (issue,) = data.issues
    assert (issue.code, issue.location.file, issue.location.line, issue.location.key) == (
        code,
        str(path),
        4,
        column,
    )
    assert str(issue).startswith(f"{path}:4: [{code}]")


def test_missing_column_and_inconsistent_list(tmp_path: Path) -> None:
    folder = dump(small(), tmp_path)
    st = folder / "statement.csv"
    st.write_text(
        st.read_text(encoding="utf-8").replace("counterparty_account", "cp_acct", 1), encoding="utf-8"
    )
    lst = folder / "lists.csv"
    rows = lst.read_text(encoding="utf-8").splitlines()
    cells = rows[2].split(",")
    cells[2] = "someone-else"  # preparer differs from the list's first row
    rows[2] = ",".join(cells)
    lst.write_text("\n".join(rows) + "\n", encoding="utf-8")
    data, _ = read_folder(folder)
    got = sorted((i.code, i.location.line) for i in data.issues)
    assert got == [("CSV_INCONSISTENT_LIST", 3), ("CSV_MISSING_COLUMN", 1)]


def test_not_utf8_is_an_issue(tmp_path: Path) -> None:
    folder = dump(small(), tmp_path)
    (folder / "relocations.csv").write_bytes("household_ref,on\n住户,2024-01-01\n".encode("gbk"))
    data, _ = read_folder(folder)
    assert [i.code for i in data.issues] == ["CSV_ENCODING"]


# --- the command ---------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="buchang")
    sub = parser.add_subparsers()
    reconcile_cmd.register(sub)
    return parser.parse_args(argv)


def test_command_clean_folder_exits_0_and_writes_json(tmp_path: Path) -> None:
    d = small()
    folder = dump(d, tmp_path / "in")
    out, err = io.StringIO(), io.StringIO()
    args = parse(
        ["reconcile", str(folder), "--as-of", d.as_of.isoformat(), "--json", str(tmp_path / "r.json")]
    )
    assert args.func(args, out, err) == 0, err.getvalue()
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    direct = reconcile(
        d.projects,
        d.agreements,
        d.lists,
        d.reviews,
        d.transactions,
        d.allocations,
        d.relocations,
        as_of=d.as_of,
    )
    assert report["findings"] == [] and report["checks"] == direct.to_dict()["checks"]
    assert "发现 findings: 0" in out.getvalue()


def test_command_error_finding_exits_1(tmp_path: Path) -> None:
    d = small()
    drop = next(r for r in d.reviews if r.level == 2)
    folder = dump(replace(d, reviews=tuple(r for r in d.reviews if r is not drop)), tmp_path)
    out, err = io.StringIO(), io.StringIO()
    args = parse(["reconcile", str(folder), "--as-of", d.as_of.isoformat()])
    assert args.func(args, out, err) == 1
    assert "REVIEW_LEVEL_MISSING" in out.getvalue()


def test_command_bad_input_exits_1_and_names_the_line(tmp_path: Path) -> None:
    d = small()
    folder = dump(d, tmp_path)
    st = folder / "statement.csv"
    rows = st.read_text(encoding="utf-8").splitlines()
    rows.append("T9,310001,2024-05-01,out,1.001,x,y,z,")
    st.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    args = parse(["reconcile", str(folder), "--as-of", d.as_of.isoformat()])
    assert args.func(args, out, err) == 1
    assert f"{st}:{len(rows)}: [CSV_BAD_AMOUNT]" in err.getvalue()


@pytest.mark.parametrize(
    "extra",
    [
        ["--as-of", "2024-99-01"],
        ["--as-of", "2024-01-01", "--tolerance", "x"],
        ["--as-of", "2024-01-01", "--limits", "1,2"],
    ],
)
def test_command_usage_errors_exit_2(tmp_path: Path, extra: list[str]) -> None:
    args = parse(["reconcile", str(tmp_path), *extra])
    assert args.func(args, io.StringIO(), io.StringIO()) == 2


def test_command_missing_folder_exits_2(tmp_path: Path) -> None:
    args = parse(["reconcile", str(tmp_path / "nope"), "--as-of", "2024-01-01"])
    assert args.func(args, io.StringIO(), io.StringIO()) == 2


def test_command_limits_and_tolerance_are_used(tmp_path: Path) -> None:
    d = small()
    folder = dump(d, tmp_path)
    out = io.StringIO()
    args = parse(
        [
            "reconcile",
            str(folder),
            "--as-of",
            d.as_of.isoformat(),
            "--tolerance",
            "0.05",
            "--limits",
            "none,none,0.01,none",
            "--json",
            str(tmp_path / "r.json"),
        ]
    )
    assert args.func(args, out, io.StringIO()) == 1
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["tolerance_fen"] == 5
    assert {f["code"] for f in report["findings"]} == {"REVIEW_LIMIT_EXCEEDED"}
