"""The fast path of ``buchang compute SURVEY.xlsx -o RESULT.xlsx`` (issue 6: 100,000
households in ≤ 60 s) must give the exact path's workbook, cell for cell.

Fast path: :func:`buchang.rules.parallel.compute_project_parallel` (the exact engine
over forked workers, results shipped back as tuples) and the streaming writer
(:mod:`buchang.io.reports.fastxlsx`, 明细 rendered straight from the lines).
Reference: :func:`buchang.rules.engine.compute_project` written by openpyxl.
Both are run on small inputs with the thresholds lowered, so that the fast
path really runs (two workers, chunks of a few households, the fast writer).
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from tests.io.io_kit import LUHN_FAIL_ACCOUNT, base, write_survey
from tests.io.reports_kit import FORMULA_NAMES, HYPERLINK, compute, shipped_store

from buchang.cli import audit_cmd, compute_cmd
from buchang.cli.progress import Progress
from buchang.io.audit import AUDIT_MISMATCH, audit_workbook, read_inputs
from buchang.io.reports import fastxlsx
from buchang.io.reports.compute_report import input_file, write_compute_report
from buchang.io.reports.xlsx import money_text
from buchang.io.synth import make_survey
from buchang.rules import parallel
from buchang.rules.engine import compute_project
from buchang.rules.inputs import Project
from buchang.rules.io import result_to_json
from buchang.rules.lines import ProjectResult
from buchang.tables.store import TableStore

Inputs = tuple[Project, tuple[Any, ...], Any, Path | None]


def fast_compute(project: Project, store: TableStore) -> ProjectResult:
    """The parallel engine, forced on: two workers, chunks of three households."""
    if not parallel.fork_available():
        pytest.skip("worker processes need fork (Linux)")
    return parallel.compute_project_parallel(project, store, workers=2, chunk=3, min_households=0)


# --- inputs: a generated survey, a survey with anomalies, the report kit's project --------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fast")


def anomalous_survey(path: Path) -> Path:
    """The io kit's survey with more households: formula-looking names, a Luhn-failing
    account (an import warning at its cell), an exchange household without a flat,
    an illegal building, a household of an unknown collective name."""
    s = base()
    s["households"][0]["account"] = LUHN_FAIL_ACCOUNT
    for k, name in enumerate((*FORMULA_NAMES, "王五", "赵六")):
        hid = f"H{k + 3}"
        s["households"].append(
            {
                "household_id": hid,
                "head_name": name,
                "collective": "C01",
                "option": "产权调换" if k % 2 else None,
            }
        )
        s["members"].append(
            {"household_id": hid, "name": f"成员{k}", "sex": "女", "birth_date": date(1970 + k, 1, 2)}
        )
        s["buildings"].append(
            {
                "household_id": hid,
                "building_id": f"B{k + 3}",
                "structure": ("砖混二等", "钢混", "砖木")[k % 3],
                "legality": "违法" if k == 2 else "合法",
                "legal_area_m2": Decimal("80.25") + k,
                "newness": Decimal("0.75"),
            }
        )
        s["attachments"].append(
            {
                "household_id": hid,
                "item_id": f"A{k + 3}",
                "item_code": "well",
                "quantity": k + 1,
                "owner": name,
            }
        )
    for h in s["households"]:
        h.setdefault("option", None)
        if h["option"] is None:
            del h["option"]
    return write_survey(path, s)


def _read(path: Path) -> Inputs:
    project, issues, locations = read_inputs(path)
    assert project is not None, [str(i) for i in issues]
    return project, issues, locations, path


@pytest.fixture(scope="module")
def synth(folder: Path) -> Inputs:
    return _read(make_survey(folder / "synth.xlsx", 23))


@pytest.fixture(scope="module")
def anomalies(folder: Path) -> Inputs:
    return _read(anomalous_survey(folder / "anomalies.xlsx"))


@pytest.fixture(scope="module")
def kit() -> Inputs:
    project, _ = compute()
    return project, (), {}, None


CASES = ("synth", "anomalies", "kit")


@pytest.fixture(params=CASES)
def case(request: pytest.FixtureRequest) -> Inputs:
    got: Inputs = request.getfixturevalue(request.param)
    return got


# --- the computation -------------------------------------------------------------------


def test_parallel_result_equals_the_exact_engine(case: Inputs, monkeypatch: pytest.MonkeyPatch) -> None:
    project, *_ = case
    store = shipped_store()
    expected = compute_project(project, store)
    shipped: list[int] = []
    decode = parallel.decode_subjects

    def counted(*args: Any) -> Any:
        got = decode(*args)
        shipped.append(len(got))
        return got

    monkeypatch.setattr(parallel, "decode_subjects", counted)
    got = fast_compute(project, store)
    assert shipped  # some chunks came back from a worker process
    assert got == expected
    assert result_to_json(got) == result_to_json(expected)
    assert any(s.issues for s in expected.subjects) or case[3] is None  # the surveys carry issues


def test_wire_format_round_trips(synth: Inputs) -> None:
    result = compute_project(synth[0], shipped_store())
    subjects = list(result.subjects)
    back = parallel.decode_subjects(parallel.encode_subjects(subjects))
    assert back == subjects
    assert [s.model_dump_json() for s in back] == [s.model_dump_json() for s in subjects]


def test_progress_counts_every_household_and_a_broken_pool_falls_back(
    synth: Inputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = synth[0]
    store = shipped_store()
    expected = compute_project(project, store)
    told: list[int] = []
    kw: dict[str, Any] = {"workers": 2, "chunk": 5, "min_households": 0, "progress": told.append}
    if parallel.fork_available():
        assert parallel.compute_project_parallel(project, store, **kw) == expected
        assert sum(told) == len(project.households) and len(told) > 1

    class Broken:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise parallel.BrokenProcessPool("no workers")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Broken)
    told.clear()
    assert parallel.compute_project_parallel(project, store, **kw) == expected
    assert sum(told) == len(project.households)


def test_small_projects_and_one_worker_use_the_serial_engine(
    kit: Inputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("no pool for a small project")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", fail)
    project, *_ = kit
    expected = compute_project(project, shipped_store())
    assert parallel.compute_project_parallel(project, shipped_store()) == expected
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    assert parallel.default_workers() == 1
    assert parallel.compute_project_parallel(project, shipped_store(), min_households=0) == expected


# --- the workbook ------------------------------------------------------------------------


def _rgb(color: Any) -> str | None:
    """``RRGGBB`` of an explicit colour (the two writers spell alpha and theme defaults differently)."""
    rgb = getattr(color, "rgb", None)
    return rgb[-6:] if isinstance(rgb, str) else None


def cells(path: Path) -> Iterator[tuple[str, str, tuple[object, ...]]]:
    """Every cell of every sheet: (sheet, A1, (value, type, number format, bold, font colour, fill))."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                yield (
                    ws.title,
                    c.coordinate,
                    (
                        c.value,
                        None if c.value is None else c.data_type,  # an empty cell has no type to compare
                        c.number_format,
                        bool(c.font.b),
                        _rgb(c.font.color),
                        _rgb(c.fill.fgColor) if c.fill.fill_type else None,
                    ),
                )


