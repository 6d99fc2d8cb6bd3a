"""Fuzzed workbooks of every input kind (issue 8 item 1).

Valid survey, agreement, payment-list, review, bank-statement and estimate
workbooks (the templates' example rows, and the io kit's survey) are mutated —
cell values of the wrong type, huge, negative, formula-looking or control
characters; missing, extra, duplicated and renamed columns; empty, missing,
duplicated and renamed sheets; duplicated and blank rows; merged cells — and
at the zip level — truncation, random byte flips, damaged XML, formula cells,
a stray cell at XFD1048576, missing parts. The only outcomes allowed: a
correct result (every non-blank row imported) or collected, located errors
(``file:sheet!C12``). Never an uncaught exception.

The CLI paths that write outputs (``import -o``, ``compute -o``, ``report
compute -o``) run on mutated surveys into an empty folder, which afterwards
holds either the complete outputs (that open) or nothing, not even a
temporary file.
"""

from __future__ import annotations

import contextlib
import io
import random
import tempfile
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.hostile.conftest import Figures
from tests.hostile.kit import (
    BASES,
    apply,
    assert_complete_or_absent,
    check_outcome,
    count_records,
    fresh,
    parts,
    rezip,
)

from buchang.cli.main import main
from buchang.io.dispatch import import_kind
from buchang.io.rawxlsx import RawNumber

VALUES = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.sampled_from(
        [
            "=1+2",
            '=HYPERLINK("http://x","y")',
            "+1",
            "-1",
            "@SUM(A1)",
            "#N/A",
            "#DIV/0!",
            "9" * 40,
            "-0",
            "1e308",
            "-1e308",
            "2021年2月30日",
            "\x00",
            "\ufeff",
            "   ",
            "是",
            "否",
            "合法",
            "H1",
            "H9",
            "C01",
            "L1",
            "11010519491231002X",
            "6222020200112233446",
            "１２３",
            "1,234.56",
            "￥100",
        ]
    ),
    st.from_regex(r"-?\d{1,20}(\.\d{1,20})?", fullmatch=True).map(RawNumber),
)

IDX = st.integers(0, 40)
OPS = st.one_of(
    st.tuples(st.just("set"), IDX, IDX, IDX, VALUES),
    st.tuples(st.just("set"), IDX, IDX, IDX, VALUES),  # twice: the commonest mutation
    st.tuples(st.just("drop_col"), IDX, IDX),
    st.tuples(st.just("dup_col"), IDX, IDX),
    st.tuples(st.just("extra_col"), IDX, st.text(max_size=8), VALUES),
    st.tuples(st.just("header"), IDX, IDX, st.text(max_size=8)),
    st.tuples(st.just("empty"), IDX, IDX),
    st.tuples(st.just("drop_sheet"), IDX),
    st.tuples(st.just("dup_sheet"), IDX, st.booleans()),
    st.tuples(st.just("rename_sheet"), IDX, st.text(min_size=1, max_size=10).filter(lambda s: s.strip())),
    st.tuples(st.just("dup_row"), IDX, IDX),
    st.tuples(st.just("blank_rows"), IDX, IDX),
    st.tuples(st.just("many_rows"), IDX, IDX),
    st.tuples(st.just("merge"), IDX, IDX, IDX, IDX, IDX),
)
STRUCTURAL = {"drop_sheet", "dup_sheet", "rename_sheet"}
ENGINES = st.sampled_from(["calamine", "openpyxl"])


def _illegal_sheet_title(title: str) -> bool:
    return len(title) > 31 or any(ch in title for ch in "[]:*?/\\") or title != title.strip("'")


def run_import(kind: str, path: Path, engine: str) -> tuple[object, tuple[Any, ...]]:
    return import_kind(kind, [path], engine=engine)  # type: ignore[arg-type]


def check_import(base: str, ops: list[tuple[Any, ...]], engine: str, figures: Figures) -> str:
    kind = BASES[base][0]
    book = fresh(base)
    for op in ops:
        apply(book, op)
    with tempfile.TemporaryDirectory() as tmp:
        path = book.write(Path(tmp) / "fuzz.xlsx")
        value, issues = run_import(kind, path, engine)
    outcome = check_outcome(value, issues, [str(path)])
    if outcome == "ok" and not any(op[0] in STRUCTURAL for op in ops):
        for key, n in count_records(kind, value).items():
            expected = book.data_rows(key)
            if expected is not None:
                assert n == expected, (key, n, expected, [str(i) for i in issues])
    figures.add(f"fuzz workbook cases: {kind}")
    figures.add(f"fuzz workbook outcomes: {outcome}")
    return outcome


SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


@pytest.mark.parametrize("base", sorted(BASES))
@SETTINGS
@given(ops=st.lists(OPS, min_size=1, max_size=6), engine=ENGINES)
def test_mutated_sheets(base: str, ops: list[tuple[Any, ...]], engine: str, figures: Figures) -> None:
    check_import(base, ops, engine, figures)


