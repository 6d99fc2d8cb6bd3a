"""``buchang uppercase`` (大写金额) and ``buchang check-id`` (身份证号, 信用代码, 银行账号)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from buchang.core.errors import Severity
from buchang.core.ids import (
    CheckResult,
    check_bank_account,
    check_credit_code,
    check_resident_id,
    guess_and_check,
)
from buchang.core.money import to_fen, uppercase

_CHECKS = {
    "id": check_resident_id,
    "credit": check_credit_code,
    "account": check_bank_account,
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "uppercase",
        help="金额转大写 / amount to Chinese uppercase (大写金额)",
        description="按人民银行票据填写规定转为大写金额（四舍五入到分）。\n"
        "Write amounts in 大写 per the PBoC bill rules, rounded half up to 分.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("amounts", nargs="+", metavar="AMOUNT", help="金额（元） / amount in yuan, e.g. 107000.53")
    p.add_argument("--json", action="store_true", help="输出JSON / machine-readable output")
    p.set_defaults(func=run_uppercase)

    c = sub.add_parser(
        "check-id",
        help="校验身份证号、信用代码、银行账号 / check IDs, credit codes, accounts",
        description="校验身份证号（GB 11643）、统一社会信用代码（GB 32100）、银行账号（Luhn仅警告）。\n"
        "Check resident IDs, unified social credit codes and bank accounts;\n"
        "exit 1 if any value is invalid (warnings alone exit 0).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument("values", nargs="+", metavar="VALUE", help="待校验的号码 / value to check")
    c.add_argument(
        "--kind",
        choices=("auto", "id", "credit", "account"),
        default="auto",
        help="号码类型（默认自动识别） / kind of value (default: guess)",
    )
    c.add_argument("--json", action="store_true", help="输出JSON / machine-readable output")
    c.set_defaults(func=run_check_id)


def run_uppercase(args: argparse.Namespace) -> int:
    status = 0
    rows: list[dict[str, Any]] = []
    for text in args.amounts:
        try:
            words = uppercase(text)
        except (ValueError, TypeError) as exc:
            rows.append({"amount": text, "fen": None, "words": None, "error": str(exc)})
            if not args.json:
                print(f"buchang uppercase: {text}: {exc}", file=sys.stderr)
            status = 1
            continue
        rows.append({"amount": text, "fen": to_fen(text), "words": words, "error": None})
        if not args.json:
            print(f"{text}  {words}")
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    return status


def check_value(value: str, kind: str) -> CheckResult:
    """Check one value as ``kind`` (``auto`` guesses from its shape)."""
    if kind == "auto":
        return guess_and_check(value)
    return _CHECKS[kind](value)


def result_dict(result: CheckResult) -> dict[str, Any]:
    """A JSON-serialisable form of a :class:`CheckResult`."""
    return {
        "value": result.value,
        "kind": result.kind,
        "valid": result.valid,
        "severity": result.severity.value,
        "code": result.code,
        "reason": result.reason,
        "normalized": result.normalized,
        "details": dict(result.details),
    }


_WORD = {Severity.INFO: "valid", Severity.WARNING: "warning", Severity.ERROR: "invalid"}


def result_line(result: CheckResult) -> str:
    """``VALUE  valid|warning|invalid  kind  [CODE] reason  (details)``."""
    line = f"{result.value}  {_WORD[result.severity]}  {result.kind}  [{result.code}] {result.reason}"
    if result.details:
        line += "  (" + ", ".join(f"{k}: {v}" for k, v in result.details) + ")"
    return line


def run_check_id(args: argparse.Namespace) -> int:
    results = [check_value(v, args.kind) for v in args.values]
    if args.json:
        print(json.dumps([result_dict(r) for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(result_line(r))
    return 1 if any(not r.valid for r in results) else 0
