"""The compute report: a workbook a finance officer files and an auditor re-checks.

Sheets (issue 6 item 3; ``shared/spec/domain.md`` section 6):

* **汇总** — blocks, each a title row (column A), a header and a total row:
  by subject (each household / collective, with 大写 for the payment
  document), by category, by village/collective, by payee (with 大写), and
  the project total;
* **明细** — every line with its arithmetic (quantity, unit, unit price,
  factors, amount) and its citation (table id@version[row], 文号, article,
  status);
* **异常** — every issue with its source location (``file:sheet!C12``);
* **参数** — the governing dates, the library version, the input file's
  name and SHA-256, a digest of the input data, and every table used
  (version, status, content hash).

Row 1 of every sheet is a banner, red when any table used is not official.
Amounts are numeric cells (format ``0.00``) holding the exact decimal.

The layout is a model (:func:`compute_sheets`) that the writer writes and
:mod:`buchang.io.audit` re-derives from re-computed results to compare cell
by cell; the subtotals of 汇总 are declared with the 明细 columns they add up
(:data:`SUMMARY_KEYS`), so the audit can re-add them from the lines it finds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

from buchang.core.errors import Issue, Location
from buchang.core.money import from_fen, uppercase
from buchang.io.reports.fastxlsx import FastWorkbook, open_book, write_book
from buchang.io.reports.xlsx import (
    Block,
    ColKind,
    Column,
    Engine,
    SheetModel,
    exact_decimal_text,
)
from buchang.rules.inputs import Project
from buchang.rules.lines import Factor, PayeeKind, ProjectResult, SubjectKind
from buchang.tables.model import Status, TableRef

SUMMARY_SHEET: Final = "汇总"
DETAIL_SHEET: Final = "明细"
ISSUES_SHEET: Final = "异常"
PARAMS_SHEET: Final = "参数"
SHEETS: Final = (SUMMARY_SHEET, DETAIL_SHEET, ISSUES_SHEET, PARAMS_SHEET)

T, S, C, M, N, INT = ColKind.TEXT, ColKind.SECRET, ColKind.CODE, ColKind.MONEY, ColKind.NUMBER, ColKind.INT

#: 明细: one row per line.
DETAIL_COLUMNS: Final = (
    Column("no", "序号 / no.", INT, 7),
    Column("subject_id", "对象编号 / subject", C, 12),
    Column("subject_name", "对象名称 / name", T, 18),
    Column("subject_kind", "对象类型 / kind", C, 8),
    Column("collective", "村组 / collective", C, 10),
    Column("item_id", "项目编号 / item", C, 10),
    Column("category", "补偿类别 / category", C, 14),
    Column("payee", "收款人 / payee", T, 22),
    Column("payee_kind", "收款人类别 / payee kind", C, 12),
    Column("payee_ref", "收款人编号 / payee ref", C, 10),
    Column("account", "收款账号 / account", S, 22),
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
DETAIL_INDEX: Final = {c.key: i for i, c in enumerate(DETAIL_COLUMNS)}

_AMOUNT = Column("amount", "金额（元） / amount", M, 16)
_WORDS = Column("words", "大写金额 / in words", T, 34)
_LINES = Column("lines", "行数 / lines", INT, 8)

BY_SUBJECT: Final = "一、按对象汇总 / by subject (household, collective)"
BY_CATEGORY: Final = "二、按补偿类别汇总 / by category"
BY_COLLECTIVE: Final = "三、按村组汇总 / by village or collective"
BY_PAYEE: Final = "四、按收款人汇总 / by payee"
PROJECT_TOTAL: Final = "五、项目合计 / project total"
TOTAL_LABEL: Final = "合计 / total"

#: Summary blocks: title → (its columns, the number of key columns, the 明细
#: columns those keys come from). Every block has an amount column and ends
#: with a total row (key column 1 = :data:`TOTAL_LABEL`).
SUMMARY_COLUMNS: Final[Mapping[str, tuple[Column, ...]]] = {
    BY_SUBJECT: (
        Column("subject_id", "对象编号 / subject", C, 12),
        Column("subject_name", "对象名称 / name", T, 18),
        Column("subject_kind", "对象类型 / kind", C, 8),
        Column("collective", "村组 / collective", C, 10),
        _LINES,
        _AMOUNT,
        _WORDS,
    ),
    BY_CATEGORY: (Column("category", "补偿类别 / category", C, 14), _LINES, _AMOUNT),
    BY_COLLECTIVE: (
        Column("collective", "村组 / collective", C, 10),
        Column("collective_name", "村组名称 / name", T, 18),
        Column("subjects", "对象数 / subjects", INT, 8),
        _LINES,
        _AMOUNT,
    ),
    BY_PAYEE: (
        Column("payee", "收款人 / payee", T, 22),
        Column("payee_kind", "收款人类别 / payee kind", C, 12),
        Column("payee_ref", "收款人编号 / payee ref", C, 10),
        Column("account", "收款账号 / account", S, 22),
        _LINES,
        _AMOUNT,
        _WORDS,
    ),
    PROJECT_TOTAL: (Column("label", "项目 / project", C, 12), _LINES, _AMOUNT, _WORDS),
}
#: 明细 columns whose values key each summary block (in the block's key-column order).
SUMMARY_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    BY_SUBJECT: ("subject_id",),
    BY_CATEGORY: ("category",),
    BY_COLLECTIVE: ("collective",),
    BY_PAYEE: ("payee", "payee_kind", "payee_ref", "account"),
    PROJECT_TOTAL: (),
}

ISSUE_COLUMNS: Final = (
    Column("no", "序号 / no.", INT, 7),
    Column("severity", "严重程度 / severity", C, 10),
    Column("code", "代码 / code", C, 24),
    Column("location", "位置 / location", T, 40),
    Column("subjects", "涉及对象 / subjects", T, 20),
    Column("message", "说明 / message", T, 80),
)

PARAM_COLUMNS: Final = (Column("name", "参数 / parameter", C, 30), Column("value", "值 / value", T, 60))
PARAMS_TITLE: Final = "计算参数 / parameters"
TABLES_TITLE: Final = "使用的标准表 / tables used"
TABLE_COLUMNS: Final = (
    Column("table_id", "标准表 / table", C, 36),
    Column("version", "版本 / version", C, 18),
    Column("jurisdiction", "行政区划 / jurisdiction", C, 12),
    Column("status", "状态 / status", C, 12),
    Column("document", "文号 / document", T, 30),
    Column("article", "条款 / article", T, 30),
    Column("content_hash", "内容哈希 / content hash", C, 74),
)

# 参数 names (column A of the parameters block); the audit reads them back.
P_PROJECT_ID: Final = "项目编号 / project id"
P_PROJECT_NAME: Final = "项目名称 / project name"
P_JURISDICTION: Final = "行政区划 / jurisdiction"
P_NOTICE: Final = "拟征地告知日 / notice date"
P_APPROVAL: Final = "征地批准日 / approval date"
P_VALUATION: Final = "征收决定公告日 / valuation date"
P_LIBRARY: Final = "buchang版本 / library version"
P_INPUT_NAME: Final = "输入文件 / input file"
P_INPUT_SHA: Final = "输入文件SHA-256 / input file SHA-256"
P_INPUT_DIGEST: Final = "输入数据摘要 / input data digest"
P_MASKED: Final = "已脱敏 / masked"
P_OFFICIAL: Final = "全部为官方标准 / all tables official"
P_TOTAL: Final = "项目合计（元） / project total"
YES, NO = "是 / yes", "否 / no"

SUBJECT_KIND_LABEL: Final = {SubjectKind.HOUSEHOLD: "户", SubjectKind.COLLECTIVE: "集体"}
PAYEE_KIND_LABEL: Final = {
    PayeeKind.COLLECTIVE: "集体经济组织",
    PayeeKind.PERSON: "被安置人员",
    PayeeKind.HOUSEHOLD: "户",
    PayeeKind.OWNER: "所有权人",
    PayeeKind.SOCIAL_SECURITY_FUND: "社保专户",
    PayeeKind.EXPROPRIATOR: "征收部门",
}
STATUS_LABEL: Final = {
    Status.OFFICIAL: "official 官方",
    Status.SECONDARY: "secondary 转引",
    Status.ILLUSTRATIVE: "illustrative 示例",
}
NO_COLLECTIVE: Final = "（无）"


@dataclass(frozen=True, slots=True)
class InputFile:
    """The input a result was computed from: its name (as given), SHA-256 of
    its bytes, and a digest of the data read from it (:func:`project_digest`),
    which survives a re-save that changes the bytes but not the data."""

    name: str
    sha256: str
    data_digest: str | None = None


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (read in 1 MiB chunks)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def project_digest(project: Project) -> str:
    """``sha256:<hex>`` of the project's canonical JSON (the data, not the file)."""
    return "sha256:" + hashlib.sha256(project.model_dump_json().encode("utf-8")).hexdigest()


