"""``buchang demo [--out DIR]``: the main job, end to end, on the bundled example.

Into a folder (default ``./buchang-demo/``; a folder holding only an earlier
demo's outputs is refreshed, any other non-empty folder is refused unless
``--force``, which replaces only the demo's own files):

1. the standard tables: how many, and one resolved at a governing date with its citation;
2. a sample amount in 大写;
3. ``survey.xlsx`` — the bundled example (``scenarios/examples/songjiang_small.yaml``)
   written in the survey template's format, missing ID numbers and accounts
   filled in with invented valid ones (:mod:`buchang.cli.demo_data`);
4. import and validate it (the same importer as ``buchang import survey``);
5. compute every collective and household, write ``result.xlsx`` (汇总/明细/异常/参数)
   and audit it (``buchang audit``);
6. agreements from the result, one per payee line group, and the payment list
   (``agreements.xlsx``, ``payment-list.xlsx``, ``reviews.xlsx``);
7. ``journal.sqlite``: the project opened with the compute total as its required
   upfront funds, two deposits, the start, the agreements taking effect on the
   land approval, the list, four reviews by four distinct people, the payments;
8. the bank statement exported from the journal's movements plus one **planted**
   bank charge (``statement.csv``, ``statement.xlsx``, and ``funds/`` — the CSV
   folder ``buchang reconcile`` reads);
9. reconcile the imported statement against the books (``reconcile.xlsx``,
   ``reconcile.json``): the one planted charge must come out as the one finding;
10. ``ledger verify`` on the journal and a checkpoint (``checkpoint.json``).

Exit 0 when every step came out as expected (the planted finding included),
1 when anything did not, 2 for a usage error (e.g. a non-empty folder).
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final, TextIO

from buchang.cli.compute_cmd import summary
from buchang.cli.demo_data import (
    EXPECTED_FINDINGS,
    PLANTED_NOTE,
    PREPARER,
    REVIEWERS,
    complete_project,
    fill_template,
    journal_commands,
    planted,
    reviews_of,
    statement_of,
    story_of,
    write_statement_xlsx,
    write_survey,
)
from buchang.cli.progress import Progress
from buchang.cli.tables_cmd import (
    add_table_source_args,
    iso_date,
    load_tables_from,
    print_issues,
    write_resolution,
)
from buchang.core.errors import has_errors
from buchang.core.money import format_yuan, from_fen, to_fen, uppercase
from buchang.funds.csvio import FILES as FUNDS_CSV_FILES
from buchang.funds.csvio import write_folder
from buchang.funds.journal import Ledger, checkpoint, verify
from buchang.funds.reconcile import reconcile
from buchang.funds.records import Agreement, PaymentList, Review, ReviewConfig
from buchang.io.audit import audit_workbook
from buchang.io.fundsio import import_bank_statement
from buchang.io.reports.compute_report import input_file, write_compute_report
from buchang.io.reports.reconcile_report import write_reconcile_report
from buchang.io.schema import AGREEMENTS, PAYMENT_LIST, REVIEWS
from buchang.io.survey import import_survey_detailed
from buchang.resources import example_project
from buchang.rules.engine import compute_project
from buchang.rules.explain import banner, explain
from buchang.rules.io import read_project
from buchang.rules.lines import SubjectKind
from buchang.tables import Status

#: 松江 (上海市松江区): the 2021 Songjiang rule sends projects whose 拟征地告知书 was
#: published on or before 2019-12-31 to the old regime — the regime-A bounds of
#: the national table answer, found through the chain 松江 → 上海 → 国家.
DEMO_KIND = "land.regime_a_bounds"
DEMO_JURISDICTION = "310117"
DEMO_DATE = date(2019, 12, 31)
#: The PBoC rules' own example amount (￥107,000.53).
DEMO_AMOUNT = "107000.53"
#: Where the demo writes by default (relative to the working directory).
DEFAULT_FOLDER: Final = Path("buchang-demo")

SURVEY, RESULT = "survey.xlsx", "result.xlsx"
AGREEMENTS_XLSX, LIST_XLSX, REVIEWS_XLSX = "agreements.xlsx", "payment-list.xlsx", "reviews.xlsx"
JOURNAL, CHECKPOINT = "journal.sqlite", "checkpoint.json"
STATEMENT_CSV, STATEMENT_XLSX, FUNDS_DIR = "statement.csv", "statement.xlsx", "funds"
RECON_XLSX, RECON_JSON = "reconcile.xlsx", "reconcile.json"
#: Every file the demo writes (``--force`` removes these and nothing else).
OUTPUTS: Final = (
    SURVEY,
    RESULT,
    AGREEMENTS_XLSX,
    LIST_XLSX,
    REVIEWS_XLSX,
    JOURNAL,
    f"{JOURNAL}-wal",
    f"{JOURNAL}-shm",
    f"{JOURNAL}-journal",
    CHECKPOINT,
    STATEMENT_CSV,
    STATEMENT_XLSX,
    RECON_XLSX,
    RECON_JSON,
)


@dataclass
class DemoOutcome:
    """What the demo found: key figures, report paths, and what was not as expected."""

    folder: Path
    reports: dict[str, str] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unexpected

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "folder": str(self.folder),
            "reports": self.reports,
            "figures": self.figures,
            "unexpected": self.unexpected,
        }


def _only_demo_files(folder: Path) -> bool:
    """True when everything in ``folder`` is an earlier demo run's own output, which a new
    run may replace (so the README's demo command can be run again)."""
    for entry in folder.iterdir():
        if entry.name == FUNDS_DIR and entry.is_dir():
            if any(e.name not in FUNDS_CSV_FILES for e in entry.iterdir()):
                return False
        elif entry.name not in OUTPUTS or not entry.is_file():
            return False
    return True


def prepare_folder(folder: Path, force: bool) -> str | None:
    """Make ``folder`` ready; a reason when it may not be used.

    A folder holding only an earlier demo's outputs is refreshed; one holding
    anything else is refused unless ``force``, which still replaces only the
    demo's own files."""
    if folder.exists() and not folder.is_dir():
        return f"{folder}: 不是目录 / not a folder"
    if folder.is_dir() and any(folder.iterdir()):
        if not force and not _only_demo_files(folder):
            return (
                f"{folder}: 目录非空；用 --force 覆盖演示文件，或 --out 另选目录 / the folder is not empty: "
                "use --force to replace the demo's files, or --out another folder"
            )
        for name in OUTPUTS:
            (folder / name).unlink(missing_ok=True)
        funds = folder / FUNDS_DIR
        if funds.is_symlink():  # drop the link itself: never delete or write where it points
            funds.unlink()
        if funds.is_dir():
            for name in FUNDS_CSV_FILES:
                (funds / name).unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    return None


def _heading(out: TextIO, n: int, text: str) -> None:
    print(f"\n== {n}. {text} ==", file=out)


def _path(outcome: DemoOutcome, key: str, name: str) -> Path:
    path = outcome.folder / name
    outcome.reports[key] = str(path)
    return path


def run_demo(
    out: TextIO,
    *,
    folder: Path = DEFAULT_FOLDER,
    force: bool = False,
    tables: Sequence[Path | str] = (),
    include_default: bool = True,
    kind: str = DEMO_KIND,
    jurisdiction: str = DEMO_JURISDICTION,
    on: date = DEMO_DATE,
    amount: str = DEMO_AMOUNT,
    project: Path | None = None,
    progress: Progress | None = None,
    outcome: DemoOutcome | None = None,
) -> int:
    """Run the demonstration into ``folder``, writing the account of it to ``out``;
    return the exit code (0 everything as expected, 1 not, 2 the folder is refused).
    ``outcome``, when given, is filled with the report paths and key figures."""
    refused = prepare_folder(folder, force)
    if refused:
        print(f"buchang demo: {refused}", file=sys.stderr)
        return 2
    result = outcome if outcome is not None else DemoOutcome(folder)
    result.folder = folder
    bar = progress or Progress(False)
    with bar:
        _run(out, result, bar, tables, include_default, kind, jurisdiction, on, amount, project)
    _finish(out, result)
    return 0 if result.ok else 1


def _run(
    out: TextIO,
    res: DemoOutcome,
    bar: Progress,
    tables: Sequence[Path | str],
    include_default: bool,
    kind: str,
    jurisdiction: str,
    on: date,
    amount: str,
    project_path: Path | None,
) -> None:
    bad = res.unexpected
    with bar.stage("标准表 / tables"):
        store, issues = load_tables_from(tables, include_default=include_default)
    versions = [v for t in store.tables for v in t.versions]
    official = sum(1 for v in versions if v.status is Status.OFFICIAL)
    _heading(out, 1, "标准表 / standard tables")
    print(
        f"{len(store.tables)} 张标准表、{len(versions)} 个版本，其中官方 {official} 个 / "
        f"{len(store.tables)} tables, {len(versions)} versions, {official} official "
        "(全部列出 list them: buchang tables list)",
        file=out,
    )
    print_issues(issues, out)
    if has_errors(issues):
        bad.append("table load errors")
    print(f"\n查找示例 / resolution example (基准日 governing date {on.isoformat()}):", file=out)
    resolution = store.resolve(kind, jurisdiction, on)
    write_resolution(store, resolution, out)
    if not resolution.ok:
        bad.append(f"resolution of {kind} failed")

    _heading(out, 2, "大写金额 / amount in words")
    try:
        print(f"{from_fen(to_fen(amount))}  {uppercase(amount)}", file=out)
    except (ValueError, TypeError) as exc:
        print(f"{amount}: {exc}", file=out)
        bad.append(f"amount {amount!r} is not an amount")

    source = project_path or example_project()
    _heading(out, 3, f"调查登记表 / survey workbook (from {source.name})")
    given, given_issues = read_project(source)
    print_issues(given_issues, out)
    if given is None:
        bad.append(f"{source}: the project does not load")
        return
    full = complete_project(given)
    survey = _path(res, "survey", SURVEY)
    with bar.stage("写调查表 / write the survey"):
        write_survey(full, survey)
    members = sum(len(h.members) for h in full.households)
    print(
        f"{survey}: {len(full.collectives)} 集体、{len(full.parcels)} 地块、{len(full.households)} 户、"
        f"{members} 人 / collectives, parcels, households, members\n"
        "  示例缺少的身份证号与账号已按规则虚构补齐 / missing ID numbers and accounts: invented, valid",
        file=out,
    )

    _heading(out, 4, "导入校验 / import and validate")
    with bar.stage("导入 / import"):
        imported = import_survey_detailed(survey)
    errors = [i for i in imported.issues if i.is_error]
    print(
        f"{survey.name}: {len(errors)} 错误 errors, {len(imported.issues) - len(errors)} 警告 warnings",
        file=out,
    )
    print_issues(imported.issues, out)
    project = imported.project
    if project is None:
        bad.append("the survey workbook does not import")
        return

    _heading(out, 5, "计算与报表 / compute and report")
    with bar.stage("计算 / compute"):
        computed = compute_project(project, store)
        reference = compute_project(given, store).total_fen
    text = banner(computed)
    if text:
        print(text, file=out)
    print(summary(computed), file=out)
    total = computed.total_fen
    if total != reference:
        bad.append(f"survey round trip changed the total: {total} ≠ {reference} fen")
    else:
        print(f"与 {source.name} 直接计算一致 / same total as computing {source.name} directly", file=out)
    if has_errors(computed.issues):
        bad.append("compute reported errors")
    household = next((s for s in computed.subjects if s.kind is SubjectKind.HOUSEHOLD), None)
    if household is not None:
        print(f"\n解释 / explain {household.subject_id}:", file=out)
        print(explain(household), file=out)
    report = _path(res, "result", RESULT)
    with bar.stage("写报表 / write the report"):
        write_compute_report(
            computed,
            report,
            project=project,
            source=input_file(survey, project),
            input_issues=imported.issues,
            locations=imported.households,
        )
    with bar.stage("审计 / audit"):
        audit = audit_workbook(report)
    verdict = "一致 / OK" if audit.ok else "不一致 / FINDINGS"
    print(
        f"\n{report}: 复算审计 audit {verdict} ({audit.cells_compared} cells, {audit.lines} lines)", file=out
    )
    if not audit.ok:
        bad.append("the result workbook does not audit")
    res.figures.update(
        project_id=computed.project_id,
        project_total_fen=total,
        project_total=format_yuan(total),
        project_total_words=uppercase(from_fen(total)),
        non_official_tables=len(computed.non_official),
    )

    _heading(out, 6, "协议与发放清单 / agreements and the payment list")
    story = story_of(project)
    commands, agreements, plist = journal_commands(project, computed, story)
    config = ReviewConfig()
    reviews = reviews_of(plist, config)
    with bar.stage("写协议与清单 / write agreements and list"):
        fill_template(
            AGREEMENTS,
            {"agreements": [_agreement_row(a) for a in agreements]},
            _path(res, "agreements", AGREEMENTS_XLSX),
        )
        fill_template(PAYMENT_LIST, _list_rows(plist), _path(res, "payment_list", LIST_XLSX))
        fill_template(
            REVIEWS, {"reviews": [_review_row(r) for r in reviews]}, _path(res, "reviews", REVIEWS_XLSX)
        )
    agreed = sum(a.amount_fen for a in agreements)
    print(
        f"{len(agreements)} 份协议（每个收款人、每类资金一份），合计 {format_yuan(agreed)} 元 / agreements, "
        f"one per payee and fund category; 签订 signed {min(a.signed_date for a in agreements)}…"
        f"{max(a.signed_date for a in agreements)}，附生效条件：征地批准日 {story.effective} 生效 / "
        f"effective on the land approval",
        file=out,
    )
    print(
        f"清单 list {plist.list_no}: {len(plist.lines)} 行 lines, {format_yuan(plist.total_fen)} 元, "
        f"约定支付期限 due {story.due}; 制表人 preparer {PREPARER[0]} {PREPARER[1]}",
        file=out,
    )
    if agreed != total:
        bad.append(f"agreements total {agreed} ≠ project total {total} fen")

    _heading(out, 7, "资金账簿 / the fund journal")
    journal = _path(res, "journal", JOURNAL)
    with bar.stage("写账簿 / write the journal"), Ledger.create(journal) as ledger:
        appended = ledger.append_many(commands)
        view = ledger.view()
    if not appended.ok:
        for rej in appended.rejections:
            print(f"  refused: [{rej.code.value}] {rej.command_id}: {rej.message}", file=out)
        bad.append(f"the journal refused {len(appended.rejections)} commands")
        return
    fp = view.projects[0]
    deposits = [t for t in view.transactions if t.direction.value == "in"]
    payments = [t for t in view.transactions if t.direction.value == "out"]
    paid = sum(t.amount_fen for t in payments)
    balance = dict(view.balances_fen)[fp.project_id]
    print(f"{journal}: {len(appended.receipts)} 条记录 entries（哈希链 hash-chained, append-only）", file=out)
    print(
        f"  专户 account {fp.account}; 应前置资金 required upfront {format_yuan(fp.required_upfront_fen)} 元",
        file=out,
    )
    for t in deposits:
        print(
            f"  存入 deposit {t.at:%Y-%m-%d} {format_yuan(t.amount_fen):>16} 元  {t.counterparty_name}",
            file=out,
        )
    print(
        f"  启动 start {fp.start_date}（存入已足额 / after the deposits reached the requirement）", file=out
    )
    for r in reviews:
        name = dict(REVIEWERS)[r.reviewer_id]
        print(
            f"  审核 level {r.level} {r.role:<6} {r.reviewer_id} {name}  {r.decision.value}  {r.at:%Y-%m-%d %H:%M}",
            file=out,
        )
    print(
        f"  支付 paid {len(payments)} 笔 payments, {format_yuan(paid)} 元; 余额 balance {format_yuan(balance)} 元",
        file=out,
    )
    res.figures.update(
        required_upfront_fen=fp.required_upfront_fen,
        deposited_fen=sum(t.amount_fen for t in deposits),
        paid_fen=paid,
        paid=format_yuan(paid),
        payments=len(payments),
        agreements=len(agreements),
        journal_entries=len(appended.receipts),
        balance_fen=balance,
    )

    _heading(out, 8, "银行流水 / the bank statement")
    statement = statement_of(view.transactions, story)
    with bar.stage("写流水 / write the statement"):
        write_statement_xlsx(statement, _path(res, "statement_xlsx", STATEMENT_XLSX))
        funds = _path(res, "funds_folder", FUNDS_DIR)
        write_folder(funds, view.projects, view.agreements, view.lists, view.reviews, statement)
        shutil.copyfile(funds / "statement.csv", _path(res, "statement_csv", STATEMENT_CSV))
    print(f"{len(statement)} 行 rows: 由账簿导出 exported from the journal, plus:", file=out)
    for t in planted(statement):
        print(
            f"  !! 植入 PLANTED {t.txn_id} {t.at:%Y-%m-%d} 支出 out {format_yuan(t.amount_fen)} 元 — {PLANTED_NOTE}",
            file=out,
        )

    _heading(out, 9, "对账 / reconcile")
    with bar.stage("导入流水 / import the statement"):
        txns, txn_issues = import_bank_statement(Path(res.reports["statement_xlsx"]))
    print_issues([i for i in txn_issues if i.is_error], out)
    if txns is None:
        bad.append("the statement workbook does not import")
        return
    with bar.stage("对账 / reconcile"):
        recon = reconcile(
            view.projects,
            view.agreements,
            view.lists,
            view.reviews,
            txns,
            as_of=story.as_of,
            review_config=dict(view.review_configs).get(fp.project_id, config),
        )
    with bar.stage("写对账报表 / write the reconciliation"):
        write_reconcile_report(recon, _path(res, "reconcile_xlsx", RECON_XLSX))
        _path(res, "reconcile_json", RECON_JSON).write_text(recon.to_json() + "\n", encoding="utf-8")
    counts = recon.counts_by_code()
    states = recon.lines["state"].value_counts().sort_index()
    print(
        f"对账基准日 as of {story.as_of}; 清单行 lines: "
        + ", ".join(f"{k} {int(v)}" for k, v in states.items()),
        file=out,
    )
    for b in recon.bucket_totals:
        print(f"  {b.bucket:<28}{b.count:>6}{format_yuan(b.amount_fen):>20}", file=out)
    print(f"发现 findings: {len(recon.findings)}", file=out)
    for f in recon.findings:
        print(f"  [{f.code}] {f.severity.value} {f.message_zh} / {f.message_en}", file=out)
    checks_ok = recon.checks_ok
    print("平衡核对 checks: " + ("全部成立 all hold" if checks_ok else "FAILED"), file=out)
    if counts != EXPECTED_FINDINGS:
        bad.append(f"reconciliation findings {counts} ≠ the planted {EXPECTED_FINDINGS}")
    if not checks_ok:
        bad.append("reconciliation control totals do not hold")
    res.figures.update(
        as_of=story.as_of.isoformat(),
        findings_by_code=counts,
        expected_findings=dict(EXPECTED_FINDINGS),
        checks_ok=checks_ok,
    )

    _heading(out, 10, "账簿校验 / ledger verify")
    with bar.stage("校验账簿 / verify the journal"):
        checked = verify(journal)
        cp, _ = checkpoint(journal)
    status = "通过 / OK" if checked.ok else "未通过 / FAILED"
    print(
        f"{journal}: 校验{status}: {checked.entries} 条 entries, head #{checked.head_seq} {checked.head_hash[:16]}…",
        file=out,
    )
    if cp is not None:
        _path(res, "checkpoint", CHECKPOINT).write_text(cp.to_json(), encoding="utf-8")
    if not checked.ok or cp is None:
        bad.append("the journal does not verify")
    res.figures.update(journal_verified=checked.ok)


def _finish(out: TextIO, res: DemoOutcome) -> None:
    f = res.figures
    print("\n== 报表 / reports ==", file=out)
    labels = {
        "survey": "调查登记表 survey",
        "result": "计算报表 compute report",
        "agreements": "补偿协议 agreements",
        "payment_list": "发放清单 payment list",
        "reviews": "审核记录 reviews",
        "journal": "资金账簿 journal (SQLite)",
        "checkpoint": "账簿检查点 checkpoint",
        "statement_xlsx": "银行流水 statement (xlsx)",
        "statement_csv": "银行流水 statement (csv)",
        "funds_folder": "对账输入 reconcile inputs (csv)",
        "reconcile_xlsx": "对账报表 reconciliation report",
        "reconcile_json": "对账结果 reconciliation (JSON)",
    }
    for key, path in res.reports.items():
        print(f"  {labels.get(key, key):<32} {path}", file=out)
    if "project_total" in f:
        print("\n== 关键数字 / key figures ==", file=out)
        print(f"  项目合计 project total  {f['project_total']} 元（{f['project_total_words']}）", file=out)
    if "paid" in f:
        print(f"  已支付 paid            {f['paid']} 元（{f['payments']} 笔 payments）", file=out)
    if "findings_by_code" in f:
        found = ", ".join(f"{k} {v}" for k, v in f["findings_by_code"].items()) or "none"
        print(f"  对账发现 findings      {found}（植入 planted: PAYMENT_UNSCHEDULED 1）", file=out)
    folder = res.folder
    print("\n自己再查一遍 / check it yourself:", file=out)
    print(f"  buchang audit {folder / RESULT}", file=out)
    print(f"  buchang ledger verify {folder / JOURNAL}", file=out)
    if "findings_by_code" in f:
        print(f"  buchang reconcile {folder / FUNDS_DIR} --as-of {f['as_of']}", file=out)
    if res.ok:
        print("\n演示完成，结果均符合预期 / demo complete: everything as expected", file=out)
    else:
        print("\n与预期不符 / NOT as expected:", file=out)
        for item in res.unexpected:
            print(f"  - {item}", file=out)


def _agreement_row(a: Agreement) -> dict[str, object]:
    return {
        "agreement_no": a.agreement_no,
        "project_id": a.project_id,
        "payee_name": a.payee_name,
        "payee_id": a.payee_id,
        "payee_account": a.payee_account,
        "category": a.category,
        "amount": from_fen(a.amount_fen),
        "signed_date": a.signed_date,
        "effective_date": a.effective_date,
        "household_ref": a.household_ref,
    }


def _list_rows(plist: PaymentList) -> dict[str, list[dict[str, object]]]:
    head = {
        "list_no": plist.list_no,
        "project_id": plist.project_id,
        "preparer": plist.preparer,
        "created_at": plist.created_at,
    }
    lines = [
        {
            "list_no": ln.list_no,
            "line_no": ln.line_no,
            "agreement_no": ln.agreement_no,
            "payee_name": ln.payee_name,
            "payee_account": ln.payee_account,
            "category": ln.category,
            "amount": from_fen(ln.amount_fen),
            "due_date": ln.due_date,
        }
        for ln in plist.lines
    ]
    return {"lists": [head], "lines": lines}


def _review_row(r: Review) -> dict[str, object]:
    return {
        "list_no": r.list_no,
        "level": r.level,
        "reviewer_id": r.reviewer_id,
        "role": r.role,
        "decision": r.decision.value,
        "at": r.at,
        "digest": r.digest,
    }


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="演示：示例项目从调查表到对账的全过程 / run the bundled example end to end",
        description="把内置示例项目从头到尾跑一遍：调查表 → 导入 → 计算与报表 → 协议 → 资金账簿（SQLite）\n"
        "→ 四级审核 → 支付 → 银行流水（含一笔植入的手续费）→ 对账 → 账簿校验，并列出各报表位置。\n"
        "Run the bundled example end to end: survey → import → compute and report → agreements →\n"
        "the SQLite journal → four reviews → payments → bank statement (with one planted bank charge)\n"
        "→ reconciliation → ledger verify; print where every report is.\n"
        "退出码 exit codes: 0 一切符合预期 everything as expected · 1 不符 not as expected · 2 用法 usage",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_FOLDER,
        metavar="DIR",
        help=f"输出目录 / output folder (default ./{DEFAULT_FOLDER}/)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="目录非空时覆盖演示文件 / overwrite the demo's files in a non-empty folder",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="以JSON输出报表位置与关键数字 / print reports and key figures as JSON",
    )
    p.add_argument(
        "--kind", default=DEMO_KIND, help=f"查找示例的标准类别 / table kind to resolve (default {DEMO_KIND})"
    )
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
    p.set_defaults(func=_run_cli)


def _run_cli(args: argparse.Namespace) -> int:
    outcome = DemoOutcome(args.out)
    text = io.StringIO() if args.json else sys.stdout
    code = run_demo(
        text,
        folder=args.out,
        force=args.force,
        tables=args.tables,
        include_default=not args.no_default,
        kind=args.kind,
        jurisdiction=args.jurisdiction,
        on=args.on,
        amount=args.amount,
        project=args.project,
        progress=Progress.for_args(args),
        outcome=outcome,
    )
    if args.json and code != 2:
        print(json.dumps(outcome.to_dict(), ensure_ascii=False, indent=1))
    return code
