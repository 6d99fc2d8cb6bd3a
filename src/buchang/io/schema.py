"""Declared sheets and columns of every spreadsheet input (模板与导入的列定义).

One declaration drives both directions: :mod:`buchang.io.templates` writes the
Chinese headers, drop-downs, text formats and example rows from it, and
:mod:`buchang.io.binding` reads and validates rows against it. A column has a
Chinese header (what the finance officer sees), an English key (its alias,
documented in the template's 说明 sheet) and optional further aliases; header
matching is NFKC-normalised and blind to spaces, line breaks and case
(:mod:`buchang.io.headers`).

Input kinds (``KINDS``): ``survey`` (调查登记表: 项目, 集体, 地块, 户, 成员, 房屋,
附着物, 安置房), ``agreements`` (补偿协议), ``payment-list`` (发放清单 + 明细),
``reviews`` (审核记录), ``bank-statement`` (专户流水) and ``estimate``
(资金前置测算 survey summaries).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final

from buchang.rules.inputs import LandClass, LandTenure, Legality, Option, Sex, Use
from buchang.rules.lines import Category


class ColType(StrEnum):
    """How a column's cells are read (see :mod:`buchang.io.cells`)."""

    TEXT = "text"
    RESIDENT_ID = "resident_id"  # 身份证号 (GB 11643)
    PAYEE_ID = "payee_id"  # 身份证号 or 统一社会信用代码
    CREDIT_CODE = "credit_code"  # 统一社会信用代码 (GB 32100)
    ACCOUNT = "account"  # bank account: Luhn failure is a warning
    DECIMAL = "decimal"  # exact decimal with at most ``decimals`` places
    INT = "int"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"  # 是/否
    CHOICE = "choice"  # one of ``choices`` (label, value or alias)
    DIGEST = "digest"  # 64 hex characters (SHA-256)


