"""``buchang compute PROJECT.(json|yaml)``: run a project through the exact core.

Large projects are computed by the same engine over worker processes
(:func:`buchang.rules.parallel.compute_project_parallel`; same result), and a
large report is written by the streaming writer; a progress bar counts the
households computed and the 明细 lines written (at a terminal only).

Prints the total of every collective and household, the project total (in
figures and 大写), a banner when any table used is not official, the issues,
and the explanation of one household (``--explain ID``; the first household
by default). ``--json FILE`` writes the full result (lossless JSON,
``buchang.result/1``); ``--json`` alone prints it on stdout instead of the text.
Exit codes: 0 ok (warnings allowed) · 1 error issues or invalid input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from buchang.cli.progress import Progress
from buchang.cli.report_cmd import write_compute_outputs
from buchang.cli.usage import missing_inputs, missing_output_folders
from buchang.core.errors import Issue
from buchang.core.memory import paused_gc
from buchang.core.money import format_yuan, from_fen, uppercase
from buchang.io.atomic import write_text_atomic
from buchang.io.audit import read_inputs
from buchang.rules.explain import banner, explain
from buchang.rules.io import result_to_json
from buchang.rules.lines import ProjectResult, SubjectKind
from buchang.rules.parallel import compute_project_parallel
from buchang.tables.store import load_tables


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``compute`` command to ``sub``."""
    p = sub.add_parser(
        "compute",
        help="计算项目补偿 / compute a project's compensation",
        description="按标准表精确计算项目中每个集体经济组织和每户的补偿，并解释一户的计算过程。\n"
        "Compute every collective's and household's compensation exactly and explain one household.\n"
        "Exit 1 when any error issue is found.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "project",
        metavar="INPUT",
        help="调查表（.xlsx/.csv/目录）或项目文件（JSON/YAML） / survey workbook (.xlsx/.csv/folder) "
        "or project file (.json/.yaml)",
    )
    p.add_argument("-o", "--output", metavar="RESULT.xlsx", help="写出结果工作簿 / write the result workbook")
    p.add_argument("--csv", metavar="RESULT.csv", help="同时写出明细CSV / also write the lines as CSV")
    p.add_argument(
        "--mask",
        action="store_true",
        help="公示用：遮蔽身份证号和账号 / mask IDs and accounts for publication",
    )
    p.add_argument(
        "--tables",
        metavar="DIR",
        action="append",
        default=[],
        help="附加标准表目录（覆盖同名内置表） / extra table folder (overrides shipped tables of the same id)",
    )
    p.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="无损JSON结果写入FILE；不给FILE则输出到标准输出（不再打印文字） / the result as lossless JSON "
        "to FILE, or to stdout (instead of the text) when FILE is not given",
    )
    p.add_argument("--explain", metavar="HOUSEHOLD_ID", help="解释该户（默认第一户） / household to explain")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="解释语言 / explanation language")
    p.set_defaults(func=run_compute)


def _print_issues(issues: list[Issue] | tuple[Issue, ...], out: Any) -> None:
    for i in issues:
        print(f"  {i.severity.value}: {i}", file=out)


def yuan_text(fen: int) -> str:
    """:func:`~buchang.core.money.format_yuan` (``1,234.56``) by integer arithmetic: the
    summary of a 100,000-household project formats 100,000 totals.

    >>> yuan_text(123456789), yuan_text(-5), yuan_text(0)
    ('1,234,567.89', '-0.05', '0.00')
    """
    yuan, cents = divmod(abs(fen), 100)
    return f"{'-' if fen < 0 else ''}{yuan:,}.{cents:02d}"


