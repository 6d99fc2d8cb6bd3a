"""Generated survey workbooks: N valid households, for benchmarks and engine tests.

Deterministic (no randomness): 项目, 集体 (10), 地块 (N/5), 户 (N), 成员 (≈2.5 N,
valid 身份证号), 房屋 (N), 附着物 (N/2), written with :mod:`buchang.io.rawxlsx`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from buchang.core.ids import ID_CHECK_CHARS, ID_WEIGHTS
from buchang.io.rawxlsx import RawSheet, write_xlsx
from buchang.io.schema import SURVEY

_STRUCTURES = ("砖混二等", "砖混一等", "钢混", "砖木", "简易结构")
_LEGALITY = ("合法", "合法", "合法", "违法", "未登记非居住")
_LAND = ("水田", "旱地", "水浇地", "林地", "园地")


def resident_id(birth: date, seq: int) -> str:
    """A valid 身份证号 (region 330106) for a birth date and sequence number."""
    body = f"330106{birth:%Y%m%d}{seq % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK_CHARS[total % 11]


def _headers(sheet: str, *keys: str) -> list[object]:
    spec = SURVEY.sheet(sheet)
    return [spec.column(k).header for k in keys] if keys else [c.header for c in spec.columns]


def survey_sheets(households: int) -> list[RawSheet]:
    """A valid survey: 项目, 集体 (10), 地块 (h/5), 户 (h), 成员 (2.5h), 房屋 (h), 附着物 (h/2)."""

    def project() -> Iterator[list[object]]:
        yield _headers("project")
        yield ["P-BENCH", "基准项目", "330106", date(2021, 3, 1), date(2021, 9, 1), None, date(2021, 10, 1)]

    def collectives() -> Iterator[list[object]]:
        yield _headers("collectives")[:3]
        for c in range(10):
            yield [f"C{c:02d}", f"第{c}村民小组", None]

    def parcels() -> Iterator[list[object]]:
        yield _headers("parcels")
        for p in range(households // 5):
            yield [
                f"D{p:06d}",
                _LAND[p % 5],
                Decimal(1000 + p % 997) + Decimal("0.33"),
                f"C{p % 10:02d}",
                "I",
                "否",
            ]

    def households_() -> Iterator[list[object]]:
        yield _headers(
            "households",
            "household_id",
            "head_name",
            "collective",
            "account",
            "option",
            "temporary_months",
            "turnover_housing",
            "high_rise",
            "signing_date",
        )
        for h in range(households):
            yield [
                f"H{h:06d}",
                f"户主{h}",
                f"C{h % 10:02d}",
                "6222020200112233446",
                "产权调换" if h % 3 else "货币补偿",
                24,
                "否",
                "否",
                date(2021, 10, 1) + timedelta(days=h % 60),
            ]

    def members() -> Iterator[list[object]]:
        yield _headers("members")[:8]
        n = 0
        for h in range(households):
            for k in range(2 + h % 2 + (1 if h % 4 == 0 else 0) - (1 if h % 4 == 2 else 0)):
                birth = date(1950, 1, 1) + timedelta(days=(n * 37) % 20000)
                idn = resident_id(birth, n // 20000 * 7 + n % 7)
                sex = "男" if int(idn[16]) % 2 else "女"
                yield [f"H{h:06d}", f"H{h:06d}-{k + 1}", f"成员{n}", idn, sex, birth, "是", "是"]
                n += 1

    def buildings() -> Iterator[list[object]]:
        yield _headers("buildings")[:9]
        for h in range(households):
            yield [
                f"H{h:06d}",
                f"B{h:06d}",
                "集体土地",
                _LEGALITY[h % 5],
                "居住",
                _STRUCTURES[h % 5],
                0.8,
                float(Decimal(80 + h % 120) + Decimal("0.55")),
                float(Decimal(90 + h % 120) + Decimal("0.25")),
            ]

    def attachments() -> Iterator[list[object]]:
        yield _headers("attachments")[:4]
        for a in range(households // 2):
            yield [f"H{a * 2:06d}", f"A{a:06d}", "well", 1]

    return [
        RawSheet("项目", project()),
        RawSheet("集体", collectives()),
        RawSheet("地块", parcels()),
        RawSheet("户", households_()),
        RawSheet("成员", members()),
        RawSheet("房屋", buildings()),
        RawSheet("附着物", attachments()),
    ]


def make_survey(path: Path, households: int) -> Path:
    write_xlsx(path, survey_sheets(households))
    return path
