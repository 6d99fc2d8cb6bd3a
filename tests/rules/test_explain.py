"""explain(): the arithmetic of every line in words, its source, its status, the total."""

from __future__ import annotations

from datetime import date

from tests.rules.rules_kit import parcel, project, regime_b_table, store

from buchang.rules.engine import compute_collective, compute_project
from buchang.rules.explain import explain
from buchang.rules.lines import SubjectKind, SubjectResult


def subject() -> SubjectResult:
    # 6666.67 m² = 10.000005 亩 × 75,000 = 750,000.375 → 300,000.15 + 450,000.225 → 450,000.23.
    proj = project(notice=date(2020, 6, 1), parcels=[parcel("A", "irrigated", "6666.67")])
    return compute_collective(proj, proj.collectives[0], store(regime_b_table(status="illustrative")))


def test_explain_zh_shows_arithmetic_source_status_and_total() -> None:
    text = explain(subject())
    assert text.startswith("集体经济组织 C1 示例村一组")
    assert "6666.67 m² × 75000 元/亩 × 平方米折亩 0.0015 × 土地补偿费比例 0.4 = 300,000.15 元" in text
    # rounding is shown when it changed the amount
    assert "= 450000.225（精确值）→ 四舍五入到分 = 450,000.23 元" in text
    assert "test.land.fees.b@B[Z1].price（测〔2020〕1号 第三条；示例数据，非官方标准）" in text
    assert "付给: 示例村一组（集体经济组织）" in text
    assert "合计：750,000.38 元（柒拾伍万元零叁角捌分）" in text
    assert "[TABLE_NOT_OFFICIAL]" in text


def test_explain_en() -> None:
    text = explain(subject(), lang="en")
    assert "Collective C1" in text
    assert "land compensation fee · A" in text and "resettlement subsidy · A" in text
    assert "illustrative: figures made up" in text
    assert "Total: 750,000.38 yuan" in text


def test_explain_project_has_banner_and_total() -> None:
    proj = project(notice=date(2020, 6, 1), parcels=[parcel("A", "irrigated", "6666.67")])
    result = compute_project(proj, store(regime_b_table(status="illustrative")))
    zh = explain(result)
    assert "注意：以下计算使用了非官方标准表" in zh and "test.land.fees.b@B" in zh
    assert "项目合计: 750,000.38 元" in zh
    official = compute_project(proj, store(regime_b_table()))
    assert "非官方" not in explain(official)


def test_explain_empty_subject() -> None:
    empty = SubjectResult(subject_id="H9", kind=SubjectKind.HOUSEHOLD, name="空户")
    assert "（无补偿项目）" in explain(empty)
    assert "合计：0.00 元（零元整）" in explain(empty)
