"""``buchang estimate INPUT``: the upfront funds a project must deposit (资金前置测算, spec 4.6).

``INPUT`` is a YAML/JSON document shaped like
:class:`buchang.rules.estimate.EstimateInputs`, or a workbook filled from the
``estimate`` template (``buchang template estimate``; read by
:func:`buchang.io.estimate.import_estimate` into the same model: both forms carry
the same inputs, ranges included). Prints, for the low/expected/high scenarios,
every fund category, the totals and the amount to deposit (the high figure by
default, ``--scenario``), the non-official banner first when a table used is not
official, then the issues. ``-o ESTIMATE.xlsx`` writes the report workbook
(:func:`buchang.io.reports.estimate_report.write_estimate_report`, the writer of
``buchang report estimate`` too); ``--json FILE`` the lossless JSON (``--json``
alone: on stdout instead of the text). Exit codes: 0 ok (warnings allowed) · 1
error issues or invalid input · 2 usage.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from buchang.cli.usage import missing_inputs, missing_output_folders
from buchang.core.errors import Issue
from buchang.core.money import format_yuan, from_fen, uppercase
from buchang.io.atomic import write_text_atomic
from buchang.io.reports.estimate_report import banner_lines, banner_text, write_estimate_report
from buchang.rules.common import num_text
from buchang.rules.estimate import (
    FUND_ORDER,
    Estimate,
    EstimateInputs,
    Scenario,
    estimate,
    estimate_to_json,
    read_estimate_inputs,
    required_upfront_fen,
)
from buchang.tables.store import load_tables

_SCENARIO_ZH: Final = {Scenario.LOW: "低", Scenario.EXPECTED: "预期", Scenario.HIGH: "高"}
#: Input files read as workbooks (the ``estimate`` template); anything else as YAML/JSON.
WORKBOOK_SUFFIXES: Final = (".xlsx", ".xlsm")

__all__ = ["banner_lines", "banner_text", "read_inputs", "register", "run_estimate", "summary"]


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the ``estimate`` command to ``sub``."""
    p = sub.add_parser(
        "estimate",
        help="测算项目资金前置 / estimate a project's upfront funds",
        description="按调查汇总数据测算项目启动前应存入专户的前置资金（分类别、低/预期/高情景）。\n"
        "Estimate the funds a project must deposit before it may start, by category, "
        "for the low/expected/high scenarios. Exit 1 when any error issue is found.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "input", metavar="INPUT", help="测算输入（YAML、JSON或xlsx） / estimate input (.yaml, .json or .xlsx)"
    )
    p.add_argument("-o", "--output", metavar="ESTIMATE.xlsx", help="测算报告写入xlsx / write the xlsx report")
    p.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="测算结果JSON写入FILE；不给FILE则输出到标准输出（不再打印文字） / the estimate as JSON to FILE, "
        "or to stdout (instead of the text) when FILE is not given",
    )
    p.add_argument(
        "--tables",
        metavar="DIR",
        action="append",
        default=[],
        help="附加标准表目录（覆盖同名内置表） / extra table folder (overrides shipped tables of the same id)",
    )
    p.add_argument(
        "--scenario",
        choices=("high", "expected"),
        default="high",
        help="应存入前置资金取哪个情景（默认高，审慎） / which scenario the required deposit uses (default high)",
    )
    p.set_defaults(func=run_estimate)


# --- input -----------------------------------------------------------------------------------


def read_inputs(path: str) -> tuple[EstimateInputs | None, list[Issue]]:
    """YAML/JSON through the rules' reader; ``.xlsx``/``.xlsm`` through the workbook import
    (every problem located ``file:sheet!C12``)."""
    if Path(path).suffix.lower() in WORKBOOK_SUFFIXES:
        from buchang.io.estimate import import_estimate

        value, issues = import_estimate(Path(path))
        return value, list(issues)
    return read_estimate_inputs(path)


# --- console ---------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _left(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _right(text: str, width: int) -> str:
    return " " * max(width - _width(text), 0) + text


