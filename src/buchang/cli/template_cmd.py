"""``buchang template KIND -o FILE.xlsx``: write an input template (导入模板)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from buchang.io.schema import KINDS
from buchang.io.templates import write_template


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kinds = ", ".join(f"{k} ({v.title})" for k, v in KINDS.items())
    p = sub.add_parser(
        "template",
        help="生成导入模板 / write an input template (.xlsx)",
        description="生成带中文表头、说明页、下拉选项和示例行的导入模板。\n"
        "Write an input template: Chinese headers (English aliases in the 说明 sheet),\n"
        f"drop-downs, text-formatted ID/account columns and an example row.\nKINDS: {kinds}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("kind", choices=sorted(KINDS), metavar="KIND", help="模板类型 / input kind")
    p.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE.xlsx", help="输出文件 / output file"
    )
    p.add_argument("--force", action="store_true", help="覆盖已有文件 / overwrite an existing file")
    p.set_defaults(func=run_template)


def run_template(args: argparse.Namespace) -> int:
    out: Path = args.output
    if out.suffix.lower() != ".xlsx":
        print(f"buchang template: 输出文件应为.xlsx / the output must be .xlsx: {out}", file=sys.stderr)
        return 2
    if out.exists() and not args.force:
        print(f"buchang template: 文件已存在（用--force覆盖） / {out} exists (use --force)", file=sys.stderr)
        return 2
    if not out.parent.is_dir():
        print(f"buchang template: 目录不存在 / no such folder: {out.parent}", file=sys.stderr)
        return 2
    try:
        write_template(args.kind, out)
    except OSError as exc:
        print(f"buchang template: 无法写入 / cannot write {out}: {exc}", file=sys.stderr)
        return 1
    print(f"{out}  ({KINDS[args.kind].title} / {args.kind})")
    return 0
