"""The estimate's inputs (survey summaries) and its result (funds by category and scenario).

Inputs are frozen pydantic models like :mod:`buchang.rules.inputs` (floats
refused, tuples not lists), read from YAML/JSON (:mod:`.io`) or from the
``estimate`` workbook (:mod:`buchang.io.estimate`, which builds this same model:
every field has a column there, a range three); what a summary cannot say
exactly is a *range* (:class:`ShareRange`, :class:`MonthsRange`: low ≤ expected ≤ high).

The result is an :class:`Estimate`: three :class:`ScenarioEstimate` s (low,
expected, high), each a list of :class:`EstimateLine` s — every line with its
arithmetic (quantity × unit price × factors, rounded half up once), its table
references and the formula in words — plus the issues and the tables used.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from buchang.core.errors import Issue
from buchang.core.money import fraction_to_fen, from_fen
from buchang.rules.inputs import Collective, Dec, LandClass, LandTenure, Legality, NonNeg, Ratio, Use
from buchang.rules.lines import Category, Factor, Rational
from buchang.tables.model import Status, TableRef


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- ranges ---------------------------------------------------------------------------------


class Scenario(StrEnum):
    """Which end of the input ranges a figure belongs to."""

    LOW = "low"
    EXPECTED = "expected"
    HIGH = "high"


SCENARIOS: Final = (Scenario.LOW, Scenario.EXPECTED, Scenario.HIGH)


class ShareRange(_Model):
    """A share between 0 and 1 known only as a range: low ≤ expected ≤ high.

    A single figure may be written as ``{expected: "0.5"}``: low and high then default to it.
    """

    low: Ratio | None = None
    expected: Ratio
    high: Ratio | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.lo <= self.expected <= self.hi:
            raise ValueError(
                f"a range needs low ≤ expected ≤ high (got {self.lo}, {self.expected}, {self.hi})"
            )
        return self

    @property
    def lo(self) -> Decimal:
        return self.expected if self.low is None else self.low

    @property
    def hi(self) -> Decimal:
        return self.expected if self.high is None else self.high


class MonthsRange(_Model):
    """A whole number of months known only as a range: low ≤ expected ≤ high."""

    low: int | None = Field(default=None, ge=0)
    expected: int = Field(ge=0)
    high: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.lo <= self.expected <= self.hi:
            raise ValueError(
                f"a range needs low ≤ expected ≤ high (got {self.lo}, {self.expected}, {self.hi})"
            )
        return self

    @property
    def lo(self) -> int:
        return self.expected if self.low is None else self.low

    @property
    def hi(self) -> int:
        return self.expected if self.high is None else self.high


# --- inputs ---------------------------------------------------------------------------------


class LandSummary(_Model):
    """Expropriated area of one land class (地类) in one zone (区片), m².

    ``collective`` — the 村/组 that owns it (a ``collectives`` id; may be left out
    when there is one collective); ``crop_item`` — row key of the crops table for
    the 青苗 on this land (default: the land class, e.g. ``paddy``; ``""`` = no crops).
    """

    land_class: LandClass
    area_m2: NonNeg
    zone: str | None = None
    basic_farmland: bool = False
    collective: str | None = None
    crop_item: str | None = None


class AttachmentSummary(_Model):
    """A count of one ground-attachment item (水井 口, 坟墓 座, 零星树木 株 …) in the table's unit."""

    item_code: str
    quantity: NonNeg
    spec: str | None = None


class PopulationSummary(_Model):
    """Households and persons of a collective (在册户数、人口) and, where known, the land-lost
    persons by age group at the approval date (被征地人员：16周岁以下 / 16周岁至退休年龄 / 退休年龄以上).

    When the three ``land_lost_*`` counts are not given, the social security estimate
    uses the quota formula (征收农用地面积 × 16周岁以上农业人口 ÷ 征收前农用地面积) and
    prices every person at the dearest adult group (said in the line's basis).
    """

    collective: str | None = None
    households: int = Field(ge=0)
    persons: int = Field(ge=0)
    agricultural_persons: int | None = Field(default=None, ge=0)
    agricultural_persons_16plus: int | None = Field(default=None, ge=0)
    land_lost_under_16: int | None = Field(default=None, ge=0)
    land_lost_working_age: int | None = Field(default=None, ge=0)
    land_lost_retired: int | None = Field(default=None, ge=0)

    @property
    def by_age_known(self) -> bool:
        return None not in (self.land_lost_under_16, self.land_lost_working_age, self.land_lost_retired)


class BuildingSummary(_Model):
    """Building area (建筑面积, m²) of one tenure, use, structure and legality.

    ``newness`` — average 成新率 (absent: 1, the prudent figure); ``unit_value`` —
    average appraised value per m² (评估均价, 元/m²) for houses on state-owned land,
    whose compensation is the appraisal (条例 590号 第十九条).
    """

    structure: str
    area_m2: NonNeg
    tenure: LandTenure = LandTenure.COLLECTIVE
    use: Use = Use.RESIDENTIAL
    legality: Legality = Legality.LEGAL
    newness: Ratio | None = None
    unit_value: NonNeg | None = None


