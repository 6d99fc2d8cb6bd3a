"""Explain a result in words: every line's arithmetic, its source and the total (spec section 6).

For each line: what it is and who is paid; ``quantity × unit price × factors =
amount`` with the exact value before rounding when rounding changed it; the
table version and row with the document number, the article and the table's
status; the rule's note (counts, caps, legality …). Then the subject's total,
in figures and in 大写, and its warnings. Chinese by default, English with
``lang="en"``.

>>> from buchang.rules.lines import SubjectResult, SubjectKind
>>> print(explain(SubjectResult(subject_id="H1", kind=SubjectKind.HOUSEHOLD, name="张三"), lang="en"))
Household H1 张三
  (no lines)
  Total: 0.00 yuan (零元整)
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final, Literal

from buchang.core.money import format_yuan, fraction_to_fen, from_fen, uppercase
from buchang.rules.common import num_text
from buchang.rules.lines import Category, Line, PayeeKind, ProjectResult, SubjectKind, SubjectResult
from buchang.tables.model import Status, TableRef

Lang = Literal["zh", "en"]

_CATEGORY_EN: Final = {
    Category.LAND_COMPENSATION: "land compensation fee",
    Category.RESETTLEMENT_SUBSIDY: "resettlement subsidy",
    Category.CROPS: "young crops compensation",
    Category.ATTACHMENTS: "ground attachments compensation",
    Category.HOUSE: "house compensation",
    Category.RESIDUAL_VALUE: "residual value",
    Category.MOVING: "moving fee",
    Category.TEMPORARY_HOUSING: "temporary housing fee",
    Category.BUSINESS_LOSS: "business suspension loss",
    Category.SUBSIDY: "subsidy",
    Category.REWARD: "reward",
    Category.SOCIAL_SECURITY: "social security",
    Category.SETTLEMENT_DIFFERENCE: "settlement difference",
}

_PAYEE: Final = {
    PayeeKind.COLLECTIVE: ("集体经济组织", "collective"),
    PayeeKind.PERSON: ("被安置人员", "persons"),
    PayeeKind.HOUSEHOLD: ("户", "household"),
    PayeeKind.OWNER: ("所有者", "owner"),
    PayeeKind.SOCIAL_SECURITY_FUND: ("社保专户", "social security fund"),
    PayeeKind.EXPROPRIATOR: ("征收部门", "expropriating office"),
}

_STATUS: Final = {
    Status.OFFICIAL: ("官方", "official"),
    Status.SECONDARY: ("转引，未核对原文", "secondary: from a copy"),
    Status.ILLUSTRATIVE: ("示例数据，非官方标准", "illustrative: figures made up"),
}

_WORDS: Final = {
    "zh": {
        "kind.household": "户",
        "kind.collective": "集体经济组织",
        "collective": "所属集体",
        "payee": "付给",
        "source": "依据",
        "note": "说明",
        "total": "合计",
        "yuan": "元",
        "none": "（无补偿项目）",
        "warnings": "提示",
        "exact": "精确值",
        "rounded": "四舍五入到分",
        "project": "项目",
        "project_total": "项目合计",
        "notice": "拟征地告知日",
        "banner": "注意：以下计算使用了非官方标准表，金额仅供演示或核对，不得作为正式补偿依据：",
    },
    "en": {
        "kind.household": "Household",
        "kind.collective": "Collective",
        "collective": "collective",
        "payee": "paid to",
        "source": "source",
        "note": "note",
        "total": "Total",
        "yuan": "yuan",
        "none": "(no lines)",
        "warnings": "warnings",
        "exact": "exact",
        "rounded": "rounded half up to the fen",
        "project": "Project",
        "project_total": "Project total",
        "notice": "notice date",
        "banner": "NOTE: non-official standard tables were used; the amounts are for demonstration "
        "or checking only, not an official basis for payment:",
    },
}


def _w(lang: Lang, key: str) -> str:
    return _WORDS[lang][key]


def category_name(category: Category, lang: Lang = "zh") -> str:
    """The category's legal term (zh) or its English name."""
    return category.value if lang == "zh" else _CATEGORY_EN[category]