def input_file(path: str | Path, project: Project | None = None) -> InputFile:
    """Describe an input file for the 参数 sheet (name as given, hashes)."""
    return InputFile(Path(path).name, sha256_file(path), project_digest(project) if project else None)


# --- rows ------------------------------------------------------------------------


def factor_text(factors: Sequence[Factor]) -> str:
    """Factors as ``name=value; …`` (exact values; the audit parses this back)."""
    return "; ".join(f"{f.name}={_rational(f.value)}" for f in factors)


def _rational(value: object) -> str:
    if isinstance(value, Fraction):
        return exact_decimal_text(value) or str(value)
    return str(value)


def citation(refs: Sequence[TableRef]) -> tuple[str, str, str, str]:
    """(table@version[row] labels, documents, articles, statuses) of a line's references."""
    labels = "; ".join(r.label() for r in refs)
    documents = "; ".join(dict.fromkeys(r.document for r in refs))
    articles = "; ".join(dict.fromkeys(r.article for r in refs))
    statuses = "; ".join(dict.fromkeys(r.status.value for r in refs))
    return labels, documents, articles, statuses


def detail_rows(result: ProjectResult) -> Iterator[list[object]]:
    """One row per line, in the order of :data:`DETAIL_COLUMNS` (amounts in 分)."""
    no = 0
    citations: dict[tuple[TableRef, ...], tuple[str, str, str, str]] = {}  # lines share a few citations
    factor_texts: dict[object, str] = {}
    for s in result.subjects:
        kind = SUBJECT_KIND_LABEL[s.kind]
        collective = s.collective or NO_COLLECTIVE
        for line in s.lines:
            no += 1
            cited = citations.get(line.refs)
            if cited is None:
                cited = citations[line.refs] = citation(line.refs)
            labels, documents, articles, statuses = cited
            factors = factor_texts.get(line.factors)
            if factors is None:
                factors = factor_texts[line.factors] = factor_text(line.factors)
            p = line.payee
            yield [
                no,
                s.subject_id,
                s.name,
                kind,
                collective,
                line.item_id,
                line.category.value,
                p.name,
                PAYEE_KIND_LABEL[p.kind],
                p.ref,
                p.account,
                line.quantity,
                line.unit,
                line.unit_price,
                line.price_unit,
                factors,
                line.amount_fen,
                labels,
                documents,
                articles,
                statuses,
                line.rule,
                line.basis,
                line.note,
            ]