class HouseholdCount(_Model):
    """Households (and persons) whose houses of one tenure are taken (被征收房屋户数、人口)."""

    tenure: LandTenure = LandTenure.COLLECTIVE
    households: int = Field(ge=0)
    persons: int | None = Field(default=None, ge=0)


class FlatSource(StrEnum):
    """How resettlement flats are provided: built (安置房建设) or bought back (回购)."""

    CONSTRUCTION = "construction"
    BUY_BACK = "buy_back"


class FlatPlan(_Model):
    """Resettlement flats for the households that choose property exchange.

    Flat area = legal residential area of the exchanging households × ``area_ratio``
    (1 = area for area), or, when ``area_per_person_m2`` is given, their persons ×
    that figure. ``unit_cost`` (元/m²) overrides the table's construction cost or
    buy-back price (the line then cites the input, not a table).
    """

    source: FlatSource = FlatSource.CONSTRUCTION
    unit_cost: NonNeg | None = None
    area_ratio: Annotated[NonNeg, Field(le=10)] = Decimal(1)
    area_per_person_m2: NonNeg | None = None


class EstimateInputs(_Model):
    """Everything a project-level estimate of upfront funds reads (spec 4.6).

    Dates as in :class:`buchang.rules.inputs.Project` (notice: land, attachments,
    collective-land houses and the estimate tables; approval: social security;
    valuation: state-land houses). ``collectives`` carry the collective data the
    land fees need (regime A: 征收前耕地面积, 农业人口, 前三年平均年产值; the social
    security quota: 征收前农用地面积, 16周岁以上农业人口). ``exchange_share`` is the
    share of the house households (and of their legal residential area) expected
    to choose property exchange; the rest take money. ``temporary_months`` — months
    of temporary housing paid to an exchanging household (过渡费月数, including the
    months after hand-over). ``rewards`` — estimate signing/vacating rewards as if
    every household signs and moves inside the window (the prudent figure).
    """

    project_id: str
    name: str
    jurisdiction: str
    notice_date: date
    approval_date: date | None = None
    valuation_date: date | None = None
    collectives: tuple[Collective, ...] = ()
    land: tuple[LandSummary, ...] = ()
    attachments: tuple[AttachmentSummary, ...] = ()
    population: tuple[PopulationSummary, ...] = ()
    buildings: tuple[BuildingSummary, ...] = ()
    households: tuple[HouseholdCount, ...] = ()
    exchange_share: ShareRange = ShareRange(expected=Decimal(0))
    temporary_months: MonthsRange = MonthsRange(expected=0)
    turnover_housing: bool = False
    high_rise: bool = False
    flats: FlatPlan = FlatPlan()
    rewards: bool = True


# --- results --------------------------------------------------------------------------------


class FundCategory(StrEnum):
    """The fund categories of an upfront-funds estimate (spec 4.6); values are the Chinese terms."""

    LAND_FEES = "土地补偿费和安置补助费"
    CROPS_ATTACHMENTS = "青苗和地上附着物补偿费"
    HOUSES = "房屋补偿费"
    MOVING = "搬家费"
    TEMPORARY_HOUSING = "过渡费"
    REWARDS = "奖励"
    FLATS = "安置房建设（回购）资金"
    SOCIAL_SECURITY = "社会保障费用（单独列支）"
    SURVEYING = "测绘费"
    APPRAISAL = "评估费"
    DEMOLITION = "拆除费"
    WORKING_FUNDS = "工作经费"
    CONTINGENCY = "不可预见费"

    @property
    def is_working_cost(self) -> bool:
        return self in WORKING_COSTS


FUND_ORDER: Final = tuple(FundCategory)
COMPENSATION: Final = frozenset(
    {
        FundCategory.LAND_FEES,
        FundCategory.CROPS_ATTACHMENTS,
        FundCategory.HOUSES,
        FundCategory.MOVING,
        FundCategory.TEMPORARY_HOUSING,
        FundCategory.REWARDS,
    }
)
WORKING_COSTS: Final = frozenset(
    {
        FundCategory.SURVEYING,
        FundCategory.APPRAISAL,
        FundCategory.DEMOLITION,
        FundCategory.WORKING_FUNDS,
        FundCategory.CONTINGENCY,
    }
)

