"""Entry point of the ``buchang`` command (``buchang = buchang.cli.main:main``).

Exit codes: 0 ok · 1 findings or invalid input · 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from buchang import __version__
from buchang.cli import (
    audit_cmd,
    basic_cmd,
    compute_cmd,
    demo_cmd,
    estimate_cmd,
    import_cmd,
    ledger_cmd,
    reconcile_cmd,
    report_cmd,
    scenario_cmd,
    tables_cmd,
    template_cmd,
)

#: Command modules, each exposing ``register(subparsers)``; add new ones here.
COMMANDS = (
    demo_cmd,
    compute_cmd,
    estimate_cmd,
    template_cmd,
    import_cmd,
    report_cmd,
    audit_cmd,
    ledger_cmd,
    reconcile_cmd,
    scenario_cmd,
    basic_cmd,
    tables_cmd,
)

DESCRIPTION = """\
征地拆迁补偿与资金管控 — exact expropriation compensation and fund control.
退出码 exit codes: 0 正常 ok · 1 发现问题 findings / invalid input · 2 用法错误 usage error
进度条只在终端显示，--no-progress 关闭 / progress bars only at a terminal; --no-progress turns them off"""

NO_PROGRESS_HELP = "不显示进度条 / no progress bars"


def subparsers_of(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parsers of ``parser``'s sub-commands (one level), in registration order."""
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                if sub not in found:
                    found.append(sub)
    return found


def _add_global_flags(parser: argparse.ArgumentParser) -> None:
    """``--no-progress`` on every sub-command too, so it may come before or after the
    command name; the sub-commands' default is SUPPRESS so that they do not reset it."""
    for sub in subparsers_of(parser):
        sub.add_argument(
            "--no-progress", action="store_true", default=argparse.SUPPRESS, help=NO_PROGRESS_HELP
        )
        _add_global_flags(sub)


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every registered command."""
    parser = argparse.ArgumentParser(
        prog="buchang",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"buchang {__version__}")
    parser.add_argument("--no-progress", action="store_true", help=NO_PROGRESS_HELP)
    sub = parser.add_subparsers(title="命令 commands", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    _add_global_flags(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``buchang`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # --help / --version (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = func(args)
    except BrokenPipeError:  # `buchang … | head`: the reader went away, not an error of ours
        sys.stderr.close()
        return 0
    return code
