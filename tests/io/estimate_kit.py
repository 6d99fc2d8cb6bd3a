"""Test kit for the estimate workbook (资金前置测算输入): the 巴南 farmland project of
``scenarios/banan_upfront`` as YAML and as workbook rows (the same inputs both ways), and
the broken estimate workbooks, one per error code of the sheets and columns the estimate
template added (测算参数, 集体, 附着物, 被征收户数, land-lost persons by age, 青苗品种, 评估均价).

``tests/io/broken/make_broken_estimate.py`` writes the broken workbooks to a folder for
inspection; the tests generate them into a temporary folder (deterministic, nothing binary
committed).

The project (BN-2021-07, 巴南 500113, notice 2021-03-01, approval 2021-09-01): 示例村一社
(C1) loses 20,000 m² paddy, 6,000 m² dry land and 1,500 m² unused land (no crops) in zone
banan-I; 2 wells, 3 graves; 2 households, 5 persons, the land-lost persons one per age
group; houses 160 m² 砖混二等 (成新 0.7) and 95.5 m² 砖木 (成新 0.6); flats bought back,
no rewards. ``ranges=True`` makes the exchange share 0.4 / 0.5 / 0.6 and the months of
temporary housing 18 / 24 / 30; otherwise 0.5 and 24, the scenario's own estimate.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.io.io_kit import LUHN_FAIL_ACCOUNT, Rows, cell, sheet_rows, write_survey

from buchang.io.rawxlsx import RawSheet, write_xlsx
from buchang.io.schema import ESTIMATE

Book = dict[str, Rows]

NAME = "巴南区南泉街道某安置房配套道路工程征地拆迁（示例）"
VILLAGE = "南泉街道示例村一社"


def banan_yaml(*, ranges: bool = False) -> str:
    """The inputs as the YAML of ``buchang estimate`` (decimals quoted)."""
    share = '{low: "0.4", expected: "0.5", high: "0.6"}' if ranges else '{expected: "0.5"}'
    months = '{low: "18", expected: "24", high: "30"}' if ranges else '{expected: "24"}'
    return f"""\
project_id: BN-2021-07
name: {NAME}
jurisdiction: "500113"
notice_date: "2021-03-01"
approval_date: "2021-09-01"
collectives:
  - {{collective_id: C1, name: {VILLAGE}, pre_agricultural_area_m2: "260000", agricultural_population_16plus: "30"}}
land:
  - {{land_class: paddy, area_m2: "20000", zone: banan-I, collective: C1}}
  - {{land_class: dry, area_m2: "6000", zone: banan-I, collective: C1}}
  - {{land_class: unused, area_m2: "1500", zone: banan-I, collective: C1, crop_item: ""}}
attachments:
  - {{item_code: well, quantity: "2"}}
  - {{item_code: grave, quantity: "3"}}
population:
  - {{collective: C1, households: "2", persons: "5", land_lost_under_16: "1", land_lost_working_age: "1", land_lost_retired: "1"}}
buildings:
  - {{structure: brick_concrete_2, area_m2: "160", newness: "0.7"}}
  - {{structure: brick_wood, area_m2: "95.5", newness: "0.6"}}
households:
  - {{tenure: collective, households: "2", persons: "5"}}
exchange_share: {share}
temporary_months: {months}
flats: {{source: buy_back}}
rewards: false
"""


def banan_rows(*, ranges: bool = False) -> Book:
    """The same inputs as the rows of the estimate template (sheet key → rows by column key),
    typed as an officer types them: Chinese labels, 是/否, numbers, dates."""
    assumptions: dict[str, Any] = {
        "exchange_share": Decimal("0.5"),
        "temporary_months": 24,
        "flat_source": "回购",
        "rewards": "否",
    }
    if ranges:
        assumptions |= {
            "exchange_share_low": Decimal("0.4"),
            "exchange_share_high": Decimal("0.6"),
            "temporary_months_low": 18,
            "temporary_months_high": 30,
        }
    return {
        "project": [
            {
                "project_id": "BN-2021-07",
                "name": NAME,
                "jurisdiction": "500113",
                "notice_date": date(2021, 3, 1),
                "approval_date": date(2021, 9, 1),
            }
        ],
        "assumptions": [assumptions],
        "collectives": [
            {
                "collective_id": "C1",
                "name": VILLAGE,
                "pre_agricultural_area_m2": Decimal("260000"),
                "agricultural_population_16plus": 30,
            }
        ],
        "land": [
            {"land_class": "水田", "zone": "banan-I", "area_m2": Decimal("20000"), "collective": "C1"},
            {"land_class": "旱地", "zone": "banan-I", "area_m2": Decimal("6000"), "collective": "C1"},
            {
                "land_class": "未利用地",
                "zone": "banan-I",
                "area_m2": Decimal("1500"),
                "collective": "C1",
                "crop_item": "无",
            },
        ],
        "attachments": [
            {"item_code": "well", "quantity": Decimal("2")},
            {"item_code": "grave", "quantity": Decimal("3")},
        ],
        "population": [
            {
                "collective": VILLAGE,  # by name: resolves to C1
                "households": 2,
                "persons": 5,
                "land_lost_under_16": 1,
                "land_lost_working_age": 1,
                "land_lost_retired": 1,
            }
        ],
        "buildings": [
            {"structure": "砖混二等", "area_m2": Decimal("160"), "newness": Decimal("0.7")},
            {"structure": "砖木", "area_m2": Decimal("95.5"), "newness": Decimal("0.6")},
        ],
        "households": [{"tenure": "集体土地", "households": 2, "persons": 5}],
    }


def write_estimate(path: Path, book: Book, *, drop: tuple[str, ...] = ()) -> Path:
    """Write ``book`` in the estimate template's layout (every declared column)."""
    return write_survey(path, book, kind=ESTIMATE, drop=drop)