def summary(result: ProjectResult, lang: str = "zh") -> str:
    """Per-subject totals and the project total, one subject per line."""
    zh = lang == "zh"
    rows = [
        f"{'项目' if zh else 'Project'} {result.project_id} {result.name} · {result.jurisdiction} · "
        f"{'拟征地告知日' if zh else 'notice date'} {result.notice_date}"
    ]
    kind = {
        SubjectKind.COLLECTIVE: "集体" if zh else "collective",
        SubjectKind.HOUSEHOLD: "户" if zh else "household",
    }
    width = max((len(s.subject_id) for s in result.subjects), default=4)
    for s in result.subjects:
        flag = " !" if any(i.is_error for i in s.issues) else ""
        rows.append(
            f"  {s.subject_id:<{width}}  {kind[s.kind]:<4} {yuan_text(s.total_fen):>18}  {s.name}{flag}"
        )
    total = result.total_fen
    words = uppercase(from_fen(total))
    rows.append(
        f"项目合计: {format_yuan(total)} 元（{words}）"
        if zh
        else f"Project total: {format_yuan(total)} yuan ({words})"
    )
    return "\n".join(rows)


def run_compute(args: argparse.Namespace) -> int:
    # A large survey is millions of objects that live until the end: the cyclic
    # collector, walking them all again and again, cost a third of the run (measured
    # in benchmarks/bench_e2e.py). Nothing here makes cycles worth collecting.
    with paused_gc():
        return _run_compute(args)


def _run_compute(args: argparse.Namespace) -> int:
    machine = args.json == "-"
    store, load_issues = load_tables(*args.tables)
    load_errors = [i for i in load_issues if i.is_error]
    if load_errors:
        print("buchang compute: 标准表有错误 / table errors (those tables are left out):", file=sys.stderr)
        _print_issues(load_errors, sys.stderr)
    source = Path(args.project)
    refused = missing_inputs("compute", source) or missing_output_folders(
        "compute", args.output, args.csv, None if machine else args.json
    )
    if refused:
        return refused
    with Progress.for_args(args) as progress:
        with progress.stage(f"导入 / import {source.name}"):
            project, issues, locations = read_inputs(source)
        if project is None:
            progress.close()
            print(
                f"buchang compute: {source}: 输入无效，未写任何文件 / invalid input, nothing written:",
                file=sys.stderr,
            )
            _print_issues([i for i in issues if i.is_error] or issues, sys.stderr)
            return 1
        n = len(project.households)
        with progress.counter(f"计算 / compute {n} 户 households", total=n) as advance:
            result = compute_project_parallel(project, store, progress=advance)
        if args.output:
            lines = sum(len(s.lines) for s in result.subjects)
            with progress.counter(f"写报表 / write {Path(args.output).name}", total=lines) as advance:
                written = write_compute_outputs(
                    result,
                    project,
                    source,
                    Path(args.output),
                    csv=args.csv,
                    mask=args.mask,
                    issues=issues,
                    locations=locations,
                    progress=advance,
                )
            if not written:
                return 1
    failed = bool(load_errors) or any(i.is_error for i in result.issues)
    if args.explain and not any(s.subject_id == args.explain for s in result.subjects):
        print(f"buchang compute: no household or collective '{args.explain}'", file=sys.stderr)
        return 1
    if machine:
        print(result_to_json(result))
        return 1 if failed else 0
    top = banner(result, args.lang)
    if top:
        print(top)
        print()
    print(summary(result, args.lang))
    if result.issues:
        print()
        print("问题与提示 / issues:")
        _print_issues(result.issues, sys.stdout)
    households = [s for s in result.subjects if s.kind is SubjectKind.HOUSEHOLD]
    chosen = households[0] if households else (result.subjects[0] if result.subjects else None)
    if args.explain:
        chosen = next((s for s in result.subjects if s.subject_id == args.explain), None)
    if chosen is not None:
        print()
        print(explain(chosen, args.lang))
    if args.json:
        try:  # all or nothing: never a partial result file
            write_text_atomic(args.json, result_to_json(result) + "\n")
        except OSError as exc:
            print(f"buchang compute: 无法写出 / cannot write {args.json}: {exc}", file=sys.stderr)
            return 1
        print(f"\n→ {args.json}")
    if args.output:
        print(f"→ {args.output}" + (f"\n→ {args.csv}" if args.csv else ""))
    return 1 if failed else 0
