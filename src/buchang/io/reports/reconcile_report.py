"""The reconciliation report workbook (``shared/spec/funds.md``, "Reconciliation").

Written from :meth:`buchang.funds.reconcile.ReconcileReport.to_dict` (plain
data, amounts in 分), with the conventions of :mod:`.xlsx`:

* **汇总** — control totals by category (scheduled / approved / paid /
  unpaid), by account (opening + in − out = closing, and the statement's own
  closing), outflow buckets, the conservation checks, findings by code, line
  states;
* **发现** — every finding: code, severity, the records involved, expected /
  actual / difference, the message in Chinese and English;
* **清单行** — every payment-list line with its state;
* **流出** — every outflow with its bucket and how it was matched;
* **异常** — problems with the inputs themselves;
* **参数** — as-of date, tolerance, matching window, masking.

Row 1 is red when any check fails or any error finding stands. Accounts are
masked with ``mask=True``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Protocol

from buchang.io.reports.fastxlsx import open_book, write_book
from buchang.io.reports.xlsx import Block, ColKind, Column, Engine, SheetModel

T, S, C, M, INT = ColKind.TEXT, ColKind.SECRET, ColKind.CODE, ColKind.MONEY, ColKind.INT

SUMMARY_SHEET: Final = "汇总"
FINDINGS_SHEET: Final = "发现"
LINES_SHEET: Final = "清单行"
OUTFLOWS_SHEET: Final = "流出"
ISSUES_SHEET: Final = "异常"
PARAMS_SHEET: Final = "参数"

CATEGORY_COLUMNS: Final = (
    Column("category", "资金类别 / category", C, 16),
    Column("lines", "行数 / lines", INT, 8),
    Column("scheduled_fen", "计划（元） / scheduled", M, 16),
    Column("approved_fen", "已审批（元） / approved", M, 16),
    Column("paid_fen", "已支付（元） / paid", M, 16),
    Column("unpaid_fen", "未支付（元） / unpaid", M, 16),
)
ACCOUNT_COLUMNS: Final = (
    Column("account", "账号 / account", S, 22),
    Column("project_id", "项目 / project", C, 12),
    Column("opening_fen", "期初（元） / opening", M, 16),
    Column("in_fen", "流入（元） / in", M, 16),
    Column("out_fen", "流出（元） / out", M, 16),
    Column("closing_fen", "期末（元） / closing", M, 16),
    Column("statement_closing_fen", "对账单期末（元） / statement closing", M, 18),
)
BUCKET_COLUMNS: Final = (
    Column("bucket", "归属 / bucket", C, 26),
    Column("count", "笔数 / count", INT, 8),
    Column("amount_fen", "金额（元） / amount", M, 16),
)
CHECK_COLUMNS: Final = (
    Column("name", "校验 / check", T, 44),
    Column("expected", "应为 / expected", INT, 16),
    Column("actual", "实为 / actual", INT, 16),
    Column("ok", "通过 / ok", C, 8),
)
COUNT_COLUMNS: Final = (Column("code", "代码 / code", C, 28), Column("count", "数量 / count", INT, 8))
STATE_COLUMNS: Final = (Column("state", "状态 / state", C, 18), Column("count", "行数 / lines", INT, 8))

FINDING_COLUMNS: Final = (
    Column("code", "代码 / code", C, 26),
    Column("severity", "严重程度 / severity", C, 10),
    Column("project_id", "项目 / project", C, 10),
    Column("list_no", "清单 / list", C, 14),
    Column("line_no", "行 / line", INT, 6),
    Column("agreement_no", "协议 / agreement", C, 14),
    Column("txn_ids", "流水 / transactions", C, 24),
    Column("account", "账号 / account", S, 22),
    Column("household_ref", "户 / household", C, 10),
    Column("expected_fen", "应为（元） / expected", M, 16),
    Column("actual_fen", "实为（元） / actual", M, 16),
    Column("difference_fen", "差额（元） / difference", M, 16),
    Column("message_zh", "说明 / message (zh)", T, 50),
    Column("message_en", "message (en)", T, 50),
)
LINE_COLUMNS: Final = (
    Column("list_no", "清单 / list", C, 14),
    Column("line_no", "行 / line", INT, 6),
    Column("agreement_no", "协议 / agreement", C, 14),
    Column("category", "资金类别 / category", C, 14),
    Column("amount_fen", "金额（元） / amount", M, 16),
    Column("paid_fen", "已付（元） / paid", M, 16),
    Column("settled_fen", "已结（元） / settled", M, 16),
    Column("state", "状态 / state", C, 16),
)
OUTFLOW_COLUMNS: Final = (
    Column("txn_id", "流水号 / transaction", C, 14),
    Column("account", "账号 / account", S, 22),
    Column("at", "时间 / at", C, 20),
    Column("amount_fen", "金额（元） / amount", M, 16),
    Column("bucket", "归属 / bucket", C, 26),
    Column("method", "匹配方式 / matched by", C, 16),
    Column("list_no", "清单 / list", C, 14),
    Column("line_no", "行 / line", INT, 6),
    Column("approval_no", "调剂审批 / approval", C, 14),
)
ISSUE_COLUMNS: Final = (
    Column("no", "序号 / no.", INT, 7),
    Column("severity", "严重程度 / severity", C, 10),
    Column("code", "代码 / code", C, 24),
    Column("location", "位置 / location", T, 40),
    Column("message", "说明 / message", T, 80),
)
PARAM_COLUMNS: Final = (Column("name", "参数 / parameter", C, 30), Column("value", "值 / value", T, 40))

STATE_LABEL: Final = {
    "paid": "paid 已付",
    "partly_paid": "partly_paid 部分支付",
    "unpaid_not_due": "unpaid_not_due 未到期",
    "overdue": "overdue 逾期",
}


class HasToDict(Protocol):
    def to_dict(self) -> dict[str, object]: ...


def _records(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key) or []
    return [v for v in value if isinstance(v, Mapping)]


def _rows(records: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> list[list[object]]:
    out: list[list[object]] = []
    for r in records:
        row: list[object] = []
        for c in columns:
            v = r.get(c.key)
            if isinstance(v, list | tuple):
                v = ", ".join(str(x) for x in v)
            elif isinstance(v, bool):
                v = "是 / yes" if v else "否 / no"
            elif v is not None and c.kind in (M, INT) and not isinstance(v, int):
                v = int(v)  # numpy/pandas integers from a frame
            row.append(v)
        out.append(row)
    return out


def _pairs(counts: object) -> list[list[object]]:
    if not isinstance(counts, Mapping):
        return []
    return [[STATE_LABEL.get(str(k), str(k)), int(v)] for k, v in counts.items()]


def banner_text(data: Mapping[str, Any]) -> str:
    """Red banner text when a check fails or an error finding stands; ``""`` otherwise."""
    findings = _records(data, "findings")
    errors = sum(1 for f in findings if f.get("severity") == "error")
    failed = [c for c in _records(data, "checks") if not c.get("ok")]
    bad_inputs = sum(1 for i in _records(data, "issues") if i.get("severity") == "error")
    if not (errors or failed or bad_inputs):
        return ""
    parts = [f"发现{len(findings)}项（错误{errors}项） / {len(findings)} findings ({errors} errors)"]
    if failed:
        parts.append(f"{len(failed)}项平衡校验未通过 / {len(failed)} control checks FAIL")
    if bad_inputs:
        parts.append(f"输入有{bad_inputs}个错误 / {bad_inputs} input errors")
    return "⚠ 对账发现问题 / RECONCILIATION FINDINGS: " + "; ".join(parts)


def reconcile_sheets(data: Mapping[str, Any], *, mask: bool = False) -> tuple[SheetModel, ...]:
    """The reconciliation report as a model of sheets and blocks."""
    issues = _records(data, "issues")
    issue_rows = [
        [n, i.get("severity"), i.get("code"), i.get("text", "").split(": [", 1)[0], i.get("message")]
        for n, i in enumerate(issues, 1)
    ]
    params: list[list[object]] = [
        ["对账截止日 / as of", str(data.get("as_of", ""))],
        ["金额容差（分） / tolerance (fen)", str(data.get("tolerance_fen", ""))],
        ["匹配窗口（天） / matching window (days)", str(data.get("window_days", ""))],
        ["已脱敏 / masked", "是 / yes" if mask else "否 / no"],
    ]
    counts = data.get("counts_by_code")
    return (
        SheetModel(
            SUMMARY_SHEET,
            (
                Block(
                    "一、按资金类别控制总数 / control totals by category",
                    CATEGORY_COLUMNS,
                    _rows(_records(data, "category_totals"), CATEGORY_COLUMNS),
                ),
                Block(
                    "二、专户收支 / accounts: opening + in − out = closing",
                    ACCOUNT_COLUMNS,
                    _rows(_records(data, "account_totals"), ACCOUNT_COLUMNS),
                ),
                Block(
                    "三、流出归属 / outflow buckets",
                    BUCKET_COLUMNS,
                    _rows(_records(data, "bucket_totals"), BUCKET_COLUMNS),
                ),
                Block(
                    "四、平衡校验 / conservation checks",
                    CHECK_COLUMNS,
                    _rows(_records(data, "checks"), CHECK_COLUMNS),
                ),
                Block("五、发现按代码 / findings by code", COUNT_COLUMNS, _pairs(counts)),
                Block("六、清单行状态 / line states", STATE_COLUMNS, _pairs(data.get("line_states"))),
            ),
        ),
        SheetModel(
            FINDINGS_SHEET,
            (Block(None, FINDING_COLUMNS, _rows(_records(data, "findings"), FINDING_COLUMNS)),),
        ),
        SheetModel(LINES_SHEET, (Block(None, LINE_COLUMNS, _rows(_records(data, "lines"), LINE_COLUMNS)),)),
        SheetModel(
            OUTFLOWS_SHEET,
            (Block(None, OUTFLOW_COLUMNS, _rows(_records(data, "outflows"), OUTFLOW_COLUMNS)),),
        ),
        SheetModel(ISSUES_SHEET, (Block(None, ISSUE_COLUMNS, issue_rows),)),
        SheetModel(PARAMS_SHEET, (Block(None, PARAM_COLUMNS, params),)),
    )


def write_reconcile_report(
    report: HasToDict | Mapping[str, Any],
    path: str | Path,
    *,
    mask: bool = False,
    title: str = "",
    engine: Engine = "auto",
) -> Path:
    """Write the reconciliation workbook to ``path`` (atomically) and return it.

    ``report`` is a :class:`~buchang.funds.reconcile.ReconcileReport` or its
    ``to_dict()`` (for instance read back from ``to_json()``); ``engine`` picks
    the writer (:data:`~.xlsx.Engine`).
    """
    data: Mapping[str, Any] = report if isinstance(report, Mapping) else report.to_dict()
    heading = title or f"资金对账报告 / reconciliation report — as of {data.get('as_of', '')}"
    rows = len(_records(data, "lines")) + len(_records(data, "outflows")) + len(_records(data, "findings"))
    book = open_book(path, engine=engine, rows=rows, title=heading, banner=banner_text(data), mask=mask)
    return write_book(book, path, reconcile_sheets(data, mask=mask))
