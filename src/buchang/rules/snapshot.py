"""A resolved table snapshot: the table versions one computation may read.

Rules are pure functions of (inputs, snapshot) → lines; they never read files
or resolve tables themselves (``shared/spec/style.md``). The engine resolves
every kind a rule family needs, for the project's jurisdiction at the right
governing date (spec section 3), into a :class:`Snapshot` first; resolution
issues (table missing, date outside coverage, non-official figures) travel
with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from buchang.core.errors import Issue
from buchang.tables.model import TableVersion
from buchang.tables.store import Resolution, TableStore


class DateBasis(StrEnum):
    """Which governing date a kind of table is resolved at (spec section 3)."""

    NOTICE = "notice"  # 征收土地预公告 / 拟征地告知书: land, attachments, collective-land houses
    APPROVAL = "approval"  # 征地批准: social security
    VALUATION = "valuation"  # 征收决定公告: state-land houses (条例 Art. 19)


@dataclass(frozen=True, slots=True)
class Need:
    """A table kind a rule family reads, at which governing date, and whether it is optional."""

    kind: str
    basis: DateBasis = DateBasis.NOTICE
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Resolved versions by kind, plus the resolutions (for the record) and their issues."""

    versions: Mapping[str, TableVersion] = field(default_factory=lambda: MappingProxyType({}))
    resolutions: tuple[Resolution, ...] = ()
    issues: tuple[Issue, ...] = ()

    def get(self, kind: str) -> TableVersion | None:
        return self.versions.get(kind)

    def require(self, kind: str) -> TableVersion:
        v = self.versions.get(kind)
        if v is None:
            raise KeyError(f"table kind '{kind}' was not resolved (declare it as a Need)")
        return v


def governing_date(basis: DateBasis, notice: date, approval: date | None, valuation: date | None) -> date:
    """The date a basis stands for; approval/valuation fall back to the notice date."""
    if basis is DateBasis.APPROVAL and approval is not None:
        return approval
    if basis is DateBasis.VALUATION and valuation is not None:
        return valuation
    return notice


def resolve_snapshot(
    store: TableStore,
    jurisdiction: str,
    needs: Iterable[Need],
    *,
    notice: date,
    approval: date | None = None,
    valuation: date | None = None,
    strict: bool = False,
) -> Snapshot:
    """Resolve every needed kind; a missing optional kind is silently absent."""
    versions: dict[str, TableVersion] = {}
    resolutions: list[Resolution] = []
    issues: list[Issue] = []
    seen: set[str] = set()
    for need in needs:
        if need.kind in seen:
            continue
        seen.add(need.kind)
        on = governing_date(need.basis, notice, approval, valuation)
        res = store.resolve(need.kind, jurisdiction, on, strict=strict)
        if res.version is None and need.optional and all(i.code == "TABLE_NOT_FOUND" for i in res.issues):
            continue
        resolutions.append(res)
        issues.extend(res.issues)
        if res.version is not None:
            versions[need.kind] = res.version
    return Snapshot(MappingProxyType(versions), tuple(resolutions), tuple(issues))
