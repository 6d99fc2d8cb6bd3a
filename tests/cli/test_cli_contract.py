"""The command-line contract, walked over every registered command.

* ``--help`` exits 0 for every command and sub-command, and its text is in
  Chinese and English; every listed sub-command has a bilingual one-line help;
* a bad usage (an unknown option; a group command without its sub-command)
  exits 2;
* every command that prints a summary has ``--json``, and its JSON is valid,
  with the stable top-level keys listed here (a new command with ``--json``
  must add its case below, so the contract cannot be skipped by accident);
* ``--no-progress`` is accepted before and after the command name.

Exit codes: 0 ok · 1 findings or invalid input · 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from buchang.cli.demo_cmd import JOURNAL, RESULT, SURVEY, run_demo
from buchang.cli.main import build_parser, main, subparsers_of
from buchang.resources import scenarios_dir

Path_ = tuple[str, ...]
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{3,}")


def walk(
    parser: argparse.ArgumentParser, prefix: Path_ = ()
) -> Iterator[tuple[Path_, argparse.ArgumentParser]]:
    """Every (command path, parser) under ``parser``, parents before children."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from walk(sub, (*prefix, name))


COMMANDS = list(walk(build_parser()))
PATHS = [path for path, _ in COMMANDS]
LEAVES = [path for path, p in COMMANDS if not subparsers_of(p)]
GROUPS = [path for path, p in COMMANDS if subparsers_of(p)]


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_the_walk_finds_the_commands() -> None:
    for path in [
        ("demo",),
        ("compute",),
        ("import",),
        ("report", "compute"),
        ("ledger", "verify"),
        ("tables", "list"),
    ]:
        assert path in PATHS


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_help_exits_0_in_both_languages(path: Path_) -> None:
    code, out, _ = run([*path, "--help"])
    assert code == 0
    assert out.startswith("usage: buchang " + " ".join(path))
    assert CJK.search(out), f"{' '.join(path)} --help has no Chinese"
    assert ENGLISH.search(out.split("\n", 2)[-1]), f"{' '.join(path)} --help has no English"
    assert "--no-progress" in out


@pytest.mark.parametrize("path", [(), *GROUPS], ids=lambda p: " ".join(p) or "buchang")
def test_every_listed_command_has_a_bilingual_help_line(path: Path_) -> None:
    parser = dict(COMMANDS)[path] if path else build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                assert choice.help and CJK.search(choice.help) and ENGLISH.search(choice.help), choice.dest


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_every_argument_has_a_bilingual_help(path: Path_) -> None:
    for action in dict(COMMANDS)[path]._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        text = action.help or ""
        assert CJK.search(text) and ENGLISH.search(text), f"{' '.join(path)} {action.dest}: {text!r}"


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_an_unknown_option_is_a_usage_error(path: Path_) -> None:
    code, out, err = run([*path, "--no-such-option"])
    assert code == 2
    assert "usage:" in err and not out


@pytest.mark.parametrize("path", GROUPS, ids=" ".join)
def test_a_group_without_its_subcommand_is_a_usage_error(path: Path_) -> None:
    code, _, err = run(list(path))
    assert code == 2 and err


#: A named input that does not exist is a usage error (2), for every command taking one.
MISSING_INPUT = [
    ["compute", "{x}"],
    ["estimate", "{x}"],
    ["import", "survey", "{x}"],
    ["audit", "{x}"],
    ["report", "compute", "{x}", "-o", "{tmp}/r.xlsx"],
    ["report", "estimate", "{x}", "-o", "{tmp}/r.xlsx"],
    ["report", "reconcile", "{x}", "-o", "{tmp}/r.xlsx"],
    ["reconcile", "{x}", "--as-of", "2020-01-01"],
    ["ledger", "verify", "{x}"],
    ["ledger", "append", "{x}", "{x}"],
    ["scenario", "run", "{x}"],
    ["tables", "validate", "{x}"],
    ["compute", "{example}", "-o", "{x}/r.xlsx"],  # no such output folder
    ["template", "survey", "-o", "{x}/t.xlsx"],
]


