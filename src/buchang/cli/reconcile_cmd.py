"""``buchang reconcile FOLDER``: reconcile a folder of CSV files (funds.md, "Reconciliation").

按清单、审核记录与专户流水对账，列出控制总数与按代码计数的发现。

Reads the files described in :mod:`buchang.funds.csvio`, reconciles, prints the
control totals and the findings counted by code; ``--json FILE`` also writes the
full report as JSON, ``--json`` alone prints it on stdout instead of the text. Exit code: 0 clean (warnings allowed), 1 when any
error-severity finding or invalid input, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from buchang.cli.progress import Progress
from buchang.core.money import format_yuan, to_fen
from buchang.funds.csvio import CsvData, read_folder
from buchang.funds.reconcile import DEFAULT_WINDOW_DAYS, ReconcileReport, reconcile
from buchang.funds.records import ReviewConfig
from buchang.io.atomic import write_text_atomic

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``reconcile`` subcommand."""
    p = subparsers.add_parser(
        "reconcile",
        help="对账：清单、审核与专户流水 / reconcile payment lists, reviews and the account statement",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "folder",
        type=Path,
        help="CSV目录 / folder with projects.csv, agreements.csv, lists.csv, reviews.csv, "
        "statement.csv [, allocations.csv, relocations.csv]",
    )
    p.add_argument(
        "--as-of",
        required=True,
        help="对账基准日 / as-of date, YYYY-MM-DD (lines due before it and unpaid are overdue)",
    )
    p.add_argument(
        "--tolerance", default="0", help="金额容差（元） / amount tolerance in yuan, decimal text (default 0)"
    )
    p.add_argument(
        "--window",
        type=int,
        default=DEFAULT_WINDOW_DAYS,
        help=f"账号+金额匹配的天数窗口 / days between due date and payment for account matching "
        f"(default {DEFAULT_WINDOW_DAYS})",
    )
    p.add_argument(
        "--limits",
        default="",
        help="各级审核权限（元，逗号分隔，none为不限） / authority limit per review level in yuan, "
        "comma-separated, 'none' for no limit (e.g. none,none,500000,none)",
    )
    p.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="完整对账结果JSON写入FILE；不给FILE则输出到标准输出（不再打印文字） / the full report as JSON "
        "to FILE, or to stdout (instead of the text) when FILE is not given",
    )
    p.set_defaults(func=run)


def _usage(message: str, err: TextIO) -> int:
    print(f"buchang reconcile: {message}", file=err)
    return EXIT_USAGE


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        as_of = date.fromisoformat(args.as_of)
    except ValueError:
        return _usage(f"--as-of must be YYYY-MM-DD, got {args.as_of!r}", err)
    try:
        tolerance = to_fen(args.tolerance)
    except (ValueError, TypeError):
        return _usage(f"--tolerance must be a decimal amount in yuan, got {args.tolerance!r}", err)
    if tolerance < 0 or args.window < 0:
        return _usage("--tolerance and --window must not be negative", err)
    config = ReviewConfig()
    if args.limits:
        parts = [x.strip() for x in args.limits.split(",")]
        if len(parts) != config.levels:
            return _usage(f"--limits needs {config.levels} values", err)
        try:
            limits = tuple(None if x.lower() in ("", "-", "none") else to_fen(x) for x in parts)
        except ValueError:
            return _usage(f"--limits must be amounts in yuan or '-', got {args.limits!r}", err)
        config = ReviewConfig(config.level_names, limits)
    folder: Path = args.folder
    if not folder.is_dir():
        return _usage(f"not a folder: {folder}", err)
    if args.json not in (None, "-") and not Path(args.json).parent.is_dir():
        return _usage(f"no such folder for --json: {Path(args.json).parent}", err)

    with Progress.for_args(args) as progress:
        with progress.stage(f"读取 / read {folder.name}"):
            data, opening = read_folder(folder)
        with progress.stage("对账 / reconcile"):
            report = _reconcile(data, opening, as_of, tolerance, args.window, config)
    for issue in data.issues:
        print(str(issue), file=err)
    for issue in report.issues:
        print(str(issue), file=err)
    body = report.to_dict()
    body["input_issues"] = [i.to_dict() for i in data.issues]
    if args.json == "-":
        print(json.dumps(body, ensure_ascii=False, indent=1), file=out)
    else:
        print_summary(report, out)
        if args.json is not None:
            try:  # all or nothing: never a partial report
                write_text_atomic(args.json, json.dumps(body, ensure_ascii=False, indent=1))
            except OSError as exc:
                print(f"buchang reconcile: 无法写出 / cannot write {args.json}: {exc}", file=err)
                return EXIT_FINDINGS
    bad_input = any(i.is_error for i in data.issues)
    return EXIT_FINDINGS if bad_input or report.has_errors else EXIT_CLEAN


def _reconcile(
    data: CsvData, opening: dict[str, int], as_of: date, tolerance: int, window: int, config: ReviewConfig
) -> ReconcileReport:
    return reconcile(
        data.projects,
        data.agreements,
        data.lists,
        data.reviews,
        data.transactions,
        data.allocations,
        data.relocations,
        as_of=as_of,
        tolerance_fen=tolerance,
        window_days=window,
        review_config=config,
        opening_fen=opening,
    )


def print_summary(report: ReconcileReport, out: TextIO) -> None:
    """Control totals and findings counted by code."""
    w = out.write
    w(
        f"对账基准日 as of {report.as_of.isoformat()}  容差 tolerance {report.tolerance_fen} fen  "
        f"匹配窗口 window {report.window_days} days\n"
    )
    w("\n资金类别 category            scheduled          approved              paid            unpaid\n")
    for c in report.category_totals:
        w(
            f"{c.category:<20}{format_yuan(c.scheduled_fen):>18}{format_yuan(c.approved_fen):>18}"
            f"{format_yuan(c.paid_fen):>18}{format_yuan(c.unpaid_fen):>18}\n"
        )
    w("\n专户 account                 opening                in               out           closing\n")
    for a in report.account_totals:
        stated = (
            "" if a.statement_closing_fen is None else f"  (statement {format_yuan(a.statement_closing_fen)})"
        )
        w(
            f"{a.account:<22}{format_yuan(a.opening_fen):>18}{format_yuan(a.in_fen):>18}"
            f"{format_yuan(a.out_fen):>18}{format_yuan(a.closing_fen):>18}{stated}\n"
        )
    w("\n支出归类 outflow buckets\n")
    for b in report.bucket_totals:
        w(f"  {b.bucket:<28}{b.count:>8}{format_yuan(b.amount_fen):>20}\n")
    states = report.lines["state"].value_counts().sort_index()
    w("\n清单行状态 line states: " + ", ".join(f"{k} {int(v)}" for k, v in states.items()) + "\n")
    counts = report.counts_by_code()
    w(f"\n发现 findings: {len(report.findings)}\n")
    for code, n in counts.items():
        w(f"  {code:<28}{n:>8}\n")
    failed = [c for c in report.checks if not c.ok]
    w("\n核对 checks: " + ("all hold\n" if not failed else f"{len(failed)} FAILED\n"))
    for check in failed:
        w(f"  {check.name}: expected {check.expected}, actual {check.actual}\n")
