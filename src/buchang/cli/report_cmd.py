"""``buchang report compute|estimate|reconcile``: write the Excel reports.

* ``buchang report compute INPUT -o RESULT.xlsx`` — read a survey workbook
  (.xlsx, .csv or a folder of CSVs) or a project file (.json/.yaml), compute
  every collective and household, and write the compute report (汇总, 明细,
  异常, 参数); ``--csv FILE`` also writes 明细 as CSV; ``--mask`` masks ID
  numbers and accounts for publication (公示).
* ``buchang report estimate INPUTS.yaml -o ESTIMATE.xlsx`` — the upfront-funds
  estimate (资金前置测算) under low / expected / high scenarios;
* ``buchang report reconcile REPORT.json -o RECON.xlsx`` — the reconciliation
  workbook from a reconciliation report saved as JSON
  (``ReconcileReport.to_json()``).

Nothing is written when the input is invalid. Exit codes: 0 ok (warnings
allowed) · 1 invalid input or error issues · 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from buchang.cli.progress import Progress
from buchang.cli.usage import missing_inputs, missing_output_folders
from buchang.core.errors import Issue, Location
from buchang.core.memory import paused_gc
from buchang.core.money import format_yuan, from_fen, uppercase
from buchang.io.audit import read_inputs
from buchang.io.reports.compute_report import input_file, write_compute_report
from buchang.io.reports.csvout import write_compute_csv
from buchang.io.reports.reconcile_report import write_reconcile_report
from buchang.rules.inputs import Project
from buchang.rules.lines import ProjectResult
from buchang.rules.parallel import compute_project_parallel
from buchang.tables.store import load_tables


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``report`` command (``compute``, ``estimate``, ``reconcile``) to ``sub``."""
    p = sub.add_parser(
        "report",
        help="生成Excel报表 / write the Excel reports",
        description="生成补偿计算报表或资金对账报表（Excel）。\nWrite the compute or reconciliation workbook.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    reports = p.add_subparsers(title="报表 reports", metavar="REPORT")

    c = reports.add_parser(
        "compute",
        help="计算并生成补偿计算报表 / compute and write the compensation report",
        description="读取调查登记表（.xlsx/.csv）或项目文件（.json/.yaml），计算并写出报表：\n"
        "汇总、明细、异常、参数。输入有错误时不写任何文件。\n"
        "Read a survey workbook or a project file, compute, and write the report "
        "(summary, detail, issues, parameters). Nothing is written when the input is invalid.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument(
        "input",
        metavar="INPUT",
        help="调查登记表或项目文件 / survey (.xlsx/.csv/folder) or project (.json/.yaml)",
    )
    c.add_argument("-o", "--output", required=True, metavar="RESULT.xlsx", help="输出报表 / output workbook")
    c.add_argument("--csv", metavar="FILE.csv", help="另存明细为CSV / also write the detail as CSV")
    c.add_argument(
        "--tables", metavar="DIR", action="append", default=[], help="附加标准表目录 / extra table folder"
    )
    c.add_argument("--mask", action="store_true", help="身份证号、账号脱敏（公示用） / mask IDs and accounts")
    c.add_argument("--json", action="store_true", help="以JSON输出摘要 / print a JSON summary")
    c.set_defaults(func=run_report_compute)

    r = reports.add_parser(
        "reconcile",
        help="生成资金对账报表 / write the reconciliation report",
        description="由对账结果JSON（ReconcileReport.to_json()）生成对账报表：汇总、发现、清单行、流出、异常、参数。\n"
        "Write the reconciliation workbook from a saved reconciliation report (JSON).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("report", metavar="REPORT.json", help="对账结果JSON / reconciliation report as JSON")
    r.add_argument("-o", "--output", required=True, metavar="RECON.xlsx", help="输出报表 / output workbook")
    r.add_argument("--mask", action="store_true", help="账号脱敏 / mask accounts")
    r.add_argument("--json", action="store_true", help="以JSON输出摘要 / print a JSON summary")
    r.set_defaults(func=run_report_reconcile)
    e = reports.add_parser(
        "estimate",
        help="测算并生成资金前置测算报表 / estimate and write the upfront-funds report",
        description="读取测算输入（.yaml/.json），按低/预期/高情景测算应预存资金并写出报表：汇总、明细、异常、参数。\n"
        "Read estimate inputs, estimate the funds to deposit (low / expected / high) and write the report.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    e.add_argument("inputs", metavar="INPUTS", help="测算输入 / estimate inputs (.yaml/.json/.xlsx)")
    e.add_argument(
        "-o", "--output", required=True, metavar="ESTIMATE.xlsx", help="输出报表 / output workbook"
    )
    e.add_argument(
        "--tables", metavar="DIR", action="append", default=[], help="附加标准表目录 / extra table folder"
    )
    e.add_argument("--mask", action="store_true", help="脱敏 / mask identifiers")
    e.add_argument("--json", action="store_true", help="以JSON输出摘要 / print a JSON summary")
    e.set_defaults(func=run_report_estimate)
    p.set_defaults(func=lambda _args: _usage(p))


def _usage(p: argparse.ArgumentParser) -> int:
    p.print_help(sys.stderr)
    return 2


def _print_issues(issues: Sequence[Issue], out: Any) -> None:
    for i in issues:
        print(f"  {i.severity.value}: {i}", file=out)


def write_compute_outputs(
    result: ProjectResult,
    project: Project,
    source: Path,
    out: Path,
    *,
    csv: str | None = None,
    mask: bool = False,
    issues: Sequence[Issue] = (),
    locations: Mapping[str, Location] | None = None,
    progress: Callable[[int], None] | None = None,
) -> bool:
    """Write the compute workbook (and CSV); False, with the reason on stderr, if it cannot.
    ``progress(n)`` is told of every ``n`` 明细 lines written."""
    src = input_file(source, project) if source.is_file() else None
    try:
        write_compute_report(
            result,
            out,
            project=project,
            source=src,
            input_issues=tuple(issues),
            locations=locations or {},
            mask=mask,
            progress=progress,
        )
        if csv:
            try:
                write_compute_csv(result, csv, mask=mask)
            except BaseException:
                out.unlink(missing_ok=True)  # both outputs or neither: never half a result
                raise
    except OSError as exc:
        print(f"buchang: 无法写出 / cannot write: {exc}", file=sys.stderr)
        return False
    return True


def run_report_compute(args: argparse.Namespace) -> int:
    # A large survey is millions of objects that live until the end: the cyclic
    # collector, walking them all again and again, cost a third of the run (measured
    # in benchmarks/bench_e2e.py). Nothing here makes cycles worth collecting.
    with paused_gc():
        return _run_report_compute(args)


def _run_report_compute(args: argparse.Namespace) -> int:
    source = Path(args.input)
    out = Path(args.output)
    refused = missing_inputs("report", source) or missing_output_folders("report", out, args.csv)
    if refused:
        return refused
    store, load_issues = load_tables(*args.tables)
    load_errors = [i for i in load_issues if i.is_error]
    if load_errors:
        print("buchang report: 标准表有错误 / table errors (those tables are left out):", file=sys.stderr)
        _print_issues(load_errors, sys.stderr)
    with Progress.for_args(args) as progress:
        with progress.stage(f"导入 / import {source.name}"):
            project, issues, locations = read_inputs(source)
        if project is None:
            progress.close()
            print(
                f"buchang report: {source}: 输入无效，未写任何文件 / invalid input, nothing written:",
                file=sys.stderr,
            )
            _print_issues([i for i in issues if i.is_error] or issues, sys.stderr)
            return 1
        n = len(project.households)
        with progress.counter(f"计算 / compute {n} 户 households", total=n) as advance:
            result = compute_project_parallel(project, store, progress=advance)
        lines = sum(len(s.lines) for s in result.subjects)
        with progress.counter(f"写报表 / write {out.name}", total=lines) as advance:
            written = write_compute_outputs(
                result,
                project,
                source,
                out,
                csv=args.csv,
                mask=args.mask,
                issues=issues,
                locations=locations,
                progress=advance,
            )
    if not written:
        return 1
    errors = [i for i in result.issues if i.is_error]
    if args.json:
        summary = {
            "output": str(out),
            "csv": args.csv,
            "total_fen": result.total_fen,
            "subjects": len(result.subjects),
            "lines": sum(len(s.lines) for s in result.subjects),
            "non_official_tables": [f"{t.table_id}@{t.version}" for t in result.non_official],
            "issues": [i.to_dict() for i in (*issues, *result.issues)],
            "masked": args.mask,
        }
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        if result.non_official:
            print(
                "!!! 使用了非官方标准表，报表已标注 / non-official tables used: the report carries a red banner"
            )
        total = result.total_fen
        print(f"项目合计 / project total: {format_yuan(total)} 元（{uppercase(from_fen(total))}）")
        if errors:
            print(f"{len(errors)}个错误，见“异常”表 / {len(errors)} errors, see the 异常 sheet:")
            _print_issues(errors, sys.stdout)
        print(f"→ {out}")
        if args.csv:
            print(f"→ {args.csv}")
    return 1 if load_errors or errors else 0


def run_report_reconcile(args: argparse.Namespace) -> int:
    path = Path(args.report)
    refused = missing_inputs("report", path) or missing_output_folders("report", args.output)
    if refused:
        return refused
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"buchang report: {path}: 无法读取对账结果 / cannot read the report: {exc}", file=sys.stderr)
        return 1
    if not isinstance(data, dict) or "findings" not in data or "as_of" not in data:
        print(f"buchang report: {path}: 不是对账结果JSON / not a reconciliation report", file=sys.stderr)
        return 1
    try:
        with Progress.for_args(args) as progress, progress.stage(f"写报表 / write {Path(args.output).name}"):
            out = write_reconcile_report(data, args.output, mask=args.mask)
    except OSError as exc:
        print(f"buchang report: 无法写出 / cannot write: {exc}", file=sys.stderr)
        return 1
    findings = data.get("findings") or []
    errors = sum(1 for f in findings if isinstance(f, dict) and f.get("severity") == "error")
    checks_ok = all(isinstance(c, dict) and c.get("ok") for c in data.get("checks") or [])
    if args.json:
        print(
            json.dumps(
                {"output": str(out), "findings": len(findings), "errors": errors, "checks_ok": checks_ok},
                ensure_ascii=False,
            )
        )
    else:
        print(
            f"发现 / findings: {len(findings)}（错误 errors {errors}）; 平衡校验 checks: {'ok' if checks_ok else 'FAIL'}"
        )
        print(f"→ {out}")
    return 1 if errors or not checks_ok else 0


def run_report_estimate(args: argparse.Namespace) -> int:
    from buchang.cli.estimate_cmd import read_inputs  # YAML/JSON or the estimate workbook
    from buchang.io.reports.estimate_report import banner_lines, write_estimate_report
    from buchang.rules.estimate.compute import estimate

    source = Path(args.inputs)
    out = Path(args.output)
    refused = missing_inputs("report", source) or missing_output_folders("report", out)
    if refused:
        return refused
    store, load_issues = load_tables(*args.tables)
    load_errors = [i for i in load_issues if i.is_error]
    inputs, issues = read_inputs(str(source))
    if inputs is None:
        print(
            f"buchang report: {source}: 输入无效，未写任何文件 / invalid input, nothing written:",
            file=sys.stderr,
        )
        _print_issues(issues, sys.stderr)
        return 1
    est = estimate(inputs, store)
    try:
        with Progress.for_args(args) as progress, progress.stage(f"写报表 / write {out.name}"):
            write_estimate_report(
                est, out, source=input_file(source) if source.is_file() else None, mask=args.mask
            )
    except OSError as exc:
        print(f"buchang report: 无法写出 / cannot write: {exc}", file=sys.stderr)
        return 1
    high = est.high.total_fen
    if args.json:
        print(
            json.dumps(
                {
                    "output": str(out),
                    "total_fen": {s.scenario.value: s.total_fen for s in est.scenarios},
                    "non_official_tables": [f"{t.table_id}@{t.version}" for t in est.non_official],
                    "issues": [i.to_dict() for i in est.issues],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        for line in banner_lines(est):  # the estimate's own banner, as buchang estimate prints it
            print(line)
        print(f"应预存（高情景） / to deposit (high): {format_yuan(high)} 元（{uppercase(from_fen(high))}）")
        print(f"→ {out}")
    return 1 if load_errors or est.has_errors else 0
