"""Load and validate standard-table files, collecting every error.

The file format (one table per ``.yaml`` file; see ``tables/README.md``)::

    id: hangzhou.house.resettlement_area      # unique table id
    kind: house.resettlement_area              # what rules ask for
    variant: hangzhou_2014                     # optional: the rule variant
    jurisdiction: "330100"                     # code in jurisdictions.yaml
    title: 杭州市征收集体所有土地房屋 安置面积标准
    fields:                                    # declared scalar values
      per_person_min: {unit: m2, min: "0", max: "200", label: 人均安置面积下限}
    columns:                                   # declared row columns (key is implicit)
      persons_min: {unit: person, type: int, min: "1", max: "99"}
    versions:
      - version: "2014"
        status: official                       # official | secondary | illustrative
        effective_from: 2014-05-01
        effective_to: null                     # open
        verified_on: 2026-11-01
        source: {issuer: 杭州市人大常委会, document: …, document_number: …,
                 article: 第十九条, url: …, published: 2014-01-01}
        values: {per_person_min: "18"}
        rows:
          - {key: "1-2", persons_min: "1", article: 第十九条第一项}

A version may declare its own ``fields``/``columns`` (they replace the table's
for that version), so a table can change structure across versions — 松江's land
fees switch from output-value multiples to 区片综合地价 on 2020-01-01.

Loading rejects, each error naming file, line and key: YAML syntax errors,
duplicate keys, unknown keys, missing keys and missing citations, float-typed
numbers, values that do not parse or fall outside the declared range,
overlapping or gapped effective ranges, duplicate versions and row keys,
unknown jurisdictions, and two tables of the same kind for one jurisdiction.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from buchang.core.errors import Issue, Location, Severity
from buchang.tables.model import (
    Citation,
    FieldSpec,
    Jurisdiction,
    Level,
    Row,
    Scalar,
    Status,
    Table,
    TableVersion,
)
from buchang.tables.yamlsrc import Path as KeyPath
from buchang.tables.yamlsrc import YamlDoc, load_yaml, path_text

JURISDICTIONS_FILE = "jurisdictions.yaml"

# --- the file schema (pydantic, strict about keys) --------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldModel(_Strict):
    unit: str
    type: Literal["decimal", "int", "text", "date", "bool"] = "decimal"
    label: str = ""
    min: str | None = None
    max: str | None = None
    choices: list[str] | None = None
    required: bool = True


# A citation field must say something: blank text is as good as missing.
_Cited = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class SourceModel(_Strict):
    issuer: _Cited
    document: _Cited
    article: _Cited
    published: date | None = None
    document_number: str | None = None
    url: str | None = None


class VersionModel(_Strict):
    version: str
    status: Status
    effective_from: date
    effective_to: date | None = None
    verified_on: date
    source: SourceModel
    variant: str | None = None
    notes: str | None = None
    fields: dict[str, FieldModel] | None = None
    columns: dict[str, FieldModel] | None = None
    values: dict[str, str | None] = {}
    rows: list[dict[str, str | None]] = []


class TableModel(_Strict):
    id: str
    kind: str
    jurisdiction: str
    title: str
    variant: str | None = None
    fields: dict[str, FieldModel] = {}
    columns: dict[str, FieldModel] = {}
    versions: list[VersionModel]


class JurisdictionModel(_Strict):
    code: str
    name: str
    level: Level
    parent: str | None = None


class JurisdictionsModel(_Strict):
    jurisdictions: list[JurisdictionModel]


# --- pydantic errors → issues -------------------------------------------------

_CITATION_KEYS = {"source", "issuer", "document", "article"}


def _pydantic_issues(exc: ValidationError, doc: YamlDoc) -> list[Issue]:
    out: list[Issue] = []
    for err in exc.errors():
        loc: KeyPath = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            code, msg = "UNKNOWN_KEY", f"unknown key '{loc[-1]}'"
        elif kind == "missing" or err.get("input", "") is None or kind == "string_too_short":
            # absent, null (``article:``) or blank: all mean the author did not fill it in
            name = str(loc[-1])
            if name in _CITATION_KEYS and ("source" in loc or name == "source"):
                code, msg = "MISSING_CITATION", f"the citation lacks '{name}'"
            else:
                code, msg = "MISSING_KEY", f"key '{name}' is missing or empty"
        else:
            code, msg = "INVALID_VALUE", f"{err['msg']} (got {err.get('input')!r})"
        out.append(doc.issue(code, msg, loc))
    return out


# --- value parsing --------------------------------------------------------------


def _field_spec(name: str, m: FieldModel, doc: YamlDoc, path: KeyPath) -> tuple[FieldSpec, list[Issue]]:
    issues: list[Issue] = []
    bounds: list[Decimal | None] = []
    for which, raw in (("min", m.min), ("max", m.max)):
        if raw is None:
            bounds.append(None)
            continue
        try:
            bounds.append(Decimal(raw))
        except InvalidOperation:
            issues.append(doc.issue("INVALID_VALUE", f"{which} '{raw}' is not a decimal", (*path, which)))
            bounds.append(None)
    spec = FieldSpec(
        name=name,
        unit=m.unit,
        type=m.type,
        label=m.label,
        min=bounds[0],
        max=bounds[1],
        choices=tuple(m.choices) if m.choices is not None else None,
        required=m.required,
    )
    return spec, issues


def _parse_value(
    raw: str, spec: FieldSpec, doc: YamlDoc, path: KeyPath
) -> tuple[Scalar | None, Issue | None]:
    """Parse one value per its declared type and check the declared range."""
    value: Scalar
    try:
        if spec.type == "decimal":
            value = Decimal(raw.strip())
            if not value.is_finite():
                raise InvalidOperation
        elif spec.type == "int":
            value = int(raw.strip())
        elif spec.type == "date":
            value = date.fromisoformat(raw.strip())
        elif spec.type == "bool":
            low = raw.strip().lower()
            if low not in {"true", "false"}:
                raise ValueError
            value = low == "true"
        else:
            value = raw
    except (InvalidOperation, ValueError):
        return None, doc.issue("INVALID_VALUE", f"'{raw}' is not a valid {spec.type} for '{spec.name}'", path)
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        if spec.min is not None and value < spec.min:
            return None, doc.issue(
                "OUT_OF_RANGE",
                f"{spec.name} = {raw} is below the declared minimum {spec.min} {spec.unit}",
                path,
            )
        if spec.max is not None and value > spec.max:
            return None, doc.issue(
                "OUT_OF_RANGE",
                f"{spec.name} = {raw} is above the declared maximum {spec.max} {spec.unit}",
                path,
            )
    if spec.choices is not None and isinstance(value, str) and value not in spec.choices:
        return None, doc.issue(
            "OUT_OF_RANGE", f"{spec.name} = '{raw}' is not one of {', '.join(spec.choices)}", path
        )
    return value, None


def _parse_record(
    raw: Mapping[str, str | None],
    specs: Mapping[str, FieldSpec],
    doc: YamlDoc,
    path: KeyPath,
    reserved: frozenset[str] = frozenset(),
) -> tuple[dict[str, Scalar], list[Issue]]:
    out: dict[str, Scalar] = {}
    issues: list[Issue] = []
    for name, text in raw.items():
        if name in reserved:
            continue
        spec = specs.get(name)
        if spec is None:
            issues.append(doc.issue("UNKNOWN_KEY", f"'{name}' is not a declared field", (*path, name)))
            continue
        if text is None:
            if spec.required:
                issues.append(doc.issue("MISSING_KEY", f"'{name}' has no value", (*path, name)))
            continue
        value, issue = _parse_value(text, spec, doc, (*path, name))
        if issue is not None:
            issues.append(issue)
        elif value is not None:
            out[name] = value
    for name, spec in specs.items():
        if spec.required and name not in raw:
            issues.append(doc.issue("MISSING_KEY", f"required value '{name}' is missing", path))
    return out, issues


# --- hashing --------------------------------------------------------------------


def content_hash(table: TableModel, version: VersionModel) -> str:
    """``sha256:`` + hex digest of the canonical JSON of the table header and one version."""
    header = table.model_dump(mode="json", exclude={"versions"})
    body = {"table": header, "version": version.model_dump(mode="json")}
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


# --- one table file --------------------------------------------------------------


def _check_ranges(versions: list[VersionModel], doc: YamlDoc) -> list[Issue]:
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    for i, v in enumerate(versions):
        if v.version in seen:
            issues.append(
                doc.issue("DUPLICATE_KEY", f"version '{v.version}' appears twice", ("versions", i, "version"))
            )
        seen[v.version] = i
        if v.effective_to is not None and v.effective_to < v.effective_from:
            issues.append(
                doc.issue(
                    "INVALID_RANGE",
                    f"effective_to {v.effective_to} is before effective_from {v.effective_from}",
                    ("versions", i, "effective_to"),
                )
            )
    order = sorted(range(len(versions)), key=lambda i: versions[i].effective_from)
    for a, b in itertools.pairwise(order):
        va, vb = versions[a], versions[b]
        if va.effective_to is None or va.effective_to >= vb.effective_from:
            issues.append(
                doc.issue(
                    "OVERLAPPING_RANGE",
                    f"version '{vb.version}' (from {vb.effective_from}) overlaps version '{va.version}' "
                    f"(to {va.effective_to or 'open'})",
                    ("versions", b, "effective_from"),
                )
            )
        elif (vb.effective_from - va.effective_to).days != 1:
            issues.append(
                doc.issue(
                    "GAPPED_RANGE",
                    f"no version covers {va.effective_to} < date < {vb.effective_from} between "
                    f"'{va.version}' and '{vb.version}'",
                    ("versions", b, "effective_from"),
                )
            )
    return issues


def parse_table(
    doc: YamlDoc, known_jurisdictions: Mapping[str, Jurisdiction] | None
) -> tuple[Table | None, list[Issue]]:
    """Validate a parsed YAML document as a table; return the table (if usable) and all issues."""
    issues = list(doc.issues)
    if doc.data is None:
        return None, issues
    try:
        model = TableModel.model_validate(doc.data)
    except ValidationError as exc:
        return None, issues + _pydantic_issues(exc, doc)
    if known_jurisdictions is not None and model.jurisdiction not in known_jurisdictions:
        issues.append(
            doc.issue(
                "UNKNOWN_JURISDICTION",
                f"jurisdiction '{model.jurisdiction}' is not in {JURISDICTIONS_FILE}",
                ("jurisdiction",),
            )
        )
    issues += _check_ranges(model.versions, doc)

    def specs(models: dict[str, FieldModel], path: KeyPath) -> dict[str, FieldSpec]:
        out: dict[str, FieldSpec] = {}
        for name, m in models.items():
            spec, errs = _field_spec(name, m, doc, (*path, name))
            issues.extend(errs)
            out[name] = spec
        return out

    table_fields = specs(model.fields, ("fields",))
    table_columns = specs(model.columns, ("columns",))
    versions: list[TableVersion] = []
    for i, v in enumerate(model.versions):
        vpath: KeyPath = ("versions", i)
        fields = specs(v.fields, (*vpath, "fields")) if v.fields is not None else table_fields
        columns = specs(v.columns, (*vpath, "columns")) if v.columns is not None else table_columns
        values, errs = _parse_record(v.values, fields, doc, (*vpath, "values"))
        issues.extend(errs)
        rows: list[Row] = []
        keys: set[str] = set()
        for j, raw_row in enumerate(v.rows):
            rpath: KeyPath = (*vpath, "rows", j)
            key = raw_row.get("key")
            if not key:
                issues.append(doc.issue("MISSING_KEY", "a row needs a 'key'", rpath))
                continue
            if key in keys:
                issues.append(doc.issue("DUPLICATE_KEY", f"row key '{key}' appears twice", (*rpath, "key")))
                continue
            keys.add(key)
            parsed, errs = _parse_record(raw_row, columns, doc, rpath, frozenset({"key", "article"}))
            issues.extend(errs)
            rows.append(Row(key, MappingProxyType(parsed), raw_row.get("article"), doc.line_of(rpath)))
        src = v.source
        versions.append(
            TableVersion(
                table_id=model.id,
                kind=model.kind,
                variant=v.variant or model.variant,
                jurisdiction=model.jurisdiction,
                title=model.title,
                version=v.version,
                status=v.status,
                effective_from=v.effective_from,
                effective_to=v.effective_to,
                verified_on=v.verified_on,
                source=Citation(
                    src.issuer, src.document, src.article, src.published, src.document_number, src.url
                ),
                fields=MappingProxyType(fields),
                columns=MappingProxyType(columns),
                values=MappingProxyType(values),
                rows=tuple(rows),
                content_hash=content_hash(model, v),
                file=doc.file,
                line=doc.line_of(vpath),
                notes=v.notes,
                _row_index=MappingProxyType({r.key: r for r in rows}),
            )
        )
    versions.sort(key=lambda x: x.effective_from)
    table = Table(model.id, model.kind, model.jurisdiction, model.title, doc.file, tuple(versions))
    return table, issues


def parse_jurisdictions(doc: YamlDoc) -> tuple[list[Jurisdiction], list[Issue]]:
    issues = list(doc.issues)
    if doc.data is None:
        return [], issues
    try:
        model = JurisdictionsModel.model_validate(doc.data)
    except ValidationError as exc:
        return [], issues + _pydantic_issues(exc, doc)
    out: list[Jurisdiction] = []
    seen: set[str] = set()
    for i, j in enumerate(model.jurisdictions):
        if j.code in seen:
            issues.append(
                doc.issue(
                    "DUPLICATE_KEY", f"jurisdiction '{j.code}' appears twice", ("jurisdictions", i, "code")
                )
            )
            continue
        seen.add(j.code)
        out.append(Jurisdiction(j.code, j.name, j.level, j.parent))
    return out, issues


# --- folders ------------------------------------------------------------------------


def _read(path: Path) -> tuple[str | None, Issue | None]:
    try:
        return path.read_text(encoding="utf-8"), None
    except (OSError, UnicodeDecodeError) as exc:
        return None, Issue("UNREADABLE", str(exc), location=Location(file=str(path)))


def table_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Split the given files/folders into (jurisdiction files, table files), sorted."""
    juris: list[Path] = []
    tables: list[Path] = []
    for p in paths:
        files = sorted(p.rglob("*.yaml")) if p.is_dir() else [p]
        for f in files:
            (juris if f.name == JURISDICTIONS_FILE else tables).append(f)
    return juris, tables


