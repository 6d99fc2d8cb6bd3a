"""``buchang import KIND FILE...``: validate an input file and report every problem.

Every problem is printed as ``file:sheet!C12: [CODE] message``; exit 1 when
any is an error. With ``-o OUT.json`` the imported records are written as
JSON — only when there is no error, and atomically (never a partial file).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from buchang.cli.progress import Progress
from buchang.cli.usage import missing_inputs, missing_output_folders
from buchang.core.errors import Severity, has_errors
from buchang.io.atomic import write_text_atomic
from buchang.io.cells import CellOptions
from buchang.io.dispatch import import_kind, to_json
from buchang.io.safety import DEFAULT_LIMITS, Limits
from buchang.io.schema import KINDS


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import",
        help="导入并校验输入文件 / import and validate an input file",
        description="导入并校验 .xlsx 或 .csv（可多个CSV或一个目录，每表一个文件），列出所有问题。\n"
        "Import and validate an .xlsx or .csv (several CSVs, one per sheet, or a folder);\n"
        "every problem is listed as file:sheet!C12: [CODE] message. Exit 1 on any error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "kind", choices=sorted(KINDS), metavar="KIND", help=f"输入类型 / input kind: {', '.join(KINDS)}"
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".xlsx / .csv / 目录 folder")
    p.add_argument(
        "-o", "--output", type=Path, metavar="OUT.json", help="无错误时写出JSON / write JSON when valid"
    )
    p.add_argument("--json", action="store_true", help="问题以JSON输出 / issues as JSON")
    p.add_argument(
        "--engine",
        choices=("calamine", "openpyxl"),
        default=None,
        help="xlsx读取引擎 / xlsx reader (default calamine)",
    )
    p.add_argument(
        "--max-entries", type=int, default=DEFAULT_LIMITS.max_entries, help="zip条目上限 / max zip entries"
    )
    p.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_LIMITS.max_total_bytes,
        help="解压总量上限 / max uncompressed bytes",
    )
    p.add_argument(
        "--max-ratio", type=float, default=DEFAULT_LIMITS.max_ratio, help="压缩比上限 / max compression ratio"
    )
    p.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    refused = missing_inputs("import", *args.files) or missing_output_folders("import", args.output)
    if refused:
        return refused
    limits = Limits(max_entries=args.max_entries, max_total_bytes=args.max_bytes, max_ratio=args.max_ratio)
    names = ", ".join(Path(f).name for f in args.files)
    with Progress.for_args(args) as progress, progress.stage(f"导入校验 / import {names}"):
        value, issues = import_kind(
            args.kind, args.files, engine=args.engine, limits=limits, options=CellOptions()
        )
    failed = has_errors(issues)
    if args.json:
        print(
            json.dumps(
                {"kind": args.kind, "ok": not failed, "issues": [i.to_dict() for i in issues]},
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        for issue in issues:
            print(str(issue), file=sys.stderr if issue.is_error else sys.stdout)
        counts = Counter(i.severity for i in issues)
        print(
            f"{args.kind}: {counts[Severity.ERROR]} 错误 errors, {counts[Severity.WARNING]} 警告 warnings"
            + ("" if failed else " — 可导入 ok")
        )
    if failed or value is None:
        return 1
    if args.output is not None:
        out: Path = args.output
        try:  # all or nothing, in an unguessable temporary file first
            write_text_atomic(out, to_json(value))
        except OSError as exc:
            print(f"buchang import: 无法写入 / cannot write {out}: {exc}", file=sys.stderr)
            return 1
    return 0
