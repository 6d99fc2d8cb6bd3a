"""The exact engine: resolve tables, run the rule families, assemble results.

Pipeline for a project (spec sections 3 and 6):

1. for each rule family, resolve a :class:`~buchang.rules.snapshot.Snapshot`
   of every kind it needs, for the project's jurisdiction at that kind's
   governing date (notice / approval / valuation). Land is resolved in two
   steps: ``land.fees`` first, then the kinds its variant needs
   (:func:`buchang.rules.land.land_needs`);
2. collectives: land fees (:mod:`.land`) and the social-security quota check;
3. households: crops and attachments (:mod:`.attachments`), houses
   (:mod:`.house`), social security (:mod:`.social_security`);
4. results: a :class:`SubjectResult` per collective and household, then the
   :class:`ProjectResult` with the tables used and every issue.

Bad data and missing tables never raise: a required table that cannot be
resolved (or resolves with an error) stops that family for that subject and
is an error issue on the subject and the project. Every subject computed from
a table that is not ``official`` carries the ``TABLE_NOT_OFFICIAL`` warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from buchang import __version__
from buchang.core.errors import Issue, Location, Severity
from buchang.rules.attachments import ATTACHMENT_NEEDS, compute_household_attachments
from buchang.rules.house import HOUSE_NEEDS, compute_household_houses, house_needs_for
from buchang.rules.inputs import Collective, Household, Project
from buchang.rules.land import FEES_KIND, compute_collective_land, land_needs
from buchang.rules.lines import Line, ProjectResult, SubjectKind, SubjectResult
from buchang.rules.snapshot import Need, Snapshot, resolve_snapshot
from buchang.rules.social_security import (
    SOCIAL_SECURITY_NEEDS,
    check_quota,
    compute_household_social_security,
)
from buchang.tables.model import TableRef, TableVersion
from buchang.tables.store import TableStore, not_official_issues

HouseholdRule = Callable[[Project, Household, Snapshot], tuple[list[Line], list[Issue]]]


@dataclass(frozen=True, slots=True)
class Family:
    """A rule family: its name, the kinds it reads and the snapshot resolved for them."""

    name: str
    needs: tuple[Need, ...]
    snapshot: Snapshot


@dataclass(frozen=True, slots=True)
class Snapshots:
    """The resolved snapshot of every family, for one project."""

    land: Family
    attachments: Family
    houses: Family
    social_security: Family

    def all(self) -> tuple[Family, ...]:
        return (self.land, self.attachments, self.houses, self.social_security)


def _resolve(store: TableStore, project: Project, needs: Sequence[Need], strict: bool) -> Snapshot:
    return resolve_snapshot(
        store,
        project.jurisdiction,
        needs,
        notice=project.notice_date,
        approval=project.approval_date,
        valuation=project.valuation_date,
        strict=strict,
    )


def resolve_families(store: TableStore, project: Project, *, strict: bool = False) -> Snapshots:
    """Resolve the tables of every family for ``project`` (land in two steps)."""
    first = _resolve(store, project, land_needs(None), strict)
    needs = land_needs(first.get(FEES_KIND))
    land = Family("land", needs, _resolve(store, project, needs, strict))
    return Snapshots(
        land=land,
        attachments=Family(
            "attachments", ATTACHMENT_NEEDS, _resolve(store, project, ATTACHMENT_NEEDS, strict)
        ),
        houses=Family("houses", HOUSE_NEEDS, _resolve(store, project, HOUSE_NEEDS, strict)),
        social_security=Family(
            "social_security", SOCIAL_SECURITY_NEEDS, _resolve(store, project, SOCIAL_SECURITY_NEEDS, strict)
        ),
    )


def _required(family: Family) -> frozenset[str]:
    return frozenset(n.kind for n in family.needs if not n.optional)


def blocked(family: Family) -> bool:
    """True when a required table is missing or resolved with an error: the family does not run."""
    required = _required(family)
    if any(family.snapshot.get(kind) is None for kind in required):
        return True
    return any(i.is_error for r in family.snapshot.resolutions if r.kind in required for i in r.issues)


def _relevant_issues(family: Family, lines: Iterable[Line]) -> list[Issue]:
    """Resolution issues a subject must carry: those of required kinds, of tables its lines
    used, and of lookups that found no version (errors)."""
    used = {ref.content_hash for line in lines for ref in line.refs}
    required = _required(family)
    kinds = {n.kind for n in family.needs}
    out: list[Issue] = []
    for r in family.snapshot.resolutions:
        if r.kind not in kinds:
            continue
        if r.version is None or r.kind in required or r.version.content_hash in used:
            out += r.issues
    return out


def _not_official(lines: Iterable[Line]) -> list[Issue]:
    """A TABLE_NOT_OFFICIAL warning for every non-official table a line cites (a safety net:
    resolution issues normally carry it already; the text is then identical)."""
    return not_official_issues(ref for line in lines for ref in line.refs)


def _dedupe(issues: Iterable[Issue]) -> tuple[Issue, ...]:
    """Issues in first-seen order, each once; a non-official warning once per table version."""
    out: list[Issue] = []
    seen: set[object] = set()
    for i in issues:
        key: object = i
        if i.code == "TABLE_NOT_OFFICIAL":
            key = ("TABLE_NOT_OFFICIAL", i.message.split(" ", 1)[0])
        if key not in seen:
            seen.add(key)
            out.append(i)
    return tuple(out)


def _run(
    family: Family, compute: Callable[[Snapshot], tuple[list[Line], list[Issue]]]
) -> tuple[list[Line], list[Issue]]:
    """Run one family for one subject unless its tables are blocked."""
    if blocked(family):
        return [], _relevant_issues(family, ())
    lines, issues = compute(family.snapshot)
    return lines, _relevant_issues(family, lines) + issues


def _collective_result(project: Project, collective: Collective, snaps: Snapshots) -> SubjectResult:
    lines: list[Line] = []
    issues: list[Issue] = []
    if any(p.owner_collective == collective.collective_id for p in project.parcels):
        lines, issues = _run(snaps.land, lambda s: compute_collective_land(project, collective, s))
    if not blocked(snaps.social_security):
        issues += check_quota(project, collective, snaps.social_security.snapshot)
    return SubjectResult(
        subject_id=collective.collective_id,
        kind=SubjectKind.COLLECTIVE,
        name=collective.name,
        collective=collective.collective_id,
        lines=tuple(lines),
        issues=_dedupe([*issues, *_not_official(lines)]),
    )


#: Household families in the order their lines are listed.
_HOUSEHOLD_FAMILIES: Final = ("attachments", "houses", "social_security")


def _household_result(project: Project, household: Household, snaps: Snapshots) -> SubjectResult:
    rules: dict[str, tuple[Family, HouseholdRule, bool]] = {
        "attachments": (snaps.attachments, compute_household_attachments, bool(household.attachments)),
        # Only the tenures this household has: a collective-land household must not be
        # blocked by (or carry) a state-land table's lookup issues, and vice versa.
        "houses": (
            Family("houses", house_needs_for(household), snaps.houses.snapshot),
            compute_household_houses,
            bool(household.buildings),
        ),
        "social_security": (
            snaps.social_security,
            compute_household_social_security,
            any(m.land_lost for m in household.members),
        ),
    }
    lines: list[Line] = []
    issues: list[Issue] = []
    for name in _HOUSEHOLD_FAMILIES:
        family, rule, applies = rules[name]
        if not applies:
            continue

        def compute(snap: Snapshot, rule: HouseholdRule = rule) -> tuple[list[Line], list[Issue]]:
            return rule(project, household, snap)

        ls, iss = _run(family, compute)
        lines += ls
        issues += iss
    return SubjectResult(
        subject_id=household.household_id,
        kind=SubjectKind.HOUSEHOLD,
        name=household.head_name,
        collective=household.collective,
        lines=tuple(lines),
        issues=_dedupe([*issues, *_not_official(lines)]),
    )


def compute_household(
    project: Project, household: Household, store: TableStore, *, strict: bool = False
) -> SubjectResult:
    """Every line of one household (crops/attachments, houses, social security).

    ``strict`` turns "date beyond the table's verification" warnings into errors.
    """
    return _household_result(project, household, resolve_families(store, project, strict=strict))


def compute_collective(
    project: Project, collective: Collective, store: TableStore, *, strict: bool = False
) -> SubjectResult:
    """土地补偿费 and 安置补助费 of one collective's parcels, with the quota check."""
    return _collective_result(project, collective, resolve_families(store, project, strict=strict))


