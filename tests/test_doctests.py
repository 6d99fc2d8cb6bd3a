"""Run the examples in the core modules' docstrings as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ("buchang.core.money", "buchang.core.units", "buchang.core.ids")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
