"""``buchang tables list|show|resolve|validate``: the standard tables.

``--tables DIR`` (repeatable) adds a user's folder — a district office keeps its
own tables — loaded exactly like the shipped ones (:func:`load_tables`); a
table there with the id of a shipped one replaces it. ``--json`` output is
stable: dates ISO, decimals as strings, full content hashes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from buchang.cli.usage import missing_inputs
from buchang.core.errors import Issue, Severity, has_errors
from buchang.tables import (
    FieldSpec,
    Resolution,
    Status,
    Table,
    TableStore,
    TableVersion,
    default_tables_dir,
    load_tables,
)
from buchang.tables.loader import JURISDICTIONS_FILE, table_files
from buchang.tables.model import Scalar

# --- shared helpers (also used by demo_cmd) -----------------------------------


def iso_date(text: str) -> date:
    """argparse type: an ISO date (``2019-12-31``)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD / not an ISO date: {text!r}") from None


def add_table_source_args(p: argparse.ArgumentParser) -> None:
    """``--tables DIR`` (repeatable) and ``--no-default``."""
    p.add_argument(
        "--tables",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="另加标准表目录（可重复） / add a folder of tables (repeatable)",
    )
    p.add_argument(
        "--no-default",
        action="store_true",
        help="不加载内置标准表（仍读内置地区表） / skip the shipped tables (not the jurisdictions)",
    )


def shipped_jurisdictions() -> list[Path]:
    """The shipped ``jurisdictions.yaml``, read even when the shipped tables are not."""
    path = default_tables_dir() / JURISDICTIONS_FILE
    return [path] if path.is_file() else []


def load_tables_from(
    dirs: Sequence[Path | str], include_default: bool = True
) -> tuple[TableStore, list[Issue]]:
    """The shipped tables (unless ``include_default`` is false) plus ``dirs``; the shipped
    jurisdictions are always read, so a user's tables resolve without them."""
    if include_default:
        return load_tables(*dirs)
    return load_tables(*shipped_jurisdictions(), *dirs, include_default=False)


def load_store(args: argparse.Namespace) -> tuple[TableStore, list[Issue]]:
    """Load the tables the arguments ask for."""
    return load_tables_from(args.tables, include_default=not args.no_default)


def issue_line(issue: Issue) -> str:
    """Errors print as ``file:line: [CODE] message (key: …)``; others get a prefix."""
    if issue.is_error:
        return str(issue)
    return f"{'warning' if issue.severity is Severity.WARNING else 'note'}: {issue}"


def print_issues(issues: Iterable[Issue], out: TextIO) -> None:
    for issue in issues:
        print(issue_line(issue), file=out)