class DetailRows:
    """The 明细 rows of a result: iterating gives :func:`detail_rows`; for the fast
    writer, :meth:`fragments` renders the same cells straight from the lines, each
    distinct subject, payee, number, citation and text formatted once (a 100,000-
    household report has 300,000 lines and a few hundred distinct citations)."""

    def __init__(self, result: ProjectResult) -> None:
        self.result = result

    def __iter__(self) -> Iterator[list[object]]:
        return detail_rows(self.result)

    def fragments(self, book: FastWorkbook) -> Iterator[list[str | None]]:
        cell = {c.key: book.fragment(c.kind) for c in DETAIL_COLUMNS}
        item, unit, price_unit, rule, basis, note = (
            _Cells(cell[k]) for k in ("item_id", "unit", "price_unit", "rule", "basis", "note")
        )
        categories = _Cells(lambda c: cell["category"](c.value))
        amount = cell["amount"]
        quantity_f, price_f, factors_f = cell["quantity"], cell["unit_price"], cell["factors"]
        payee_f, payee_kind_f, payee_ref_f, account_f = (
            cell[k] for k in ("payee", "payee_kind", "payee_ref", "account")
        )
        tables_f, document_f, article_f, status_f = (
            cell[k] for k in ("tables", "document", "article", "status")
        )
        payees: dict[tuple[object, ...], tuple[str | None, ...]] = {}
        quantities: dict[tuple[int, int], str | None] = {}
        prices: dict[tuple[int, int], str | None] = {}
        factor_cells: dict[tuple[object, ...], str | None] = {}
        cited_by_id: dict[int, tuple[str | None, ...]] = {}
        cited: dict[tuple[TableRef, ...], tuple[str | None, ...]] = {}
        keep: list[object] = []  # keeps the ref tuples keyed by id() alive
        no = 0
        for s in self.result.subjects:
            head = (
                cell["subject_id"](s.subject_id),
                cell["subject_name"](s.name),
                cell["subject_kind"](SUBJECT_KIND_LABEL[s.kind]),
                cell["collective"](s.collective or NO_COLLECTIVE),
            )
            for line in s.lines:
                no += 1
                refs = line.refs
                c = cited_by_id.get(id(refs))
                if c is None:
                    c = cited.get(refs)
                    if c is None:
                        labels, documents, articles, statuses = citation(refs)
                        c = cited[refs] = (
                            tables_f(labels),
                            document_f(documents),
                            article_f(articles),
                            status_f(statuses),
                        )
                    cited_by_id[id(refs)] = c
                    keep.append(refs)
                p = line.payee
                pkey = (p.name, p.kind, p.ref, p.account)
                pc = payees.get(pkey)
                if pc is None:
                    pc = payees[pkey] = (
                        payee_f(p.name),
                        payee_kind_f(PAYEE_KIND_LABEL[p.kind]),
                        None if p.ref is None else payee_ref_f(p.ref),
                        None if p.account is None else account_f(p.account),
                    )
                q = line.quantity
                qkey = (q.numerator, q.denominator)
                qc = quantities.get(qkey)
                if qc is None:
                    qc = quantities[qkey] = quantity_f(q)
                u = line.unit_price
                ukey = (u.numerator, u.denominator)
                uc = prices.get(ukey)
                if uc is None:
                    uc = prices[ukey] = price_f(u)
                fs = line.factors
                if fs:
                    fkey = tuple((f.name, f.value.numerator, f.value.denominator) for f in fs)
                    fc = factor_cells.get(fkey)
                    if fc is None:
                        fc = factor_cells[fkey] = factors_f(factor_text(fs))
                else:
                    fc = None
                yield [
                    f"><v>{no}</v></c>",
                    *head,
                    item[line.item_id],
                    categories[line.category],
                    *pc,
                    qc,
                    unit[line.unit],
                    uc,
                    price_unit[line.price_unit],
                    fc,
                    amount(line.amount_fen),
                    *c,
                    rule[line.rule],
                    basis[line.basis],
                    note[line.note],
                ]


