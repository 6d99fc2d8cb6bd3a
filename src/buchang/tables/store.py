"""A set of loaded tables and the lookup by jurisdiction chain and governing date.

``shared/spec/domain.md`` section 3: standards are local. A lookup for a kind of
table walks district → city → province → national and the first level that has
a table of that kind answers (the answer records which level). Within that
table the version whose effective range covers the *governing date* is used —
the governing date is a named input (the pre-notice date for land, the
征收决定公告 date for state-land houses), never "today".

* a date before the table's first version is an error (``DATE_BEFORE_FIRST_VERSION``);
* a date after the version's ``effective_to`` (for the last version) or after
  its ``verified_on`` is a warning — figures may have been superseded since —
  or an error in strict mode;
* a version that is not ``official`` adds a warning saying so, so every output
  that carries the resolution's issues shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from buchang.core.errors import Issue, Location, Severity
from buchang.tables.loader import load_jurisdictions, load_table_file, table_files
from buchang.tables.model import Jurisdiction, Status, Table, TableRef, TableVersion


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of a table lookup.

    Attributes:
        kind: the kind asked for.
        jurisdiction: the jurisdiction asked for.
        on: the governing date.
        version: the version that answers, or ``None`` when none can.
        answered_by: jurisdiction code whose table answered.
        level: that jurisdiction's level (district/city/province/national).
        chain: the jurisdiction codes walked, nearest first.
        issues: errors and warnings (non-official status, beyond verification …).
    """

    kind: str
    jurisdiction: str
    on: date
    version: TableVersion | None
    answered_by: str | None
    level: str | None
    chain: tuple[str, ...]
    issues: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return self.version is not None and not any(i.is_error for i in self.issues)


class TableStore:
    """Loaded, validated tables and jurisdictions. Immutable after construction."""

    def __init__(self, jurisdictions: Mapping[str, Jurisdiction], tables: Iterable[Table]) -> None:
        self._jurisdictions = dict(jurisdictions)
        self._tables: dict[str, Table] = {}
        self._by_kind: dict[tuple[str, str], Table] = {}
        for t in tables:
            self._tables[t.table_id] = t
            self._by_kind[(t.kind, t.jurisdiction)] = t

    @property
    def jurisdictions(self) -> Mapping[str, Jurisdiction]:
        return self._jurisdictions

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(sorted(self._tables.values(), key=lambda t: (t.jurisdiction, t.table_id)))

    def table(self, table_id: str) -> Table | None:
        return self._tables.get(table_id)

    def version(self, table_id: str, version: str) -> TableVersion | None:
        t = self._tables.get(table_id)
        return None if t is None else t.find_version(version)

    def by_hash(self, content_hash: str) -> TableVersion | None:
        for t in self._tables.values():
            for v in t.versions:
                if v.content_hash == content_hash:
                    return v
        return None

    def chain(self, code: str) -> tuple[str, ...]:
        """Jurisdiction codes from ``code`` up to the root (cycles stop the walk)."""
        out: list[str] = []
        cur: str | None = code
        while cur is not None and cur not in out:
            out.append(cur)
            j = self._jurisdictions.get(cur)
            cur = j.parent if j else None
        return tuple(out)

    def resolve(self, kind: str, jurisdiction: str, on: date, *, strict: bool = False) -> Resolution:
        """Find the version of ``kind`` that governs ``jurisdiction`` on ``on``."""
        chain = self.chain(jurisdiction)
        issues: list[Issue] = []
        loc = Location(key=f"{kind}@{jurisdiction}")
        if jurisdiction not in self._jurisdictions:
            issues.append(Issue("UNKNOWN_JURISDICTION", f"no jurisdiction '{jurisdiction}'", location=loc))
        for code in chain:
            table = self._by_kind.get((kind, code))
            if table is None:
                continue
            level = self._jurisdictions[code].level.value if code in self._jurisdictions else None
            tloc = Location(file=table.file, key=f"{table.table_id}@{on.isoformat()}")
            first = table.versions[0] if table.versions else None
            version = table.version_on(on)
            if version is None:
                if first is not None and on < first.effective_from:
                    issues.append(
                        Issue(
                            "DATE_BEFORE_FIRST_VERSION",
                            f"{table.table_id} ({code}) has no version before {first.effective_from}; "
                            f"governing date {on} is earlier",
                            location=tloc,
                        )
                    )
                    return Resolution(kind, jurisdiction, on, None, code, level, chain, tuple(issues))
                last = table.versions[-1]
                version = last
                issues.append(
                    Issue(
                        "DATE_AFTER_EFFECTIVE_TO",
                        f"{table.table_id}@{last.version} ended on {last.effective_to}; governing date {on} "
                        "is later and no newer version is loaded",
                        Severity.ERROR if strict else Severity.WARNING,
                        tloc,
                    )
                )
            if on > version.verified_on:
                issues.append(
                    Issue(
                        "DATE_AFTER_VERIFIED",
                        f"{table.table_id}@{version.version} was last verified on {version.verified_on}; "
                        f"governing date {on} is later — check the figures are still in force",
                        Severity.ERROR if strict else Severity.WARNING,
                        tloc,
                    )
                )
            if version.status is not Status.OFFICIAL:
                issues.append(not_official_issue(table.table_id, version.version, version.status, tloc))
            return Resolution(kind, jurisdiction, on, version, code, level, chain, tuple(issues))
        issues.append(
            Issue(
                "TABLE_NOT_FOUND",
                f"no table of kind '{kind}' for {' → '.join(chain) or jurisdiction}",
                location=loc,
            )
        )
        return Resolution(kind, jurisdiction, on, None, None, None, chain, tuple(issues))