def json_scalar(value: Scalar | None) -> Any:
    """Decimals as strings, dates ISO; ints, bools and text as they are."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def short_hash(content_hash: str) -> str:
    """``sha256:0123456789ab…`` → ``0123456789ab``."""
    return content_hash.removeprefix("sha256:")[:12]


def date_range(v: TableVersion) -> str:
    return f"{v.effective_from.isoformat()} – {v.effective_to.isoformat() if v.effective_to else '…'}"


def jurisdiction_text(store: TableStore, code: str) -> str:
    j = store.jurisdictions.get(code)
    return f"{code} {j.name} ({j.level.value})" if j else code


def jurisdiction_dict(store: TableStore, code: str) -> dict[str, str | None]:
    j = store.jurisdictions.get(code)
    return {"code": code, "name": j.name if j else None, "level": j.level.value if j else None}


def _spec_dict(spec: FieldSpec) -> dict[str, Any]:
    return {
        "unit": spec.unit,
        "type": spec.type,
        "label": spec.label,
        "min": json_scalar(spec.min),
        "max": json_scalar(spec.max),
        "choices": list(spec.choices) if spec.choices is not None else None,
        "required": spec.required,
    }


def version_dict(v: TableVersion) -> dict[str, Any]:
    """Everything a version carries, JSON-serialisable."""
    src = v.source
    return {
        "table_id": v.table_id,
        "version": v.version,
        "status": v.status.value,
        "official": v.status is Status.OFFICIAL,
        "effective_from": v.effective_from.isoformat(),
        "effective_to": v.effective_to.isoformat() if v.effective_to else None,
        "verified_on": v.verified_on.isoformat(),
        "content_hash": v.content_hash,
        "variant": v.variant,
        "source": {
            "issuer": src.issuer,
            "document": src.document,
            "document_number": src.document_number,
            "article": src.article,
            "url": src.url,
            "published": src.published.isoformat() if src.published else None,
        },
        "fields": {name: _spec_dict(s) for name, s in v.fields.items()},
        "columns": {name: _spec_dict(s) for name, s in v.columns.items()},
        "values": {name: json_scalar(x) for name, x in v.values.items()},
        "rows": [
            {"key": r.key, "article": r.article, "values": {n: json_scalar(x) for n, x in r.values.items()}}
            for r in v.rows
        ],
        "notes": v.notes,
        "file": v.file,
        "line": v.line,
    }


def table_dict(store: TableStore, t: Table, versions: Sequence[TableVersion] | None = None) -> dict[str, Any]:
    return {
        "id": t.table_id,
        "kind": t.kind,
        "title": t.title,
        "jurisdiction": jurisdiction_dict(store, t.jurisdiction),
        "file": t.file,
        "versions": [version_dict(v) for v in (t.versions if versions is None else versions)],
    }


def _scalar_text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_version(v: TableVersion, out: TextIO, indent: str = "  ") -> None:
    """A version as text: range, status, citation, hash, values, rows."""
    p = indent
    print(f"{p}version {v.version}  {date_range(v)}  [{v.status.value}]", file=out)
    if v.status is not Status.OFFICIAL:
        note = "示例数据，非官方标准" if v.status is Status.ILLUSTRATIVE else "转引数据，未核对原文"
        print(f"{p}  !! {note} / figures are {v.status.value}, not official", file=out)
    src = v.source
    print(f"{p}  issuer 发文机关: {src.issuer}", file=out)
    print(f"{p}  document 文件: {src.document}", file=out)
    if src.document_number:
        print(f"{p}  文号: {src.document_number}", file=out)
    print(f"{p}  article 条款: {src.article}", file=out)
    if src.url:
        print(f"{p}  url: {src.url}", file=out)
    published = src.published.isoformat() if src.published else "-"
    print(f"{p}  published 发布: {published}   verified_on 核对: {v.verified_on.isoformat()}", file=out)
    print(f"{p}  hash: {v.content_hash}", file=out)
    if v.values:
        print(f"{p}  values:", file=out)
        for name, value in v.values.items():
            spec = v.fields.get(name)
            unit = f" {spec.unit}" if spec and spec.unit else ""
            label = f"  {spec.label}" if spec and spec.label else ""
            print(f"{p}    {name} = {_scalar_text(value)}{unit}{label}", file=out)
    if v.rows:
        units = _units_line(v.columns)
        print(f"{p}  rows ({units}):" if units else f"{p}  rows:", file=out)
        for r in v.rows:
            cells = " ".join(f"{n}={_scalar_text(x)}" for n, x in r.values.items())
            article = f"  ({r.article})" if r.article else ""
            print(f"{p}    {r.key}: {cells}{article}", file=out)


def _units_line(columns: Mapping[str, FieldSpec]) -> str:
    return ", ".join(f"{n} {s.unit}" for n, s in columns.items() if s.unit)


def write_resolution(store: TableStore, r: Resolution, out: TextIO) -> None:
    print(f"{r.kind} @ {jurisdiction_text(store, r.jurisdiction)} on {r.on.isoformat()}", file=out)
    print("  chain 查找链: " + " → ".join(jurisdiction_text(store, c) for c in r.chain), file=out)
    if r.answered_by is not None:
        print(f"  answered by 适用级别: {jurisdiction_text(store, r.answered_by)}", file=out)
    if r.version is not None:
        t = store.table(r.version.table_id)
        print(f"  table: {r.version.table_id}  {t.title if t else r.version.title}", file=out)
        write_version(r.version, out, indent="  ")
    print_issues(r.issues, out)


def resolution_dict(store: TableStore, r: Resolution) -> dict[str, Any]:
    return {
        "kind": r.kind,
        "jurisdiction": jurisdiction_dict(store, r.jurisdiction),
        "on": r.on.isoformat(),
        "ok": r.ok,
        "answered_by": jurisdiction_dict(store, r.answered_by) if r.answered_by else None,
        "level": r.level,
        "chain": [jurisdiction_dict(store, c) for c in r.chain],
        "version": version_dict(r.version) if r.version is not None else None,
        "issues": [i.to_dict() for i in r.issues],
    }


# --- commands -----------------------------------------------------------------------


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    tp = sub.add_parser(
        "tables",
        help="标准表：列出、查看、查找、校验 / standard tables: list, show, resolve, validate",
        description="标准表（按地区与生效日期分版本）。\nStandard tables, versioned by jurisdiction and date.",
        formatter_class=fmt,
    )
    tsub = tp.add_subparsers(title="子命令 subcommands", metavar="SUBCOMMAND")
    tp.set_defaults(func=lambda _args: _usage(tp))

    p = tsub.add_parser(
        "list",
        help="列出已加载的标准表 / list loaded tables",
        description="列出标准表：编号、地区、类别、版本、状态、哈希。\n"
        "List tables: id, jurisdiction, kind, versions, status, hash.",
        formatter_class=fmt,
    )
    add_table_source_args(p)
    p.add_argument("--json", action="store_true", help="输出JSON（完整哈希） / JSON with full hashes")
    p.set_defaults(func=run_list)

    p = tsub.add_parser(
        "show",
        help="查看一张标准表 / show one table",
        description="显示标准表的版本、出处、状态、哈希、数值。\n"
        "Show a table's versions with citation, status, hash and figures.",
        formatter_class=fmt,
    )
    p.add_argument("table_id", metavar="ID", help="标准表编号 / table id")
    p.add_argument(
        "--as-of", type=iso_date, metavar="DATE", help="只显示该日有效的版本 / only the version in force"
    )
    add_table_source_args(p)
    p.add_argument("--json", action="store_true", help="输出JSON / machine-readable output")
    p.set_defaults(func=run_show)

    p = tsub.add_parser(
        "resolve",
        help="按地区链和基准日查找 / look up by jurisdiction chain and date",
        description="区→市→省→国家逐级查找某类标准表在基准日有效的版本。\n"
        "Walk district → city → province → national for the version in force on DATE.",
        formatter_class=fmt,
    )
    p.add_argument("kind", metavar="KIND", help="标准类别 / table kind, e.g. land.regime_a_bounds")
    p.add_argument("--jurisdiction", required=True, metavar="CODE", help="行政区划代码 / GB/T 2260 code")
    p.add_argument("--on", required=True, type=iso_date, metavar="DATE", help="基准日 / governing date")
    p.add_argument(
        "--strict", action="store_true", help="超出有效期或核对日即报错 / beyond range is an error"
    )
    add_table_source_args(p)
    p.add_argument("--json", action="store_true", help="输出JSON / machine-readable output")
    p.set_defaults(func=run_resolve)

    p = tsub.add_parser(
        "validate",
        help="校验标准表文件 / validate table files",
        description="校验标准表文件或目录，逐条列出错误（文件:行: [代码] 说明）。\n"
        "Validate table files or folders; list every error as file:line: [CODE] message.",
        formatter_class=fmt,
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="文件或目录 / file or folder")
    p.add_argument("--json", action="store_true", help="输出JSON / machine-readable output")
    p.set_defaults(func=run_validate)


def _usage(p: argparse.ArgumentParser) -> int:
    p.print_help(sys.stderr)
    return 2


def run_list(args: argparse.Namespace) -> int:
    store, issues = load_store(args)
    if args.json:
        data = {
            "tables": [
                {
                    "id": t.table_id,
                    "kind": t.kind,
                    "title": t.title,
                    "jurisdiction": jurisdiction_dict(store, t.jurisdiction),
                    "file": t.file,
                    "versions": [
                        {
                            "version": v.version,
                            "status": v.status.value,
                            "effective_from": v.effective_from.isoformat(),
                            "effective_to": v.effective_to.isoformat() if v.effective_to else None,
                            "verified_on": v.verified_on.isoformat(),
                            "content_hash": v.content_hash,
                        }
                        for v in t.versions
                    ],
                }
                for t in store.tables
            ],
            "issues": [i.to_dict() for i in issues],
        }
        print(dumps(data))
    else:
        write_list(store, sys.stdout)
        print_issues(issues, sys.stderr)
    return 1 if has_errors(issues) else 0


def write_list(store: TableStore, out: TextIO) -> None:
    tables = store.tables
    print(f"{len(tables)} tables 标准表", file=out)
    for t in tables:
        print(f"{t.table_id}  {t.title}", file=out)
        print(f"  {jurisdiction_text(store, t.jurisdiction)} · {t.kind}", file=out)
        for v in t.versions:
            print(
                f"  {v.version}  {date_range(v)}  {v.status.value}  {short_hash(v.content_hash)}",
                file=out,
            )


def run_show(args: argparse.Namespace) -> int:
    store, issues = load_store(args)
    if not args.json:
        print_issues(issues, sys.stderr)
    t = store.table(args.table_id)
    if t is None:
        known = ", ".join(x.table_id for x in store.tables) or "none"
        print(f"buchang tables show: no table '{args.table_id}' (loaded: {known})", file=sys.stderr)
        return 1
    versions = list(t.versions)
    if args.as_of is not None:
        v = t.version_on(args.as_of)
        if v is None:
            ranges = "; ".join(f"{x.version} {date_range(x)}" for x in t.versions)
            print(
                f"buchang tables show: {t.table_id} has no version in force on {args.as_of} ({ranges})",
                file=sys.stderr,
            )
            return 1
        versions = [v]
    if args.json:
        data = table_dict(store, t, versions)
        data["issues"] = [i.to_dict() for i in issues]
        print(dumps(data))
    else:
        print(f"{t.table_id}  {t.title}")
        print(f"  jurisdiction 地区: {jurisdiction_text(store, t.jurisdiction)}")
        print(f"  kind 类别: {t.kind}")
        print(f"  file: {t.file}")
        for v in versions:
            write_version(v, sys.stdout)
    return 1 if has_errors(issues) else 0


def run_resolve(args: argparse.Namespace) -> int:
    store, issues = load_store(args)
    r = store.resolve(args.kind, args.jurisdiction, args.on, strict=args.strict)
    if args.json:
        data = resolution_dict(store, r)
        data["load_issues"] = [i.to_dict() for i in issues]
        print(dumps(data))
    else:
        print_issues(issues, sys.stderr)
        write_resolution(store, r, sys.stdout)
    return 0 if r.ok and not has_errors(issues) else 1


def run_validate(args: argparse.Namespace) -> int:
    paths: list[Path] = args.paths
    refused = missing_inputs("tables validate", *paths)
    if refused:
        return refused
    _, files = table_files(p for p in paths if p.exists())
    store, issues = load_tables_from(paths, include_default=False)
    if getattr(args, "json", False):
        ok = bool(files) and not has_errors(issues)
        print(
            dumps(
                {
                    "ok": ok,
                    "files": len(files),
                    "tables": len(store.tables),
                    "versions": sum(len(t.versions) for t in store.tables),
                    "issues": [i.to_dict() for i in issues],
                }
            )
        )
        return 0 if ok else 1
    print_issues(issues, sys.stdout)
    if has_errors(issues):
        n = sum(1 for i in issues if i.is_error)
        print(f"{n} error(s) / 个错误", file=sys.stderr)
        return 1
    if not files:
        print("buchang tables validate: no .yaml table files found / 未找到标准表文件", file=sys.stderr)
        return 1
    tables = store.tables
    print(f"{len(tables)} tables, {sum(len(t.versions) for t in tables)} versions: OK")
    return 0
