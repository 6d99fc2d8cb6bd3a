"""``buchang estimate INPUT``: the upfront funds a project must deposit (资金前置测算, spec 4.6).

``INPUT`` is a YAML/JSON document shaped like
:class:`buchang.rules.estimate.EstimateInputs`, or a workbook filled from the
``estimate`` template (``buchang template estimate``; read by
:func:`buchang.io.estimate.import_estimate` and converted by :func:`from_workbook_inputs`).
Prints, for the low/expected/high scenarios, every fund category, the totals
and the amount to deposit (the high figure by default, ``--scenario``), a
banner first when a table used is not official, then the issues.
``-o ESTIMATE.xlsx`` writes the report workbook (summary, the lines of each
scenario with their arithmetic and citations, the tables, the issues);
``--json FILE`` the lossless JSON (``--json`` alone: on stdout instead of the text). Exit codes: 0 ok (warnings allowed) · 1
error issues or invalid input.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from buchang.cli.usage import missing_inputs, missing_output_folders
from buchang.core.errors import Issue, Location, Severity
from buchang.core.money import format_yuan, from_fen, round_fraction, round_half_up_int, uppercase
from buchang.io.atomic import write_text_atomic
from buchang.rules.common import num_text
from buchang.rules.estimate import (
    FUND_EN,
    FUND_ORDER,
    Estimate,
    EstimateInputs,
    EstimateLine,
    HouseholdCount,
    MonthsRange,
    Scenario,
    ShareRange,
    estimate,
    estimate_to_json,
    read_estimate_inputs,
    required_upfront_fen,
)
from buchang.rules.estimate import BuildingSummary as RulesBuilding
from buchang.rules.estimate import LandSummary as RulesLand
from buchang.rules.estimate import PopulationSummary as RulesPopulation
from buchang.rules.inputs import Collective, Option
from buchang.tables.model import Status
from buchang.tables.store import load_tables

if TYPE_CHECKING:
    from buchang.io.estimate import EstimateInputs as WorkbookInputs

_SCENARIO_ZH: Final = {Scenario.LOW: "低", Scenario.EXPECTED: "预期", Scenario.HIGH: "高"}
_STATUS_ZH: Final = {
    Status.OFFICIAL: "官方",
    Status.SECONDARY: "转引，未核对原文",
    Status.ILLUSTRATIVE: "示例数据，非官方标准",
}
BANNER: Final = "注意：以下测算使用了非官方标准表，金额仅供演示或核对，不得作为正式资金前置依据："


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


def _share(part: int, whole: int) -> Decimal:
    """``part / whole`` to 4 places (half up): a share of households."""
    return round_fraction(Fraction(part, whole), 4)


def from_workbook_inputs(x: WorkbookInputs, file: str = "<input>") -> tuple[EstimateInputs, list[Issue]]:
    """The rules' inputs from the spreadsheet schema's (:mod:`buchang.io.estimate`).

    The workbook gives one split and one list of transition rows, not ranges:
    the exchange share is the exchanging households' share of the 安置方式 rows
    (low = expected = high); the months are the households-weighted mean of the
    过渡 rows (expected, rounded half up), their least and their most (low, high).
    It has no collective data (a collective is made of each name the rows give),
    attachments, land-lost persons by age or flat costs: the tables decide, and
    land fees of regime A and the social security quota report what they miss.
    Each such default is an ``info`` issue, so the report says it.
    """
    loc = Location(file=file)
    notes: list[Issue] = []
    total = sum(o.households for o in x.options)
    exchange = sum(o.households for o in x.options if o.option is Option.EXCHANGE)
    share = _share(exchange, total) if total else Decimal(0)
    if total:
        notes.append(
            Issue(
                "ESTIMATE_WORKBOOK_SPLIT",
                f"安置方式: {exchange} of {total} households choose exchange → share {share} (no range in a workbook)",
                Severity.INFO,
                loc,
            )
        )
    temp = [t for t in x.temporary if t.households]
    if temp:
        weight = sum(t.households for t in temp)
        mean = Fraction(sum(t.households * t.months for t in temp), weight)
        expected = round_half_up_int(mean)
        months = MonthsRange(
            low=min(t.months for t in temp), expected=expected, high=max(t.months for t in temp)
        )
    else:
        months = MonthsRange(expected=0)
    tenures = {b.tenure for b in x.buildings}
    households: tuple[HouseholdCount, ...] = ()
    if total and len(tenures) == 1:
        households = (HouseholdCount(tenure=next(iter(tenures)), households=total),)
    notes.append(
        Issue(
            "ESTIMATE_WORKBOOK_DEFAULTS",
            "工作簿无集体经济组织资料、附着物和安置房单价：按标准表估算 / the workbook has no collective data, "
            "attachments or flat costs: the tables decide",
            Severity.INFO,
            loc,
        )
    )
    names = dict.fromkeys(
        [r.collective for r in x.land if r.collective] + [p.collective for p in x.population if p.collective]
    )
    inputs = EstimateInputs(
        collectives=tuple(Collective(collective_id=n, name=n) for n in names),
        project_id=x.project_id,
        name=x.name,
        jurisdiction=x.jurisdiction,
        notice_date=x.notice_date,
        approval_date=x.approval_date,
        valuation_date=x.valuation_date,
        land=tuple(RulesLand.model_validate(r.model_dump()) for r in x.land),
        population=tuple(RulesPopulation.model_validate(r.model_dump()) for r in x.population),
        buildings=tuple(RulesBuilding.model_validate(r.model_dump()) for r in x.buildings),
        households=households,
        exchange_share=ShareRange(expected=share),
        temporary_months=months,
        turnover_housing=any(t.turnover_housing for t in x.temporary),
        high_rise=any(t.high_rise for t in x.temporary),
    )
    return inputs, notes


def read_inputs(path: str) -> tuple[EstimateInputs | None, list[Issue]]:
    """YAML/JSON through the rules' reader; ``.xlsx`` through the spreadsheet import."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        from buchang.io.estimate import import_estimate

        value, issues = import_estimate(Path(path))
        if value is None:
            return None, list(issues)
        inputs, notes = from_workbook_inputs(value, path)
        return inputs, [*issues, *notes]
    return read_estimate_inputs(path)