class _Cells(dict[Any, "str | None"]):
    """value → its cell fragment, computed on first use (a dict lookup afterwards)."""

    def __init__(self, fragment: Callable[[Any], str | None]) -> None:
        super().__init__()
        self.fragment = fragment

    def __missing__(self, key: Any) -> str | None:
        got = self[key] = self.fragment(key)
        return got


@dataclass(slots=True)
class _Acc:
    lines: int = 0
    fen: int = 0
    subjects: int = 0


def _add(acc: dict[tuple[object, ...], _Acc], key: tuple[object, ...], fen: int) -> _Acc:
    a = acc.get(key)
    if a is None:
        a = acc[key] = _Acc()
    a.lines += 1
    a.fen += fen
    return a


def _words_of() -> Callable[[int], str]:
    """``uppercase(from_fen(fen))``, each distinct amount spelt once (a household's
    total is usually also its payee's)."""
    memo: dict[int, str] = {}

    def words(fen: int) -> str:
        got = memo.get(fen)
        if got is None:
            got = memo[fen] = uppercase(from_fen(fen))
        return got

    return words


def _total_row(block: str, lines: int, fen: int, words: Callable[[int], str] | None = None) -> list[object]:
    cols = SUMMARY_COLUMNS[block]
    row: list[object] = [None] * len(cols)
    row[0] = TOTAL_LABEL
    for i, c in enumerate(cols):
        if c.key == "lines":
            row[i] = lines
        elif c.key == "amount":
            row[i] = fen
        elif c.key == "words":
            row[i] = words(fen) if words is not None else uppercase(from_fen(fen))
    return row