#: Column types whose cells a template formats as text (``@``), so that Excel
#: keeps every digit and leading zeros.
TEXT_FORMATTED: Final = frozenset(
    {
        ColType.TEXT,
        ColType.RESIDENT_ID,
        ColType.PAYEE_ID,
        ColType.CREDIT_CODE,
        ColType.ACCOUNT,
        ColType.DIGEST,
    }
)


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value of a category column: the stored ``value``, the Chinese
    ``label`` shown in the drop-down, and further accepted spellings."""

    value: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Column:
    """A declared column.

    Attributes:
        key: English identifier (the documented alias; the model field it fills).
        header: the Chinese header written in templates.
        type: how cells are read.
        required: the header must be present and every data cell filled.
        aliases: further accepted headers (NFKC, spaces and case ignored).
        decimals: for ``DECIMAL``: the most decimal places accepted (more is
            an error, never silently rounded).
        minimum / maximum: declared range (inclusive) for numbers.
        negative_code: the code reported for a value below zero
            (``NEGATIVE_AREA``, ``NEGATIVE_AMOUNT`` …).
        choices: for ``CHOICE``.
        open_choice: a ``CHOICE`` that also accepts a table row key
            (``[a-z][a-z0-9_]*``), e.g. a structure grade defined by a local table.
        note: help text (Chinese / English) for the 说明 sheet.
        example: the template's example value (a string as typed).
    """

    key: str
    header: str
    type: ColType = ColType.TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()
    decimals: int = 2
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    negative_code: str = "NEGATIVE_VALUE"
    choices: tuple[Choice, ...] = ()
    open_choice: bool = False
    note: str = ""
    example: str = ""


@dataclass(frozen=True, slots=True)
class Sheet:
    """A declared worksheet: its Chinese title, English key, aliases and columns.

    ``required`` — the sheet must be present; ``single_row`` — exactly one data
    row (the project sheet); ``min_rows`` — an empty required sheet is
    ``EMPTY_SHEET``.
    """

    key: str
    title: str
    columns: tuple[Column, ...]
    required: bool = True
    aliases: tuple[str, ...] = ()
    single_row: bool = False
    note: str = ""

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class InputKind:
    """An input kind: its CLI name, title and sheets."""

    name: str
    title: str
    sheets: tuple[Sheet, ...]
    note: str = ""

    def sheet(self, key: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.key == key:
                return sheet
        raise KeyError(key)


# --- choices -------------------------------------------------------------------

BOOL_TRUE: Final = ("是", "y", "yes", "true", "t", "1", "√", "✓", "有", "对")
BOOL_FALSE: Final = ("否", "n", "no", "false", "f", "0", "×", "✗", "无", "不是")

LAND_CLASSES: Final = (
    Choice(LandClass.PADDY, "水田"),
    Choice(LandClass.IRRIGATED, "水浇地"),
    Choice(LandClass.DRY, "旱地"),
    Choice(LandClass.GARDEN, "园地", ("果园", "茶园")),
    Choice(LandClass.FOREST, "林地", ("成片林地",)),
    Choice(LandClass.GRASS, "草地"),
    Choice(LandClass.OTHER_AGRICULTURAL, "其他农用地", ("坑塘水面", "设施农用地")),
    Choice(LandClass.CONSTRUCTION, "建设用地", ("集体建设用地", "宅基地")),
    Choice(LandClass.UNUSED, "未利用地"),
)
LEGALITY: Final = (
    Choice(Legality.LEGAL, "合法", ("合法建筑", "有证")),
    Choice(Legality.ILLEGAL, "违法", ("违法建筑", "违建")),
    Choice(
        Legality.UNREGISTERED_NON_RESIDENTIAL,
        "未登记非居住",
        ("未登记未批准非居住", "未经登记非居住", "残值"),
    ),
    Choice(Legality.AFTER_NOTICE, "公告后抢建", ("抢建", "预公告后建", "抢搭")),
)
TENURE: Final = (
    Choice(LandTenure.COLLECTIVE, "集体土地", ("集体", "宅基地房屋")),
    Choice(LandTenure.STATE, "国有土地", ("国有",)),
)
USES: Final = (
    Choice(Use.RESIDENTIAL, "居住", ("住宅",)),
    Choice(Use.NON_RESIDENTIAL, "非居住", ("生产经营", "经营", "非住宅")),
)
OPTIONS: Final = (
    Choice(Option.MONEY, "货币补偿", ("货币",)),
    Choice(Option.EXCHANGE, "产权调换", ("调换", "房屋安置", "安置房")),
)
SEXES: Final = (Choice(Sex.MALE, "男", ("male",)), Choice(Sex.FEMALE, "女", ("female",)))
#: 房屋结构: Chinese grade → row key of the replacement-price table. Other row
#: keys of a local table (``[a-z][a-z0-9_]*``) are accepted as they are.
STRUCTURES: Final = (
    Choice("steel_concrete", "钢混", ("钢筋混凝土", "框架")),
    Choice("brick_concrete_1", "砖混一等"),
    Choice("brick_concrete_2", "砖混二等", ("砖混",)),
    Choice("brick_concrete_3", "砖混三等"),
    Choice("brick_wood", "砖木"),
    Choice("wood", "木结构", ("木",)),
    Choice("simple", "简易结构", ("简易", "简易房")),
)
CATEGORIES: Final = tuple(Choice(c.value, c.value, (c.name.lower(),)) for c in Category)
DECISIONS: Final = (
    Choice("通过", "通过", ("pass", "同意")),
    Choice("退回", "退回", ("return", "不同意", "驳回")),
)
DIRECTIONS: Final = (
    Choice("in", "收入", ("收", "贷", "贷方", "credit", "入账")),
    Choice("out", "支出", ("支", "借", "借方", "debit", "出账")),
)

_ZERO: Final = Decimal(0)


def _area(key: str, header: str, *, required: bool = False, aliases: tuple[str, ...] = (), note: str = "",
          example: str = "") -> Column:  # fmt: skip
    return Column(
        key,
        header,
        ColType.DECIMAL,
        required,
        aliases,
        2,
        _ZERO,
        None,
        "NEGATIVE_AREA",
        note=note,
        example=example,
    )


def _money(key: str, header: str, *, required: bool = False, aliases: tuple[str, ...] = (), negative: bool = False,
           note: str = "", example: str = "") -> Column:  # fmt: skip
    return Column(
        key,
        header,
        ColType.DECIMAL,
        required,
        aliases,
        2,
        None if negative else _ZERO,
        None,
        "NEGATIVE_AMOUNT",
        note=note,
        example=example,
    )


def _count(key: str, header: str, *, required: bool = False, aliases: tuple[str, ...] = (), example: str = "",
           maximum: int | None = None, minimum: int = 0) -> Column:  # fmt: skip
    return Column(
        key,
        header,
        ColType.INT,
        required,
        aliases,
        0,
        Decimal(minimum),
        None if maximum is None else Decimal(maximum),
        "NEGATIVE_VALUE",
        example=example,
    )


def _choice(key: str, header: str, choices: tuple[Choice, ...], *, required: bool = False,
            aliases: tuple[str, ...] = (), open_choice: bool = False, example: str = "", note: str = "") -> Column:  # fmt: skip
    return Column(
        key,
        header,
        ColType.CHOICE,
        required,
        aliases,
        choices=choices,
        open_choice=open_choice,
        example=example,
        note=note,
    )


def _col(key: str, header: str, type_: ColType = ColType.TEXT, *, required: bool = False,
         aliases: tuple[str, ...] = (), example: str = "", note: str = "") -> Column:  # fmt: skip
    return Column(key, header, type_, required, aliases, note=note, example=example)


# --- survey (调查登记表) -----------------------------------------------------------

PROJECT_SHEET: Final = Sheet(
    "project",
    "项目",
    (
        _col("project_id", "项目编号", required=True, example="P2021-001"),
        _col("name", "项目名称", required=True, example="示例村征地项目"),
        _col(
            "jurisdiction",
            "行政区划代码",
            required=True,
            aliases=("行政区划", "区划代码"),
            example="330106",
            note="GB/T 2260 代码，标准表按此查找 / jurisdiction code the tables are looked up by",
        ),
        _col(
            "notice_date",
            "预公告日期",
            ColType.DATE,
            required=True,
            aliases=("征收土地预公告日期", "拟征地告知书日期", "告知书日期"),
            example="2021-03-01",
            note="土地、附着物、集体土地房屋的标准以此日为准 / governs land, attachments, collective houses",
        ),
        _col("approval_date", "征地批准日期", ColType.DATE, aliases=("批准日期",), example="2021-09-01"),
        _col(
            "valuation_date",
            "征收决定公告日期",
            ColType.DATE,
            aliases=("估价时点", "征收决定日期"),
            note="国有土地上房屋的价值时点（条例第十九条） / valuation date of state-land houses",
        ),
        _col("signing_start", "签约期开始", ColType.DATE, example="2021-10-01"),
        _col("signing_end", "签约期结束", ColType.DATE, example="2021-12-31"),
    ),
    single_row=True,
    aliases=("项目信息", "project"),
    note="只填一行 / exactly one row",
)

COLLECTIVES_SHEET: Final = Sheet(
    "collectives",
    "集体",
    (
        _col("collective_id", "集体编号", required=True, aliases=("村组编号",), example="C01"),
        _col("name", "集体名称", required=True, aliases=("村组名称", "村组"), example="示例村第一村民小组"),
        _col("credit_code", "统一社会信用代码", ColType.CREDIT_CODE, aliases=("信用代码",)),
        _col("account", "银行账号", ColType.ACCOUNT, aliases=("账号",), example="6222020200112233446"),
        _area("pre_cultivated_area_m2", "征收前耕地面积(m²)", aliases=("征收前耕地面积",), example="200000"),
        _area(
            "pre_agricultural_area_m2",
            "征收前农用地面积(m²)",
            aliases=("征收前农用地面积",),
            example="260000",
        ),
        _count("agricultural_population", "农业人口", example="320"),
        _count(
            "agricultural_population_16plus",
            "16周岁以上农业人口",
            aliases=("十六周岁以上农业人口",),
            example="250",
        ),
        Column(
            "average_annual_output_value",
            "前三年平均年产值(元/亩)",
            ColType.DECIMAL,
            aliases=("前三年平均年产值", "年产值"),
            minimum=_ZERO,
            negative_code="NEGATIVE_AMOUNT",
            note="旧制度（2020年前）使用；空白则取标准表 / regime A only; blank = from the table",
        ),
    ),
    required=False,
    aliases=("村组", "collective"),
)

PARCELS_SHEET: Final = Sheet(
    "parcels",
    "地块",
    (
        _col("parcel_id", "地块编号", required=True, example="D001"),
        _choice("land_class", "地类", LAND_CLASSES, required=True, example="水田"),
        _area(
            "area_m2", "面积(m²)", required=True, aliases=("面积", "征收面积", "地块面积"), example="1333.33"
        ),
        _col(
            "owner_collective",
            "所属集体",
            required=True,
            aliases=("权属单位", "所有权人"),
            example="C01",
            note="集体编号或名称 / collective id or name",
        ),
        _col("zone", "区片", aliases=("区片编号", "区片级别"), example="hangzhou-I"),
        _col("basic_farmland", "永久基本农田", ColType.BOOL, aliases=("基本农田",), example="否"),
    ),
    required=False,
    aliases=("parcel",),
)

HOUSEHOLDS_SHEET: Final = Sheet(
    "households",
    "户",
    (
        _col("household_id", "户编号", required=True, aliases=("户号", "被征收户编号"), example="H0001"),
        _col("head_name", "户主姓名", required=True, aliases=("户主",), example="张三"),
        _col(
            "collective",
            "所属集体",
            aliases=("村组",),
            example="C01",
            note="集体编号或名称 / collective id or name",
        ),
        _col(
            "account",
            "银行账号",
            ColType.ACCOUNT,
            aliases=("账号", "收款账号"),
            example="6222020200112233446",
        ),
        _choice("option", "补偿方式", OPTIONS, example="产权调换"),
        _count("temporary_months", "过渡月数", aliases=("临时安置月数",), example="24"),
        _col("turnover_housing", "提供周转房", ColType.BOOL, aliases=("周转房",), example="否"),
        _col("high_rise", "高层安置", ColType.BOOL, example="否"),
        _count("handover_months", "交房月数", aliases=("腾房至交房月数",)),
        _col("signing_date", "签约日期", ColType.DATE, example="2021-10-15"),
        _col("vacating_date", "腾房日期", ColType.DATE, aliases=("搬迁日期",), example="2021-11-01"),
    ),
    aliases=("被征收户", "户信息", "household"),
)

MEMBERS_SHEET: Final = Sheet(
    "members",
    "成员",
    (
        _col("household_id", "户编号", required=True, aliases=("户号",), example="H0001"),
        _col(
            "member_id",
            "成员编号",
            aliases=("人员编号",),
            example="H0001-1",
            note="空白则自动编号 / blank: numbered",
        ),
        _col("name", "姓名", required=True, example="张三"),
        _col(
            "id_number",
            "身份证号",
            ColType.RESIDENT_ID,
            aliases=("身份证号码", "公民身份号码"),
            example="11010519491231002X",
        ),
        _choice("sex", "性别", SEXES, example="女", note="空白则取自身份证号 / blank: from the ID number"),
        _col(
            "birth_date",
            "出生日期",
            ColType.DATE,
            example="1949-12-31",
            note="空白则取自身份证号 / blank: from the ID number",
        ),
        _col("registered_resident", "在册户籍", ColType.BOOL, aliases=("在册户籍人口",), example="是"),
        _col("agricultural", "农业人口", ColType.BOOL, example="是"),
        _col("married_childless", "已婚未育", ColType.BOOL, example="否"),
        _col("one_child_certificate", "独生子女证", ColType.BOOL, aliases=("持独生子女证",), example="否"),
        _col("land_lost", "被征地人员", ColType.BOOL, example="是"),
    ),
    aliases=("家庭成员", "人员", "member"),
)

BUILDINGS_SHEET: Final = Sheet(
    "buildings",
    "房屋",
    (
        _col("household_id", "户编号", required=True, aliases=("户号",), example="H0001"),
        _col("building_id", "房屋编号", required=True, example="H0001-B1"),
        _choice("tenure", "土地性质", TENURE, example="集体土地"),
        _choice("legality", "合法性", LEGALITY, example="合法", aliases=("认定结果", "合法性认定")),
        _choice("use", "用途", USES, example="居住"),
        _choice(
            "structure",
            "结构",
            STRUCTURES,
            required=True,
            open_choice=True,
            aliases=("结构等级", "房屋结构"),
            example="砖混二等",
            note="或本地标准表的行键 / or a row key of the local table",
        ),
        Column(
            "newness",
            "成新率",
            ColType.DECIMAL,
            aliases=("成新",),
            decimals=4,
            minimum=_ZERO,
            maximum=Decimal(1),
            example="0.8",
            note="0–1 之间的小数 / a ratio 0..1",
        ),
        _area(
            "legal_area_m2",
            "合法面积(m²)",
            required=True,
            aliases=("合法建筑面积", "合法面积"),
            example="120.50",
        ),
        _area("area_m2", "实测面积(m²)", aliases=("实测面积", "测绘面积"), example="135.20"),
        _money(
            "appraisal_value",
            "评估价值(元)",
            aliases=("评估价值", "评估价"),
            note="国有土地房屋 / state-land houses",
        ),
        _money("monthly_business_loss", "月停产停业损失(元)", aliases=("停产停业损失",)),
        _col("built_on", "建成日期", ColType.DATE, aliases=("建造日期",), example="1998-06-01"),
    ),
    aliases=("房屋信息", "building"),
)

ATTACHMENTS_SHEET: Final = Sheet(
    "attachments",
    "附着物",
    (
        _col("household_id", "户编号", required=True, aliases=("户号",), example="H0001"),
        _col("item_id", "附着物编号", required=True, aliases=("编号",), example="H0001-A1"),
        _col("item_code", "品种代码", required=True, aliases=("品种", "项目代码"), example="well"),
        Column(
            "quantity",
            "数量",
            ColType.DECIMAL,
            True,
            decimals=2,
            minimum=_ZERO,
            negative_code="NEGATIVE_VALUE",
            example="1",
            note="按标准表该行的单位（亩、株、口…） / in the table row's unit",
        ),
        _col(
            "owner",
            "所有人",
            aliases=("权利人",),
            example="张三",
            note="空白则为户主 / blank: household head",
        ),
        _col("spec", "规格", aliases=("胸径", "规格档次"), example=""),
        _col("since", "种植或建造日期", ColType.DATE, aliases=("种植日期", "建造日期"), example="2010-04-01"),
        _col("parcel_id", "地块编号", example="D001"),
    ),
    required=False,
    aliases=("青苗及附着物", "青苗", "attachment"),
)

FLATS_SHEET: Final = Sheet(
    "flats",
    "安置房",
    (
        _col("household_id", "户编号", required=True, aliases=("户号",), example="H0001"),
        _col("flat_id", "房号", required=True, aliases=("安置房号",), example="A-1-101"),
        _area("area_m2", "建筑面积(m²)", required=True, aliases=("面积", "建筑面积"), example="90.00"),
        _money(
            "appraisal_value",
            "评估价值(元)",
            aliases=("评估价值",),
            note="国有土地产权调换；空白按标准表价格 / state-land exchange; blank: table price",
        ),
    ),
    required=False,
    aliases=("flat",),
)

SURVEY: Final = InputKind(
    "survey",
    "调查登记表",
    (
        PROJECT_SHEET,
        COLLECTIVES_SHEET,
        PARCELS_SHEET,
        HOUSEHOLDS_SHEET,
        MEMBERS_SHEET,
        BUILDINGS_SHEET,
        ATTACHMENTS_SHEET,
        FLATS_SHEET,
    ),
)

# --- funds -------------------------------------------------------------------------

AGREEMENTS: Final = InputKind(
    "agreements",
    "补偿协议",
    (
        Sheet(
            "agreements",
            "协议",
            (
                _col("agreement_no", "协议编号", required=True, example="XY-2021-0001"),
                _col("project_id", "项目编号", required=True, example="P2021-001"),
                _col("payee_name", "收款人", required=True, aliases=("收款人姓名",), example="张三"),
                _col(
                    "payee_id",
                    "收款人证件号",
                    ColType.PAYEE_ID,
                    required=True,
                    aliases=("身份证号", "统一社会信用代码", "证件号码"),
                    example="11010519491231002X",
                ),
                _col(
                    "payee_account",
                    "收款账号",
                    ColType.ACCOUNT,
                    required=True,
                    aliases=("银行账号",),
                    example="6222020200112233446",
                ),
                _choice(
                    "category",
                    "资金类别",
                    CATEGORIES,
                    required=True,
                    aliases=("费用类别",),
                    example="房屋补偿费",
                ),
                _money(
                    "amount", "金额(元)", required=True, aliases=("协议金额", "金额"), example="350000.00"
                ),
                _col("signed_date", "签订日期", ColType.DATE, required=True, example="2021-10-15"),
                _col(
                    "effective_date",
                    "生效日期",
                    ColType.DATE,
                    example="2021-10-15",
                    note="空白表示尚未生效（附生效条件） / blank: not yet effective",
                ),
                _col("household_ref", "户或地块编号", aliases=("户编号", "地块编号"), example="H0001"),
            ),
            aliases=("补偿协议", "agreement"),
        ),
    ),
)

PAYMENT_LIST: Final = InputKind(
    "payment-list",
    "补偿款发放清单",
    (
        Sheet(
            "lists",
            "清单",
            (
                _col("list_no", "清单编号", required=True, example="QD-2021-01"),
                _col("project_id", "项目编号", required=True, example="P2021-001"),
                _col("preparer", "制表人", required=True, aliases=("制表人编号",), example="U001"),
                _col("created_at", "制表时间", ColType.DATETIME, required=True, example="2021-10-20 09:00"),
            ),
            aliases=("发放清单", "list"),
        ),
        Sheet(
            "lines",
            "清单明细",
            (
                _col("list_no", "清单编号", required=True, example="QD-2021-01"),
                _count("line_no", "序号", required=True, minimum=1, example="1"),
                _col("agreement_no", "协议编号", required=True, example="XY-2021-0001"),
                _col("payee_name", "收款人", required=True, example="张三"),
                _col(
                    "payee_account",
                    "收款账号",
                    ColType.ACCOUNT,
                    required=True,
                    aliases=("银行账号",),
                    example="6222020200112233446",
                ),
                _choice("category", "资金类别", CATEGORIES, required=True, example="房屋补偿费"),
                _money(
                    "amount", "金额(元)", required=True, aliases=("发放金额", "金额"), example="350000.00"
                ),
                _col(
                    "due_date",
                    "约定支付日期",
                    ColType.DATE,
                    required=True,
                    aliases=("支付期限", "到期日"),
                    example="2021-11-15",
                ),
            ),
            aliases=("明细", "line"),
        ),
    ),
)

REVIEWS: Final = InputKind(
    "reviews",
    "审核记录",
    (
        Sheet(
            "reviews",
            "审核",
            (
                _col("list_no", "清单编号", required=True, example="QD-2021-01"),
                _count("level", "审核级别", required=True, minimum=1, maximum=4, example="1"),
                _col("reviewer_id", "审核人", required=True, aliases=("审核人编号",), example="U002"),
                _col("role", "角色", required=True, aliases=("岗位",), example="经办复核"),
                _choice(
                    "decision", "审核意见", DECISIONS, required=True, aliases=("审核结果",), example="通过"
                ),
                _col("at", "审核时间", ColType.DATETIME, required=True, example="2021-10-21 10:00"),
                _col(
                    "digest",
                    "清单摘要",
                    ColType.DIGEST,
                    required=True,
                    aliases=("摘要值", "digest"),
                    example="0" * 64,
                    note="审核时所见清单内容的SHA-256 / SHA-256 of the list content reviewed",
                ),
            ),
            aliases=("审核记录", "review"),
        ),
    ),
)

BANK_STATEMENT: Final = InputKind(
    "bank-statement",
    "专户流水",
    (
        Sheet(
            "transactions",
            "流水",
            (
                _col(
                    "txn_id",
                    "交易流水号",
                    required=True,
                    aliases=("流水号", "交易编号"),
                    example="T20211101001",
                ),
                _col(
                    "account",
                    "本方账号",
                    ColType.ACCOUNT,
                    required=True,
                    aliases=("专户账号", "账号"),
                    example="6222020200112233446",
                ),
                _col(
                    "at",
                    "交易时间",
                    ColType.DATETIME,
                    required=True,
                    aliases=("交易日期", "记账日期"),
                    example="2021-11-01 10:30",
                ),
                _choice(
                    "direction",
                    "收支方向",
                    DIRECTIONS,
                    required=True,
                    aliases=("借贷标志", "收支"),
                    example="支出",
                ),
                Column(
                    "amount",
                    "金额(元)",
                    ColType.DECIMAL,
                    True,
                    ("交易金额", "发生额", "金额"),
                    minimum=Decimal("0.01"),
                    negative_code="NEGATIVE_AMOUNT",
                    example="350000.00",
                ),
                _col("counterparty_name", "对方户名", aliases=("对方名称",), example="张三"),
                _col("counterparty_account", "对方账号", ColType.ACCOUNT, example="6222020200112233446"),
                _col("reference", "摘要", aliases=("用途", "附言"), example="QD-2021-01/1 XY-2021-0001"),
                _money(
                    "balance_after",
                    "余额(元)",
                    negative=True,
                    aliases=("余额", "账户余额"),
                    example="650000.00",
                ),
            ),
            aliases=("专户流水", "银行流水", "transaction"),
        ),
    ),
)

# --- estimate (资金前置测算) ------------------------------------------------------
#
# The workbook equivalent of :class:`buchang.rules.estimate.EstimateInputs` (the YAML/JSON
# input of ``buchang estimate``): every field of that model has a column here, and
# :mod:`buchang.io.estimate` turns the sheets into it. A range (low ≤ expected ≤ high) is three
# columns of the one-row 测算参数 sheet; a blank low or high is the expected value.

#: 安置房来源: built (安置房建设) or bought back (回购); values of ``FlatSource``.
FLAT_SOURCES: Final = (
    Choice("construction", "建设", ("安置房建设", "新建", "建设安置房")),
    Choice("buy_back", "回购", ("安置房回购", "购房", "回购安置房", "buy-back")),
)


def _share(
    key: str, header: str, *, aliases: tuple[str, ...] = (), example: str = "", note: str = ""
) -> Column:
    return Column(
        key,
        header,
        ColType.DECIMAL,
        aliases=aliases,
        decimals=4,
        minimum=_ZERO,
        maximum=Decimal(1),
        example=example,
        note=note,
    )


def _months(
    key: str, header: str, *, aliases: tuple[str, ...] = (), example: str = "", note: str = ""
) -> Column:
    return Column(
        key, header, ColType.INT, aliases=aliases, decimals=0, minimum=_ZERO, maximum=Decimal(600),
        example=example, note=note,
    )  # fmt: skip


_RANGE_NOTE: Final = "空白则等于预期值 / blank: the expected value"
_COLLECTIVE_REF: Final = "集体编号或名称；只有一个集体时可空 / collective id or name; blank when there is one"

ESTIMATE_ASSUMPTIONS_SHEET: Final = Sheet(
    "assumptions",
    "测算参数",
    (
        _share(
            "exchange_share_low",
            "产权调换比例-低",
            aliases=("产权调换比例低值", "低情景产权调换比例"),
            example="0.4",
            note=_RANGE_NOTE,
        ),
        _share(
            "exchange_share",
            "产权调换比例-预期",
            aliases=("产权调换比例", "产权调换比例预期值", "预期产权调换比例"),
            example="0.5",
            note="选择产权调换的被征收户（及其合法住宅面积）所占比例，0–1；空白为0（全部货币补偿） / "
            "share of the house households (and of their legal residential area) expected to choose "
            "property exchange, 0..1; blank: 0",
        ),
        _share(
            "exchange_share_high",
            "产权调换比例-高",
            aliases=("产权调换比例高值", "高情景产权调换比例"),
            example="0.6",
            note=_RANGE_NOTE,
        ),
        _months(
            "temporary_months_low",
            "过渡月数-低",
            aliases=("过渡月数低值", "低情景过渡月数"),
            example="18",
            note=_RANGE_NOTE,
        ),
        _months(
            "temporary_months",
            "过渡月数-预期",
            aliases=("过渡月数", "过渡月数预期值", "临时安置月数"),
            example="24",
            note="产权调换户的过渡费月数（含交房后月数）；空白为0 / months of temporary housing of an "
            "exchanging household (including those after hand-over); blank: 0",
        ),
        _months(
            "temporary_months_high",
            "过渡月数-高",
            aliases=("过渡月数高值", "高情景过渡月数"),
            example="30",
            note=_RANGE_NOTE,
        ),
        _col("turnover_housing", "提供周转房", ColType.BOOL, aliases=("周转房",), example="否"),
        _col("high_rise", "高层安置", ColType.BOOL, example="否"),
        _choice(
            "flat_source",
            "安置房来源",
            FLAT_SOURCES,
            aliases=("安置房建设或回购",),
            example="建设",
            note="建设：按建设成本；回购：按回购单价；空白为建设 / construction cost or buy-back price; "
            "blank: construction",
        ),
        _money(
            "flat_unit_cost",
            "安置房单价(元/m²)",
            aliases=("安置房单价", "安置房建设成本", "安置房回购单价"),
            note="填写则代替标准表 estimate.flat_costs 的单价（明细注明为输入） / overrides the table's price "
            "(the line then cites the input)",
        ),
        Column(
            "flat_area_ratio",
            "安置面积比例",
            ColType.DECIMAL,
            aliases=("安置面积系数",),
            decimals=4,
            minimum=_ZERO,
            maximum=Decimal(10),
            example="1",
            note="安置房面积 = 产权调换户合法住宅面积 × 此比例；空白为1 / flat area = legal residential "
            "area of the exchanging households × this ratio; blank: 1",
        ),
        _area(
            "flat_area_per_person_m2",
            "人均安置面积(m²)",
            aliases=("人均安置面积",),
            note="填写则安置房面积 = 产权调换户人数 × 人均面积 / when given: flat area = persons × this",
        ),
        _col(
            "rewards",
            "计入奖励",
            ColType.BOOL,
            aliases=("估算奖励",),
            example="是",
            note="按全部按期签约、搬迁估算奖励（审慎）；空白为是 / estimate the rewards as if every "
            "household signs and moves in time; blank: yes",
        ),
    ),
    required=False,
    aliases=("情景参数", "测算假设", "参数", "assumption", "scenarios"),
    single_row=True,
    note="只填一行；区间按低≤预期≤高 / exactly one row; ranges low ≤ expected ≤ high",
)

ESTIMATE: Final = InputKind(
    "estimate",
    "资金前置测算输入",
    (
        Sheet(
            "project",
            "项目",
            PROJECT_SHEET.columns[:6],
            single_row=True,
            aliases=PROJECT_SHEET.aliases,
            note="只填一行 / exactly one row",
        ),
        ESTIMATE_ASSUMPTIONS_SHEET,
        Sheet(
            "collectives",
            "集体",
            COLLECTIVES_SHEET.columns,
            required=False,
            aliases=COLLECTIVES_SHEET.aliases,
            note="被征地集体经济组织：旧制度土地补偿和社保人数测算所需资料 / the collectives: data for the "
            "old land-fee regime and the social security quota",
        ),
        Sheet(
            "land",
            "地类面积",
            (
                _choice("land_class", "地类", LAND_CLASSES, required=True, example="水田"),
                _col("zone", "区片", example="hangzhou-I"),
                _area("area_m2", "面积(m²)", required=True, aliases=("面积",), example="66666.67"),
                _col("basic_farmland", "永久基本农田", ColType.BOOL, example="否"),
                _col("collective", "所属集体", aliases=("村组",), example="C01", note=_COLLECTIVE_REF),
                _col(
                    "crop_item",
                    "青苗品种",
                    aliases=("青苗品种代码", "青苗代码"),
                    note="青苗标准表的行键；空白取地类（如 paddy）；“无”为不计青苗 / crops table row key; "
                    "blank: the land class; 无: no crops",
                ),
            ),
            required=False,
            aliases=("land",),
            note="不征收土地（如国有土地上房屋征收）可不填 / may be absent (state-land houses only)",
        ),
        Sheet(
            "attachments",
            "附着物",
            (
                _col("item_code", "品种代码", required=True, aliases=("品种", "项目代码"), example="well"),
                Column(
                    "quantity",
                    "数量",
                    ColType.DECIMAL,
                    True,
                    decimals=2,
                    minimum=_ZERO,
                    negative_code="NEGATIVE_VALUE",
                    example="2",
                    note="按标准表该行的单位（口、座、株…） / in the table row's unit",
                ),
                _col("spec", "规格", aliases=("胸径", "规格档次")),
            ),
            required=False,
            aliases=("地上附着物", "青苗及附着物", "attachment"),
            note="地上附着物、零星树木等按数量汇总 / ground attachments counted",
        ),
        Sheet(
            "population",
            "户数人口",
            (
                _col("collective", "所属集体", aliases=("村组",), example="C01", note=_COLLECTIVE_REF),
                _count("households", "户数", required=True, example="120"),
                _count("persons", "在册人口", required=True, aliases=("人口", "人数"), example="380"),
                _count("agricultural_persons", "农业人口", example="320"),
                _count(
                    "agricultural_persons_16plus",
                    "16周岁以上农业人口",
                    aliases=("十六周岁以上农业人口",),
                    example="250",
                ),
                _count(
                    "land_lost_under_16",
                    "被征地人员-16周岁以下",
                    aliases=("被征地人员16周岁以下", "16周岁以下被征地人员"),
                    example="30",
                ),
                _count(
                    "land_lost_working_age",
                    "被征地人员-16周岁至退休年龄",
                    aliases=("被征地人员16周岁至退休年龄", "劳动年龄段被征地人员"),
                    example="160",
                ),
                _count(
                    "land_lost_retired",
                    "被征地人员-退休年龄以上",
                    aliases=("被征地人员退休年龄以上", "退休年龄以上被征地人员"),
                    example="60",
                ),
            ),
            required=False,
            aliases=("population",),
            note="被征地人员三个年龄段全填或全空；全空则按征收农用地面积×16周岁以上农业人口÷征收前农用地面积测算 / "
            "the three age groups all or none; none: the quota from the collective's data",
        ),
        Sheet(
            "buildings",
            "房屋面积",
            (
                _choice("tenure", "土地性质", TENURE, example="集体土地"),
                _choice("use", "用途", USES, example="居住"),
                _choice("structure", "结构", STRUCTURES, required=True, open_choice=True, example="砖混二等"),
                _choice("legality", "合法性", LEGALITY, example="合法"),
                _area("area_m2", "建筑面积(m²)", required=True, aliases=("面积",), example="15000.00"),
                Column(
                    "newness",
                    "平均成新率",
                    ColType.DECIMAL,
                    aliases=("成新率",),
                    decimals=4,
                    minimum=_ZERO,
                    maximum=Decimal(1),
                    example="0.8",
                    note="空白为1（审慎） / blank: 1 (prudent)",
                ),
                _money(
                    "unit_value",
                    "评估均价(元/m²)",
                    aliases=("评估均价", "评估单价"),
                    note="国有土地上房屋按评估均价补偿 / state-land houses: average appraised value per m²",
                ),
            ),
            required=False,
            aliases=("buildings",),
        ),
        Sheet(
            "households",
            "被征收户数",
            (
                _choice("tenure", "土地性质", TENURE, example="集体土地"),
                _count("households", "户数", required=True, aliases=("被征收户数",), example="120"),
                _count("persons", "人口", aliases=("人数", "被征收人口"), example="380"),
            ),
            required=False,
            aliases=("被征收户", "households"),
            note="房屋被征收的户数、人口，按土地性质；空白时取户数人口表 / households whose houses are taken, by "
            "tenure; absent: the population sheet",
        ),
    ),
    note="与 buchang estimate 的 YAML/JSON 输入一一对应 / the workbook form of the YAML/JSON estimate input",
)

#: Every input kind by its CLI name.
KINDS: Final = {k.name: k for k in (SURVEY, AGREEMENTS, PAYMENT_LIST, REVIEWS, BANK_STATEMENT, ESTIMATE)}