@pytest.mark.parametrize("argv", MISSING_INPUT, ids=" ".join)
def test_a_missing_path_is_a_usage_error(argv: list[str], tmp_path: Path) -> None:
    values = {
        "x": str(tmp_path / "nope"),
        "tmp": str(tmp_path),
        "example": str(EXAMPLES / "songjiang_small.yaml"),
    }
    code, _, err = run([a.format(**values) for a in argv])
    assert code == 2 and "nope" in err


def test_top_level_usage_errors() -> None:
    assert run([])[0] == 2
    assert run(["no-such-command"])[0] == 2
    assert run(["--version"])[0] == 0


# --- --json -------------------------------------------------------------------------

#: Commands that print no summary (they write one file, or list names) need no --json.
NO_JSON = {
    ("template",): "writes one template file and prints its path",
    ("ledger", "init"): "creates one file",
    ("ledger", "checkpoint"): "writes the checkpoint JSON file itself",
    ("scenario", "list"): "lists names",
}


@dataclass(frozen=True)
class Fixtures:
    """Inputs for the --json cases: a demo folder and a scratch folder."""

    demo: Path
    tmp: Path


@dataclass(frozen=True)
class Case:
    """A ``--json`` call: its argv, the exit codes it may give, and the keys its JSON
    must have (``list`` for a JSON array)."""

    argv: Callable[[Fixtures], list[str]]
    codes: tuple[int, ...]
    keys: frozenset[str] | type[list[object]]


def _keys(*names: str) -> frozenset[str]:
    return frozenset(names)


EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"

CASES: dict[Path_, Case] = {
    ("demo",): Case(
        lambda f: ["demo", "--out", str(f.tmp / "demo2"), "--json"],
        (0,),
        _keys("ok", "folder", "reports", "figures"),
    ),
    ("compute",): Case(
        lambda f: ["compute", str(f.demo / SURVEY), "--json"], (0,), _keys("format", "totals_fen", "result")
    ),
    ("estimate",): Case(
        lambda f: ["estimate", str(EXAMPLES / "estimate_banan.yaml"), "--json"],
        (0,),
        _keys("format", "required_upfront_fen", "totals_fen", "estimate"),
    ),
    ("import",): Case(
        lambda f: ["import", "survey", str(f.demo / SURVEY), "--json"], (0,), _keys("kind", "ok", "issues")
    ),
    ("audit",): Case(lambda f: ["audit", str(f.demo / RESULT), "--json"], (0,), _keys("ok")),
    ("report", "compute"): Case(
        lambda f: ["report", "compute", str(f.demo / SURVEY), "-o", str(f.tmp / "r.xlsx"), "--json"],
        (0,),
        _keys("output", "total_fen", "subjects", "lines", "issues"),
    ),
    ("report", "reconcile"): Case(
        lambda f: [
            "report",
            "reconcile",
            str(f.demo / "reconcile.json"),
            "-o",
            str(f.tmp / "c.xlsx"),
            "--json",
        ],
        (1,),  # the demo's planted finding
        _keys("output", "findings", "errors", "checks_ok"),
    ),
    ("report", "estimate"): Case(
        lambda f: [
            "report",
            "estimate",
            str(EXAMPLES / "estimate_banan.yaml"),
            "-o",
            str(f.tmp / "e.xlsx"),
            "--json",
        ],
        (0,),
        _keys("output", "total_fen", "issues"),
    ),
    ("ledger", "verify"): Case(
        lambda f: ["ledger", "verify", str(f.demo / JOURNAL), "--json"],
        (0,),
        _keys("ok", "entries", "head_hash"),
    ),
    ("ledger", "append"): Case(
        lambda f: ["ledger", "append", str(f.tmp / "books.sqlite"), str(f.tmp / "none.jsonl"), "--json"],
        (0,),
        _keys("ok", "entries", "rejections"),
    ),
    ("tables", "list"): Case(lambda f: ["tables", "list", "--json"], (0,), _keys("tables", "issues")),
    ("tables", "show"): Case(
        lambda f: ["tables", "show", "cn.land.regime_a_bounds", "--json"],
        (0,),
        _keys("id", "versions", "issues"),
    ),
    ("tables", "resolve"): Case(
        lambda f: [
            "tables",
            "resolve",
            "land.regime_a_bounds",
            "--jurisdiction",
            "310117",
            "--on",
            "2019-12-31",
            "--json",
        ],
        (0,),
        _keys("kind", "ok", "version", "chain"),
    ),
    ("tables", "validate"): Case(
        lambda f: ["tables", "validate", str(scenarios_dir().parent / "tables"), "--json"],
        (0,),
        _keys("ok", "tables", "versions", "issues"),
    ),
    ("uppercase",): Case(lambda f: ["uppercase", "107000.53", "--json"], (0,), list),
    ("check-id",): Case(lambda f: ["check-id", "11010519491231002X", "--json"], (0,), list),
    ("scenario", "run"): Case(
        lambda f: ["scenario", "run", str(scenarios_dir() / "chongming_2025"), "--json"],
        (0,),
        _keys("scenario", "ok", "checks", "failures"),
    ),
    ("reconcile",): Case(
        lambda f: ["reconcile", str(f.demo / "funds"), "--as-of", "2020-10-31", "--json"],
        (1,),  # the demo's planted finding
        _keys("as_of", "counts_by_code", "findings", "checks", "line_states"),
    ),
}


