"""Hostile files are refused quickly with bounded memory (issue 8 item 2).

Each bomb is imported in a fresh Python process (``python -c``: the import
layer as ``buchang import`` runs it) which reports its wall time and the growth
of its peak resident memory (``resource.getrusage(...).ru_maxrss`` after the
import minus before it, the interpreter and buchang already loaded: 0 when the
refusal never rose above the loaded interpreter's peak), then repeats the import
under ``tracemalloc`` for the peak of Python-level allocations. Bounds are
generous — < 10 s and < 200 MB — and the measured figures are printed in the
figures block:

* XML entity bombs: billion laughs in a worksheet and in ``sharedStrings.xml``;
  an external entity (XXE) reading a local file; a DTD in a UTF-16 part;
* decompression bombs: one entry inflating to 1 GiB of zeros (4 GiB with
  ``-m slow``); entries adding up beyond the declared-total cap; 20,000
  entries; a stray cell at XFD1048576 (a 17-billion-cell grid if allocated);
* a CSV above the file-size cap.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.hostile.conftest import Figures
from tests.hostile.kit import fresh, parts, rezip

MAX_SECONDS = 10.0
MAX_MB = 200.0

_PROBE = r"""
import json, resource, sys, time, tracemalloc
from pathlib import Path
from buchang.io.dispatch import import_kind
from buchang.io.safety import Limits
import buchang.io.survey, buchang.io.fundsio  # everything loaded before the baseline
kind, path, engine, limits = sys.argv[1], Path(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
trace = sys.argv[5] == "1"
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
value, issues = import_kind(kind, [path], engine=engine, limits=Limits(**limits))
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
traced = 0
if trace:  # a second, traced run: Python-level allocations (the Rust reader is not traced)
    tracemalloc.start()
    import_kind(kind, [path], engine=engine, limits=Limits(**limits))
    traced = tracemalloc.get_traced_memory()[1]
print(json.dumps({"codes": [i.code for i in issues], "messages": [str(i) for i in issues],
                  "ok": value is not None, "seconds": seconds, "mb": (after - before) / 1024,
                  "traced_mb": traced / 2**20}))
"""


def probe(
    kind: str, path: Path, engine: str = "calamine", *, trace: bool = True, **limits: int
) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, kind, str(path), engine, json.dumps(limits), "1" if trace else "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def survey_bytes() -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return fresh("survey").write(Path(tmp) / "s.xlsx").read_bytes()


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (k, (b"&lol%d;" % (k - 1) if k > 1 else b"&lol;") * 10)
        for k in range(1, 10)
    )
    + b"]>"
)


def _with_part(path: Path, name: str, content: bytes) -> Path:
    items = [(n, c) for n, c in parts(survey_bytes()) if n != name] + [(name, content)]
    path.write_bytes(rezip(items))
    return path


def laughs_in_sheet(path: Path) -> Path:
    body = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    return _with_part(path, "xl/worksheets/sheet1.xml", LAUGHS + body)


def laughs_in_shared_strings(path: Path) -> Path:
    body = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><t>&lol9;</t></si></sst>"
    )
    return _with_part(path, "xl/sharedStrings.xml", LAUGHS + body)


def xxe(path: Path) -> Path:
    secret = path.parent / "secret.txt"
    secret.write_text("TOP-SECRET-110105194912310021", encoding="utf-8")
    head = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://%s">]>' % str(secret).encode()
    body = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    )
    return _with_part(path, "xl/worksheets/sheet1.xml", head + body)


def dtd_utf16(path: Path) -> Path:
    payload = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x/>').encode("utf-16")
    return _with_part(path, "xl/styles.xml", payload)


_ZEROS: dict[int, bytes] = {}


def zeros(path: Path, gib: int = 1) -> Path:
    if gib in _ZEROS:  # ~4 MB on disk, ~2 s to deflate: made once per run
        path.write_bytes(_ZEROS[gib])
        return path
    path.write_bytes(survey_bytes())
    chunk = bytes(1 << 24)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("xl/media/zeros.bin", "w", force_zip64=True) as out,
    ):
        for _ in range(64 * gib):
            out.write(chunk)
    if gib == 1:
        _ZEROS[gib] = path.read_bytes()
    return path


def many_entries(path: Path) -> Path:
    items = parts(survey_bytes()) + [(f"xl/media/{i}.bin", b"x") for i in range(20_000)]
    path.write_bytes(rezip(items, zipfile.ZIP_STORED))
    return path


def far_cell(path: Path) -> Path:
    items = parts(survey_bytes())
    name = "xl/worksheets/sheet7.xml"  # 附着物 (optional): the survey still imports
    items = [
        (
            n,
            c.replace(
                b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>', 1
            ),
        )
        if n == name
        else (n, c)
        for n, c in items
    ]
    path.write_bytes(rezip(items))
    return path


BOMBS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "billion laughs in a sheet": (laughs_in_sheet, "FILE_UNSAFE"),
    "billion laughs in sharedStrings": (laughs_in_shared_strings, "FILE_UNSAFE"),
    "external entity (XXE)": (xxe, "FILE_UNSAFE"),
    "DTD in a UTF-16 part": (dtd_utf16, "FILE_UNSAFE"),
    "1 GiB of zeros in one entry": (zeros, "FILE_UNSAFE"),
    "20,000 zip entries": (many_entries, "FILE_UNSAFE"),
}


def _record(figures: Figures, name: str, got: dict[str, object]) -> None:
    figures.add("bombs refused")
    figures.peak("bombs: max seconds to refuse", float(got["seconds"]))  # type: ignore[arg-type]
    figures.peak("bombs: max peak memory growth (MB)", float(got["mb"]))  # type: ignore[arg-type]
    figures.peak(f"bomb seconds: {name}", float(got["seconds"]))  # type: ignore[arg-type]
    figures.peak(f"bomb MB: {name}", float(got["mb"]))  # type: ignore[arg-type]
    figures.peak("bombs: max traced Python allocation (MB)", float(got["traced_mb"]))  # type: ignore[arg-type]
    assert float(got["traced_mb"]) < MAX_MB, got  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bomb_refused_fast_with_bounded_memory(
    name: str, engine: str, tmp_path: Path, figures: Figures
) -> None:
    make, code = BOMBS[name]
    path = make(tmp_path / "bomb.xlsx")
    got = probe("survey", path, engine)
    assert got["codes"] == [code], got["messages"]
    assert not got["ok"]
    assert float(got["seconds"]) < MAX_SECONDS, got  # type: ignore[arg-type]
    assert float(got["mb"]) < MAX_MB, got  # type: ignore[arg-type]
    assert "TOP-SECRET" not in json.dumps(got, ensure_ascii=False)
    _record(figures, name, got)


def test_declared_total_cap(tmp_path: Path, figures: Figures) -> None:
    """Entries each below the ratio cap that add up beyond the total (cap lowered to 1 MB)."""
    import random

    rng = random.Random(2)
    noise = [(f"xl/media/{i}.bin", rng.randbytes(300_000)) for i in range(4)]
    path = tmp_path / "total.xlsx"
    path.write_bytes(rezip(parts(survey_bytes()) + noise))
    got = probe("survey", path, max_total_bytes=1_000_000)
    assert got["codes"] == ["FILE_UNSAFE"], got["messages"]
    _record(figures, "entries beyond the declared-total cap", got)


def test_csv_above_the_size_cap(tmp_path: Path, figures: Figures) -> None:
    path = tmp_path / "户.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 300_000)
    got = probe("agreements", path, max_file_bytes=1_000_000)
    assert got["codes"] == ["FILE_UNSAFE"], got["messages"]
    _record(figures, "CSV above the size cap", got)


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_stray_far_cell_is_imported_within_bounds(engine: str, tmp_path: Path, figures: Figures) -> None:
    """A 17-billion-cell used range: never allocated (calamine is bypassed), read in seconds.

    Before this suite the binder built a million rows' MISSING_VALUE issues only
    to drop them (about 80 s); it now skips blank rows first."""
    got = probe("survey", far_cell(tmp_path / "far.xlsx"), engine, trace=False)  # tracing: ~20 s
    assert got["ok"], got["messages"]
    assert float(got["seconds"]) < 30.0 and float(got["mb"]) < 400.0, got  # type: ignore[arg-type]
    figures.add("far-cell sheets imported")
    figures.peak("far cell: max seconds", float(got["seconds"]))  # type: ignore[arg-type]
    figures.peak("far cell: max peak memory growth (MB)", float(got["mb"]))  # type: ignore[arg-type]


@pytest.mark.slow
def test_four_gib_of_zeros(tmp_path: Path, figures: Figures) -> None:
    got = probe("survey", zeros(tmp_path / "bomb4.xlsx", gib=4))
    assert got["codes"] == ["FILE_UNSAFE"], got["messages"]
    assert float(got["seconds"]) < MAX_SECONDS and float(got["mb"]) < MAX_MB, got  # type: ignore[arg-type]
    _record(figures, "4 GiB of zeros in one entry", got)
