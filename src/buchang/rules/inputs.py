"""The domain inputs of the compensation core, as typed, immutable models.

Frozen pydantic models with tuples, so that they validate on the way in (from
JSON, YAML or a spreadsheet import), serialise losslessly, and cannot be
mutated by a rule. Amounts and areas are ``Decimal`` — a ``float`` is refused
(``shared/spec/domain.md`` section 2).

Field names are English; the Chinese legal term and the unit are in the
field description.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _refuse_float(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, float):
        raise ValueError(f"float {value!r} is not exact: write the number as a decimal string")
    return value


#: A Decimal that refuses floats (a JSON number like 12.5 must come as "12.5").
Dec = Annotated[Decimal, BeforeValidator(_refuse_float)]
#: A non-negative Decimal quantity (area, count, quantity).
NonNeg = Annotated[Decimal, BeforeValidator(_refuse_float), Field(ge=0)]
#: A ratio between 0 and 1 (成新率 newness, split ratio).
Ratio = Annotated[Decimal, BeforeValidator(_refuse_float), Field(ge=0, le=1)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class LandClass(StrEnum):
    """地类. Agricultural classes share the 农用地 standard unless a table says otherwise."""

    PADDY = "paddy"  # 水田
    IRRIGATED = "irrigated"  # 水浇地
    DRY = "dry"  # 旱地
    GARDEN = "garden"  # 园地
    FOREST = "forest"  # 林地
    GRASS = "grass"  # 草地
    OTHER_AGRICULTURAL = "other_agricultural"  # 其他农用地 (坑塘水面、设施农用地 …)
    CONSTRUCTION = "construction"  # 建设用地 (集体建设用地, 宅基地)
    UNUSED = "unused"  # 未利用地

    @property
    def is_agricultural(self) -> bool:
        return self not in (LandClass.CONSTRUCTION, LandClass.UNUSED)

    @property
    def is_cultivated(self) -> bool:
        """耕地: 水田, 水浇地, 旱地 (土地管理法 old Art. 47 multiples apply to 耕地)."""
        return self in (LandClass.PADDY, LandClass.IRRIGATED, LandClass.DRY)


class Legality(StrEnum):
    """Legal status of a building (spec 4.3: legality decides everything)."""

    LEGAL = "legal"  # 合法建筑: compensated
    ILLEGAL = "illegal"  # 违法建筑: nothing
    UNREGISTERED_NON_RESIDENTIAL = (
        "unregistered_non_residential"  # 未登记未批准、未认定违法的非居住: 残值 only
    )
    AFTER_NOTICE = "after_notice"  # 预公告后抢建: nothing (实施条例 Art. 26; 巴南 先拆违、后拆迁)


class LandTenure(StrEnum):
    COLLECTIVE = "collective"  # 集体土地上房屋 (宅基地房屋)
    STATE = "state"  # 国有土地上房屋 (条例 590号)


class Use(StrEnum):
    RESIDENTIAL = "residential"  # 居住
    NON_RESIDENTIAL = "non_residential"  # 非居住 (生产经营)


class Option(StrEnum):
    """补偿方式: 货币补偿 or 产权调换 (房屋安置)."""

    MONEY = "money"
    EXCHANGE = "exchange"


class Member(_Model):
    """A household member (家庭成员).

    ``registered_resident`` — 在册户籍人口 (counts for resettlement persons);
    ``agricultural`` — 农业人口 (land-lost social security);
    ``married_childless`` / ``one_child_certificate`` — 已婚未育 / 持独生子女证,
    each adding one resettlement person where the table says so (杭州 2014).
    ``land_lost`` — named as 被征地人员 by the village meeting (松江 2021).
    """

    member_id: str
    name: str
    id_number: str | None = None
    sex: Sex
    birth_date: date
    registered_resident: bool = True
    agricultural: bool = True
    married_childless: bool = False
    one_child_certificate: bool = False
    land_lost: bool = False


class Parcel(_Model):
    """A parcel of expropriated land (被征收地块).

    ``area_m2`` in m² (2 decimals); ``zone`` is the 区片 (zone key in the zone
    price table); ``owner_collective`` the 村/组 that owns it and is paid the
    土地补偿费; ``basic_farmland`` — 永久基本农田.
    """

    parcel_id: str
    land_class: LandClass
    area_m2: NonNeg
    owner_collective: str
    zone: str | None = None
    basic_farmland: bool = False


class Collective(_Model):
    """A collective economic organisation (村/组) whose land is taken.

    ``pre_cultivated_area_m2`` — 征收前耕地面积; ``pre_agricultural_area_m2`` —
    征收前农用地面积; ``agricultural_population`` — 农业人口;
    ``agricultural_population_16plus`` — aged 16+ at the approval date (social
    security count, 松江 2021); ``average_annual_output_value`` — 前三年平均年产值,
    元/亩 (regime A; ``None`` = take it from the table); ``credit_code`` and
    ``account`` — the payee's 统一社会信用代码 and bank account.
    """

    collective_id: str
    name: str
    credit_code: str | None = None
    account: str | None = None
    pre_cultivated_area_m2: NonNeg | None = None
    pre_agricultural_area_m2: NonNeg | None = None
    agricultural_population: int | None = Field(default=None, ge=0)
    agricultural_population_16plus: int | None = Field(default=None, ge=0)
    average_annual_output_value: NonNeg | None = None


class Attachment(_Model):
    """A crop (青苗) or ground attachment (地上附着物) item.

    ``item_code`` is a row key of the crops/attachments table; ``quantity`` is
    in the table row's unit (亩, 株, 口, 座, m …); ``spec`` optional
    (diameter band …); ``since`` — planted/built date: after the notice date it
    gets nothing (抢栽抢建, 实施条例 Art. 26).
    """

    item_id: str
    item_code: str
    quantity: NonNeg
    owner: str
    spec: str | None = None
    since: date | None = None
    parcel_id: str | None = None


class Building(_Model):
    """A building to be expropriated.

    ``structure`` — 结构等级 (row key of the replacement-price table, e.g.
    ``brick_concrete_2``); ``newness`` — 成新率 0..1; ``legal_area_m2`` —
    合法建筑面积 (registered or approved); ``area_m2`` — measured total area
    (informational beyond the legal area); ``appraisal_value`` — 评估价值, 元,
    for state-land houses (条例 Art. 19, an input by a qualified appraiser);
    ``monthly_business_loss`` — 停产停业损失 per month where proven, 元/月;
    ``built_on`` — construction date (after the notice → nothing).
    """

    building_id: str
    tenure: LandTenure = LandTenure.COLLECTIVE
    legality: Legality = Legality.LEGAL
    use: Use = Use.RESIDENTIAL
    structure: str
    newness: Annotated[Decimal, BeforeValidator(_refuse_float), Field(ge=0, le=1)] = Decimal(1)
    legal_area_m2: NonNeg
    area_m2: NonNeg | None = None
    appraisal_value: NonNeg | None = None
    monthly_business_loss: NonNeg | None = None
    built_on: date | None = None


class Flat(_Model):
    """A resettlement flat (安置房) chosen in property exchange: its building area."""

    flat_id: str
    area_m2: NonNeg
    #: 用于产权调换房屋的评估价值, 元 (state-land exchange, 条例 Art. 21); ``None`` = table price × area.
    appraisal_value: NonNeg | None = None


class Choices(_Model):
    """What the household chose and when (补偿方式, 过渡, 签约, 搬迁).

    ``temporary_months`` — months of temporary housing until the flat is handed
    over plus the months the rule adds after hand-over; ``turnover_housing`` —
    a 周转房 is provided (no temporary-housing fee meanwhile);
    ``high_rise`` — new high-rise resettlement (longer transition period, 浙江 2020);
    ``handover_months`` — months from vacating to the hand-over of the resettlement
    flat (交房); when given, the house rules compute the paid months themselves
    (hand-over + the table's months after hand-over) instead of ``temporary_months``.
    """

    option: Option = Option.MONEY
    flats: tuple[Flat, ...] = ()
    temporary_months: int = Field(default=0, ge=0)
    turnover_housing: bool = False
    high_rise: bool = False
    handover_months: int | None = Field(default=None, ge=0)
    signing_date: date | None = None
    vacating_date: date | None = None


class Household(_Model):
    """A household (被征收户) with everything the rules need.

    ``collective`` — the 村/组 it belongs to (aggregation key); ``account`` —
    the payee's bank account; ``head`` — member id of the 户主 (payee of
    house compensation); ``hardship`` flags for state-land guarantees.
    """

    household_id: str
    head_name: str
    collective: str | None = None
    account: str | None = None
    members: tuple[Member, ...] = ()
    buildings: tuple[Building, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    choices: Choices = Choices()


class Project(_Model):
    """An expropriation project and its governing dates (spec section 3).

    ``notice_date`` — 征收土地预公告 / 拟征地告知书 date: governs land,
    attachments and collective-land houses (松江 2021: ≤ 2019-12-31 old rules);
    ``approval_date`` — 征地批准 date: ages for social security groups;
    ``valuation_date`` — 征收决定公告 date: governs state-land houses (条例 Art. 19);
    ``signing_window`` — (start, end) of the 签约期, rewards only inside it.
    """

    project_id: str
    name: str
    jurisdiction: str
    notice_date: date
    approval_date: date | None = None
    valuation_date: date | None = None
    signing_start: date | None = None
    signing_end: date | None = None
    collectives: tuple[Collective, ...] = ()
    parcels: tuple[Parcel, ...] = ()
    households: tuple[Household, ...] = ()
