"""Standard tables: versioned by jurisdiction and effective date, each version citing its document.

Pipeline: ``yamlsrc`` (YAML → plain data + line numbers, duplicate keys and
floats refused) → ``loader`` (schema and value validation, every error with
file, line and key; content hashes) → ``store`` (lookup by jurisdiction chain
and governing date).
"""

from buchang.tables.loader import load_table_file
from buchang.tables.model import (
    Citation,
    FieldSpec,
    Jurisdiction,
    Level,
    Row,
    Status,
    Table,
    TableRef,
    TableVersion,
)
from buchang.tables.store import Resolution, TableStore, default_tables_dir, load_tables

__all__ = [
    "Citation",
    "FieldSpec",
    "Jurisdiction",
    "Level",
    "Resolution",
    "Row",
    "Status",
    "Table",
    "TableRef",
    "TableStore",
    "TableVersion",
    "default_tables_dir",
    "load_table_file",
    "load_tables",
]
