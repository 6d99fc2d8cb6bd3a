"""Compute an estimate of upfront funds from survey summaries (spec 4.6).

The estimate reuses the exact core: the same table kinds, resolved the same
way (:func:`buchang.rules.engine.resolve_families`), and the same rule functions
wherever a summary fits them —

* land fees: every land summary row is a parcel, priced by
  :func:`buchang.rules.land.compute_collective_land` (regime A or B, as the
  ``land.fees`` version in force says);
* crops: each agricultural land row's area, in 亩, × the crop row of the
  ``attachments.items`` table (:func:`buchang.rules.attachments.item_line`);
  attachments: the counted items, likewise;
* houses: per land tenure, one *money* household holding every building row —
  the legal residential area scaled by the money share — run through
  :func:`buchang.rules.house.collective.compute_collective` /
  :func:`buchang.rules.house.state.compute_state` (legality gate, residual value,
  money formula, moving, temporary housing, rewards); one *exchange* household
  holding the exchange share of the legal residential area, whose moving,
  temporary housing and rewards come from :func:`buchang.rules.house.fees.fee_lines`.
  A per-household fee (unit 户) is multiplied by the number of households the
  share stands for (said in the line's basis). Exchanging households are not
  paid their old house in money: they are housed in flats, whose construction
  or buy-back is funded (next point); settlement differences paid by or to the
  household are left out (they net against the flat);
* resettlement flats: flat area × construction cost or buy-back price
  (table ``estimate.flat_costs``, or the input's own unit cost);
* social security (its own fund category): persons by age group × the group's
  amount (``social_security.groups``); without the age split, the quota formula
  (:func:`buchang.rules.social_security.persons_quota`) priced at the dearest
  adult group;
* working costs (测绘费, 评估费, 拆除费, 工作经费, 不可预见费): table
  ``estimate.working_costs``, each row a rate of a named base or a price per m²
  of building area; rates on a base that includes the other working costs
  (不可预见费) are applied last.

Ranges: the exchange share and the months of temporary housing. The scenario
``expected`` takes both expected values; every combination of the ranges' ends
is computed too, and ``low``/``high`` are the cheapest/dearest of them (the
expected one included), so low ≤ expected ≤ high holds in total by construction.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from buchang import __version__
from buchang.core.errors import Issue, Severity
from buchang.rules.engine import resolve_families
from buchang.rules.inputs import Collective, Parcel, Project
from buchang.rules.snapshot import resolve_snapshot
from buchang.tables.model import TableVersion
from buchang.tables.store import TableStore, not_official_issues

from .common import ESTIMATE_NEEDS, KIND_WORKING_COSTS, Context, est_issue, owner_of
from .costs import working_cost_lines
from .fixed import crops_lines, land_lines, social_security_lines
from .houses import house_lines
from .model import Estimate, EstimateInputs, EstimateLine, Scenario, ScenarioEstimate


def _collectives(inputs: EstimateInputs) -> tuple[tuple[Collective, ...], list[Issue]]:
    """The input's collectives, their population filled from the population rows; one
    unnamed collective when land is taken and none is listed."""
    given = list(inputs.collectives)
    if not given and (inputs.land or inputs.population):
        given = [Collective(collective_id="C", name=f"{inputs.name}被征地集体经济组织")]
    issues: list[Issue] = []
    out: list[Collective] = []
    for c in given:
        rows = [p for p in inputs.population if owner_of(p.collective, given) == c.collective_id]
        update: dict[str, int] = {}
        if (
            c.agricultural_population is None
            and rows
            and all(r.agricultural_persons is not None for r in rows)
        ):
            update["agricultural_population"] = sum(r.agricultural_persons or 0 for r in rows)
        if (
            c.agricultural_population_16plus is None
            and rows
            and all(r.agricultural_persons_16plus is not None for r in rows)
        ):
            update["agricultural_population_16plus"] = sum(r.agricultural_persons_16plus or 0 for r in rows)
        out.append(c.model_copy(update=update) if update else c)
    known = {c.collective_id for c in out}
    for i, p in enumerate(inputs.population):
        if owner_of(p.collective, out) not in known:
            issues.append(
                est_issue(
                    "ESTIMATE_COLLECTIVE_UNKNOWN",
                    f"population row names collective '{p.collective}', which is not listed",
                    f"population[{i}]",
                    Severity.WARNING,
                )
            )
    return tuple(out), issues


def build_project(inputs: EstimateInputs) -> tuple[Project, list[Issue]]:
    """The core :class:`Project` the rules run on: collectives, and a parcel per land row
    (``land[i]``). The signing window is the notice date, so rewards are estimated as if
    every household signs and moves inside it."""
    collectives, issues = _collectives(inputs)
    known = {c.collective_id for c in collectives}
    parcels: list[Parcel] = []
    for i, row in enumerate(inputs.land):
        owner = owner_of(row.collective, collectives)
        if owner is None or owner not in known:
            issues.append(
                est_issue(
                    "ESTIMATE_COLLECTIVE_UNKNOWN",
                    f"land row names collective '{row.collective}', which is not listed"
                    if row.collective
                    else "land row names no collective and there are several: say which one owns it",
                    f"land[{i}]",
                )
            )
            continue
        parcels.append(
            Parcel(
                parcel_id=f"land[{i}]",
                land_class=row.land_class,
                area_m2=row.area_m2,
                owner_collective=owner,
                zone=row.zone,
                basic_farmland=row.basic_farmland,
            )
        )
    project = Project(
        project_id=inputs.project_id,
        name=inputs.name,
        jurisdiction=inputs.jurisdiction,
        notice_date=inputs.notice_date,
        approval_date=inputs.approval_date,
        valuation_date=inputs.valuation_date,
        signing_start=inputs.notice_date,
        signing_end=inputs.notice_date,
        collectives=collectives,
        parcels=tuple(parcels),
    )
    return project, issues


# --- assembling ------------------------------------------------------------------------------


def _dedupe(issues: Iterable[Issue]) -> tuple[Issue, ...]:
    out: list[Issue] = []
    seen: set[object] = set()
    for i in issues:
        key: object = (i.code, i.message.split(" ", 1)[0]) if i.code == "TABLE_NOT_OFFICIAL" else i
        if key not in seen:
            seen.add(key)
            out.append(i)
    return tuple(out)


def _resolved(ctx: Context) -> dict[str, TableVersion]:
    versions: dict[str, TableVersion] = {}
    snapshots = [f.snapshot for f in ctx.snaps.all()] + [ctx.own]
    for snap in snapshots:
        for r in snap.resolutions:
            if r.version is not None:
                versions.setdefault(r.version.content_hash, r.version)
    return versions


def _table_issues(ctx: Context, used: set[str]) -> list[Issue]:
    """Resolution warnings (non-official, beyond verification …) of the tables the lines use."""
    out: list[Issue] = []
    snapshots = [f.snapshot for f in ctx.snaps.all()] + [ctx.own]
    for snap in snapshots:
        for r in snap.resolutions:
            if r.version is not None and r.version.content_hash in used:
                out += r.issues
    return out


def _scenario(
    ctx: Context, fixed: list[EstimateLine], share: Decimal, months: int
) -> tuple[ScenarioEstimate, list[Issue]]:
    lines, issues = house_lines(ctx, Fraction(share), months)
    everything = fixed + lines
    costs, iss = working_cost_lines(ctx, everything)
    return (
        ScenarioEstimate(
            scenario=Scenario.EXPECTED,
            exchange_share=share,
            temporary_months=months,
            lines=tuple(everything + costs),
        ),
        issues + iss,
    )


def scenario_points(inputs: EstimateInputs) -> list[tuple[Decimal, int]]:
    """(exchange share, months) to compute: the expected point first, then every
    combination of the ranges' ends, each once."""
    share, months = inputs.exchange_share, inputs.temporary_months
    points = [(share.expected, months.expected)]
    for p in itertools.product((share.lo, share.hi), (months.lo, months.hi)):
        if p not in points:
            points.append(p)
    return points