def not_official_issue(table_id: str, version: str, status: Status, location: Location) -> Issue:
    """The ``TABLE_NOT_OFFICIAL`` warning every output computed from such a table carries."""
    return Issue(
        "TABLE_NOT_OFFICIAL",
        f"{table_id}@{version} figures are {status.value}"
        + ("（示例数据，非官方标准）" if status is Status.ILLUSTRATIVE else "（转引，未核对原文）"),
        Severity.WARNING,
        location,
    )


def not_official_issues(refs: Iterable[TableRef]) -> list[Issue]:
    """One ``TABLE_NOT_OFFICIAL`` warning per non-official table version the refs cite."""
    seen: dict[tuple[str, str], TableRef] = {}
    for ref in refs:
        if ref.status is not Status.OFFICIAL:
            seen.setdefault((ref.table_id, ref.version), ref)
    return [
        not_official_issue(r.table_id, r.version, r.status, Location(key=f"{r.table_id}@{r.version}"))
        for r in seen.values()
    ]


def default_tables_dir() -> Path:
    """The shipped ``tables/`` folder (``BUCHANG_TABLES`` overrides it)."""
    import os

    env = os.environ.get("BUCHANG_TABLES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "tables"


def load_tables(*paths: Path | str, include_default: bool = True) -> tuple[TableStore, list[Issue]]:
    """Load tables from the shipped folder and/or given folders and files.

    Later paths override earlier ones: a table in a user's folder with the id
    of a shipped table replaces it (reported as ``TABLE_OVERRIDDEN``, info), so
    a district office can maintain its own versions. Every error of every file
    is collected; tables with errors are left out of the store.
    """
    roots = ([default_tables_dir()] if include_default else []) + [Path(p) for p in paths]
    issues: list[Issue] = []
    for r in roots:
        if not r.exists():
            issues.append(Issue("UNREADABLE", "no such file or folder", location=Location(file=str(r))))
    jfiles, tfiles = table_files(r for r in roots if r.exists())
    jurisdictions, errs = load_jurisdictions(jfiles)
    issues += errs
    tables: dict[str, Table] = {}
    for f in tfiles:
        table, errs = load_table_file(f, jurisdictions)
        issues += errs
        if table is None or any(e.is_error for e in errs):
            continue
        if table.table_id in tables:
            issues.append(
                Issue(
                    "TABLE_OVERRIDDEN",
                    f"table {table.table_id} from {tables[table.table_id].file} is replaced by this file",
                    Severity.INFO,
                    Location(file=str(f)),
                )
            )
        tables[table.table_id] = table
    by_kind: dict[tuple[str, str], Table] = {}
    for t in tables.values():
        other = by_kind.get((t.kind, t.jurisdiction))
        if other is not None:
            issues.append(
                Issue(
                    "AMBIGUOUS_TABLE",
                    f"tables {other.table_id} ({other.file}) and {t.table_id} are both of kind '{t.kind}' "
                    f"for jurisdiction {t.jurisdiction}",
                    location=Location(file=t.file, key="kind"),
                )
            )
            continue
        by_kind[(t.kind, t.jurisdiction)] = t
    return TableStore(jurisdictions, by_kind.values()), issues