def summary_rows(result: ProjectResult) -> dict[str, list[list[object]]]:
    """The rows of every summary block, each block closed by its total row."""
    words = _words_of()
    by_subject: list[list[object]] = []
    cats: dict[tuple[object, ...], _Acc] = {}
    colls: dict[tuple[object, ...], _Acc] = {}
    payees: dict[tuple[object, ...], _Acc] = {}
    names = {s.subject_id: s.name for s in result.subjects if s.kind is SubjectKind.COLLECTIVE}
    total_lines = total_fen = 0
    for s in result.subjects:
        fen = 0
        for line in s.lines:
            fen += line.amount_fen
        total_lines += len(s.lines)
        total_fen += fen
        collective = s.collective or NO_COLLECTIVE
        by_subject.append(
            [
                s.subject_id,
                s.name,
                SUBJECT_KIND_LABEL[s.kind],
                collective,
                len(s.lines),
                fen,
                words(fen),
            ]
        )
        seen = False
        for line in s.lines:
            _add(cats, (line.category.value,), line.amount_fen)
            acc = _add(colls, (collective,), line.amount_fen)
            if not seen:
                acc.subjects += 1
                seen = True
            p = line.payee
            _add(payees, (p.name, PAYEE_KIND_LABEL[p.kind], p.ref, p.account), line.amount_fen)
    out: dict[str, list[list[object]]] = {BY_SUBJECT: by_subject}
    out[BY_CATEGORY] = [[k[0], a.lines, a.fen] for k, a in cats.items()]
    out[BY_COLLECTIVE] = [
        [k[0], names.get(str(k[0]), ""), a.subjects, a.lines, a.fen]
        for k, a in sorted(colls.items(), key=_key)
    ]
    out[BY_PAYEE] = [[*k, a.lines, a.fen, words(a.fen)] for k, a in sorted(payees.items(), key=_key)]
    for block, rows in out.items():
        rows.append(_total_row(block, total_lines, total_fen, words))
    out[PROJECT_TOTAL] = [[result.project_id, total_lines, total_fen, words(total_fen)]]
    return out


def _key(item: tuple[tuple[object, ...], _Acc]) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in item[0])


def _subjects_of(result: ProjectResult) -> dict[Issue, list[str]]:
    out: dict[Issue, list[str]] = {}
    for s in result.subjects:
        for i in s.issues:
            out.setdefault(i, []).append(s.subject_id)
    return out


def _where(issue: Issue, subjects: Sequence[str], locations: Mapping[str, Location]) -> str:
    """The issue's location; an issue known only by a household id points at its survey row."""
    loc = issue.location
    if loc.file is None and loc.sheet is None:
        for key in (loc.key, *(subjects[:1] if len(subjects) == 1 else ())):
            if key is not None and key in locations:
                return str(locations[key])
    text = str(loc)
    if loc.key is not None:
        text += f" ({loc.key})"
    return text


def _subject_list(ids: Sequence[str], limit: int = 10) -> str:
    if len(ids) <= limit:
        return ", ".join(ids)
    return ", ".join(ids[:limit]) + f" …(+{len(ids) - limit})"


def issue_rows(
    result: ProjectResult, input_issues: Sequence[Issue] = (), locations: Mapping[str, Location] | None = None
) -> list[list[object]]:
    """Every issue: the input's own (with their cells) first, then the computation's."""
    where = locations or {}
    carriers = _subjects_of(result)
    subject_ids = {s.subject_id for s in result.subjects}
    rows: list[list[object]] = []
    for issue in input_issues:
        rows.append([len(rows) + 1, issue.severity.value, issue.code, str(issue.location), "", issue.message])
    seen: set[Issue] = set()
    for issue in (*result.issues, *carriers):
        if issue in seen:
            continue
        seen.add(issue)
        key = issue.location.key
        ids = carriers.get(issue) or ([key] if key is not None and key in subject_ids else [])
        rows.append(
            [
                len(rows) + 1,
                issue.severity.value,
                issue.code,
                _where(issue, ids, where),
                _subject_list(ids),
                issue.message,
            ]
        )
    return rows