FUND_EN: Final = {
    FundCategory.LAND_FEES: "land compensation and resettlement subsidy",
    FundCategory.CROPS_ATTACHMENTS: "crops and ground attachments",
    FundCategory.HOUSES: "houses",
    FundCategory.MOVING: "moving",
    FundCategory.TEMPORARY_HOUSING: "temporary housing",
    FundCategory.REWARDS: "rewards",
    FundCategory.FLATS: "resettlement flats (construction / buy-back)",
    FundCategory.SOCIAL_SECURITY: "social security (separate fund)",
    FundCategory.SURVEYING: "surveying",
    FundCategory.APPRAISAL: "appraisal",
    FundCategory.DEMOLITION: "demolition",
    FundCategory.WORKING_FUNDS: "working funds",
    FundCategory.CONTINGENCY: "contingency",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class EstimateLine(_Frozen):
    """One estimated amount: ``amount_fen = round_half_up(quantity × unit_price × Π factors)``.

    Attributes:
        fund: the fund category it counts towards.
        category: the compensation category of the core rule that made it (``None``
            for flats and working costs, which are not compensation lines).
        item_id: the input row it is about (``land[0]``, ``buildings[2]``,
            ``houses.collective.exchange`` …) or the working-cost row.
        payee: who would receive it (collective, households, 社保专户, contractor …).
        quantity, unit, unit_price, price_unit, factors: the arithmetic.
        amount_fen: the amount in 分, rounded once.
        refs: the table versions and rows used (empty when a figure is an input).
        rule: the rule that made it (``land.zone_price``, ``estimate.flats`` …).
        basis: the formula in words, saying where a summary uses an average or a share.
        note: anything else an officer should read.
    """

    fund: FundCategory
    category: Category | None = None
    item_id: str
    payee: str = ""
    quantity: Rational
    unit: str
    unit_price: Rational
    price_unit: str
    factors: tuple[Factor, ...] = ()
    amount_fen: int
    refs: tuple[TableRef, ...] = ()
    rule: str
    basis: str = ""
    note: str = ""

    def exact_amount(self) -> Fraction:
        value = self.quantity * self.unit_price
        for f in self.factors:
            value *= f.value
        return value

    def recompute_fen(self) -> int:
        return fraction_to_fen(self.exact_amount())

    @property
    def amount(self) -> Decimal:
        return from_fen(self.amount_fen)


class ScenarioEstimate(_Frozen):
    """The funds of one scenario: the input values it took and its lines."""

    scenario: Scenario
    exchange_share: Dec
    temporary_months: int
    lines: tuple[EstimateLine, ...] = ()

    def fund_fen(self, fund: FundCategory) -> int:
        return sum(line.amount_fen for line in self.lines if line.fund is fund)

    def by_fund(self) -> dict[FundCategory, int]:
        """Every fund category (zero when it has no lines), in the standard order."""
        return {f: self.fund_fen(f) for f in FUND_ORDER}

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def social_security_fen(self) -> int:
        return self.fund_fen(FundCategory.SOCIAL_SECURITY)

    @property
    def compensation_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines if line.fund in COMPENSATION)

    @property
    def working_costs_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines if line.fund in WORKING_COSTS)


class Estimate(_Frozen):
    """A project's estimate of upfront funds (资金前置测算), spec 4.6.

    ``low`` ≤ ``expected`` ≤ ``high`` in total: ``expected`` takes every range's
    expected value; ``low`` and ``high`` are the cheapest and the dearest
    combination of the ranges' ends (the expected one included), since a higher
    exchange share can lower one category (money for houses) and raise another
    (flats). Use :func:`required_upfront_fen` for the amount to deposit.
    """

    project_id: str
    name: str
    jurisdiction: str
    notice_date: date
    low: ScenarioEstimate
    expected: ScenarioEstimate
    high: ScenarioEstimate
    issues: tuple[Issue, ...] = ()
    tables: tuple[TableRef, ...] = ()
    library_version: str = ""

    def scenario(self, which: Scenario | str) -> ScenarioEstimate:
        return {Scenario.LOW: self.low, Scenario.EXPECTED: self.expected, Scenario.HIGH: self.high}[
            Scenario(which)
        ]

    @property
    def scenarios(self) -> tuple[ScenarioEstimate, ScenarioEstimate, ScenarioEstimate]:
        return (self.low, self.expected, self.high)

    @property
    def non_official(self) -> tuple[TableRef, ...]:
        """Tables used whose figures are not official (every output says so)."""
        return tuple(t for t in self.tables if t.status is not Status.OFFICIAL)

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)


def required_upfront_fen(
    estimate: Estimate,
    scenario: Literal["low", "expected", "high"] | Scenario = Scenario.HIGH,
    *,
    include_social_security: bool = True,
) -> int:
    """The amount (分) that must be in the dedicated account before the project may start.

    Pass it as ``required_upfront_fen`` of the project opened in the fund-control
    journal (:class:`buchang.funds.records.Project`); the journal then refuses the
    start (``UNDERFUNDED_START``) until deposits reach it.

    Which scenario: a prudent office deposits the **high** figure (the default) —
    巴南府发〔2015〕118号 五: "前置资金不能确保的一律不得启动", and the estimate's
    ranges are uncertain; ``expected`` is the central figure for planning. Where the
    social security money is pre-deposited into its own account (广东省土地管理条例
    2022 第三十三条), pass ``include_social_security=False`` and deposit
    :attr:`ScenarioEstimate.social_security_fen` there.
    """
    s = estimate.scenario(scenario)
    return s.total_fen - (0 if include_social_security else s.social_security_fen)