def where(key: str, col: str, index: int = 0) -> str:
    """``sheet!C2`` of data row ``index`` (0-based) of column ``col`` of estimate sheet ``key``."""
    return cell(key, col, index, kind=ESTIMATE)


# --- broken estimate workbooks ------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A broken estimate workbook: the code expected, where (``sheet!C12``) and how it is made."""

    code: str
    where: str
    make: Callable[[Path], Path]
    severity: str = "error"


def _mutate(change: Callable[[Book], None]) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        book = copy.deepcopy(banan_rows(ranges=True))
        change(book)
        return write_estimate(path, book)

    return make


def _set(sheet: str, index: int, **values: object) -> Callable[[Book], None]:
    def change(b: Book) -> None:
        b[sheet][index].update(values)

    return change


def _two_assumption_rows(b: Book) -> None:
    b["assumptions"].append(dict(b["assumptions"][0]))


def _duplicate_collective(b: Book) -> None:
    b["collectives"].append({"collective_id": "C1", "name": "南泉街道示例村二社"})


def _second_collective_unnamed_land(b: Book) -> None:
    b["collectives"].append({"collective_id": "C2", "name": "南泉街道示例村二社"})
    b["land"][0]["collective"] = None


def _raw_sheets(
    book: Book, replace: dict[str, list[list[object]]], extra: tuple[RawSheet, ...] = ()
) -> list[RawSheet]:
    """Every estimate sheet in the template layout, some replaced by raw rows, plus ``extra``."""
    sheets = [
        RawSheet(s.title, replace[s.key] if s.key in replace else sheet_rows(ESTIMATE, s.key, book[s.key]))
        for s in ESTIMATE.sheets
    ]
    return [*sheets, *extra]


def _attachments_without_quantity(path: Path) -> Path:
    heads = [c.header for c in ESTIMATE.sheet("attachments").columns if c.key != "quantity"]
    rows: list[list[object]] = [heads, ["well", None], ["grave", None]]
    write_xlsx(path, _raw_sheets(banan_rows(ranges=True), {"attachments": rows}))
    return path


def _old_options_sheet(path: Path) -> Path:
    old = RawSheet("安置方式", [["补偿方式", "户数"], ["产权调换", 1], ["货币补偿", 1]])
    write_xlsx(path, _raw_sheets(banan_rows(ranges=True), {}, (old,)))
    return path