def _has_json(parser: argparse.ArgumentParser) -> bool:
    return any("--json" in a.option_strings for a in parser._actions)


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_summary_commands_have_json(path: Path_) -> None:
    parser = dict(COMMANDS)[path]
    if path in NO_JSON:
        return
    assert _has_json(parser), f"`buchang {' '.join(path)}` prints a summary but has no --json"
    assert path in CASES, f"add a --json case for `buchang {' '.join(path)}` to CASES"


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Fixtures:
    root = tmp_path_factory.mktemp("contract")
    assert run_demo(io.StringIO(), folder=root / "demo") == 0
    tmp = root / "tmp"
    tmp.mkdir()
    (tmp / "none.jsonl").write_text("", encoding="utf-8")
    assert run(["ledger", "init", str(tmp / "books.sqlite")])[0] == 0
    return Fixtures(root / "demo", tmp)


@pytest.mark.parametrize("path", [p for p in CASES if p in LEAVES], ids=" ".join)
def test_json_is_valid_with_stable_keys(path: Path_, fixtures: Fixtures) -> None:
    case = CASES[path]
    code, out, err = run(case.argv(fixtures))
    assert code in case.codes, err
    data = json.loads(out)  # the whole of stdout is one JSON document
    if isinstance(case.keys, frozenset):
        body = data[0] if isinstance(data, list) else data
        assert case.keys <= set(body), sorted(case.keys - set(body))
    else:
        assert isinstance(data, list) and data


def test_no_progress_before_or_after_the_command(fixtures: Fixtures) -> None:
    journal = str(fixtures.demo / JOURNAL)
    assert run(["--no-progress", "ledger", "verify", journal])[0] == 0
    assert run(["ledger", "verify", journal, "--no-progress"])[0] == 0
    args = build_parser().parse_args(["--no-progress", "ledger", "verify", journal])
    assert args.no_progress is True  # the sub-command's default does not reset it


def test_progress_is_off_when_not_a_terminal() -> None:
    from buchang.cli.progress import Progress, progress_wanted

    assert not progress_wanted(argparse.Namespace())  # pytest captures: not a terminal
    with Progress(False) as progress, progress.stage("x"):
        assert list(progress.track([1, 2], "y")) == [1, 2]
