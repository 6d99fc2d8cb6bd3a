"""``buchang scenario run DIR`` / ``buchang scenario list``: the bundled realistic projects.

``run DIR …`` (or ``run --all``) computes the scenario's projects (and estimate), runs its fund script
through the journal and reconciliation, and compares every expected figure,
issue, refusal and finding (:mod:`buchang.scenario`). Exit code 0 when every
check passes, 1 otherwise (a mismatch, something unexpected, a file that
does not load), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from buchang.cli.progress import Progress
from buchang.resources import scenarios_dir
from buchang.scenario import ScenarioReport, list_scenarios, run_scenario

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``scenario`` command with ``run`` and ``list``."""
    p = subparsers.add_parser(
        "scenario",
        help="场景：按地区的完整示例项目及其预期结果 / realistic scenarios with expected outputs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(title="子命令 subcommands", metavar="SUBCOMMAND")
    run = sub.add_parser("run", help="运行场景并核对预期 / run a scenario and compare every expected figure")
    run.add_argument("dirs", nargs="*", type=Path, metavar="DIR", help="场景目录 / scenario folder(s)")
    run.add_argument(
        "--all", action="store_true", help="运行全部内置场景 / run every bundled scenario (`scenario list`)"
    )
    run.add_argument("--json", action="store_true", help="以JSON输出 / print the report(s) as JSON")
    run.add_argument(
        "-v", "--verbose", action="store_true", help="也列出通过的核对 / list passing checks too"
    )
    run.set_defaults(func=run_cmd)
    ls = sub.add_parser("list", help="列出场景 / list the scenarios")
    ls.add_argument(
        "root",
        nargs="?",
        type=Path,
        help="场景根目录 / folder of scenarios (default: the bundled scenarios/)",
    )
    ls.set_defaults(func=list_cmd)
    p.set_defaults(func=lambda args: _usage("give a subcommand: run DIR | list", sys.stderr))


def _usage(message: str, err: TextIO) -> int:
    print(f"buchang scenario: {message}", file=err)
    return EXIT_USAGE


def print_report(report: ScenarioReport, out: TextIO, *, verbose: bool = False) -> None:
    """The human-readable report: a header, every failure (or check), a summary line."""
    print(f"== {report.name}: {report.title}", file=out)
    for t in report.non_official:
        print(f"   非官方标准 non-official table: {t}", file=out)
    for i in report.issues:
        print(f"   {i}", file=out)
    for c in report.checks if verbose else report.failures:
        print(f"   {c}", file=out)
    status = "OK" if report.ok else "FAIL"
    print(
        f"   {status}: {len(report.checks) - len(report.failures)}/{len(report.checks)} checks pass "
        f"({report.figures} expected figures), {len(report.issues)} problems",
        file=out,
    )


def run_cmd(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    dirs: list[Path] = list(args.dirs)
    if args.all:
        infos, issues = list_scenarios()
        for i in issues:
            print(str(i), file=sys.stderr)
        dirs += [s.path for s in infos]
    if not dirs:
        return _usage("give a scenario folder (DIR …) or --all", sys.stderr)
    missing = [d for d in dirs if not d.is_dir()]
    if missing:
        return _usage(f"no such folder: {missing[0]}", sys.stderr)
    with Progress.for_args(args) as progress:
        reports: list[ScenarioReport] = [run_scenario(d) for d in progress.track(dirs, "场景 / scenarios")]
    if args.json:
        data = [r.to_dict() for r in reports]
        print(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=1), file=out)
    else:
        for r in reports:
            print_report(r, out, verbose=args.verbose)
    return EXIT_OK if all(r.ok for r in reports) else EXIT_FAIL


def list_cmd(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    root = args.root or scenarios_dir()
    if not root.is_dir():
        return _usage(f"no such folder: {root}", sys.stderr)
    infos, issues = list_scenarios(root)
    for s in infos:
        docs = "; ".join(s.documents)
        print(f"{s.name:24} {s.jurisdiction} — {s.title}" + (f" [{docs}]" if docs else ""), file=out)
    for i in issues:
        print(str(i), file=sys.stderr)
    return EXIT_FAIL if issues else EXIT_OK