# --- console ---------------------------------------------------------------------------------


def banner_lines(est: Estimate) -> list[str]:
    """The non-official banner (empty when every table used is official)."""
    if not est.non_official:
        return []
    return [f"!!! {BANNER}"] + [
        f"!!!   {r.table_id}@{r.version}: {_STATUS_ZH[r.status]}" for r in est.non_official
    ]


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


# --- workbook --------------------------------------------------------------------------------

SUMMARY_SHEET: Final = "汇总"
DETAIL_SHEETS: Final = {Scenario.LOW: "明细-低", Scenario.EXPECTED: "明细-预期", Scenario.HIGH: "明细-高"}
TABLES_SHEET: Final = "标准表"
ISSUES_SHEET: Final = "异常"

FUNDS_TITLE: Final = "分类别前置资金 / funds by category"
REQUIRED_TITLE: Final = "应存入前置资金 / required upfront deposit"
SCENARIOS_TITLE: Final = "情景取值 / scenario inputs"
PROJECT_TITLE: Final = "项目 / project"


def _columns() -> dict[str, tuple[Any, ...]]:
    from buchang.io.reports.xlsx import ColKind, Column

    t, c, m, n, i = ColKind.TEXT, ColKind.CODE, ColKind.MONEY, ColKind.NUMBER, ColKind.INT
    return {
        "funds": (
            Column("fund", "资金类别 / fund", t, 30),
            Column("fund_en", "Fund", t, 34),
            Column("low", "低 low（元）", m, 18),
            Column("expected", "预期 expected（元）", m, 18),
            Column("high", "高 high（元）", m, 18),
        ),
        "required": (
            Column("scenario", "情景 / scenario", c, 30),
            Column("amount", "金额（元） / amount", m, 34),
            Column("words", "大写 / in words", t, 40),
        ),
        "scenarios": (
            Column("scenario", "情景 / scenario", c, 30),
            Column("share", "产权调换比例 / exchange share", n, 34),
            Column("months", "过渡月数 / months", i, 18),
        ),
        "project": (Column("name", "项目 / item", c, 30), Column("value", "值 / value", t, 34)),
        "lines": (
            Column("no", "序号 / no.", i, 7),
            Column("fund", "资金类别 / fund", t, 22),
            Column("category", "补偿类别 / category", c, 14),
            Column("item_id", "项目（输入行） / item", c, 24),
            Column("payee", "收款方 / payee", t, 22),
            Column("quantity", "数量 / quantity", n, 12),
            Column("unit", "单位 / unit", c, 7),
            Column("unit_price", "单价 / unit price", n, 14),
            Column("price_unit", "价格单位 / price unit", c, 14),
            Column("factors", "系数 / factors", t, 30),
            Column("amount", "金额（元） / amount", m, 16),
            Column("refs", "标准表依据 / tables", c, 50),
            Column("citation", "文号及条款 / document and article", t, 40),
            Column("status", "标准表状态 / status", c, 14),
            Column("basis", "计算方式 / formula", t, 50),
            Column("note", "说明 / note", t, 50),
            Column("rule", "规则 / rule", c, 30),
        ),
        "tables": (
            Column("table_id", "标准表 / table", c, 36),
            Column("version", "版本 / version", c, 18),
            Column("jurisdiction", "行政区划 / jurisdiction", c, 12),
            Column("status", "状态 / status", c, 12),
            Column("document", "文号 / document", t, 30),
            Column("article", "条款 / article", t, 30),
            Column("content_hash", "内容哈希 / content hash", c, 74),
        ),
        "issues": (
            Column("no", "序号 / no.", i, 7),
            Column("severity", "严重程度 / severity", c, 10),
            Column("code", "代码 / code", c, 28),
            Column("location", "位置 / location", t, 40),
            Column("message", "说明 / message", t, 90),
        ),
    }


