"""Import benchmark: a generated 100,000-household survey workbook, read by

* python-calamine (raw cells) and the full buchang import (read + validate +
  build the Project) with it — the default engine;
* openpyxl read-only (raw cells) and the full import with it;
* ``pandas.read_excel(sheet_name=None)`` with its default engine (openpyxl),
  which only reads (no validation, floats for money) — the issue's yardstick:
  the import stage must be at least 3× faster.

Run side by side (prints a table)::

    python benchmarks/bench_import.py [HOUSEHOLDS] [--quick]

or as a pytest-benchmark suite (``BUCHANG_BENCH_HOUSEHOLDS`` sets the size,
default 100000)::

    python -m pytest benchmarks/bench_import.py --benchmark-enable -p no:cacheprovider
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from buchang.io.reader import read_xlsx
from buchang.io.survey import import_survey
from buchang.io.synth import make_survey


def read_pandas(path: Path) -> object:
    import pandas as pd

    return pd.read_excel(path, sheet_name=None)


def read_openpyxl_raw(path: Path) -> object:
    return read_xlsx(path, engine="openpyxl")


def read_calamine_raw(path: Path) -> object:
    return read_xlsx(path, engine="calamine")


def import_calamine(path: Path) -> object:
    project, issues = import_survey(path, engine="calamine")
    assert project is not None, [str(i) for i in issues[:5]]
    return project


def import_openpyxl(path: Path) -> object:
    project, issues = import_survey(path, engine="openpyxl")
    assert project is not None, [str(i) for i in issues[:5]]
    return project


CASES: dict[str, Callable[[Path], object]] = {
    "calamine: read cells": read_calamine_raw,
    "calamine: full import (read+validate+models)": import_calamine,
    "openpyxl read-only: read cells": read_openpyxl_raw,
    "openpyxl read-only: full import": import_openpyxl,
    "pandas.read_excel (default engine), read only": read_pandas,
}


# --- pytest-benchmark ---------------------------------------------------------------


@pytest.fixture(scope="module")
def survey_file() -> Iterator[Path]:
    households = int(os.environ.get("BUCHANG_BENCH_HOUSEHOLDS", "100000"))
    with tempfile.TemporaryDirectory() as tmp:
        yield make_survey(Path(tmp) / "survey.xlsx", households)


@pytest.mark.parametrize("case", list(CASES))
def test_import(benchmark: pytest.FixtureRequest, survey_file: Path, case: str) -> None:
    bench = benchmark  # pytest-benchmark's fixture
    bench.pedantic(CASES[case], args=(survey_file,), rounds=1, iterations=1)  # type: ignore[attr-defined]


# --- side by side ------------------------------------------------------------------


def main(households: int, cases: dict[str, Callable[[Path], object]] = CASES) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "survey.xlsx"
        t0 = time.perf_counter()
        make_survey(path, households)
        print(
            f"generated {households:,} households in {time.perf_counter() - t0:.1f} s, {path.stat().st_size:,} bytes"
        )
        timings: dict[str, float] = {}
        print(f"{'case':<50} {'wall':>9} {'cpu':>9}")
        for name, func in cases.items():
            t0, c0 = time.perf_counter(), time.process_time()
            func(path)
            timings[name] = time.perf_counter() - t0
            cpu = time.process_time() - c0
            print(f"{name:<50} {timings[name]:8.2f}s {cpu:8.2f}s", flush=True)
        pandas = timings["pandas.read_excel (default engine), read only"]
        full = timings["calamine: full import (read+validate+models)"]
        print(f"import stage (calamine, full) vs pandas.read_excel: {pandas / full:.1f}× faster")


if __name__ == "__main__":
    # ``--quick`` leaves out the slowest, redundant case (openpyxl full import)
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    chosen = {
        k: v for k, v in CASES.items() if "--quick" not in sys.argv or k != "openpyxl read-only: full import"
    }
    main(int(args[0]) if args else 100_000, chosen)
