"""``buchang audit RESULT.xlsx``: re-check a compute report cell by cell.

Re-adds every subtotal and every line's arithmetic, then re-computes every
subject from the inputs (``--inputs``, or the file named in the 参数 sheet,
looked up beside the workbook) with the table versions recorded in 参数
(found by content hash among the shipped tables and ``--tables`` folders),
and reports every cell that differs::

    RESULT.xlsx:明细!Q12: [AUDIT_MISMATCH] 金额（元） / amount: expected 1234.56, found 1234.65

Exit codes: 0 the workbook agrees (warnings allowed, e.g. inputs unavailable)
· 1 findings or an unreadable workbook · 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from buchang.cli.progress import Progress
from buchang.cli.usage import missing_inputs
from buchang.io.audit import audit_workbook


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``audit`` command to ``sub``."""
    p = sub.add_parser(
        "audit",
        help="审计计算报表（复算并逐格比对） / audit a compute report (re-compute, compare every cell)",
        description="复核报表中每个小计与每行算式，并按“参数”表记录的标准表版本（按内容哈希查找）"
        "由输入重新计算，逐格比对“明细”和“汇总”。\n"
        "Re-add every subtotal and line, re-compute every subject from the inputs with the table "
        "versions recorded in 参数 (looked up by content hash), and compare every cell of 明细 and 汇总.\n"
        "Exit 1 when any cell differs.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("result", metavar="RESULT.xlsx", help="计算报表 / the compute report to audit")
    p.add_argument(
        "--inputs",
        metavar="SURVEY.xlsx|PROJECT.json",
        help="输入（默认：参数表记录的文件，与报表同目录） / the inputs (default: the file named in 参数, "
        "beside the workbook)",
    )
    p.add_argument(
        "--tables",
        metavar="DIR",
        action="append",
        default=[],
        help="附加标准表目录（含报表所用版本） / extra table folder holding the versions used",
    )
    p.add_argument("--json", action="store_true", help="以JSON输出 / print the findings as JSON")
    p.set_defaults(func=run_audit)


def run_audit(args: argparse.Namespace) -> int:
    refused = missing_inputs("audit", args.result, args.inputs)
    if refused:
        return refused
    with Progress.for_args(args) as progress, progress.stage(f"审计 / audit {args.result}"):
        report = audit_workbook(args.result, inputs=args.inputs, tables=args.tables)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
        return 0 if report.ok else 1
    for issue in report.issues:
        print(f"{issue.severity.value}: {issue}")
    if report.recomputed:
        scope = (
            f"复算比对{report.cells_compared}格、{report.lines}行 / re-computed and compared "
            f"{report.cells_compared} cells of {report.lines} lines"
        )
    else:
        scope = (
            f"未复算，仅复核合计与算式（{report.lines}行） / not re-computed: subtotals and arithmetic only"
        )
    errors = sum(1 for i in report.issues if i.is_error)
    verdict = "一致 / OK" if report.ok else f"发现{errors}处不一致 / {errors} findings"
    print(f"{args.result}: {verdict} — {scope}", file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1