def banner_text(est: Estimate) -> str:
    """The red banner of every report sheet, or ``""`` when every table used is official."""
    if not est.non_official:
        return ""
    used = ", ".join(f"{r.table_id}@{r.version}（{_STATUS_ZH[r.status]}）" for r in est.non_official)
    return (
        "⚠ 非官方标准：本测算使用了未经官方原文核对的标准表，不得作为正式资金前置依据 / "
        f"NOT OFFICIAL: estimated from tables whose figures are not official — {used}"
    )


def _line_rows(lines: Sequence[EstimateLine]) -> list[list[object]]:
    return [
        [
            k,
            line.fund.value,
            line.category.value if line.category is not None else "",
            line.item_id,
            line.payee,
            line.quantity,
            line.unit,
            line.unit_price,
            line.price_unit,
            "；".join(f"{f.name} {num_text(f.value)}" for f in line.factors),
            line.amount_fen,
            "；".join(r.label() for r in line.refs) or "（输入 / input）",
            "；".join(sorted({f"{r.document} {r.article}" for r in line.refs})),
            "；".join(sorted({_STATUS_ZH[r.status] for r in line.refs})),
            line.basis,
            line.note,
            line.rule,
        ]
        for k, line in enumerate(lines, 1)
    ]


def write_report(est: Estimate, path: Path, scenario: Scenario = Scenario.HIGH) -> Path:
    """The xlsx report, with the conventions of :mod:`buchang.io.reports.xlsx` (row 1 a banner,
    red when a table is not official; exact numeric money formatted ``0.00``; neutralised text;
    atomic save): 汇总 (funds by category × scenario, the required deposit, the scenario
    inputs, the project), 明细-低/预期/高 (every line with its arithmetic and citations),
    标准表, 异常."""
    from buchang.io.reports.xlsx import Block, ReportWorkbook, SheetModel, check_target, write_sheets

    cols = _columns()
    s = est.scenarios
    funds: list[list[object]] = [[f.value, FUND_EN[f], *(x.fund_fen(f) for x in s)] for f in FUND_ORDER]
    funds += [
        ["补偿费用小计", "compensation subtotal", *(x.compensation_fen for x in s)],
        ["工作费用小计", "working costs subtotal", *(x.working_costs_fen for x in s)],
        ["合计", "total", *(x.total_fen for x in s)],
    ]
    required: list[list[object]] = []
    for which in (Scenario.HIGH, Scenario.EXPECTED):
        need = required_upfront_fen(est, which)
        used = "（采用 / used）" if which is scenario else ""
        required.append([f"{_SCENARIO_ZH[which]} {which.value}{used}", need, uppercase(from_fen(need))])
    ss = est.scenario(scenario)
    required.append(
        [
            "其中社会保障费用（单独列支） / of which social security",
            ss.social_security_fen,
            uppercase(from_fen(ss.social_security_fen)),
        ]
    )
    project: list[list[object]] = [
        ["项目编号 / project id", est.project_id],
        ["项目名称 / project name", est.name],
        ["行政区划 / jurisdiction", est.jurisdiction],
        ["预公告日期 / notice date", est.notice_date.isoformat()],
        ["版本 / library version", est.library_version],
        ["说明 / note", "审慎起见按高情景存入；社会保障费用单独列支，须存入专门账户的另行存入"],
    ]
    sheets = [
        SheetModel(
            SUMMARY_SHEET,
            (
                Block(FUNDS_TITLE, cols["funds"], funds),
                Block(REQUIRED_TITLE, cols["required"], required),
                Block(
                    SCENARIOS_TITLE,
                    cols["scenarios"],
                    [
                        [
                            f"{_SCENARIO_ZH[x.scenario]} {x.scenario.value}",
                            x.exchange_share,
                            x.temporary_months,
                        ]
                        for x in s
                    ],
                ),
                Block(PROJECT_TITLE, cols["project"], project),
            ),
        ),
        *(
            SheetModel(DETAIL_SHEETS[x.scenario], (Block(None, cols["lines"], _line_rows(x.lines)),))
            for x in s
        ),
        SheetModel(
            TABLES_SHEET,
            (
                Block(
                    None,
                    cols["tables"],
                    [
                        [
                            r.table_id,
                            r.version,
                            r.jurisdiction,
                            _STATUS_ZH[r.status],
                            r.document,
                            r.article,
                            r.content_hash,
                        ]
                        for r in est.tables
                    ],
                ),
            ),
        ),
        SheetModel(
            ISSUES_SHEET,
            (
                Block(
                    None,
                    cols["issues"],
                    [
                        [
                            k,
                            i.severity.value,
                            i.code,
                            str(i.location) + (f" ({i.location.key})" if i.location.key else ""),
                            i.message,
                        ]
                        for k, i in enumerate(est.issues, 1)
                    ],
                ),
            ),
        ),
    ]
    target = check_target(path)
    book = ReportWorkbook(
        title=f"{est.project_id} {est.name} — 资金前置测算 / upfront-funds estimate", banner=banner_text(est)
    )
    write_sheets(book, sheets)
    return book.save(target)


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
                write_report(est, Path(args.output), scenario)
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
            write_report(est, Path(args.output), scenario)
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
