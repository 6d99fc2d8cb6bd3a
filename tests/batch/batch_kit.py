"""Shared helpers for the batch tests: the shipped tables, loaded once per session."""

from __future__ import annotations

from functools import cache

from buchang.tables.store import TableStore, load_tables


@cache
def shipped() -> TableStore:
    store, issues = load_tables()
    assert not [i for i in issues if i.is_error], issues
    return store