def pick(candidates: list[ScenarioEstimate]) -> tuple[ScenarioEstimate, ScenarioEstimate, ScenarioEstimate]:
    """(low, expected, high): the expected point (the first candidate) and the cheapest and
    dearest candidates, so that low ≤ expected ≤ high in total; ties go to the earlier point."""
    ranked = list(enumerate(candidates))
    low = min(ranked, key=lambda t: (t[1].total_fen, t[0]))[1]
    high = max(ranked, key=lambda t: (t[1].total_fen, -t[0]))[1]
    return (
        low.model_copy(update={"scenario": Scenario.LOW}),
        candidates[0],
        high.model_copy(update={"scenario": Scenario.HIGH}),
    )


def estimate(inputs: EstimateInputs, store: TableStore, *, strict: bool = False) -> Estimate:
    """The upfront funds a project must deposit, by category, for the low/expected/high scenarios.

    Pure apart from the table lookups in ``store``; bad data and missing tables are
    issues on the result, never exceptions. ``strict`` turns "date beyond the
    table's verification" warnings into errors.
    """
    project, issues = build_project(inputs)
    snaps = resolve_families(store, project, strict=strict)
    own = resolve_snapshot(
        store,
        inputs.jurisdiction,
        ESTIMATE_NEEDS,
        notice=inputs.notice_date,
        approval=inputs.approval_date,
        valuation=inputs.valuation_date,
        strict=strict,
    )
    ctx = Context(inputs, project, snaps, own)
    fixed: list[EstimateLine] = []
    for part in (land_lines, crops_lines, social_security_lines):
        ls, iss = part(ctx)
        fixed += ls
        issues += iss
    candidates: list[ScenarioEstimate] = []
    for share, months in scenario_points(inputs):
        result, iss = _scenario(ctx, fixed, share, months)
        candidates.append(result)
        issues += iss
    low, expected, high = pick(candidates)
    if not own.get(KIND_WORKING_COSTS):
        issues += [i for r in own.resolutions if r.kind == KIND_WORKING_COSTS for i in r.issues if i.is_error]
    all_lines = [line for c in (low, expected, high) for line in c.lines]
    used = {ref.content_hash for line in all_lines for ref in line.refs}
    versions = _resolved(ctx)
    tables = sorted((versions[h].ref() for h in used if h in versions), key=lambda r: (r.table_id, r.version))
    issues = (
        _table_issues(ctx, used)
        + issues
        + not_official_issues(ref for line in all_lines for ref in line.refs)
    )
    return Estimate(
        project_id=inputs.project_id,
        name=inputs.name,
        jurisdiction=inputs.jurisdiction,
        notice_date=inputs.notice_date,
        low=low,
        expected=expected,
        high=high,
        issues=_dedupe(issues),
        tables=tuple(tables),
        library_version=__version__,
    )