@pytest.mark.slow
@pytest.mark.parametrize("base", sorted(BASES))
@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=st.lists(OPS, min_size=1, max_size=12), engine=ENGINES)
def test_mutated_sheets_slow(base: str, ops: list[tuple[Any, ...]], engine: str, figures: Figures) -> None:
    check_import(base, ops, engine, figures)


# --- zip and XML damage ---------------------------------------------------------------

_FORMULA = b'<c r="B2"><f>1/0</f><v>#DIV/0!</v></c>'


def _damage_part(content: bytes, how: str, at: int, blob: bytes) -> bytes:
    n = max(len(content), 1)
    at %= n
    if how == "cut":
        return content[:at]
    if how == "insert":
        return content[:at] + blob + content[at:]
    if how == "delete":
        return content[:at] + content[at + len(blob) + 1 :]
    if how == "formula":  # a formula (and an error value) spliced into the first row
        return content.replace(
            b"</row>", b'<c r="Z1"><f>SUM(A1:A9)</f><v>45</v></c>' + _FORMULA + b"</row>", 1
        )
    if how == "far_cell":  # a stray cell at the last cell of the grid
        return content.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>', 1
        )
    if how == "dtd":
        return b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + content
    if how == "encoding":
        return content.replace(b'encoding="UTF-8"', b'encoding="UTF-16"', 1)
    if how == "shared_strings":
        return content.replace(b't="inlineStr"', b't="s"', 3)
    raise AssertionError(how)


ZIP_OPS = st.one_of(
    st.tuples(st.just("truncate"), st.integers(0, 10**6)),
    st.tuples(st.just("flip"), st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), max_size=8)),
    st.tuples(
        st.just("stored_flip"), st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), max_size=8)
    ),
    st.tuples(
        st.just("part"),
        st.integers(0, 40),
        # "far_cell" (a million-row sheet, ~4 s) has its own test in test_bombs.py
        st.sampled_from(["cut", "insert", "delete", "formula", "dtd", "encoding", "shared_strings"]),
        st.integers(0, 10**6),
        st.binary(max_size=12)
        | st.sampled_from([b"<", b">", b"&", b"]]>", b"</row>", b"<c r=", b"\xff\xfe"]),
    ),
    st.tuples(st.just("drop_part"), st.integers(0, 40)),
    st.tuples(st.just("append_garbage"), st.binary(min_size=1, max_size=64)),
)

_VALID: dict[str, bytes] = {}


def valid_bytes(base: str) -> bytes:
    if base not in _VALID:
        with tempfile.TemporaryDirectory() as tmp:
            _VALID[base] = fresh(base).write(Path(tmp) / "v.xlsx").read_bytes()
    return _VALID[base]


def damage(data: bytes, op: tuple[Any, ...]) -> bytes:
    name = op[0]
    if name == "truncate":
        return data[: op[1] % len(data)]
    if name in ("flip", "stored_flip"):
        if name == "stored_flip":  # uncompressed entries: the flips reach the XML (and the CRC)
            data = rezip(parts(data), zipfile.ZIP_STORED)
        buf = bytearray(data)
        for at, xor in op[1]:
            buf[at % len(buf)] ^= xor
        return bytes(buf)
    if name == "part":
        items = parts(data)
        k = op[1] % len(items)
        items[k] = (items[k][0], _damage_part(items[k][1], op[2], op[3], op[4]))
        return rezip(items)
    if name == "drop_part":
        items = parts(data)
        del items[op[1] % len(items)]
        return rezip(items)
    if name == "append_garbage":
        return data + op[1]
    raise AssertionError(name)


def check_damaged(base: str, op: tuple[Any, ...], engine: str, figures: Figures) -> None:
    kind = BASES[base][0]
    data = damage(valid_bytes(base), op)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "damaged.xlsx"
        path.write_bytes(data)
        value, issues = run_import(kind, path, engine)
    outcome = check_outcome(value, issues, [str(path)])
    figures.add(f"fuzz zip/XML cases: {op[0]}")
    figures.add(f"fuzz zip/XML outcomes: {outcome}")


@pytest.mark.parametrize("base", sorted(BASES))
@SETTINGS
@given(op=ZIP_OPS, engine=ENGINES)
def test_damaged_zip_and_xml(base: str, op: tuple[Any, ...], engine: str, figures: Figures) -> None:
    check_damaged(base, op, engine, figures)


@pytest.mark.slow
@pytest.mark.parametrize("base", sorted(BASES))
@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(op=ZIP_OPS, engine=ENGINES)
def test_damaged_zip_and_xml_slow(base: str, op: tuple[Any, ...], engine: str, figures: Figures) -> None:
    check_damaged(base, op, engine, figures)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_every_truncation_point_of_a_small_workbook(engine: str, figures: Figures) -> None:
    """Exhaustively: the survey cut at every 97th byte is refused, never crashes."""
    data = valid_bytes("survey")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cut.xlsx"
        for end in range(0, len(data) - 1, 97):
            path.write_bytes(data[:end])
            value, issues = run_import("survey", path, engine)
            assert check_outcome(value, issues, [str(path)]) == "refused"
            figures.add("fuzz zip/XML cases: truncate (exhaustive)")


