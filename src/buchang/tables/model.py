"""Standard tables as immutable, typed records.

A *table* is one standard of one jurisdiction (say 杭州's resettlement-area
bands); it has *versions*, each effective over a date range and citing the
document it comes from (``shared/spec/domain.md`` section 5). A version holds
named *values* (scalars with units) and *rows* (keyed records, e.g. one per
household-size band or crop type).

Everything a rule reads from a version carries its provenance: table id,
version, row key, document number, article, status and content hash
(:class:`TableRef`), so every computed line can say where its figure came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

Scalar = Decimal | int | str | date | bool


class Status(StrEnum):
    """How far a table's figures can be trusted (spec section 5, "Table status")."""

    OFFICIAL = "official"  # figures checked against the issuing document
    SECONDARY = "secondary"  # figures from a third-party copy
    ILLUSTRATIVE = "illustrative"  # structure right, figures made up to demonstrate


class Level(StrEnum):
    """Administrative level of a jurisdiction; lookups go district → city → province → national."""

    NATIONAL = "national"
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """An administrative area: GB/T 2260 code where one exists, name, parent, level."""

    code: str
    name: str
    level: Level
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a version's figures come from.

    Attributes:
        issuer: 发文机关.
        document: document title.
        document_number: 文号 (e.g. 永政发〔2024〕4号), when it has one.
        article: article/attachment the figures are in (第四十七条, 附件3).
        url: public address, when there is one.
        published: publication date (``None`` when our copy does not give it).
    """

    issuer: str
    document: str
    article: str
    published: date | None = None
    document_number: str | None = None
    url: str | None = None

    def short(self) -> str:
        doc = self.document_number or self.document
        return f"{doc} {self.article}".strip()


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """Declaration of one value or row column: unit, type, declared range, label."""

    name: str
    unit: str
    type: str = "decimal"
    label: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    choices: tuple[str, ...] | None = None
    required: bool = True


@dataclass(frozen=True, slots=True)
class TableRef:
    """Provenance of one figure: which table version (and row) and which document."""

    table_id: str
    version: str
    jurisdiction: str
    status: Status
    content_hash: str
    document: str
    article: str
    row: str | None = None
    name: str | None = None

    def label(self) -> str:
        where = f"{self.table_id}@{self.version}"
        if self.row is not None:
            where += f"[{self.row}]"
        if self.name is not None:
            where += f".{self.name}"
        return where

    def to_dict(self) -> dict[str, str | None]:
        return {
            "table_id": self.table_id,
            "version": self.version,
            "jurisdiction": self.jurisdiction,
            "status": self.status.value,
            "content_hash": self.content_hash,
            "document": self.document,
            "article": self.article,
            "row": self.row,
            "name": self.name,
        }


@dataclass(frozen=True, slots=True)
class Row:
    """One keyed row of a version (e.g. the band for households of 3 persons)."""

    key: str
    values: Mapping[str, Scalar]
    article: str | None = None
    line: int | None = None

    def __getitem__(self, name: str) -> Scalar:
        return self.values[name]

    def decimal(self, name: str) -> Decimal:
        v = self.values[name]
        if isinstance(v, bool) or not isinstance(v, Decimal | int):
            raise TypeError(f"row {self.key}: {name} is not a number")
        return Decimal(v)


@dataclass(frozen=True, slots=True)
class TableVersion:
    """One version of a standard table: effective range, citation, status, figures.

    ``content_hash`` is ``sha256:<hex>`` over the canonical form of the table
    header and this version, recorded in every result computed from it.
    """

    table_id: str
    kind: str
    variant: str | None
    jurisdiction: str
    title: str
    version: str
    status: Status
    effective_from: date
    effective_to: date | None
    verified_on: date
    source: Citation
    fields: Mapping[str, FieldSpec]
    columns: Mapping[str, FieldSpec]
    values: Mapping[str, Scalar]
    rows: tuple[Row, ...]
    content_hash: str
    file: str
    line: int | None = None
    notes: str | None = None
    _row_index: Mapping[str, Row] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )

    def covers(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def has(self, name: str) -> bool:
        return name in self.values

    def value(self, name: str) -> Scalar:
        try:
            return self.values[name]
        except KeyError:
            raise KeyError(f"table {self.table_id}@{self.version} has no value '{name}'") from None

    def decimal(self, name: str) -> Decimal:
        v = self.value(name)
        if isinstance(v, bool) or not isinstance(v, Decimal | int):
            raise TypeError(f"table {self.table_id}@{self.version}: {name} is not a number")
        return Decimal(v)

    def row(self, key: str) -> Row:
        try:
            return self._row_index[key]
        except KeyError:
            raise KeyError(f"table {self.table_id}@{self.version} has no row '{key}'") from None

    def find_row(self, key: str) -> Row | None:
        return self._row_index.get(key)

    def ref(self, row: str | None = None, name: str | None = None) -> TableRef:
        """Provenance for a figure of this version (row article overrides the version's)."""
        article = self.source.article
        if row is not None:
            r = self._row_index.get(row)
            if r is not None and r.article:
                article = r.article
        return TableRef(
            table_id=self.table_id,
            version=self.version,
            jurisdiction=self.jurisdiction,
            status=self.status,
            content_hash=self.content_hash,
            document=self.source.document_number or self.source.document,
            article=article,
            row=row,
            name=name,
        )

    def unit(self, name: str) -> str:
        spec = self.fields.get(name) or self.columns.get(name)
        return spec.unit if spec else ""


@dataclass(frozen=True, slots=True)
class Table:
    """A standard table: identity and its versions in effective order."""

    table_id: str
    kind: str
    jurisdiction: str
    title: str
    file: str
    versions: tuple[TableVersion, ...]

    def version_on(self, on: date) -> TableVersion | None:
        for v in self.versions:
            if v.covers(on):
                return v
        return None

    def find_version(self, version: str) -> TableVersion | None:
        for v in self.versions:
            if v.version == version:
                return v
        return None