def _input_issues(project: Project) -> list[Issue]:
    """Project-level consistency: duplicate ids, parcels and households of unknown collectives."""
    out: list[Issue] = []
    for what, ids in (
        ("collective", [c.collective_id for c in project.collectives]),
        ("household", [h.household_id for h in project.households]),
        ("parcel", [p.parcel_id for p in project.parcels]),
    ):
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                out.append(Issue("DUPLICATE_ID", f"{what} id '{i}' appears twice", location=Location(key=i)))
            seen.add(i)
    known = {c.collective_id for c in project.collectives}
    for p in project.parcels:
        if p.owner_collective not in known:
            out.append(
                Issue(
                    "UNKNOWN_COLLECTIVE",
                    f"parcel {p.parcel_id} belongs to collective '{p.owner_collective}', which is not listed; "
                    "its land fees are not computed",
                    location=Location(key=p.parcel_id),
                )
            )
    for h in project.households:
        if h.collective is not None and h.collective not in known:
            out.append(
                Issue(
                    "UNKNOWN_COLLECTIVE",
                    f"household {h.household_id} belongs to collective '{h.collective}', which is not listed",
                    Severity.WARNING,
                    Location(key=h.household_id),
                )
            )
    return out


def _applied_kinds(project: Project, snaps: Snapshots) -> set[str]:
    """Required kinds of the families that apply to at least one subject of ``project``
    (a project without parcels does not "use" the land tables it resolved)."""
    kinds: set[str] = set()
    if project.parcels:
        kinds |= _required(snaps.land)
    if any(h.attachments for h in project.households):
        kinds |= _required(snaps.attachments)
    for h in project.households:
        if h.buildings:
            kinds |= {n.kind for n in house_needs_for(h) if not n.optional}
    if project.parcels or any(m.land_lost for h in project.households for m in h.members):
        kinds |= _required(snaps.social_security)
    return kinds


