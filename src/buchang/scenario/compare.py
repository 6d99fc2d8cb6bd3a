"""Compare computed results and estimates with a scenario's expectations.

Every expected figure becomes one :class:`~buchang.scenario.report.Check`;
so does every unexpected thing found (a computed line no expectation selects
when ``complete``, an error issue the scenario did not list). Amounts are
compared in integer 分, exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from buchang.core.errors import Issue, Location, Severity
from buchang.core.money import format_yuan, to_fen
from buchang.rules.estimate import FUND_EN, Estimate, required_upfront_fen
from buchang.rules.lines import Line, ProjectResult
from buchang.scenario.report import OK, Check
from buchang.scenario.spec import ExpEstimate, ExpIssue, ExpProject
from buchang.tables.yamlsrc import Path as KeyPath
from buchang.tables.yamlsrc import YamlDoc, path_text

NOTHING = "—"


def where(doc: YamlDoc, path: KeyPath) -> Location:
    """The file, line and key of ``path`` in ``doc``."""
    return Location(file=doc.file, line=doc.line_of(path), key=path_text(path) or None)


def amount_check(kind: str, label: str, expected: Decimal, actual_fen: int | None, loc: Location) -> Check:
    """An amount comparison in fen; ``actual_fen is None`` = nothing matched."""
    exp_fen = to_fen(expected)
    if actual_fen is None:
        return Check(kind, label, format_yuan(exp_fen), NOTHING, "FIGURE_MISSING", loc)
    code = OK if actual_fen == exp_fen else "FIGURE_MISMATCH"
    return Check(kind, label, format_yuan(exp_fen), format_yuan(actual_fen), code, loc)


def _issue_text(i: Issue) -> str:
    return f"{i.code} {i.location}".strip()


def _issue_matches(exp: ExpIssue, i: Issue) -> bool:
    if exp.code != i.code:
        return False
    return exp.key is None or exp.key in (i.location.key or "") or exp.key in str(i.location)


def issue_checks(
    what: str, expected: Sequence[ExpIssue], found: Iterable[Issue], doc: YamlDoc, path: KeyPath
) -> list[Check]:
    """Each expected issue must be reported; every reported **error** must be expected."""
    found = list(found)
    checks: list[Check] = []
    used: set[int] = set()
    for n, exp in enumerate(expected):
        loc = where(doc, (*path, n))
        label = f"{what} {exp.code}" + (f" @{exp.key}" if exp.key else "")
        hits = [k for k, i in enumerate(found) if _issue_matches(exp, i)]
        if hits:
            used.update(hits)
            checks.append(Check("issue", label, exp.code, _issue_text(found[hits[0]]), OK, loc))
        else:
            checks.append(Check("issue", label, exp.code, NOTHING, "ISSUE_MISSING", loc))
    for k, i in enumerate(found):
        if k in used or i.severity is not Severity.ERROR:
            continue
        checks.append(
            Check("issue", f"{what} {i.code}", "no error", f"{i} ", "UNEXPECTED_ISSUE", where(doc, path))
        )
    return checks


def _selects(line: Line, subject: str, item: str | None, category: str | None, rule: str | None) -> bool:
    return (
        line.subject_id == subject
        and (item is None or line.item_id == item)
        and (category is None or line.category.value == category)
        and (rule is None or line.rule == rule)
    )


def _line_label(pid: str, line: Line) -> str:
    return f"{pid} {line.subject_id}/{line.item_id} {line.category.value} [{line.rule}]"


def project_checks(result: ProjectResult, exp: ExpProject, doc: YamlDoc, path: KeyPath) -> list[Check]:
    """Every expectation of one computed project (see :class:`~buchang.scenario.spec.ExpProject`)."""
    pid = result.project_id
    checks: list[Check] = []
    lines = [line for s in result.subjects for line in s.lines]
    covered: set[int] = set()
    for n, e in enumerate(exp.lines):
        loc = where(doc, (*path, "lines", n))
        label = f"{pid} {e.subject}/{e.item or '*'} {e.category or '*'}" + (f" [{e.rule}]" if e.rule else "")
        hits = [k for k, line in enumerate(lines) if _selects(line, e.subject, e.item, e.category, e.rule)]
        covered.update(hits)
        if len(hits) > 1:
            found = ", ".join(_line_label(pid, lines[k]) for k in hits)
            checks.append(Check("line", label, format_yuan(to_fen(e.amount)), found, "FIGURE_AMBIGUOUS", loc))
            continue
        checks.append(amount_check("line", label, e.amount, lines[hits[0]].amount_fen if hits else None, loc))
    if exp.complete:
        for k, line in enumerate(lines):
            if k not in covered:
                checks.append(
                    Check(
                        "line",
                        _line_label(pid, line),
                        "listed in expected lines",
                        format_yuan(line.amount_fen),
                        "LINE_UNLISTED",
                        where(doc, (*path, "lines")),
                    )
                )
    subjects = {s.subject_id: s for s in result.subjects}
    for sid, amount in exp.subjects.items():
        s = subjects.get(sid)
        checks.append(
            amount_check(
                "subject_total",
                f"{pid} {sid} total",
                amount,
                s.total_fen if s else None,
                where(doc, (*path, "subjects", sid)),
            )
        )
    by_category: dict[str, int] = {}
    for line in lines:
        by_category[line.category.value] = by_category.get(line.category.value, 0) + line.amount_fen
    for cat, amount in exp.categories.items():
        checks.append(
            amount_check(
                "category_total",
                f"{pid} {cat}",
                amount,
                by_category.get(cat),
                where(doc, (*path, "categories", cat)),
            )
        )
    if exp.total is not None:
        checks.append(
            amount_check(
                "project_total", f"{pid} total", exp.total, result.total_fen, where(doc, (*path, "total"))
            )
        )
    used = {f"{t.table_id}@{t.version}" for t in result.tables}
    for n, t in enumerate(exp.tables):
        ok = t in used
        checks.append(
            Check(
                "table",
                f"{pid} cites {t}",
                t,
                t if ok else ", ".join(sorted(used)),
                OK if ok else "TABLE_NOT_CITED",
                where(doc, (*path, "tables", n)),
            )
        )
    checks += issue_checks(pid, exp.issues, result.issues, doc, (*path, "issues"))
    return checks


def _fund_key(name: str) -> str:
    return name.strip().lower()


def estimate_checks(est: Estimate, exp: ExpEstimate, doc: YamlDoc, path: KeyPath) -> list[Check]:
    """The estimate's figures for one of its scenarios (low / expected / high)."""
    s = est.scenario(exp.scenario)
    by_fund = s.by_fund()
    names = {_fund_key(f.value): f for f in by_fund} | {_fund_key(FUND_EN[f]): f for f in by_fund}
    checks: list[Check] = []
    for name, amount in exp.funds.items():
        fund = names.get(_fund_key(name))
        checks.append(
            amount_check(
                "estimate_fund",
                f"estimate[{exp.scenario}] {name}",
                amount,
                by_fund[fund] if fund is not None else None,
                where(doc, (*path, "funds", name)),
            )
        )
    if exp.total is not None:
        checks.append(
            amount_check(
                "estimate_total",
                f"estimate[{exp.scenario}] total",
                exp.total,
                s.total_fen,
                where(doc, (*path, "total")),
            )
        )
    if exp.required_upfront is not None:
        checks.append(
            amount_check(
                "required_upfront",
                f"estimate[{exp.scenario}] required upfront",
                exp.required_upfront,
                required_upfront_fen(est, exp.scenario),
                where(doc, (*path, "required_upfront")),
            )
        )
    checks += issue_checks("estimate", exp.issues, est.issues, doc, (*path, "issues"))
    return checks
