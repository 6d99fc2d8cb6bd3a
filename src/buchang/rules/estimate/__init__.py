"""Project-level estimate of upfront funds (资金前置测算), spec 4.6.

Before a project may start, the full compensation must be in the dedicated
account (巴南府发〔2015〕118号 五: "前置资金（含安置房建设、回购资金）足额到位 …
前置资金不能确保的，一律不得启动"; 实施条例 第三十二条). The estimate works from
survey summaries, before household detail exists.

The pipeline in five steps:

1. :class:`EstimateInputs` (survey summaries; ranges for the exchange share and
   the months of temporary housing) → a core :class:`~buchang.rules.inputs.Project`
   with a parcel per land row (:func:`build_project`);
2. the core's tables are resolved as for a computation (land, attachments,
   houses, social security), plus the estimate's own kinds
   ``estimate.working_costs`` and ``estimate.flat_costs``;
3. the core rules price every summary they fit (land fees, crops and
   attachments, houses with moving, temporary housing and rewards); flats and
   social security by count are the estimate's own lines;
4. working costs (测绘费, 评估费, 拆除费, 工作经费, 不可预见费) as table rates of
   their base, contingency last;
5. scenarios low/expected/high → :class:`Estimate`; :func:`required_upfront_fen`
   gives the amount the fund-control journal must see deposited before start.
"""

from .common import ESTIMATE_NEEDS, KIND_FLAT_COSTS, KIND_WORKING_COSTS
from .compute import build_project, estimate
from .costs import COST_BASES, COST_ROWS
from .io import (
    ESTIMATE_FORMAT,
    estimate_envelope,
    estimate_from_json,
    estimate_to_json,
    parse_estimate_inputs,
    read_estimate_inputs,
)
from .model import (
    FUND_EN,
    FUND_ORDER,
    SCENARIOS,
    AttachmentSummary,
    BuildingSummary,
    Estimate,
    EstimateInputs,
    EstimateLine,
    FlatPlan,
    FlatSource,
    FundCategory,
    HouseholdCount,
    LandSummary,
    MonthsRange,
    PopulationSummary,
    Scenario,
    ScenarioEstimate,
    ShareRange,
    required_upfront_fen,
)

__all__ = [
    "COST_BASES",
    "COST_ROWS",
    "ESTIMATE_FORMAT",
    "ESTIMATE_NEEDS",
    "FUND_EN",
    "FUND_ORDER",
    "KIND_FLAT_COSTS",
    "KIND_WORKING_COSTS",
    "SCENARIOS",
    "AttachmentSummary",
    "BuildingSummary",
    "Estimate",
    "EstimateInputs",
    "EstimateLine",
    "FlatPlan",
    "FlatSource",
    "FundCategory",
    "HouseholdCount",
    "LandSummary",
    "MonthsRange",
    "PopulationSummary",
    "Scenario",
    "ScenarioEstimate",
    "ShareRange",
    "build_project",
    "estimate",
    "estimate_envelope",
    "estimate_from_json",
    "estimate_to_json",
    "parse_estimate_inputs",
    "read_estimate_inputs",
    "required_upfront_fen",
]