def assert_same_workbook(expected: Path, got: Path) -> None:
    a = openpyxl.load_workbook(expected)
    b = openpyxl.load_workbook(got)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        assert (a[name].max_row, a[name].max_column) == (b[name].max_row, b[name].max_column), name
        assert a[name].freeze_panes == b[name].freeze_panes
    exp = {(s, ref): v for s, ref, v in cells(expected)}
    found = {(s, ref): v for s, ref, v in cells(got)}
    diffs = [
        (k, exp.get(k), found.get(k)) for k in sorted(exp.keys() | found.keys()) if exp.get(k) != found.get(k)
    ]
    assert not diffs, diffs[:10]
    assert exp  # not vacuous


def write(result: ProjectResult, inputs: Inputs, path: Path, *, engine: Any, mask: bool) -> Path:
    project, issues, locations, source = inputs
    return write_compute_report(
        result,
        path,
        project=project,
        source=input_file(source, project) if source is not None else None,
        input_issues=issues,
        locations=locations,
        mask=mask,
        engine=engine,
    )


@pytest.mark.parametrize("mask", [False, True], ids=["plain", "masked"])
def test_fast_workbook_equals_the_exact_paths_cell_by_cell(case: Inputs, mask: bool, tmp_path: Path) -> None:
    project, *_ = case
    store = shipped_store()
    reference = write(
        compute_project(project, store), case, tmp_path / "ref.xlsx", engine="openpyxl", mask=mask
    )
    told: list[int] = []
    result = fast_compute(project, store)
    fast = write_compute_report(
        result,
        tmp_path / "fast.xlsx",
        project=project,
        source=input_file(case[3], project) if case[3] is not None else None,
        input_issues=case[1],
        locations=case[2],
        mask=mask,
        engine="fast",
        progress=told.append,
    )
    assert_same_workbook(reference, fast)
    assert sum(told) == sum(len(s.lines) for s in result.subjects)
    sheets = openpyxl.load_workbook(fast)
    assert sheets.sheetnames == ["汇总", "明细", "异常", "参数"]


def test_fast_workbook_carries_banner_words_injection_and_masking(kit: Inputs, tmp_path: Path) -> None:
    """Hand-checked facts of the kit (see tests/io/reports_kit.py) in the fast workbook."""
    result = fast_compute(kit[0], shipped_store())
    path = write(result, kit, tmp_path / "k.xlsx", engine="fast", mask=True)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:  # secondary tables: a red banner on every sheet
        assert ws["A1"].fill.fgColor.rgb.endswith("C00000") and "NOT OFFICIAL" in ws["A1"].value
    detail = wb["明细"]
    heads = [c.value for c in detail[2]]
    rows = list(detail.iter_rows(min_row=3, values_only=True))
    amount = heads.index("金额（元） / amount")
    assert [(r[1], r[amount]) for r in rows] == [("H1", 7000), ("H1", 2400), ("H2", 3000), ("H3", 932.4)]
    assert detail.cell(3, amount + 1).number_format == "0.00"
    assert rows[0][heads.index("对象名称 / name")] == "'" + HYPERLINK  # neutralised, text
    account = rows[0][heads.index("收款账号 / account")]
    assert isinstance(account, str) and "2233446" not in account  # masked
    summary = [r for r in wb["汇总"].iter_rows(values_only=True) if r and r[0] == "H1"]
    assert summary[0][5] == 9400 and summary[0][6] == "玖仟肆佰元整"