def param_rows(
    result: ProjectResult, project: Project | None, source: InputFile | None, mask: bool
) -> list[list[object]]:
    """The parameters block (name, value)."""

    def date_text(value: object) -> str:
        return "" if value is None else str(value)

    return [
        [P_PROJECT_ID, result.project_id],
        [P_PROJECT_NAME, result.name],
        [P_JURISDICTION, result.jurisdiction],
        [P_NOTICE, date_text(result.notice_date)],
        [P_APPROVAL, date_text(project.approval_date if project else None)],
        [P_VALUATION, date_text(project.valuation_date if project else None)],
        [P_LIBRARY, result.library_version],
        [P_INPUT_NAME, source.name if source else ""],
        [P_INPUT_SHA, source.sha256 if source else ""],
        [
            P_INPUT_DIGEST,
            (source.data_digest if source else None) or (project_digest(project) if project else ""),
        ],
        [P_MASKED, YES if mask else NO],
        [P_OFFICIAL, NO if result.non_official else YES],
        [P_TOTAL, str(from_fen(result.total_fen))],
    ]


def table_rows(result: ProjectResult) -> list[list[object]]:
    return [
        [t.table_id, t.version, t.jurisdiction, STATUS_LABEL[t.status], t.document, t.article, t.content_hash]
        for t in result.tables
    ]


def banner_text(result: ProjectResult) -> str:
    """The red banner, or ``""`` when every table used is official."""
    refs = result.non_official
    if not refs:
        return ""
    used = ", ".join(f"{r.table_id}@{r.version}（{STATUS_LABEL[r.status]}）" for r in refs)
    return (
        "⚠ 非官方标准：本结果使用了未经官方原文核对的标准表，不得作为正式补偿依据 / "
        f"NOT OFFICIAL: computed from tables whose figures are not official — {used}"
    )


def title_text(result: ProjectResult) -> str:
    return f"{result.project_id} {result.name} — 补偿计算结果 / compensation result"


def compute_sheets(
    result: ProjectResult,
    *,
    project: Project | None = None,
    source: InputFile | None = None,
    input_issues: Sequence[Issue] = (),
    locations: Mapping[str, Location] | None = None,
    mask: bool = False,
) -> tuple[SheetModel, ...]:
    """The report as a model: the sheets and their blocks (raw values)."""
    summaries = summary_rows(result)
    return (
        SheetModel(
            SUMMARY_SHEET,
            tuple(Block(title, SUMMARY_COLUMNS[title], rows) for title, rows in summaries.items()),
        ),
        SheetModel(DETAIL_SHEET, (Block(None, DETAIL_COLUMNS, DetailRows(result), counted=True),)),
        SheetModel(ISSUES_SHEET, (Block(None, ISSUE_COLUMNS, issue_rows(result, input_issues, locations)),)),
        SheetModel(
            PARAMS_SHEET,
            (
                Block(PARAMS_TITLE, PARAM_COLUMNS, param_rows(result, project, source, mask)),
                Block(TABLES_TITLE, TABLE_COLUMNS, table_rows(result)),
            ),
        ),
    )


def write_compute_report(
    result: ProjectResult,
    path: str | Path,
    *,
    project: Project | None = None,
    source: InputFile | None = None,
    input_issues: Sequence[Issue] = (),
    locations: Mapping[str, Location] | None = None,
    mask: bool = False,
    engine: Engine = "auto",
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write the compute report workbook to ``path`` (atomically) and return it.

    ``project`` adds the approval/valuation dates and the input data digest to
    参数; ``source`` records the input file (:func:`input_file`);
    ``input_issues`` are the import's own issues (with their cells) and
    ``locations`` maps household ids to their survey rows, so that 异常 points
    back into the input; ``mask`` masks ID numbers and accounts (公示);
    ``engine`` picks the writer (:data:`~.xlsx.Engine`; the workbooks are the same);
    ``progress(n)`` is told of every ``n`` 明细 lines written.
    """
    sheets = compute_sheets(
        result, project=project, source=source, input_issues=input_issues, locations=locations, mask=mask
    )
    book = open_book(
        path,
        engine=engine,
        rows=sum(len(s.lines) for s in result.subjects),
        title=title_text(result),
        banner=banner_text(result),
        mask=mask,
    )
    return write_book(book, path, sheets, progress)
