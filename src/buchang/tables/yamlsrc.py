"""YAML with line numbers, duplicate-key detection and float refusal.

PyYAML's loaders silently keep the last of two duplicate keys and turn
``12.5`` into a binary float. Table files must not do either
(``shared/spec/domain.md`` section 5), so we compose the YAML into nodes and
build plain data ourselves:

* every scalar stays the text the author wrote (``"6"``, ``"2020-01-01"``), so
  decimals are parsed exactly later, and ``None`` for YAML null;
* a plain scalar YAML would read as a float (``12.5``, ``1e3``, ``.inf``) is an
  issue ``FLOAT_VALUE`` — values must be quoted decimal strings;
* a repeated key in one mapping is an issue ``DUPLICATE_KEY``;
* a map from key paths to 1-based line numbers is returned so that later
  validation errors name the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from buchang.core.errors import Issue, Location

Path = tuple[str | int, ...]

_FLOAT_TAG = "tag:yaml.org,2002:float"
_NULL_TAG = "tag:yaml.org,2002:null"


def path_text(path: Path) -> str:
    """``('versions', 0, 'values', 'x')`` → ``versions[0].values.x``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


@dataclass
class YamlDoc:
    """A parsed YAML document: plain data, line numbers by key path, issues."""

    file: str
    data: Any = None
    lines: dict[Path, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def line_of(self, path: Path) -> int | None:
        """Line of ``path`` or of its closest ancestor that has one."""
        p = tuple(path)
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            p = p[:-1]

    def issue(self, code: str, message: str, path: Path) -> Issue:
        return Issue(
            code,
            message,
            location=Location(file=self.file, line=self.line_of(path), key=path_text(path) or None),
        )


def _build(node: yaml.Node, path: Path, doc: YamlDoc) -> Any:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                doc.issues.append(doc.issue("INVALID_KEY", "a key must be plain text", path))
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key in out:
                doc.lines[child] = key_node.start_mark.line + 1
                doc.issues.append(
                    doc.issue("DUPLICATE_KEY", f"key '{key}' appears twice in one mapping", child)
                )
                continue
            doc.lines[child] = key_node.start_mark.line + 1
            out[key] = _build(value_node, child, doc)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), doc) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    if node.tag == _NULL_TAG:
        return None
    if node.tag == _FLOAT_TAG and node.style is None:
        doc.issues.append(
            doc.issue(
                "FLOAT_VALUE",
                f"unquoted number {node.value} would be read as a binary float: write it as a quoted "
                f'decimal string "{node.value}"',
                path,
            )
        )
    return str(node.value)


def load_yaml(text: str, file: str) -> YamlDoc:
    """Parse one YAML document into a :class:`YamlDoc`; syntax errors become issues."""
    doc = YamlDoc(file=file)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        doc.issues.append(
            Issue("YAML_SYNTAX", f"{exc.problem or exc}", location=Location(file=file, line=line))
        )
        return doc
    except yaml.YAMLError as exc:
        doc.issues.append(Issue("YAML_SYNTAX", str(exc), location=Location(file=file)))
        return doc
    if node is None:
        doc.issues.append(
            Issue("EMPTY_FILE", "the file holds no table", location=Location(file=file, line=1))
        )
        return doc
    doc.data = _build(node, (), doc)
    return doc