# --- CLI paths that write outputs: complete or absent ---------------------------------------

CLI_OPS = st.lists(OPS.filter(lambda op: op[0] != "many_rows"), min_size=0, max_size=4)


def _main(argv: list[str]) -> int:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--no-progress", *argv])
    assert code in (0, 1, 2), (code, err.getvalue())
    return code


def check_cli(command: str, ops: list[tuple[Any, ...]], figures: Figures) -> None:
    book = fresh("survey")
    for op in ops:
        apply(book, op)
    with tempfile.TemporaryDirectory() as tmp:
        src = book.write(Path(tmp) / "survey.xlsx")
        out = Path(tmp) / "out"
        out.mkdir()
        if command == "import":
            code = _main(["import", "survey", str(src), "-o", str(out / "survey.json")])
            expected = ["survey.json"]
        elif command == "compute":
            code = _main(["compute", str(src), "-o", str(out / "r.xlsx"), "--csv", str(out / "r.csv")])
            expected = ["r.csv", "r.xlsx"]
        else:
            code = _main(["report", "compute", str(src), "-o", str(out / "r.xlsx"), "--mask"])
            expected = ["r.xlsx"]
        written = assert_complete_or_absent(out, expected)
        if command == "import":
            assert written == (code == 0)
    figures.add(f"fuzz CLI runs: {command}")
    figures.add(f"fuzz CLI outcomes: {'written' if written else 'nothing written'}")


@pytest.mark.parametrize("command", ["import", "compute", "report"])
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=CLI_OPS)
def test_cli_outputs_complete_or_absent(command: str, ops: list[tuple[Any, ...]], figures: Figures) -> None:
    check_cli(command, ops, figures)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["import", "compute", "report"])
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=CLI_OPS)
def test_cli_outputs_complete_or_absent_slow(
    command: str, ops: list[tuple[Any, ...]], figures: Figures
) -> None:
    check_cli(command, ops, figures)


@pytest.mark.parametrize("base", ["survey", "agreements", "bank-statement"])
def test_seeded_random_bytes_never_crash(base: str, figures: Figures) -> None:
    """Random byte strings with an .xlsx name, and random zips of random parts."""
    rng = random.Random(8)
    kind = BASES[base][0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "noise.xlsx"
        for k in range(40):
            if k % 2:
                path.write_bytes(rng.randbytes(rng.randrange(0, 4096)))
            else:
                items = parts(valid_bytes(base))
                items = [
                    (n, rng.randbytes(rng.randrange(0, 200)) if rng.random() < 0.3 else c) for n, c in items
                ]
                path.write_bytes(rezip(items))
            for engine in ("calamine", "openpyxl"):
                value, issues = run_import(kind, path, engine)
                check_outcome(value, issues, [str(path)])
                figures.add("fuzz zip/XML cases: random bytes/parts")


def test_typed_values_round_trip_exactly(figures: Figures) -> None:
    """A control: huge exact amounts and dates survive the import unchanged (no silent loss)."""
    book = fresh("agreements")
    head = book.sheets[0][1][0]
    row = book.sheets[0][1][1]
    j = head.index(next(h for h in head if "金额" in str(h)))
    row[j] = RawNumber("123456789012.34")
    with tempfile.TemporaryDirectory() as tmp:
        path = book.write(Path(tmp) / "a.xlsx")
        for engine in ("calamine", "openpyxl"):
            value, issues = run_import("agreements", path, engine)
            assert check_outcome(value, issues, [str(path)]) == "ok"
            (agreement,) = value  # type: ignore[misc]
            assert agreement.amount_fen == 12345678901234
            figures.add("fuzz workbook cases: agreements")
    _ = (date, datetime, Decimal)


# --- the optional atheris harness ------------------------------------------------------------


def _harness() -> object:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "fuzz_atheris.py"
    spec = importlib.util.spec_from_file_location("fuzz_atheris", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_atheris_harness_seeds_hold_without_atheris(figures: Figures) -> None:
    """The harness's input decoder and oracle on its seed corpus (no atheris needed)."""
    harness: Any = _harness()
    one_input = harness.make_one_input(harness.oracle)
    n = 0
    for seed in harness.seeds():
        one_input(seed)
        one_input(seed[:2] + seed[2 : len(seed) // 2])  # and a truncated copy
        n += 2
    figures.add("fuzz atheris-harness seed cases", n)


def test_atheris_short_run() -> None:
    """Only with the ``fuzz`` extra: a short coverage-guided run must find no crash."""
    pytest.importorskip("atheris")
    import subprocess
    import sys

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "fuzz_atheris.py"
    with tempfile.TemporaryDirectory() as corpus:
        done = subprocess.run(
            [sys.executable, str(path), "-atheris_runs=300", corpus],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
