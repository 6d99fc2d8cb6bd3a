"""End-to-end benchmark (issue 6): import + validate + compute + write the report
for a generated survey of 100,000 households, target ≤ 60 s on two cores.

Stages, each timed (wall, CPU of this process, CPU of its worker processes):

* ``tables`` — load the shipped standard tables;
* ``import`` — read the cells (python-calamine), validate them (bind), cross-sheet
  checks and the pydantic ``Project`` (the three steps of ``read_inputs``);
* ``compute`` — :func:`buchang.rules.parallel.compute_project_parallel`
  (the exact engine over forked workers; equal to ``compute_project``);
* ``input hashes`` — SHA-256 of the file and digest of the data (参数 sheet);
* ``report: model`` — 汇总/异常/参数 rows (the 明细 rows stream while writing);
* ``report: 汇总``, ``report: 明细``, ``report: 异常``, ``report: 参数`` — each sheet written;
* ``report: save`` — shared strings, package, atomic rename;

then, separately, ``buchang compute SURVEY.xlsx -o RESULT.xlsx`` as a user runs it
(a subprocess, stdout discarded) and ``buchang audit RESULT.xlsx``.

Run as a script (prints the table; ``BUCHANG_BENCH_HOUSEHOLDS`` or the first
argument sets the size, default 100000; ``--no-cli`` skips the subprocess runs)::

    python benchmarks/bench_e2e.py [HOUSEHOLDS] [--no-cli] [--no-audit]

or as a pytest-benchmark suite::

    python -m pytest benchmarks/bench_e2e.py --benchmark-enable -p no:cacheprovider
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from buchang.core.memory import paused_gc
from buchang.io.audit import audit_workbook
from buchang.io.binding import bind
from buchang.io.cells import CellOptions
from buchang.io.reader import read_files
from buchang.io.reports import compute_report as cr
from buchang.io.reports.fastxlsx import open_book
from buchang.io.reports.xlsx import write_sheets
from buchang.io.schema import SURVEY
from buchang.io.survey import assemble_survey
from buchang.io.synth import make_survey
from buchang.rules.parallel import compute_project_parallel, default_workers
from buchang.tables.store import load_tables

TARGET_S = 60.0


def households_wanted(argv: list[str] | None = None) -> int:
    args = [a for a in (argv or []) if not a.startswith("--")]
    if args:
        return int(args[0])
    return int(os.environ.get("BUCHANG_BENCH_HOUSEHOLDS", "100000"))


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


@dataclass
class Stage:
    name: str
    wall: float
    cpu: float
    workers_cpu: float


class Clock:
    """Times named stages: wall, this process's CPU, finished children's CPU."""

    def __init__(self) -> None:
        self.stages: list[Stage] = []

    def run(self, name: str, func: Callable[[], Any]) -> Any:
        w, c, k = time.perf_counter(), time.process_time(), _children_cpu()
        out = func()
        self.stages.append(Stage(name, time.perf_counter() - w, time.process_time() - c, _children_cpu() - k))
        return out


def staged_run(survey: Path, out: Path) -> tuple[Clock, int]:
    """The work of ``buchang compute SURVEY -o OUT``, stage by stage (same library calls,
    and the collector paused as the command pauses it)."""
    with paused_gc():
        return _staged_run(survey, out)


def _staged_run(survey: Path, out: Path) -> tuple[Clock, int]:
    clock = Clock()
    store, _ = clock.run("tables", load_tables)
    # read_inputs(survey), stage by stage (buchang.io.survey.import_survey_detailed)
    wb = clock.run("import: read cells (python-calamine)", lambda: read_files([survey]))
    options = CellOptions()
    bound, found = clock.run("import: validate cells (bind)", lambda: bind(SURVEY, wb, options))
    project, locations = clock.run(
        "import: cross-checks + Project models", lambda: assemble_survey(bound, options, found)
    )
    issues = tuple(found)
    assert project is not None, [str(i) for i in issues[:5]]
    result = clock.run("compute (exact engine, workers)", lambda: compute_project_parallel(project, store))
    source = clock.run("input hashes (file + data)", lambda: cr.input_file(survey, project))
    sheets = clock.run(
        "report: model (汇总/异常/参数 rows)",
        lambda: cr.compute_sheets(
            result, project=project, source=source, input_issues=issues, locations=locations
        ),
    )
    lines = sum(len(s.lines) for s in result.subjects)
    book = open_book(
        out, engine="auto", rows=lines, title=cr.title_text(result), banner=cr.banner_text(result)
    )
    for model in sheets:
        clock.run(f"report: {model.name}", lambda model=model: write_sheets(book, [model]))
    clock.run("report: save", lambda: book.save(out))
    return clock, lines


def timed_command(*argv: str) -> tuple[float, float, int]:
    """(wall, CPU incl. workers, exit code) of a ``buchang`` command in a subprocess."""
    k = _children_cpu()
    w = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "buchang", "--no-progress", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    return time.perf_counter() - w, _children_cpu() - k, done.returncode


# --- pytest-benchmark ---------------------------------------------------------------


@pytest.fixture(scope="module")
def survey_file() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield make_survey(Path(tmp) / "survey.xlsx", households_wanted())


def test_e2e_compute_report(benchmark: Any, survey_file: Path, tmp_path: Path) -> None:
    def run() -> None:
        staged_run(survey_file, tmp_path / "result.xlsx")

    benchmark.pedantic(run, rounds=1, iterations=1)


def test_e2e_cli(benchmark: Any, survey_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.xlsx"

    def run() -> None:
        _, _, code = timed_command("compute", str(survey_file), "-o", str(out))
        assert code in (0, 1) and out.is_file()  # 1: the generated survey has error issues

    benchmark.pedantic(run, rounds=1, iterations=1)


# --- script ------------------------------------------------------------------------


def main(argv: list[str]) -> None:
    n = households_wanted(argv)
    print(f"households: {n:,}; processes computing: {default_workers()}; CPUs: {os.cpu_count()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        survey = Path(tmp) / "survey.xlsx"
        t = time.perf_counter()
        make_survey(survey, n)
        print(f"generated the survey in {time.perf_counter() - t:.1f} s ({survey.stat().st_size:,} bytes)")
        clock, lines = staged_run(survey, Path(tmp) / "staged.xlsx")
        print(f"\n{'stage':<40} {'wall s':>8} {'CPU s':>8} {'workers CPU s':>14}")
        for s in clock.stages:
            print(f"{s.name:<40} {s.wall:8.2f} {s.cpu:8.2f} {s.workers_cpu:14.2f}")
        wall = sum(s.wall for s in clock.stages)
        cpu = sum(s.cpu + s.workers_cpu for s in clock.stages)
        print(f"{'total (in-process stages)':<40} {wall:8.2f} {cpu:8.2f}")
        print(f"明细 lines: {lines:,}; load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if "--no-cli" not in argv:
            result = Path(tmp) / "result.xlsx"
            wall, cpu, code = timed_command("compute", str(survey), "-o", str(result))
            verdict = "meets" if wall <= TARGET_S else "MISSES"
            print(
                f"\nbuchang compute SURVEY.xlsx -o RESULT.xlsx: {wall:.1f} s wall, {cpu:.1f} s CPU "
                f"(exit {code}) — {verdict} the {TARGET_S:.0f} s target; "
                f"load {os.getloadavg()[0]:.2f}"
            )
            if "--no-audit" not in argv:
                wall, cpu, code = timed_command("audit", str(result))
                print(f"buchang audit RESULT.xlsx: {wall:.1f} s wall, {cpu:.1f} s CPU (exit {code})")
                t = time.perf_counter()
                report = audit_workbook(result)
                print(
                    f"audit_workbook (in process): {time.perf_counter() - t:.1f} s; ok={report.ok}, "
                    f"{report.cells_compared:,} cells compared"
                )


if __name__ == "__main__":
    main(sys.argv[1:])
