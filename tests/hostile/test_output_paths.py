"""Path arguments cannot make buchang write outside the folder the user chose
(issue 8 item 2).

Where a user-supplied name becomes a path: the ``-o``/``--csv``/``--json``
outputs of ``compute``, ``report compute|reconcile|estimate``, ``import``,
``template``, ``reconcile``; the folder of ``demo --out`` (fixed file names
inside it). No output name is derived from an input's name, a sheet name or a
scenario folder (``scenario run`` writes nothing) — checked here by running
them and listing what appeared. An explicit ``-o /abs/path`` is the user's
choice; the rule is about what buchang puts there:

* a symlink standing at the output name (→ a file outside) is replaced, never
  written through;
* a symlink planted at the temporary name a writer used to use
  (``.NAME.<pid>.tmp``) is not followed — temporary files now have unguessable
  names created exclusively;
* NUL bytes and ``../`` or absolute fragments inside names are usage errors or
  land exactly where the path says, never a crash and never a stray file.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.hostile.conftest import Figures
from tests.hostile.kit import fresh

from buchang.cli.main import main

OUTSIDE_TEXT = "outside: must stay unchanged\n"


def run(argv: list[str]) -> tuple[int, str]:
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        code = main(["--no-progress", *argv])
    return code, sink.getvalue()


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root``: file bytes, or the target of a symlink."""
    out: dict[str, bytes | str] = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = p.read_bytes()
    return out


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    """``inputs/`` (a survey, a reconciliation folder and report), ``out/`` (chosen), ``outside/``."""
    from tests.hostile.test_fuzz_csv import clean_folder

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    fresh("survey").write(inputs / "survey.xlsx")
    clean_folder(inputs / "funds")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text(OUTSIDE_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    return {"inputs": inputs, "out": out, "outside": outside, "root": tmp_path}


def _reconcile_json(w: dict[str, Path]) -> Path:
    path = w["inputs"] / "recon.json"
    if not path.exists():
        _code, text = run(
            ["reconcile", str(w["inputs"] / "funds"), "--as-of", "2030-01-01", "--json", str(path)]
        )
        assert path.exists(), text
    return path


#: command name → (argv builder for an output path, output suffix)
COMMANDS: dict[str, tuple[Callable[[dict[str, Path], str], list[str]], str]] = {
    "compute -o": (lambda w, o: ["compute", str(w["inputs"] / "survey.xlsx"), "-o", o], ".xlsx"),
    "compute --csv": (
        lambda w, o: [
            "compute",
            str(w["inputs"] / "survey.xlsx"),
            "-o",
            str(w["out"] / "c.xlsx"),
            "--csv",
            o,
        ],
        ".csv",
    ),
    "compute --json": (lambda w, o: ["compute", str(w["inputs"] / "survey.xlsx"), "--json", o], ".json"),
    "report compute -o": (
        lambda w, o: ["report", "compute", str(w["inputs"] / "survey.xlsx"), "-o", o],
        ".xlsx",
    ),
    "report reconcile -o": (lambda w, o: ["report", "reconcile", str(_reconcile_json(w)), "-o", o], ".xlsx"),
    "import -o": (lambda w, o: ["import", "survey", str(w["inputs"] / "survey.xlsx"), "-o", o], ".json"),
    "template -o": (lambda w, o: ["template", "agreements", "-o", o, "--force"], ".xlsx"),
    "reconcile --json": (
        lambda w, o: ["reconcile", str(w["inputs"] / "funds"), "--as-of", "2030-01-01", "--json", o],
        ".json",
    ),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_symlink_at_the_output_name_is_replaced_not_followed(
    command: str, world: dict[str, Path], figures: Figures
) -> None:
    build, suffix = COMMANDS[command]
    _reconcile_json(world)
    victim = world["outside"] / "victim.txt"
    target = world["out"] / f"result{suffix}"
    target.symlink_to(victim)
    before = tree(world["outside"])
    code, text = run(build(world, str(target)))
    assert tree(world["outside"]) == before, text
    assert victim.read_text(encoding="utf-8") == OUTSIDE_TEXT
    if code == 0:
        assert not target.is_symlink() and target.is_file()
    figures.add("path cases: symlink at the output name")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_symlink_at_the_old_predictable_temporary_name_is_not_followed(
    command: str, world: dict[str, Path], figures: Figures
) -> None:
    build, suffix = COMMANDS[command]
    _reconcile_json(world)
    target = world["out"] / f"result{suffix}"
    victim = world["outside"] / "victim.txt"
    for name in (f".{target.name}.{os.getpid()}.tmp", f".{target.name}.tmp"):
        (world["out"] / name).symlink_to(victim)
    before = tree(world["outside"])
    code, text = run(build(world, str(target)))
    assert code in (0, 1), text
    assert tree(world["outside"]) == before, text
    figures.add("path cases: symlink at a predictable temporary name")


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("name", ["a\x00b", "\x00", "x\x00/../../outside/victim.txt"])
def test_nul_bytes_in_output_names(command: str, name: str, world: dict[str, Path], figures: Figures) -> None:
    build, suffix = COMMANDS[command]
    _reconcile_json(world)
    before = tree(world["root"])
    code, text = run(build(world, str(world["out"] / (name + suffix))))
    assert code in (1, 2), text
    after = tree(world["root"])
    assert {k for k in after if k not in before} <= {"out/c.xlsx"}, text  # compute --csv: -o is fine
    assert (world["outside"] / "victim.txt").read_text(encoding="utf-8") == OUTSIDE_TEXT
    figures.add("path cases: NUL byte in a name")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_dot_dot_lands_exactly_where_the_path_says(
    command: str, world: dict[str, Path], figures: Figures
) -> None:
    """``out/sub/../r`` is ``out/r``: normal path semantics, nothing else is created."""
    build, suffix = COMMANDS[command]
    _reconcile_json(world)
    (world["out"] / "sub").mkdir()
    before = tree(world["root"])
    code, text = run(build(world, str(world["out"] / "sub" / ".." / f"r{suffix}")))
    assert code in (0, 1), text
    new = {k for k in tree(world["root"]) if k not in before}
    assert new <= {f"out/r{suffix}", "out/c.xlsx"}, (new, text)
    figures.add("path cases: ../ inside an explicit path")


def test_no_output_name_is_derived_from_inputs(world: dict[str, Path], figures: Figures) -> None:
    """Hostile sheet and file names (``../x``, ``/abs``) never become output names."""
    from buchang.io.rawxlsx import RawSheet, write_xlsx

    hostile = world["inputs"] / "..%2F..%2Fevil.xlsx"
    book = fresh("survey")
    sheets = [RawSheet(t, rows) for t, rows in book.sheets] + [
        RawSheet("..", [["x"]]),
        RawSheet("etc passwd", [["x"]]),
    ]
    write_xlsx(hostile, sheets)
    cwd = Path.cwd()
    os.chdir(world["out"])
    try:
        before = tree(world["root"])
        for argv in (
            ["import", "survey", str(hostile)],
            ["compute", str(hostile)],
            ["audit", str(hostile)],
            ["scenario", "list"],
        ):
            run(argv)
        assert tree(world["root"]) == before
    finally:
        os.chdir(cwd)
    figures.add("path cases: names derived from inputs (none)", 4)


def test_demo_folder_with_planted_symlinks(tmp_path: Path, figures: Figures) -> None:
    """``demo --out DIR --force`` where DIR holds symlinks to outside files and folders."""
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("result.xlsx", "reconcile.json", "checkpoint.json", "projects.csv", "statement.csv"):
        (outside / name).write_text(OUTSIDE_TEXT, encoding="utf-8")
    folder = tmp_path / "demo"
    folder.mkdir()
    for name in ("result.xlsx", "reconcile.json", "checkpoint.json", "survey.xlsx"):
        (folder / name).symlink_to(outside / name if (outside / name).exists() else outside / "x")
    (folder / "funds").symlink_to(outside, target_is_directory=True)
    before = tree(outside)
    code, text = run(["demo", "--out", str(folder), "--force"])
    assert tree(outside) == before, text
    assert code in (0, 1, 2), text
    figures.add("path cases: demo --out with planted symlinks")
