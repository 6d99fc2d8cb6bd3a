"""Mutated survey workbooks: the only outcomes are a project or located errors."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.io.io_kit import base, write_survey

from buchang.core.errors import has_errors
from buchang.io.rawxlsx import RawNumber
from buchang.io.schema import SURVEY
from buchang.io.survey import import_survey

SHEETS = [s.key for s in SURVEY.sheets if s.key in base()]
VALUES = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.sampled_from(["=1+2", "#N/A", "合法", "H1", "H9", "-0", "1e308", "2021年2月30日", "\x00", "   "]),
    st.from_regex(r"-?\d{1,14}\.\d{1,18}", fullmatch=True).map(RawNumber),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(SHEETS), st.integers(0, 2), st.integers(0, 13), VALUES),
        min_size=1,
        max_size=6,
    ),
    engine=st.sampled_from(["calamine", "openpyxl"]),
)
def test_fuzz_mutated_survey(changes: list[tuple[str, int, int, object]], engine: str) -> None:
    s = base()
    for sheet, index, column, value in changes:
        rows = s[sheet]
        cols = SURVEY.sheet(sheet).columns
        if index >= len(rows):
            rows.append({})
            index = len(rows) - 1
        rows[index][cols[column % len(cols)].key] = value
    with tempfile.TemporaryDirectory() as tmp:
        path = write_survey(Path(tmp) / "fuzz.xlsx", s)
        project, issues = import_survey(path, engine=engine)  # type: ignore[arg-type]
    assert (project is None) == has_errors(issues)
    for issue in issues:
        assert issue.location.file == str(path)
        if issue.code not in ("MISSING_SHEET", "FILE_UNREADABLE", "FILE_UNSAFE"):
            assert issue.location.sheet is not None
