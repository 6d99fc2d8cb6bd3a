"""``buchang ledger init|append|verify|checkpoint``: the fund-control journal.

funds.md, "The journal": the books are an append-only, hash-chained journal
(崇明 2025 "锁定后台、留有痕迹"). ``append`` applies a JSON-lines file of
commands, one ``{"id": ..., "type": ..., "data": {...}}`` per line, all or
nothing; ``verify`` recomputes the chain, balances and control totals and names
the first entry that breaks; ``checkpoint`` exports (seq, head hash, control
totals) so that a later ``verify --against`` detects truncation or a rewrite.

A command line (the event data are those of ``buchang.funds.journal.codec``;
amounts are integer 分, a float is refused)::

    {"id": "pay-0001", "type": "payment_executed", "data": {"project_id": "P1",
     "txn_id": "B20250301-17", "list_no": "L1", "line_no": 1, "amount_fen": 40000000,
     "at": "2025-03-01T10:00:00", "reference": ""}}

Exit codes: 0 ok · 1 verification failed or commands refused · 2 usage error
(a missing file, an unreadable checkpoint).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from buchang.cli.progress import Progress
from buchang.core.errors import Issue, Location
from buchang.funds.journal import (
    Checkpoint,
    CodecError,
    Command,
    JournalCorruptError,
    Ledger,
    VerifyReport,
    checkpoint,
    decode_command,
    verify,
)
from buchang.io.atomic import write_text_atomic


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "ledger",
        help="资金账簿（只追加、哈希链） / the fund-control journal (append-only, hash-chained)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lsub = p.add_subparsers(title="子命令 subcommands", metavar="SUBCOMMAND")

    init = lsub.add_parser("init", help="新建账簿文件 / create a new journal file")
    init.add_argument("path", type=Path, metavar="PATH", help="新账簿文件 / the new journal file (SQLite)")
    init.set_defaults(func=run_init)

    app = lsub.add_parser(
        "append",
        help="追加命令（JSON Lines，全部或全不） / append commands from a JSON-lines file, all or nothing",
    )
    app.add_argument("path", type=Path, metavar="PATH", help="账簿文件（SQLite） / the journal file (SQLite)")
    app.add_argument(
        "commands",
        type=Path,
        metavar="COMMANDS.jsonl",
        help="命令文件，每行一条JSON / one JSON command per line",
    )
    app.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    app.set_defaults(func=run_append)

    ver = lsub.add_parser(
        "verify", help="校验哈希链、余额与控制总数 / verify chain, balances and control totals"
    )
    ver.add_argument("path", type=Path, metavar="PATH", help="账簿文件（SQLite） / the journal file (SQLite)")
    ver.add_argument(
        "--against", type=Path, metavar="CHECKPOINT.json", help="对照检查点 / check against a checkpoint"
    )
    ver.add_argument("--deep", action="store_true", help="逐条重放校验全部规则 / also replay every invariant")
    ver.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    ver.set_defaults(func=run_verify)

    cp = lsub.add_parser("checkpoint", help="导出检查点 / export a checkpoint (seq, head hash, totals)")
    cp.add_argument("path", type=Path, metavar="PATH", help="账簿文件（SQLite） / the journal file (SQLite)")
    cp.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="CHECKPOINT.json",
        help="检查点文件 / checkpoint file",
    )
    cp.set_defaults(func=run_checkpoint)

    p.set_defaults(func=lambda _args: _usage(p))


def _usage(p: argparse.ArgumentParser) -> int:
    p.print_help(sys.stderr)
    return 2


def _error(message: str, code: int = 2) -> int:
    print(message, file=sys.stderr)
    return code


def run_init(args: argparse.Namespace) -> int:
    path: Path = args.path
    if path.exists():
        return _error(f"{path}: 文件已存在，不覆盖 / already exists, not overwritten")
    Ledger.create(path).close()
    print(f"已创建账簿 / created journal {path}")
    return 0


def _read_commands(path: Path) -> tuple[list[Command], list[int], list[Issue]]:
    """Commands of a JSON-lines file with their line numbers, or the issues."""
    commands: list[Command] = []
    lines: list[int] = []
    issues: list[Issue] = []
    text = path.read_text(encoding="utf-8")
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            commands.append(decode_command(json.loads(raw)))
            lines.append(n)
        except (json.JSONDecodeError, CodecError) as exc:
            issues.append(
                Issue(
                    "MALFORMED_COMMAND",
                    f"命令格式错误 / malformed command: {exc}",
                    location=Location(file=str(path), line=n),
                )
            )
    return commands, lines, issues


def run_append(args: argparse.Namespace) -> int:
    path: Path = args.path
    source: Path = args.commands
    if not path.is_file():
        return _error(f"{path}: 没有账簿，请先 init / no journal (run `buchang ledger init` first)")
    if not source.is_file():
        return _error(f"{source}: 文件不存在 / no such file")
    commands, line_nos, issues = _read_commands(source)
    out: dict[str, Any] = {"ok": False, "entries": [], "rejections": []}
    if not issues:
        try:
            with (
                Progress.for_args(args) as progress,
                progress.stage(f"追加 / append {len(commands)} commands"),
                Ledger.open(path) as led,
            ):
                result = led.append_many(commands)
        except (JournalCorruptError, sqlite3.DatabaseError) as exc:
            return _error(f"{path}: 账簿无法重放，请运行 verify / journal cannot be replayed ({exc})", 1)
        for rej in result.rejections:
            issues.append(
                Issue(
                    rej.code.value,
                    rej.message,
                    location=Location(str(source), line=line_nos[rej.index], key=rej.command_id),
                )
            )
        if result.ok:
            out["ok"] = True
            out["entries"] = [
                {
                    "seq": r.entry.seq,
                    "command_id": r.entry.command_id,
                    "type": r.entry.type,
                    "project_id": r.entry.project_id,
                    "amount_fen": r.entry.amount_fen,
                    "balance_fen": r.entry.balance_fen,
                    "hash": r.entry.hash.hex(),
                    "replayed": r.replayed,
                }
                for r in result.receipts
            ]
    out["rejections"] = [i.to_dict() for i in issues]
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for e in out["entries"]:
            note = "  (已记录过，未重复写入 / already recorded, nothing written)" if e["replayed"] else ""
            print(f"#{e['seq']} {e['type']} {e['command_id']} 余额/balance {e['balance_fen']} 分{note}")
        for issue in issues:
            print(str(issue), file=sys.stderr)
        if issues:
            print(
                f"拒绝{len(issues)}条，未写入任何记录 / {len(issues)} refused: nothing written",
                file=sys.stderr,
            )
    return 0 if out["ok"] else 1


def _print_report(report: VerifyReport) -> None:
    status = "通过 / OK" if report.ok else "未通过 / FAILED"
    print(f"校验{status}: {report.entries} 条 entries, head #{report.head_seq} {report.head_hash}")
    if report.against_seq is not None:
        print(f"对照检查点 / against checkpoint at #{report.against_seq}")
    if report.first_break is not None:
        print(f"首个断点 / first break: {report.first_break}")
    for problem in report.problems:
        if problem is not report.first_break:
            print(f"  {problem}")
    for p in report.totals.projects:
        print(
            f"  项目 {p.project_id or '-'}: 存入 in {p.deposits_fen} − 支付 out {p.payments_fen}"
            f" + 冲正 corrections {p.corrections_fen} = 余额 balance {p.balance_fen} 分"
        )


def run_verify(args: argparse.Namespace) -> int:
    path: Path = args.path
    if not path.is_file():
        return _error(f"{path}: 没有账簿 / no journal")
    against = None
    if args.against is not None:
        try:
            against = Checkpoint.from_json(Path(args.against).read_text(encoding="utf-8"))
        except (OSError, CodecError) as exc:
            return _error(f"{args.against}: 检查点无法读取 / unreadable checkpoint: {exc}")
    with Progress.for_args(args) as progress, progress.stage(f"校验 / verify {path.name}"):
        report = verify(path, against=against, deep=args.deep)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    return 0 if report.ok else 1


def run_checkpoint(args: argparse.Namespace) -> int:
    path: Path = args.path
    if not path.is_file():
        return _error(f"{path}: 没有账簿 / no journal")
    cp, report = checkpoint(path)
    if cp is None:
        _print_report(report)
        return _error("账簿未通过校验，不导出检查点 / the journal does not verify: no checkpoint", 1)
    try:  # all or nothing; a symlink at the name is replaced, not written through
        write_text_atomic(args.output, cp.to_json())
    except OSError as exc:
        return _error(f"{args.output}: 无法写出 / cannot write: {exc}", 1)
    print(f"检查点 / checkpoint #{cp.seq} {cp.head_hash} → {args.output}")
    return 0