# --- the command ---------------------------------------------------------------------------


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="buchang")
    sub = parser.add_subparsers()
    compute_cmd.register(sub)
    audit_cmd.register(sub)
    args = parser.parse_args(list(argv))
    code: int = args.func(args)
    return code


@pytest.fixture
def fast_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command takes the fast path even for a small survey."""
    if not parallel.fork_available():
        pytest.skip("worker processes need fork (Linux)")
    monkeypatch.setattr(parallel, "MIN_HOUSEHOLDS", 0)
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    monkeypatch.setattr(fastxlsx, "AUTO_FAST_ROWS", 0)


@pytest.mark.parametrize("mask", [False, True], ids=["plain", "masked"])
@pytest.mark.usefixtures("fast_everywhere")
def test_compute_command_writes_the_exact_paths_workbook(
    anomalies: Inputs, mask: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    survey = anomalies[3]
    assert survey is not None
    out = tmp_path / "RESULT.xlsx"
    code = cli("compute", str(survey), "-o", str(out), *(["--mask"] if mask else []))
    printed = capsys.readouterr()
    expected = compute_project(anomalies[0], shipped_store())
    assert code == (1 if any(i.is_error for i in expected.issues) else 0), printed.err
    assert printed.err == ""  # not a terminal: no progress display
    reference = write(expected, anomalies, tmp_path / "ref.xlsx", engine="openpyxl", mask=mask)
    assert_same_workbook(reference, out)


@pytest.mark.usefixtures("fast_everywhere")
def test_audit_passes_on_the_fast_workbook_and_finds_an_edited_amount(
    synth: Inputs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    survey = tmp_path / "survey.xlsx"
    assert synth[3] is not None
    survey.write_bytes(synth[3].read_bytes())
    out = tmp_path / "RESULT.xlsx"
    cli("compute", str(survey), "-o", str(out))
    capsys.readouterr()
    report = audit_workbook(out, store=shipped_store())
    assert report.ok and report.recomputed, [str(i) for i in report.issues]
    assert report.cells_compared > 0
    assert cli("audit", str(out)) == 0

    wb = openpyxl.load_workbook(out)
    ws = wb["明细"]
    amount = [c.value for c in ws[2]].index("金额（元） / amount") + 1
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, amount).value)
    ws.cell(row, amount).value = float(ws.cell(row, amount).value) + 0.01
    wb.save(out)
    report = audit_workbook(out, store=shipped_store())
    assert not report.ok
    ref = f"{openpyxl.utils.get_column_letter(amount)}{row}"
    assert any(i.code == AUDIT_MISMATCH and i.location.cell == ref for i in report.issues)
    assert cli("audit", str(out)) == 1


# --- pieces ------------------------------------------------------------------------------


def test_fen_text_is_money_text() -> None:
    rng = random.Random(6)
    values = [0, 1, -1, 5, -5, 99, 100, -100, 101, 10**15, -(10**15) - 7, 10**40, -(10**41) - 3]
    values += [rng.randint(-(10**18), 10**18) for _ in range(5000)]
    for v in values:
        assert fastxlsx.fen_text(v) == money_text(v), v


def test_progress_counter() -> None:
    with Progress(False) as off, off.counter("x", total=3) as advance:
        advance(2)  # a no-op when the display is off
    with Progress(True) as on, on.counter("写 / write", total=10) as advance:
        advance(3)
        advance(4)
        bar = on._bar
        assert bar is not None
        assert bar.tasks[0].completed == 7 and bar.tasks[0].total == 10


def test_sheets_read_side_by_side_equal_one_at_a_time(
    synth: Inputs, anomalies: Inputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from buchang.io import reader

    paths = [p for p in (synth[3], anomalies[3]) if p is not None]
    together = [reader.read_xlsx(p) for p in paths]
    monkeypatch.setattr(reader, "READ_THREADS", 1)
    alone = [reader.read_xlsx(p) for p in paths]
    assert together == alone
    assert all(len(wb.sheets) >= 7 and not wb.issues for wb in together)


def test_yuan_text_is_format_yuan() -> None:
    from buchang.cli.compute_cmd import yuan_text
    from buchang.core.money import format_yuan

    rng = random.Random(7)
    for v in [0, 1, -1, 5, -5, 99, 100, -100, 123456789, -(10**20)] + [
        rng.randint(-(10**16), 10**16) for _ in range(3000)
    ]:
        assert yuan_text(v) == format_yuan(v), v