#: Case name → case; every code the estimate's own sheets and columns can report, at least once.
CASES: dict[str, Case] = {
    # 测算参数: ranges
    "range low above expected": Case(
        "INCONSISTENT_VALUE",
        where("assumptions", "exchange_share_low"),
        _mutate(_set("assumptions", 0, exchange_share_low=Decimal("0.55"))),
    ),
    "range high below expected": Case(
        "INCONSISTENT_VALUE",
        where("assumptions", "temporary_months_high"),
        _mutate(_set("assumptions", 0, temporary_months_high=20)),
    ),
    "range without expected": Case(
        "MISSING_VALUE",
        where("assumptions", "exchange_share"),
        _mutate(_set("assumptions", 0, exchange_share=None)),
    ),
    "share above one": Case(
        "OUT_OF_RANGE",
        where("assumptions", "exchange_share_high"),
        _mutate(_set("assumptions", 0, exchange_share_high=Decimal("1.2"))),
    ),
    "share with five decimals": Case(
        "TOO_MANY_DECIMALS",
        where("assumptions", "exchange_share"),
        _mutate(_set("assumptions", 0, exchange_share=Decimal("0.51234"))),
    ),
    "months in words": Case(
        "WRONG_TYPE",
        where("assumptions", "temporary_months"),
        _mutate(_set("assumptions", 0, temporary_months="两年")),
    ),
    "negative months": Case(
        "NEGATIVE_VALUE",
        where("assumptions", "temporary_months_low"),
        _mutate(_set("assumptions", 0, temporary_months_low=-1)),
    ),
    "two assumption rows": Case("TOO_MANY_ROWS", "测算参数!A3", _mutate(_two_assumption_rows)),
    # 测算参数: flats
    "unknown flat source": Case(
        "UNKNOWN_CATEGORY",
        where("assumptions", "flat_source"),
        _mutate(_set("assumptions", 0, flat_source="自建房")),
    ),
    "negative flat price": Case(
        "NEGATIVE_AMOUNT",
        where("assumptions", "flat_unit_cost"),
        _mutate(_set("assumptions", 0, flat_unit_cost=Decimal("-4500"))),
    ),
    "flat area ratio above ten": Case(
        "OUT_OF_RANGE",
        where("assumptions", "flat_area_ratio"),
        _mutate(_set("assumptions", 0, flat_area_ratio=Decimal("11"))),
    ),
    "rewards not yes or no": Case(
        "WRONG_TYPE",
        where("assumptions", "rewards"),
        _mutate(_set("assumptions", 0, rewards="也许")),
    ),
    # 集体
    "duplicate collective": Case(
        "DUPLICATE_ID", where("collectives", "collective_id", 1), _mutate(_duplicate_collective)
    ),
    "negative pre-expropriation area": Case(
        "NEGATIVE_AREA",
        where("collectives", "pre_agricultural_area_m2"),
        _mutate(_set("collectives", 0, pre_agricultural_area_m2=Decimal("-260000"))),
    ),
    "collective credit code check digit": Case(
        "USCC_CHECK_DIGIT",
        where("collectives", "credit_code"),
        _mutate(_set("collectives", 0, credit_code="91350100M000100Y44")),
    ),
    "collective account fails Luhn": Case(
        "BANK_LUHN",
        where("collectives", "account"),
        _mutate(_set("collectives", 0, account=LUHN_FAIL_ACCOUNT)),
        severity="warning",
    ),
    # 地类面积: collectives, crops
    "land names an unknown collective": Case(
        "UNKNOWN_REFERENCE", where("land", "collective"), _mutate(_set("land", 0, collective="C9"))
    ),
    "land without collective among several": Case(
        "MISSING_VALUE", where("land", "collective"), _mutate(_second_collective_unnamed_land)
    ),
    # 附着物
    "attachment without item code": Case(
        "MISSING_VALUE", where("attachments", "item_code", 1), _mutate(_set("attachments", 1, item_code=None))
    ),
    "negative attachment quantity": Case(
        "NEGATIVE_VALUE",
        where("attachments", "quantity"),
        _mutate(_set("attachments", 0, quantity=Decimal("-2"))),
    ),
    "attachments without the quantity column": Case(
        "MISSING_COLUMN", "附着物!A1", _attachments_without_quantity
    ),
    # 户数人口: land-lost persons by age
    "only two age groups": Case(
        "INCONSISTENT_VALUE",
        where("population", "land_lost_retired"),
        _mutate(_set("population", 0, land_lost_retired=None)),
    ),
    "negative land-lost persons": Case(
        "NEGATIVE_VALUE",
        where("population", "land_lost_working_age"),
        _mutate(_set("population", 0, land_lost_working_age=-1)),
    ),
    "more persons aged 16+ than agricultural": Case(
        "INCONSISTENT_VALUE",
        where("population", "agricultural_persons_16plus"),
        _mutate(_set("population", 0, agricultural_persons=3, agricultural_persons_16plus=4)),
    ),
    "population names an unknown collective": Case(
        "UNKNOWN_REFERENCE",
        where("population", "collective"),
        _mutate(_set("population", 0, collective="示例村九社")),
    ),
    # 房屋面积: average appraised value
    "negative appraised value": Case(
        "NEGATIVE_AMOUNT",
        where("buildings", "unit_value"),
        _mutate(_set("buildings", 0, unit_value=Decimal("-1"))),
    ),
    # 被征收户数
    "unknown tenure": Case(
        "UNKNOWN_CATEGORY", where("households", "tenure"), _mutate(_set("households", 0, tenure="宅基地以外"))
    ),
    "households missing": Case(
        "MISSING_VALUE", where("households", "households"), _mutate(_set("households", 0, households=None))
    ),
    # the first layout's sheets: a warning that says where the figures go now
    "old 安置方式 sheet": Case("UNKNOWN_SHEET", "安置方式", _old_options_sheet, severity="warning"),
}


def write_all(folder: Path) -> dict[str, Path]:
    """Write every case to ``folder/<n>-<CODE>.xlsx``."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        name: case.make(folder / f"{n:02d}-{case.code}.xlsx")
        for n, (name, case) in enumerate(CASES.items(), 1)
    }


__all__ = ["CASES", "Case", "banan_rows", "banan_yaml", "where", "write_all", "write_estimate"]