def _jurisdiction_location(doc: YamlDoc, code: str, key: str) -> Location:
    """File, line and key path of ``key`` in the entry for ``code`` in a jurisdictions file."""
    entries = doc.data.get("jurisdictions") if isinstance(doc.data, dict) else None
    path: KeyPath = ()
    for i, raw in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(raw, dict) and raw.get("code") == code:
            path = ("jurisdictions", i, key)
            break
    return Location(file=doc.file, line=doc.line_of(path), key=path_text(path) or code)


def load_jurisdictions(files: Iterable[Path]) -> tuple[dict[str, Jurisdiction], list[Issue]]:
    out: dict[str, Jurisdiction] = {}
    where: dict[str, YamlDoc] = {}
    issues: list[Issue] = []
    for f in files:
        text, err = _read(f)
        if err is not None or text is None:
            issues.append(err or Issue("UNREADABLE", "cannot read", location=Location(file=str(f))))
            continue
        doc = load_yaml(text, str(f))
        items, errs = parse_jurisdictions(doc)
        issues += errs
        for j in items:
            prev = out.get(j.code)
            if prev is not None and prev != j:
                issues.append(
                    Issue(
                        "CONFLICTING_JURISDICTION",
                        f"jurisdiction {j.code} is defined differently in {where[j.code].file}",
                        location=_jurisdiction_location(doc, j.code, "code"),
                    )
                )
                continue
            out[j.code] = j
            where.setdefault(j.code, doc)
    for j in out.values():
        if j.parent is not None and j.parent not in out:
            issues.append(
                Issue(
                    "UNKNOWN_JURISDICTION",
                    f"parent '{j.parent}' of {j.code} {j.name} is not defined",
                    severity=Severity.ERROR,
                    location=_jurisdiction_location(where[j.code], j.code, "parent"),
                )
            )
    return out, issues


def load_table_file(
    path: Path, jurisdictions: Mapping[str, Jurisdiction] | None = None
) -> tuple[Table | None, list[Issue]]:
    """Load and validate one table file."""
    text, err = _read(path)
    if text is None:
        return None, [err] if err else []
    return parse_table(load_yaml(text, str(path)), jurisdictions)


def parsed_data(path: Path) -> Any:
    """The plain data of a table file (for tooling); ``None`` when it does not parse."""
    text, _ = _read(path)
    return None if text is None else load_yaml(text, str(path)).data