def _tables_used(
    project: Project, snaps: Snapshots, subjects: Sequence[SubjectResult]
) -> tuple[TableRef, ...]:
    """Version-level refs of every table a line cites, plus the required tables of the
    families that ran for some subject (the regime-A bounds checked without a cap line, say)."""
    used = {ref.content_hash for s in subjects for line in s.lines for ref in line.refs}
    applied = _applied_kinds(project, snaps)
    versions: dict[str, TableVersion] = {}
    for family in snaps.all():
        ran = not blocked(family) if family.name != "houses" else True
        for r in family.snapshot.resolutions:
            v = r.version
            if v is not None and (v.content_hash in used or (ran and r.kind in applied)):
                versions.setdefault(v.content_hash, v)
    refs = [v.ref() for v in versions.values()]
    return tuple(sorted(refs, key=lambda r: (r.table_id, r.version)))


def compute_project(project: Project, store: TableStore, *, strict: bool = False) -> ProjectResult:
    """Every collective and household of ``project``, the tables used and all issues."""
    snaps = resolve_families(store, project, strict=strict)
    subjects: list[SubjectResult] = [_collective_result(project, c, snaps) for c in project.collectives]
    subjects += [_household_result(project, h, snaps) for h in project.households]
    return assemble_result(project, snaps, subjects)


def assemble_result(project: Project, snaps: Snapshots, subjects: Sequence[SubjectResult]) -> ProjectResult:
    """The project's result from its subjects' results (in order): input and subject issues
    deduplicated, the tables used. Shared by :func:`compute_project` and
    :func:`buchang.rules.parallel.compute_project_parallel`, which computes the subjects
    elsewhere."""
    issues = _input_issues(project)
    for s in subjects:
        issues += s.issues
    return ProjectResult(
        project_id=project.project_id,
        name=project.name,
        jurisdiction=project.jurisdiction,
        notice_date=project.notice_date,
        subjects=tuple(subjects),
        issues=_dedupe(issues),
        tables=_tables_used(project, snaps, subjects),
        library_version=__version__,
    )