def summary(est: Estimate, scenario: Scenario = Scenario.HIGH) -> str:
    """Funds by category for the three scenarios, the totals and the required deposit."""
    s = est.scenarios
    head = _left("资金类别 fund", 28) + "".join(_right(t, 20) for t in ("低 low", "预期 expected", "高 high"))
    rows = [
        f"项目 {est.project_id} {est.name} · {est.jurisdiction} · 预公告日 {est.notice_date}",
        "情景 scenarios: "
        + "；".join(
            f"{_SCENARIO_ZH[x.scenario]}：产权调换比例 {num_text(x.exchange_share)}，过渡 {x.temporary_months} 个月"
            for x in s
        ),
        head,
    ]
    for fund in FUND_ORDER:
        values = [x.fund_fen(fund) for x in s]
        rows.append(_left(f"  {fund.value}", 28) + "".join(_right(format_yuan(v), 20) for v in values))
    rows.append(_left("合计 total", 28) + "".join(_right(format_yuan(x.total_fen), 20) for x in s))
    rows.append(
        _left("其中社会保障 of which SS", 28)
        + "".join(_right(format_yuan(x.social_security_fen), 20) for x in s)
    )
    need = required_upfront_fen(est, scenario)
    rows.append(
        f"应存入前置资金（{_SCENARIO_ZH[scenario]}情景）/ required upfront ({scenario.value}): "
        f"{format_yuan(need)} 元（{uppercase(from_fen(need))}）"
    )
    return "\n".join(rows)


def _print_issues(issues: Sequence[Issue], out: Any) -> None:
    for i in issues:
        print(f"  {i.severity.value}: {i}", file=out)


# --- run -------------------------------------------------------------------------------------


def run_estimate(args: argparse.Namespace) -> int:
    json_file = args.json if args.json not in (None, "-") else None
    refused = missing_inputs("estimate", args.input) or missing_output_folders(
        "estimate", args.output, json_file
    )
    if refused:
        return refused
    store, load_issues = load_tables(*args.tables)
    load_errors = [i for i in load_issues if i.is_error]
    if load_errors:
        print("buchang estimate: 标准表有错误 / table errors (those tables are left out):", file=sys.stderr)
        _print_issues(load_errors, sys.stderr)
    inputs, issues = read_inputs(args.input)
    if inputs is None:
        print(f"buchang estimate: {args.input}: 测算输入无效 / invalid estimate input:", file=sys.stderr)
        _print_issues(issues, sys.stderr)
        return 1
    est = estimate(inputs, store)
    if issues:
        est = est.model_copy(update={"issues": (*issues, *est.issues)})
    scenario = Scenario(args.scenario)
    failed = bool(load_errors) or est.has_errors
    if args.json == "-":
        if args.output:
            try:
                _write_report(est, args.input, Path(args.output), scenario)
            except OSError as exc:
                print(f"buchang estimate: {args.output}: {exc}", file=sys.stderr)
                return 1
        print(estimate_to_json(est))
        return 1 if failed else 0
    top = banner_lines(est)
    if top:
        print("\n".join(top))
        print()
    print(summary(est, scenario))
    if est.issues:
        print()
        print("问题与提示 / issues:")
        _print_issues(est.issues, sys.stdout)
    if args.output:
        try:
            _write_report(est, args.input, Path(args.output), scenario)
        except OSError as exc:
            print(f"buchang estimate: {args.output}: {exc}", file=sys.stderr)
            return 1
        print(f"\n→ {args.output}")
    if args.json:
        try:  # all or nothing; a symlink at the name is replaced, not written through
            write_text_atomic(args.json, estimate_to_json(est) + "\n")
        except OSError as exc:
            print(f"buchang estimate: {args.json}: {exc}", file=sys.stderr)
            return 1
        print(f"→ {args.json}")
    return 1 if load_errors or est.has_errors else 0


def _write_report(est: Estimate, source: str, path: Path, scenario: Scenario) -> Path:
    from buchang.io.reports.compute_report import input_file

    given = Path(source)
    return write_estimate_report(
        est, path, source=input_file(given) if given.is_file() else None, scenario=scenario
    )
