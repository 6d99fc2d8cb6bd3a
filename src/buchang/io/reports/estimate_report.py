"""The upfront-funds estimate report (资金前置测算, ``shared/spec/domain.md`` 4.6).

The one writer of the estimate workbook: ``buchang estimate -o`` and
``buchang report estimate`` both call :func:`write_estimate_report`. Same
conventions as the compute report (:mod:`.xlsx`): banner row (red when a table
used is not official, with the text of :func:`banner_text` — the console prints
the same words, :func:`banner_lines`), numeric amounts formatted ``0.00``
holding the exact decimal, text neutralised, ``mask`` for publication.

* **汇总** — 一、every fund category (Chinese and English) under the three scenarios
  (low / expected / high), the compensation and working-cost subtotals and the
  totals; 二、the amount to deposit per scenario, with and without social security
  (单独列支), each with its 大写, the scenario the deposit uses marked; 三、the
  values each scenario took from the input ranges (exchange share, months);
* **明细** — every line of every scenario with its arithmetic and citation (a
  figure taken from the input, not a table, says so);
* **异常** — every issue with its location;
* **参数** — project, governing date, the scenario used, library version, input
  file and hash, and every table used (version, status, content hash).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

from buchang.core.money import from_fen, uppercase
from buchang.io.reports.compute_report import (
    ISSUE_COLUMNS,
    NO,
    P_INPUT_NAME,
    P_INPUT_SHA,
    P_JURISDICTION,
    P_LIBRARY,
    P_MASKED,
    P_NOTICE,
    P_OFFICIAL,
    P_PROJECT_ID,
    P_PROJECT_NAME,
    PARAM_COLUMNS,
    PARAMS_TITLE,
    STATUS_LABEL,
    TABLE_COLUMNS,
    TABLES_TITLE,
    YES,
    InputFile,
    citation,
    factor_text,
)
from buchang.io.reports.fastxlsx import open_book, write_book
from buchang.io.reports.xlsx import Block, ColKind, Column, Engine, SheetModel
from buchang.rules.estimate.model import (
    COMPENSATION,
    FUND_EN,
    FUND_ORDER,
    SCENARIOS,
    WORKING_COSTS,
    Estimate,
    FundCategory,
    Scenario,
    ScenarioEstimate,
)

T, C, M, N, INT = ColKind.TEXT, ColKind.CODE, ColKind.MONEY, ColKind.NUMBER, ColKind.INT

SUMMARY_SHEET: Final = "汇总"
DETAIL_SHEET: Final = "明细"
ISSUES_SHEET: Final = "异常"
PARAMS_SHEET: Final = "参数"

SCENARIO_LABEL: Final = {"low": "低 / low", "expected": "预期 / expected", "high": "高 / high"}
#: Marks the scenario whose figure is the required deposit.
USED: Final = "（采用 / used）"
#: The figure of a line that cites no table (an input's own unit cost).
FROM_INPUT: Final = "（输入 / input）"

#: The words of the non-official warning, the same in the workbook banner and on the console.
BANNER_HEAD: Final = (
    "⚠ 非官方标准：本测算使用了未经官方原文核对的标准表，不得作为正式资金前置（预存）依据 / "
    "NOT OFFICIAL: estimated from tables whose figures are not official"
)

FUND_COLUMNS: Final = (
    Column("fund", "资金类别 / fund", C, 30),
    Column("fund_en", "类别英文 / fund (English)", T, 34),
    Column("low", "低（元） / low", M, 18),
    Column("expected", "预期（元） / expected", M, 18),
    Column("high", "高（元） / high", M, 18),
)
UPFRONT_COLUMNS: Final = (
    Column("scenario", "情景 / scenario", C, 30),
    Column("total", "应预存（元） / total", M, 34),
    Column("words", "大写金额 / in words", T, 34),
    Column("social_security", "其中社会保障费用（元） / of which social security", M, 20),
    Column("without_ss", "不含社保（元） / without social security", M, 20),
    Column("without_ss_words", "不含社保大写 / in words", T, 34),
)
SCENARIO_COLUMNS: Final = (
    Column("scenario", "情景 / scenario", C, 30),
    Column("share", "产权调换比例 / exchange share", N, 34),
    Column("months", "过渡月数 / months of temporary housing", INT, 18),
)
DETAIL_COLUMNS: Final = (
    Column("scenario", "情景 / scenario", C, 14),
    Column("no", "序号 / no.", INT, 7),
    Column("fund", "资金类别 / fund", C, 24),
    Column("category", "补偿类别 / category", C, 14),
    Column("item_id", "项目 / item", C, 18),
    Column("payee", "收款人 / payee", T, 22),
    Column("quantity", "数量 / quantity", N, 12),
    Column("unit", "单位 / unit", C, 7),
    Column("unit_price", "单价 / unit price", N, 12),
    Column("price_unit", "单价单位 / price unit", C, 10),
    Column("factors", "系数 / factors", T, 30),
    Column("amount", "金额（元） / amount", M, 16),
    Column("tables", "标准表 / table@version[row]", C, 40),
    Column("document", "文号 / document", T, 26),
    Column("article", "条款 / article", T, 26),
    Column("status", "标准状态 / status", C, 12),
    Column("rule", "规则 / rule", C, 22),
    Column("basis", "计算依据 / basis", T, 40),
    Column("note", "备注 / note", T, 30),
)
BY_FUND: Final = "一、按资金类别与情景 / by fund category and scenario"
UPFRONT: Final = "二、应预存资金 / funds to deposit before the start"
SCENARIOS_TITLE: Final = "三、情景取值 / what each scenario took from the input ranges"

P_SCENARIO: Final = "应预存取用情景 / scenario of the required deposit"
P_NOTE: Final = "说明 / note"
NOTE: Final = (
    "审慎起见按高情景存入；社会保障费用单独列支，须存入专门账户的另行存入 / a prudent office deposits "
    "the high figure; social security is budgeted separately and, where it has its own account, deposited there"
)


def fund_rows(est: Estimate) -> list[list[object]]:
    """Every fund category, then the subtotals and the total, under low / expected / high."""
    rows: list[list[object]] = [
        [f.value, FUND_EN[f], *(s.fund_fen(f) for s in est.scenarios)] for f in FUND_ORDER
    ]

    def subtotal(label: str, english: str, funds: frozenset[FundCategory] | None) -> list[object]:
        def fen(s: ScenarioEstimate) -> int:
            return sum(line.amount_fen for line in s.lines if funds is None or line.fund in funds)

        return [label, english, *(fen(s) for s in est.scenarios)]

    rows.append(subtotal("补偿小计 / compensation", "compensation subtotal", COMPENSATION))
    rows.append(subtotal("工作经费小计 / working costs", "working costs subtotal", WORKING_COSTS))
    rows.append(subtotal("合计 / total", "total", None))
    return rows


def upfront_rows(est: Estimate, used: Scenario = Scenario.HIGH) -> list[list[object]]:
    """The deposit per scenario (the one used marked), with and without social security."""
    out: list[list[object]] = []
    for s in est.scenarios:
        total, ss = s.total_fen, s.social_security_fen
        out.append(
            [
                SCENARIO_LABEL[s.scenario.value] + (USED if s.scenario is used else ""),
                total,
                uppercase(from_fen(total)),
                ss,
                total - ss,
                uppercase(from_fen(total - ss)),
            ]
        )
    return out


def scenario_rows(est: Estimate) -> list[list[object]]:
    return [[SCENARIO_LABEL[s.scenario.value], s.exchange_share, s.temporary_months] for s in est.scenarios]


def detail_rows(est: Estimate) -> Iterator[list[object]]:
    for s in (est.scenario(x) for x in SCENARIOS):
        for no, line in enumerate(s.lines, 1):
            labels, documents, articles, statuses = citation(line.refs)
            yield [
                SCENARIO_LABEL[s.scenario.value],
                no,
                line.fund.value,
                line.category.value if line.category else None,
                line.item_id,
                line.payee,
                line.quantity,
                line.unit,
                line.unit_price,
                line.price_unit,
                factor_text(line.factors),
                line.amount_fen,
                labels or FROM_INPUT,
                documents,
                articles,
                statuses,
                line.rule,
                line.basis,
                line.note,
            ]


def banner_text(est: Estimate) -> str:
    """The red banner of every sheet, or ``""`` when every table used is official."""
    refs = est.non_official
    if not refs:
        return ""
    used = ", ".join(f"{r.table_id}@{r.version}（{STATUS_LABEL[r.status]}）" for r in refs)
    return f"{BANNER_HEAD} — {used}"


def banner_lines(est: Estimate) -> list[str]:
    """The same warning for a console, one table a line (empty when every table is official)."""
    if not est.non_official:
        return []
    return [f"!!! {BANNER_HEAD}:"] + [
        f"!!!   {r.table_id}@{r.version}（{STATUS_LABEL[r.status]}）" for r in est.non_official
    ]


def estimate_sheets(
    est: Estimate,
    *,
    source: InputFile | None = None,
    mask: bool = False,
    scenario: Scenario = Scenario.HIGH,
) -> tuple[SheetModel, ...]:
    issues = [
        [
            n,
            i.severity.value,
            i.code,
            str(i.location) + (f" ({i.location.key})" if i.location.key else ""),
            "",
            i.message,
        ]
        for n, i in enumerate(est.issues, 1)
    ]
    params: list[list[object]] = [
        [P_PROJECT_ID, est.project_id],
        [P_PROJECT_NAME, est.name],
        [P_JURISDICTION, est.jurisdiction],
        [P_NOTICE, str(est.notice_date)],
        [P_SCENARIO, SCENARIO_LABEL[scenario.value]],
        [P_LIBRARY, est.library_version],
        [P_INPUT_NAME, source.name if source else ""],
        [P_INPUT_SHA, source.sha256 if source else ""],
        [P_MASKED, YES if mask else NO],
        [P_OFFICIAL, NO if est.non_official else YES],
        [P_NOTE, NOTE],
    ]
    tables = [
        [t.table_id, t.version, t.jurisdiction, STATUS_LABEL[t.status], t.document, t.article, t.content_hash]
        for t in est.tables
    ]
    return (
        SheetModel(
            SUMMARY_SHEET,
            (
                Block(BY_FUND, FUND_COLUMNS, fund_rows(est)),
                Block(UPFRONT, UPFRONT_COLUMNS, upfront_rows(est, scenario)),
                Block(SCENARIOS_TITLE, SCENARIO_COLUMNS, scenario_rows(est)),
            ),
        ),
        SheetModel(DETAIL_SHEET, (Block(None, DETAIL_COLUMNS, detail_rows(est)),)),
        SheetModel(ISSUES_SHEET, (Block(None, ISSUE_COLUMNS, issues),)),
        SheetModel(
            PARAMS_SHEET,
            (Block(PARAMS_TITLE, PARAM_COLUMNS, params), Block(TABLES_TITLE, TABLE_COLUMNS, tables)),
        ),
    )


def write_estimate_report(
    est: Estimate,
    path: str | Path,
    *,
    source: InputFile | None = None,
    mask: bool = False,
    engine: Engine = "auto",
    scenario: Scenario = Scenario.HIGH,
) -> Path:
    """Write the estimate workbook to ``path`` (atomically: all of it or nothing) and return it.

    ``scenario`` — the scenario whose total is the required deposit (marked in 汇总 and 参数)."""
    rows = sum(len(s.lines) for s in est.scenarios)
    title = f"{est.project_id} {est.name} — 资金前置测算 / upfront-funds estimate"
    book = open_book(path, engine=engine, rows=rows, title=title, banner=banner_text(est), mask=mask)
    return write_book(book, path, estimate_sheets(est, source=source, mask=mask, scenario=scenario))