def ref_text(ref: TableRef, lang: Lang = "zh") -> str:
    """``table@version[row].name（document article，status）``."""
    status = _STATUS[ref.status][0 if lang == "zh" else 1]
    if lang == "zh":
        return f"{ref.label()}（{ref.document} {ref.article}；{status}）"
    return f"{ref.label()} ({ref.document} {ref.article}; {status})"


def arithmetic(line: Line, lang: Lang = "zh") -> str:
    """``quantity unit × unit price price-unit × factor(value) … = amount``."""
    yuan = _w(lang, "yuan")
    parts = [f"{num_text(line.quantity)} {line.unit}", f"{num_text(line.unit_price)} {line.price_unit}"]
    parts += [f"{f.name} {num_text(f.value)}" for f in line.factors]
    exact = line.exact_amount()
    text = " × ".join(parts)
    if Fraction(fraction_to_fen(exact), 100) != exact:
        text += f" = {num_text(exact)}（{_w(lang, 'exact')}）→ {_w(lang, 'rounded')}"
    return f"{text} = {format_yuan(line.amount_fen)} {yuan}"


def explain_line(line: Line, number: int, lang: Lang = "zh") -> list[str]:
    """The lines of text that explain one result line."""
    payee = _PAYEE[line.payee.kind][0 if lang == "zh" else 1]
    head = f"  {number}. {category_name(line.category, lang)} · {line.item_id}"
    if line.basis and lang == "zh":
        head += f"（{line.basis}）"
    out = [head, f"     {_w(lang, 'payee')}: {line.payee.name}（{payee}）", f"     {arithmetic(line, lang)}"]
    out += [f"     {_w(lang, 'source')}: {ref_text(ref, lang)}" for ref in line.refs]
    for f in line.factors:
        if f.note:
            out.append(f"     {f.name}: {f.note}")
    if line.note:
        out.append(f"     {_w(lang, 'note')}: {line.note}")
    out.append(f"     [{line.rule}]")
    return out


def explain_subject(result: SubjectResult, lang: Lang = "zh") -> str:
    """Explain one household or collective: lines, total, warnings."""
    head = f"{_w(lang, 'kind.' + result.kind.value)} {result.subject_id} {result.name}"
    if result.collective and result.kind is SubjectKind.HOUSEHOLD:
        head += (
            f"（{_w(lang, 'collective')}: {result.collective}）"
            if lang == "zh"
            else (f" ({_w(lang, 'collective')}: {result.collective})")
        )
    out = [head]
    if not result.lines:
        out.append(f"  {_w(lang, 'none')}")
    for n, line in enumerate(result.lines, 1):
        out += explain_line(line, n, lang)
    total = result.total_fen
    out.append(
        f"  {_w(lang, 'total')}: {format_yuan(total)} {_w(lang, 'yuan')} ({uppercase(from_fen(total))})"
        if lang == "en"
        else f"  {_w(lang, 'total')}：{format_yuan(total)} 元（{uppercase(from_fen(total))}）"
    )
    if result.issues:
        out.append(f"  {_w(lang, 'warnings')}:")
        out += [f"    - [{i.severity.value}] [{i.code}] {i.message}" for i in result.issues]
    return "\n".join(out)


def banner(result: ProjectResult, lang: Lang = "zh") -> str:
    """The non-official banner, or ``""`` when every table used is official."""
    refs = result.non_official
    if not refs:
        return ""
    lines = [f"!!! {_w(lang, 'banner')}"]
    lines += [f"!!!   {r.table_id}@{r.version}: {_STATUS[r.status][0 if lang == 'zh' else 1]}" for r in refs]
    return "\n".join(lines)


def explain(result: SubjectResult | ProjectResult, lang: Lang = "zh") -> str:
    """Render the arithmetic of a subject or of a whole project in words."""
    if isinstance(result, SubjectResult):
        return explain_subject(result, lang)
    parts = [
        f"{_w(lang, 'project')} {result.project_id} {result.name} ({result.jurisdiction}); "
        f"{_w(lang, 'notice')} {result.notice_date}"
    ]
    top = banner(result, lang)
    if top:
        parts.append(top)
    parts += [explain_subject(s, lang) for s in result.subjects]
    total = result.total_fen
    parts.append(
        f"{_w(lang, 'project_total')}: {format_yuan(total)} {_w(lang, 'yuan')} ({uppercase(from_fen(total))})"
    )
    return "\n\n".join(parts)
