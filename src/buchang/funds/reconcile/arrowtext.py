"""Fast paths for text columns held by pyarrow (pandas' ``str`` dtype).

Reconciliation hashes and joins millions of account numbers, agreement numbers
and list lines. When a column is pyarrow-backed (pandas 3 with pyarrow
installed), these helpers do that work in Arrow's C++ kernels instead of making
a Python string per row; otherwise they return ``None`` and the caller takes
the plain numpy/pandas path. Both paths give the same result (tests run both);
nothing here touches money, which stays int64 fen.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

try:  # optional: pandas does not require pyarrow
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - exercised only without pyarrow
    pa = None
    pc = None

__all__ = [
    "ENABLED",
    "JSON_ESCAPED",
    "arrow_text",
    "encode",
    "line_fragments",
    "lookup",
    "pa",
    "pc",
    "sort_by_int_and_text",
]

I64 = npt.NDArray[np.int64]

#: Characters ``json.dumps(ensure_ascii=False)`` escapes inside a string.
JSON_ESCAPED: Final = r'["\\\x00-\x1f]'

_FIRST_DAY: Final = (date(1000, 1, 1) - date(1970, 1, 1)).days
_LAST_DAY: Final = (date(9999, 12, 31) - date(1970, 1, 1)).days

#: Set to False to force the plain path (tests compare the two).
ENABLED: bool = True


def arrow_text(values: Any) -> Any | None:
    """The column as one pyarrow ``large_string`` array (blanks as ``""``), or None."""
    if pa is None or not ENABLED or not isinstance(values, pd.Series):
        return None
    dtype = values.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    arr = pa.array(values.array)  # zero-copy for an arrow-backed column
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    arr = arr.cast(pa.large_string())
    return pc.fill_null(arr, "") if arr.null_count else arr


def encode(parts: list[Any]) -> tuple[list[I64], npt.NDArray[np.object_]] | None:
    """Joint codes of several text columns (object arrays or arrow-backed Series):
    equal text, equal code. None unless every Series part is arrow-backed."""
    if pa is None or not ENABLED:
        return None
    arrays = []
    for part in parts:
        if isinstance(part, pd.Series):
            arr = arrow_text(part)
            if arr is None:
                return None
        else:
            arr = pa.array(list(part), type=pa.large_string())
        arrays.append(arr)
    whole = pa.concat_arrays(arrays) if arrays else pa.array([], type=pa.large_string())
    dict_arr = pc.dictionary_encode(whole)
    codes = dict_arr.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    names = np.asarray(dict_arr.dictionary.to_pylist(), dtype=object)
    bounds = np.cumsum([len(a) for a in arrays])[:-1]
    return list(np.split(codes, bounds)), names


def lookup(values: Any, order: I64, names: npt.NDArray[np.object_]) -> I64 | None:
    """Positions of ``values`` (taken in ``order``) in ``names`` (distinct), -1 if absent; None if not arrow."""
    arr = arrow_text(values)
    if arr is None:
        return None
    taken = arr.take(pa.array(order))
    found = pc.index_in(taken, value_set=pa.array(names.tolist(), type=pa.large_string()))
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def sort_by_int_and_text(first: I64, second: Any) -> I64 | None:
    """Row order by (``first``, ``second`` as text by code point); None if not arrow."""
    text = arrow_text(second)
    if text is None:
        return None
    table = pa.table({"a": pa.array(first), "b": text})
    order = pc.sort_indices(table, sort_keys=[("a", "ascending"), ("b", "ascending")])
    return np.asarray(order.to_numpy(zero_copy_only=False), dtype=np.int64)


def line_fragments(
    text: dict[str, Any], line_no: I64, amount: I64, due_days: I64, order: I64, bounds: I64
) -> list[str] | None:
    """Per list, the JSON of its lines joined by ``,`` exactly as
    :func:`buchang.funds.records.list_digest` writes them; None when a column is
    not arrow-backed, needs JSON escaping, or a date is outside years 1000–9999."""
    if pa is None or not ENABLED:
        return None
    cols = []
    for name in ("agreement_no", "payee_name", "payee_account", "category"):
        arr = arrow_text(text[name])
        if arr is None:
            return None
        arr = arr.take(pa.array(order))
        if len(arr) and pc.any(pc.match_substring_regex(arr, JSON_ESCAPED)).as_py():
            return None
        cols.append(arr)
    if len(due_days) and not (int(due_days.min()) >= _FIRST_DAY and int(due_days.max()) <= _LAST_DAY):
        return None  # numpy and isoformat write such years differently
    big = pa.large_string()

    def lit(s: str) -> Any:
        return pa.scalar(s, type=big)

    codes, days = pd.factorize(due_days)  # few distinct days: format each once
    iso = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype(str).tolist()
    due = pa.array(iso, type=big).take(pa.array(np.asarray(codes, dtype=np.int64)))
    frags = pc.binary_join_element_wise(
        lit("["),
        pa.array(line_no).cast(big),
        lit(',"'),
        cols[0],
        lit('","'),
        cols[1],
        lit('","'),
        cols[2],
        lit('","'),
        cols[3],
        lit('",'),
        pa.array(amount).cast(big),
        lit(',"'),
        due,
        lit('"]'),
        lit(""),
    )
    lists = pa.LargeListArray.from_arrays(pa.array(bounds, type=pa.int64()), frags)
    joined: list[str] = pc.binary_join(lists, lit(",")).to_pylist()
    return joined
