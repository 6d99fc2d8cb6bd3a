"""``buchang demo``: the main job on the bundled default.

List the shipped tables, resolve one at a governing date and print it with
its citation, write a sample amount in 大写, and run the bundled example
project (松江, ``scenarios/examples/songjiang_small.yaml``) through the exact
core: every collective's and household's total, the non-official banner and
the explanation of one household. Each step is a small block writing to ``out``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from buchang.cli.compute_cmd import summary
from buchang.cli.tables_cmd import (
    add_table_source_args,
    iso_date,
    load_tables_from,
    print_issues,
    write_list,
    write_resolution,
)
from buchang.core.errors import has_errors
from buchang.core.money import from_fen, to_fen, uppercase
from buchang.resources import example_project
from buchang.rules.engine import compute_project
from buchang.rules.explain import banner, explain
from buchang.rules.io import read_project
from buchang.rules.lines import SubjectKind

#: 松江 (上海市松江区): the 2021 Songjiang rule sends projects whose 拟征地告知书 was
#: published on or before 2019-12-31 to the old regime — the regime-A bounds of
#: the national table answer, found through the chain 松江 → 上海 → 国家.
DEMO_KIND = "land.regime_a_bounds"
DEMO_JURISDICTION = "310117"
DEMO_DATE = date(2019, 12, 31)
#: The PBoC rules' own example amount (￥107,000.53).
DEMO_AMOUNT = "107000.53"


def run_demo(
    out: TextIO,
    *,
    tables: Sequence[Path | str] = (),
    include_default: bool = True,
    kind: str = DEMO_KIND,
    jurisdiction: str = DEMO_JURISDICTION,
    on: date = DEMO_DATE,
    amount: str = DEMO_AMOUNT,
    project: Path | None = None,
) -> int:
    """Run the demonstration, writing to ``out``; return the exit code."""
    store, issues = load_tables_from(tables, include_default=include_default)

    print("== 1. 标准表 / standard tables ==", file=out)
    write_list(store, out)
    print_issues(issues, out)

    print(f"\n== 2. 查找 / resolve (governing date 基准日 {on.isoformat()}) ==", file=out)
    resolution = store.resolve(kind, jurisdiction, on)
    write_resolution(store, resolution, out)

    print("\n== 3. 大写金额 / amount in words ==", file=out)
    try:
        words = uppercase(amount)
    except (ValueError, TypeError) as exc:
        print(f"{amount}: {exc}", file=out)
        return 1
    print(f"{from_fen(to_fen(amount))}  {words}", file=out)

    path = project or example_project()
    print(f"\n== 4. 计算示例项目 / compute the example project ({path}) ==", file=out)
    proj, proj_issues = read_project(path)
    print_issues(proj_issues, out)
    if proj is None:
        return 1
    result = compute_project(proj, store)
    text = banner(result)
    if text:
        print(text, file=out)
    print(summary(result), file=out)
    household = next((s for s in result.subjects if s.kind is SubjectKind.HOUSEHOLD), None)
    if household is not None:
        print(f"\n== 5. 解释 / explain {household.subject_id} ==", file=out)
        print(explain(household), file=out)
    failed = has_errors(issues) or has_errors(proj_issues) or has_errors(result.issues)
    return 0 if resolution.ok and not failed else 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="演示：内置标准表、大写金额与示例项目计算 / demo on the bundled tables and example project",
        description="列出内置标准表，按基准日查找一张并显示出处，转换一个大写金额，并计算内置示例项目。\n"
        "List the shipped tables, resolve one at a governing date with its citation,\n"
        "write a sample amount in 大写, and compute the bundled example project.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--kind", default=DEMO_KIND, help=f"标准类别 / table kind (default {DEMO_KIND})")
    p.add_argument(
        "--jurisdiction",
        default=DEMO_JURISDICTION,
        metavar="CODE",
        help=f"行政区划代码 / jurisdiction code (default {DEMO_JURISDICTION} 松江区)",
    )
    p.add_argument(
        "--on",
        type=iso_date,
        default=DEMO_DATE,
        metavar="DATE",
        help=f"基准日 / governing date (default {DEMO_DATE.isoformat()})",
    )
    p.add_argument(
        "--project", type=Path, default=None, help="项目文件 / project file (default: the bundled example)"
    )
    p.add_argument("--amount", default=DEMO_AMOUNT, help=f"示例金额 / sample amount (default {DEMO_AMOUNT})")
    add_table_source_args(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    return run_demo(
        sys.stdout,
        tables=args.tables,
        include_default=not args.no_default,
        kind=args.kind,
        jurisdiction=args.jurisdiction,
        on=args.on,
        amount=args.amount,
        project=args.project,
    )
